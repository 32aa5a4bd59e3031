"""Round numbers for the charts' axes: ticks at 0, 100, 200 … or day 0, 10, 20 …, never 102 or 29."""

from __future__ import annotations

import math

STEPS = (1, 2, 5, 10)


def nice_step(top: float, ticks: int = 5) -> int:
    """The round step (1, 2 or 5 times a power of ten) that splits 0…``top`` into about ``ticks`` parts."""
    rough = max(float(top), 1.0) / max(1, ticks)
    magnitude = 10 ** math.floor(math.log10(rough))
    for multiple in STEPS:
        if multiple * magnitude >= rough:
            return max(1, round(multiple * magnitude))
    return max(1, round(10 * magnitude))  # not reached: 10 × magnitude is always enough


def nice_range(top: float, ticks: int = 5) -> tuple[int, int]:
    """An axis from 0 to a multiple of its step that holds ``top``, and that step: ``(end, step)``."""
    step = nice_step(top, ticks)
    return max(step, math.ceil(max(float(top), 0.0) / step) * step), step
