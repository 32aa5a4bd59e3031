"""SPEC §4: R1 override, R2 previous interaction, R3 even distribution, R4 no profile.

Each rule is exercised on a :class:`BranchRoster` directly, one small case per test.
"""

from __future__ import annotations

from builder.engine.assignment import ContactFacts, assign_contact, route_enrollments
from builder.engine.roster import Attachment, BranchRoster
from builder.engine.segments import SegmentDefinition, SegmentRule
from builder.engine.words import ProfileState, Reason, RemovalMode


def roster(*profiles: str, weights: dict[str, int] | None = None) -> BranchRoster:
    """A branch with these profiles attached, in this order, all active."""
    weights = weights or {}
    return BranchRoster(Attachment(p, weights.get(p, 1), order=i) for i, p in enumerate(profiles))


def assign(
    branch: BranchRoster,
    contact: str = "c",
    *,
    override: str | None = None,
    interactions: tuple = (),
    ignore_previous_interactions: bool = False,
):
    facts = ContactFacts(contact, override, interactions)
    return assign_contact(branch, facts, ignore_previous_interactions=ignore_previous_interactions)


def even_picks(branch: BranchRoster, count: int) -> list[str]:
    return [branch.pick_even().profile for _ in range(count)]


def currents(branch: BranchRoster) -> dict[str, int]:
    return {a.profile: a.current for a in branch.attachments}


# -- R1 override ---------------------------------------------------------------


def test_r1_override_wins_over_history_and_rotation():
    branch = roster("anna", "omar")
    outcome = assign(branch, override="omar", interactions=((-1, 0, "anna"),))
    assert (outcome.profile, outcome.reason, outcome.ignored_override) == ("omar", Reason.OVERRIDE, None)


def test_r1_override_to_a_draining_profile_is_ignored_and_r3_decides():
    branch = roster("anna", "omar")
    branch.remove("omar", started=True, mode=RemovalMode.CONTINUE)
    outcome = assign(branch, override="omar")
    assert (outcome.profile, outcome.reason, outcome.ignored_override) == ("anna", Reason.EVEN_DISTRIBUTION, "omar")


def test_r1_override_to_a_profile_not_attached_is_ignored_and_r2_decides():
    branch = roster("anna", "omar")
    outcome = assign(branch, override="zed", interactions=((-3, 0, "omar"),))
    assert (outcome.profile, outcome.reason, outcome.ignored_override) == ("omar", Reason.PREVIOUS_INTERACTION, "zed")


def test_r1_override_to_a_removed_profile_with_nobody_else_leaves_the_contact_waiting():
    branch = roster("anna")
    branch.remove("anna", started=True, mode=RemovalMode.CANCEL)
    outcome = assign(branch, override="anna")
    assert outcome.waiting
    assert outcome.ignored_override == "anna"


# -- R2 previous interaction ---------------------------------------------------------


def test_r2_latest_interaction_by_day_wins():
    branch = roster("anna", "omar", "lena")
    history = ((-2, 0, "lena"), (-9, 1, "omar"), (-5, 2, "anna"))
    outcome = assign(branch, interactions=history)
    assert (outcome.profile, outcome.reason) == ("lena", Reason.PREVIOUS_INTERACTION)


def test_r2_same_day_goes_to_the_interaction_recorded_last():
    branch = roster("anna", "omar")
    history = ((-4, 7, "omar"), (-4, 3, "anna"))
    assert assign(branch, interactions=history).profile == "omar"


def test_r2_same_day_in_record_order_still_goes_to_the_later_one():
    """Listed as recorded, the later record wins: "first listed" and "first recorded" would both pick anna."""
    branch = roster("anna", "omar")
    assert assign(branch, interactions=((-4, 3, "anna"), (-4, 7, "omar"))).profile == "omar"
    assert assign(branch, interactions=((-4, 3, "omar"), (-4, 7, "anna"))).profile == "anna"


def test_r2_ignores_profiles_outside_the_branch():
    branch = roster("anna", "omar")
    history = ((-10, 0, "omar"), (-1, 1, "mark"))
    assert assign(branch, interactions=history).profile == "omar"


def test_r2_ignores_a_draining_profile_of_the_branch():
    branch = roster("anna", "omar")
    branch.remove("omar", started=True, mode=RemovalMode.CONTINUE)
    outcome = assign(branch, interactions=((-10, 0, "anna"), (-1, 1, "omar")))
    assert (outcome.profile, outcome.reason) == ("anna", Reason.PREVIOUS_INTERACTION)


def test_r2_with_only_outside_interactions_falls_to_r3():
    branch = roster("anna", "omar")
    outcome = assign(branch, interactions=((-1, 0, "mark"),))
    assert (outcome.profile, outcome.reason) == ("anna", Reason.EVEN_DISTRIBUTION)


def test_r2_is_skipped_when_the_automation_ignores_previous_interactions():
    branch = roster("anna", "omar")
    outcome = assign(branch, interactions=((-1, 0, "omar"),), ignore_previous_interactions=True)
    assert (outcome.profile, outcome.reason) == ("anna", Reason.EVEN_DISTRIBUTION)


def test_override_still_wins_when_previous_interactions_are_ignored():
    branch = roster("anna", "omar")
    outcome = assign(branch, override="omar", ignore_previous_interactions=True)
    assert (outcome.profile, outcome.reason) == ("omar", Reason.OVERRIDE)


# -- R3 even distribution --------------------------------------------------------------


def test_r3_equal_weights_alternate_in_attach_order():
    assert even_picks(roster("anna", "omar", "lena"), 7) == ["anna", "omar", "lena"] * 2 + ["anna"]


