"""Settings of the nodes that shape a path (SPEC §10): Wait for, Condition, A/B split, Add/Remove tag.

Each edit is one undoable command that stores the node's whole settings; the
panel reloads from the workspace's announcement, so it never keeps a copy.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from builder.engine.node_settings import MAX_VARIANTS, MIN_VARIANTS
from builder.engine.words import NodeKind
from builder.store.loading import NodeRow
from builder.store.workspace import Workspace
from builder.ui.commands import SetNodeSettingsCommand, push

Report = Callable[[str], None]

CONDITION_CHOICES = [
    ("Has an email", ("has", "email")),
    ("Has a LinkedIn profile", ("has", "linkedin")),
    ("Tagged with any of", ("tags_any", None)),
    ("Tagged with all of", ("tags_all", None)),
]


def _tags(text: str) -> list[str]:
    return [t.strip() for t in text.replace("\n", ",").split(",") if t.strip()]


class PathNodeSettings(QWidget):
    """The settings of a Wait for, Condition, A/B split, Add tag or Remove tag node."""

    def __init__(self, workspace: Workspace, stack: QUndoStack, report: Report, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PathNodeSettings")
        self.workspace, self.stack, self.report = workspace, stack, report
        self.node: NodeRow | None = None
        self.settings: dict[str, Any] = {}
        self.pages = QStackedWidget(self)
        self.wait_for = self._wait_for_page()
        self.condition = self._condition_page()
        self.split = self._split_page()
        self.tag = self._tag_page()
        self.counts = QLabel(self)
        self.counts.setObjectName("pathNodeCounts")
        self.counts.setWordWrap(True)
        self.locked = QLabel("Contacts have reached this node: its settings can no longer change.", self)
        self.locked.setWordWrap(True)
        # A narrow panel wraps its words rather than growing: every label wraps, every form row stacks.
        for label in self.findChildren(QLabel):
            label.setWordWrap(True)
        for form in self.findChildren(QFormLayout):
            form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        layout.addWidget(self.counts)
        layout.addWidget(self.locked)
        layout.addStretch(1)

    # -- pages --------------------------------------------------------------------------------

    def _wait_for_page(self) -> QWidget:
        page = QWidget(self)
        self.outcome = QComboBox(page)
        self.outcome.setObjectName("waitForOutcome")
        self.outcome.addItem("Accepted the connection", "accepted")
        self.outcome.addItem("Replied", "replied")
        self.outcome.activated.connect(lambda _i: self._edit("outcome", self.outcome.currentData(), "Wait for"))
        self.wait_days = QSpinBox(page)
        self.wait_days.setObjectName("waitForDays")
        self.wait_days.setRange(1, 365)
        self.wait_days.setSuffix(" days")
        self.wait_days.editingFinished.connect(lambda: self._edit("days", self.wait_days.value(), "Wait for days"))
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Wait until the contact", self.outcome)
        form.addRow("'No' after", self.wait_days)
        form.addRow(QLabel("'Yes' as soon as it happens; 'No' when the days are over.", page))
        self.pages.addWidget(page)
        return page

    def _condition_page(self) -> QWidget:
        page = QWidget(self)
        self.rule = QComboBox(page)
        self.rule.setObjectName("conditionRule")
        for label, (rule, value) in CONDITION_CHOICES:
            self.rule.addItem(label, (rule, value))
        self.rule.activated.connect(self._rule_chosen)
        self.condition_tags = QLineEdit(page)
        self.condition_tags.setObjectName("conditionTags")
        self.condition_tags.setPlaceholderText("Tags separated by commas")
        self.condition_tags.editingFinished.connect(self._tags_set)
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("'Yes' when the contact", self.rule)
        form.addRow("Tags", self.condition_tags)
        self.condition_form = form
        self.pages.addWidget(page)
        return page

    def _split_page(self) -> QWidget:
        page = QWidget(self)
        self.variant_rows = QWidget(page)
        self.variant_grid = QGridLayout(self.variant_rows)
        self.variant_grid.setContentsMargins(0, 0, 0, 0)
        self.split_sum = QLabel(page)
        self.split_sum.setObjectName("splitSum")
        self.add_variant = QPushButton("Add variant", page)
        self.add_variant.setObjectName("addVariantButton")
        self.add_variant.clicked.connect(self._variant_added)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Contacts are shared between the variants by percent, in turn:", page))
        layout.addWidget(self.variant_rows)
        layout.addWidget(self.split_sum)
        layout.addWidget(self.add_variant)
        self.pages.addWidget(page)
        return page

    def _tag_page(self) -> QWidget:
        page = QWidget(self)
        self.tag_name = QLineEdit(page)
        self.tag_name.setObjectName("tagName")
        self.tag_name.editingFinished.connect(lambda: self._edit("tag", self.tag_name.text().strip(), "Tag"))
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("Tag", self.tag_name)
        form.addRow(QLabel("Acts at once: no task, no daily limit.", page))
        self.pages.addWidget(page)
        return page

    # -- loading ------------------------------------------------------------------------------

    def load(self, node: NodeRow, editable: bool, counts: str = "") -> None:
        self.node = node
        self.settings = copy.deepcopy(node.settings or {})
        settings = self.settings
        if node.kind is NodeKind.WAIT_FOR:
            self.pages.setCurrentWidget(self.wait_for)
            self.outcome.setCurrentIndex(max(0, self.outcome.findData(settings.get("outcome"))))
            self.wait_days.setValue(int(settings.get("days", 7)))
        elif node.kind is NodeKind.CONDITION:
            self.pages.setCurrentWidget(self.condition)
            rule = next((r for r in ("has", "tags_any", "tags_all") if r in settings), "has")
            value = settings.get(rule)
            index = next(
                (i for i, (_, (r, v)) in enumerate(CONDITION_CHOICES) if r == rule and (v is None or v == value)), 0
            )
            self.rule.setCurrentIndex(index)
            tagged = rule != "has"
            self.condition_form.setRowVisible(1, tagged)
            self.condition_tags.setText(", ".join(value) if tagged and isinstance(value, list) else "")
        elif node.kind is NodeKind.SPLIT:
            self.pages.setCurrentWidget(self.split)
            self._show_variants()
        else:
            self.pages.setCurrentWidget(self.tag)
            self.tag_name.setText(str(settings.get("tag", "")))
        self.pages.setEnabled(editable)
        self.locked.setVisible(not editable)
        self.counts.setText(counts)
        self.counts.setVisible(bool(counts))

    def _show_variants(self) -> None:
        while self.variant_grid.count():
            widget = self.variant_grid.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        variants = self.settings.get("variants") or []
        for row, variant in enumerate(variants):
            name = QLineEdit(str(variant.get("name", "")), self.variant_rows)
            name.setObjectName(f"variantName{row}")
            name.setMaxLength(20)
            name.editingFinished.connect(lambda r=row, w=name: self._variant_set(r, "name", w.text().strip()))
            percent = QSpinBox(self.variant_rows)
            percent.setObjectName(f"variantPercent{row}")
            percent.setRange(0, 100)
            percent.setSuffix(" %")
            percent.setValue(int(variant.get("percent", 0)))
            percent.editingFinished.connect(lambda r=row, w=percent: self._variant_set(r, "percent", w.value()))
            remove = QToolButton(self.variant_rows)
            remove.setObjectName(f"removeVariant{row}")
            remove.setText("✕")
            remove.setToolTip("Remove this variant")
            remove.setEnabled(len(variants) > MIN_VARIANTS)
            remove.clicked.connect(lambda _c=False, r=row: self._variant_removed(r))
            self.variant_grid.addWidget(name, row, 0)
            self.variant_grid.addWidget(percent, row, 1)
            self.variant_grid.addWidget(remove, row, 2)
        total = sum(int(v.get("percent", 0)) for v in variants)
        self.split_sum.setText(f"Total: {total} %" + ("" if total == 100 else " — make it 100 %"))
        self.add_variant.setEnabled(len(variants) < MAX_VARIANTS)

    # -- edits ----------------------------------------------------------------------------------

    def _store(self, after: dict[str, Any], text: str) -> None:
        """One undoable command: the node's settings before → after."""
        if self.node is None or after == (self.node.settings or {}):
            return
        before = copy.deepcopy(self.node.settings or {})
        command = SetNodeSettingsCommand(self.workspace, self.node.id, before, after, f"Change {text}")
        if push(self.stack, command, self.report):
            self.report(f"'{self.node.title}' saved.")

    def _edit(self, key: str, value: object, text: str) -> None:
        after = copy.deepcopy(self.settings)
        after[key] = value
        self._store(after, text.lower() if text != "Wait for" else "what to wait for")

    def _rule_chosen(self, index: int) -> None:
        rule, value = self.rule.itemData(index)
        if value is None:
            current = next((self.settings[r] for r in ("tags_any", "tags_all") if r in self.settings), None)
            value = current if isinstance(current, list) else _tags(self.condition_tags.text())
        self._store({rule: value}, "condition")

    def _tags_set(self) -> None:
        rule, _ = self.rule.currentData()
        if rule != "has":
            self._store({rule: _tags(self.condition_tags.text())}, "condition tags")

    def _variants(self) -> list[dict[str, Any]]:
        return copy.deepcopy(self.settings.get("variants") or [])

    def _variant_set(self, row: int, key: str, value: object) -> None:
        variants = self._variants()
        if row < len(variants) and variants[row].get(key) != value:
            variants[row][key] = value
            self._store({"variants": variants}, "variant")

    def _variant_added(self) -> None:
        variants = self._variants()
        names = {v.get("name") for v in variants}
        name = next(c for c in "ABCDEFGHIJ" if c not in names)
        variants.append({"name": name, "percent": max(0, 100 - sum(int(v.get("percent", 0)) for v in variants))})
        self._store({"variants": variants}, "variants: add one")

    def _variant_removed(self, row: int) -> None:
        variants = self._variants()
        if len(variants) > MIN_VARIANTS:
            del variants[row]
            self._store({"variants": variants}, "variants: remove one")
