"""SPEC §11 in scenario files: messages on steps, read with their problems, filled in on done tasks."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from builder.engine.json_lines import records_json
from builder.engine.report import result_object, to_json, to_text
from builder.engine.report_paths import path_result_object
from builder.engine.scenario import ScenarioError, parse_scenario
from builder.engine.scenario_writer import scenario_data
from builder.engine.simulation import simulate
from tests.budget import examples
from tests.engine.test_json_writer import NASTY, fast, reference, run_skipping_refused
from tests.engine.test_messages import templates
from tests.engine.test_paths_properties import tree_scenarios
from tests.engine.test_properties import scenarios
from tests.engine.test_scenario_errors import problems_of


def outreach(steps: list[dict[str, Any]], days: int = 3) -> dict[str, Any]:
    """Anna (limit 2) and Omar Al Farsi (limit 1) contact Jo Lee and Cher, one step a day."""
    return {
        "sender_profiles": [
            {"id": "anna", "name": "Anna Berg", "daily_limit": 2},
            {"id": "omar", "name": "Omar Al Farsi", "daily_limit": 1},
        ],
        "contacts": [
            {"id": "jo", "name": "Jo Lee", "company": "Acme", "title": "CTO", "tags": ["t"]},
            {"id": "cher", "name": "Cher", "tags": ["t"]},
        ],
        "overrides": [{"contact": "jo", "sender_profile": "anna"}, {"contact": "cher", "sender_profile": "omar"}],
        "automation": {
            "name": "Messages",
            "branches": [{"id": "b", "segment": {"all": True}, "sender_profiles": ["anna", "omar"], "steps": steps}],
        },
        "events": [{"day": 0, "type": "start"}],
        "days": days,
    }


STEPS = [
    {"type": "linkedin_connect", "text": "Hi {{first_name}}, {{sender_first_name}} here"},
    {"type": "wait", "days": 1},
    {"type": "linkedin_message", "text": "How is {{company|your team}}, {{ name }}?"},
    {"type": "wait", "days": 1},
    {
        "type": "email",
        "subject": "{{title|A question}} at {{company}}",
        "text": "{{last_name|Hello}} — {{sender_name}}",
    },
]


def tasks_of(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The tasks of the reference object; the fast writer must write the same text."""
    result = simulate(parse_scenario(data))
    assert to_json(result) == records_json(result_object(result))
    return result_object(result)["tasks"]


def test_a_done_task_carries_its_message_filled_in_for_its_contact_and_profile():
    tasks = tasks_of(outreach(STEPS))
    said = [(t["contact"], t["type"], t.get("subject"), t.get("message")) for t in tasks]
    assert said == [
        ("jo", "linkedin_connect", None, "Hi Jo, Anna here"),
        ("jo", "linkedin_message", None, "How is Acme, Jo Lee?"),
        ("jo", "email", "CTO at Acme", "Lee — Anna Berg"),
        ("cher", "linkedin_connect", None, "Hi Cher, Omar here"),
        ("cher", "linkedin_message", None, "How is your team, Cher?"),
        ("cher", "email", "A question at ", "Hello — Omar Al Farsi"),
    ]


def test_a_pending_task_has_no_message_yet():
    tasks = tasks_of(outreach(STEPS, days=1))
    assert [t["status"] for t in tasks] == ["done", "pending", "pending"] * 2
    assert [("message" in t, "subject" in t) for t in tasks if t["status"] == "pending"] == [(False, False)] * 4


def test_a_canceled_task_has_no_message():
    data = outreach(STEPS, days=2)
    data["events"].append(
        {"day": 1, "type": "remove_sender_profile", "branch": "b", "sender_profile": "omar", "mode": "cancel"}
    )
    canceled = [t for t in tasks_of(data) if t["status"] == "canceled"]
    assert canceled and not any("message" in t or "subject" in t for t in canceled)


def test_a_step_without_a_message_gives_its_tasks_none():
    steps = [{"type": "linkedin_connect"}, {"type": "email", "subject": "Only a subject"}]
    tasks = tasks_of(outreach(steps))
    assert [(t.get("subject"), "message" in t) for t in tasks] == [(None, False), ("Only a subject", False)] * 2


