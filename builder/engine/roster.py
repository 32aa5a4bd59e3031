"""The sender profiles of one branch, their states and the even rotation.

SPEC §4 R3 (smooth weighted round robin that resets when the assignable set
changes) and SPEC §6 (adding and removing profiles, draft or started).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from builder.engine.words import ProfileState, RemovalMode


class RosterError(ValueError):
    """A change of a branch's sender profiles that the rules do not allow."""


@dataclass(slots=True)
class Attachment:
    """One sender profile attached to one branch."""

    profile: Hashable
    weight: int = 1
    state: ProfileState = ProfileState.ACTIVE
    order: int = 0
    current: int = 0  # the rotation's current value (R3)

    @property
    def assignable(self) -> bool:
        return self.state is ProfileState.ACTIVE


@dataclass(frozen=True, slots=True)
class Removal:
    """What removing a profile from a branch does (SPEC §6).

    ``detached``: the attachment is gone (draft). Otherwise the profile stays
    listed with ``state``; ``cancel_tasks`` says whether its pending tasks in
    the branch and its contacts' enrollments are canceled; ``move_contacts``
    that its contacts not yet contacted must now be assigned again (SPEC §12,
    :func:`builder.engine.moving.move_contacts` does it and settles the state).
    """

    profile: Hashable
    detached: bool
    state: ProfileState | None
    cancel_tasks: bool
    move_contacts: bool = False


# The longest rotation (total weight) that is worked out once and replayed.
LONGEST_REPLAYED_ROTATION = 4096


class _Rotation:
    """One full period of the smooth weighted round robin, from all values 0.

    From all zeros the rotation comes back to all zeros after exactly "total
    weight" picks, so the picks of one period can be worked out once and
    replayed. ``values[k]`` are the profiles' values after ``k`` picks.
    """

    def __init__(self, weights: tuple[int, ...]) -> None:
        total = sum(weights)
        values = [0] * len(weights)
        self.winners: list[int] = []  # indexes into the pool
        self.values: list[tuple[int, ...]] = [tuple(values)]
        for _ in range(total):
            best = 0
            for i, weight in enumerate(weights):
                values[i] += weight
                if values[i] > values[best]:
                    best = i
            values[best] -= total
            self.winners.append(best)
            self.values.append(tuple(values))
        self.period = total
        self.valid = not any(values)

    @classmethod
    def of(cls, weights: tuple[int, ...]) -> _Rotation:
        found = _ROTATIONS.get(weights)
        if found is None:
            if len(_ROTATIONS) >= 64:
                _ROTATIONS.clear()
            found = _ROTATIONS[weights] = cls(weights)
        return found


_ROTATIONS: dict[tuple[int, ...], _Rotation] = {}


