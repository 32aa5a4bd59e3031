"""The command line.

``automation-builder [--db PATH|URL] [--today DATE] [--demo] [--screenshot FILE.png]`` opens the app;
``automation-builder simulate FILE [--json]`` runs a scenario; ``automation-builder status`` prints a summary;
``automation-builder import contacts|interactions FILE.csv`` imports a CSV export;
``automation-builder load-scenario FILE`` makes an empty workspace from a scenario file and
``automation-builder save-scenario "AUTOMATION NAME" FILE [--days N]`` writes one, as Save as scenario does;
``automation-builder mailbox PROFILE_NAME --smtp HOST:PORT ... --password-stdin`` sets a mailbox and
``automation-builder send [--once]`` sends the due emails (SPEC §11).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, NoReturn

from builder import __version__

if TYPE_CHECKING:
    from builder.store.workspace import Workspace


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-03-02") from None


def _workspace_options(default: object) -> argparse.ArgumentParser:
    """``--db`` and ``--today``, for the main parser and for each command alike.

    Each command takes them with ``default=argparse.SUPPRESS``: given after the
    command, the value wins; not given there, the one before the command stays.
    """
    options = argparse.ArgumentParser(add_help=False)
    options.add_argument(
        "--db",
        metavar="PATH|URL",
        default=default,
        help="the workspace: an SQLite file or a SQLAlchemy URL (default: the app-data folder's workspace)",
    )
    options.add_argument("--today", metavar="YYYY-MM-DD", type=_date, default=default, help="fix the workspace's date")
    return options


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="automation-builder",
        description="Build outreach automations and see how contacts spread over sender profiles.",
        parents=[_workspace_options(None)],
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--demo", action="store_true", help="open the demo workspace (a temporary one unless --db is given)"
    )
    parser.add_argument("--screenshot", metavar="FILE.png", help="render the main window to a PNG and exit")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    workspace_options = _workspace_options(argparse.SUPPRESS)
    commands.add_parser("status", help="print what the workspace holds and today's plan", parents=[workspace_options])
    simulate = commands.add_parser(
        "simulate",
        help="run a scenario file and print who goes where and the day-by-day work",
        description="Run a scenario file (SPEC §7) through the engine.",
        parents=[workspace_options],
    )
    simulate.add_argument("scenario", metavar="FILE", help="a scenario file (JSON)")
    simulate.add_argument("--json", action="store_true", help="print the result as one JSON object")
    importing = commands.add_parser(
        "import",
        help="import contacts or interaction history from a CSV export into the workspace",
        description="Import a CSV export (HubSpot, Salesforce, LinkedIn, Excel…) into the workspace, all or nothing.",
        parents=[workspace_options],
    )
    importing.add_argument("what", choices=("contacts", "interactions"), help="what the file holds")
    importing.add_argument("file", metavar="FILE.csv", help="the CSV file")
    importing.add_argument(
        "--tag", action="append", default=[], metavar="TAG", help="tag every imported contact (repeatable)"
    )
    loading = commands.add_parser(
        "load-scenario",
        help="make an empty workspace hold a scenario file: profiles, contacts, history, the automation",
        description="Fill an empty workspace from a scenario file (SPEC §7); day 0 is the workspace's today. "
        "Day 0's events are applied (a start starts the automation); later ones are the forecast's.",
        parents=[workspace_options],
    )
    loading.add_argument("scenario", metavar="FILE", help="a scenario file (JSON)")
    saving = commands.add_parser(
        "save-scenario",
        help="write an automation and its workspace as a scenario file, as Save as scenario does",
        description="Write an automation as a scenario file (SPEC §7), from today on, for simulate.",
        parents=[workspace_options],
    )
    saving.add_argument("automation", metavar="AUTOMATION", help="the automation's name")
    saving.add_argument("file", metavar="FILE", help="the scenario file to write (JSON)")
    saving.add_argument("--days", type=int, default=60, metavar="N", help="days the forecast covers (default 60)")
    mailbox = commands.add_parser(
        "mailbox",
        help="give an email sender profile its mailbox (SMTP, IMAP); the password goes to the keyring",
        description="Set an email sender profile's mailbox (SPEC §11). The password is read from standard input "
        "and kept in the operating system's keyring, never in the workspace.",
        parents=[workspace_options],
    )
    mailbox.add_argument("profile", metavar="PROFILE_NAME", help="the email sender profile's name")
    mailbox.add_argument("--smtp", required=True, metavar="HOST:PORT", help="the server that sends")
    mailbox.add_argument("--imap", metavar="HOST:PORT", help="the server to read replies and bounces from")
    mailbox.add_argument("--security", choices=("none", "starttls", "tls"), default="starttls")
    mailbox.add_argument("--user", required=True, help="the user to sign in as (also the From address)")
    mailbox.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    sending = commands.add_parser(
        "send",
        help="send the due emails through the profiles' mailboxes and read replies and bounces",
        description="Send today's due email tasks within every limit (SPEC §11); without --once, keep sending.",
        parents=[workspace_options],
    )
    sending.add_argument("--once", action="store_true", help="send what is due now, print how many, and exit")
    sending.add_argument("--name", help="this sender's name, to tell its claims from other senders' (default: host)")
    return parser


def run_load_scenario(target: str | None, today: date | None, path: str) -> int:
    """Fill an empty workspace from a scenario file; 2 with one sentence when refused."""
    from builder.engine.scenario import ScenarioError, load_scenario
    from builder.store.database import WorkspaceError, database_url, shown_url
    from builder.store.scenario_import import load_into, refuse_unless_empty
    from builder.store.workspace import Workspace

    try:
        scenario = load_scenario(path)  # the file first: a refused file never creates a workspace
    except ScenarioError as error:
        for line in error.problems:
            print(line, file=sys.stderr)
        return 2
    try:
        with Workspace.open(target, today=today) as ws:
            refuse_unless_empty(ws)
            loaded = load_into(ws, scenario)
            lines = loaded.lines(ws)
    except WorkspaceError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Loaded {path} into {shown_url(database_url(target))}, day 0 = {(today or date.today()).isoformat()}:")
    print("\n".join(f"  {line}" for line in lines))
    return 0


def run_save_scenario(target: str | None, today: date | None, name: str, path: str, days: int) -> int:
    """Write the named automation as a scenario file; 2 with one sentence when it cannot be."""
    from builder.engine.scenario_writer import scenario_text
    from builder.store.database import WorkspaceError

    try:
        with open_for_reading(target, today) as ws:
            found = [a for a in ws.automations() if a.name == name]
            if not found:
                names = ", ".join(f"'{a.name}'" for a in ws.automations()) or "none"
                raise WorkspaceError(f"No automation is called '{name}' (the workspace has: {names}).")
            if len(found) > 1:
                raise WorkspaceError(f"{len(found)} automations are called '{name}': rename one to save it.")
            text = scenario_text(ws.scenario_model(found[0].id, days=days))
    except WorkspaceError as error:
        print(error, file=sys.stderr)
        return 2
    try:
        with open(path, "w", encoding="utf-8") as out:
            out.write(text)
    except OSError as error:
        print(f"{path}: cannot be written ({error.strerror or error}).", file=sys.stderr)
        return 2
    print(f"Saved '{name}' as {path} ({days} days from {(today or date.today()).isoformat()}).")
    return 0


def leave(code: int) -> NoReturn:
    """End the process now, its output written and flushed: the system takes back a run's memory at once.

    Freeing a large run's million objects one by one before exiting would
    keep the user waiting for nothing: a tenth of a second of a
    100,000-contact tree (measured). Only a command line's own process
    leaves this way (see :func:`command_line`); ``main`` called in a
    process that goes on returns as usual.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def run_simulate(path: str, as_json: bool, *, leave_at_once: bool = False) -> int:
    from builder.engine.bulk import collector_paused
    from builder.engine.report import json_chunks, to_text
    from builder.engine.scenario import ScenarioError, load_scenario
    from builder.engine.simulation import simulate

    try:
        # A one-shot command: the run's hundreds of thousands of objects form no cycles and live until it exits, so
        # the cyclic collector would only walk them again and again (a third of a large run's time, measured).
        # Before it is on again, gc.freeze(): every object made meanwhile sits in its youngest generation, and the
        # first collection would walk them all once more (0.4 s of a 100,000-contact tree, measured).
        with collector_paused():
            result = simulate(load_scenario(path))
            if as_json:  # written as it comes: a large run's text is never held whole
                write = sys.stdout.write
                for chunk in json_chunks(result):
                    write(chunk)
                if leave_at_once:
                    leave(0)
                gc.freeze()
                return 0
            text = to_text(result)
            gc.freeze()
    except ScenarioError as error:
        for line in error.problems:
            print(line, file=sys.stderr)
        return 2
    sys.stdout.write(text)
    if leave_at_once:
        leave(0)
    return 0


