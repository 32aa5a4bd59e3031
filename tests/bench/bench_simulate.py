"""Benchmark: ``automation-builder simulate FILE --json`` on a big scenario (SPEC §7).

Generates a scenario of 100,000 contacts, 20 sender profiles (daily limits 40–120)
and 60 days, with interactions, overrides and a timeline: start on day 0,
a profile added on day 10, one removed with "continue" on day 20, 5,000
contacts added on day 30. Then measures

- the command end to end as a user runs it, stdout to /dev/null (target < 5 s),
  with its peak RSS (getrusage of that child, via ``os.wait4``);
- the in-process phases ``load_scenario``, ``simulate`` and ``to_json`` apart,
  in a fresh interpreter each run, with its peak RSS and, in a separate run,
  the tracemalloc peak;
- one cProfile of the three phases, saved to tests/bench/out/simulate.prof and
  simulate_profile.txt (top 15 by cumulative time printed).

    .venv/bin/python tests/bench/bench_simulate.py [--contacts N] [--repeat 3] [--no-profile]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import pstats
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from benchlib import MIB, code_version, emit, fmt_seconds, machine, median, peak_rss_mib, run_phase

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
DAYS = 60
PROFILES = 20
INTERACTIONS = 20_000
OVERRIDES = 1_000
ADDED_ON_DAY_30 = 5_000
TARGET_SECONDS = 5.0
INDUSTRIES = ("fintech", "saas", "retail", "health", "logistics")
STEPS = [
    {"type": "linkedin_connect"},
    {"type": "wait", "days": 2},
    {"type": "linkedin_message"},
    {"type": "wait", "days": 3},
    {"type": "email"},
]


# The same automation as a tree (SPEC §10): a Wait for after the connect, a 3-way split on "no", all three rates.
TREE_STEPS = [
    {"type": "linkedin_connect"},
    {
        "type": "wait_for",
        "outcome": "accepted",
        "days": 5,
        "yes": [{"type": "linkedin_message"}, {"type": "wait", "days": 3}, {"type": "email"}],
        "no": [
            {
                "type": "split",
                "variants": [
                    {"name": "A", "percent": 34, "steps": [{"type": "email"}]},
                    {"name": "B", "percent": 33, "steps": [{"type": "wait", "days": 1}, {"type": "email"}]},
                    {"name": "C", "percent": 33, "steps": [{"type": "linkedin_message"}]},
                ],
            }
        ],
    },
]
TREE_RATES = {
    "accepted": {"rate": 0.3, "after_days": 2},
    "replied": {"rate": 0.08, "after_days": 1},
    "bounced": {"rate": 0.02, "after_days": 0},
}


# -- the scenario ---------------------------------------------------------------------------------


def contact(i: int) -> dict[str, Any]:
    return {
        "id": f"c{i:06d}",
        "name": f"Contact {i}",
        "email": f"contact{i}@example.test",
        "company": f"Company {i % 997}",
        "tags": ["lead", INDUSTRIES[i % len(INDUSTRIES)]],
    }


def make_scenario(contacts: int, seed: int = 7, tree: bool = False, limits: bool = False) -> dict[str, Any]:
    """The scenario as plain JSON values.

    Profiles p01–p19 are attached at the start, p20 joins on day 10 and p05
    drains from day 20. One override in ten names p20, which is not attachable
    yet when the automation starts (a warning, R2/R3 decide instead). With
    ``limits`` (SPEC §12) every profile also has limits per action per day
    (half its daily limit for each kind), a weekly limit of connection
    requests (three days' worth) and works Monday to Friday; the random
    numbers drawn are the same, so only the limits differ.
    """
    rng = random.Random(seed)
    profile_ids = [f"p{i:02d}" for i in range(1, PROFILES + 1)]
    profiles = [
        {"id": p, "name": f"Sender {p}", "daily_limit": rng.randint(40, 120), "weight": 2 if i % 7 == 0 else 1}
        for i, p in enumerate(profile_ids)
    ]
    if limits:
        for profile in profiles:
            half = max(profile["daily_limit"] // 2, 1)
            profile["limits"] = {"linkedin_connect": half, "linkedin_message": half, "email": half}
            profile["weekly_limits"] = {"linkedin_connect": 3 * profile["daily_limit"]}
            profile["working_days"] = [0, 1, 2, 3, 4]
    people = [contact(i) for i in range(contacts)]
    ids = [c["id"] for c in people]
    interactions = [
        {"contact": rng.choice(ids), "sender_profile": rng.choice(profile_ids), "day": -rng.randint(1, 365)}
        for _ in range(INTERACTIONS)
    ]
    overrides = [
        {"contact": c, "sender_profile": "p20" if rng.random() < 0.1 else rng.choice(profile_ids[:19])}
        for c in rng.sample(ids, min(OVERRIDES, len(ids)))
    ]
    newcomers = [contact(i) for i in range(contacts, contacts + ADDED_ON_DAY_30)]
    return {
        "sender_profiles": profiles,
        "contacts": people,
        "interactions": interactions,
        "overrides": overrides,
        "automation": {
            "name": "Bench outreach",
            "ignore_previous_interactions": False,
            "branches": [
                {
                    "id": "leads",
                    "segment": {"tags_any": ["lead"]},
                    "sender_profiles": profile_ids[:19],
                    "steps": TREE_STEPS if tree else STEPS,
                }
            ],
            **({"rates": TREE_RATES} if tree else {}),
        },
        "events": [
            {"day": 0, "type": "start"},
            # Newcomers of day 30 pinned ahead of time: R1 decides for them.
            {"day": 5, "type": "set_override", "contacts": [c["id"] for c in newcomers[:100]], "sender_profile": "p03"},
            {"day": 10, "type": "add_sender_profile", "branch": "leads", "sender_profile": "p20"},
            {
                "day": 20,
                "type": "remove_sender_profile",
                "branch": "leads",
                "sender_profile": "p05",
                "mode": "continue",
            },
            {"day": 30, "type": "add_contacts", "contacts": newcomers},
        ],
        "days": DAYS,
    }


# -- in-process phases (phase "inprocess" / "profile") ----------------------------------------------


def in_process(path: Path, trace: bool, gc_off: bool) -> dict[str, Any]:
    """load_scenario, simulate and to_json timed apart, in this fresh interpreter."""
    from builder.engine.report import to_json
    from builder.engine.scenario import load_scenario
    from builder.engine.simulation import simulate

    peaks: dict[str, float] = {}

    def traced_peak(phase: str) -> None:
        """With ``trace``: the phase's allocation peak (what was already live included), then reset."""
        if trace:
            peaks[phase] = tracemalloc.get_traced_memory()[1] / MIB
            tracemalloc.reset_peak()

    if trace:
        tracemalloc.start()
    if gc_off:
        gc.disable()
    t0 = time.perf_counter()
    scenario = load_scenario(path)
    t1 = time.perf_counter()
    traced_peak("load_scenario")
    t1 = time.perf_counter() if trace else t1
    result = simulate(scenario)
    t2 = time.perf_counter()
    traced_peak("simulate")
    t2 = time.perf_counter() if trace else t2
    text = to_json(result)
    t3 = time.perf_counter()
    traced_peak("to_json")
    gc.enable()
    tracemalloc.stop()
    statuses: dict[str, int] = {}
    for enrollment in result.enrollments:
        for task in enrollment.tasks:
            statuses[task.status.value] = statuses.get(task.status.value, 0) + 1
    return {
        "load_scenario_s": t1 - t0,
        "simulate_s": t2 - t1,
        "to_json_s": t3 - t2,
        "total_s": t3 - t0,
        "json_mib": len(text.encode()) / MIB,
        "assignments": len(result.enrollments),
        "tasks": sum(statuses.values()),
        "task_statuses": statuses,
        "warnings": len(result.warnings),
        "traced_peak_mib": max(peaks.values()) if peaks else None,
        "traced_phase_peaks_mib": peaks,
        **peak_rss_mib(),
    }


def json_choices(path: Path) -> dict[str, Any]:
    """Diagnostic: what to_json's two halves cost, and what the C encoder would cost instead.

    ``to_json`` is ``json.dumps(result_object(result), indent=1)``; with an
    indent, the json module falls back to its pure-Python encoder. The same
    object is dumped both ways, with the seconds and the tracemalloc peak of each.
    """
    from builder.engine.report import result_object
    from builder.engine.scenario import load_scenario
    from builder.engine.simulation import simulate

    result = simulate(load_scenario(path))
    out: dict[str, Any] = {}
    began = time.perf_counter()
    obj = result_object(result)
    out["result_object_s"] = time.perf_counter() - began
    for name, indent in (("dumps_indent_1", 1), ("dumps_compact", None)):
        began = time.perf_counter()
        text = json.dumps(obj, indent=indent, ensure_ascii=False)
        out[f"{name}_s"] = time.perf_counter() - began
        out[f"{name}_text_mib"] = len(text) / MIB
        del text
    tracemalloc.start()
    for name, indent in (("dumps_indent_1", 1), ("dumps_compact", None)):
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        json.dumps(obj, indent=indent, ensure_ascii=False)
        out[f"{name}_extra_peak_mib"] = (tracemalloc.get_traced_memory()[1] - base) / MIB
    obj = None
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    result_object(result)
    out["result_object_extra_peak_mib"] = (tracemalloc.get_traced_memory()[1] - base) / MIB
    tracemalloc.stop()
    return out


def profile(path: Path) -> dict[str, Any]:
    """cProfile of load_scenario + simulate + to_json, as ``simulate --json`` runs them."""
    from builder.engine.report import to_json
    from builder.engine.scenario import load_scenario
    from builder.engine.simulation import simulate

    def simulate_json() -> str:  # one root, so that cumulative percentages are of the whole command
        return to_json(simulate(load_scenario(path)))

    profiler = cProfile.Profile()
    began = time.perf_counter()
    profiler.enable()
    simulate_json()
    profiler.disable()
    seconds = time.perf_counter() - began
    OUT.mkdir(exist_ok=True)
    profiler.dump_stats(OUT / "simulate.prof")
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("cumulative").print_stats(30)
    stats.sort_stats("tottime").print_stats(20)
    (OUT / "simulate_profile.txt").write_text(text.getvalue())
    entries = stats.stats  # type: ignore[attr-defined]
    total = max(ct for _, _, _, ct, _ in entries.values())
    ranked = sorted(entries.items(), key=lambda item: item[1][3], reverse=True)[:15]
    top = [
        {
            "function": f"{Path(file).name}:{line}({name})",
            "calls": nc,
            "tottime_s": round(tt, 3),
            "cumtime_s": round(ct, 3),
            "cum_pct": round(100 * ct / total, 1),
        }
        for (file, line, name), (_, nc, tt, ct, _) in ranked
    ]
    return {"seconds_under_profile": seconds, "top": top}


# -- end to end ---------------------------------------------------------------------------------------


def command() -> list[str]:
    """The installed console script beside this interpreter, else ``python -m builder``."""
    script = Path(sys.executable).with_name("automation-builder")
    return [str(script)] if script.exists() else [sys.executable, "-m", "builder"]


def end_to_end(path: Path) -> dict[str, Any]:
    """``automation-builder simulate FILE --json > /dev/null``: wall time and that child's peak RSS."""
    with open(os.devnull, "wb") as devnull:
        began = time.perf_counter()
        child = subprocess.Popen([*command(), "simulate", str(path), "--json"], stdout=devnull)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - began
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"simulate exited with status {child.returncode}")
    return {"seconds": seconds, "ru_maxrss_mib": usage.ru_maxrss / 1024}


