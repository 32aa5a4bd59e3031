"""The forecast with SPEC §12's limits: the real weekday of today, the weekly cap's warning, and the move what-if."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QToolButton

from builder.engine.limits import Hold, HoldReason
from builder.engine.words import NodeKind
from builder.ui.simulation.held_back import day_namer, held_back_warnings
from tests.store.builders import build_outreach
from tests.ui.conftest import TODAY
from tests.ui.test_settings_panel import _add_two_and_start, _profile_node, _team
from tests.ui.test_simulation_pane import _comparison, _ready


def _weekly_capped(ws) -> None:
    anna = ws.create_sender_profile("Anna", daily_limit=10, weekly_limits={"linkedin_connect": 3})
    ws.add_contacts([{"name": f"Lead {i}", "tags": ["cto"]} for i in range(7)])
    flow = build_outreach(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.start(flow.automation)


def test_the_forecast_warns_when_a_weekly_cap_holds_a_branch_back_with_the_date_it_finishes(make_window, qtbot):
    window = make_window(_weekly_capped)
    pane = window.simulation
    _ready(window, qtbot)
    qtbot.waitUntil(lambda: pane.outlook is not None)
    assert pane.scenario is not None and pane.scenario.start_weekday == TODAY.weekday()
    ((branch, day),) = pane.outlook.branch_finished.items()
    assert day is not None and day >= 14  # 7 connects at 3 a week: the third week
    finish = TODAY + timedelta(days=day)
    finish_words = f"{finish.strftime('%A')} {finish.day} {finish.strftime('%B')}"
    warnings = [pane.warnings.item(i).text() for i in range(pane.warnings.count())]
    (warning,) = [w for w in warnings if "weekly limit" in w]
    assert warning.startswith("⚠ Anna's weekly limit of connection requests holds tasks back on ")
    assert warning.endswith(f"; '{branch}' then finishes on {finish_words}.")
    assert pane.finish.text() == f"'{branch}' finishes on {finish_words} (day {day})."


def test_no_weekly_cap_no_warning(make_window, qtbot, reopen):
    window = make_window(_team)
    _add_two_and_start(window, qtbot, reopen)
    _ready(window, qtbot)
    qtbot.waitUntil(lambda: window.simulation.outlook is not None)
    pane = window.simulation
    assert not any("weekly limit" in pane.warnings.item(i).text() for i in range(pane.warnings.count()))


def test_held_back_sentence_for_a_scenario_file_counts_days():
    hold = Hold(HoldReason.WEEKLY_LIMIT, NodeKind.LINKEDIN_CONNECT, 7)
    daily = Hold(HoldReason.KIND_DAILY_LIMIT, NodeKind.EMAIL, 1)
    said = held_back_warnings(
        [(3, "p1", hold), (4, "p1", hold), (4, "p2", daily)],
        [("Founders", ("p1", "p2")), ("CTOs", ("p2",))],
        {"Founders": None, "CTOs": 9},
        {"p1": "Anna", "p2": "Bob"},
        60,
        day_namer(None),
    )
    assert said == [
        "Anna's weekly limit of connection requests holds tasks back on 2 days (first on day 3); "
        "'Founders' is not finished within 60 days."
    ]


def test_what_if_shows_the_move_beside_now_and_changes_nothing(make_window, reopen, qtbot):
    window = make_window(_team)
    ids = _add_two_and_start(window, qtbot, reopen)
    _ready(window, qtbot)
    button = window.settings.profiles.table.findChild(QToolButton, f"whatIfButton_{ids['Bob']}")
    action = button.menu().findChild(QAction, "whatIf_move")
    assert action.text() == "Bob removed, contacts not yet contacted moved"
    action.trigger()
    qtbot.waitUntil(lambda: window.simulation.comparing.isVisible() and _comparison(window).get("Bob") is not None)
    assert _comparison(window) == {"Anna": ("3", "6"), "Bob": ("3", "0")}  # nobody was contacted: all go to Anna
    assert "Bob is removed, contacts not yet contacted moved" in window.simulation.comparison_title.text()
    states = {a.name: a.state.value for a in reopen().attachments(_profile_node(window))}
    assert states == {"Anna": "active", "Bob": "active"}


def test_the_forecast_starts_on_todays_real_weekday(qtbot, workspace_path):
    """On a Thursday, a Monday-to-Friday profile's forecast rests on days 2 and 3 (Saturday and Sunday)."""
    from datetime import date

    from builder.store.workspace import Workspace
    from builder.ui.main_window import MainWindow

    thursday = date(2026, 3, 5)
    ws = Workspace.open(workspace_path, today=thursday)
    anna = ws.create_sender_profile("Anna", daily_limit=1, working_days=[0, 1, 2, 3, 4])
    ws.add_contacts([{"name": f"Lead {i}", "tags": ["cto"]} for i in range(3)])
    flow = build_outreach(ws, wait_days=30)
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.start(flow.automation)
    window = MainWindow(ws, workspace_path.name)
    qtbot.addWidget(window)
    try:
        pane = window.simulation
        pane.days.setValue(10)
        qtbot.waitUntil(lambda: pane.outlook is not None and pane.outlook.days == 10)
        assert pane.scenario.start_weekday == 3
        # One connect a working day: Thursday (day 0), Friday (1), then Monday (4).
        assert pane.outlook.done_per_day[f"p{anna}"][:5] == [1, 1, 0, 0, 1]
    finally:
        window.close()
        ws.close()
