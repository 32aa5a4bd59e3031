"""Choosing sender profiles for a branch: search, tick several, or create one on the spot."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from builder.engine.words import Channel
from builder.store.crm import SenderProfileInfo
from builder.store.database import WorkspaceError
from builder.store.workspace import Workspace


class SenderProfilePicker(QDialog):
    """Lists the workspace's profiles not active in this branch; ``chosen`` holds the ticked ids."""

    preview_requested = Signal(list)  # the ticked ids: show "what if they joined" in the pane

    def __init__(self, workspace: Workspace, exclude: set[int], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SenderProfilePicker")
        self.setWindowTitle("Add sender profiles")
        self.workspace = workspace
        self.exclude = exclude
        self.chosen: list[int] = []
        self.search = QLineEdit(self)
        self.search.setObjectName("profileSearch")
        self.search.setPlaceholderText("Search sender profiles")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._filter)
        self.list = QListWidget(self)
        self.list.setObjectName("profileChoices")

        new_box = QGroupBox("Or create a new sender profile", self)
        self.new_name = QLineEdit(new_box)
        self.new_name.setObjectName("newProfileName")
        self.new_name.setPlaceholderText("Name, e.g. Anna Berg")
        self.new_channel = QComboBox(new_box)
        self.new_channel.setObjectName("newProfileChannel")
        for channel in Channel:
            self.new_channel.addItem(channel.label, channel.value)
        self.new_limit = QSpinBox(new_box)
        self.new_limit.setObjectName("newProfileLimit")
        self.new_limit.setRange(0, 10_000)
        self.new_limit.setValue(50)
        self.create_button = QPushButton("Create and tick", new_box)
        self.create_button.setObjectName("createProfileButton")
        self.create_button.clicked.connect(self._create)
        form = QFormLayout(new_box)
        form.addRow("Name", self.new_name)
        form.addRow("Channel", self.new_channel)
        form.addRow("Daily limit", self.new_limit)
        form.addRow("", self.create_button)

        self.error = QLabel(self)
        self.error.setObjectName("pickerError")
        self.error.setStyleSheet("color: #b42318")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Add")
        self.ok_button.setObjectName("addChosenProfilesButton")
        self.preview_button = buttons.addButton("Preview", QDialogButtonBox.ButtonRole.ActionRole)
        self.preview_button.setObjectName("previewProfilesButton")
        self.preview_button.setToolTip("Show in the simulation pane how contacts would spread with these profiles")
        self.preview_button.clicked.connect(lambda: self.preview_requested.emit(self.ticked()))
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.list)
        layout.addWidget(new_box)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._fill()

    def _fill(self, tick: set[int] = frozenset()) -> None:
        ticked = {pid for pid in self.ticked()} | set(tick)
        self.list.clear()
        for profile in self.workspace.sender_profiles():
            if profile.id in self.exclude:
                continue
            item = QListWidgetItem(self._label(profile))
            item.setData(Qt.ItemDataRole.UserRole, profile.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if profile.id in ticked else Qt.CheckState.Unchecked)
            self.list.addItem(item)
        self._filter(self.search.text())

    @staticmethod
    def _label(profile: SenderProfileInfo) -> str:
        return f"{profile.name} — {profile.channel.label}, {profile.daily_limit} a day"

    def _filter(self, text: str) -> None:
        needle = text.strip().lower()
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setHidden(bool(needle) and needle not in item.text().lower())

    def item_for(self, name: str) -> QListWidgetItem:
        for row in range(self.list.count()):
            if self.list.item(row).text().startswith(f"{name} —"):
                return self.list.item(row)
        raise KeyError(name)

    def ticked(self) -> list[int]:
        return [
            int(self.list.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.list.count())
            if self.list.item(row).checkState() == Qt.CheckState.Checked
        ]

    def _create(self) -> None:
        try:
            profile = self.workspace.create_sender_profile(
                self.new_name.text(), self.new_channel.currentData(), self.new_limit.value()
            )
        except WorkspaceError as error:
            self.error.setText(str(error))
            return
        self.error.clear()
        self.new_name.clear()
        self._fill(tick={profile})

    def _accept(self) -> None:
        self.chosen = self.ticked()
        if not self.chosen:
            self.error.setText("Tick at least one sender profile, or Cancel.")
            return
        self.accept()
