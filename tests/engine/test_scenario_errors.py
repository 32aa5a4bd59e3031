"""SPEC §7: a bad scenario names every problem by where it is, never a traceback."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from builder.engine.scenario import ScenarioError, load_scenario, parse_scenario, parse_scenario_text


def good_scenario() -> dict[str, Any]:
    return {
        "sender_profiles": [{"id": "anna", "daily_limit": 5}, {"id": "omar"}],
        "contacts": [{"id": "c1", "tags": ["cto"]}, {"id": "c2", "tags": ["cto"]}],
        "automation": {
            "name": "CTOs",
            "branches": [
                {
                    "id": "ctos",
                    "segment": {"tags_any": ["cto"]},
                    "sender_profiles": ["anna"],
                    "steps": [{"type": "linkedin_connect"}, {"type": "wait", "days": 2}, {"type": "email"}],
                }
            ],
        },
        "events": [
            {"day": 0, "type": "start"},
            {"day": 1, "type": "add_contacts", "contacts": [{"id": "c3", "tags": ["cto"]}]},
            {"day": 2, "type": "add_sender_profile", "branch": "ctos", "sender_profile": "omar"},
            {"day": 3, "type": "set_override", "contacts": ["c3"], "sender_profile": "omar"},
        ],
        "days": 5,
    }


def problems_of(data: Any) -> list[str]:
    with pytest.raises(ScenarioError) as raised:
        parse_scenario(data)
    assert raised.value.problems, "a ScenarioError carries at least one problem"
    assert str(raised.value) == "\n".join(raised.value.problems)
    return raised.value.problems


def changed(edit) -> dict[str, Any]:
    data = copy.deepcopy(good_scenario())
    edit(data)
    return data


def test_the_good_scenario_parses():
    scenario = parse_scenario(good_scenario())
    assert [e.where for e in scenario.events] == ["events[0]", "events[1]", "events[2]", "events[3]"]


def test_bad_json_names_where_it_breaks():
    with pytest.raises(ScenarioError) as raised:
        parse_scenario_text('{"sender_profiles": [}', "team.json")
    assert len(raised.value.problems) == 1
    assert raised.value.problems[0].startswith("team.json: not valid JSON at line 1, column")


def test_json_that_is_not_an_object_is_refused():
    (problem,) = problems_of(["not", "an", "object"])
    assert "object" in problem and "list" in problem


def test_unknown_sender_profile_in_an_event():
    def edit(data):
        data["events"][3]["sender_profile"] = "zed"

    assert problems_of(changed(edit)) == ["events[3].sender_profile: no sender profile 'zed'"]


def test_unknown_branch_in_an_event():
    def edit(data):
        data["events"][2]["branch"] = "cfos"

    assert problems_of(changed(edit)) == ["events[2].branch: no branch 'cfos'"]


def test_unknown_contact_in_an_override():
    def edit(data):
        data["overrides"] = [{"contact": "c9", "sender_profile": "anna"}]

    assert problems_of(changed(edit)) == ["overrides[0].contact: no contact 'c9'"]


def test_duplicate_contact_id():
    def edit(data):
        data["contacts"].append({"id": "c1"})

    assert problems_of(changed(edit)) == ["contacts[2].id: duplicate contact id 'c1' (first at contacts[0].id)"]


def test_duplicate_contact_id_added_by_an_event():
    def edit(data):
        data["events"][1]["contacts"].append({"id": "c2"})

    assert problems_of(changed(edit)) == [
        "events[1].contacts[1].id: duplicate contact id 'c2' (first at contacts[1].id)"
    ]


def test_duplicate_sender_profile_id():
    def edit(data):
        data["sender_profiles"].append({"id": "anna"})

    assert problems_of(changed(edit)) == [
        "sender_profiles[2].id: duplicate sender profile id 'anna' (first at sender_profiles[0])"
    ]


def test_daily_limit_as_text_is_a_wrong_type():
    def edit(data):
        data["sender_profiles"][0]["daily_limit"] = "5"

    assert problems_of(changed(edit)) == ["sender_profiles[0].daily_limit: expected a whole number, got the text '5'"]


def test_negative_daily_limit():
    def edit(data):
        data["sender_profiles"][1]["daily_limit"] = -1

    assert problems_of(changed(edit)) == ["sender_profiles[1].daily_limit: must be 0 or more, got -1"]


def test_true_is_not_a_number():
    def edit(data):
        data["days"] = True

    assert problems_of(changed(edit)) == ["days: expected a whole number, got true"]


def test_unknown_event_type():
    def edit(data):
        data["events"].append({"day": 4, "type": "explode"})

    (problem,) = problems_of(changed(edit))
    assert problem.startswith("events[4].type: unknown event 'explode' (one of start, pause")


def test_unknown_step_type():
    def edit(data):
        data["automation"]["branches"][0]["steps"][0] = {"type": "call"}

    (problem,) = problems_of(changed(edit))
    assert problem.startswith("automation.branches[0].steps[0].type: unknown step 'call'")


def test_unknown_key_is_named():
    def edit(data):
        data["sender_profiles"][0]["limit"] = 3

    assert problems_of(changed(edit)) == ["sender_profiles[0].limit: unknown key 'limit'"]


def test_event_after_the_last_day():
    def edit(data):
        data["events"].append({"day": 5, "type": "pause"})

    assert problems_of(changed(edit)) == ["events[4].day: is day 5, but the scenario runs days 0 to 4"]


def test_bad_removal_mode():
    def edit(data):
        data["events"].append(
            {"day": 4, "type": "remove_sender_profile", "branch": "ctos", "sender_profile": "anna", "mode": "later"}
        )

    assert problems_of(changed(edit)) == [
        "events[4].mode: must be 'cancel', 'continue' or 'move', got the text 'later'"
    ]


def test_missing_automation():
    def edit(data):
        del data["automation"]

    problems = problems_of(changed(edit))
    assert "automation: is missing" in problems


def test_several_problems_are_reported_together_each_with_its_path():
    def edit(data):
        data["sender_profiles"][0]["daily_limit"] = -3
        data["contacts"].append({"id": "c2"})
        data["events"][3]["sender_profile"] = "zed"
        data["events"].append({"day": 4, "type": "explode"})

    problems = problems_of(changed(edit))
    assert len(problems) == 4
    assert problems[:3] == [
        "sender_profiles[0].daily_limit: must be 0 or more, got -3",
        "contacts[2].id: duplicate contact id 'c2' (first at contacts[1].id)",
        "events[3].sender_profile: no sender profile 'zed'",
    ]
    assert problems[3].startswith("events[4].type: unknown event 'explode'")


def test_parse_text_reports_problems_of_valid_json_too():
    with pytest.raises(ScenarioError) as raised:
        parse_scenario_text('{"automation": {"branches": []}}')
    assert raised.value.problems == ["automation.branches: needs at least one branch"]


# -- not hashable values where the reader compares against known names ----------------------
# SPEC §7: "Never a traceback." These currently escape as TypeError.


def test_event_type_that_is_a_list_is_a_problem_not_a_crash():
    def edit(data):
        data["events"][0]["type"] = ["start"]

    (problem,) = problems_of(changed(edit))
    assert problem.startswith("events[0].type: unknown event")


def test_removal_mode_that_is_a_list_is_a_problem_not_a_crash():
    def edit(data):
        data["events"].append(
            {"day": 4, "type": "remove_sender_profile", "branch": "ctos", "sender_profile": "anna", "mode": ["cancel"]}
        )

    assert problems_of(changed(edit)) == ["events[4].mode: must be 'cancel', 'continue' or 'move', got a list"]


# -- files -------------------------------------------------------------------------------------


def one_sentence(error: ScenarioError) -> str:
    assert len(error.problems) == 1
    return error.problems[0]


def test_load_a_missing_file(tmp_path: Path):
    path = tmp_path / "nowhere.json"
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert one_sentence(raised.value) == f"{path}: no such file"


def test_load_a_directory(tmp_path: Path):
    with pytest.raises(ScenarioError) as raised:
        load_scenario(tmp_path)
    assert one_sentence(raised.value) == f"{tmp_path}: is a folder, not a scenario file"


def test_load_an_empty_file(tmp_path: Path):
    path = tmp_path / "empty.json"
    path.write_text("  \n")
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert one_sentence(raised.value) == f"{path}: the file is empty; a scenario is a JSON object"


def test_load_a_file_that_is_not_utf8(tmp_path: Path):
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"automation": "\xe9"}')
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert "is not a text file" in one_sentence(raised.value)


def test_load_bad_json_names_the_file(tmp_path: Path):
    path = tmp_path / "broken.json"
    path.write_text('{\n  "days": 3,\n}\n')
    with pytest.raises(ScenarioError) as raised:
        load_scenario(path)
    assert one_sentence(raised.value).startswith(f"{path}: not valid JSON at line 3")


def test_load_a_good_file_with_a_byte_order_mark(tmp_path: Path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(good_scenario()).encode())
    assert load_scenario(path).automation.name == "CTOs"


def test_a_bad_state_block_is_named_not_a_crash():
    from builder.engine.scenario import ScenarioError, parse_scenario

    data = {
        "sender_profiles": [{"id": "anna"}],
        "contacts": [{"id": "c1", "tags": ["x"]}],
        "automation": {"branches": [{"id": "b", "segment": {"tags_any": ["x"]}, "sender_profiles": [], "steps": [{"type": "email"}]}]},
        "state": {
            "automation": "running",
            "sender_profiles": {"b": [{"sender_profile": ["anna"], "state": "active"},
                                      {"sender_profile": "anna", "state": "active"}]},
            "enrollments": [
                {"contact": ["c1"], "branch": "b", "sender_profile": None, "reason": None, "day": 0, "status": "waiting"},
                {"contact": "c1", "branch": "b", "sender_profile": "anna", "reason": "override", "day": 0,
                 "status": "active", "tasks": [{"step": 0, "status": "skipped", "due_day": 0, "done_day": 0}]},
            ],
            "done_today": {"ghost": 1, "anna": -2},
        },
    }  # fmt: skip
    try:
        parse_scenario(data)
    except ScenarioError as error:
        problems = error.problems
    else:
        raise AssertionError("a bad state block was accepted")
    assert "state.sender_profiles.b[0].sender_profile: no sender profile '['anna']'" in problems
    assert "state.enrollments[0].contact: no contact '['c1']'" in problems
    assert "state.enrollments[1].tasks[0].status: must be pending, done or canceled" in problems
    assert "state.done_today.ghost: no sender profile 'ghost'" in problems
    assert "state.done_today.anna: expected a whole number of 0 or more" in problems


def test_a_segment_of_everyone_must_say_true():
    def edit(data):
        data["automation"]["branches"][0]["segment"] = {"all": False}

    assert "automation.branches[0].segment.all: expected true, got false" in problems_of(changed(edit))


def _state_problems(state_edit) -> list[str]:
    """The problems of a running scenario whose state block ``state_edit`` changed."""
    from builder.engine.scenario import ScenarioError, parse_scenario

    data = {
        "sender_profiles": [{"id": "anna"}, {"id": "bob"}, {"id": "zed"}],
        "contacts": [{"id": "c1", "tags": ["x"]}, {"id": "c2", "tags": ["x"]}],
        "automation": {"branches": [{"id": "b", "segment": {"tags_any": ["x"]}, "sender_profiles": ["anna", "bob"],
                                     "steps": [{"type": "email"}, {"type": "wait", "days": 1}, {"type": "email"}]}]},
        "state": {
            "automation": "running",
            "sender_profiles": {"b": [{"sender_profile": "anna", "state": "active"},
                                      {"sender_profile": "bob", "state": "active"}]},
            "enrollments": [
                {"contact": "c1", "branch": "b", "sender_profile": "anna", "reason": "even_distribution", "day": -3,
                 "status": "active", "tasks": [{"step": 0, "status": "done", "due_day": -3, "done_day": -2},
                                               {"step": 2, "status": "pending", "due_day": 1, "done_day": None}]},
            ],
        },
    }  # fmt: skip
    state_edit(data["state"])
    try:
        parse_scenario(data)
    except ScenarioError as error:
        return error.problems
    return []


def test_a_state_block_holds_what_the_top_level_would_hold():
    assert _state_problems(lambda state: None) == []

    def twice(state):
        state["sender_profiles"]["b"].append({"sender_profile": "anna", "state": "active"})

    assert _state_problems(twice) == [
        "state.sender_profiles.b[2].sender_profile: sender profile 'anna' is listed twice in branch 'b'"
    ]

    def elsewhere(state):
        state["enrollments"][0]["sender_profile"] = "zed"

    assert _state_problems(elsewhere) == [
        "state.enrollments[0].sender_profile: sender profile 'zed' is not attached to branch 'b'"
    ]


def test_a_state_block_holds_no_future():
    def enrolled_tomorrow(state):
        state["enrollments"][0]["day"] = 2

    assert _state_problems(enrolled_tomorrow) == [
        "state.enrollments[0].day: is day 2, after today (day 0): a saved run holds only what has happened"
    ]

    def done_tomorrow(state):
        state["enrollments"][0]["tasks"][0]["done_day"] = 1

    assert _state_problems(done_tomorrow)[0] == (
        "state.enrollments[0].tasks[0].done_day: is day 1, after today (day 0): a task is done when it happened"
    )

    def done_before_enrolling(state):
        state["enrollments"][0]["tasks"][0]["done_day"] = -5

    assert _state_problems(done_before_enrolling)[0] == (
        "state.enrollments[0].tasks[0].done_day: is day -5, before the contact enrolled on day -3"
    )

    def done_on_no_day(state):
        state["enrollments"][0]["tasks"][0]["done_day"] = None

    assert (
        _state_problems(done_on_no_day)[0]
        == "state.enrollments[0].tasks[0].done_day: a done task has the day it was done"
    )


def test_json_a_person_did_not_mean_is_named_not_guessed():
    from builder.engine.scenario import ScenarioError, parse_scenario_text

    def problems(text: str) -> list[str]:
        try:
            parse_scenario_text(text, "s.json")
        except ScenarioError as error:
            return error.problems
        raise AssertionError("accepted")

    good = json.dumps(good_scenario())
    huge = good.replace('"days": 5', '"days": ' + "9" * 5000)
    assert huge != good and problems(huge) == ["s.json: a whole number of 5,000 digits is far too large for any value"]

    twice = good.replace('"name": "CTOs"', '"name": "CTOs", "name": "CFOs"')
    assert twice != good and problems(twice) == ["s.json: automation: the key 'name' is given twice"]

    half = good.replace('"name": "CTOs"', '"name": "CT\\ud800Os"')
    assert half != good and problems(half) == [
        "s.json: automation.name: holds half of a character (a lone \\ud800-style escape)"
    ]
    whole = good.replace('"name": "CTOs"', '"name": "CTOs \\ud83d\\ude80"')  # a pair is one character: fine
    assert parse_scenario_text(whole).automation.name == "CTOs 🚀"


def test_an_event_after_a_scenario_of_no_days_says_so():
    def edit(data):
        data["days"] = 0

    assert any('the scenario runs no day at all ("days": 0)' in p for p in problems_of(changed(edit)))
