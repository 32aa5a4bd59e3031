"""Check that a screenshot is a real picture of the app, not a blank or broken file (used by .ci/run).

QT_QPA_PLATFORM=offscreen .venv/bin/python tools/check_screenshot.py shot.png
"""

from __future__ import annotations

import sys

from PySide6.QtGui import QGuiApplication, QImage


def main(path: str) -> int:
    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    image = QImage(path)
    if image.isNull():
        print(f"{path}: not an image", file=sys.stderr)
        return 1
    if image.width() < 800 or image.height() < 500:
        print(f"{path}: only {image.width()}x{image.height()}", file=sys.stderr)
        return 1
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7) for y in range(0, image.height(), 7)}
    if len(colours) < 50:
        print(f"{path}: {len(colours)} colours, which is not a picture of the app", file=sys.stderr)
        return 1
    print(f"{path}: {image.width()}x{image.height()}, {len(colours)} colours")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1]))
