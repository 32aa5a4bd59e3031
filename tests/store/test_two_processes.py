"""Two app processes on one workspace: neither loses the other's edits, a stale edit is refused (issue 7).

Each process is a real child with its own Workspace (``guard_stale_edits`` on, as
the app has it), driven line by line over stdin.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from builder.store.base import CHANGED_ELSEWHERE, ChangedElsewhere
from builder.store.workspace import Workspace
from tests.store.builders import MONDAY, build_outreach

ROOT = Path(__file__).resolve().parents[2]

DRIVER = """
import json, sys
from datetime import date
from builder.store.database import WorkspaceError
from builder.store.workspace import Workspace

ws = Workspace.open(sys.argv[1], today=date(2026, 3, 2))
ws.guard_stale_edits = True
heard = []
ws.subscribe(lambda change: heard.append(change.what))
for line in sys.stdin:
    name, *args = json.loads(line)
    try:
        if name == "rename":
            ws.rename_node(*args)
        elif name == "add_contact":
            ws.add_contact(*args)
        elif name == "look":
            args = [ws.changed_elsewhere()]
        print(json.dumps(["ok", args, heard[-1:]]), flush=True)
    except WorkspaceError as error:
        print(json.dumps(["refused", str(error), heard[-1:]]), flush=True)
ws.close()
"""


class App:
    def __init__(self, path: Path) -> None:
        self.child = subprocess.Popen(
            [sys.executable, "-c", DRIVER, str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )

    def do(self, *command: object) -> list:
        assert self.child.stdin and self.child.stdout
        self.child.stdin.write(json.dumps(command) + "\n")
        self.child.stdin.flush()
        return json.loads(self.child.stdout.readline())

    def quit(self) -> None:
        assert self.child.stdin
        self.child.stdin.close()
        assert self.child.wait(timeout=60) == 0


def test_a_stale_edit_is_refused_and_nobody_loses_an_edit(tmp_path):
    path = tmp_path / "team.sqlite"
    with Workspace.open(path, today=MONDAY) as ws:
        flow = build_outreach(ws)
    anna, bob = App(path), App(path)
    try:
        assert anna.do("look") == bob.do("look") == ["ok", [False], []]  # both are open and have looked
        assert anna.do("rename", flow.segment_node, "Founders (Anna)")[0] == "ok"
        refused = bob.do("rename", flow.profile_node, "Team (Bob)")
        assert refused == ["refused", CHANGED_ELSEWHERE, ["reloaded"]]  # Bob's window reloads
        assert bob.do("rename", flow.profile_node, "Team (Bob)")[0] == "ok"  # and then his edit lands
        assert anna.do("look") == ["ok", [True], ["reloaded"]]  # Anna's window notices on its own
        assert anna.do("add_contact", "Zoe")[0] == "ok"
        assert anna.do("look") == ["ok", [False], ["contacts"]]
    finally:
        anna.quit()
        bob.quit()
    with Workspace.open(path, today=MONDAY) as ws:
        titles = {n.id: n.title for n in ws.nodes(flow.automation)}
        assert (titles[flow.segment_node], titles[flow.profile_node]) == ("Founders (Anna)", "Team (Bob)")
        assert ws.contact_count() == 1


def test_a_window_opened_while_another_is_opening_shares_its_log_and_refuses_a_stale_edit(tmp_path, monkeypatch):
    """Bob's check of the file, read as it is (no -wal yet), is under way when Anna opens it and makes its
    -wal and -shm: the check must leave them. Removed, each would write to a log of its own, unseen by the
    other: Bob's stale edit passed, and one of the two edits was lost (an intermittent CI failure above)."""
    path = tmp_path / "team.sqlite"
    with Workspace.open(path, today=MONDAY) as ws:
        flow = build_outreach(ws)
    assert not path.with_name("team.sqlite-wal").exists()  # closed: the next opener reads the file as it is
    real_connect = sqlite3.connect
    opened: list[App] = []

    def anna_opens_meanwhile(target: str, *args: object, **kwargs: object) -> sqlite3.Connection:
        connection = real_connect(target, *args, **kwargs)
        if not opened and "immutable=1" in str(target):
            opened.append(App(path))
            assert opened[0].do("look") == ["ok", [False], []]  # Anna is open: her -wal and -shm are made
        return connection

    monkeypatch.setattr(sqlite3, "connect", anna_opens_meanwhile)
    try:
        with Workspace.open(path, today=MONDAY) as bob:
            monkeypatch.undo()
            bob.guard_stale_edits = True
            [anna] = opened  # she opened while Bob's check of the file was under way
            assert anna.do("rename", flow.segment_node, "Founders (Anna)")[0] == "ok"
            with pytest.raises(ChangedElsewhere):
                bob.rename_node(flow.profile_node, "Team (Bob)")
            bob.rename_node(flow.profile_node, "Team (Bob)")
            assert anna.do("look") == ["ok", [True], ["reloaded"]]
    finally:
        monkeypatch.undo()
        for app in opened:
            app.quit()
    with Workspace.open(path, today=MONDAY) as ws:
        titles = {n.id: n.title for n in ws.nodes(flow.automation)}
        assert (titles[flow.segment_node], titles[flow.profile_node]) == ("Founders (Anna)", "Team (Bob)")
