"""Limits per action, per rolling week and working days in a workspace (SPEC §12, issue 14).

Today's plan goes by them on real dates, and says why a due task waits, naming
the date it may go. 30 November 2026 is a Monday.
"""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta

import pytest

from builder.engine.limits import ProfileLimits
from builder.engine.words import NodeKind
from builder.store.database import WorkspaceError
from builder.store.profile_limits import LINKEDIN_DEFAULTS
from builder.store.workspace import Workspace
from tests.store.builders import build_outreach
from tests.store.test_migrations import version_1_workspace

MONDAY = date(2026, 11, 30)
CONNECT, MESSAGE = NodeKind.LINKEDIN_CONNECT, NodeKind.LINKEDIN_MESSAGE


def _running(ws: Workspace, contacts: int = 5, **limits) -> tuple:
    anna = ws.create_sender_profile("Anna", daily_limit=limits.pop("daily_limit", 50), **limits)
    ws.add_contacts([{"name": f"Lead {i}", "tags": ["cto"]} for i in range(contacts)])
    flow = build_outreach(ws)  # connect, wait 2 days, message
    ws.attach_sender_profile(flow.profile_node, anna)
    ws.start(flow.automation)
    return flow, anna


def _kinds(ws: Workspace) -> list[NodeKind]:
    return [t.kind for tasks in ws.plan_today().values() for t in tasks]


def _do_all(ws: Workspace) -> None:
    for tasks in ws.plan_today().values():
        for task in tasks:
            ws.mark_done(task.task_id)


# -- kept, checked, migrated --------------------------------------------------------


def test_limits_and_working_days_are_kept_and_read_back(open_workspace):
    ws = open_workspace(MONDAY)
    anna = ws.create_sender_profile(
        "Anna",
        "linkedin",
        40,
        1,
        limits={"linkedin_message": 30, "linkedin_connect": 20},
        weekly_limits={"linkedin_connect": 100},
        working_days=[4, 0, 1, 2, 3],
    )
    bob = ws.create_sender_profile("Bob", "email", 40)
    ws.close()
    again = open_workspace(MONDAY)
    first, second = again.sender_profiles()
    assert (first.id, first.limits, first.weekly_limits, first.working_days) == (
        anna,
        {"linkedin_connect": 20, "linkedin_message": 30},
        {"linkedin_connect": 100},
        (0, 1, 2, 3, 4),
    )
    assert (second.id, second.limits, second.weekly_limits, second.working_days) == (bob, {}, {}, tuple(range(7)))
    assert first.profile_limits() == ProfileLimits(40, {CONNECT: 20, MESSAGE: 30}, {CONNECT: 100}, (0, 1, 2, 3, 4))
    again.update_sender_profile(bob, limits={"email": 25}, working_days=[5, 6])
    again.update_sender_profile(anna, weekly_limits={})
    by_id = {p.id: p for p in again.sender_profiles()}
    assert (by_id[bob].limits, by_id[bob].working_days) == ({"email": 25}, (5, 6))
    assert by_id[anna].weekly_limits == {} and by_id[anna].limits == {"linkedin_connect": 20, "linkedin_message": 30}


@pytest.mark.parametrize(
    ("change", "sentence"),
    [
        ({"limits": {"wait": 2}}, "A daily limit is set per action — LinkedIn connect, LinkedIn message or Email"),
        ({"weekly_limits": {"linkedin_connect": -1}}, "weekly limit of connection requests is a whole number"),
        ({"limits": {"email": 2.5}}, "daily limit of emails is a whole number of 0 or more"),
        ({"limits": {"email": True}}, "daily limit of emails is a whole number"),
        ({"working_days": []}, "Choose at least one working day."),
        ({"working_days": [0, 7]}, "Working days are Monday (0) to Sunday (6), not 7."),
        ({"working_days": [1, 2, 1]}, "Each working day is chosen once: Tuesday is there twice."),
    ],
)
def test_bad_limits_and_days_are_refused_with_a_sentence_and_change_nothing(open_workspace, change, sentence):
    ws = open_workspace(MONDAY)
    anna = ws.create_sender_profile("Anna", limits={"email": 5}, working_days=[0, 1])
    before = ws.sender_profiles()
    with pytest.raises(WorkspaceError, match=sentence.replace("(", r"\(").replace(")", r"\)")):
        ws.update_sender_profile(anna, name="Anna B", **change)
    assert ws.sender_profiles() == before
    with pytest.raises(WorkspaceError):
        ws.create_sender_profile("Bob", **change)
    assert ws.sender_profiles() == before


