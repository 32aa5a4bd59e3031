"""The simulation pane: the engine's numbers, following edits, off the GUI thread, never writing."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys

from PySide6.QtCore import Qt, QTimer

from builder.engine.words import Reason
from builder.ui.simulation.pane import spreadsheet_safe
from tests.store.builders import build_outreach
from tests.ui.test_settings_panel import _add_two_and_start, _profile_node, _team, add_through_picker, open_panel


def _ready(window, qtbot) -> None:
    qtbot.waitUntil(lambda: not window.simulation.debounce.isActive() and not window.simulation.worker.busy)
    qtbot.waitUntil(
        lambda: window.simulation.outlook is not None or "to see a forecast" in window.simulation.status.text()
    )


def _contacts_column(window) -> dict[str, str]:
    table = window.simulation.table
    return {table.item(r, 0).text(): table.item(r, 5).text() for r in range(table.rowCount())}


def test_the_pane_follows_profile_changes_made_in_the_panel(make_window, reopen, qtbot):
    window = make_window(_team)
    _ready(window, qtbot)
    assert "Add a sender profile" in window.simulation.status.text()

    open_panel(window, qtbot, _profile_node(window))
    add_through_picker(window, qtbot, ["Anna", "Bob"])
    qtbot.waitUntil(lambda: _contacts_column(window) == {"Anna": "3", "Bob": "3"})

    add_through_picker(window, qtbot, ["Lena"])
    qtbot.waitUntil(lambda: _contacts_column(window) == {"Anna": "2", "Bob": "2", "Lena": "2"})
    assert reopen().automations()[0].state.value == "draft"  # a preview: nothing started


def test_saving_the_what_if_gives_the_same_numbers_as_simulate(make_window, reopen, qtbot, tmp_path):
    window = make_window(_team)
    _add_two_and_start(window, qtbot, reopen)
    pane = window.simulation
    pane.days.setValue(12)
    pane.new_per_day.setValue(2)
    _ready(window, qtbot)
    qtbot.waitUntil(lambda: pane.outlook is not None and pane.outlook.days == 12)

    path = tmp_path / "what-if.json"
    pane.save_scenario(path)
    done = subprocess.run(
        [sys.executable, "-m", "builder", "simulate", str(path), "--json"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["forecast"]["done_per_day"] == pane.outlook.done_per_day
    by_profile: dict[str, dict[str, int]] = {}
    for assignment in result["assignments"]:
        if assignment["sender_profile"]:
            counts = by_profile.setdefault(assignment["sender_profile"], {})
            counts[assignment["reason"]] = counts.get(assignment["reason"], 0) + 1
    assert by_profile == {p.profile: {r.value: n for r, n in p.by_reason.items()} for p in pane.outlook.profiles}
    assert len(result["assignments"]) == 6 + 2 * 11  # the six enrolled, and two new contacts on days 1 to 11


def test_the_window_stays_responsive_while_a_big_preview_computes(make_window, qtbot):
    def big(ws):
        anna, bob = ws.create_sender_profile("Anna"), ws.create_sender_profile("Bob")
        ws.add_contacts([{"name": f"Lead {i}", "tags": ["cto"]} for i in range(100_000)])
        flow = build_outreach(ws)
        ws.attach_sender_profile(flow.profile_node, anna)
        ws.attach_sender_profile(flow.profile_node, bob)

    window = make_window(big)
    ticks = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    window.simulation.recompute()
    qtbot.waitUntil(lambda: window.simulation.outlook is not None, timeout=60_000)
    timer.stop()
    assert sum(window.simulation.outlook.profiles[0].by_reason.values()) == 50_000
    assert len(ticks) >= 10, "the event loop froze while the preview computed"


def _team_attached(ws):
    _team(ws)
    node = next(n.id for n in ws.nodes(ws.automations()[0].id) if n.kind.value == "sender_profile")
    for profile in ws.sender_profiles()[:2]:
        ws.attach_sender_profile(node, profile.id)


def test_a_stale_result_is_never_shown_over_a_newer_one(make_window, qtbot):
    window = make_window(_team_attached)
    pane = window.simulation
    shown = []  # (the result's request, the newest request when it was shown)
    pane.worker.ready.connect(lambda computed: shown.append((computed.generation, pane.worker.generation)))
    pane.days.setValue(5)
    pane.recompute()
    pane.days.setValue(9)
    pane.recompute()
    pane.debounce.stop()  # only the two requests above: no third one from the spin box's own timer
    qtbot.waitUntil(lambda: bool(shown) and shown[-1][0] == pane.worker.generation)  # the newest one arrived
    assert all(result == newest for result, newest in shown)
    assert pane.outlook is not None and pane.outlook.days == 9


def test_the_pane_never_writes_to_the_workspace(make_window, workspace_path, qtbot):
    window = make_window(_team)
    _ready(window, qtbot)
    window.workspace.engine.dispose()  # let SQLite fold its log back, then fingerprint the file
    before = hashlib.sha256(workspace_path.read_bytes()).hexdigest()
    for days in (10, 20, 30):
        window.simulation.days.setValue(days)
        _ready(window, qtbot)
    assert hashlib.sha256(workspace_path.read_bytes()).hexdigest() == before
    log = workspace_path.with_name("team.sqlite-wal")
    assert not log.exists() or log.stat().st_size == 0, "something was written"


def test_the_table_exports_as_csv_with_formulas_neutralised(make_window, reopen, qtbot, tmp_path):
    def team(ws):
        _team(ws)
        ws.update_sender_profile(_profiles_by_name(ws)["Anna"], name='=HYPERLINK("http://x")')

    window = make_window(team)
    open_panel(window, qtbot, _profile_node(window))
    add_through_picker(window, qtbot, ['=HYPERLINK("http://x")', "Bob"])
    qtbot.waitUntil(lambda: len(_contacts_column(window)) == 2)
    path = tmp_path / "table.csv"
    window.simulation.export_csv(path)
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows[0][0] == "Sender profile"
    assert [r[0] for r in rows[1:]] == ['\'=HYPERLINK("http://x")', "Bob"]
    assert spreadsheet_safe("+1") == "'+1" and spreadsheet_safe("-1") == "'-1" and spreadsheet_safe("@a") == "'@a"
    png = tmp_path / "chart.png"
    assert window.simulation.export_png(png) and png.stat().st_size > 1000


def _profiles_by_name(ws) -> dict[str, int]:
    return {p.name: p.id for p in ws.sender_profiles()}


def test_reasons_are_split_in_the_chart(make_window, reopen, qtbot):
    window = make_window(_team)
    open_panel(window, qtbot, _profile_node(window))
    add_through_picker(window, qtbot, ["Anna", "Bob"])
    qtbot.waitUntil(lambda: _contacts_column(window) == {"Anna": "3", "Bob": "3"})
    (series,) = window.simulation.spread_chart.series()
    labels = [bar_set.label() for bar_set in series.barSets()]
    assert labels == ["Override", "Previous interaction", "Even distribution"]
    even = series.barSets()[2]
    assert [even.at(i) for i in range(even.count())] == [3, 3]
    assert window.simulation.outlook.profiles[0].by_reason == {Reason.EVEN_DISTRIBUTION: 3}


def test_a_team_of_twenty_reads_its_names_in_the_chart_not_dots(make_window, qtbot):
    from PySide6.QtCharts import QBarCategoryAxis
    from PySide6.QtGui import QFontInfo

    from builder.ui.simulation.charts import SMALLEST_NAME

    def twenty(ws) -> None:
        flow = build_outreach(ws)
        ws.add_contacts([{"name": f"Lead {i}", "tags": ["cto"]} for i in range(60)])
        for i in range(20):
            ws.attach_sender_profile(flow.profile_node, ws.create_sender_profile(f"Sender {i + 1:02d}"))

    window = make_window(twenty)
    qtbot.waitUntil(lambda: window.simulation.table.rowCount() == 20)

    def names() -> QBarCategoryAxis:
        (axis,) = window.simulation.spread_chart.axes(Qt.Orientation.Vertical)
        return axis

    assert names().count() == 20
    # Bars thinner than a name's usual height: smaller names, written whole (Qt leaves out those that would
    # overlap), where Qt would otherwise cut every one to '…'.
    qtbot.waitUntil(lambda: not names().labelsTruncated())
    assert SMALLEST_NAME <= QFontInfo(names().labelsFont()).pixelSize() < QFontInfo(window.font()).pixelSize()


def _comparison(window) -> dict[str, tuple[str, str]]:
    table = window.simulation.comparison
    return {
        table.item(r, 0).text(): (table.item(r, 1).text(), table.item(r, 2).text()) for r in range(table.rowCount())
    }


def test_what_if_a_profile_is_removed_shows_after_beside_now_and_changes_nothing(make_window, reopen, qtbot):
    from PySide6.QtGui import QAction
    from PySide6.QtWidgets import QToolButton

    window = make_window(_team)
    ids = _add_two_and_start(window, qtbot, reopen)
    _ready(window, qtbot)
    button = window.settings.profiles.table.findChild(QToolButton, f"whatIfButton_{ids['Bob']}")
    action = button.menu().findChild(QAction, "whatIf_cancel")
    action.trigger()
    qtbot.waitUntil(lambda: window.simulation.comparing.isVisible() and _comparison(window).get("Bob") is not None)
    assert _comparison(window) == {"Anna": ("3", "3"), "Bob": ("3", "3")}  # nobody moves
    pending = {
        window.simulation.comparison.item(r, 0).text(): window.simulation.comparison.item(r, 4).text() for r in range(2)
    }
    assert pending["Bob"] == "0"  # her tasks would be canceled
    assert "Bob is removed, tasks canceled" in window.simulation.comparison_title.text()
    ws = reopen()
    assert {a.name: a.state.value for a in ws.attachments(_profile_node(window))} == {"Anna": "active", "Bob": "active"}
    qtbot.mouseClick(window.simulation.close_comparison, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.simulation.comparing.isVisible())


def test_the_picker_previews_profiles_joining_a_draft(make_window, reopen, qtbot):
    from builder.ui.dialogs.profile_picker import SenderProfilePicker
    from tests.ui.test_settings_panel import when_dialog_opens

    window = make_window(_team_attached)
    _ready(window, qtbot)
    open_panel(window, qtbot, _profile_node(window))

    def preview_then_cancel(picker: SenderProfilePicker) -> None:
        picker.item_for("Lena").setCheckState(Qt.CheckState.Checked)
        qtbot.mouseClick(picker.preview_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: _comparison(window).get("Lena") == ("—", "2"))
        picker.reject()

    when_dialog_opens(SenderProfilePicker, preview_then_cancel)
    qtbot.mouseClick(window.settings.profiles.add_button, Qt.MouseButton.LeftButton)
    assert _comparison(window) == {"Anna": ("3", "2"), "Bob": ("3", "2"), "Lena": ("—", "2")}
    assert [a.name for a in reopen().attachments(_profile_node(window))] == ["Anna", "Bob"]


def test_a_scenario_file_opens_in_the_pane(make_window, qtbot, tmp_path):
    from pathlib import Path

    window = make_window(_team)
    example = Path(__file__).parents[2] / "resources" / "examples" / "01-even-history-override.json"
    window.simulation.open_scenario(example)
    qtbot.waitUntil(lambda: window.simulation.outlook is not None and "01-even" in window.simulation.status.text())
    assert _contacts_column(window) == {"Anna Berg": "2", "Lena Vogt": "3", "Omar Haddad": "3"}

    broken = tmp_path / "broken.json"
    broken.write_text('{"automation": 3}')
    window.simulation.open_scenario(broken)
    qtbot.waitUntil(lambda: "automation" in window.simulation.status.text() and window.simulation.outlook is None)


def _demo(ws) -> None:
    from builder.store.demo import build_demo

    build_demo(ws, contacts=300)


def test_a_new_draft_never_shows_the_previous_automations_forecast(make_window, qtbot):
    window = make_window(_demo)
    pane = window.simulation
    qtbot.waitUntil(lambda: pane.outlook is not None and pane.table.rowCount() == 5)
    assert pane.finish.text() and pane.spread_chart.series()

    demo = pane.automation_id
    window.automations.create()  # File ▸ New automation
    assert pane.automation_id == window.automations.current != demo  # the new, empty draft is open
    # At once, before its own forecast is computed: nothing of the demo's numbers is left.
    assert (pane.table.rowCount(), pane.finish.text(), pane.warnings.count()) == (0, "", 0)
    assert not pane.spread_chart.series() and not pane.forecast_chart.series()
    _ready(window, qtbot)
    # An empty draft has no Segment node: one problem, counted first so a narrow status line still says it.
    assert pane.status.text().startswith("Fix the 1 problem listed above the canvas to see a forecast: ")
    assert (pane.table.rowCount(), pane.finish.text()) == (0, "")
    assert not pane.spread_chart.series() and not pane.forecast_chart.series()


def _ticks(axis) -> list[float]:
    step, value, ticks = axis.tickInterval(), axis.tickAnchor(), []
    while value <= axis.max() + 1e-9:
        ticks.append(value)
        value += step
    return ticks


def test_chart_axes_tick_at_round_numbers(make_window, qtbot):
    window = make_window(_demo)
    pane = window.simulation
    qtbot.waitUntil(lambda: pane.outlook is not None and pane.table.rowCount() == 5)
    round_steps = {m * 10**k for m in (1, 2, 5) for k in range(6)}
    axes = [*pane.spread_chart.axes(Qt.Orientation.Horizontal), *pane.forecast_chart.axes()]
    assert len(axes) == 3
    for axis in axes:
        assert axis.min() == 0 and axis.tickInterval() in round_steps, (axis.min(), axis.tickInterval())
        ticks = _ticks(axis)
        assert 3 <= len(ticks) <= 11 and ticks[-1] == axis.max(), ticks
        assert all(tick % axis.tickInterval() == 0 for tick in ticks)
    days = pane.forecast_chart.axes(Qt.Orientation.Horizontal)[0]
    assert (days.max(), days.tickInterval()) == (60, 20)  # a 60-day forecast: days 0, 20, 40, 60
