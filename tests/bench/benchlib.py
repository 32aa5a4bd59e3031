"""Small helpers shared by the benchmark scripts (not a test module; pytest skips tests/bench).

Every measurement runs in its own interpreter (the script re-invokes itself
with ``--phase``), so that peak-memory figures belong to that measurement only.
A phase prints one JSON object on its last stdout line; :func:`run_phase` reads it.
"""

from __future__ import annotations

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

MIB = 1024 * 1024


def proc_status_kib(field: str) -> int:
    """A ``VmRSS``/``VmHWM`` style field of /proc/self/status, in KiB (0 where there is no /proc)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_now_mib() -> float:
    return proc_status_kib("VmRSS") / 1024


def peak_rss_mib() -> dict[str, float]:
    """Peak resident memory of this process: getrusage's ru_maxrss and the kernel's VmHWM.

    ru_maxrss is in KiB on Linux. VmHWM is the high-water mark of this process
    image only; ru_maxrss may also remember the image before exec, so the two
    are reported side by side.
    """
    return {
        "ru_maxrss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "vmhwm_mib": proc_status_kib("VmHWM") / 1024,
    }


def emit(result: dict[str, Any]) -> None:
    """What a phase hands back to the parent: one JSON line, last on stdout."""
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


def run_phase(script: Path, args: Sequence[str]) -> dict[str, Any]:
    """Run ``script --phase ...`` in a fresh interpreter and return its JSON result."""
    completed = subprocess.run(
        [sys.executable, str(script), *args], check=False, capture_output=True, text=True, env=os.environ.copy()
    )
    if completed.returncode != 0:
        sys.stderr.write(completed.stdout + completed.stderr)
        raise SystemExit(f"phase {' '.join(args)} failed with status {completed.returncode}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def machine() -> dict[str, str]:
    """nproc, the Python version and the CPU model, as the README reports them."""
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": str(os.cpu_count()),
        "python": platform.python_version(),
        "cpu": cpu,
        "sqlite": __import__("sqlite3").sqlite_version,
    }


def code_version() -> str:
    """The commit measured, and whether builder/ had uncommitted changes (others edit it meanwhile)."""
    root = Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "builder"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}{' with uncommitted changes in builder/' if dirty else ''}"


def fmt_seconds(values: Sequence[float]) -> str:
    return f"median {median(values):.2f} s  (runs: {', '.join(f'{v:.2f}' for v in values)})"