def test_linkedin_defaults_say_where_the_numbers_come_from():
    assert LINKEDIN_DEFAULTS.weekly_limits == {"linkedin_connect": 100}
    assert LINKEDIN_DEFAULTS.limits["linkedin_connect"] * len(LINKEDIN_DEFAULTS.working_days) <= 100
    assert LINKEDIN_DEFAULTS.working_days == (0, 1, 2, 3, 4)
    assert "100" in LINKEDIN_DEFAULTS.why and "change" in LINKEDIN_DEFAULTS.why


def test_an_old_workspace_keeps_its_profiles_and_gets_no_limits_and_every_day(tmp_path):
    path = tmp_path / "old.sqlite"
    version_1_workspace(path)
    with Workspace.open(path, today=MONDAY) as ws:
        (anna,) = ws.sender_profiles()
        assert (anna.name, anna.daily_limit) == ("Anna", 40)
        assert (anna.limits, anna.weekly_limits, anna.working_days) == ({}, {}, (0, 1, 2, 3, 4, 5, 6))
    with sqlite3.connect(path) as raw:
        columns = {row[1] for row in raw.execute("PRAGMA table_info(enrollment)")}
    assert "moved_from_id" in columns


# -- today's plan ---------------------------------------------------------------------


def test_a_weekly_cap_holds_connects_back_while_messages_still_go(open_workspace):
    ws = open_workspace(MONDAY)
    _running(ws, weekly_limits={"linkedin_connect": 3})
    assert _kinds(ws) == [CONNECT] * 3
    _do_all(ws)
    ws.set_today(MONDAY + timedelta(days=2))  # the three messages fall due; the week has its 3 connects
    assert _kinds(ws) == [MESSAGE] * 3
    held = ws.held_today()
    assert [h.kind for h in held] == [CONNECT, CONNECT]
    assert {h.reason for h in held} == {"weekly limit of connection requests reached — next on Monday 7 December"}
    assert [h.contact_name for h in held] == ["Lead 3", "Lead 4"] and held[0].due == MONDAY


def test_the_rolling_week_counts_this_day_and_the_six_before(open_workspace):
    ws = open_workspace(MONDAY)
    _running(ws, weekly_limits={"linkedin_connect": 3})
    _do_all(ws)
    ws.set_today(date(2026, 12, 6))  # Sunday: Monday 30 November is the sixth day before, still in the week
    assert CONNECT not in _kinds(ws)
    ws.set_today(date(2026, 12, 7))  # Monday: 30 November has left the week
    assert _kinds(ws).count(CONNECT) == 2


def test_a_day_off_plans_nothing_and_says_when_work_goes_on(open_workspace):
    ws = open_workspace(date(2026, 12, 5))  # a Saturday
    _running(ws, working_days=[0, 1, 2, 3, 4])
    assert ws.plan_today() == {}
    held = ws.held_today()
    assert len(held) == 5
    assert {h.reason for h in held} == {"Saturday is not a working day for Anna — next on Monday 7 December"}
    ws.set_today(date(2026, 12, 6))
    assert ws.plan_today() == {}
    assert {h.reason for h in ws.held_today()} == {
        "Sunday is not a working day for Anna — next tomorrow, Monday 7 December"
    }
    ws.set_today(date(2026, 12, 7))
    assert _kinds(ws) == [CONNECT] * 5 and ws.held_today() == []


def test_a_daily_limit_per_action_and_the_daily_limit_say_tomorrow(open_workspace):
    ws = open_workspace(MONDAY)
    _running(ws, limits={"linkedin_connect": 2})
    assert _kinds(ws) == [CONNECT] * 2
    assert {h.reason for h in ws.held_today()} == {
        "daily limit of connection requests reached — next tomorrow, Tuesday 1 December"
    }
    ws.set_today(date(2026, 12, 3))
    ws.update_sender_profile(ws.sender_profiles()[0].id, limits={}, daily_limit=1)
    assert _kinds(ws) == [CONNECT]
    assert {h.reason for h in ws.held_today()} == {"daily limit of 1 reached — next tomorrow, Friday 4 December"}


def test_tasks_done_today_count_against_the_limits_per_action(open_workspace):
    ws = open_workspace(MONDAY)
    _running(ws, limits={"linkedin_connect": 3})
    first = ws.plan_today()
    (anna,) = first
    ws.mark_done(first[anna][0].task_id)
    ws.mark_done(first[anna][1].task_id)
    assert _kinds(ws) == [CONNECT]  # 2 of the 3 done already
    assert len(ws.held_today()) == 2


