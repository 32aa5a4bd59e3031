"""SPEC §12 in scenario files: named problems for bad values, and written back only when set.

Also :mod:`builder.engine.limits` on its own: the rolling week and the reason
a due task is held back.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from builder.engine.limits import Allowance, HoldReason, ProfileLimits, uses_schedule
from builder.engine.scenario import ScenarioError, parse_scenario
from builder.engine.scenario_writer import scenario_data
from builder.engine.words import NodeKind

CONNECT, MESSAGE, EMAIL = NodeKind.LINKEDIN_CONNECT, NodeKind.LINKEDIN_MESSAGE, NodeKind.EMAIL


def good() -> dict[str, Any]:
    return {
        "sender_profiles": [
            {
                "id": "anna",
                "daily_limit": 30,
                "limits": {"linkedin_connect": 20, "email": 40},
                "weekly_limits": {"linkedin_connect": 100},
                "working_days": [4, 0, 1, 2, 3],
            },
            {"id": "omar"},
        ],
        "contacts": [{"id": "c1", "tags": ["cto"]}],
        "automation": {
            "name": "CTOs",
            "branches": [
                {"id": "b", "segment": {"all": True}, "sender_profiles": ["anna"], "steps": [{"type": "email"}]}
            ],
        },
        "events": [{"day": 0, "type": "start"}],
        "start_weekday": 2,
    }


def problems(edit: Any) -> list[str]:
    data = good()
    edit(data)
    with pytest.raises(ScenarioError) as error:
        parse_scenario(data)
    return error.value.problems


def anna(key: str, value: Any) -> Any:
    return lambda data: data["sender_profiles"][0].__setitem__(key, value)


def test_a_good_scenario_reads_its_limits_and_working_days():
    scenario = parse_scenario(good())
    profile = scenario.sender_profiles[0]
    assert profile.limits == {CONNECT: 20, EMAIL: 40}
    assert profile.weekly_limits == {CONNECT: 100}
    assert profile.working_days == (0, 1, 2, 3, 4)
    assert scenario.start_weekday == 2
    omar = scenario.sender_profiles[1]
    assert (omar.limits, omar.weekly_limits, omar.working_days) == ({}, {}, (0, 1, 2, 3, 4, 5, 6))


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            anna("limits", {"linkedin_invite": 5}),
            "sender_profiles[0].limits.linkedin_invite: unknown action kind 'linkedin_invite' "
            "(one of linkedin_connect, linkedin_message, email)",
        ),
        (anna("limits", {"email": -1}), "sender_profiles[0].limits.email: must be 0 or more, got -1"),
        (
            anna("limits", {"email": 2.5}),
            "sender_profiles[0].limits.email: expected a whole number, got the number 2.5",
        ),
        (anna("limits", {"email": True}), "sender_profiles[0].limits.email: expected a whole number, got true"),
        (
            anna("limits", [20]),
            "sender_profiles[0].limits: expected an object of action kind to number, got a list",
        ),
        (
            anna("weekly_limits", {"wait": 3}),
            "sender_profiles[0].weekly_limits.wait: unknown action kind 'wait' "
            "(one of linkedin_connect, linkedin_message, email)",
        ),
        (
            anna("weekly_limits", {"linkedin_connect": -5}),
            "sender_profiles[0].weekly_limits.linkedin_connect: must be 0 or more, got -5",
        ),
        (
            anna("weekly_limits", {"linkedin_connect": "100"}),
            "sender_profiles[0].weekly_limits.linkedin_connect: expected a whole number, got the text '100'",
        ),
        (
            anna("working_days", [0, 7]),
            "sender_profiles[0].working_days[1]: must be a weekday number from 0 (Monday) to 6 (Sunday), got 7",
        ),
        (
            anna("working_days", [-1]),
            "sender_profiles[0].working_days[0]: must be a weekday number from 0 (Monday) to 6 (Sunday), got -1",
        ),
        (anna("working_days", [1, 2, 1]), "sender_profiles[0].working_days[2]: weekday 1 is listed twice"),
        (
            anna("working_days", ["Monday"]),
            "sender_profiles[0].working_days[0]: expected a weekday number (0 = Monday … 6 = Sunday), "
            "got the text 'Monday'",
        ),
        (
            anna("working_days", []),
            "sender_profiles[0].working_days: names no day: list at least one weekday (0 = Monday … 6 = Sunday)",
        ),
        (
            anna("working_days", 5),
            "sender_profiles[0].working_days: expected a list of weekday numbers (0 = Monday … 6 = Sunday), "
            "got the number 5",
        ),
        (
            lambda data: data.__setitem__("start_weekday", 7),
            "start_weekday: must be a weekday number from 0 (Monday) to 6 (Sunday), got 7",
        ),
        (
            lambda data: data.__setitem__("start_weekday", "Monday"),
            "start_weekday: expected a whole number, got the text 'Monday'",
        ),
    ],
)
def test_each_bad_value_is_a_named_problem(edit: Any, expected: str):
    assert problems(edit) == [expected]


def test_every_bad_value_is_named_at_once():
    def edit(data: dict[str, Any]) -> None:
        anna("limits", {"email": -1, "fax": 1})(data)
        data["start_weekday"] = -2

    assert len(problems(edit)) == 3


# -- written back only when set -------------------------------------------------------------------------


def test_limits_and_working_days_are_written_back_and_read_the_same():
    scenario = parse_scenario(good())
    data = scenario_data(scenario)
    assert data["sender_profiles"][0]["limits"] == {"linkedin_connect": 20, "email": 40}
    assert data["sender_profiles"][0]["working_days"] == [0, 1, 2, 3, 4]
    assert data["start_weekday"] == 2
    assert parse_scenario(copy.deepcopy(data)) == scenario


def test_nothing_new_is_written_for_a_profile_without_them():
    data = good()
    data["sender_profiles"][0] = {"id": "anna", "working_days": [6, 5, 4, 3, 2, 1, 0]}
    del data["start_weekday"]
    written = scenario_data(parse_scenario(data))
    assert set(written["sender_profiles"][0]) == {"id", "name", "channel", "daily_limit", "weight"}
    assert "start_weekday" not in written


# -- the allowance on its own -----------------------------------------------------------------------------


def test_the_rolling_week_forgets_a_day_after_seven_days():
    allowance = Allowance(ProfileLimits(10, per_week={CONNECT: 2}))
    today = allowance.open_day(0)
    today.took(CONNECT)
    today.took(CONNECT)
    assert not today.can(CONNECT) and today.can(MESSAGE)
    assert not allowance.open_day(6).can(CONNECT)
    assert allowance.open_day(7).can(CONNECT)


def test_a_jump_of_more_than_a_week_empties_the_window():
    allowance = Allowance(ProfileLimits(10, per_week={CONNECT: 1}))
    allowance.open_day(3).took(CONNECT)
    assert allowance.open_day(30).can(CONNECT)
    assert allowance.weekly_used(CONNECT) == 0


def test_days_only_go_forward():
    allowance = Allowance(ProfileLimits(10))
    allowance.open_day(4)
    with pytest.raises(ValueError):
        allowance.open_day(3)


def test_used_counts_against_the_daily_limit_only():
    today = Allowance(ProfileLimits(3, per_day={EMAIL: 3})).open_day(0, used=2)
    assert today.room == 1 and today.can(EMAIL)
    today.took(EMAIL)
    assert today.full


def test_a_weekly_hold_says_which_limit_and_when_it_frees_up():
    # Day 0 is a Wednesday; weekdays only; 2 connection requests a week, both sent on day 0.
    allowance = Allowance(ProfileLimits(10, per_week={CONNECT: 2}, working_days=(0, 1, 2, 3, 4)), start_weekday=2)
    today = allowance.open_day(0)
    today.took(CONNECT)
    today.took(CONNECT)
    hold = today.hold(CONNECT)
    assert hold is not None and (hold.reason, hold.next_day) == (HoldReason.WEEKLY_LIMIT, 7)
    assert hold.words() == "weekly limit of connection requests reached — next on day 7 (Monday)"
    assert hold.words(lambda day: "Wednesday 9 December") == (
        "weekly limit of connection requests reached — next on Wednesday 9 December"
    )


def test_a_day_off_hold_names_the_next_working_day():
    allowance = Allowance(ProfileLimits(10, working_days=(0, 1, 2, 3, 4)), start_weekday=5)  # Saturday
    hold = allowance.open_day(0).hold(EMAIL)
    assert hold is not None and (hold.reason, hold.next_day) == (HoldReason.NOT_WORKING_DAY, 2)
    assert hold.words().startswith("not a working day — next on day 2")


def test_a_daily_hold_of_a_kind_frees_up_the_next_working_day():
    today = Allowance(ProfileLimits(10, per_day={MESSAGE: 1})).open_day(0)
    today.took(MESSAGE)
    hold = today.hold(MESSAGE)
    assert hold is not None and (hold.reason, hold.next_day) == (HoldReason.KIND_DAILY_LIMIT, 1)
    assert today.hold(EMAIL) is None


def test_a_full_day_says_daily_limit():
    today = Allowance(ProfileLimits(1)).open_day(0)
    today.took(EMAIL)
    hold = today.hold(EMAIL)
    assert hold is not None and hold.reason is HoldReason.DAILY_LIMIT and hold.words().startswith("daily limit reached")


def test_a_limit_of_zero_is_never():
    hold = Allowance(ProfileLimits(10, per_week={EMAIL: 0})).open_day(0).hold(EMAIL)
    assert hold is not None and hold.next_day is None and "never" in hold.words()


def test_tasks_recorded_from_before_count_in_the_window():
    allowance = Allowance(ProfileLimits(10, per_day={CONNECT: 1}, per_week={CONNECT: 2}))
    allowance.record(-6, CONNECT)
    allowance.record(-7, CONNECT)  # out of the window: counts against nothing
    allowance.record(0, CONNECT)
    today = allowance.open_day(0)
    assert allowance.weekly_used(CONNECT) == 2 and not today.can(CONNECT)
    assert allowance.open_day(1).can(CONNECT)  # day -6 has left; one of two used


def test_uses_schedule_tells_a_scenario_with_section_12_rules():
    assert uses_schedule(parse_scenario(good()))
    plain = good()
    plain["sender_profiles"][0] = {"id": "anna"}
    assert not uses_schedule(parse_scenario(plain))
    plain["events"].append(
        {"day": 1, "type": "remove_sender_profile", "branch": "b", "sender_profile": "anna", "mode": "move"}
    )
    assert uses_schedule(parse_scenario(plain))
