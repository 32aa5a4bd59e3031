"""Canvas benchmark: a valid automation of 500 and 2,000 nodes, built, opened and dragged.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_canvas.py [--nodes 500 2000] [--frames 40] [--repeat 3]

Measures, in one process, for each size:
- building the automation through the workspace (``add_node``, ``connect``,
  ``attach_sender_profile``: one transaction each, as the canvas does): branches
  of Segment → Sender Profile (one profile attached) → a chain of 23 steps, one
  branch a row; the automation has no problems (asserted);
- opening it: ``AutomationScene.show_automation``;
- dragging one card in the middle: each frame moves it a little (its
  connections follow) and repaints the whole viewport, at three zooms: the whole
  automation in view (``Canvas.fit_all``), the app's Fit (``Canvas.fit``, what
  the app opens at) and 100 %;
- the floor: a bare QGraphicsScene drawing the same texts and connections with
  plain items (a QGraphicsRectItem per card with QGraphicsSimpleTextItem title
  and summary lines, a QGraphicsPathItem per connection and arrow head), in a
  view of the same viewport size, transform and centre, one card moved per frame
  with its two connections following.

Both viewports are 1600 × 1000 pixels (asserted). Target: every frame within
2× its floor, measured in the same run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from itertools import pairwise
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QPointF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen, QUndoStack
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsItem,
    QGraphicsPathItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
)

from builder.store.workspace import Workspace
from tests.bench.benchlib import machine, peak_rss_mib

BRANCH = 25  # Segment, Sender Profile and 23 steps
STEPS = ["linkedin_connect", "wait", "linkedin_message", "wait", "email"]
VIEWPORT = QSize(1600, 1000)
TODAY = date(2026, 3, 2)


MESSAGES = {
    "linkedin_message": {"text": "Thanks for connecting, {{first_name|there}}."},
    "email": {"subject": "A question for {{company|your team}}", "text": "Hi {{first_name|there}}, …"},
}


def build_automation(ws: Workspace, nodes: int) -> int:
    """Branches of BRANCH nodes, one a row, each with a profile attached: valid to start."""
    assert nodes % BRANCH == 0, f"--nodes must be a multiple of {BRANCH}"
    segment = ws.create_segment("Everyone", tags_any=["bench"])
    profile = ws.create_sender_profile("Anna")
    automation = ws.create_automation("Big canvas")
    for row in range(nodes // BRANCH):
        y = row * 230.0
        chain = [
            ws.add_node(automation, "segment", segment_id=segment, x=0.0, y=y),
            ws.add_node(automation, "sender_profile", x=340.0, y=y),
        ]
        chain += [
            ws.add_node(automation, STEPS[i % len(STEPS)], x=(i + 2) * 340.0, y=y, wait_days=2)
            for i in range(BRANCH - 2)
        ]
        ws.attach_sender_profile(chain[1], profile)
        for source, target in pairwise(chain):
            ws.connect(source, target)
        for i, node in enumerate(chain[2:]):  # every message written (SPEC §11): nothing is asked for
            words = MESSAGES.get(STEPS[i % len(STEPS)])
            if words is not None:
                ws.set_node_settings(node, words)
    assert ws.problems(automation) == [], "the benchmark's automation is not valid"
    return automation


class FloorEdge:
    """A connection of the floor: its curve and head, redrawn when one of its cards moves."""

    def __init__(self, scene: QGraphicsScene, start: QPointF, end: QPointF, pen: QPen) -> None:
        self.start, self.end = start, end
        self.line = QGraphicsPathItem()
        self.line.setPen(pen)
        self.arrow = QGraphicsPathItem()
        self.arrow.setPen(QPen(Qt.PenStyle.NoPen))
        self.arrow.setBrush(pen.color())
        scene.addItem(self.line)
        scene.addItem(self.arrow)
        self.follow(QPointF(), QPointF())

    def follow(self, start_moved: QPointF, end_moved: QPointF) -> None:
        from builder.ui.canvas.items import connection_path, em

        start, end = self.start + start_moved, self.end + end_moved
        self.line.setPath(connection_path(start, end))
        unit = em()
        head = QPainterPath(end)
        head.lineTo(end + QPointF(-unit * 0.54, -unit * 0.27))
        head.lineTo(end + QPointF(-unit * 0.54, unit * 0.27))
        head.closeSubpath()
        self.arrow.setPath(head)


def floor_scene(
    app_scene: QGraphicsScene, font: QFont
) -> tuple[QGraphicsScene, dict[int, QGraphicsRectItem], dict[tuple[int, int], FloorEdge]]:
    """The same cards' texts and the same connections, as plain Qt items."""
    from builder.ui.canvas.items import EDGE, em

    scene = QGraphicsScene()
    scene.setSceneRect(app_scene.sceneRect())
    unit = em()
    title_font = QFont(font)
    title_font.setBold(True)
    body_font = QFont(font)
    body_font.setPointSizeF(font.pointSizeF() * 0.9)
    cards: dict[int, QGraphicsRectItem] = {}
    for node_id, item in app_scene.nodes.items():
        card = QGraphicsRectItem(item.card_rect())
        card.setBrush(QBrush(QColor("#ffffff")))
        card.setPen(QPen(QColor("#d5dae1"), unit * 0.07))
        card.setPos(item.pos())
        title = QGraphicsSimpleTextItem(item.title, card)
        title.setFont(title_font)
        title.setPos(unit * 2.3, unit * 0.4)
        for i, line in enumerate(item.lines or ["—"]):
            text = QGraphicsSimpleTextItem(line, card)
            text.setFont(body_font)
            text.setPos(unit * 0.75, unit * 2.1 + i * unit * 1.25)
        scene.addItem(card)
        cards[node_id] = card
    pen = QPen(QColor(EDGE), unit * 0.1)
    edges = {}
    for key, edge in app_scene.edges.items():
        assert edge.target.input_port is not None
        edges[key] = FloorEdge(scene, edge.source.output_port.scenePos(), edge.target.input_port.scenePos(), pen)
    return scene, cards, edges


