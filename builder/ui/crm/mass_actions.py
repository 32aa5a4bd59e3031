"""The Mass Actions panel (SPEC §8 "CRM"): the selection's sender profile override and tags."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from builder.store.database import WorkspaceError
from builder.store.workspace import Workspace
from builder.ui.commands import push
from builder.ui.crm.commands import MassOverrideCommand, MassTagCommand

# Above this many selected contacts the panel does not count ahead; the counts come with the action.
PREVIEW_LIMIT = 50_000


class MassActionsPanel(QWidget):
    applied = Signal()

    def __init__(
        self,
        workspace: Workspace,
        undo_stack: QUndoStack,
        selection: Callable[[], list[int]],
        report: Callable[[str], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("MassActionsPanel")
        self.workspace, self.undo_stack, self.selection, self.report = workspace, undo_stack, selection, report
        self.count = QLabel("No contacts selected.")
        self.count.setObjectName("selectionCount")
        self.count.setWordWrap(True)

        profile_box = QGroupBox("Sender Profile")
        self.profiles = QComboBox()
        self.profiles.setObjectName("overrideProfile")
        # A long profile name is clipped in the box (whole in the list), never widening the window.
        self.profiles.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.profiles.setMinimumContentsLength(14)
        self.set_button = QPushButton("Set")
        self.set_button.setObjectName("setOverrideButton")
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("clearOverrideButton")
        self.override_preview = QLabel("")
        self.override_preview.setObjectName("overridePreview")
        self.override_preview.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.set_button)
        buttons.addWidget(self.clear_button)
        explain = QLabel("Pinned contacts go to this sender profile when they enroll (rule R1).")
        explain.setWordWrap(True)
        explain.setObjectName("hint")
        box = QVBoxLayout(profile_box)
        box.addWidget(explain)
        box.addWidget(self.profiles)
        box.addLayout(buttons)
        box.addWidget(self.override_preview)

        tag_box = QGroupBox("Tags")
        self.tag = QLineEdit()
        self.tag.setObjectName("massTag")
        self.tag.setPlaceholderText("a tag, e.g. q3-founders")
        self.add_tag_button = QPushButton("Add tag")
        self.add_tag_button.setObjectName("addTagButton")
        self.remove_tag_button = QPushButton("Remove tag")
        self.remove_tag_button.setObjectName("removeTagButton")
        self.tag_preview = QLabel("")
        self.tag_preview.setObjectName("tagPreview")
        self.tag_preview.setWordWrap(True)
        tag_buttons = QHBoxLayout()
        tag_buttons.addWidget(self.add_tag_button)
        tag_buttons.addWidget(self.remove_tag_button)
        tag_layout = QFormLayout(tag_box)
        tag_layout.addRow(self.tag)
        tag_layout.addRow(tag_buttons)
        tag_layout.addRow(self.tag_preview)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<b>Mass Actions</b>"))
        layout.addWidget(self.count)
        layout.addWidget(profile_box)
        layout.addWidget(tag_box)
        layout.addStretch(1)

        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(120)
        self._preview_timer.timeout.connect(self._update_preview)
        self.set_button.clicked.connect(lambda: self._override(self.profiles.currentData()))
        self.clear_button.clicked.connect(lambda: self._override(None))
        self.add_tag_button.clicked.connect(lambda: self._tag(add=True))
        self.remove_tag_button.clicked.connect(lambda: self._tag(add=False))
        self.profiles.currentIndexChanged.connect(lambda _i: self._preview_timer.start())
        self.tag.textChanged.connect(lambda _t: self._preview_timer.start())
        self.tag.returnPressed.connect(lambda: self._tag(add=True))
        self.reload_choices()
        self.selection_changed()

    def reload_choices(self) -> None:
        """The workspace's sender profiles and tags, after they changed."""
        current = self.profiles.currentData()
        self.profiles.blockSignals(True)
        self.profiles.clear()
        for profile in self.workspace.sender_profiles():
            self.profiles.addItem(f"{profile.name} ({profile.channel.label})", profile.id)
            self.profiles.setItemData(self.profiles.count() - 1, profile.name, Qt.ItemDataRole.ToolTipRole)
        found = self.profiles.findData(current)
        self.profiles.setCurrentIndex(found if found >= 0 else 0)
        self.profiles.blockSignals(False)
        completer = QCompleter([name for _, name in self.workspace.tags()], self.tag)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.tag.setCompleter(completer)

    def selection_changed(self) -> None:
        count = len(self.selection())
        self.count.setText(
            f"{count:,} contact{'s' if count != 1 else ''} selected." if count else "No contacts selected."
        )
        for button in (self.set_button, self.clear_button, self.add_tag_button, self.remove_tag_button):
            button.setEnabled(count > 0)
        self.set_button.setEnabled(count > 0 and self.profiles.count() > 0)
        self._preview_timer.start()

    def _update_preview(self) -> None:
        ids = self.selection()
        if not ids:
            self.override_preview.clear()
            self.tag_preview.clear()
            return
        if len(ids) > PREVIEW_LIMIT:
            self.override_preview.setText("The counts come when you apply (a large selection).")
            self.tag_preview.clear()
            return
        try:
            profile = self.profiles.currentData()
            if profile is not None:
                name = self.profiles.currentText().rsplit(" (", 1)[0]
                self.override_preview.setText(
                    self.workspace.preview_override(ids, profile).sentence(f"would be pinned to {name}")
                )
            tag = self.tag.text().strip()
            self.tag_preview.setText(
                self.workspace.preview_tag(ids, tag, add=True).sentence(f"would get '{tag}'") if tag else ""
            )
        except WorkspaceError as error:
            self.override_preview.setText(str(error))

    def _override(self, profile_id: int | None) -> None:
        ids = self.selection()
        if not ids:
            return
        name = self.profiles.currentText().rsplit(" (", 1)[0] if profile_id is not None else ""
        try:
            preview = self.workspace.preview_override(ids, profile_id)
        except WorkspaceError as error:
            self.report(str(error))
            return
        if push(self.undo_stack, MassOverrideCommand(self.workspace, ids, profile_id, name), self.report):
            verb = f"pinned to {name}" if profile_id is not None else "no longer pinned"
            self.report(preview.sentence(f"are now {verb}"))
            self.applied.emit()

    def _tag(self, *, add: bool) -> None:
        ids, tag = self.selection(), self.tag.text().strip()
        if not ids:
            return
        if not tag:
            self.report("Type the tag first.")
            self.tag.setFocus()
            return
        try:
            preview = self.workspace.preview_tag(ids, tag, add=add)
        except WorkspaceError as error:
            self.report(str(error))
            return
        if push(self.undo_stack, MassTagCommand(self.workspace, ids, tag, add=add), self.report):
            self.report(preview.sentence(f"now {'have' if add else 'no longer have'} '{tag}'"))
            self.applied.emit()
