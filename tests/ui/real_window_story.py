"""A new user's first minutes, in a real window under X, with a real mouse (xdotool).

Run by ``tests/ui/test_real_window.py`` inside an Xvfb display of 1600×1000;
not collected by pytest itself. The window is the app's own (``open_window``,
the same code ``automation-builder`` runs); the pointer is X's, moved and
clicked by ``xdotool``, so Qt's own drag loop, hit testing and popups all
take part. The story:

1. the empty workspace's welcome; **Load the demo**;
2. a click on the Founders' Sender Profile card opens its settings;
3. ✕ on Mark Ruiz's row, then *Continue* in the removal dialog;
4. **New** automation; Segment, Sender Profile and LinkedIn connect dragged
   from the palette onto the canvas, then connected port to port;
5. a Wait for, a LinkedIn message and an Email dragged in; the panel closed
   (Esc), everything shown (Ctrl+0); LinkedIn connect → Wait for, then its
   Yes to the message and its No to the email; Ctrl+L lays the tree out.

Between 1 and 2: away to Today's tasks and back (the canvas shows what it
showed), then the pointer middle-drags the demo's canvas to its tree (the
Wait for "Accepted?" and the A/B split), the README's picture, and back.

After every step no control may be off the screen: the window fits the
screen, and every visible button, field and list lies inside it.
Screenshots (``import -window root``) go to the folder given. Exits 0 when
the story held, 1 with a sentence on stderr when it did not.

    python tests/ui/real_window_story.py WORKSPACE.sqlite SHOTS_FOLDER
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from PySide6.QtCore import QAbstractAnimation, QPoint, QRect, QRectF, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QComboBox,
    QGraphicsItem,
    QLineEdit,
    QWidget,
)

from builder.engine.words import NodeKind
from builder.ui.app import application, open_window
from builder.ui.main_window import MainWindow

TODAY = date(2026, 3, 2)
README_SHOT = "02-tree"  # the demo's tree and its forecast: the README's screenshot (the window alone)
STEP_TIMEOUT = 20.0  # seconds a step may take before the story is called broken


class StoryFailed(Exception):
    """A step did not come about: the sentence says which."""


@dataclass
class Wait:
    """Wait, with the event loop running, until ``done()`` holds."""

    what: str
    done: Callable[[], bool]


@dataclass
class Hand:
    """Move and click the real pointer: one ``xdotool`` command line."""

    what: str
    args: list[str]


Step = Wait | Hand


def centre(widget: QWidget, rect: QRect | None = None) -> QPoint:
    """A widget's (or a rect inside it's) centre on the screen."""
    local = (rect or widget.rect()).center()
    return widget.mapToGlobal(local)


def move_to(point: QPoint) -> list[str]:
    """Move the pointer there and wait until X says it is there.

    ``--sync`` waits for the pointer to move, for seconds if it is there already:
    so it first steps one pixel aside.
    """
    return ["mousemove", str(point.x() + 1), str(point.y()), "mousemove", "--sync", str(point.x()), str(point.y())]


def click_at(point: QPoint) -> list[str]:
    return [*move_to(point), "click", "1"]


def drag_path(start: QPoint, end: QPoint, steps: int = 12, button: int = 1) -> list[str]:
    """Press, move in small steps (a hand's pace), release."""
    args = [*move_to(start), "mousedown", str(button)]
    for i in range(1, steps + 1):
        x = round(start.x() + (end.x() - start.x()) * i / steps)
        y = round(start.y() + (end.y() - start.y()) * i / steps)
        args += ["mousemove", "--sync", str(x), str(y), "sleep", "0.03"]
    return [*args, "sleep", "0.1", "mouseup", str(button)]


def keys_at(point: QPoint, *keys: str) -> list[str]:
    """Keys typed with the pointer over ``point`` (no window manager: the focus follows the pointer)."""
    return [*move_to(point), "key", *keys]


def off_screen_controls(window: MainWindow) -> list[str]:
    """Controls a person cannot reach: outside the screen, or the window itself too big for it."""
    screen = window.screen().geometry()
    problems = []
    if not screen.contains(window.frameGeometry()):
        problems.append(f"the window {window.frameGeometry().getRect()} is larger than the screen {screen.getRect()}")
    minimum = window.minimumSizeHint()
    if minimum.width() > screen.width() or minimum.height() > screen.height():
        problems.append(f"the window's minimum size {minimum.width()}×{minimum.height()} exceeds the screen")
    for widget in window.findChildren(QWidget):
        if not isinstance(widget, QAbstractButton | QComboBox | QLineEdit) or not widget.isVisible():
            continue
        if _inside_scroll_area(widget):
            continue  # a table's row may be scrolled away on purpose
        rect = QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())
        if not screen.contains(rect.center()):
            problems.append(
                f"'{widget.objectName() or widget.text() if hasattr(widget, 'text') else ''}' is off screen"
            )
    return problems


