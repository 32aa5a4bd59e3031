"""The command line as a user runs it: real processes, exit codes, stdout and stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).parents[1] / "resources" / "examples"
NO_MODE = (
    "required once the automation has started: cancel or continue this sender profile's tasks ('cancel' or 'continue')"
)


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "builder", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def test_simulate_prints_a_readable_summary():
    done = run("simulate", str(EXAMPLES / "01-even-history-override.json"))
    assert done.returncode == 0, done.stderr
    assert "Who goes to which sender profile, and why" in done.stdout
    assert "Lead 2   fintech  Omar Haddad     previous interaction" in done.stdout
    assert "fintech: 8 contacts, finished on day 3" in done.stdout


def test_simulate_json_is_the_same_bytes_every_time():
    first = run("simulate", str(EXAMPLES / "03-remove-continue-then-waiting.json"), "--json")
    second = run("simulate", str(EXAMPLES / "03-remove-continue-then-waiting.json"), "--json")
    assert first.returncode == 0
    assert first.stdout == second.stdout
    result = json.loads(first.stdout)
    assert result["sender_profiles"] == {"anna": {"ops": "draining"}, "omar": {"ops": "active"}}


def test_a_large_output_arrives_whole_before_the_command_ends(tmp_path):
    """simulate ends its process at once after writing (builder.cli.leave): every byte must be out by then."""
    from builder.engine.report import json_chunks, to_text
    from builder.engine.scenario import parse_scenario
    from builder.engine.simulation import simulate

    scenario = {
        "sender_profiles": [{"id": "anna", "daily_limit": 30}, {"id": "omar", "daily_limit": 20}],
        "contacts": [{"id": f"lead-{i:05d}", "tags": ["cto"]} for i in range(3000)],
        "automation": {
            "name": "Many",
            "branches": [
                {
                    "id": "ctos",
                    "segment": {"tags_any": ["cto"]},
                    "sender_profiles": ["anna", "omar"],
                    "steps": [{"type": "linkedin_connect"}, {"type": "wait", "days": 1}, {"type": "email"}],
                }
            ],
        },
        "events": [{"day": 0, "type": "start"}],
        "days": 20,
    }
    path = tmp_path / "many.json"
    path.write_text(json.dumps(scenario))
    expected = simulate(parse_scenario(scenario))
    buffered = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # as a user's shell has it
    as_json, as_text = run("simulate", str(path), "--json", env=buffered), run("simulate", str(path), env=buffered)
    assert as_json.returncode == as_text.returncode == 0, as_json.stderr + as_text.stderr
    assert len(as_json.stdout) > 1_000_000  # far more than any buffer between the process and this test
    assert as_json.stdout == "".join(json_chunks(expected))
    assert as_text.stdout == to_text(expected)


def test_a_bad_scenario_exits_2_with_one_line_per_problem(tmp_path):
    scenario = json.loads((EXAMPLES / "01-even-history-override.json").read_text())
    scenario["sender_profiles"][1]["daily_limit"] = -5
    scenario["events"].append({"day": 1, "type": "add_sender_profile", "branch": "fintech", "sender_profile": "zed"})
    scenario["events"].append({"day": 2, "type": "launch"})
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(scenario))
    done = run("simulate", str(path))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "sender_profiles[1].daily_limit: must be 0 or more, got -5",
        "events[1].sender_profile: no sender profile 'zed'",
        "events[2].type: unknown event 'launch' (one of start, pause, resume, add_contacts, "
        "add_sender_profile, remove_sender_profile, set_override, outcome)",
    ]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "no such file"),
        ("folder", "is a folder"),
        (b"", "the file is empty"),
        (b'{"contacts": [', "not valid JSON at line 1"),
        (b"\xff\xfe\x00\x01", "not a text file"),
    ],
    ids=["missing", "folder", "empty", "bad-json", "binary"],
)
def test_unusable_files_get_a_sentence_not_a_traceback(tmp_path, content, expected):
    path = tmp_path / "scenario.json"
    if content == "folder":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    done = run("simulate", str(path))
    assert done.returncode == 2
    assert expected in done.stderr
    assert "Traceback" not in done.stderr


def test_a_runtime_problem_names_its_event(tmp_path):
    scenario = json.loads((EXAMPLES / "02-profile-added-mid-run.json").read_text())
    scenario["events"].append({"day": 3, "type": "remove_sender_profile", "branch": "saas", "sender_profile": "anna"})
    path = tmp_path / "no-mode.json"
    path.write_text(json.dumps(scenario))
    done = run("simulate", str(path))
    assert done.returncode == 2
    assert done.stderr == f"events[3].mode: {NO_MODE}\n"


def make_workspace(path: Path) -> Path:
    from builder.store.workspace import Workspace

    Workspace.open(path).close()
    return path


def test_the_workspace_summary_creates_nothing_and_refuses_a_foreign_one(tmp_path):
    missing = tmp_path / "typo" / "team.sqlite"
    absent = run("--db", str(missing), "status")
    assert absent.returncode == 2
    assert absent.stderr == f"There is no workspace at '{missing}': check the path given with --db.\n"
    assert list(tmp_path.iterdir()) == []  # no folder, no file
    done = run("--db", str(make_workspace(tmp_path / "team.sqlite")), "--today", "2026-03-02", "status")
    assert done.returncode == 0, done.stderr
    assert "0 sender profiles, 0 contacts, 0 automations" in done.stdout
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database")
    refused = run("--db", str(notes), "status")
    assert refused.returncode == 2
    assert "is not an Automation Builder workspace" in refused.stderr
    assert notes.read_text() == "not a database"


def test_a_workspace_where_no_folder_can_be_made_gets_a_sentence(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    done = run(
        "--db", str(blocker / "inside" / "team.sqlite"), "import", "contacts", str(DATA / "contacts-with-bad-rows.csv")
    )
    assert done.returncode == 2
    assert "Cannot make the folder" in done.stderr
    assert "Traceback" not in done.stderr


DATA = Path(__file__).parent / "data"


def test_import_contacts_prints_the_report(tmp_path):
    db = tmp_path / "team.sqlite"
    done = run("--db", str(db), "import", "contacts", str(DATA / "contacts-with-bad-rows.csv"), "--tag", "cli")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "contacts-with-bad-rows.csv: 2 new contacts, 0 known updated, 0 known unchanged.",
        "3 rows refused:",
        "  line 3: 'grace(at)cobol.mil' is not an email address",
        "  line 4: 'https://example.com/alan' is not a LinkedIn profile address",
        "  line 5: has neither an email nor a LinkedIn URL, so it could not be matched later",
    ]
    status = run("--db", str(db), "status")
    assert "2 contacts" in status.stdout


@pytest.mark.parametrize("name", ["bad-quoting.csv", "missing-email-column.csv", "binary.csv", "nothing-here.csv"])
def test_a_refused_file_exits_2_and_changes_nothing(tmp_path, name):
    db = tmp_path / "team.sqlite"
    assert run("--db", str(db), "import", "contacts", str(DATA / "linkedin-Connections.csv")).returncode == 0
    before = db.read_bytes()
    done = run("--db", str(db), "import", "contacts", str(DATA / name))
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.split(":")[0].endswith(name) and len(done.stderr.splitlines()) == 1
    assert "Traceback" not in done.stderr
    assert db.read_bytes() == before


def test_import_interactions_from_the_command_line(tmp_path):
    db = tmp_path / "team.sqlite"
    assert run("--db", str(db), "import", "contacts", str(DATA / "hubspot-contacts.csv")).returncode == 0
    done = run("--db", str(db), "--today", "2026-03-02", "import", "interactions", str(DATA / "interactions.csv"))
    assert done.returncode == 2  # no sender profiles yet: every row refused
    assert "no row could be imported" in done.stderr
    assert "line 2: no sender profile is called 'Anna Berg'" in done.stderr


def test_a_header_only_file_says_so_and_creates_no_workspace(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("Name,Email\n", encoding="utf-8")
    db = tmp_path / "new.sqlite"
    done = run("--db", str(db), "import", "contacts", str(empty))
    assert done.returncode == 2
    assert done.stderr.strip() == "empty.csv: the file has no rows under its header, so nothing was imported."
    missing = run("--db", str(db), "import", "contacts", str(tmp_path / "missing.csv"))
    assert missing.returncode == 2
    assert not db.exists()  # a refused file never makes a workspace


@pytest.mark.parametrize(
    "order",
    [
        ("import", "contacts", "{csv}", "--db", "{db}"),
        ("import", "contacts", "--db", "{db}", "{csv}"),
        ("--db", "{db}", "import", "contacts", "{csv}"),
    ],
)
def test_db_works_before_or_after_the_command(tmp_path, monkeypatch, capsys, order):
    from builder.cli import main
    from builder.store.workspace import Workspace

    monkeypatch.chdir(tmp_path)
    csv_file = tmp_path / "people.csv"
    csv_file.write_text("name,email,tags\nJo Lee,jo@acme.test,cto\nAl Bo,al@bo.test,cfo\n")
    db = tmp_path / "team.sqlite"
    args = [part.format(csv=csv_file.name, db=db.name) for part in order]
    assert main(args) == 0, capsys.readouterr().err
    assert "2 new contacts" in capsys.readouterr().out
    with Workspace.open(db) as ws:
        assert ws.contact_count() == 2
    assert csv_file.read_bytes().startswith(b"name,email")  # not opened as a database
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("team.sqlite")) == ["people.csv"]


def test_today_and_db_after_the_command_win_and_before_still_count(tmp_path, capsys):
    from builder.cli import main

    first, second = make_workspace(tmp_path / "first.sqlite"), make_workspace(tmp_path / "second.sqlite")
    assert main(["--db", str(first), "status", "--today", "2026-03-02"]) == 0
    out = capsys.readouterr().out
    assert str(first) in out and "Today (2026-03-02)" in out
    assert main(["--db", str(first), "--today", "2026-01-05", "status", "--db", str(second)]) == 0
    out = capsys.readouterr().out
    assert str(second) in out and "Today (2026-01-05)" in out


def test_removing_from_a_started_automation_without_mode_names_events_n_mode(tmp_path, capsys):
    from builder.cli import main

    scenario = {
        "sender_profiles": [{"id": "anna", "name": "Anna"}, {"id": "bob", "name": "Bob"}],
        "contacts": [{"id": "c1", "tags": ["cto"]}],
        "automation": {
            "name": "CTOs",
            "branches": [
                {
                    "id": "ctos",
                    "segment": {"tags_any": ["cto"]},
                    "sender_profiles": ["anna", "bob"],
                    "steps": [{"type": "email"}],
                }
            ],
        },
        "events": [
            {"day": 0, "type": "start"},
            {"day": 1, "type": "pause"},
            {"day": 2, "type": "remove_sender_profile", "branch": "ctos", "sender_profile": "anna"},
        ],
        "days": 4,
    }
    path = tmp_path / "remove.json"
    path.write_text(json.dumps(scenario))
    assert main(["simulate", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [f"events[2].mode: {NO_MODE}"]