def floor_mover(
    card: QGraphicsRectItem, node_id: int, edges: dict[tuple[int, int], FloorEdge]
) -> Callable[[int], None]:
    """As :func:`mover`, and the card's connections follow it, as the canvas's do."""
    move = mover(card)
    origin = card.pos()
    attached = [(edge, source == node_id, target == node_id) for (source, target), edge in edges.items()]
    attached = [a for a in attached if a[1] or a[2]]

    def frame(number: int) -> None:
        move(number)
        delta = card.pos() - origin
        for edge, from_it, to_it in attached:
            edge.follow(delta if from_it else QPointF(), delta if to_it else QPointF())

    return frame


def sized(view: QGraphicsView) -> None:
    """A viewport of exactly VIEWPORT, no scroll bars, shown."""
    view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    view.resize(VIEWPORT)
    view.show()
    QApplication.processEvents()
    view.resize(view.size() + VIEWPORT - view.viewport().size())
    QApplication.processEvents()
    assert view.viewport().size() == VIEWPORT, f"viewport is {view.viewport().size()}, not {VIEWPORT}"
    assert view.width() < VIEWPORT.width() + 100, f"window is {view.width()} px wide"


def mover(item: QGraphicsItem) -> Callable[[int], None]:
    """Frame ``f`` puts the item a little further along a diagonal, as a drag does."""
    origin = item.pos()
    return lambda frame: item.setPos(origin + QPointF(frame * 3.0, frame * 1.5))


def drag_frames(view: QGraphicsView, move: Callable[[int], None], frames: int) -> float:
    """Seconds per frame: move one item a little, repaint the whole viewport (after a warm-up paint)."""
    app = QApplication.instance()
    view.viewport().repaint()
    start = time.perf_counter()
    for frame in range(frames):
        move(frame)
        app.processEvents()
        view.viewport().repaint()
    return (time.perf_counter() - start) / frames


