"""Small automations the workspace tests build."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from builder.store.workspace import Workspace

MONDAY = date(2026, 3, 2)


@dataclass
class Outreach:
    """A one-branch automation: Segment → Sender Profile → connect → wait → message."""

    automation: int
    segment_node: int
    profile_node: int
    steps: list[int]
    segment: int


def build_outreach(ws: Workspace, tag: str = "cto", wait_days: int = 2, name: str = "CTO outreach") -> Outreach:
    segment = ws.create_segment(f"{tag} segment", tags_any=[tag])
    automation = ws.create_automation(name)
    seg = ws.add_node(automation, "segment", segment_id=segment, x=0, y=0)
    prof = ws.add_node(automation, "sender_profile", x=320, y=0)
    connect = ws.add_node(automation, "linkedin_connect", x=640, y=0)
    wait = ws.add_node(automation, "wait", wait_days=wait_days, x=960, y=0)
    message = ws.add_node(automation, "linkedin_message", x=1280, y=0)
    for a, b in [(seg, prof), (prof, connect), (connect, wait), (wait, message)]:
        ws.connect(a, b)
    return Outreach(automation, seg, prof, [connect, wait, message], segment)
