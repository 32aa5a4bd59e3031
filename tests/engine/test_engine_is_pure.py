"""The engine is plain Python (SPEC §3–§7, STYLE): importing it pulls in no Qt and no SQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import builder.engine
import builder.imports

ENGINE_DIR = Path(builder.engine.__file__).parent
IMPORTS_DIR = Path(builder.imports.__file__).parent  # the CSV readers: no Qt and no SQL either
FORBIDDEN = ("PySide6", "shiboken6", "sqlalchemy", "sqlmodel")


def engine_modules() -> list[str]:
    return sorted(
        [f"builder.engine.{p.stem}" for p in ENGINE_DIR.glob("*.py") if p.stem != "__init__"]
        + [f"builder.imports.{p.stem}" for p in IMPORTS_DIR.glob("*.py") if p.stem != "__init__"]
    )


def test_engine_has_the_modules_the_spec_splits_it_into():
    expected = {
        "words",
        "segments",
        "roster",
        "assignment",
        "steps",
        "planner",
        "graph",
        "enrollment",
        "scenario",
        "simulation",
        "report",
    }
    assert expected <= {name.rsplit(".", 1)[1] for name in engine_modules()}


def test_importing_every_engine_module_loads_no_qt_and_no_sql():
    imports = "; ".join(f"import {name}" for name in engine_modules())
    code = f"{imports}; import sys, json; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ENGINE_DIR.parents[1],
        check=False,
    )
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout)
    assert "builder.engine.simulation" in loaded
    leaked = [name for name in loaded if name.split(".")[0].lower().startswith(tuple(f.lower() for f in FORBIDDEN))]
    assert leaked == []
