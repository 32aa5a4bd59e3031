"""SPEC §11's message templates, one rule a test, and properties over random texts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.engine.messages import VARIABLES, Template, TemplateError, contact_values, count_lacking
from builder.engine.scenario_parts import ContactSpec
from tests.budget import examples

JO = ContactSpec("c1", "Jo Lee", company="Acme", title="CTO")


def filled(text: str, contact: ContactSpec = JO, sender: str | None = "Anna Berg") -> str:
    return Template.parse(text).fill(contact_values(contact, sender))


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("first_name", "Jo"),
        ("last_name", "Lee"),
        ("name", "Jo Lee"),
        ("company", "Acme"),
        ("title", "CTO"),
        ("sender_name", "Anna Berg"),
        ("sender_first_name", "Anna"),
    ],
)
def test_each_variable_is_filled_in(variable: str, value: str):
    assert filled(f"<{{{{{variable}}}}}>") == f"<{value}>"


def test_a_one_word_name_has_a_first_name_and_no_last_name():
    cher = ContactSpec("c2", "Cher")
    assert filled("{{first_name}}|{{last_name}}|{{name}}", cher) == "Cher||Cher"


def test_the_last_name_is_every_word_after_the_first_joined_by_one_space():
    three = ContactSpec("c3", "  Anna   Maria \t van Berg ")
    assert filled("{{first_name}}|{{last_name}}", three) == "Anna|Maria van Berg"


def test_the_sender_first_name_is_the_first_word_of_the_profiles_name():
    assert filled("{{sender_first_name}}", sender="Omar Al Farsi") == "Omar"


def test_spaces_inside_the_braces_are_allowed():
    assert filled("Hi {{ first_name }}, {{  company|there  }}") == "Hi Jo, Acme"


def test_the_fallback_stands_in_for_a_missing_value_only():
    nobody = ContactSpec("c4", "Sam")
    text = "{{company|your team}} / {{ title | you }}"
    assert filled(text, nobody) == "your team / you"
    assert filled(text) == "Acme / CTO"


def test_a_value_of_only_spaces_is_missing():
    assert filled("{{company|none}}", ContactSpec("c5", "Sam", company="  ")) == "none"


def test_a_missing_value_without_a_fallback_is_empty():
    assert filled("[{{company}}][{{last_name}}][{{sender_name}}]", ContactSpec("c6", "Sam"), None) == "[][][]"


def test_an_empty_fallback_means_empty():
    assert filled("[{{company|}}]", ContactSpec("c7", "Sam")) == "[]"


def test_the_fallback_runs_from_the_first_bar_to_the_braces():
    assert filled("{{company|a|b}}", ContactSpec("c8", "Sam")) == "a|b"


def test_single_braces_are_plain_text():
    assert filled("{x} } { {{first_name}}}") == "{x} } { Jo}"


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("Hi {{frist_name}}!", "unknown variable 'frist_name' at character 4 (one of first_name,"),
        ("Hi {{ Company }}", "unknown variable 'Company' at character 4"),
        ("{{}}", "a variable without a name at character 1"),
        ("ok {{ |there}}", "a variable without a name at character 4"),
        ("Hi {{first_name}", "'{{' not closed with '}}' at character 4"),
        ("Hi {{first_name}} {{", "'{{' not closed with '}}' at character 19"),
        ("Hi first_name}}", "'}}' without '{{' before it at character 14"),
        ("{{first_{name}}}", "a brace inside a variable at character 1"),
        ("{{{first_name}}}", "a brace inside a variable at character 1"),
    ],
)
def test_what_is_not_a_variable_is_refused_with_its_place(text: str, said: str):
    with pytest.raises(TemplateError) as raised:
        Template.parse(text)
    assert str(raised.value).startswith(said)


def test_the_error_names_the_unknown_variable_and_its_index():
    with pytest.raises(TemplateError) as raised:
        Template.parse("Dear {{ fullname|you }}")
    assert (raised.value.variable, raised.value.position) == ("fullname", 5)


def test_variables_lists_each_once_in_order():
    assert Template.parse("{{company}} {{first_name}} {{ company|x}}").variables == ("company", "first_name")


def test_fixed_length_counts_the_text_around_the_variables():
    assert Template.parse("Hi {{first_name|there}}, bye").fixed_length == len("Hi , bye")


def test_count_lacking_counts_contacts_without_each_contact_variable():
    contacts = [JO, ContactSpec("c2", "Cher"), ContactSpec("c3", "Sam Ray", company=" ")]
    templates = [Template.parse("{{first_name}} {{last_name}} {{company|x}} {{sender_name}}")]
    assert count_lacking(templates, contacts) == {"first_name": 0, "last_name": 1, "company": 2}


# Properties over random texts ---------------------------------------------------------------

plain = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12).filter(
    lambda s: "{{" not in s and "}}" not in s and not s.endswith("{") and not s.startswith("}")
)


@st.composite
def slots(draw) -> str:
    pad = st.sampled_from(["", " ", "  "])
    inside = draw(pad) + draw(st.sampled_from(VARIABLES)) + draw(pad)
    if draw(st.booleans()):
        inside += "|" + draw(st.text(alphabet=st.characters(blacklist_characters="{}", blacklist_categories=("Cs",))))
    return "{{" + inside + "}}"


@st.composite
def templates(draw) -> str:
    """A template that reads: plain pieces that cannot make braces with their neighbours, and slots."""
    pieces = draw(st.lists(st.one_of(plain, slots()), max_size=6))
    text = ""
    for piece in pieces:
        if (text.endswith("{") and piece.startswith("{")) or (text.endswith("}") and piece.startswith("}")):
            piece = " " + piece
        text += piece
    return text


def contacts() -> st.SearchStrategy[ContactSpec]:
    words = st.text(alphabet="ab é-", max_size=10)
    maybe = st.none() | words
    return st.builds(ContactSpec, id=st.just("c"), name=words, company=maybe, title=maybe)


def naive_fill(text: str, values: dict[str, Any]) -> str:
    """What SPEC §11 says, as one regular expression."""

    def one(match: re.Match[str]) -> str:
        value = values[match.group(1)]
        fallback = (match.group(2) or "|")[1:].strip()
        return value if value and value.strip() else fallback

    return re.sub(r"\{\{\s*(\w+)\s*(\|[^{}]*)?\}\}", one, text)


@settings(max_examples=examples(300), deadline=None)
@given(templates(), contacts(), st.none() | st.text(max_size=8))
def test_the_compiled_fill_is_the_naive_regular_expression_fill(text: str, contact: ContactSpec, sender: str | None):
    values = contact_values(contact, sender)
    assert Template.parse(text).fill(values) == naive_fill(text, values)


@settings(max_examples=examples(300), deadline=None)
@given(templates(), contacts())
def test_filling_leaves_no_known_variable_behind(text: str, contact: ContactSpec):
    out = Template.parse(text).fill(contact_values(contact, "Anna"))
    for variable in VARIABLES:
        assert not re.search(r"\{\{\s*" + variable + r"\s*(\|[^{}]*)?\}\}", out)


@settings(max_examples=examples(300), deadline=None)
@given(plain)
def test_a_text_without_variables_comes_back_unchanged(text: str):
    template = Template.parse(text)
    assert template.fill(contact_values(JO, "Anna")) == text
    assert template.variables == ()
    assert template.fixed_length == len(text)
