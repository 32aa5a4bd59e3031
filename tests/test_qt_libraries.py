"""When Qt's X11 plugin lacks system libraries, one sentence names them and the packages (issue 11)."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from builder.ui.app import missing_libraries, missing_libraries_sentence, x11_libraries_problem

LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffd1f5e2000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f5c1c000000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms1.so.1 => /lib/x86_64-linux-gnu/libxcb-keysyms1.so.1 (0x00007f5c1bf00000)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f5c1bc00000)
"""

SENTENCE = (
    "The window cannot open: Qt's X11 plugin needs these system libraries: libxcb-icccm.so.4, "
    "libxcb-cursor.so.0, libxcb-keysyms.so.1 — on Debian or Ubuntu: "
    "sudo apt-get install libxcb-icccm4 libxcb-cursor0 libxcb-keysyms1."
)


def test_the_libraries_ldd_cannot_find_are_collected_once_each():
    assert missing_libraries(LDD_OUTPUT) == ["libxcb-icccm.so.4", "libxcb-cursor.so.0", "libxcb-keysyms.so.1"]
    assert missing_libraries("\tlibc.so.6 => /lib/libc.so.6 (0x1)\n") == []


def test_one_sentence_names_the_libraries_and_the_debian_packages():
    assert missing_libraries_sentence(missing_libraries(LDD_OUTPUT)) == SENTENCE
    unknown = missing_libraries_sentence(["libfoo.so.3"])
    assert unknown == "The window cannot open: Qt's X11 plugin needs these system libraries: libfoo.so.3."


@pytest.fixture
def fake_ldd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An ``ldd`` on PATH that prints LDD_OUTPUT, and a plugin file for it to read."""
    folder = tmp_path / "bin"
    folder.mkdir()
    (tmp_path / "ldd-output.txt").write_text(LDD_OUTPUT)
    ldd = folder / "ldd"
    ldd.write_text(
        f"#!{sys.executable}\nimport sys\nsys.stdout.write(open({str(tmp_path / 'ldd-output.txt')!r}).read())\n"
    )
    ldd.chmod(ldd.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    plugin = tmp_path / "libqxcb.so"
    plugin.write_bytes(b"")
    return plugin


@pytest.mark.parametrize("platform", [None, "", "xcb"])
def test_on_x11_the_check_reads_ldd_and_says_the_sentence(fake_ldd, platform):
    environ = {"DISPLAY": ":0"} | ({"QT_QPA_PLATFORM": platform} if platform is not None else {})
    assert x11_libraries_problem(environ, str(fake_ldd)) == SENTENCE
    wayland_session = environ | {"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"}
    assert x11_libraries_problem(wayland_session, str(fake_ldd)) == SENTENCE  # xcb asked for: checked


@pytest.mark.parametrize(
    "environ",
    [
        {"DISPLAY": ":0", "QT_QPA_PLATFORM": "offscreen"},
        {},
        {"QT_QPA_PLATFORM": "xcb"},
        {"DISPLAY": ":0", "WAYLAND_DISPLAY": "wayland-0"},  # Qt tries Wayland first
        {"DISPLAY": ":0", "XDG_SESSION_TYPE": "wayland"},
    ],
)
def test_no_check_without_x11(fake_ldd, environ):
    assert x11_libraries_problem(environ, str(fake_ldd)) is None


def test_no_check_without_the_plugin_or_ldd(fake_ldd, tmp_path, monkeypatch):
    assert x11_libraries_problem({"DISPLAY": ":0"}, str(tmp_path / "missing.so")) is None
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    assert x11_libraries_problem({"DISPLAY": ":0"}, str(fake_ldd)) is None


def test_the_app_exits_2_with_the_sentence_before_qt_starts(fake_ldd, monkeypatch, capsys):
    from builder.ui import app

    monkeypatch.setenv("DISPLAY", ":0")
    for name in ("QT_QPA_PLATFORM", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(app, "xcb_plugin", lambda: str(fake_ldd))
    monkeypatch.setattr(app, "application", lambda: pytest.fail("Qt was started"))
    assert app.run_app(None, None, False, None) == 2
    assert capsys.readouterr().err == SENTENCE + "\n"