PATH_STEPS = [
    {"type": "linkedin_connect", "text": "Hi {{first_name}}"},
    {"type": "condition", "has": "email", "yes": [], "no": [{"type": "linkedin_message", "text": "{{name}}!"}]},
]


def test_a_path_run_fills_the_messages_of_its_nodes():
    tasks = tasks_of(outreach(PATH_STEPS))
    said = [(t["contact"], t["node"], t.get("message")) for t in tasks]
    assert said == [
        ("jo", "0", "Hi Jo"),
        ("jo", "1.no.0", "Jo Lee!"),
        ("cher", "0", "Hi Cher"),
        ("cher", "1.no.0", "Cher!"),
    ]


def test_a_pending_task_of_a_path_has_no_message_yet():
    data = outreach(PATH_STEPS, days=1)
    data["sender_profiles"][0]["daily_limit"] = 1  # Anna does Jo's connect only
    data["sender_profiles"][1]["daily_limit"] = 0  # Omar does nothing: Cher's connect stays pending
    tasks = tasks_of(data)
    assert [(t["contact"], t["status"], t.get("message")) for t in tasks] == [
        ("jo", "done", "Hi Jo"),
        ("jo", "pending", None),
        ("cher", "pending", None),
    ]


def test_the_readable_summary_still_reads():
    assert "Messages: 2 contacts enrolled" in to_text(simulate(parse_scenario(outreach(STEPS))))


# Reading -------------------------------------------------------------------------------------


def test_an_unknown_variable_is_a_problem_at_its_step():
    data = outreach([{"type": "linkedin_connect"}, {"type": "email", "subject": "Hi {{frist_name}}", "text": "x"}])
    assert problems_of(data) == [
        "automation.branches[0].steps[1].subject: unknown variable 'frist_name' at character 4 "
        "(one of first_name, last_name, name, company, title, sender_name, sender_first_name)"
    ]


def test_an_unknown_variable_inside_a_control_output_names_its_place():
    steps = [{"type": "condition", "has": "email", "yes": [{"type": "linkedin_message", "text": "{{x|y}}"}]}]
    assert problems_of(outreach(steps)) == [
        "automation.branches[0].steps[0].yes[0].text: unknown variable 'x' at character 1 "
        "(one of first_name, last_name, name, company, title, sender_name, sender_first_name)"
    ]


def test_a_broken_variable_is_a_problem():
    problems = problems_of(outreach([{"type": "linkedin_message", "text": "Hi {{first_name}"}]))
    assert problems == ["automation.branches[0].steps[0].text: '{{' not closed with '}}' at character 4"]


def test_a_subject_on_a_linkedin_step_and_a_text_on_a_wait_are_problems():
    steps = [
        {"type": "linkedin_message", "subject": "s", "text": "t"},
        {"type": "wait", "days": 1, "text": "t"},
        {"type": "linkedin_connect", "subject": "s"},
    ]
    assert problems_of(outreach(steps)) == [
        "automation.branches[0].steps[0].subject: unknown key 'subject'",
        "automation.branches[0].steps[1].text: unknown key 'text'",
        "automation.branches[0].steps[2].subject: unknown key 'subject'",
    ]


def test_a_message_must_be_a_text():
    assert problems_of(outreach([{"type": "email", "subject": 3}])) == [
        "automation.branches[0].steps[0].subject: expected a text, got the number 3"
    ]


def test_a_connect_note_over_300_characters_without_its_variables_is_a_problem():
    at_most = {"type": "linkedin_connect", "text": "x" * 300 + "{{company}}"}
    parse_scenario(outreach([at_most]))
    over = {"type": "linkedin_connect", "text": "x" * 301 + "{{company}}"}
    assert problems_of(outreach([over])) == [
        "automation.branches[0].steps[0].text: a connect note holds at most 300 characters once filled in; "
        "this one has 301 without its variables"
    ]
    parse_scenario(outreach([{"type": "linkedin_message", "text": "x" * 1000}]))  # only a connect note is limited


