"""Canvas benchmark: a 500-node, 500-connection automation opened and dragged.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_canvas.py [--frames 60] [--repeat 3]

Measures, in one process and one run:
- opening the automation: ``AutomationScene.show_automation`` (reads nodes,
  connections and live summaries from the workspace and builds the items);
- dragging one card: each frame moves one node (its connections follow) and
  repaints the whole viewport; against the floor of a bare QGraphicsScene of
  500 plain rect items in a view of the same size, where one rect moves per
  frame. Target: at most 3x the floor.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtWidgets import QApplication, QGraphicsRectItem, QGraphicsScene, QGraphicsView

from builder.store.workspace import Workspace
from tests.bench.benchlib import machine, peak_rss_mib

NODES = 500
COLUMNS = 25


def build_workspace(path: Path) -> int:
    """500 step nodes in a 25 x 20 grid, chained, plus one extra connection: 500 edges."""
    with Workspace.open(path, today=date(2026, 3, 2)) as ws:
        automation = ws.create_automation("Big canvas")
    kinds = ["linkedin_connect", "wait", "linkedin_message", "wait", "email"]
    with sqlite3.connect(path) as raw:
        rows = [
            (
                i + 1,
                automation,
                kinds[i % len(kinds)],
                f"Step {i + 1}",
                (i % COLUMNS) * 330.0,
                (i // COLUMNS) * 200.0,
                None,
                1,
            )
            for i in range(NODES)
        ]
        raw.executemany(
            "INSERT INTO node (id, automation_id, kind, title, x, y, segment_id, wait_days) VALUES (?,?,?,?,?,?,?,?)",
            rows,
        )
        edges = [(automation, i, i + 1) for i in range(1, NODES)] + [(automation, 1, NODES)]
        raw.executemany("INSERT INTO edge (automation_id, source_id, target_id) VALUES (?,?,?)", edges)
    return automation


def mover(item) -> Callable[[int], None]:
    """Frame ``f`` puts the item a little further along a diagonal, as a drag does."""
    origin = item.pos()
    return lambda frame: item.setPos(origin + QPointF(frame * 3.0, frame * 1.5))


def drag_frames(view: QGraphicsView, move, frames: int) -> float:
    """Seconds per frame: move one item a little, repaint the whole viewport."""
    app = QApplication.instance()
    view.viewport().repaint()
    start = time.perf_counter()
    for frame in range(frames):
        move(frame)
        app.processEvents()
        view.viewport().repaint()
    return (time.perf_counter() - start) / frames


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--frames", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="bench-canvas-"))

    from builder.ui.main_window import MainWindow

    opens, ours, floors = [], [], []
    for _ in range(args.repeat):
        path = folder / f"canvas-{len(opens)}.sqlite"
        automation = build_workspace(path)
        workspace = Workspace.open(path, today=date(2026, 3, 2))
        window = MainWindow(workspace)
        window.resize(1440, 880)
        window.show()
        window.scene.show_automation(None)
        app.processEvents()
        started = time.perf_counter()
        window.scene.show_automation(automation)
        app.processEvents()
        opens.append(time.perf_counter() - started)
        assert len(window.scene.nodes) == NODES and len(window.scene.edges) == NODES

        canvas = window.canvas
        canvas.fit()
        app.processEvents()
        dragged = window.scene.nodes[COLUMNS * 10 + 12]  # a card in the middle, with two connections
        ours.append(drag_frames(canvas, mover(dragged), args.frames))

        scene = QGraphicsScene()
        rects = []
        for i in range(NODES):
            rect = QGraphicsRectItem(QRectF(0, 0, 250, 60))
            rect.setPos((i % COLUMNS) * 330.0, (i // COLUMNS) * 200.0)
            scene.addItem(rect)
            rects.append(rect)
        bare = QGraphicsView(scene)
        bare.resize(canvas.viewport().size())
        bare.show()
        bare.fitInView(scene.itemsBoundingRect())
        app.processEvents()
        floors.append(drag_frames(bare, mover(rects[COLUMNS * 10 + 12]), args.frames))
        bare.close()
        window.close()
        workspace.close()

    ratio = statistics.median(ours) / statistics.median(floors)
    print(f"machine: {machine()}")
    print(
        f"open 500-node automation: median {statistics.median(opens) * 1000:.0f} ms (runs: {', '.join(f'{o * 1000:.0f}' for o in opens)})"
    )
    print(f"drag frame, canvas:       median {statistics.median(ours) * 1000:.2f} ms")
    print(f"drag frame, bare scene:   median {statistics.median(floors) * 1000:.2f} ms")
    print(f"ratio: {ratio:.2f}x (target <= 3x: {'met' if ratio <= 3 else 'MISSED'})")
    print(f"peak RSS: {peak_rss_mib()}")


if __name__ == "__main__":
    main()
