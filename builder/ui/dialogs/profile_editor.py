"""A sender profile's name, channel, daily limit and weight, for creating or editing it."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from builder.engine.words import DEFAULT_DAILY_LIMIT, DEFAULT_WEIGHT, Channel
from builder.store.crm import SenderProfileInfo


class SenderProfileEditor(QDialog):
    def __init__(self, profile: SenderProfileInfo | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SenderProfileEditor")
        self.setWindowTitle(f"Edit {profile.name}" if profile else "New sender profile")
        self.name = QLineEdit(profile.name if profile else "")
        self.name.setObjectName("profileName")
        self.name.setPlaceholderText("e.g. Anna Berg")
        self.channel = QComboBox()
        self.channel.setObjectName("profileChannel")
        for channel in Channel:
            self.channel.addItem(channel.label, channel.value)
        if profile:
            self.channel.setCurrentIndex(self.channel.findData(profile.channel.value))
        self.limit = QSpinBox()
        self.limit.setObjectName("profileDailyLimit")
        self.limit.setRange(0, 10_000)
        self.limit.setValue(profile.daily_limit if profile else DEFAULT_DAILY_LIMIT)
        self.limit.setSuffix(" tasks a day")
        self.weight = QSpinBox()
        self.weight.setObjectName("profileWeight")
        self.weight.setRange(1, 100)
        self.weight.setValue(profile.weight if profile else DEFAULT_WEIGHT)
        self.problem = QLabel("")
        self.problem.setObjectName("profileProblem")
        self.problem.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Channel", self.channel)
        form.addRow("Daily limit", self.limit)
        form.addRow("Weight", self.weight)
        hint = QLabel(
            "The daily limit counts every automation's tasks together. The weight is this profile's share of "
            "new contacts in the even rotation (R3), where a branch does not set its own."
        )
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(hint)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def values(self) -> dict[str, object]:
        return {
            "name": self.name.text().strip(),
            "channel": self.channel.currentData(),
            "daily_limit": self.limit.value(),
            "weight": self.weight.value(),
        }

    def _accept(self) -> None:
        if not self.name.text().strip():
            self.problem.setText("A sender profile needs a name.")
            self.name.setFocus()
            return
        self.accept()
