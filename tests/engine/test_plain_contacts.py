"""Plain contacts are read without a path per item; what comes out must be what the long way gives.

``scenario._plain_contact`` takes an item with nothing to report; anything
else goes through the reader that names each problem. Both ways, on any item,
must give the same contacts and the same problems.
"""

from __future__ import annotations

from typing import Any

from hypothesis import example, given, settings
from hypothesis import strategies as st

from builder.engine import scenario
from builder.engine.json_reader import JsonReader
from builder.engine.scenario_parts import ContactSpec
from tests.budget import examples

KEYS = ("id", "name", "email", "company", "title", "linkedin_url", "tags", "notes", "phone")
odd = st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.text(max_size=2), st.tuples(st.just("x")))
texts = st.one_of(st.sampled_from(["", " ", "\t", "Anna", "a@b.c"]), odd)
tag_lists = st.one_of(st.lists(st.sampled_from(["x", "y", "", " ", None, 1]), max_size=3), odd)
# Mostly near-plain contacts: each key usually well formed, now and then not.
contacts = st.fixed_dictionaries(
    {"id": st.one_of(st.sampled_from(["c1", "c2"]), texts)},
    optional={
        "name": texts,
        "email": texts,
        "company": texts,
        "title": texts,
        "linkedin_url": texts,
        "tags": tag_lists,
        "notes": texts,
        "phone": texts,
    },
)
items = st.one_of(contacts, contacts, st.dictionaries(st.sampled_from(KEYS), odd, max_size=4), odd)


def read(raw: list[Any], fast: bool) -> tuple[list[ContactSpec], list[str]]:
    reader = JsonReader()
    plain = scenario._plain_contact
    if not fast:
        scenario._plain_contact = lambda item: None  # type: ignore[assignment]
    try:
        found = scenario._read_contacts(reader, raw, "contacts")
    finally:
        scenario._plain_contact = plain  # type: ignore[assignment]
    return list(found), reader.problems


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(items, max_size=4))
@example([{"id": "c1", "name": " "}, {"id": "c2", "name": 3}, {"id": " "}, {"name": "Anna"}])
@example([{"id": "c1", "tags": [" "]}, {"id": "c2", "tags": ["x", ""]}, {"id": "c3", "tags": [None]}])
@example([{"id": "c1", "tags": ("x",)}, {"id": "c2", "tags": None}, {"id": "c3", "tags": "x"}])
@example([{"id": "c1", "email": 1}, {"id": "c2", "title": ["t"]}, {"id": "c3", "linkedin_url": ""}])
@example([{"id": "c1", "phone": "1"}, {"id": "c2", "notes": 5}, "c3", None])
def test_plain_contacts_read_as_the_long_way_reads_them(raw: list[Any]):
    assert read(raw, fast=True) == read(raw, fast=False)


def test_a_plain_contact_takes_the_short_way():
    item = {"id": "c1", "name": "Anna", "email": None, "tags": ["x"], "notes": "met at a fair"}
    assert scenario._plain_contact(item) == ContactSpec("c1", "Anna", tags=("x",))
    assert scenario._plain_contact({"id": "c1", "tags": ("x",)}) is None  # a tuple is not a JSON list
