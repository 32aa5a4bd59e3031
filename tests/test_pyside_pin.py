"""Guards the PySide6 pin: 6.12.0 drops a reference to None on each Qt call that
returns nothing, and after a few thousand calls Python aborts with
``Fatal Python error: none_dealloc``."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, QPointF


def test_qt_calls_returning_nothing_keep_none_alive() -> None:
    point = QPointF()
    owner = QObject()
    before = sys.getrefcount(None)
    # 20,000 calls in batches, stopping at the first loss so that a broken
    # PySide6 fails this test instead of aborting the whole run.
    for batch in range(100):
        for i in range(100):
            point.setX(float(i))  # returns None
            owner.setObjectName("x")  # returns None
        lost = before - sys.getrefcount(None)
        assert lost < 50, f"None lost {lost} references after {(batch + 1) * 200:,} Qt calls"


def test_installed_pyside_is_within_the_pin() -> None:
    import PySide6

    major, minor = (int(part) for part in PySide6.__version__.split(".")[:2])
    assert (major, minor) == (6, 11), f"PySide6 {PySide6.__version__} is outside >=6.11,<6.12"