def _inside_scroll_area(widget: QWidget) -> bool:
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and parent.viewport().isAncestorOf(widget):
            return True
        parent = parent.parentWidget()
    return False


def story(window: MainWindow, shots: Path) -> Iterator[Step | str]:
    """The steps; a plain string names a screenshot to take."""
    workspace = window.workspace
    yield Wait("the window to be shown", lambda: window.isVisible() and window.empty.isVisible())
    yield "01-welcome"

    demo_button = window.empty.demo_button
    yield Hand("click 'Load the demo'", click_at(centre(demo_button)))
    yield Wait("the demo automation on the canvas", lambda: len(window.scene.nodes) > 4)
    yield Wait("the forecast", lambda: not window.simulation.worker.busy and not window.simulation.debounce.isActive())
    yield Wait("the cards' counts", window.scene.counted)
    yield "02-demo"

    team = next(item for item in window.scene.nodes.values() if item.title == "Founders: team")
    view = window.canvas

    def team_on_screen() -> QPoint:
        return view.viewport().mapToGlobal(view.mapFromScene(team.sceneBoundingRect().center()))

    # Away to Today's tasks and back: the canvas shows what it showed (Qt resizes a page while away).
    corner = view.mapToScene(QPoint(0, 0))
    tabs = window.pages.tabBar()
    yield Hand("click the 'Today's tasks' tab", click_at(centre(tabs, tabs.tabRect(2))))
    yield Wait("Today's tasks", lambda: not view.isVisible() and window.pages.currentIndex() == 2)
    yield Hand("click the 'Automations' tab", click_at(centre(tabs, tabs.tabRect(0))))
    yield Wait(
        "the canvas where it was",
        lambda: view.isVisible() and (view.mapToScene(QPoint(0, 0)) - corner).manhattanLength() < 1,
    )

    # The middle button drags the view to the Founders' tree: from the Wait for "Accepted?" on.
    tree = _tree_bounds(window, "Accepted?")
    viewport = view.viewport()
    shown = view.mapFromScene(tree.topLeft())
    wanted = QPoint(round(viewport.width() * 0.03), round((viewport.height() - tree.height() * view.zoom()) / 2))
    grab = QPoint(round(viewport.width() * 0.9), round(viewport.height() * 0.5))
    pan = wanted - shown
    yield Hand(
        "middle-drag the canvas to the Founders' tree",
        drag_path(viewport.mapToGlobal(grab), viewport.mapToGlobal(grab + pan), button=2),
    )
    yield Wait("the tree in view", lambda: _in_view(view, _tree_bounds(window, "Accepted?")))
    yield README_SHOT
    yield Hand(
        "middle-drag the canvas back to the start",
        drag_path(viewport.mapToGlobal(grab + pan), viewport.mapToGlobal(grab), button=2),
    )
    yield Wait("the team card in view", lambda: _in_view(view, team.sceneBoundingRect()))

    yield Hand("click the 'Founders: team' card", click_at(team_on_screen()))
    yield Wait("its settings in the panel", lambda: window.settings.isVisible() and window.slide.open)
    yield Wait(
        "the panel to finish sliding",
        lambda: window.settings.width() > 100 and window.slide.animation.state() != QAbstractAnimation.State.Running,
    )
    yield "03-card-settings"

    mark = next(p for p in workspace.sender_profiles() if p.name == "Mark Ruiz")
    remove = window.settings.findChild(QAbstractButton, f"removeProfileButton_{mark.id}")
    if remove is None:
        raise StoryFailed("Mark Ruiz's row has no remove button in the settings panel")
    yield Hand("click ✕ on Mark Ruiz's row", click_at(centre(remove)))
    yield Wait("the removal dialog", lambda: _dialog() is not None)
    dialog = _dialog()
    yield Wait("the dialog to be shown", lambda: dialog.isVisible())
    yield "04-remove-dialog"
    continue_button = dialog.findChild(QAbstractButton, "continueTasksButton")
    yield Hand("click 'Continue Mark Ruiz's tasks'", click_at(centre(continue_button)))
    yield Wait("the dialog to close", lambda: _dialog() is None)
    yield Wait(
        "Mark Ruiz to be draining",
        lambda: any(a.name == "Mark Ruiz" and a.state.value == "draining" for a in _team_rows(window, team.node_id)),
    )
    yield "05-continued"

    new_button = window.automations.new_button
    demo_id = window.scene.automation_id
    yield Hand("click 'New' automation", click_at(centre(new_button)))
    yield Wait("an empty canvas", lambda: window.scene.automation_id != demo_id and not window.scene.nodes)

    targets = {
        NodeKind.SEGMENT: (0.2, 0.35),
        NodeKind.SENDER_PROFILE: (0.45, 0.35),
        NodeKind.LINKEDIN_CONNECT: (0.7, 0.35),
    }
    for count, (kind, (fx, fy)) in enumerate(targets.items(), start=1):
        palette = window.palette
        item = palette.item_for(kind)
        start = palette.viewport().mapToGlobal(palette.visualItemRect(item).center())
        viewport = view.viewport()
        end = viewport.mapToGlobal(QPoint(round(viewport.width() * fx), round(viewport.height() * fy)))
        yield Hand(f"drag {kind.label} from the palette onto the canvas", drag_path(start, end))
        yield Wait(f"{kind.label} on the canvas", lambda count=count: len(window.scene.nodes) == count)
    yield "06-three-cards"

    def card(kind: NodeKind):
        return next(item for item in window.scene.nodes.values() if item.kind is kind)

    def port(item, output: bool) -> QPoint:
        port_item = item.output_port if output else item.input_port
        return view.viewport().mapToGlobal(view.mapFromScene(port_item.scenePos()))

    pairs = [(NodeKind.SEGMENT, NodeKind.SENDER_PROFILE), (NodeKind.SENDER_PROFILE, NodeKind.LINKEDIN_CONNECT)]
    for count, (source, target) in enumerate(pairs, start=1):
        yield Hand(
            f"connect {source.label} to {target.label}",
            drag_path(port(card(source), True), port(card(target), False)),
        )
        yield Wait(
            f"connection {count}",
            lambda count=count, automation=window.scene.automation_id: len(workspace.edges(automation)) == count,
        )
    yield Wait(
        "the forecast pane to follow",
        lambda: not window.simulation.worker.busy and not window.simulation.debounce.isActive(),
    )
    yield "07-connected"

    # A path that reacts: a Wait for with both outputs connected (SPEC §10).
    settled = Wait(
        "the panel and the view to settle",
        lambda: window.slide.animation.state() != QAbstractAnimation.State.Running,
    )
    branches = {
        NodeKind.WAIT_FOR: (0.25, 0.8),
        NodeKind.LINKEDIN_MESSAGE: (0.55, 0.65),
        NodeKind.EMAIL: (0.55, 0.9),
    }
    for count, (kind, (fx, fy)) in enumerate(branches.items(), start=4):
        yield settled
        palette = window.palette
        start = palette.viewport().mapToGlobal(palette.visualItemRect(palette.item_for(kind)).center())
        viewport = view.viewport()
        end = viewport.mapToGlobal(QPoint(round(viewport.width() * fx), round(viewport.height() * fy)))
        yield Hand(f"drag {kind.label} from the palette onto the canvas", drag_path(start, end))
        yield Wait(f"{kind.label} on the canvas", lambda count=count: len(window.scene.nodes) == count)
    yield settled
    middle = view.viewport().mapToGlobal(view.viewport().rect().center())
    yield Hand("close the panel (Esc)", keys_at(middle, "Escape"))
    yield Wait(
        "the panel to slide out",
        lambda: not window.slide.open and window.slide.animation.state() != QAbstractAnimation.State.Running,
    )
    yield Hand("show every card (Ctrl+0)", keys_at(middle, "ctrl+0"))
    yield Wait(
        "every card in view",
        lambda: all(_in_view(view, item.sceneBoundingRect()) for item in window.scene.nodes.values()),
    )
    yield "08-six-cards"

    wait_for = card(NodeKind.WAIT_FOR)
    links = [
        ("connect LinkedIn connect to Wait for", card(NodeKind.LINKEDIN_CONNECT).output_port, wait_for, None),
        (
            "connect the Wait for's Yes to LinkedIn message",
            wait_for.output_ports["yes"],
            card(NodeKind.LINKEDIN_MESSAGE),
            "yes",
        ),
        ("connect the Wait for's No to Email", wait_for.output_ports["no"], card(NodeKind.EMAIL), "no"),
    ]
    automation = window.scene.automation_id
    for count, (what, source_port, target, output) in enumerate(links, start=3):
        yield settled
        start = view.viewport().mapToGlobal(view.mapFromScene(source_port.scenePos()))
        yield Hand(what, drag_path(start, port(target, False)))
        yield Wait(
            f"connection {count}{f' from {output}' if output else ''}",
            lambda count=count, output=output: (
                len(workspace.edges(automation)) == count
                and (output is None or any(o == output for _s, _t, o in workspace.edges_with_outputs(automation)))
            ),
        )
    yield settled
    yield Hand("lay the tree out (Ctrl+L)", keys_at(middle, "ctrl+l"))
    yield Wait("a tree from left to right, the Yes step above the No step", lambda: _laid_out(card))
    yield Hand("show every card (Ctrl+0)", keys_at(middle, "ctrl+0"))
    yield Wait(
        "the forecast pane to follow",
        lambda: not window.simulation.worker.busy and not window.simulation.debounce.isActive(),
    )
    yield "09-wait-for-connected"


