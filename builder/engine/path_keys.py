"""How a path run keeps its queues as plain integers (SPEC §5, §10): heaps and sorts of them compare in C.

A queued task, an arrival or a Wait for's timeout, and an outcome a rate
makes happen are each one integer whose high bits say when and whose low
bits say who and where, so ordering them is ordering numbers.
"""

from __future__ import annotations

from builder.engine.words import Outcome

# A queued task is one integer, ``due << DUE_SHIFT | order << POSITION_BITS | position``: a heap of such
# integers is in SPEC §5's order (oldest due, then enrollment order), and compares in C, not tuple by tuple.
# Shifts keep the order for a due day before 0 too (a saved run taken up), as Python's integers are signed.
POSITION_BITS = 16  # a contact's tasks on one path: fewer than 65,536
ORDER_BITS = 40  # enrollments in one run: fewer than a trillion
DUE_SHIFT = POSITION_BITS + ORDER_BITS
POSITION_MASK, ORDER_MASK = (1 << POSITION_BITS) - 1, (1 << ORDER_BITS) - 1
# An arrival or a timeout of a day is one integer too, ``order << MOMENT_SHIFT | node << 1 | is timeout``.
NODE_BITS = 24
MOMENT_SHIFT = NODE_BITS + 1
NODE_MASK = (1 << NODE_BITS) - 1
# An outcome a rate makes happen: ``done day << RATE_SHIFT | order << … | node << … | outcome``, sorted as
# (done day, order, node), as the walk met them.
OUTCOMES = tuple(Outcome)
OUTCOME_BITS = 3
OUTCOME_SHIFT = NODE_BITS + OUTCOME_BITS
RATE_SHIFT = ORDER_BITS + OUTCOME_SHIFT
