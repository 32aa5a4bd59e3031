"""Start-up benchmark: the app's first frame, against a bare PySide6 window.

    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_startup.py [--repeat 5] [--contacts 200000]

Each measurement is one fresh interpreter, timed by this script from spawning
it to its end (or to the first frame it reports):

(a) floor: a bare PySide6 script that opens a QMainWindow with a label and
    grabs itself to a PNG;
(b) ``automation-builder --db DEMO.sqlite --screenshot x.png`` on a demo
    workspace made beforehand with ``build_demo``: the first full frame, the
    forecast included;
(c) a workspace of ``--contacts`` contacts with one automation over all of
    them, started: from spawning ``automation-builder --db BIG.sqlite`` to its
    first painted frame (the app reports the moment and exits when
    ``AUTOMATION_BUILDER_EXIT_AFTER_FIRST_FRAME`` is set).

Targets (not timed tests): (b) within 5x of (a); (c) under 1.5 s.
PYTHONDONTWRITEBYTECODE=1, if set, applies to every run: our own modules are
compiled each time, as on that machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import date
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.bench.benchlib import code_version, fmt_seconds, machine, median  # noqa: E402

TODAY = date(2026, 3, 2)
FLOOR = """
import sys
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication(sys.argv[:1])
window = QMainWindow()
window.setCentralWidget(QLabel("Automation Builder"))
window.resize(1600, 900)
window.show()
app.processEvents()
sys.exit(0 if window.grab().save(sys.argv[1]) else 1)
"""


def build_big(path: Path, contacts: int) -> None:
    """``contacts`` contacts tagged ``lead``, one segment over them, one started automation (20 profiles)."""
    from builder.store.workspace import Workspace

    with Workspace.open(path, today=TODAY) as ws:
        profiles = [ws.create_sender_profile(f"Sender {i + 1:02d}", daily_limit=40 + 4 * i) for i in range(20)]
        for first in range(0, contacts, 50_000):
            ws.add_contacts(
                [
                    {"name": f"Lead {i}", "email": f"lead{i}@example.test", "tags": ["lead", f"industry {i % 4}"]}
                    for i in range(first, min(first + 50_000, contacts))
                ]
            )
        segment = ws.create_segment("Leads", tags_any=["lead"])
        automation = ws.create_automation("Everyone")
        chain = [
            ws.add_node(automation, "segment", segment_id=segment),
            profile_node := ws.add_node(automation, "sender_profile"),
            ws.add_node(automation, "linkedin_connect"),
            ws.add_node(automation, "wait", wait_days=2),
            ws.add_node(automation, "email"),
        ]
        for source, target in pairwise(chain):
            ws.connect(source, target)
        for profile in profiles:
            ws.attach_sender_profile(profile_node, profile)
        ws.start(automation)


def build_demo_file(path: Path) -> None:
    from builder.store.demo import build_demo
    from builder.store.workspace import Workspace

    with Workspace.open(path) as ws:
        build_demo(ws)


def app_command() -> list[str]:
    script = Path(sys.executable).with_name("automation-builder")
    return [str(script)] if script.exists() else [sys.executable, "-m", "builder"]


def timed(command: list[str], env: dict[str, str] | None = None, first_frame: bool = False) -> float:
    """Seconds from spawning ``command`` to its end, or to the first frame it reports."""
    started_wall = time.time()
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env or os.environ.copy(), check=False)
    ended = time.perf_counter()
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{' '.join(command)} failed with status {done.returncode}")
    if not first_frame:
        return ended - started
    for line in done.stdout.splitlines():
        if line.startswith("first-frame "):
            return float(line.split()[1]) - started_wall
    raise SystemExit(f"{' '.join(command)} reported no first frame:\n{done.stdout}{done.stderr}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--contacts", type=int, default=200_000)
    args = parser.parse_args()
    if not os.environ.get("QT_QPA_PLATFORM"):
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
    print(f"code: {code_version()}; machine: {machine()}")
    print(f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '')}")
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as folder:
        work = Path(folder)
        demo, big, shot = work / "demo.sqlite", work / "big.sqlite", str(work / "x.png")
        t = time.perf_counter()
        build_demo_file(demo)
        build_big(big, args.contacts)
        print(f"built the demo and a {args.contacts:,}-contact workspace in {time.perf_counter() - t:.1f} s")
        floor_script = work / "floor.py"
        floor_script.write_text(FLOOR)
        first_frame_env = {**os.environ, "AUTOMATION_BUILDER_EXIT_AFTER_FIRST_FRAME": "1"}
        runs: dict[str, list[float]] = {"floor": [], "demo": [], "big": []}
        for _ in range(args.repeat):  # interleaved, so a noisy moment hits all three alike
            runs["floor"].append(timed([sys.executable, str(floor_script), shot]))
            runs["demo"].append(timed([*app_command(), "--db", str(demo), "--screenshot", shot]))
            runs["big"].append(timed([*app_command(), "--db", str(big)], first_frame_env, first_frame=True))
    floor = median(runs["floor"])
    print(f"(a) floor, bare PySide6 window grabbed to PNG:      {fmt_seconds(runs['floor'])}")
    print(f"(b) demo workspace to --screenshot, forecast drawn: {fmt_seconds(runs['demo'])}")
    print(f"    = {median(runs['demo']) / floor:.1f}x the floor (target: at most 5x)")
    print(f"(c) {args.contacts:,} contacts, started, to first frame: {fmt_seconds(runs['big'])} (target: under 1.5 s)")


if __name__ == "__main__":
    main()
