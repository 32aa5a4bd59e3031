"""An action step's message in the settings panel (SPEC §11): subject and text, variables, a live preview.

Typing is saved when the editor loses focus or after a short pause, one
undoable step each (not one per keystroke); the panel reloads from the
workspace's announcement. The preview is filled in as you type, for a
contact of the branch's segment you choose; beside it, how many contacts
lack each variable used (and what they get instead), and for a connect note
its length for that contact and how many contacts go over 300 characters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QUndoStack
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from builder.engine.messages import MAX_CONNECT_NOTE, VARIABLES, Slot, Template, TemplateError, contact_values
from builder.engine.node_settings import message_parts, message_problems
from builder.engine.words import NodeKind
from builder.store.database import WorkspaceError
from builder.store.loading import NodeRow
from builder.store.step_messages import MessageFacts
from builder.store.workspace import Workspace
from builder.ui.commands import SetNodeSettingsCommand, push

Report = Callable[[str], None]
IDLE_MS = 800  # a pause in typing this long saves the message

VARIABLE_WORDS = {
    "first_name": "first name",
    "last_name": "last name",
    "name": "name",
    "company": "company",
    "title": "job title",
    "sender_name": "sender's name",
    "sender_first_name": "sender's first name",
}


class MessageEditor(QWidget):
    """The message of a LinkedIn connect (an optional note), a LinkedIn message or an email."""

    def __init__(self, workspace: Workspace, stack: QUndoStack, report: Report, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageEditor")
        self.workspace, self.stack, self.report = workspace, stack, report
        self.node: NodeRow | None = None
        self.facts: MessageFacts | None = None
        self.subject = QLineEdit(self)
        self.subject.setObjectName("messageSubject")
        self.subject.setPlaceholderText("Subject, e.g. Quick question, {{first_name|there}}")
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("messageText")
        self.text.setMinimumHeight(self.fontMetrics().height() * 6)
        self.variables = QToolButton(self)
        self.variables.setObjectName("insertVariableButton")
        self.variables.setText("Insert variable")
        self.variables.setToolTip("Put a variable where the cursor is: it is filled in for each contact")
        self.variables.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.variables)
        for variable in VARIABLES:
            action = QAction(f"{VARIABLE_WORDS[variable].capitalize()}  {{{{{variable}}}}}", menu)
            action.setObjectName(f"insert_{variable}")
            action.triggered.connect(lambda _checked=False, v=variable: self.insert_variable(v))
            menu.addAction(action)
        self.variables.setMenu(menu)
        self.contact = QComboBox(self)
        self.contact.setObjectName("previewContact")
        self.contact.currentIndexChanged.connect(lambda _index: self._update_preview())
        self.preview = QLabel(self)
        self.preview.setObjectName("messagePreview")
        self.preview.setWordWrap(True)
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        self.preview.setStyleSheet("background: #f4f6f8; border-radius: 4px; padding: 6px")
        self.length = QLabel(self)
        self.length.setObjectName("noteLength")
        self.lacking = QLabel(self)
        self.lacking.setObjectName("messageLacking")
        self.problems = QLabel(self)
        self.problems.setObjectName("messageProblems")
        self.problems.setStyleSheet("color: #b3261e")
        for label in (self.preview, self.length, self.lacking, self.problems):
            label.setWordWrap(True)
        self.form = QFormLayout()
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.form.setContentsMargins(0, 0, 0, 0)
        self.form.addRow("Subject", self.subject)
        self.form.addRow("Message", self.text)
        self.form.addRow(self.variables)
        self.form.addRow("Preview for", self.contact)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(self.form)
        layout.addWidget(self.preview)
        layout.addWidget(self.length)
        layout.addWidget(self.lacking)
        layout.addWidget(self.problems)
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.setInterval(IDLE_MS)
        self.idle.timeout.connect(self.commit)
        self._last_editor: QLineEdit | QPlainTextEdit = self.text
        for editor in (self.subject, self.text):
            editor.installEventFilter(self)
        self.subject.textEdited.connect(self._typed)
        self.text.textChanged.connect(self._typed)
        self._loading = False

    # -- loading ------------------------------------------------------------------------------

    def load(self, node: NodeRow) -> None:
        """Show the node's message as stored; what is being typed and not saved yet is kept."""
        same_node = self.node is not None and self.node.id == node.id
        if not same_node:
            self.commit()  # the previous node's words are saved before it unloads
            self.idle.stop()
        self.node = node
        settings = node.settings or {}
        email = node.kind is NodeKind.EMAIL
        self.form.setRowVisible(0, email)
        self.form.labelForField(self.text).setText(  # type: ignore[union-attr]
            "Note (optional)" if node.kind is NodeKind.LINKEDIN_CONNECT else "Message"
        )
        self.text.setPlaceholderText(
            "Hi {{first_name|there}}, …"
            if node.kind is not NodeKind.LINKEDIN_CONNECT
            else f"Up to {MAX_CONNECT_NOTE} characters once filled in; leave empty to connect without a note"
        )
        if not (same_node and self.idle.isActive()):
            self._loading = True
            try:
                if self.subject.text() != (settings.get("subject") or ""):
                    self.subject.setText(settings.get("subject") or "")
                if self.text.toPlainText() != (settings.get("text") or ""):
                    self.text.setPlainText(settings.get("text") or "")
            finally:
                self._loading = False
        try:
            self.facts = self.workspace.message_facts(node.id)
        except WorkspaceError as error:
            self.facts = None
            self.report(str(error))
        chosen = self.contact.currentData() if same_node else None
        self.contact.blockSignals(True)
        self.contact.clear()
        for recipient in self.facts.contacts if self.facts else []:
            self.contact.addItem(recipient.name, recipient.id)
        self.contact.setCurrentIndex(max(self.contact.findData(chosen), 0) if chosen is not None else 0)
        self.contact.blockSignals(False)
        self.contact.setEnabled(self.contact.count() > 0)
        self._update_preview()

    # -- typing -------------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and watched in (self.subject, self.text):
            self._last_editor = watched  # type: ignore[assignment]
        elif event.type() == QEvent.Type.FocusOut and watched in (self.subject, self.text):
            self.commit()
        return super().eventFilter(watched, event)

    def _typed(self, *_args: object) -> None:
        if self._loading or self.node is None:
            return
        self.idle.start()
        self._update_preview()

    def insert_variable(self, variable: str) -> None:
        """Put ``{{variable}}`` at the cursor of the subject or text last typed in."""
        editor = self._last_editor if self.subject.isVisible() else self.text
        if isinstance(editor, QLineEdit):
            editor.insert(f"{{{{{variable}}}}}")
            self._typed()
        else:
            editor.textCursor().insertText(f"{{{{{variable}}}}}")
        editor.setFocus()

    def written(self) -> dict[str, Any]:
        """The node's settings with the message as it is in the editors now."""
        assert self.node is not None
        settings = dict(self.node.settings or {})
        for part, value in (("subject", self.subject.text()), ("text", self.text.toPlainText())):
            if part in message_parts(self.node.kind):
                if value:
                    settings[part] = value
                else:
                    settings.pop(part, None)
        return settings

    def commit(self) -> None:
        """Save what was typed, one undoable step; nothing when it is what is stored."""
        self.idle.stop()
        if self.node is None:
            return
        before = dict(self.node.settings or {})
        after = self.written()
        if after == before:
            return
        title = self.node.title
        what = "subject" if after.get("subject") != before.get("subject") else "message"
        command = SetNodeSettingsCommand(self.workspace, self.node.id, before, after, f"Edit the {what} of '{title}'")
        if push(self.stack, command, self.report):
            self.node.settings = after  # until the announcement reloads it

    # -- preview ------------------------------------------------------------------------------

    def _update_preview(self) -> None:
        if self.node is None:
            return
        kind = self.node.kind
        written = self.written()
        found = message_problems(kind, written, f"'{self.node.title}'")
        self.problems.setText("\n".join(message for _, message in found))
        self.problems.setVisible(bool(found))
        templates: dict[str, Template] = {}
        broken: set[str] = set()
        for part in message_parts(kind):
            try:
                templates[part] = Template.parse(written.get(part) or "")
            except TemplateError:
                broken.add(part)
        facts = self.facts
        index = self.contact.currentIndex()
        recipient = facts.contacts[index] if facts and 0 <= index < len(facts.contacts) else None
        values = contact_values(recipient, facts.sender_name) if recipient and facts else {}
        lines = []
        if "subject" in templates:
            lines.append(f"Subject: {templates['subject'].fill(values)}")
            lines.append("")
        note = templates.get("text")
        filled = note.fill(values) if note is not None else ""
        if "text" in broken:
            lines.append("(the preview shows once the variables are fixed)")
        else:
            lines.append(filled or ("(no note)" if kind is NodeKind.LINKEDIN_CONNECT else "(no message yet)"))
        self.preview.setText("\n".join(lines) if recipient is not None else "No contact in this segment to preview.")
        self.length.setVisible(kind is NodeKind.LINKEDIN_CONNECT)
        if kind is NodeKind.LINKEDIN_CONNECT:
            over = facts.over_limit if facts else 0
            self.length.setText(
                f"{len(filled)} of {MAX_CONNECT_NOTE} characters for this contact"
                + (f" · {over:,} contact{'s' if over != 1 else ''} go over {MAX_CONNECT_NOTE}" if over else "")
            )
        self.lacking.setText(self._lacking_words(templates.values()))

    def _lacking_words(self, templates: Any) -> str:
        """ "12 contacts have no company: they get 'your team'", for each contact variable used."""
        if self.facts is None:
            return ""
        fallbacks: dict[str, str] = {}
        for template in templates:
            for part in template.parts:
                if isinstance(part, Slot):
                    fallbacks.setdefault(part.variable, part.fallback)
        lines = []
        for variable, fallback in fallbacks.items():
            count = self.facts.lacking.get(variable)
            if not count:
                continue
            who = f"{count:,} contact{'s have' if count != 1 else ' has'} no {VARIABLE_WORDS[variable]}"
            lines.append(f"{who}: they get '{fallback}'." if fallback else f"{who}: it is left empty.")
        return "\n".join(lines)
