"""The CRM's queries and Mass Actions on a real workspace file."""

from __future__ import annotations

from builder.engine.words import Reason
from tests.store.builders import build_outreach


def test_search_filter_and_sort(open_workspace):
    ws = open_workspace()
    ids = ws.add_contacts(
        [
            {"name": "Anna Berg", "email": "anna@northwind.io", "company": "Northwind", "tags": ["cto"]},
            {"name": "jonas Keller", "email": "jonas@brightpath.dev", "company": "Brightpath"},
            {"name": "Mei Tanaka", "email": "mei@kumo.ai", "company": "Kumo 100%", "tags": ["cto", "ai"]},
        ]
    )
    assert ws.contact_ids() == ids
    assert ws.contact_ids(search="BRIGHT") == [ids[1]]
    assert ws.contact_ids(search="100%") == [ids[2]]  # % is searched for, not a wildcard
    assert ws.contact_ids(search="_") == []
    cto = dict((n, i) for i, n in ws.tags())["cto"]
    assert ws.contact_ids(tag_id=cto) == [ids[0], ids[2]]
    assert ws.contact_ids(sort="name") == [ids[0], ids[1], ids[2]]  # case does not decide the order
    assert ws.contact_ids(sort="company", descending=True) == [ids[0], ids[2], ids[1]]
    segment = ws.create_segment("AI CTOs", tags_all=["cto", "ai"])
    assert ws.contact_ids(segment_id=segment) == [ids[2]]
    (mei,) = ws.contact_listings([ids[2]])
    assert (mei.name, mei.tags, mei.sender_profile) == ("Mei Tanaka", "ai, cto", None)


def test_the_override_mass_action_says_who_keeps_their_profile_and_undoes_exactly(open_workspace):
    ws = open_workspace()
    anna = ws.create_sender_profile("Anna")
    bob = ws.create_sender_profile("Bob")
    flow = build_outreach(ws)
    ws.attach_sender_profile(flow.profile_node, anna)
    enrolled = ws.add_contacts([{"name": f"CTO {i}", "tags": ["cto"]} for i in range(2)])
    ws.start(flow.automation)
    waiting = ws.add_contacts([{"name": f"Lead {i}"} for i in range(3)])
    ws.set_override(waiting[:1], bob)
    everyone = enrolled + waiting
    before = ws.override_state(everyone)
    preview = ws.preview_override(everyone, bob)
    assert (preview.selected, preview.changes, preview.enrolled) == (5, 4, 2)
    assert preview.sentence("change") == (
        "4 of 5 selected contacts change. 2 of them are already enrolled in a running automation and keep their "
        "sender profile there."
    )
    ws.set_override(everyone, bob)
    assert {e.sender_profile_id for e in ws.enrollments(flow.automation)} == {anna}  # nobody moved
    ws.restore_overrides(before)
    assert open_workspace().override_state(everyone) == before


def test_tagged_contacts_with_a_pin_enroll_with_reason_override(open_workspace):
    ws = open_workspace()
    anna = ws.create_sender_profile("Anna")
    bob = ws.create_sender_profile("Bob")
    flow = build_outreach(ws)
    for profile in (anna, bob):
        ws.attach_sender_profile(flow.profile_node, profile)
    ws.start(flow.automation)
    ids = ws.add_contacts([{"name": f"Lead {i}"} for i in range(4)])
    ws.set_override(ids[:2], bob)
    assert ws.preview_tag(ids, "cto", add=True).changes == 4
    ws.tag_contacts(ids, ["cto"])
    got = {e.contact_id: (e.sender_profile_id, e.reason) for e in open_workspace().enrollments(flow.automation)}
    assert got[ids[0]] == got[ids[1]] == (bob, Reason.OVERRIDE)
    assert {got[ids[2]][1], got[ids[3]][1]} == {Reason.EVEN_DISTRIBUTION}


def test_segment_members_are_the_rule_applied_to_everyone(tmp_path_factory):
    """The database only narrows the search; the members are exactly what the engine's rule says."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from builder.store.loading import load_contacts_with_tags, load_segment
    from builder.store.workspace import Workspace
    from tests.budget import examples

    tags = ["a", "b", "c"]

    @settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(
        st.lists(st.lists(st.sampled_from(tags), unique=True), max_size=8),
        st.sampled_from(["tags_any", "tags_all", "contacts", "all"]),
        st.lists(st.sampled_from(tags), unique=True, min_size=1),
    )
    def check(contact_tags, rule, chosen):
        with Workspace.open(tmp_path_factory.mktemp("seg") / "w.sqlite") as ws:
            ids = ws.add_contacts([{"name": f"C{i}", "tags": t} for i, t in enumerate(contact_tags)])
            if rule == "contacts":
                segment = ws.create_segment("S", contacts=ids[::2])
            elif rule == "all":
                segment = ws.create_segment("S", everyone=True)
            else:
                segment = ws.create_segment("S", **{rule: chosen})
            with ws._read() as conn:
                definition = load_segment(conn, segment)
                expected = [c for c, t in load_contacts_with_tags(conn) if definition.matches(c, t)]
            assert ws.segment_members(segment) == expected

    check()
