"""A sender profile's name, channel, limits, working days and weight, for creating or editing it (SPEC §5, §12).

Limits per action are offered only for the actions the profile's channel
does. A new LinkedIn profile starts with the workspace's LinkedIn defaults,
and the tooltip says where those numbers come from. The values are checked
by the workspace's own rules before the dialog closes, so a bad value is a
sentence here and nothing is saved. An email profile also shows its
mailbox (SPEC §11, :mod:`builder.ui.dialogs.mailbox_settings`), saved when the
dialog is accepted, its password to the keyring; a new email profile's is made
with the profile, in the same undoable step.
"""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from builder.engine.limits import ACTION_PLURALS, WEEKDAY_NAMES
from builder.engine.words import DEFAULT_DAILY_LIMIT, DEFAULT_WEIGHT, Channel, NodeKind
from builder.store.crm import SenderProfileInfo
from builder.store.database import WorkspaceError
from builder.store.profile_limits import LINKEDIN_DEFAULTS, check_limits, check_working_days
from builder.ui.dialogs.mailbox_settings import MailboxSettings
from builder.ui.limits_text import CHANNEL_KINDS, KIND_ORDER, WEEKDAY_SHORT

NO_LIMIT = -1  # the spin boxes' lowest value, shown as "no limit"


def _limit_box(name: str, suffix: str) -> QSpinBox:
    box = QSpinBox()
    box.setObjectName(name)
    box.setRange(NO_LIMIT, 10_000)
    box.setSpecialValueText("no limit")
    box.setSuffix(suffix)
    box.setValue(NO_LIMIT)
    return box