def test_a_connect_note_over_300_once_filled_in_is_a_warning_and_the_task_is_still_done():
    data = outreach([{"type": "linkedin_connect", "text": "x" * 297 + "{{first_name}}"}])
    obj = result_object(simulate(parse_scenario(data)))
    assert [t["status"] for t in obj["tasks"]] == ["done", "done"]
    assert obj["warnings"] == [
        "contact 'cher': the connect note of step 0 in branch 'b' is 301 characters once filled in "
        "(done on day 0); LinkedIn takes at most 300"
    ]  # Jo's note is 299


def test_a_long_note_in_a_path_names_its_node():
    steps = [
        {"type": "condition", "has": "email", "no": [{"type": "linkedin_connect", "text": "x" * 298 + "{{name}}"}]}
    ]
    obj = result_object(simulate(parse_scenario(outreach(steps))))
    assert [w.split(":")[0] for w in obj["warnings"]] == ["contact 'jo'", "contact 'cher'"]
    assert "step 0.no.0 in branch 'b' is 304 characters" in obj["warnings"][0]


def test_messages_are_written_back_as_read():
    data = outreach(STEPS)
    written = scenario_data(parse_scenario(data))
    assert written["automation"]["branches"][0]["steps"] == STEPS
    assert parse_scenario(written) == parse_scenario(data)


def test_a_step_without_a_message_is_written_back_without_one():
    written = scenario_data(parse_scenario(outreach([{"type": "linkedin_connect"}, {"type": "email"}])))
    assert written["automation"]["branches"][0]["steps"] == [{"type": "linkedin_connect"}, {"type": "email"}]


# The fast writers stay the reference's text with messages ------------------------------------

names = st.lists(st.one_of(st.sampled_from([*NASTY, "Jo", "Lee", "van"]), st.text(max_size=3)), max_size=4).map(
    " ".join
)


def with_messages(draw: Any, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with random messages on its action steps and random names, companies and titles."""
    data = copy.deepcopy(data)

    def walk(steps: list[dict[str, Any]]) -> None:
        for step in steps:
            if step["type"] in ("linkedin_connect", "linkedin_message", "email") and draw(st.booleans()):
                step["text"] = draw(templates())
            if step["type"] == "email" and draw(st.booleans()):
                step["subject"] = draw(templates())
            for key in ("yes", "no"):
                walk(step.get(key, []))
            for variant in step.get("variants", []):
                walk(variant["steps"])

    for branch in data["automation"]["branches"]:
        walk(branch["steps"])
    contacts = list(data["contacts"])
    for event in data["events"]:
        contacts += event.get("contacts", []) if event["type"] == "add_contacts" else []
    for contact in contacts:
        if draw(st.booleans()):
            contact["name"] = draw(names)
        for key in ("company", "title"):
            if draw(st.booleans()):
                contact[key] = draw(names)
    for profile in data["sender_profiles"]:
        if draw(st.booleans()):
            profile["name"] = draw(names)
    return data


@settings(max_examples=examples(80), deadline=None)
@given(st.data(), scenarios(), st.sampled_from([1, 2, 8192]))
def test_the_fast_text_with_messages_is_the_reference_text(data: st.DataObject, scenario: dict[str, Any], batch: int):
    result = run_skipping_refused(with_messages(data.draw, scenario))
    assert fast(result, batch) == reference(result)


@settings(max_examples=examples(60), deadline=None)
@given(st.data(), tree_scenarios())
def test_the_fast_path_text_with_messages_is_the_reference_text(data: st.DataObject, scenario: dict[str, Any]):
    try:
        result = simulate(parse_scenario(with_messages(data.draw, scenario)))
    except ScenarioError:
        reject()
    assert to_json(result) == records_json(path_result_object(result))


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_name_is_refused_as_before(blank: str):
    data = outreach(STEPS)
    data["contacts"][0]["name"] = blank
    assert problems_of(data)[0].startswith("contacts[0].name: expected a non-empty text")


def test_simulate_exits_2_naming_an_unknown_variable(tmp_path, capsys):
    from builder.cli import main

    path = tmp_path / "bad.json"
    path.write_text(json.dumps(outreach([{"type": "linkedin_message", "text": "Hi {{nickname|you}}"}])))
    assert main(["simulate", str(path), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("automation.branches[0].steps[0].text: unknown variable 'nickname' at character 4")
