"""The simulation pane on a tree (SPEC §8, §10): outcome rates typed in, kept, undone, saved; splits and routes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter

from PySide6.QtCore import Qt

from builder.engine.words import Outcome
from tests.store.builders import build_outreach


def _tree(ws) -> None:
    """Two profiles, 24 CTOs: connect, then Accepted? (3 days): yes → thanks message; no → A/B split of messages."""
    for name in ("Anna", "Bob"):
        ws.create_sender_profile(name, daily_limit=20)
    ws.add_contacts([{"name": f"Lead {i}", "tags": ["cto"]} for i in range(24)])
    flow = build_outreach(ws)
    automation = flow.automation
    connect, wait, message = flow.steps
    ws.disconnect(connect, wait)
    ws.remove_nodes([wait])
    accepted = ws.add_node(
        automation, "wait_for", title="Accepted?", x=960, settings={"outcome": "accepted", "days": 3}
    )
    ws.connect(connect, accepted)
    ws.connect(accepted, message, "yes")
    split = ws.add_node(automation, "split", title="Which opener?", x=1280, y=200)
    ws.connect(accepted, split, "no")
    for variant, y in (("A", 100), ("B", 300)):
        ws.connect(split, ws.add_node(automation, "linkedin_message", x=1600, y=y), variant)
    for profile in ws.sender_profiles():
        ws.attach_sender_profile(flow.profile_node, profile.id)


def _settled(pane, qtbot) -> None:
    qtbot.waitUntil(lambda: not pane.debounce.isActive() and not pane.worker.busy and pane.outlook is not None)


def _type(qtbot, box, text: str) -> None:
    """Click into a spin box, replace what it shows, press Enter: as a user does."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton)
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def _column(pane, header: str) -> dict[str, str]:
    table = pane.table
    columns = [table.horizontalHeaderItem(c).text().replace("\n", " ") for c in range(table.columnCount())]
    c = columns.index(header)
    return {table.item(r, 0).text(): table.item(r, c).text() for r in range(table.rowCount())}


