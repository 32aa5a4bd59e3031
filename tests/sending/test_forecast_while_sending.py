"""The forecast while a sender holds claims: a ``sending`` email counts as done today, as today's plan counts it."""

from __future__ import annotations

from pathlib import Path

from builder.engine.scenario import parse_scenario
from builder.engine.simulation import simulate
from builder.store import email_queue
from builder.store.workspace import Workspace
from tests.sending.conftest import MONDAY, build_email_outreach


def test_a_claimed_email_is_done_today_in_the_saved_scenario_and_its_forecast(tmp_path: Path) -> None:
    with Workspace.open(tmp_path / "w.sqlite", today=MONDAY) as ws:
        outreach = build_email_outreach(ws, 3, {"Ann": {"daily_limit": 2}})
        ids = iter(["<a@example.test>", "<b@example.test>"])
        claimed, _ = email_queue.claim_due(ws, outreach.profiles.values(), "busy", 0, lambda *_: next(ids))
        assert len(claimed) == 2  # the sender has them: the server may have them already
        data = ws.scenario_for(outreach.automation, days=3)
    states = [t for e in data["state"]["enrollments"] for t in e["tasks"]]
    assert sorted(t["status"] for t in states) == ["done", "done", "pending"]
    assert all(t["done_day"] == 0 for t in states if t["status"] == "done")
    result = simulate(parse_scenario(data))  # reads back; the third email goes tomorrow, the limit of 2 being used
    (ann,) = result.done_per_day.values()
    assert ann[:2] == [2, 1]