def one_run(folder: Path, nodes: int, frames: int, run: int) -> dict[str, float]:
    from builder.ui.canvas.editor import AutomationEditor
    from builder.ui.canvas.scene import AutomationScene
    from builder.ui.canvas.view import Canvas

    path = folder / f"canvas-{nodes}-{run}.sqlite"
    figures: dict[str, float] = {}
    with Workspace.open(path, today=TODAY) as ws:
        started = time.perf_counter()
        automation = build_automation(ws, nodes)
        figures["build"] = time.perf_counter() - started

    workspace = Workspace.open(path, today=TODAY)
    scene = AutomationScene(workspace)
    canvas = Canvas(AutomationEditor(workspace, QUndoStack(), scene))
    canvas.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    sized(canvas)
    started = time.perf_counter()
    scene.show_automation(automation)
    QApplication.processEvents()
    figures["open"] = time.perf_counter() - started
    assert len(scene.nodes) == nodes and len(scene.edges) == nodes - nodes // BRANCH

    bare_scene, cards, floor_edges = floor_scene(scene, canvas.font())
    bare = QGraphicsView(bare_scene)
    bare.setRenderHints(canvas.renderHints())
    sized(bare)

    middle_row = (nodes // BRANCH) // 2
    dragged = sorted(scene.nodes)[middle_row * BRANCH + BRANCH // 2]  # a step with two connections
    fit_all = getattr(canvas, "fit_all", canvas.fit)  # before issue 11, fit showed everything
    for name, place in (("whole", fit_all), ("fit", canvas.fit), ("100", lambda: canvas.set_zoom(1.0))):
        place()
        if name == "100":
            canvas.centerOn(scene.nodes[dragged])
        QApplication.processEvents()
        bare.setTransform(canvas.transform())
        bare.centerOn(canvas.mapToScene(canvas.viewport().rect().center()))
        QApplication.processEvents()
        figures[f"zoom_{name}"] = canvas.zoom()
        figures[f"ours_{name}"] = drag_frames(canvas, mover(scene.nodes[dragged]), frames)
        figures[f"floor_{name}"] = drag_frames(bare, floor_mover(cards[dragged], dragged, floor_edges), frames)
        home = scene.nodes[dragged].pos() - QPointF((frames - 1) * 3.0, (frames - 1) * 1.5)
        scene.nodes[dragged].setPos(home)  # both back where they started, for the next zoom
        cards[dragged].setPos(home)
        for edge in floor_edges.values():
            edge.follow(QPointF(), QPointF())
    bare.close()
    canvas.close()
    workspace.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--frames", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="bench-canvas-"))
    print(f"machine: {machine()}")
    print(f"viewport: {VIEWPORT.width()} x {VIEWPORT.height()} px (both views)")
    for nodes in args.nodes:
        runs = [one_run(folder, nodes, args.frames, run) for run in range(args.repeat)]

        def median(key: str, runs: list[dict[str, float]] = runs) -> float:
            return statistics.median(r[key] for r in runs)

        print(f"\n{nodes} nodes, {nodes - nodes // BRANCH} connections (median of {args.repeat})")
        builds = ", ".join(f"{r['build']:.2f}" for r in runs)
        print(f"  build through the workspace: {median('build'):.2f} s (runs: {builds})")
        print(f"  open (show_automation):      {median('open') * 1000:.0f} ms")
        for name, label in (("whole", "whole automation"), ("fit", "app's Fit"), ("100", "100 %")):
            ours, floor = median(f"ours_{name}"), median(f"floor_{name}")
            ratio = statistics.median(r[f"ours_{name}"] / r[f"floor_{name}"] for r in runs)
            print(
                f"  drag frame at {label} (zoom {median(f'zoom_{name}'):.2f}): canvas {ours * 1000:.2f} ms, "
                f"floor {floor * 1000:.2f} ms, ratio {ratio:.2f}x ({'met' if ratio <= 2 else 'MISSED'} <= 2x)"
            )
    print(f"\npeak RSS: {peak_rss_mib()}")
    del app


if __name__ == "__main__":
    main()
