"""Today's tasks (SPEC §5, §8 "Tasks", §12): each sender profile's plan within its limits, and what waits.

Below the plan, the due tasks left out of it, per profile and reason, each
reason naming the day the task may go ("weekly limit of connection requests
reached — next on Monday 7 December").

Marking a task done records the interaction and lets the next step fall due;
skipping moves the contact on without one. Both are work that happened, so
they are not undone like an edit. What the contact did in answer (SPEC §10:
accepted, replied, bounced) is recorded with the buttons on its row, each one
undoable step. A LinkedIn task is done by a person (SPEC §11): its row opens
the contact's LinkedIn profile in the browser and copies the message, filled
in for the contact, to paste there.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QGuiApplication, QUndoStack
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from builder.engine.words import NodeKind, Outcome
from builder.store.crm import SenderProfileInfo
from builder.store.daily_work import HeldTask, PlannedTask
from builder.store.database import WorkspaceError
from builder.store.email_queue import failing_tasks
from builder.store.step_messages import TaskMessage
from builder.store.workspace import Workspace
from builder.ui.canvas.items import em
from builder.ui.commands import push
from builder.ui.outcome_commands import OUTCOMES_FOR_KIND, RecordOutcomeCommand
from builder.ui.page import Page

TASK_ROLE = Qt.ItemDataRole.UserRole
HELD_SHOWN = 100  # contacts listed under one reason; the rest are counted


class TasksView(Page):
    follows = ("tasks", "enrollments", "automations", "today", "sender_profiles", "contacts", "outcomes")

    def __init__(
        self,
        workspace: Workspace,
        report: Callable[[str], None],
        parent: QWidget | None = None,
        undo_stack: QUndoStack | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("TasksView")
        self.workspace, self.report = workspace, report
        self.undo_stack = undo_stack if undo_stack is not None else QUndoStack(self)
        self.heading = QLabel()
        self.heading.setObjectName("tasksHeading")
        self.done_button = QPushButton("Mark done")
        self.done_button.setObjectName("markDoneButton")
        self.skip_button = QPushButton("Skip")
        self.skip_button.setObjectName("skipButton")
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.done_button)
        top.addWidget(self.skip_button)
        self.tree = QTreeWidget()
        self.tree.setObjectName("TasksTree")
        self.tree.setHeaderLabels(["Sender profile / contact", "Step", "Automation", "Due", "What they did"])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setRootIsDecorated(True)
        header = self.tree.header()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((26, 14, 22, 8)):
            self.tree.setColumnWidth(column, round(em() * width))
        self.empty = QLabel("Nothing is due today.")
        self.empty.setObjectName("hint")
        self.held_heading = QLabel()
        self.held_heading.setObjectName("heldHeading")
        self.held = QTreeWidget()
        self.held.setObjectName("HeldTasksTree")
        self.held.setHeaderLabels(["Sender profile / why / contact", "Step", "Automation", "Due"])
        self.held.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.held.header().setStretchLastSection(True)
        for column, width in enumerate((40, 14, 22)):
            self.held.setColumnWidth(column, round(em() * width))
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.tree, 2)
        layout.addWidget(self.empty)
        layout.addWidget(self.held_heading)
        layout.addWidget(self.held, 1)
        self.done_button.clicked.connect(lambda: self._finish(done=True))
        self.skip_button.clicked.connect(lambda: self._finish(done=False))
        self.tree.itemSelectionChanged.connect(self._selection_changed)
        self.tree.itemDoubleClicked.connect(lambda item, _column: self._finish(done=True, items=[item]))

    def refresh(self) -> None:
        try:
            plan = self.workspace.plan_today()
            held = self.workspace.held_today()
            done = self.workspace.done_today()
            failing = failing_tasks(self.workspace)  # emails the server refused: (attempts, its answer)
            profiles = {p.id: p for p in self.workspace.sender_profiles()}
        except WorkspaceError as error:
            self.report(str(error))
            return
        self.tree.clear()
        today = self.workspace.today
        self.heading.setText(f"<b>Today, {today.strftime('%A')} {today.day} {today.strftime('%B %Y')}</b>")
        for profile_id, profile in sorted(profiles.items(), key=lambda item: item[1].name.lower()):
            tasks = plan.get(profile_id, [])
            used = done.get(profile_id, 0)
            if not tasks and not used:
                continue
            top = QTreeWidgetItem(
                [f"{profile.name} — {len(tasks)} to do, {used} done of {profile.daily_limit} a day", "", "", ""]
            )
            top.setFlags(top.flags() & ~Qt.ItemFlag.ItemIsSelectable)
            for task in tasks:
                item = QTreeWidgetItem(
                    [task.contact_name, task.kind.label, task.automation_name, task.due.isoformat(), ""]
                )
                item.setData(0, TASK_ROLE, task.task_id)
                if task.task_id in failing:
                    attempts, answer = failing[task.task_id]
                    said = f"Not sent yet: tried {attempts} time{'s' if attempts != 1 else ''}; the server answered: {answer}"
                    item.setText(3, f"{task.due.isoformat()} ⚠ not sent")
                    for column in range(4):
                        item.setToolTip(column, said)
                top.addChild(item)
            self.tree.addTopLevelItem(top)
            top.setExpanded(True)
            linkedin = [t.task_id for t in tasks if t.kind in (NodeKind.LINKEDIN_CONNECT, NodeKind.LINKEDIN_MESSAGE)]
            messages = self.workspace.task_messages(linkedin) if linkedin else {}  # one read for the profile's plan
            for index, task in enumerate(tasks):
                self.tree.setItemWidget(top.child(index), 4, self._outcome_buttons(task, messages.get(task.task_id)))
        self.empty.setVisible(self.tree.topLevelItemCount() == 0)
        self._show_held(held, profiles)
        self._selection_changed()

    def _show_held(self, held: list[HeldTask], profiles: dict[int, SenderProfileInfo]) -> None:
        """The due tasks not in today's plan: per profile, per reason (with how many), then the contacts."""
        self.held.clear()
        by_profile: dict[int, dict[str, list[HeldTask]]] = {}
        for task in held:
            by_profile.setdefault(task.profile_id, {}).setdefault(task.reason, []).append(task)
        names = {pid: p.name for pid, p in profiles.items()}
        for profile_id in sorted(by_profile, key=lambda pid: names.get(pid, "").lower()):
            reasons = by_profile[profile_id]
            count = sum(len(tasks) for tasks in reasons.values())
            top = QTreeWidgetItem([f"{names.get(profile_id, '?')} — {count:,} due, not today", "", "", ""])
            for reason, tasks in reasons.items():
                group = QTreeWidgetItem([f"{reason} ({len(tasks):,})", "", "", ""])
                group.setToolTip(0, reason)
                for task in tasks[:HELD_SHOWN]:
                    row = QTreeWidgetItem(
                        [task.contact_name, task.kind.label, task.automation_name, task.due.isoformat()]
                    )
                    row.setToolTip(0, reason)
                    group.addChild(row)
                if len(tasks) > HELD_SHOWN:
                    group.addChild(QTreeWidgetItem([f"and {len(tasks) - HELD_SHOWN:,} more", "", "", ""]))
                top.addChild(group)
            self.held.addTopLevelItem(top)
            top.setExpanded(True)
        self.held_heading.setText(
            f"<b>Due but not today</b> — {len(held):,} task{'s' if len(held) != 1 else ''} wait for a limit or a working day"
            if held
            else ""
        )
        self.held_heading.setVisible(bool(held))
        self.held.setVisible(bool(held))

    def _outcome_buttons(self, task: PlannedTask, message: TaskMessage | None = None) -> QWidget:
        """Open profile and Copy message for a LinkedIn task; then Accepted / Replied / Bounced, as they fit."""
        row = QWidget()
        row.setObjectName("outcomeButtons")
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(round(em() * 0.3))
        if message is not None:  # a LinkedIn task: its message and the contact's profile
            self._linkedin_buttons(task, message, row, layout)
        for outcome in OUTCOMES_FOR_KIND.get(task.kind, ()):
            button = QPushButton(outcome.label, row)
            button.setObjectName(f"{outcome.value}Button")
            button.setToolTip(f"Record that {task.contact_name} {outcome.value} (undo with Ctrl+Z)")
            button.clicked.connect(lambda _checked=False, t=task, o=outcome: self.record_outcome(t, o))
            layout.addWidget(button)
        layout.addStretch(1)
        return row

    def _linkedin_buttons(self, task: PlannedTask, message: TaskMessage, row: QWidget, layout: QHBoxLayout) -> None:
        profile = QPushButton("Open profile", row)
        profile.setObjectName("openProfileButton")
        profile.setEnabled(message.linkedin_url is not None)
        profile.setToolTip(
            f"Open {task.contact_name}'s LinkedIn profile in the browser"
            if message.linkedin_url
            else f"{task.contact_name} has no LinkedIn profile in the CRM"
        )
        profile.clicked.connect(lambda _checked=False, m=message: self.open_profile(m))
        copy = QPushButton("Copy message", row)
        copy.setObjectName("copyMessageButton")
        copy.setEnabled(message.text is not None)
        copy.setToolTip(
            f"Copy the message, filled in for {task.contact_name}, to paste on LinkedIn"
            if message.text is not None
            else ("This connect has no note" if task.kind is NodeKind.LINKEDIN_CONNECT else "This step has no message")
        )
        copy.clicked.connect(lambda _checked=False, m=message: self.copy_message(m))
        layout.addWidget(profile)
        layout.addWidget(copy)

    def open_profile(self, message: TaskMessage) -> None:
        """The contact's LinkedIn profile in the browser (SPEC §11)."""
        if message.linkedin_url is None:
            self.report(f"{message.contact_name} has no LinkedIn profile in the CRM.")
            return
        if QDesktopServices.openUrl(QUrl.fromUserInput(message.linkedin_url)):
            self.report(f"Opened {message.contact_name}'s LinkedIn profile.")
        else:
            self.report(f"The browser did not open {message.linkedin_url}.")

    def copy_message(self, message: TaskMessage) -> None:
        """The message filled in for the contact, on the clipboard to paste on LinkedIn (SPEC §11)."""
        if message.text is None:
            self.report("This step has no message to copy.")
            return
        QGuiApplication.clipboard().setText(message.text)
        self.report(f"Copied the message for {message.contact_name}: paste it on LinkedIn, then mark the task done.")

    def record_outcome(self, task: PlannedTask, outcome: Outcome) -> None:
        """One undoable step: what the contact of this row did in answer (SPEC §10)."""
        command = RecordOutcomeCommand(
            self.workspace,
            outcome,
            contact_id=task.contact_id,
            automation_id=task.automation_id,
            contact_name=task.contact_name,
            automation_name=task.automation_name,
        )
        if push(self.undo_stack, command, self.report):
            self.report(f"{command.text()}.")

    def _selection_changed(self) -> None:
        chosen = bool(self._chosen())
        self.done_button.setEnabled(chosen)
        self.skip_button.setEnabled(chosen)

    def _chosen(self) -> list[int]:
        return [i.data(0, TASK_ROLE) for i in self.tree.selectedItems() if i.data(0, TASK_ROLE) is not None]

    def _finish(self, *, done: bool, items: list[QTreeWidgetItem] | None = None) -> None:
        tasks = [i.data(0, TASK_ROLE) for i in items if i.data(0, TASK_ROLE) is not None] if items else self._chosen()
        finished = 0
        for task in tasks:
            try:
                (self.workspace.mark_done if done else self.workspace.skip_task)(task)
                finished += 1
            except WorkspaceError as error:
                self.report(str(error))
                break
        if finished:
            self.report(f"{finished} task{'s' if finished != 1 else ''} {'done' if done else 'skipped'}.")
