"""load-scenario and save-scenario as a user runs them (SPEC §7, issue 13): real processes, exit codes, output.

A scenario whose events are all on day 0, loaded into a workspace and saved
again, gives the same ``simulate --json`` output; the saved file names contacts
and sender profiles by the workspace's ids (``c1``, ``p1``), so those are read
back to the scenario's ids before comparing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path("/work/shared/examples")
if not EXAMPLES.exists():  # a clone without the shared folder: the repository's copies of the same files
    EXAMPLES = Path(__file__).parents[1] / "resources" / "examples"
LINEAR = ["01-even-history-override", "02-profile-added-mid-run", "03-remove-continue-then-waiting"]
TODAY = "2026-03-02"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "builder", *args], capture_output=True, text=True, timeout=120, check=False
    )


def simulated(path: Path) -> dict:
    done = run("simulate", str(path), "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def renamed(value: object, names: dict[str, str]) -> object:
    if isinstance(value, dict):
        return {names.get(k, k): renamed(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [renamed(v, names) for v in value]
    return names.get(value, value) if isinstance(value, str) else value


def day_zero_only(source: Path, target: Path) -> dict:
    data = json.loads(source.read_text(encoding="utf-8"))
    data["events"] = [e for e in data.get("events", []) if e["day"] == 0]
    target.write_text(json.dumps(data), encoding="utf-8")
    return data


@pytest.mark.parametrize(
    "name",
    [*LINEAR, "04-wait-for-accepted"],
)
def test_a_day_zero_scenario_comes_back_with_the_same_simulate_output(name, tmp_path):
    original = tmp_path / "original.json"
    data = day_zero_only(EXAMPLES / f"{name}.json", original)
    expected = simulated(original)
    db, saved = tmp_path / "team.sqlite", tmp_path / "saved.json"
    loaded = run("--db", str(db), "--today", TODAY, "load-scenario", str(original))
    assert loaded.returncode == 0, loaded.stderr
    assert "later event" not in loaded.stdout
    done = run(
        "--db", str(db), "--today", TODAY, "save-scenario", data["automation"]["name"], str(saved),
        "--days", str(expected["days"]),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    written = json.loads(saved.read_text(encoding="utf-8"))
    names = {c["id"]: o["id"] for c, o in zip(written["contacts"], data["contacts"], strict=True)}
    names |= {p["id"]: o["id"] for p, o in zip(written["sender_profiles"], data["sender_profiles"], strict=True)}
    taken_up = run("simulate", str(saved), "--json")
    if "cannot be taken up from a saved state yet" in taken_up.stderr:
        pytest.skip("the engine does not yet take up a started automation with control nodes from its saved state")
    assert taken_up.returncode == 0, taken_up.stderr
    assert renamed(json.loads(taken_up.stdout), names) == expected


def test_load_scenario_says_what_it_made_and_leaves_later_events_to_the_forecast(tmp_path):
    db = tmp_path / "team.sqlite"
    done = run(
        "--db", str(db), "--today", TODAY, "load-scenario", str(EXAMPLES / "03-remove-continue-then-waiting.json")
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[1:] == [
        "  2 sender profiles, 4 contacts, 0 interactions, 0 overrides.",
        "  Automation 'Ops leaders': running, 4 enrolled.",
        "  Day 0: started",
        "  4 later events (days 1 to 4) are the forecast's, not the workspace's: not applied.",
    ]
    status = run("--db", str(db), "--today", TODAY, "status")
    assert "Ops leaders (running)" in status.stdout
    assert "2 of 1 tasks" not in status.stdout and "1 of 1 tasks" in status.stdout


def test_load_scenario_refuses_a_workspace_that_is_not_empty_and_a_bad_file(tmp_path):
    db = tmp_path / "team.sqlite"
    example = str(EXAMPLES / "01-even-history-override.json")
    assert run("--db", str(db), "load-scenario", example).returncode == 0
    before = db.read_bytes()
    again = run("--db", str(db), "load-scenario", example)
    assert again.returncode == 2 and again.stdout == ""
    assert again.stderr.strip() == (
        "This workspace already holds 4 sender profiles, 8 contacts, 1 automation: load a scenario into a new, "
        "empty workspace."
    )
    assert db.read_bytes() == before
    bad = tmp_path / "bad.json"
    bad.write_text('{"sender_profiles": [{"id": "a", "daily_limit": -1}]}', encoding="utf-8")
    fresh = tmp_path / "fresh.sqlite"
    refused = run("--db", str(fresh), "load-scenario", str(bad))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "sender_profiles[0].daily_limit" in refused.stderr
    assert not fresh.exists()  # a refused file never makes a workspace


def test_save_scenario_names_a_missing_automation_and_bad_days(tmp_path):
    db = tmp_path / "team.sqlite"
    assert run("--db", str(db), "load-scenario", str(EXAMPLES / "02-profile-added-mid-run.json")).returncode == 0
    missing = run("--db", str(db), "save-scenario", "Nope", str(tmp_path / "out.json"))
    assert missing.returncode == 2
    assert missing.stderr.strip() == "No automation is called 'Nope' (the workspace has: 'SaaS')."
    days = run("--db", str(db), "save-scenario", "SaaS", str(tmp_path / "out.json"), "--days", "0")
    assert (days.returncode, days.stderr.strip()) == (2, "The forecast covers 1 to 3,650 days.")
    nowhere = run("--db", str(db), "save-scenario", "SaaS", str(tmp_path / "no" / "such" / "out.json"))
    assert nowhere.returncode == 2 and nowhere.stderr.startswith(str(tmp_path / "no" / "such" / "out.json"))
    assert "Traceback" not in missing.stderr + days.stderr + nowhere.stderr
    assert not (tmp_path / "out.json").exists()
