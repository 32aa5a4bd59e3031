"""The rules of SPEC §3–§7 in plain Python: no Qt, no SQL.

Both the desktop app (through the workspace) and ``automation-builder
simulate`` call this one engine.
"""