def _laid_out(card: Callable[[NodeKind], QGraphicsItem]) -> bool:
    connect, wait_for = card(NodeKind.LINKEDIN_CONNECT), card(NodeKind.WAIT_FOR)
    yes, no = card(NodeKind.LINKEDIN_MESSAGE), card(NodeKind.EMAIL)
    return connect.x() < wait_for.x() < yes.x() == no.x() and yes.y() < no.y()


def _tree_bounds(window: MainWindow, title: str) -> QRectF:
    """The scene rect of the card titled ``title`` and every card after it."""
    automation = window.scene.automation_id
    by_title = {item.title: item for item in window.scene.nodes.values()}
    after: dict[int, list[int]] = {}
    for source, target in window.workspace.edges(automation):
        after.setdefault(source, []).append(target)
    todo, bounds = [by_title[title].node_id], QRectF()
    while todo:
        node_id = todo.pop()
        bounds = bounds.united(window.scene.nodes[node_id].sceneBoundingRect())
        todo.extend(after.get(node_id, []))
    return bounds


def _in_view(view, rect: QRectF) -> bool:
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    return shown.contains(rect)


def _dialog() -> QWidget | None:
    widget = QApplication.activeModalWidget()
    return widget if widget is not None and widget.objectName() == "RemoveProfileDialog" else None


