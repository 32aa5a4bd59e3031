"""The first minutes of a new user, in a real window under Xvfb with a real mouse.

The story itself is ``real_window_story.py``: it runs the app on an X display
and moves X's pointer with xdotool. Here it runs in an Xvfb screen of
1600×1000, and the workspace it leaves is read back. Skipped where Xvfb,
xdotool or ImageMagick's ``import`` is missing, unless
``AUTOMATION_BUILDER_REQUIRE_XVFB`` is set (CI sets it, and installs them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder.engine.words import NodeKind
from builder.store.workspace import Workspace

STORY = Path(__file__).with_name("real_window_story.py")
TOOLS = ("Xvfb", "xdotool", "import")


@pytest.fixture
def display() -> Iterator[str]:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if missing:
        if os.environ.get("AUTOMATION_BUILDER_REQUIRE_XVFB"):
            pytest.fail(f"the real-window test needs {', '.join(missing)} (apt-get install xvfb xdotool imagemagick)")
        pytest.skip(f"no {', '.join(missing)} here")
    read, write = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write), "-screen", "0", "1600x1000x24", "-nolisten", "tcp"],
        pass_fds=(write,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write)
    with os.fdopen(read) as pipe:
        number = pipe.readline().strip()  # Xvfb writes its display number once it accepts clients
    try:
        assert number, "Xvfb did not start"
        yield f":{number}"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_new_user_story_with_a_real_mouse(display: str, tmp_path: Path) -> None:
    workspace_path = tmp_path / "first-hour.sqlite"
    shots = tmp_path / "shots"
    environment = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    environment.pop("WAYLAND_DISPLAY", None)
    finished = subprocess.run(
        [sys.executable, str(STORY), str(workspace_path), str(shots)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    pictures = sorted(path.name for path in shots.glob("real-window-*.png"))
    assert pictures[-1] == "real-window-09-wait-for-connected.png"
    assert (shots / "readme-screenshot.png").exists()

    with Workspace.open(workspace_path) as workspace:
        demo, new = sorted(workspace.automations(), key=lambda a: a.id)
        team = next(node for node in workspace.nodes(demo.id) if node.title == "Founders: team")
        states = {a.name: a.state.value for a in workspace.attachments(team.id)}
        assert states["Mark Ruiz"] == "draining"
        assert sum(state == "active" for state in states.values()) == len(states) - 1

        kinds = {node.id: node.kind for node in workspace.nodes(new.id)}
        assert sorted(kinds.values()) == sorted(
            [
                NodeKind.SEGMENT,
                NodeKind.SENDER_PROFILE,
                NodeKind.LINKEDIN_CONNECT,
                NodeKind.WAIT_FOR,
                NodeKind.LINKEDIN_MESSAGE,
                NodeKind.EMAIL,
            ]
        )
        edges = {
            (kinds[source], kinds[target], output) for source, target, output in workspace.edges_with_outputs(new.id)
        }
        # SPEC §10: the Wait for's two outputs, each its own labelled edge.
        assert edges == {
            (NodeKind.SEGMENT, NodeKind.SENDER_PROFILE, None),
            (NodeKind.SENDER_PROFILE, NodeKind.LINKEDIN_CONNECT, None),
            (NodeKind.LINKEDIN_CONNECT, NodeKind.WAIT_FOR, None),
            (NodeKind.WAIT_FOR, NodeKind.LINKEDIN_MESSAGE, "yes"),
            (NodeKind.WAIT_FOR, NodeKind.EMAIL, "no"),
        }