class BranchRoster:
    """The attached profiles of a branch in attach order, with the rotation."""

    def __init__(self, attachments: Iterable[Attachment] = ()) -> None:
        self._attachments = sorted(attachments, key=lambda a: a.order)
        self._assignable: list[Attachment] | None = None
        self._assignable_ids: frozenset[Hashable] | None = None
        # While the rotation replays a worked-out period, the attachments'
        # ``current`` values are stale; ``_settle`` writes them back.
        self._rotation: _Rotation | None = None
        self._replayed: list[Attachment] = []
        self._picks = 0

    @property
    def attachments(self) -> list[Attachment]:
        self._settle()
        return list(self._attachments)

    def get(self, profile: Hashable) -> Attachment | None:
        self._settle()
        for attachment in self._attachments:
            if attachment.profile == profile:
                return attachment
        return None

    def assignable(self) -> list[Attachment]:
        if self._assignable is None:
            self._assignable = [a for a in self._attachments if a.assignable]
        return self._assignable

    def assignable_ids(self) -> frozenset[Hashable]:
        if self._assignable_ids is None:
            self._assignable_ids = frozenset(a.profile for a in self.assignable())
        return self._assignable_ids

    def is_assignable(self, profile: Hashable) -> bool:
        return profile in self.assignable_ids()

    def attach(self, profile: Hashable, weight: int = 1) -> Attachment:
        """Attach a profile, or re-attach a draining or removed one (SPEC §6).

        Either way it becomes active at the end of the attach order.
        """
        if weight < 1:
            raise RosterError("A weight is a whole number of 1 or more.")
        existing = self.get(profile)
        if existing is not None and existing.assignable:
            raise RosterError("This sender profile is already in the branch.")
        before = self._assignable_set()
        next_order = max((a.order for a in self._attachments), default=-1) + 1
        if existing is None:
            existing = Attachment(profile=profile, weight=weight, order=next_order)
            self._attachments.append(existing)
        else:
            existing.state = ProfileState.ACTIVE
            existing.order = next_order
            self._attachments.sort(key=lambda a: a.order)
        self._changed(before)
        return existing

    def remove(self, profile: Hashable, *, started: bool, mode: RemovalMode | None = None) -> Removal:
        """Remove a profile from the branch (SPEC §6).

        In a draft the profile is simply detached. Once the automation has
        started, ``mode`` is required: cancel makes it ``removed``, continue
        makes it ``draining``, and move makes it ``draining`` for its contacts
        already contacted — refused when no other profile of the branch can
        take the others (SPEC §12).
        """
        attachment = self.get(profile)
        if attachment is None:
            raise RosterError("This sender profile is not in the branch.")
        before = self._assignable_set()
        if not started:
            self._attachments.remove(attachment)
            self._changed(before)
            return Removal(profile, detached=True, state=None, cancel_tasks=False)
        if mode is None:
            raise RosterError(
                "The automation has started: choose whether to cancel or continue this sender profile's tasks."
            )
        if attachment.state is ProfileState.REMOVED:
            raise RosterError("This sender profile is already removed from the branch.")
        if mode is RemovalMode.MOVE and not any(a.profile != profile for a in self.assignable()):
            raise RosterError(
                "No other active sender profile in this branch can take its contacts: "
                "add one first, or cancel or continue its tasks."
            )
        if mode is RemovalMode.CANCEL:
            attachment.state = ProfileState.REMOVED
        elif mode is RemovalMode.MOVE:
            attachment.state = ProfileState.DRAINING
        else:
            if attachment.state is ProfileState.DRAINING:
                raise RosterError("This sender profile already gets no new contacts.")
            attachment.state = ProfileState.DRAINING
        self._changed(before)
        return Removal(
            profile,
            detached=False,
            state=attachment.state,
            cancel_tasks=mode is RemovalMode.CANCEL,
            move_contacts=mode is RemovalMode.MOVE,
        )

    def mark_removed(self, profile: Hashable) -> None:
        """A draining profile left with no contact in the branch is ``removed`` (SPEC §12, after a move)."""
        attachment = self.get(profile)
        if attachment is None or attachment.assignable:
            raise RosterError("Only a sender profile that gets no new contacts can be marked removed.")
        before = self._assignable_set()
        attachment.state = ProfileState.REMOVED
        self._changed(before)

    def set_weight(self, profile: Hashable, weight: int) -> None:
        if weight < 1:
            raise RosterError("A weight is a whole number of 1 or more.")
        attachment = self.get(profile)
        if attachment is None:
            raise RosterError("This sender profile is not in the branch.")
        attachment.weight = weight
        self._rotation = None

    def pick_even(self) -> Attachment:
        """One R3 pick: smooth weighted round robin over the assignable profiles.

        Every assignable profile adds its weight to its current value; the
        highest wins (ties go to the earlier attached) and gives back the total.
        """
        pool = self.assignable()
        if not pool:
            raise RosterError("No sender profile can take contacts in this branch.")
        rotation = self._rotation
        if rotation is None:
            rotation = self._start_rotation(pool)
        if rotation is not None:
            picks = self._picks
            self._picks = picks + 1 if picks + 1 < rotation.period else 0
            return self._replayed[rotation.winners[picks]]
        best = pool[0]
        best_value = None
        total = 0
        for attachment in pool:
            weight = attachment.weight
            value = attachment.current = attachment.current + weight
            total += weight
            if best_value is None or value > best_value:
                best, best_value = attachment, value
        best.current -= total
        return best

    def pick_many(self, count: int) -> list[Hashable]:
        """The profiles of the next ``count`` R3 picks, in order."""
        if count <= 0:
            return []
        pool = self.assignable()
        if not pool:
            raise RosterError("No sender profile can take contacts in this branch.")
        rotation = self._rotation or self._start_rotation(pool)
        if rotation is None:
            return [self.pick_even().profile for _ in range(count)]
        names = [self._replayed[i].profile for i in rotation.winners]
        start = self._picks
        rounds = (start + count) // rotation.period + 1
        picked = (names * rounds)[start : start + count]
        self._picks = (start + count) % rotation.period
        return picked

    def _start_rotation(self, pool: list[Attachment]) -> _Rotation | None:
        """Replay the rotation from here on when it stands at all zeros and its period is short."""
        if any(a.current for a in pool) or sum(a.weight for a in pool) > LONGEST_REPLAYED_ROTATION:
            return None
        rotation = _Rotation.of(tuple(a.weight for a in pool))
        if not rotation.valid:
            return None
        self._rotation, self._replayed, self._picks = rotation, pool, 0
        return rotation

    def _settle(self) -> None:
        """Write the replayed rotation's values back to the attachments, and stop replaying."""
        rotation = self._rotation
        if rotation is None:
            return
        for attachment, value in zip(self._replayed, rotation.values[self._picks], strict=True):
            attachment.current = value
        self._rotation, self._picks = None, 0

    def _assignable_set(self) -> frozenset[Hashable]:
        return frozenset(a.profile for a in self._attachments if a.assignable)

    def _changed(self, before: frozenset[Hashable]) -> None:
        self._settle()
        self._assignable = None
        self._assignable_ids = None
        if self._assignable_set() != before:
            for attachment in self._attachments:
                attachment.current = 0