def test_r3_weights_two_to_one_give_a_b_a():
    branch = roster("a", "b", weights={"a": 2})
    assert even_picks(branch, 6) == ["a", "b", "a", "a", "b", "a"]


def test_r3_weights_spread_picks_in_proportion_over_a_full_round():
    branch = roster("a", "b", "c", weights={"a": 3, "b": 2})
    picks = even_picks(branch, 12)
    assert [picks.count(p) for p in "abc"] == [6, 4, 2]


def test_r3_tie_goes_to_the_earlier_attached():
    branch = roster("omar", "anna")
    assert branch.pick_even().profile == "omar"


def test_r3_reason_is_even_distribution():
    outcome = assign(roster("anna"))
    assert (outcome.profile, outcome.reason, outcome.ignored_override) == ("anna", Reason.EVEN_DISTRIBUTION, None)


def test_only_r3_advances_the_rotation():
    branch = roster("anna", "omar")
    assign(branch, "c1", override="omar")
    assign(branch, "c2", interactions=((-1, 0, "omar"),))
    assert currents(branch) == {"anna": 0, "omar": 0}
    assert [assign(branch, c).profile for c in ("c3", "c4", "c5")] == ["anna", "omar", "anna"]


def test_rotation_resets_when_a_profile_is_attached():
    branch = roster("anna", "omar")
    assert even_picks(branch, 1) == ["anna"]
    branch.attach("lena")
    assert currents(branch) == {"anna": 0, "omar": 0, "lena": 0}
    assert even_picks(branch, 3) == ["anna", "omar", "lena"]


def test_rotation_resets_when_a_profile_is_removed_with_continue():
    branch = roster("anna", "omar", "lena")
    assert even_picks(branch, 1) == ["anna"]
    branch.remove("lena", started=True, mode=RemovalMode.CONTINUE)
    assert currents(branch) == {"anna": 0, "omar": 0, "lena": 0}
    assert even_picks(branch, 2) == ["anna", "omar"]


def test_rotation_resets_when_a_profile_is_removed_with_cancel():
    branch = roster("anna", "omar", "lena")
    assert even_picks(branch, 1) == ["anna"]
    branch.remove("lena", started=True, mode=RemovalMode.CANCEL)
    assert even_picks(branch, 2) == ["anna", "omar"]


def test_rotation_resets_when_a_profile_is_detached_in_a_draft():
    branch = roster("anna", "omar", "lena")
    assert even_picks(branch, 1) == ["anna"]
    branch.remove("lena", started=False)
    assert even_picks(branch, 2) == ["anna", "omar"]


def test_rotation_keeps_going_when_a_weight_changes():
    branch = roster("anna", "omar")
    assert even_picks(branch, 1) == ["anna"]  # anna -1, omar 1
    branch.set_weight("anna", 2)
    # Without a reset anna 1, omar 2: omar. (After a reset it would be anna 2, omar 1.)
    assert even_picks(branch, 1) == ["omar"]


def test_rotation_keeps_going_when_a_draining_profile_is_canceled():
    branch = roster("anna", "omar", "lena")
    branch.remove("lena", started=True, mode=RemovalMode.CONTINUE)
    assert even_picks(branch, 1) == ["anna"]  # anna -1, omar 1
    branch.remove("lena", started=True, mode=RemovalMode.CANCEL)
    assert branch.get("lena").state is ProfileState.REMOVED
    assert even_picks(branch, 1) == ["omar"]  # after a reset it would be anna again


def test_reattached_profile_goes_to_the_end_of_the_attach_order():
    branch = roster("anna", "omar")
    branch.remove("anna", started=True, mode=RemovalMode.CONTINUE)
    branch.attach("anna")
    assert [a.profile for a in branch.attachments] == ["omar", "anna"]
    assert branch.get("anna").state is ProfileState.ACTIVE
    assert even_picks(branch, 2) == ["omar", "anna"]


# -- R4 no profile ----------------------------------------------------------------------


def test_r4_contact_waits_when_no_profile_is_assignable():
    branch = roster("anna")
    branch.remove("anna", started=True, mode=RemovalMode.CONTINUE)
    outcome = assign(branch, interactions=((-1, 0, "anna"),))
    assert outcome.waiting
    assert (outcome.profile, outcome.reason) == (None, None)


def test_r4_contact_waits_in_a_branch_without_profiles():
    assert assign(roster()).waiting


# -- which branch a contact enrolls in ---------------------------------------------------


def tagged(*tags: str) -> SegmentDefinition:
    return SegmentDefinition(SegmentRule.TAGS_ANY, tags=frozenset(tags))


def test_contact_in_two_segments_enrolls_only_in_the_first_branch():
    contacts = [("c1", {"cto"}), ("c2", {"cto", "fintech"}), ("c3", {"fintech"})]
    routed = list(route_enrollments(contacts, [tagged("fintech"), tagged("cto")]))
    assert routed == [("c1", 1), ("c2", 0), ("c3", 0)]


def test_contacts_already_enrolled_are_skipped():
    contacts = [("c1", {"cto"}), ("c2", {"cto"}), ("c3", {"cto"})]
    assert list(route_enrollments(contacts, [tagged("cto")], already_enrolled={"c2"})) == [("c1", 0), ("c3", 0)]


def test_contacts_route_in_the_order_given_and_outsiders_are_left_out():
    contacts = [("c3", {"cto"}), ("c1", {"sales"}), ("c2", {"cto"})]
    assert list(route_enrollments(contacts, [tagged("cto"), None])) == [("c3", 0), ("c2", 0)]
