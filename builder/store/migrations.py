"""The workspace schema's versions and the steps between them.

``tables.py`` describes version 1. Every later change is a numbered step
here, run in order inside the transaction that opens the workspace, so an
upgrade happens all at once or not at all. A new workspace is made the same
way — version 1, then every step — so each step runs on every new workspace
and is tested all the time, not only on old files.

A workspace newer than this app, or a database that is not a workspace, is
refused before anything is written (``database.ensure_schema``).
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from builder.store.search_text import contact_search_text

LATEST = 13


def contact_sort_indexes(dialect: str) -> list[str]:
    """Indexes that let the contacts table sort a million contacts by name or company without a sort."""
    if dialect == "sqlite":
        return [
            "CREATE INDEX IF NOT EXISTS ix_contact_name_nocase ON contact (name COLLATE NOCASE)",
            "CREATE INDEX IF NOT EXISTS ix_contact_company_nocase ON contact (company COLLATE NOCASE)",
        ]
    return [
        "CREATE INDEX IF NOT EXISTS ix_contact_name_lower ON contact (lower(name))",
        "CREATE INDEX IF NOT EXISTS ix_contact_company_lower ON contact (lower(company))",
    ]


def _to_2(conn: Connection) -> None:
    for ddl in contact_sort_indexes(conn.dialect.name):
        conn.exec_driver_sql(ddl)


def _to_3(conn: Connection) -> None:
    """A revision number every write moves on: how an open window learns that another one changed the workspace."""
    conn.exec_driver_sql("CREATE TABLE workspace_revision (id INTEGER PRIMARY KEY, revision INTEGER NOT NULL)")
    conn.exec_driver_sql("INSERT INTO workspace_revision (id, revision) VALUES (1, 0)")


def _to_4(conn: Connection) -> None:
    """Where the workspace's own numbering of contacts, enrollments and nodes goes on from.

    Ids it hands out are never handed out again, even after their rows were
    deleted, so undoing a deletion can put the rows back with their ids.
    """
    conn.exec_driver_sql("CREATE TABLE id_counter (name VARCHAR(40) PRIMARY KEY, next_id INTEGER NOT NULL)")


def _to_5(conn: Connection) -> None:
    """Each contact's name, email and company case-folded by Python, for a search that means the same on
    SQLite and PostgreSQL in any language (``builder.store.search_text``); the workspace keeps it up to date."""
    conn.exec_driver_sql("ALTER TABLE contact ADD COLUMN search_text TEXT")
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    last = 0
    while True:
        rows = conn.exec_driver_sql(
            f"SELECT id, name, email, company FROM contact WHERE id > {mark} ORDER BY id LIMIT 50000", (last,)
        ).fetchall()
        if not rows:
            return
        conn.exec_driver_sql(
            f"UPDATE contact SET search_text = {mark} WHERE id = {mark}",
            [(contact_search_text(name, email, company), i) for i, name, email, company in rows],
        )
        last = rows[-1][0]


def _to_6(conn: Connection) -> None:
    """Tasks counted per step and status from an index alone: the step cards of a 200,000-contact
    automation in a few hundredths of a second instead of a third of one, on every redraw."""
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_task_step_status ON task (step_node_id, status)")


def _to_7(conn: Connection) -> None:
    """Paths that react to people (SPEC §10).

    - ``node.settings``: a control or tag node's settings as JSON (``{"outcome": "accepted", "days": 7}``,
      ``{"tags_any": [...]}`` or ``{"has": "email"}``, ``{"variants": [{"name": "A", "percent": 50}, ...]}``,
      ``{"tag": "vip"}``);
    - ``edge.output``: the output of a control node an edge leaves from (``yes``, ``no``, a variant's
      name); at most one edge per output;
    - ``automation.stop_on_reply`` (on by default) and ``automation.rates`` (the forecast's outcome rates, JSON);
    - ``outcome``: what a contact did in answer to its sender profile (accepted, replied, bounced), with
      the interaction it also is (accepted and replied) and where it was recorded;
    - ``decision``: the route of an enrollment, one row per control node it passed;
    - ``enrollment.at_node_id`` / ``arrived_day``: the control node an enrollment waits at, and since when.
    """
    true = "1" if conn.dialect.name == "sqlite" else "TRUE"
    conn.exec_driver_sql("ALTER TABLE node ADD COLUMN settings TEXT")
    conn.exec_driver_sql("ALTER TABLE edge ADD COLUMN output VARCHAR(20)")
    conn.exec_driver_sql("CREATE UNIQUE INDEX ix_edge_source_output ON edge (source_id, output)")
    conn.exec_driver_sql(f"ALTER TABLE automation ADD COLUMN stop_on_reply BOOLEAN NOT NULL DEFAULT {true}")
    conn.exec_driver_sql("ALTER TABLE automation ADD COLUMN rates TEXT")
    conn.exec_driver_sql("ALTER TABLE enrollment ADD COLUMN at_node_id INTEGER REFERENCES node (id)")
    conn.exec_driver_sql("ALTER TABLE enrollment ADD COLUMN arrived_day INTEGER")
    key = "INTEGER PRIMARY KEY" if conn.dialect.name == "sqlite" else "SERIAL PRIMARY KEY"
    conn.exec_driver_sql(
        f"""CREATE TABLE outcome (
            id {key},
            contact_id INTEGER NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
            enrollment_id INTEGER REFERENCES enrollment (id),
            automation_id INTEGER REFERENCES automation (id),
            sender_profile_id INTEGER NOT NULL REFERENCES sender_profile (id),
            kind VARCHAR(20) NOT NULL,
            day INTEGER NOT NULL,
            interaction_id INTEGER REFERENCES interaction (id),
            source VARCHAR(20) NOT NULL DEFAULT 'person'
        )"""
    )
    conn.exec_driver_sql("CREATE INDEX ix_outcome_enrollment ON outcome (enrollment_id)")
    conn.exec_driver_sql("CREATE INDEX ix_outcome_contact ON outcome (contact_id)")
    conn.exec_driver_sql(
        f"""CREATE TABLE decision (
            id {key},
            enrollment_id INTEGER NOT NULL REFERENCES enrollment (id),
            node_id INTEGER NOT NULL REFERENCES node (id),
            output VARCHAR(20) NOT NULL,
            day INTEGER NOT NULL
        )"""
    )
    conn.exec_driver_sql("CREATE INDEX ix_decision_enrollment ON decision (enrollment_id)")
    conn.exec_driver_sql("CREATE INDEX ix_decision_node ON decision (node_id, output)")


def _to_8(conn: Connection) -> None:
    """Time as outreach really runs (SPEC §12).

    - ``sender_profile.limits`` / ``weekly_limits``: JSON objects, action kind -> a whole number of tasks per
      day / over the last 7 days (``{"linkedin_connect": 20}``); ``'{}'``: no limit of that sort;
    - ``sender_profile.working_days``: the weekdays it works, 0 = Monday, comma-separated (all seven by default);
    - ``enrollment.moved_from_id``: the sender profile a contact was moved from by a removal with ``move``;
    - an index of done tasks by day, so today's plan counts the rolling week's done tasks per profile and kind
      without reading every done task the workspace ever had.
    """
    conn.exec_driver_sql("ALTER TABLE sender_profile ADD COLUMN limits TEXT NOT NULL DEFAULT '{}'")
    conn.exec_driver_sql("ALTER TABLE sender_profile ADD COLUMN weekly_limits TEXT NOT NULL DEFAULT '{}'")
    conn.exec_driver_sql(
        "ALTER TABLE sender_profile ADD COLUMN working_days VARCHAR(20) NOT NULL DEFAULT '0,1,2,3,4,5,6'"
    )
    conn.exec_driver_sql("ALTER TABLE enrollment ADD COLUMN moved_from_id INTEGER REFERENCES sender_profile (id)")
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_task_done_day ON task (status, done_day, sender_profile_id)")


def _to_9(conn: Connection) -> None:
    """Email that is really sent (SPEC §11).

    - ``mailbox``: an email sender profile's SMTP server (host, port, security ``none`` / ``starttls`` /
      ``tls``), user and IMAP server, and ``keyring_id``: the name its password has in the operating system's
      keyring (never the password itself); ``last_uid``: the last IMAP message read for replies and bounces;
    - ``task.message_id``: the Message-ID an email task is sent with, made and stored before it is sent;
      ``attempts`` / ``last_error`` / ``next_try`` (seconds since 1970): failed sends and when to try again;
      ``claimed_by`` / ``handed_at``: which sender claimed it (status ``sending``) and when it handed it to
      the server, so a crash in between is settled from the Message-ID and never by sending again.
    """
    conn.exec_driver_sql(
        """CREATE TABLE mailbox (
            sender_profile_id INTEGER PRIMARY KEY REFERENCES sender_profile (id) ON DELETE CASCADE,
            smtp_host VARCHAR(255) NOT NULL,
            smtp_port INTEGER NOT NULL,
            security VARCHAR(10) NOT NULL DEFAULT 'starttls',
            user_name VARCHAR(255) NOT NULL,
            imap_host VARCHAR(255),
            imap_port INTEGER,
            keyring_id VARCHAR(80) NOT NULL,
            last_uid INTEGER NOT NULL DEFAULT 0
        )"""
    )
    conn.exec_driver_sql("ALTER TABLE task ADD COLUMN message_id VARCHAR(250)")
    conn.exec_driver_sql("ALTER TABLE task ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0")
    conn.exec_driver_sql("ALTER TABLE task ADD COLUMN last_error TEXT")
    conn.exec_driver_sql("ALTER TABLE task ADD COLUMN next_try BIGINT")
    conn.exec_driver_sql("ALTER TABLE task ADD COLUMN claimed_by VARCHAR(120)")
    conn.exec_driver_sql("ALTER TABLE task ADD COLUMN handed_at BIGINT")
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_task_message_id ON task (message_id)")


TASK_KEYS = (("enrollment_id", "enrollment"), ("sender_profile_id", "sender_profile"), ("step_node_id", "node"))


def _to_10(conn: Connection) -> None:
    """A task's enrollment, sender profile and step checked once per statement, not once per row (issue 16).

    PostgreSQL checks a foreign key with one lookup per inserted row: 1.8 million of them as a
    200,000-contact automation starts (600,000 tasks, three keys each). There the task table's three
    keys become triggers that check a whole statement's rows in one join, with the same rule as the
    keys (RESTRICT) and the same error (``foreign_key_violation``): rows that name a missing parent
    are refused, and so is deleting a parent a task still names. SQLite keeps its keys: they cost
    little there, and changing them would mean rebuilding the table.
    """
    if conn.dialect.name != "postgresql":
        return
    for (name,) in conn.exec_driver_sql(
        "SELECT conname FROM pg_constraint WHERE conrelid = 'task'::regclass AND contype = 'f'"
    ).all():
        conn.exec_driver_sql(f'ALTER TABLE task DROP CONSTRAINT "{name}"')
    missing = " OR ".join(
        f"NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = t.{column})" for column, parent in TASK_KEYS
    )
    changed = " OR ".join(f"t.{column} IS DISTINCT FROM o.{column}" for column, _ in TASK_KEYS)
    refuse = (
        "RAISE EXCEPTION 'a task names an enrollment, sender profile or step that does not exist' "
        "USING ERRCODE = 'foreign_key_violation'"
    )
    conn.exec_driver_sql(
        f"""CREATE FUNCTION task_parents_exist() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                IF EXISTS (SELECT 1 FROM task_new t WHERE {missing}) THEN {refuse}; END IF;
            ELSIF EXISTS (SELECT 1 FROM task_new t JOIN task_old o ON o.id = t.id WHERE ({changed}) AND ({missing}))
            THEN {refuse};
            END IF;
            RETURN NULL;
        END $$"""
    )
    for event, tables in (
        ("INSERT", "NEW TABLE AS task_new"),
        ("UPDATE", "NEW TABLE AS task_new OLD TABLE AS task_old"),
    ):
        conn.exec_driver_sql(
            f"CREATE TRIGGER task_parents_on_{event.lower()} AFTER {event} ON task REFERENCING {tables} "
            "FOR EACH STATEMENT EXECUTE FUNCTION task_parents_exist()"
        )
    for column, parent in TASK_KEYS:
        conn.exec_driver_sql(
            f"""CREATE FUNCTION {parent}_kept_for_tasks() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM task t JOIN gone g ON g.id = t.{column}) THEN
                    RAISE EXCEPTION 'a task still names this {parent.replace("_", " ")}'
                    USING ERRCODE = 'foreign_key_violation';
                END IF;
                RETURN NULL;
            END $$"""
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER {parent}_kept_for_tasks AFTER DELETE ON {parent} REFERENCING OLD TABLE AS gone "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {parent}_kept_for_tasks()"
        )


def _keys_as_triggers(
    conn: Connection, child: str, keys: tuple[tuple[str, str], ...], refuse: Callable[[str], str]
) -> None:
    """PostgreSQL: ``child``'s foreign keys (column, parent) dropped and checked by triggers instead.

    A load (COPY, INSERT) is checked once per statement, one anti-join per key over its rows; an update,
    one row per statement as the workspace makes them, only when it changes a key column. A NULL names
    nothing and is not checked. ``refuse(parent)`` is the RAISE for a row naming a missing parent. What
    happens when a parent is deleted is the caller's: refused (RESTRICT) or following it (CASCADE).
    """
    for (name,) in conn.exec_driver_sql(
        f"SELECT conname FROM pg_constraint WHERE conrelid = '{child}'::regclass AND contype = 'f'"
    ).all():
        conn.exec_driver_sql(f'ALTER TABLE {child} DROP CONSTRAINT "{name}"')
    loaded = "\n".join(
        f"IF EXISTS (SELECT 1 FROM {child}_new t WHERE t.{column} IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {parent} p WHERE p.id = t.{column})) THEN {refuse(parent)}; END IF;"
        for column, parent in keys
    )
    changed = "\n".join(
        f"IF NEW.{column} IS DISTINCT FROM OLD.{column} AND NEW.{column} IS NOT NULL AND NOT EXISTS "
        f"(SELECT 1 FROM {parent} p WHERE p.id = NEW.{column}) THEN {refuse(parent)}; END IF;"
        for column, parent in keys
    )
    for function, body in ((f"{child}_parents_exist", loaded), (f"{child}_parents_still_exist", changed)):
        conn.exec_driver_sql(
            f"""CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {body}
                RETURN NULL;
            END $$"""
        )
    conn.exec_driver_sql(
        f"CREATE TRIGGER {child}_parents_on_insert AFTER INSERT ON {child} REFERENCING NEW TABLE AS "
        f"{child}_new FOR EACH STATEMENT EXECUTE FUNCTION {child}_parents_exist()"
    )
    any_changed = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column, _ in keys)
    conn.exec_driver_sql(
        f"CREATE TRIGGER {child}_parents_on_update AFTER UPDATE ON {child} FOR EACH ROW "
        f"WHEN ({any_changed}) EXECUTE FUNCTION {child}_parents_still_exist()"
    )


ENROLLMENT_KEYS = (
    ("automation_id", "automation"),
    ("contact_id", "contact"),
    ("branch_node_id", "node"),
    ("sender_profile_id", "sender_profile"),
    ("ignored_override_id", "sender_profile"),
    ("at_node_id", "node"),
    ("moved_from_id", "sender_profile"),
)  # (column, the table it names); the last four may be NULL: then they name nothing and are not checked


def _to_11(conn: Connection) -> None:
    """An enrollment's seven parents checked once per load, not once per row (issue 16).

    Each key protects something true of every enrollment: it belongs to an existing automation, contact and
    branch (Sender Profile node); its sender profile, the pinned profile it passed over (``ignored_override_id``),
    the control node it waits at and the profile it was moved from, when it names one, exist — today's plan, the
    CRM's history and the path walk read them. None repeats another (nothing ties the branch node's automation
    to the enrollment's), so all seven are kept.

    On PostgreSQL the keys become triggers, as the task's did in schema 10: a load (COPY) is checked in one
    anti-join per key; an update is checked only when it changes a key column (a row trigger with a WHEN, since
    updates come one row per statement); deleting a contact, automation, node or sender profile that an
    enrollment still names is refused. Same rule as the keys (RESTRICT), same error
    (``foreign_key_violation``). Writers take turns on the workspace revision's row lock (``base._write``), so
    a check cannot race a delete in another transaction. SQLite keeps its keys.
    """
    if conn.dialect.name != "postgresql":
        return

    def refuse(parent: str) -> str:
        a = "an automation" if parent == "automation" else f"a {parent.replace('_', ' ')}"
        return f"RAISE EXCEPTION 'an enrollment names {a} that does not exist' USING ERRCODE = 'foreign_key_violation'"

    _keys_as_triggers(conn, "enrollment", ENROLLMENT_KEYS, refuse)
    for parent in dict.fromkeys(parent for _, parent in ENROLLMENT_KEYS):
        named = "\n".join(
            f"IF EXISTS (SELECT 1 FROM enrollment e JOIN gone g ON g.id = e.{column}) THEN "
            f"RAISE EXCEPTION 'an enrollment still names this {parent.replace('_', ' ')}' "
            "USING ERRCODE = 'foreign_key_violation'; END IF;"
            for column, named_parent in ENROLLMENT_KEYS
            if named_parent == parent
        )
        conn.exec_driver_sql(
            f"""CREATE FUNCTION {parent}_kept_for_enrollments() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {named}
                RETURN NULL;
            END $$"""
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER {parent}_kept_for_enrollments AFTER DELETE ON {parent} REFERENCING OLD TABLE AS gone "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {parent}_kept_for_enrollments()"
        )


def _to_12(conn: Connection) -> None:
    """Search and sort by an index on both databases (issue 16): trigrams for the search (FTS5 on SQLite,
    pg_trgm on PostgreSQL when the server has it), ``(key, id)`` indexes for each sortable column."""
    from builder.store.contact_search import install  # it reads through loading.py, which needs database.py

    install(conn)


CONTACT_TAG_KEYS = (("contact_id", "contact"), ("tag_id", "tag"))  # both ON DELETE CASCADE


def _to_13(conn: Connection) -> None:
    """A contact's tags checked once per load, not once per row (issue 16).

    PostgreSQL checks a foreign key with a lookup and a row lock per inserted row: 400,000 of each as
    200,000 contacts with two tags are added, more than the COPY of the rows itself. There the
    contact_tag table's two keys become triggers: a load is checked in one anti-join per key, an update
    only when it changes a key column; deleting contacts or tags deletes their tag rows in one statement
    (the keys' ON DELETE CASCADE). Same error (``foreign_key_violation``). SQLite keeps its keys.
    """
    if conn.dialect.name != "postgresql":
        return

    def refuse(parent: str) -> str:
        return (
            f"RAISE EXCEPTION 'a contact''s tag names a {parent} that does not exist' "
            "USING ERRCODE = 'foreign_key_violation'"
        )

    _keys_as_triggers(conn, "contact_tag", CONTACT_TAG_KEYS, refuse)
    for column, parent in CONTACT_TAG_KEYS:
        conn.exec_driver_sql(
            f"""CREATE FUNCTION {parent}_tags_go_along() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                DELETE FROM contact_tag t USING gone g WHERE t.{column} = g.id;
                RETURN NULL;
            END $$"""
        )
        conn.exec_driver_sql(
            f"CREATE TRIGGER {parent}_tags_go_along AFTER DELETE ON {parent} REFERENCING OLD TABLE AS gone "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {parent}_tags_go_along()"
        )


STEPS: dict[int, Callable[[Connection], None]] = {
    2: _to_2,
    3: _to_3,
    4: _to_4,
    5: _to_5,
    6: _to_6,
    7: _to_7,
    8: _to_8,
    9: _to_9,
    10: _to_10,
    11: _to_11,
    12: _to_12,
    13: _to_13,
}  # the version a step reaches -> the step


def upgrade(conn: Connection, found: int) -> None:
    """Bring a workspace of version ``found`` to :data:`LATEST`, inside the caller's transaction."""
    for version in range(found + 1, LATEST + 1):
        STEPS[version](conn)
    if found < LATEST:
        conn.exec_driver_sql("DELETE FROM schema_version")
        conn.exec_driver_sql(f"INSERT INTO schema_version (version) VALUES ({LATEST})")
