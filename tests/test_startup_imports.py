"""The path to the first frame stays light: the forecast drawn, sqlmodel, pydantic and networkx never loaded.

Nor are the pages beside the automations (Contacts, Today's tasks, Sender
profiles): they are made when first opened (``builder.ui.page.DeferredPage``).

Reading a workspace needs plain SQLAlchemy; the sqlmodel table classes load
on the first write (``builder.store.database.table``), and networkx only for
the whole-graph checks of §3 — neither is on the way to the first frame of
an existing workspace (issue 11's start-up target).
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

from builder.store.demo import build_demo
from builder.store.workspace import Workspace

SCRIPT = """
import sys
from datetime import date
from builder.ui.app import run_app
code = run_app(sys.argv[1], date(2026, 3, 2), False, sys.argv[2])
heavy = sorted(
    m
    for m in ("sqlmodel", "pydantic", "networkx", "builder.store.tables", "sqlalchemy.orm",
              "builder.ui.crm.crm_view", "builder.ui.tasks_view", "builder.ui.profiles_view")
    if m in sys.modules
)
print("loaded:", ",".join(heavy))
sys.exit(code)
"""


def test_the_demo_reaches_its_screenshot_without_the_heavy_modules(tmp_path: Path) -> None:
    workspace = tmp_path / "demo.sqlite"
    with Workspace.open(workspace, today=date(2026, 3, 2)) as ws:
        build_demo(ws, contacts=200)
    shot = tmp_path / "first.png"
    finished = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(workspace), str(shot)],
        # A first start: no remembered page (the Contacts page, say, would be made at once).
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path / "config")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    assert shot.stat().st_size > 10_000
    assert "loaded: \n" in finished.stdout, finished.stdout