def _team_rows(window: MainWindow, node_id: int):
    return window.workspace.attachments(node_id)


class Driver:
    """Runs the story from a timer, so it goes on inside dialogs' and drags' own event loops."""

    def __init__(self, window: MainWindow, shots: Path) -> None:
        self.window = window
        self.shots = shots
        self.steps = story(window, shots)
        self.current: Step | None = None
        self.hand: subprocess.Popen | None = None
        self.deadline = 0.0
        self.failure: str | None = None
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self.tick)

    def tick(self) -> None:
        try:
            self._advance()
        except StopIteration:
            self.finish(None)
        except StoryFailed as error:
            self.finish(str(error))
        except Exception as error:  # the story's own bug: say it, don't hang
            self.finish(f"the story broke: {error!r}")

    def _advance(self) -> None:
        if self.hand is not None:
            if self.hand.poll() is None:
                return
            if self.hand.returncode != 0:
                raise StoryFailed(f"xdotool failed while trying to {self.current.what}")
            self.hand = None
        if isinstance(self.current, Wait) and not self.current.done():
            if time.monotonic() > self.deadline:
                raise StoryFailed(f"waited {STEP_TIMEOUT:.0f} s for {self.current.what}")
            return
        if self.current is not None:
            problems = off_screen_controls(self.window)
            if problems:
                raise StoryFailed(f"after '{self.current.what}': " + "; ".join(problems))
        step = next(self.steps)
        while isinstance(step, str):
            self.screenshot(step)
            step = next(self.steps)
        self.current = step
        self.deadline = time.monotonic() + STEP_TIMEOUT
        print(f"- {step.what}", flush=True)
        if isinstance(step, Hand):
            self.hand = subprocess.Popen(["xdotool", *step.args])

    def screenshot(self, name: str) -> None:
        QApplication.processEvents()
        path = self.shots / f"real-window-{name}.png"
        subprocess.run(["import", "-window", "root", str(path)], check=True)
        if name == README_SHOT:  # the window alone, as the README shows it
            window = str(int(self.window.winId()))
            subprocess.run(["import", "-window", window, str(self.shots / "readme-screenshot.png")], check=True)

    def finish(self, failure: str | None) -> None:
        self.timer.stop()
        self.failure = failure
        if failure is not None:
            self.screenshot("failed")
        QApplication.exit(0 if failure is None else 1)


def main(argv: list[str]) -> int:
    workspace_path, shots = argv[1], Path(argv[2])
    shots.mkdir(parents=True, exist_ok=True)
    # A new user: no remembered window layout or panel width (Qt reads its settings folder from here).
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="first-hour-settings-")
    app = application()
    window = open_window(workspace_path, TODAY, demo=False)
    driver = Driver(window, shots)
    driver.timer.start()
    app.exec()
    window.close()
    window.workspace.close()
    if driver.failure is not None:
        print(f"The story did not hold: {driver.failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
