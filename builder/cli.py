"""The command line: ``automation-builder [simulate FILE] [--db PATH]``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from builder import __version__


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="automation-builder",
        description="Build outreach automations and see how contacts spread over sender profiles.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    simulate = commands.add_parser(
        "simulate",
        help="run a scenario file and print who goes where and the day-by-day work",
        description="Run a scenario file (SPEC §7) through the engine.",
    )
    simulate.add_argument("scenario", metavar="FILE", help="a scenario file (JSON)")
    simulate.add_argument("--json", action="store_true", help="print the result as one JSON object")
    return parser


def run_simulate(path: str, as_json: bool) -> int:
    from builder.engine.report import to_json, to_text
    from builder.engine.scenario import ScenarioError, load_scenario
    from builder.engine.simulation import simulate

    try:
        result = simulate(load_scenario(path))
    except ScenarioError as error:
        for line in error.problems:
            print(line, file=sys.stderr)
        return 2
    sys.stdout.write(to_json(result) if as_json else to_text(result))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "simulate":
            return run_simulate(args.scenario, args.json)
        _parser().print_help()
        return 0
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