def _controls(pane) -> dict[str, list[str]]:
    table = pane.controls
    return {
        table.item(r, 1).text(): [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    }


def _routes(pane) -> dict[str, str]:
    model = pane.routes_model
    return {model.index(r, 0).data(): model.index(r, 5).data() for r in range(model.rowCount())}


def test_a_reply_rate_typed_in_shows_replies_is_kept_undone_and_saved(make_window, reopen, qtbot, tmp_path):
    window = make_window(_tree)
    pane = window.simulation
    automation = pane.automation_id
    _settled(pane, qtbot)
    # No rates: nobody accepts, so everyone leaves Accepted? by "no" on day 3 and is split half and half.
    assert _controls(pane) == {
        "Accepted?": ["Segment 1", "Accepted?", "Wait for", "24", "yes 0 · no 24", "0"],
        "Which opener?": ["Segment 1", "Which opener?", "A/B split", "24", "A 12 · B 12", "0"],
    }
    assert pane.table.isColumnHidden(pane.table.columnCount() - 1)  # no outcomes: no empty outcome columns
    assert set(_routes(pane).values()) == {
        "Accepted?: no (day 3) → Which opener?: A (day 3)",
        "Accepted?: no (day 3) → Which opener?: B (day 3)",
    }

    _type(qtbot, pane.rates.percent[Outcome.ACCEPTED], "50")
    _type(qtbot, pane.rates.percent[Outcome.REPLIED], "40")
    qtbot.waitUntil(
        lambda: pane.outlook is not None and sum(p.outcomes.get(Outcome.REPLIED, 0) for p in pane.outlook.profiles) > 0
    )
    _settled(pane, qtbot)
    replied = _column(pane, "Replied")
    accepted = _column(pane, "Accepted")
    assert set(replied) == {"Anna", "Bob"} and sum(int(n) for n in replied.values()) > 0
    assert sum(int(n) for n in accepted.values()) > 0
    assert not pane.table.isColumnHidden(pane.table.columnCount() - 1)
    went = _controls(pane)["Accepted?"]
    yes, no = (int(part.split()[1]) for part in went[4].split(" · "))
    assert yes > 0 and yes + no + int(went[5]) == int(went[3]) == 24
    routes = _routes(pane)
    assert any(route.startswith("Accepted?: yes (day ") for route in routes.values()), routes
    # The outcomes chart: a line each for accepted and replied of each profile that has outcomes.
    names = {series.name() for series in pane.outcomes_chart.series()}
    assert {"Anna accepted", "Anna replied", "Bob accepted", "Bob replied"} <= names
    replies_per_day = sum(sum(d[Outcome.REPLIED]) for d in pane.outlook.outcomes_per_day.values())
    assert replies_per_day == sum(int(n) for n in replied.values())

    # Kept with the automation: a second look at the file sees them.
    expected = {"accepted": {"rate": 0.5, "after_days": 2}, "replied": {"rate": 0.4, "after_days": 1}}
    assert reopen().rates(automation) == expected

    # Undo takes the reply rate back, in the workspace and in the box; redo puts it back.
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: pane.rates.percent[Outcome.REPLIED].value() == 0)
    assert reopen().rates(automation) == {"accepted": {"rate": 0.5, "after_days": 2}}
    qtbot.waitUntil(lambda: _settled_without_replies(pane))
    window.redo_action.trigger()
    qtbot.waitUntil(lambda: pane.rates.percent[Outcome.REPLIED].value() == 40)
    _settled(pane, qtbot)
    qtbot.waitUntil(
        lambda: pane.outlook.profiles and sum(p.outcomes.get(Outcome.REPLIED, 0) for p in pane.outlook.profiles) > 0
    )

    # Saved as a scenario: the rates are in it, and `simulate` tells the same story.
    path = tmp_path / "tree.json"
    pane.save_scenario(path)
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["automation"]["rates"] == expected
    done = subprocess.run(
        [sys.executable, "-m", "builder", "simulate", str(path), "--json"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    per_day = {
        profile: {o.value: counts for o, counts in outcomes.items()}
        for profile, outcomes in pane.outlook.outcomes_per_day.items()
    }
    assert result["forecast"]["outcomes_per_day"] == per_day
    by_profile: dict[str, Counter[str]] = {}
    for outcome in result["outcomes"]:
        by_profile.setdefault(outcome["sender_profile"], Counter())[outcome["outcome"]] += 1
    assert {p: c["replied"] for p, c in by_profile.items()} == {
        p.profile: p.outcomes[Outcome.REPLIED] for p in pane.outlook.profiles if p.outcomes
    }
    shown = {r.contact: [(output, day) for _, output, day in r.route] for r in pane.outlook.routes}
    assert {r["contact"]: [(d["output"], d["day"]) for d in r["decisions"]] for r in result["routes"]} == shown


def _settled_without_replies(pane) -> bool:
    if pane.debounce.isActive() or pane.worker.busy or pane.outlook is None:
        return False
    return all(p.outcomes.get(Outcome.REPLIED, 0) == 0 for p in pane.outlook.profiles)


def test_the_rates_survive_reopening_the_workspace(make_window, qtbot):
    first = make_window(_tree)
    _settled(first.simulation, qtbot)
    _type(qtbot, first.simulation.rates.percent[Outcome.REPLIED], "12.5")
    _type(qtbot, first.simulation.rates.after[Outcome.REPLIED], "4")
    qtbot.waitUntil(lambda: first.workspace.rates(first.simulation.automation_id).get("replied") is not None)

    again = make_window()  # the app opened again on the same file
    rates = again.simulation.rates
    assert rates.percent[Outcome.REPLIED].value() == 12.5
    assert rates.after[Outcome.REPLIED].value() == 4
    assert rates.percent[Outcome.ACCEPTED].value() == 0 and rates.after[Outcome.ACCEPTED].value() == 2
    _settled(again.simulation, qtbot)
    assert "Replied" in [
        again.simulation.table.horizontalHeaderItem(c).text() for c in range(again.simulation.table.columnCount())
    ]


def test_the_routes_export_as_csv(make_window, qtbot, tmp_path):
    import csv

    window = make_window(_tree)
    pane = window.simulation
    _settled(pane, qtbot)
    path = tmp_path / "routes.csv"
    pane.export_routes_csv(path)
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows[0] == ["Contact", "Name", "Branch", "Sender profile", "Status", "Route"]
    assert len(rows) == 25
    assert rows[1][5].startswith("Accepted?: no (day 3) → Which opener?: ")


def test_editing_one_rate_keeps_the_others_whole(make_window, reopen, qtbot):
    def tree_with_a_fine_rate(ws):
        _tree(ws)
        ws.set_rates(ws.automations()[0].id, {"replied": {"rate": 0.0833, "after_days": 3}})

    window = make_window(tree_with_a_fine_rate)
    pane = window.simulation
    _settled(pane, qtbot)
    assert pane.rates.percent[Outcome.REPLIED].text() == "8.3 %"
    _type(qtbot, pane.rates.percent[Outcome.ACCEPTED], "30")
    qtbot.waitUntil(lambda: "accepted" in reopen().rates(pane.automation_id))
    assert reopen().rates(pane.automation_id) == {
        "accepted": {"rate": 0.3, "after_days": 2},
        "replied": {"rate": 0.0833, "after_days": 3},
    }
    assert window.undo_stack.count() == 1  # one edit, one step


def test_a_line_of_steps_without_rates_has_no_routes_to_show(make_window, qtbot):
    from tests.ui.test_simulation_pane import _team_attached

    window = make_window(_team_attached)
    pane = window.simulation
    _settled(pane, qtbot)
    assert not pane.outlook.paths and pane.outlook.routes == [] and pane.controls.rowCount() == 0
    assert not pane.tables.isTabEnabled(pane.tables.indexOf(pane.routes))
    assert pane.outcomes_chart.series() == []
