"""The words of SPEC §2, as values the whole app shares."""

from __future__ import annotations

from enum import StrEnum


class NodeKind(StrEnum):
    SEGMENT = "segment"
    SENDER_PROFILE = "sender_profile"
    LINKEDIN_CONNECT = "linkedin_connect"
    LINKEDIN_MESSAGE = "linkedin_message"
    EMAIL = "email"
    WAIT = "wait"
    WAIT_FOR = "wait_for"
    CONDITION = "condition"
    SPLIT = "split"
    ADD_TAG = "add_tag"
    REMOVE_TAG = "remove_tag"

    @property
    def is_step(self) -> bool:
        return self not in (NodeKind.SEGMENT, NodeKind.SENDER_PROFILE)

    @property
    def is_action(self) -> bool:
        """An action step makes a task for a sender profile; the other steps make none."""
        return self in (NodeKind.LINKEDIN_CONNECT, NodeKind.LINKEDIN_MESSAGE, NodeKind.EMAIL)

    @property
    def is_control(self) -> bool:
        """A control node (SPEC §10) sends each contact down one of its named outputs."""
        return self in (NodeKind.WAIT_FOR, NodeKind.CONDITION, NodeKind.SPLIT)

    @property
    def is_tag(self) -> bool:
        """Add tag and Remove tag act on the contact at once: no task, no limit, no route entry."""
        return self in (NodeKind.ADD_TAG, NodeKind.REMOVE_TAG)

    @property
    def label(self) -> str:
        return _NODE_LABELS[self]


_NODE_LABELS = {
    NodeKind.SEGMENT: "Segment",
    NodeKind.SENDER_PROFILE: "Sender Profile",
    NodeKind.LINKEDIN_CONNECT: "LinkedIn connect",
    NodeKind.LINKEDIN_MESSAGE: "LinkedIn message",
    NodeKind.EMAIL: "Email",
    NodeKind.WAIT: "Wait",
    NodeKind.WAIT_FOR: "Wait for",
    NodeKind.CONDITION: "Condition",
    NodeKind.SPLIT: "A/B split",
    NodeKind.ADD_TAG: "Add tag",
    NodeKind.REMOVE_TAG: "Remove tag",
}

STEP_KINDS = tuple(kind for kind in NodeKind if kind.is_step)
ACTION_KINDS = tuple(kind for kind in NodeKind if kind.is_action)


class AutomationState(StrEnum):
    DRAFT = "draft"
    RUNNING = "running"
    PAUSED = "paused"

    @property
    def started(self) -> bool:
        return self is not AutomationState.DRAFT


class ProfileState(StrEnum):
    """A sender profile's state in one branch (SPEC §4, §6)."""

    ACTIVE = "active"
    DRAINING = "draining"
    REMOVED = "removed"


class RemovalMode(StrEnum):
    """The choice of the remove dialog when an automation has started (SPEC §6, §12)."""

    CANCEL = "cancel"
    CONTINUE = "continue"
    MOVE = "move"  # the contacts not yet contacted go to the other profiles (SPEC §12)


class Reason(StrEnum):
    """Why a contact went to its sender profile (SPEC R1–R3)."""

    OVERRIDE = "override"
    PREVIOUS_INTERACTION = "previous_interaction"
    EVEN_DISTRIBUTION = "even_distribution"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


class EnrollmentStatus(StrEnum):
    ACTIVE = "active"
    WAITING = "waiting"
    CANCELED = "canceled"
    REPLIED = "replied"  # the contact replied and the automation stops on reply (SPEC §10)


class Outcome(StrEnum):
    """What a contact did in answer to its sender profile (SPEC §10)."""

    ACCEPTED = "accepted"
    REPLIED = "replied"
    BOUNCED = "bounced"

    @property
    def is_interaction(self) -> bool:
        """Accepted and replied are interactions of the sender profile too (R2 counts them)."""
        return self is not Outcome.BOUNCED

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def needs_done(self) -> NodeKind | None:
        """The task that must be done before this can happen (SPEC §10): a connect to accept, an email to bounce."""
        return {Outcome.ACCEPTED: NodeKind.LINKEDIN_CONNECT, Outcome.BOUNCED: NodeKind.EMAIL}.get(self)


CONDITION_HAS = ("email", "linkedin")  # what a condition's ``has`` may ask for


class TaskStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    CANCELED = "canceled"
    # A workspace-only outcome: a person chose not to do this step for this
    # contact; the contact moves on to the next step.
    SKIPPED = "skipped"
    # A workspace-only state: an email task claimed by a sender (SPEC §11), counted against the limits
    # like a done one, until the server has taken it (done) or the claim is released (pending again).
    SENDING = "sending"


class Channel(StrEnum):
    LINKEDIN = "linkedin"
    EMAIL = "email"

    @property
    def label(self) -> str:
        """The channel's name as the app shows it."""
        return "LinkedIn" if self is Channel.LINKEDIN else "Email"


DEFAULT_DAILY_LIMIT = 50
DEFAULT_WEIGHT = 1