def run_import(target: str | None, today: date | None, what: str, path: str, tags: Sequence[str]) -> int:
    """Import a CSV file and print the report; 2 when the file is refused and nothing changed."""
    from builder.imports.contacts import nothing_to_import, read_contacts
    from builder.imports.csv_table import CsvRefused
    from builder.imports.interactions import read_interactions
    from builder.store.database import WorkspaceError
    from builder.store.workspace import Workspace

    if tags and what != "contacts":
        print("--tag applies to contacts, not to interactions.", file=sys.stderr)
        return 2
    try:
        # The file first: a file that is refused never creates or upgrades a workspace.
        plan = read_contacts(path, tags) if what == "contacts" else read_interactions(path, today or date.today())
        if not (plan.contacts if what == "contacts" else plan.interactions):  # type: ignore[union-attr]
            print(nothing_to_import(plan.source, plan.refused), file=sys.stderr)
            return 2
        with Workspace.open(target, today=today) as ws:
            report = ws.import_contacts(plan) if what == "contacts" else ws.import_interactions(plan)  # type: ignore[arg-type]
    except (CsvRefused, WorkspaceError) as error:
        print(error, file=sys.stderr)
        return 2
    print("\n".join(report.lines()))
    return 0


def open_for_reading(target: str | None, today: date | None) -> Workspace:
    """An existing workspace, read-only: nothing created, locked for writing or written (issue 12)."""
    from builder.store.database import connect, database_url, ensure_schema
    from builder.store.workspace import Workspace

    engine = connect(database_url(target), read_only=True)
    try:
        ensure_schema(engine, read_only=True)
        return Workspace(engine, today)
    except Exception:
        engine.dispose()
        raise


