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

    @property
    def is_step(self) -> bool:
        return self not in (NodeKind.SEGMENT, NodeKind.SENDER_PROFILE)

    @property
    def is_action(self) -> bool:
        """An action step makes a task; a wait only delays the next one."""
        return self.is_step and self is not NodeKind.WAIT

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
    """The choice of the remove dialog when an automation has started (SPEC §6)."""

    CANCEL = "cancel"
    CONTINUE = "continue"


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


class TaskStatus(StrEnum):
    PENDING = "pending"
    DONE = "done"
    CANCELED = "canceled"
    # A workspace-only outcome: a person chose not to do this step for this
    # contact; the contact moves on to the next step.
    SKIPPED = "skipped"


class Channel(StrEnum):
    LINKEDIN = "linkedin"
    EMAIL = "email"

    @property
    def label(self) -> str:
        """The channel's name as the app shows it."""
        return "LinkedIn" if self is Channel.LINKEDIN else "Email"


DEFAULT_DAILY_LIMIT = 50
DEFAULT_WEIGHT = 1
