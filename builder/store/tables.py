"""The workspace's tables (SPEC §9), defined with sqlmodel.

Days are stored as whole numbers: the proleptic Gregorian ordinal of the date
(``date.toordinal()``), which is also the engine's day number. Statuses and
kinds are the lower-case words of :mod:`builder.engine.words`.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, UniqueConstraint
from sqlmodel import Field, SQLModel

BASE_VERSION = 1  # the schema these tables describe; later versions are steps in migrations.py


def _fk(target: str, *, nullable: bool = False, cascade: bool = True, index: bool = False) -> Column:
    return Column(
        Integer,
        ForeignKey(target, ondelete="CASCADE" if cascade else "RESTRICT"),
        nullable=nullable,
        index=index,
    )


class SchemaVersion(SQLModel, table=True):
    __tablename__ = "schema_version"
    version: int = Field(primary_key=True)


class SenderProfile(SQLModel, table=True):
    __tablename__ = "sender_profile"
    id: int | None = Field(default=None, primary_key=True)
    name: str
    channel: str = "linkedin"
    daily_limit: int = 50
    weight: int = 1


class Contact(SQLModel, table=True):
    __tablename__ = "contact"
    id: int | None = Field(default=None, primary_key=True)  # also the creation order
    name: str
    email: str | None = Field(default=None, index=True)
    company: str | None = None
    title: str | None = None
    linkedin_url: str | None = Field(default=None, index=True)


class Tag(SQLModel, table=True):
    __tablename__ = "tag"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True)


class ContactTag(SQLModel, table=True):
    __tablename__ = "contact_tag"
    contact_id: int = Field(sa_column=Column(Integer, ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True))
    tag_id: int = Field(
        sa_column=Column(Integer, ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True, index=True)
    )


class Segment(SQLModel, table=True):
    __tablename__ = "segment"
    id: int | None = Field(default=None, primary_key=True)
    name: str
    rule: str = "tags_any"  # tags_any | tags_all | contacts | all


class SegmentTag(SQLModel, table=True):
    __tablename__ = "segment_tag"
    segment_id: int = Field(sa_column=Column(Integer, ForeignKey("segment.id", ondelete="CASCADE"), primary_key=True))
    tag_id: int = Field(sa_column=Column(Integer, ForeignKey("tag.id", ondelete="CASCADE"), primary_key=True))


class SegmentMember(SQLModel, table=True):
    """The contacts of a static-list segment."""

    __tablename__ = "segment_member"
    segment_id: int = Field(sa_column=Column(Integer, ForeignKey("segment.id", ondelete="CASCADE"), primary_key=True))
    contact_id: int = Field(sa_column=Column(Integer, ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True))


class Automation(SQLModel, table=True):
    __tablename__ = "automation"
    id: int | None = Field(default=None, primary_key=True)
    name: str
    state: str = "draft"
    ignore_previous_interactions: bool = False


class Node(SQLModel, table=True):
    __tablename__ = "node"
    id: int | None = Field(default=None, primary_key=True)
    automation_id: int = Field(sa_column=_fk("automation.id", index=True))
    kind: str
    title: str
    x: float = 0.0
    y: float = 0.0
    segment_id: int | None = Field(default=None, sa_column=_fk("segment.id", nullable=True, cascade=False))
    wait_days: int = 0


class Edge(SQLModel, table=True):
    __tablename__ = "edge"
    __table_args__ = (UniqueConstraint("source_id", "target_id"),)
    id: int | None = Field(default=None, primary_key=True)
    automation_id: int = Field(sa_column=_fk("automation.id", index=True))
    source_id: int = Field(sa_column=_fk("node.id"))
    target_id: int = Field(sa_column=_fk("node.id", index=True))


class BranchAttachment(SQLModel, table=True):
    """A sender profile attached to a Sender Profile node (one branch)."""

    __tablename__ = "branch_attachment"
    __table_args__ = (UniqueConstraint("node_id", "sender_profile_id"),)
    id: int | None = Field(default=None, primary_key=True)
    node_id: int = Field(sa_column=_fk("node.id"))
    sender_profile_id: int = Field(sa_column=_fk("sender_profile.id", cascade=False, index=True))
    state: str = "active"
    weight: int = 1
    attach_order: int = 0
    rotation: int = 0  # the even rotation's current value (SPEC R3)


class Enrollment(SQLModel, table=True):
    __tablename__ = "enrollment"
    __table_args__ = (
        UniqueConstraint("automation_id", "contact_id"),
        Index("ix_enrollment_branch_profile", "branch_node_id", "sender_profile_id", "status"),
    )
    id: int | None = Field(default=None, primary_key=True)  # also the enrollment order
    automation_id: int = Field(sa_column=_fk("automation.id", cascade=False))
    contact_id: int = Field(sa_column=_fk("contact.id", cascade=False, index=True))
    branch_node_id: int = Field(sa_column=_fk("node.id", cascade=False))
    sender_profile_id: int | None = Field(
        default=None, sa_column=_fk("sender_profile.id", nullable=True, cascade=False)
    )
    reason: str | None = None
    status: str = "active"
    enrolled_day: int
    ignored_override_id: int | None = Field(
        default=None, sa_column=_fk("sender_profile.id", nullable=True, cascade=False)
    )


class Task(SQLModel, table=True):
    __tablename__ = "task"
    __table_args__ = (Index("ix_task_plan", "status", "due_day", "sender_profile_id"),)
    id: int | None = Field(default=None, primary_key=True)
    enrollment_id: int = Field(sa_column=_fk("enrollment.id", cascade=False, index=True))
    sender_profile_id: int = Field(sa_column=_fk("sender_profile.id", cascade=False))
    step_node_id: int = Field(sa_column=_fk("node.id", cascade=False))
    step_index: int
    kind: str
    status: str = "pending"
    due_day: int | None = None
    done_day: int | None = None


class Interaction(SQLModel, table=True):
    """A sender profile contacted a contact on a day; the id is the order recorded."""

    __tablename__ = "interaction"
    id: int | None = Field(default=None, primary_key=True)
    contact_id: int = Field(sa_column=_fk("contact.id", index=True))
    sender_profile_id: int = Field(sa_column=_fk("sender_profile.id", cascade=False))
    day: int
    automation_id: int | None = Field(default=None, sa_column=_fk("automation.id", nullable=True, cascade=False))
    task_id: int | None = Field(default=None, sa_column=_fk("task.id", nullable=True, cascade=False))


class Override(SQLModel, table=True):
    """A sender profile set by hand for a contact (SPEC R1)."""

    __tablename__ = "override"
    contact_id: int = Field(sa_column=Column(Integer, ForeignKey("contact.id", ondelete="CASCADE"), primary_key=True))
    sender_profile_id: int = Field(sa_column=_fk("sender_profile.id", cascade=False, index=True))