def test_a_limit_of_zero_holds_its_kind_for_good(open_workspace):
    ws = open_workspace(MONDAY)
    _running(ws, contacts=2, weekly_limits={"linkedin_connect": 0})
    assert ws.plan_today() == {}
    assert {h.reason for h in ws.held_today()} == {
        "weekly limit of connection requests reached — a limit of 0 means never"
    }


# -- scenario files ---------------------------------------------------------------------


def test_a_scenario_file_keeps_the_limits_and_todays_real_weekday(open_workspace):
    ws = open_workspace(date(2026, 12, 3))  # a Thursday
    flow, anna = _running(ws, limits={"linkedin_connect": 20}, weekly_limits={"linkedin_connect": 100})
    ws.update_sender_profile(anna, working_days=[0, 1, 2, 3, 4])
    data = ws.scenario_for(flow.automation)
    assert data["start_weekday"] == 3
    (profile,) = data["sender_profiles"]
    assert (profile["limits"], profile["weekly_limits"], profile["working_days"]) == (
        {"linkedin_connect": 20},
        {"linkedin_connect": 100},
        [0, 1, 2, 3, 4],
    )


def test_a_workspace_without_limits_writes_what_it_always_did(open_workspace):
    ws = open_workspace(date(2026, 12, 3))
    flow, _ = _running(ws)
    data = ws.scenario_for(flow.automation)
    assert "start_weekday" not in data
    assert not {"limits", "weekly_limits", "working_days"} & set(data["sender_profiles"][0])


def test_limits_go_from_a_scenario_file_into_a_workspace_and_back(open_workspace):
    from builder.engine.scenario import parse_scenario
    from builder.store.scenario_import import load_into

    profile = {
        "id": "anna", "name": "Anna", "daily_limit": 30, "limits": {"email": 7},
        "weekly_limits": {"linkedin_connect": 9}, "working_days": [1, 3],
    }  # fmt: skip
    data = {
        "sender_profiles": [profile],
        "contacts": [{"id": "c1", "name": "Jo Lee", "tags": ["cto"]}],
        "automation": {
            "name": "CTO outreach",
            "branches": [
                {
                    "id": "b",
                    "segment": {"tags_any": ["cto"]},
                    "sender_profiles": ["anna"],
                    "steps": [{"type": "linkedin_connect"}],
                }
            ],
        },
        "events": [],
        "start_weekday": 3,
    }
    ws = open_workspace(date(2026, 12, 3))  # a Thursday, as the file's day 0
    loaded = load_into(ws, parse_scenario(data))
    assert not loaded.warnings
    (kept,) = ws.sender_profiles()
    assert (kept.limits, kept.weekly_limits, kept.working_days) == ({"email": 7}, {"linkedin_connect": 9}, (1, 3))
    written = ws.scenario_for(loaded.automation_id)
    assert written["start_weekday"] == 3
    (back,) = written["sender_profiles"]
    assert {k: back[k] for k in ("limits", "weekly_limits", "working_days")} == {
        k: profile[k] for k in ("limits", "weekly_limits", "working_days")
    }


def test_a_scenario_whose_day_0_is_another_weekday_says_so(open_workspace):
    from builder.engine.scenario import parse_scenario
    from builder.store.scenario_import import load_into

    data = {
        "sender_profiles": [{"id": "anna", "name": "Anna", "working_days": [0, 1, 2, 3, 4]}],
        "contacts": [],
        "automation": {"name": "A", "branches": [{"id": "b", "segment": {"all": True}, "sender_profiles": ["anna"],
                                                  "steps": [{"type": "email"}]}]},
        "events": [],
        "start_weekday": 3,
    }  # fmt: skip
    ws = open_workspace(MONDAY)
    loaded = load_into(ws, parse_scenario(data))
    assert loaded.warnings == [
        "start_weekday: the scenario's day 0 is a Thursday; the workspace counts from today, a Monday."
    ]


def test_a_held_task_cannot_be_marked_done_by_hand(open_workspace):
    ws = open_workspace(MONDAY)
    _running(ws, weekly_limits={"linkedin_connect": 1})
    _do_all(ws)
    held = ws.held_today()[0]
    with pytest.raises(WorkspaceError, match="Anna cannot do this task today: weekly limit of connection requests"):
        ws.mark_done(held.task_id)
    ws.skip_task(held.task_id)  # skipping records nothing, so no limit stands in its way
