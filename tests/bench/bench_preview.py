"""Simulation pane benchmark: the preview of a big segment, against reading its rows.

    .venv/bin/python tests/bench/bench_preview.py [--contacts 100000] [--repeat 3]

The preview is what the pane computes off the GUI thread: the automation as a
scenario (``Workspace.scenario_for``), checked (``parse_scenario``) and run by
the engine (``outlook``), 60 days. The floor, in the same run: plain sqlite3
reading the same rows (contacts, their tags, interactions, overrides, sender
profiles) from the same file. Target: at most 3x. Also timed: 10,000 contacts.
"""

from __future__ import annotations

import argparse
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from builder.engine.bulk import collector_paused
from builder.engine.preview import outlook
from builder.store.workspace import Workspace
from tests.bench.benchlib import machine, peak_rss_mib

TODAY = date(2026, 3, 2)


def build(path: Path, contacts: int) -> int:
    rng = random.Random(11)
    with Workspace.open(path, today=TODAY) as ws:
        profiles = [ws.create_sender_profile(f"Profile {i:02d}", daily_limit=rng.randint(40, 120)) for i in range(20)]
        industries = ["saas", "fintech", "ai", "health"]
        for start in range(0, contacts, 50_000):
            ws.add_contacts(
                [
                    {"name": f"Lead {i}", "tags": ["lead", rng.choice(industries)]}
                    for i in range(start, min(contacts, start + 50_000))
                ]
            )
        ws.set_override(rng.sample(range(1, contacts + 1), contacts // 50), profiles[3])
        segment = ws.create_segment("Leads", tags_any=["lead"])
        automation = ws.create_automation("Big preview")
        seg = ws.add_node(automation, "segment", segment_id=segment)
        node = ws.add_node(automation, "sender_profile")
        steps = [
            ws.add_node(automation, k, wait_days=d)
            for k, d in (("linkedin_connect", 0), ("wait", 2), ("linkedin_message", 0), ("wait", 3), ("email", 0))
        ]
        for a, b in zip([seg, node, *steps], [node, *steps], strict=False):
            ws.connect(a, b)
        for profile in profiles:
            ws.attach_sender_profile(node, profile)
    today = TODAY.toordinal()
    with sqlite3.connect(path) as raw:
        raw.executemany(
            "INSERT INTO interaction (contact_id, sender_profile_id, day) VALUES (?, ?, ?)",
            [(rng.randint(1, contacts), rng.randint(1, 20), today - rng.randint(1, 365)) for _ in range(contacts // 2)],
        )
    return automation


def floor(path: Path) -> float:
    started = time.perf_counter()
    raw = sqlite3.connect(path)
    for sql in (
        "SELECT id, name, channel, daily_limit, weight FROM sender_profile",
        "SELECT id, name FROM contact ORDER BY id",
        "SELECT contact_id, tag_id FROM contact_tag ORDER BY contact_id, tag_id",
        "SELECT id, name FROM tag",
        "SELECT contact_id, sender_profile_id, day FROM interaction ORDER BY id",
        "SELECT contact_id, sender_profile_id FROM override",
    ):
        raw.execute(sql).fetchall()
    raw.close()
    return time.perf_counter() - started


def preview(path: Path, automation: int) -> tuple[float, int]:
    with Workspace.open(path, today=TODAY) as ws:
        started = time.perf_counter()
        with collector_paused():
            result = outlook(ws.scenario_model(automation, days=60))
        return time.perf_counter() - started, sum(p.contacts for p in result.profiles)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-preview-"))
    print(f"machine: {machine()}")
    for contacts in dict.fromkeys((args.contacts, 10_000)):  # --contacts 10000: measured once, not built twice
        path = folder / f"preview-{contacts}.sqlite"
        automation = build(path, contacts)
        ours, floors = [], []
        for _ in range(args.repeat):
            floors.append(floor(path))
            seconds, enrolled = preview(path, automation)
            assert enrolled == contacts, enrolled
            ours.append(seconds)
        ratio = statistics.median(ours) / statistics.median(floors)
        print(
            f"{contacts:>7,} contacts: preview median {statistics.median(ours):.2f} s (runs {', '.join(f'{o:.2f}' for o in ours)}); "
            f"floor {statistics.median(floors):.3f} s; ratio {ratio:.1f}x"
        )
    print(f"peak RSS: {peak_rss_mib()}")


if __name__ == "__main__":
    main()
