"""Shared test setup: Qt runs headless, and every test gets a fixed workspace date."""

from __future__ import annotations

import os

# Before anything imports Qt: no screen here, in CI, or for a developer over ssh.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Before any test module builds its Hypothesis settings: the pinned profile (tests/budget.py).
import tests.budget  # noqa: F401
