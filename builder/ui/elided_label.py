"""A one-line label that never sets its window's width: the text is elided to fit, the whole of it in a tooltip.

The rule for every widget of the app: no text may set the window's minimum
size. Texts of unknown length (a status sentence, an automation's name, a
list of problems) either wrap or go in one of these.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFontMetricsF, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

SHOWN_AT_LEAST = 8  # characters before the ellipsis, however narrow the window
HINT_AT_MOST = 48  # characters the label asks for; a longer text is elided rather than widening the layout


class ElidedLabel(QLabel):
    """Plain text on one line; ``text()`` is the whole text, the screen shows what fits."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._whole = ""
        self.setTextFormat(Qt.TextFormat.PlainText)
        # Preferred: it asks for its text (up to HINT_AT_MOST) and shrinks to minimumSizeHint, never to nothing.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setText(text)

    def text(self) -> str:  # type: ignore[override]
        return self._whole

    def setText(self, text: str) -> None:  # type: ignore[override]
        self._whole = text
        self._fit()
        self.updateGeometry()

    def minimumSizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        margins = self.contentsMargins()
        width = metrics.horizontalAdvance("x" * SHOWN_AT_LEAST + "…") + margins.left() + margins.right()
        return QSize(width, metrics.height() + margins.top() + margins.bottom())

    def sizeHint(self) -> QSize:
        metrics = self.fontMetrics()
        margins = self.contentsMargins()
        # Whole pixels of a fractional advance, plus one: at exactly its advance a text may still be elided.
        text = math.ceil(QFontMetricsF(self.font()).horizontalAdvance(self._whole)) + 1
        wanted = min(text, metrics.averageCharWidth() * HINT_AT_MOST)
        frame = 2 * self.frameWidth() + 2 * self.margin()
        width = max(wanted + margins.left() + margins.right() + frame, self.minimumSizeHint().width())
        return QSize(width, metrics.height() + margins.top() + margins.bottom())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def is_elided(self) -> bool:
        return super().text() != self._whole

    def _fit(self) -> None:
        room = max(0, self.contentsRect().width())
        shown = self.fontMetrics().elidedText(self._whole, Qt.TextElideMode.ElideRight, room)
        super().setText(shown)
        self.setToolTip(self._whole if shown != self._whole else "")
