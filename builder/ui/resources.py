"""Finding the app's icons and style sheet, from the source tree or a built app."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

from builder.engine.words import NodeKind


def resources_dir() -> Path:
    """``resources/`` beside the package, or inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    candidates = [Path(bundle) / "resources"] if bundle else []
    candidates.append(Path(__file__).resolve().parents[2] / "resources")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[-1]


@cache
def svg_renderer(name: str) -> QSvgRenderer:
    return QSvgRenderer(str(resources_dir() / "icons" / f"{name}.svg"))


def node_icon(kind: NodeKind) -> QIcon:
    return icon(kind.value)


@cache
def icon(name: str) -> QIcon:
    """An icon drawn from its SVG at a few sizes, sharp on any screen."""
    renderer = svg_renderer(name)
    result = QIcon()
    for side in (16, 24, 32, 48, 64, 128):
        pixmap = QPixmap(QSize(side, side))
        pixmap.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pixmap)
        renderer.render(painter)
        painter.end()
        result.addPixmap(pixmap)
    return result


def style_sheet() -> str:
    path = resources_dir() / "style.qss"
    return path.read_text(encoding="utf-8") if path.exists() else ""
