"""The workspace in SQLite or PostgreSQL (SPEC §9): tables, transactions, the Workspace."""