class SenderProfileEditor(QDialog):
    def __init__(self, profile: SenderProfileInfo | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SenderProfileEditor")
        self.setWindowTitle(f"Edit {profile.name}" if profile else "New sender profile")
        self.creating = profile is None
        self.new_mailbox: dict[str, object] | None = None  # a new email profile's mailbox, checked on OK
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

        # Limits per action: a row per action kind, a day and a week (SPEC §12).
        self.per_action = QGroupBox("Limits per action")
        self.per_action.setObjectName("limitsPerAction")
        grid = QGridLayout(self.per_action)
        grid.addWidget(QLabel("a day"), 0, 1)
        grid.addWidget(QLabel("over any 7 days"), 0, 2)
        self.daily_boxes: dict[NodeKind, QSpinBox] = {}
        self.weekly_boxes: dict[NodeKind, QSpinBox] = {}
        self.kind_labels: dict[NodeKind, QLabel] = {}
        for row, kind in enumerate(KIND_ORDER, start=1):
            plural = ACTION_PLURALS[kind]
            label = QLabel(plural[:1].upper() + plural[1:])  # "LinkedIn messages", not "Linkedin messages"
            self.kind_labels[kind] = label
            self.daily_boxes[kind] = _limit_box(f"dailyLimit_{kind.value}", " a day")
            self.weekly_boxes[kind] = _limit_box(f"weeklyLimit_{kind.value}", " a week")
            grid.addWidget(label, row, 0)
            grid.addWidget(self.daily_boxes[kind], row, 1)
            grid.addWidget(self.weekly_boxes[kind], row, 2)

        self.days_box = QGroupBox("Working days")
        self.days_box.setObjectName("workingDays")
        days = QHBoxLayout(self.days_box)
        self.day_checks: list[QCheckBox] = []
        for number, short in enumerate(WEEKDAY_SHORT):
            check = QCheckBox(short)
            check.setObjectName(f"workingDay_{number}")
            check.setToolTip(WEEKDAY_NAMES[number])
            check.setChecked(True)
            self.day_checks.append(check)
            days.addWidget(check)

        if profile is not None:
            self._show_limits(profile.limits, profile.weekly_limits, profile.working_days)
        self.defaults_note = QLabel("")
        self.defaults_note.setObjectName("defaultsNote")
        self.defaults_note.setWordWrap(True)
        self.defaults_note.hide()
        self.problem = QLabel("")
        self.problem.setObjectName("profileProblem")
        self.problem.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Channel", self.channel)
        form.addRow("Daily limit", self.limit)
        form.addRow("Weight", self.weight)
        hint = QLabel(
            "The daily limit counts every automation's tasks together; a limit per action counts only that action "
            "(a week: this day and the six before). On days off the profile does nothing; waits still count "
            "every calendar day. The weight is this profile's share of new contacts in the even rotation (R3), "
            "where a branch does not set its own."
        )
        hint.setWordWrap(True)
        hint.setObjectName("hint")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.per_action)
        layout.addWidget(self.days_box)
        layout.addWidget(self.defaults_note)
        # The mailbox of an email profile, shown while the channel is email; the parent view's workspace keeps
        # it. A new profile's is made with the profile, in the same step; an existing one's is saved on OK.
        workspace = getattr(parent, "workspace", None)
        self.mailbox: MailboxSettings | None = None
        if workspace is not None and (profile is None or profile.channel is Channel.EMAIL):
            self.mailbox = MailboxSettings(workspace, profile.id if profile is not None else None, self)
            layout.addWidget(self.mailbox)
        layout.addWidget(hint)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.channel.currentIndexChanged.connect(self._channel_changed)
        self._channel_changed()

    def _show_limits(self, limits: Mapping[str, int], weekly: Mapping[str, int], working_days: tuple[int, ...]) -> None:
        for kind in KIND_ORDER:
            self.daily_boxes[kind].setValue(limits.get(kind.value, NO_LIMIT))
            self.weekly_boxes[kind].setValue(weekly.get(kind.value, NO_LIMIT))
        for number, check in enumerate(self.day_checks):
            check.setChecked(number in working_days)

    def _channel_changed(self) -> None:
        """Only the actions of the chosen channel; a new LinkedIn profile gets LinkedIn's usual limits."""
        channel = Channel(self.channel.currentData())
        used = CHANNEL_KINDS[channel]
        for kind in KIND_ORDER:
            for widget in (self.kind_labels[kind], self.daily_boxes[kind], self.weekly_boxes[kind]):
                widget.setVisible(kind in used)
        if self.mailbox is not None and self.mailbox.isHidden() == (channel is Channel.EMAIL):
            self.mailbox.setVisible(channel is Channel.EMAIL)
            if self.isVisible():  # room for the mailbox's rows, and none left over once it is hidden
                self.adjustSize()
        if not self.creating:
            return
        if channel is Channel.LINKEDIN:
            defaults = LINKEDIN_DEFAULTS
            self._show_limits(defaults.limits, defaults.weekly_limits, defaults.working_days)
            tip = f"Pre-filled for a new LinkedIn profile. {defaults.why}"
            self.defaults_note.setText(tip)
        else:
            self._show_limits({}, {}, tuple(range(7)))
            tip = ""
        self.defaults_note.setVisible(bool(tip))
        for widget in (self.per_action, self.days_box):
            widget.setToolTip(tip)

    def values(self) -> dict[str, object]:
        used = CHANNEL_KINDS[Channel(self.channel.currentData())]
        made_with = {"mailbox": self.new_mailbox} if self.creating and self.new_mailbox is not None else {}
        return made_with | {
            "name": self.name.text().strip(),
            "channel": self.channel.currentData(),
            "daily_limit": self.limit.value(),
            "weight": self.weight.value(),
            "limits": {k.value: self.daily_boxes[k].value() for k in used if self.daily_boxes[k].value() != NO_LIMIT},
            "weekly_limits": {
                k.value: self.weekly_boxes[k].value() for k in used if self.weekly_boxes[k].value() != NO_LIMIT
            },
            "working_days": tuple(n for n, check in enumerate(self.day_checks) if check.isChecked()),
        }

    def _accept(self) -> None:
        if not self.name.text().strip():
            self.problem.setText("A sender profile needs a name.")
            self.name.setFocus()
            return
        values = self.values()
        try:  # the workspace's own checks: a bad value is said here, and nothing is saved
            check_limits(values["limits"])  # type: ignore[arg-type]
            check_limits(values["weekly_limits"], weekly=True)  # type: ignore[arg-type]
            check_working_days(values["working_days"])  # type: ignore[arg-type]
        except WorkspaceError as error:
            self.problem.setText(str(error))
            return
        if self.mailbox is not None and Channel(self.channel.currentData()) is Channel.EMAIL:
            try:
                if self.creating:  # checked now, made with the profile (values()["mailbox"])
                    self.new_mailbox = self.mailbox.fields()
                else:
                    self.mailbox.save()
            except WorkspaceError as error:
                self.problem.setText(str(error))
                return
        self.accept()
