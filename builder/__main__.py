from builder.cli import command_line

raise SystemExit(command_line())