def show_workspace(target: str | None, today: date | None) -> int:
    """Open the workspace read-only and print what it holds and today's plan."""
    from builder.store.database import WorkspaceError, database_url, shown_url

    try:
        with open_for_reading(target, today) as ws:
            profiles = {p.id: p for p in ws.sender_profiles()}
            automations = ws.automations()
            plan = ws.plan_today()
            contacts = ws.contact_count()
    except WorkspaceError as error:
        print(error, file=sys.stderr)
        return 2
    print(f"Workspace {shown_url(database_url(target))}")
    print(f"  {len(profiles)} sender profiles, {contacts:,} contacts, {len(automations)} automations")
    for automation in automations:
        print(f"  - {automation.name} ({automation.state.value})")
    print(f"Today ({(today or date.today()).isoformat()}):")
    if not plan:
        print("  nothing planned")
    for profile_id, tasks in plan.items():
        profile = profiles[profile_id]
        print(f"  {profile.name}: {len(tasks)} of {profile.daily_limit} tasks")
    return 0


def open_app(target: str | None, today: date | None, demo: bool, screenshot: str | None) -> int:
    """The desktop app, started as quickly as it can be."""
    # Start-up makes a great many objects that live as long as the app: no cyclic garbage collection
    # while it does (run_app turns it on again, past those objects, once the window is shown).
    gc.disable()
    try:
        # The workspace's modules (SQLAlchemy, sqlmodel, pydantic) and the engine's before any of Qt's: once
        # PySide6 is imported, its import hook reads the source of every module imported after it.
        import builder.engine.preview
        import builder.store.workspace  # noqa: F401
        from builder.ui.app import run_app

        return run_app(target, today, demo, screenshot)
    finally:
        # Leaving: the interpreter's last collection need not search those objects (half a second saved).
        gc.freeze()


def command_line() -> int:
    """The ``automation-builder`` command: :func:`main` in a process of its own, which a one-shot run may end at once."""
    return main(leave_at_once=True)


def main(argv: Sequence[str] | None = None, *, leave_at_once: bool = False) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "simulate":
            return run_simulate(args.scenario, args.json, leave_at_once=leave_at_once)
        if args.command == "import":
            return run_import(args.db, args.today, args.what, args.file, args.tag)
        if args.command == "status":
            return show_workspace(args.db, args.today)
        if args.command == "load-scenario":
            return run_load_scenario(args.db, args.today, args.scenario)
        if args.command == "save-scenario":
            return run_save_scenario(args.db, args.today, args.automation, args.file, args.days)
        if args.command == "mailbox":
            from builder.sending.commands import run_mailbox

            return run_mailbox(
                args.db, args.today, args.profile, args.smtp, args.imap, args.security, args.user, args.password_stdin
            )
        if args.command == "send":
            from builder.sending.commands import run_send

            return run_send(args.db, args.today, args.once, args.name)
        return open_app(args.db, args.today, args.demo, args.screenshot)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
