"""``import interactions`` with an outcome column, as a user runs it (SPEC §10, issue 13)."""

from __future__ import annotations

import json

from tests.test_cli_scenarios import TODAY, run

SCENARIO = {
    "sender_profiles": [{"id": "anna", "name": "Anna Berg"}],
    "contacts": [
        {"id": "jo", "name": "Jo Lee", "email": "jo@acme.test", "tags": ["cto"]},
        {"id": "al", "name": "Al Bo", "email": "al@bo.test", "tags": ["cto"]},
    ],
    "automation": {
        "name": "CTO outreach",
        "branches": [
            {
                "id": "ctos",
                "segment": {"tags_any": ["cto"]},
                "sender_profiles": ["anna"],
                "steps": [{"type": "linkedin_connect"}, {"type": "wait", "days": 2}, {"type": "email"}],
            }
        ],
    },
    "events": [{"day": 0, "type": "start"}],
}


def test_import_interactions_records_outcomes_and_names_bad_rows(tmp_path):
    scenario, db, csv = tmp_path / "story.json", tmp_path / "team.sqlite", tmp_path / "replies.csv"
    scenario.write_text(json.dumps(SCENARIO), encoding="utf-8")
    assert run("--db", str(db), "--today", TODAY, "load-scenario", str(scenario)).returncode == 0
    csv.write_text(
        "Email,Sender Profile,Date,Outcome\n"
        "jo@acme.test,Anna Berg,2026-03-02,replied\n"
        "al@bo.test,Anna Berg,2026-03-02,Maybe later\n"
        "al@bo.test,Anna Berg,2026-03-02,bounced\n"
        "al@bo.test,Anna Berg,2026-03-01,\n",
        encoding="utf-8",
    )
    done = run("--db", str(db), "--today", TODAY, "import", "interactions", str(csv))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "replies.csv: 1 interaction recorded, 1 outcome recorded.",
        "2 rows refused:",
        "  line 3: 'Maybe later' is not an outcome (accepted, replied or bounced)",
        "  line 4: 'bounced': An email to Al Bo cannot have bounced: none is done in 'CTO outreach' yet.",
    ]
    # Jo replied: the automation stops on reply, so Jo's tasks are gone from today's plan; Al's connect is left.
    status = run("--db", str(db), "--today", TODAY, "status")
    assert "Anna Berg: 1 of 50 tasks" in status.stdout
    only_bad = tmp_path / "bad.csv"
    only_bad.write_text("Email,Sender Profile,Date,Outcome\njo@acme.test,Anna Berg,2026-03-02,yes\n", encoding="utf-8")
    refused = run("--db", str(db), "--today", TODAY, "import", "interactions", str(only_bad))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "line 2: 'yes' is not an outcome (accepted, replied or bounced)" in refused.stderr