def startup() -> float:
    """Seconds for a fresh interpreter to import what ``simulate`` imports: the floor of any run."""
    modules = "builder.cli, builder.engine.report, builder.engine.scenario, builder.engine.simulation"
    began = time.perf_counter()
    subprocess.run([sys.executable, "-c", f"import {modules}"], check=True)
    return time.perf_counter() - began


def main_pairs(args: argparse.Namespace) -> None:
    """The tree against the linear run (issue 13: within 1.5x), end to end, in pairs run back to back.

    This machine is shared: its speed drifts by a third from minute to
    minute. A pair's two runs see nearly the same machine, so each pair's
    ratio, and their median, says more than two medians taken apart.
    """
    workdir = Path(tempfile.mkdtemp(prefix="bench-simulate-", dir=args.tmp))
    try:
        print(f"machine: {machine()}; code: {code_version()}")
        paths = {}
        for name, tree in (("linear", False), ("tree", True)):
            paths[name] = workdir / f"{name}.json"
            paths[name].write_text(json.dumps(make_scenario(args.contacts, tree=tree, limits=args.limits)))
        end_to_end(paths["linear"])  # a first run of each warms the file cache
        end_to_end(paths["tree"])
        pairs = []
        for run in range(args.pairs):
            linear, tree = end_to_end(paths["linear"])["seconds"], end_to_end(paths["tree"])["seconds"]
            pairs.append((linear, tree))
            print(f"  pair {run + 1}: linear {linear:.2f} s, tree {tree:.2f} s, ratio {tree / linear:.3f}", flush=True)
        linears, trees = [p[0] for p in pairs], [p[1] for p in pairs]
        ratios = sorted(t / lin for lin, t in pairs)
        print(f"\nlinear           {fmt_seconds(linears)}")
        print(f"tree             {fmt_seconds(trees)}")
        print(
            f"tree / linear    median of the pairs' ratios {median(ratios):.3f} (from {ratios[0]:.3f} to "
            f"{ratios[-1]:.3f}); ratio of the medians {median(trees) / median(linears):.3f} (target <= 1.5)"
        )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def main_run(args: argparse.Namespace) -> None:
    script = Path(__file__).resolve()
    workdir = Path(tempfile.mkdtemp(prefix="bench-simulate-", dir=args.tmp))
    path = workdir / "scenario.json"
    try:
        code = code_version()
        print(f"machine: {machine()}; code: {code}")
        began = time.perf_counter()
        path.write_text(json.dumps(make_scenario(args.contacts, tree=args.tree, limits=args.limits)))
        print(
            f"scenario: {args.contacts:,} contacts (+{ADDED_ON_DAY_30:,} on day 30), {PROFILES} profiles, "
            f"{DAYS} days, {path.stat().st_size / MIB:.1f} MiB, written in {time.perf_counter() - began:.1f} s",
            flush=True,
        )
        starts = [startup() for _ in range(args.repeat)]
        ends: list[dict[str, Any]] = []
        phases: list[dict[str, Any]] = []
        gc_offs: list[dict[str, Any]] = []
        for run in range(args.repeat):
            ends.append(end_to_end(path))
            phases.append(run_phase(script, ["--phase", "inprocess", "--scenario", str(path)]))
            gc_offs.append(run_phase(script, ["--phase", "inprocess", "--scenario", str(path), "--gc-off"]))
            p = phases[-1]
            print(
                f"  run {run + 1}: end to end {ends[-1]['seconds']:.2f} s (peak RSS {ends[-1]['ru_maxrss_mib']:,.0f} "
                f"MiB); in process load {p['load_scenario_s']:.2f} s, simulate {p['simulate_s']:.2f} s, "
                f"to_json {p['to_json_s']:.2f} s; collector off {gc_offs[-1]['total_s']:.2f} s",
                flush=True,
            )
        traced = run_phase(script, ["--phase", "inprocess", "--scenario", str(path), "--trace"])
        choices = run_phase(script, ["--phase", "json", "--scenario", str(path)])
        profiled = run_phase(script, ["--phase", "profile", "--scenario", str(path)]) if args.profile else None

        e2e = [r["seconds"] for r in ends]
        verdict = "met" if median(e2e) < TARGET_SECONDS else "MISSED"
        print()
        print(f"end to end       {fmt_seconds(e2e)}  (target < {TARGET_SECONDS:.0f} s: {verdict})")
        print(f"startup          {fmt_seconds(starts)} (interpreter + imports, no work)")
        for key in ("load_scenario_s", "simulate_s", "to_json_s", "total_s"):
            print(f"{key[:-2]:<16} {fmt_seconds([p[key] for p in phases])}")
        print(f"collector off    {fmt_seconds([p['total_s'] for p in gc_offs])} (in process, diagnostic)")
        first = phases[0]
        print(
            f"output           {first['assignments']:,} assignments, {first['tasks']:,} tasks "
            f"{first['task_statuses']}, {first['warnings']:,} warnings, {first['json_mib']:.0f} MiB of JSON"
        )
        print(
            f"peak RSS         end to end {median([r['ru_maxrss_mib'] for r in ends]):,.0f} MiB; in process "
            f"{median([p['vmhwm_mib'] for p in phases]):,.0f} MiB (VmHWM); tracemalloc peak "
            f"{traced['traced_peak_mib']:,.0f} MiB, by phase "
            + ", ".join(f"{k} {v:,.0f}" for k, v in traced["traced_phase_peaks_mib"].items())
        )
        print(
            f"to_json, apart  result_object {choices['result_object_s']:.2f} s "
            f"(+{choices['result_object_extra_peak_mib']:,.0f} MiB); json.dumps indent=1 (pure-Python encoder) "
            f"{choices['dumps_indent_1_s']:.2f} s (+{choices['dumps_indent_1_extra_peak_mib']:,.0f} MiB, "
            f"{choices['dumps_indent_1_text_mib']:.0f} MiB of text); the same object compact (C encoder) "
            f"{choices['dumps_compact_s']:.2f} s (+{choices['dumps_compact_extra_peak_mib']:,.0f} MiB, "
            f"{choices['dumps_compact_text_mib']:.0f} MiB of text)"
        )
        if profiled:
            print(
                f"\ncProfile of load + simulate + to_json ({profiled['seconds_under_profile']:.2f} s under the "
                "profiler), top 15 by cumulative time:"
            )
            for entry in profiled["top"]:
                print(
                    f"  {entry['cum_pct']:5.1f}%  cum {entry['cumtime_s']:7.3f} s  own {entry['tottime_s']:7.3f} s  "
                    f"{entry['calls']:>9,}  {entry['function']}"
                )
        if code_version() != code:
            print(f"\nWARNING: the code changed during the run (now {code_version()}); measure again")
        OUT.mkdir(exist_ok=True)
        (OUT / "simulate_results.json").write_text(
            json.dumps(
                {
                    "machine": machine(),
                    "code": code,
                    "contacts": args.contacts,
                    "startup_s": starts,
                    "end_to_end": ends,
                    "in_process": phases,
                    "in_process_gc_off": gc_offs,
                    "traced": traced,
                    "json_choices": choices,
                    "profile": profiled,
                },
                indent=1,
            )
        )
    finally:
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--tree", action="store_true", help="the automation as a tree: Wait for, 3-way split, rates")
    parser.add_argument(
        "--limits", action="store_true", help="SPEC §12: limits per action and per week, Monday to Friday"
    )
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (the median is reported)")
    parser.add_argument("--no-profile", dest="profile", action="store_false", help="skip the cProfile run")
    parser.add_argument("--keep", action="store_true", help="keep the generated scenario file")
    parser.add_argument("--tmp", default=None, help="where to put the scenario file (default: the system's)")
    parser.add_argument(
        "--pairs", type=int, default=0, help="instead: the tree against the linear run, this many pairs back to back"
    )
    # Internal: one measurement in this interpreter.
    parser.add_argument("--phase", choices=("inprocess", "profile", "json"), help=argparse.SUPPRESS)
    parser.add_argument("--scenario", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--gc-off", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase == "inprocess":
        emit(in_process(args.scenario, args.trace, args.gc_off))
    elif args.phase == "profile":
        emit(profile(args.scenario))
    elif args.phase == "json":
        emit(json_choices(args.scenario))
    elif args.pairs:
        main_pairs(args)
    else:
        main_run(args)


if __name__ == "__main__":
    main()
