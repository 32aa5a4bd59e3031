"""How hard the property tests try, pinned so that a run means the same thing every time.

``HYPOTHESIS_PROFILE=ci`` (the default, and what CI runs): derandomized — the
same examples on every run and every machine, so a failure is reproducible
and a pass is not luck. ``HYPOTHESIS_PROFILE=nightly``: random examples, ten
times as many (``examples(n)`` scales each test's own count), for a long run
by hand or on a schedule:

    HYPOTHESIS_PROFILE=nightly .venv/bin/python -m pytest tests/engine tests/store tests/test_fuzz.py
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile(
    "nightly", derandomize=False, deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow]
)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
if PROFILE not in ("ci", "nightly"):
    raise ValueError(f"HYPOTHESIS_PROFILE is '{PROFILE}'; use 'ci' or 'nightly'.")
settings.load_profile(PROFILE)


def examples(count: int) -> int:
    """A test's own number of examples, ten times over in the nightly profile."""
    return count * 10 if PROFILE == "nightly" else count
