"""Secure server mode (issue 17), first slice: the PostgreSQL server itself refuses what the
app's data scopes refuse, for anyone who connects with a CRM user's own database role.

``setup_server`` (``crm-admin server-setup``) prepares a database, idempotently:

- ``<prefix>owner``: owns every table, sequence and function (migrations run as it); as the
  tables' owner it is not subject to row-level security.
- ``<prefix>users``: the group role with the minimum grants — read and write on the business
  tables and the records that go with a save (audit, team, messages, lines, approvals…), read
  only on the organisation and configuration tables, on ``users`` every column except the
  password hash and the lock-out counters, nothing at all on ``settings``. So a user role
  cannot give itself a role (``user_roles`` is read-only) or read a password hash.
- one login role per CRM user, ``<prefix>u_<user id>``, member of the group
  (``create_login_role``); the CRM user behind a connection is read from ``current_user``.
- row-level security on every business table, whose policies are the app's scope filter
  (services/org/scope.py) written in SQL over the same tables, in three functions run once
  per statement: ``crm_sees_all`` (super administrator, unscoped module, a role with "all"),
  ``crm_visible_owners`` (the union of the owners the scopes of the user's roles cover; a
  role that names none: self) and ``crm_team_records`` (the records whose team has the user:
  read, or write for changes). The property test
  (tests/test_server_rls.py) holds the two to the same answers.

Policies: SELECT and INSERT need the row visible; UPDATE and DELETE need it editable (scope
or a read-write team seat). The UPDATE policy does not re-check the new row, but PostgreSQL
checks it against the SELECT policy whenever the UPDATE reads the table (a WHERE or RETURNING
clause: every update the app makes): a transfer to an owner outside the actor's scope (which
the app allows) is refused on a user role — not solved yet.

The tables of ``OWN_RULES`` have the services' own rules (``_own_policies``): tasks and events
(activities.visibility: owner in scope, team, participant, or a live linked record visible;
changed by the owner, the creator, a task's participant or the scope, as the services'
``_load``), their subtasks, comments, participants and links (with their task, event or log),
work logs (the author and the superior chain, the super administrator; written by the author
only), import batches and their rows (the importer's; a super administrator's too), the
mappings and reminders shown (the user's), the dashboard rollup (read through the owners the
scope of each measure's module covers). A task, event or log in the recycle bin stays readable
to whoever would see it out of the bin (binning is an UPDATE whose new row must stay visible).
The prefix defaults to ``<database name>_`` because roles belong to the whole server, which
may hold several CRM databases. PostgreSQL only; needs a superuser (or CREATEROLE + owner)
connection.

``crm_sync_login`` (SECURITY DEFINER, owned by the owner, which may create roles) keeps each
login role in step with its user: the user services call it (services/org/login_roles.py) in
the same transaction as creating a user, setting a password, disabling or enabling one. Not
done yet: the app logging in with the user's own role (it uses the shared role).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.engine import make_url

from crm_desktop.db import normalize_url
from crm_desktop.services.activities.common import RELATED_MODELS
from crm_desktop.services.dashboard.rollup import SOURCES
from crm_desktop.services.org.permissions import MODULES
from crm_desktop.services.records.registry import RECORD_SERVICES

#: What a user role may read and write besides the business tables (what a save touches).
READ_WRITE = ("audit_entries", "audit_changes", "team_members", "messages", "stars", "attachments",
              "attachment_blobs", "saved_views", "column_preferences", "opportunity_lines", "opportunity_contacts",
              "stage_changes", "contract_lines", "payment_plans", "number_sequences", "pool_members", "pool_events",
              "approval_instances", "approval_tasks", "approval_log", "automation_runs")
#: Read only: the organisation and the configuration the app reads on every call.
READ_ONLY = ("departments", "roles", "role_permissions", "role_data_scopes", "user_roles", "custom_fields",
             "dictionary_items", "field_permissions", "product_categories", "stage_groups", "stages",
             "number_rules", "pools", "pool_rules", "approval_flows", "automation_rules", "alembic_version",
             "cache_signals", "role_scope_departments", "sales_targets")
#: No grant at all to a user role: the company settings and the login lock-out records.
NO_ACCESS = ("settings", "login_failures")
#: Tables with row-level security of their own (not the business tables' scope filter): each
#: → the privileges a user role gets; the policies (``_OWN_POLICIES``) say on which rows. A
#: privilege left out is one no service uses (comments and logs are never changed or removed,
#: a batch's rows never changed, the rollup is written by its triggers only, as the owner).
OWN_RULES: dict[str, tuple[str, ...]] = {
    "tasks": ("SELECT", "INSERT", "UPDATE", "DELETE"),
    "schedule_events": ("SELECT", "INSERT", "UPDATE", "DELETE"),
    "task_subtasks": ("SELECT", "INSERT", "UPDATE", "DELETE"),
    "task_comments": ("SELECT", "INSERT"),
    "activity_participants": ("SELECT", "INSERT", "UPDATE", "DELETE"),
    "activity_links": ("SELECT", "INSERT", "UPDATE", "DELETE"),
    "reminders_shown": ("SELECT", "INSERT", "UPDATE", "DELETE"),
    "import_batches": ("SELECT", "INSERT", "UPDATE"),
    "import_batch_rows": ("SELECT", "INSERT", "DELETE"),
    "import_mappings": ("SELECT", "INSERT", "UPDATE"),
    "work_logs": ("SELECT", "INSERT", "UPDATE"),
    "work_log_comments": ("SELECT", "INSERT"),
    "dashboard_rollup": ("SELECT",),
}
_POLICY_NAMES = {"SELECT": "read", "INSERT": "insert", "UPDATE": "update", "DELETE": "delete"}
#: Tables whose row-level security is not written yet (a user role gets no grant on them).
NOT_YET_PROTECTED: tuple[str, ...] = ()
#: The columns of ``users`` a user role may read (not the password hash, not the lock-out state).
USER_COLUMNS = ("id", "mobile", "name", "gender", "email", "department_id", "position", "superior_id", "enabled",
                "last_login_at", "created_at")
#: Search index tables (PostgreSQL: kept by triggers) → the table whose rows they index: a
#: user role reads an index row only when it may read the record (RLS through the base table).
SEARCH_TABLES = {"search_customers": "customers", "search_leads": "leads", "search_contacts": "contacts"}
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")


@dataclass(frozen=True)
class ServerSetup:
    owner_role: str
    group_role: str
    login_prefix: str
    protected_tables: tuple[str, ...]


def default_prefix(url: str) -> str:
    name = (make_url(normalize_url(url)).database or "crm").lower()
    return re.sub(r"[^a-z0-9_]", "_", name)[:30] + "_"


def login_role_name(prefix: str, user_id: int) -> str:
    return f"{prefix}u_{int(user_id)}"


def business_tables() -> list[tuple[str, str, bool]]:
    """(table, entity, scoped) of every record module: the tables under row-level security."""
    return [(svc.model.__tablename__, svc.model.entity, MODULES[svc.model.entity].scoped)
            for svc in RECORD_SERVICES.values()]


def _q(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"unsafe SQL name {name!r}")
    return f'"{name}"'


def _may_see_function(prefix: str) -> str:
    pattern = "^" + re.escape(prefix) + "u_[0-9]+$"
    return f"""
CREATE OR REPLACE FUNCTION crm_user_id() RETURNS integer LANGUAGE sql STABLE AS $fn$
  SELECT CASE WHEN current_user ~ '{pattern}' THEN substring(current_user from {len(prefix) + 3})::integer END
$fn$;

CREATE OR REPLACE FUNCTION crm_sees_all(uid integer, p_module text, p_scoped boolean)
RETURNS boolean LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
BEGIN
  IF uid IS NULL OR NOT EXISTS (SELECT 1 FROM users WHERE id = uid AND enabled) THEN
    RETURN false;  -- no CRM user, or a disabled one: cannot act (services: load_actor)
  END IF;
  -- Actor.scopes_for: the super administrator, a module without a data scope, a role with "all".
  RETURN NOT p_scoped
    OR EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE ur.user_id = uid AND r.is_super)
    OR EXISTS (SELECT 1 FROM user_roles ur JOIN role_data_scopes s ON s.role_id = ur.role_id
               WHERE ur.user_id = uid AND s.module = p_module AND s.scope = 'all');
END
$fn$;

CREATE OR REPLACE FUNCTION crm_visible_owners(uid integer, p_module text)
RETURNS integer[] LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  my_department integer;
  granted text[];
  owners integer[] := ARRAY[]::integer[];
BEGIN
  SELECT department_id INTO my_department FROM users WHERE id = uid AND enabled;
  IF NOT FOUND THEN
    RETURN owners;
  END IF;
  -- The scopes of the user's roles on the module; a role that names none: self; no role: self.
  SELECT array_agg(COALESCE(s.scope, 'self')) INTO granted
    FROM user_roles ur LEFT JOIN role_data_scopes s ON s.role_id = ur.role_id AND s.module = p_module
   WHERE ur.user_id = uid;
  granted := COALESCE(granted, ARRAY['self']);
  IF 'self' = ANY(granted) THEN
    owners := owners || uid;
  END IF;
  IF 'self_and_subordinates' = ANY(granted) THEN
    owners := owners || ARRAY(WITH RECURSIVE chain(id) AS (
        SELECT uid UNION SELECT u.id FROM users u JOIN chain c ON u.superior_id = c.id) SELECT id FROM chain);
  END IF;
  IF 'department' = ANY(granted) THEN
    owners := owners || ARRAY(SELECT id FROM users WHERE department_id = my_department);
  END IF;
  IF 'department_tree' = ANY(granted) THEN
    owners := owners || ARRAY(SELECT id FROM users WHERE department_id IN (
        WITH RECURSIVE tree(id) AS (
          SELECT my_department UNION SELECT d.id FROM departments d JOIN tree t ON d.parent_id = t.id)
        SELECT id FROM tree));
  END IF;
  IF 'custom' = ANY(granted) THEN
    -- The ticked departments of the user's roles on the module (exactly those), and the user.
    owners := owners || uid || ARRAY(SELECT u.id FROM users u
        JOIN role_scope_departments d ON d.department_id = u.department_id
        JOIN user_roles ur ON ur.role_id = d.role_id
       WHERE ur.user_id = uid AND d.module = p_module);
  END IF;
  RETURN owners;
END
$fn$;

CREATE OR REPLACE FUNCTION crm_team_records(uid integer, p_entity text, p_write boolean)
RETURNS integer[] LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  SELECT COALESCE(array_agg(t.record_id), ARRAY[]::integer[]) FROM team_members t JOIN users u ON u.id = t.user_id
   WHERE t.user_id = uid AND u.enabled AND t.entity = p_entity AND (NOT p_write OR t.access = 'write')
$fn$;
"""


def _activity_functions() -> str:
    """The functions the activities', work logs' and imports' policies add to the three above.
    SECURITY DEFINER: they read tables under row-level security of their own (a policy that
    read them directly would recurse: a task's participants follow the task, the task is
    visible to its participants)."""
    parts = []
    for entity, model in RELATED_MODELS.items():
        table, scoped = model.__tablename__, str(MODULES[entity].scoped).lower()
        # visible_filter(model): live, and in scope or on the record's team.
        parts.append(f"""
  all_ := crm_sees_all(uid, '{entity}', {scoped});
  owners := crm_visible_owners(uid, '{entity}');
  team := crm_team_records(uid, '{entity}', false);
  RETURN QUERY SELECT l.activity_id FROM activity_links l JOIN {_q(table)} r ON r.id = l.record_id
    WHERE l.kind = p_kind AND l.entity = '{entity}' AND r.deleted_at IS NULL
      AND (all_ OR r.owner_id = ANY (owners) OR r.id = ANY (team));""")
    linked = "".join(parts)
    return f"""
CREATE OR REPLACE FUNCTION crm_live_user(uid integer) RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  SELECT id FROM users WHERE id = uid AND enabled  -- a disabled user cannot act (load_actor)
$fn$;

CREATE OR REPLACE FUNCTION crm_is_super(uid integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  SELECT EXISTS (SELECT 1 FROM user_roles ur JOIN roles r ON r.id = ur.role_id JOIN users u ON u.id = ur.user_id
                  WHERE ur.user_id = uid AND u.enabled AND r.is_super)
$fn$;

-- The user and everyone below them in the direct-superior chain (scope.subordinate_ids).
CREATE OR REPLACE FUNCTION crm_chain(uid integer) RETURNS integer[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  WITH RECURSIVE chain(id) AS (
    SELECT id FROM users WHERE id = uid AND enabled
    UNION SELECT u.id FROM users u JOIN chain c ON u.superior_id = c.id)
  SELECT COALESCE(array_agg(id), ARRAY[]::integer[]) FROM chain
$fn$;

-- The tasks (events) the user takes part in.
CREATE OR REPLACE FUNCTION crm_participations(uid integer, p_kind text) RETURNS integer[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  SELECT COALESCE(array_agg(p.activity_id), ARRAY[]::integer[]) FROM activity_participants p
    JOIN users u ON u.id = p.user_id AND u.enabled WHERE p.user_id = uid AND p.kind = p_kind
$fn$;

-- The tasks (events) about a record the user sees (visible_filter of the record's module).
CREATE OR REPLACE FUNCTION crm_linked_activities(uid integer, p_kind text) RETURNS SETOF integer
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  all_ boolean;
  owners integer[];
  team integer[];
BEGIN
  IF crm_live_user(uid) IS NULL THEN
    RETURN;
  END IF;{linked}
END
$fn$;
"""


_ME = "(SELECT crm_live_user(crm_user_id()))"


def _scope_sql(entity: str, scoped: bool, owner: str = "owner_id") -> str:
    """The owner part of the scope filter (``owner_scope_filter``; ``owner_in_scope``)."""
    return (f"((SELECT crm_sees_all(crm_user_id(), '{entity}', {str(scoped).lower()})) "
            f"OR {owner} = ANY ((SELECT crm_visible_owners(crm_user_id(), '{entity}'))::integer[]))")


def _team_sql(entity: str, write: bool, key: str = "id") -> str:
    return f"{key} = ANY ((SELECT crm_team_records(crm_user_id(), '{entity}', {str(write).lower()}))::integer[])"


def _activity_sql(kind: str, entity: str) -> tuple[str, str]:
    """(visible, editable) of a task or an event (``visibility._clause``; the services' ``_load``
    with ``write``). Visible ignores the recycle bin: binning is an UPDATE whose new row must
    stay readable (PostgreSQL checks it against the SELECT policy), as the business tables'."""
    scope = _scope_sql(entity, True)
    mine = f"id = ANY ((SELECT crm_participations(crm_user_id(), '{kind}'))::integer[])"
    about = f"id IN (SELECT a FROM crm_linked_activities(crm_user_id(), '{kind}') a)"
    visible = f"({scope} OR {_team_sql(entity, False)} OR {mine} OR {about})"
    # tasks: the owner, the creator, a participant, or the scope / a read-write team seat;
    # events: the same without participants (schedule._load).
    who = [f"owner_id = {_ME}", f"creator_id = {_ME}"] + ([mine] if kind == "task" else [])
    editable = f"(deleted_at IS NULL AND {visible} AND ({' OR '.join(who)} OR {scope} OR {_team_sql(entity, True)}))"
    return visible, editable


def _own_policies() -> dict[str, dict[str, tuple[str | None, str | None]]]:
    """table → policy command → (USING, WITH CHECK) for the tables of ``OWN_RULES``."""
    task_see, task_edit = _activity_sql("task", "task")
    event_see, event_edit = _activity_sql("event", "event")
    # Creating a task / an event: as its creator, for oneself or someone inside one's scope
    # (create_task: owner_in_scope).
    task_new = f"creator_id = {_ME} AND deleted_at IS NULL AND {_scope_sql('task', True)}"
    event_new = f"creator_id = {_ME} AND deleted_at IS NULL AND {_scope_sql('event', True)}"
    # A work log: the author's and their superiors' (worklogs.log_visible); only the author writes.
    log_see = "((SELECT crm_is_super(crm_user_id())) OR author_id = ANY ((SELECT crm_chain(crm_user_id()))::integer[]))"
    log_edit = f"author_id = {_ME} AND deleted_at IS NULL"
    # Participants and links follow their task / event / log: read with it, written by whoever may edit it.
    # The subqueries read those tables under their own policies (the SELECT policy: visible).
    by_kind_see = ("(kind = 'task' AND activity_id IN (SELECT id FROM tasks)) "
                   "OR (kind = 'event' AND activity_id IN (SELECT id FROM schedule_events)) "
                   "OR (kind = 'log' AND activity_id IN (SELECT id FROM work_logs))")
    by_kind_edit = (f"(kind = 'task' AND activity_id IN (SELECT id FROM tasks WHERE {task_edit})) "
                    f"OR (kind = 'event' AND activity_id IN (SELECT id FROM schedule_events WHERE {event_edit})) "
                    f"OR (kind = 'log' AND activity_id IN (SELECT id FROM work_logs WHERE {log_edit}))")
    task_is_editable = f"task_id IN (SELECT id FROM tasks WHERE {task_edit})"
    # A comment: by oneself, on a live task (log) one sees (add_comment, add_log_comment).
    comment_new = f"author_id = {_ME} AND task_id IN (SELECT id FROM tasks WHERE deleted_at IS NULL)"
    log_comment_new = f"author_id = {_ME} AND log_id IN (SELECT id FROM work_logs WHERE deleted_at IS NULL)"
    # Import batches: the importer's own; a super administrator sees and undoes any (engine._load_batch).
    batch_see = f"(actor_id = {_ME} OR (SELECT crm_is_super(crm_user_id())))"
    rollup = " OR ".join(
        f"(measure IN ({', '.join(sorted(repr(m) for m in measures))}) AND {_scope_sql(entity, MODULES[entity].scoped)})"
        for entity, measures in _rollup_measures().items())
    return {
        "tasks": {"SELECT": (task_see, None), "INSERT": (None, task_new), "UPDATE": (task_edit, "true"),
                  "DELETE": (task_edit, None)},
        "schedule_events": {"SELECT": (event_see, None), "INSERT": (None, event_new), "UPDATE": (event_edit, "true"),
                            "DELETE": (event_edit, None)},
        "task_subtasks": {"SELECT": ("task_id IN (SELECT id FROM tasks)", None),
                          "INSERT": (None, task_is_editable), "UPDATE": (task_is_editable, task_is_editable),
                          "DELETE": (task_is_editable, None)},
        "task_comments": {"SELECT": ("task_id IN (SELECT id FROM tasks)", None),
                          "INSERT": (None, comment_new)},
        "activity_participants": {"SELECT": (by_kind_see, None), "INSERT": (None, by_kind_edit),
                                  "UPDATE": (by_kind_edit, by_kind_edit), "DELETE": (by_kind_edit, None)},
        "activity_links": {"SELECT": (by_kind_see, None), "INSERT": (None, by_kind_edit),
                           "UPDATE": (by_kind_edit, by_kind_edit), "DELETE": (by_kind_edit, None)},
        "reminders_shown": {c: (None if c == "INSERT" else f"user_id = {_ME}",
                                f"user_id = {_ME}" if c in ("INSERT", "UPDATE") else None)
                            for c in ("SELECT", "INSERT", "UPDATE", "DELETE")},
        "import_batches": {"SELECT": (batch_see, None), "INSERT": (None, f"actor_id = {_ME}"),
                           "UPDATE": (batch_see, batch_see)},
        "import_batch_rows": {"SELECT": ("batch_id IN (SELECT id FROM import_batches)", None),
                              "INSERT": (None, "batch_id IN (SELECT id FROM import_batches)"),
                              "DELETE": ("batch_id IN (SELECT id FROM import_batches)", None)},
        "import_mappings": {"SELECT": (f"user_id = {_ME}", None), "INSERT": (None, f"user_id = {_ME}"),
                            "UPDATE": (f"user_id = {_ME}", f"user_id = {_ME}")},
        "work_logs": {"SELECT": (log_see, None), "INSERT": (None, f"author_id = {_ME} AND deleted_at IS NULL"),
                      "UPDATE": (log_edit, f"author_id = {_ME}")},
        "work_log_comments": {"SELECT": ("log_id IN (SELECT id FROM work_logs)", None),
                              "INSERT": (None, log_comment_new)},
        "dashboard_rollup": {"SELECT": (f"({rollup})", None)},
    }


def _rollup_measures() -> dict[str, list[str]]:
    """module → the rollup's measures counting its records (rollup.SOURCES: what the
    dashboard reads through ``owner_scope_filter`` of that module)."""
    out: dict[str, list[str]] = {}
    for (entity, _field), source in SOURCES.items():
        out.setdefault(entity, []).append(source.measure.value)
    return out


#: What a role's comment says once it was given a password (a non-superuser cannot read
#: pg_authid): re-enabling its user lets it log in again only then.
PASSWORD_SET = "crm: password set"


def _sync_function(prefix: str, group: str) -> str:
    """``crm_sync_login(user id, new password or NULL)``: the user's login role in step with the
    user — created when missing (member of the group), given the new password, able to log in
    while the user is enabled and has a password, not after. SECURITY DEFINER (its owner may
    create roles); allowed to the shared administration role, to a super administrator or a
    role with the user-administration permissions, and to a user setting their own password."""
    pattern = "^" + re.escape(prefix) + "u_[0-9]+$"
    return f"""
CREATE OR REPLACE FUNCTION crm_sync_login(uid integer, new_password text) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  rname text := '{prefix}u_' || uid;
  caller integer;
  live boolean;
  has_password boolean;
BEGIN
  IF session_user ~ '{pattern}' THEN  -- a CRM user's own role: who is it, and may they?
    caller := substring(session_user from {len(prefix) + 3})::integer;
    IF NOT (caller = uid AND new_password IS NOT NULL) AND NOT EXISTS (
        SELECT 1 FROM user_roles ur JOIN users u ON u.id = ur.user_id AND u.enabled
          LEFT JOIN roles r ON r.id = ur.role_id
          LEFT JOIN role_permissions p ON p.role_id = ur.role_id AND p.module = 'user'
                                       AND p.action IN ('create', 'disable', 'reset_password')
         WHERE ur.user_id = caller AND (r.is_super OR p.role_id IS NOT NULL)) THEN
      RAISE EXCEPTION 'permission denied to manage the login of user %', uid USING ERRCODE = '42501';
    END IF;
  END IF;
  SELECT enabled INTO live FROM users WHERE id = uid;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = rname) THEN
    EXECUTE format('CREATE ROLE %I NOLOGIN', rname);
    EXECUTE format('GRANT %I TO %I', '{group}', rname);
  END IF;
  IF new_password IS NOT NULL THEN
    EXECUTE format('ALTER ROLE %I PASSWORD %L', rname, new_password);
    EXECUTE format('COMMENT ON ROLE %I IS %L', rname, '{PASSWORD_SET}');
  END IF;
  SELECT shobj_description(oid, 'pg_authid') = '{PASSWORD_SET}' INTO has_password FROM pg_roles WHERE rolname = rname;
  EXECUTE format('ALTER ROLE %I %s', rname, CASE WHEN live AND has_password THEN 'LOGIN' ELSE 'NOLOGIN' END);
END
$fn$;
"""


def _ensure_role(conn: Connection, name: str, options: str) -> None:
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).scalar()
    if not exists:
        conn.execute(text(f"CREATE ROLE {_q(name)} {options}"))


def _existing(conn: Connection, names: Iterable[str]) -> list[str]:
    present = set(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
    return [n for n in names if n in present]


def apply_setup(conn: Connection, prefix: str) -> ServerSetup:
    """Roles, grants, the scope function and the policies, in the caller's transaction."""
    owner, group = f"{prefix}owner", f"{prefix}users"
    _ensure_role(conn, owner, "NOLOGIN")
    _ensure_role(conn, group, "NOLOGIN")
    tables = list(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
    for table in tables:
        conn.execute(text(f"ALTER TABLE {_q(table)} OWNER TO {_q(owner)}"))
    for seq in conn.execute(text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")).scalars():
        conn.execute(text(f"ALTER SEQUENCE {_q(seq)} OWNER TO {_q(owner)}"))
    conn.execute(text(_may_see_function(prefix)))
    conn.execute(text(_activity_functions()))
    # The owner keeps the users' login roles in step with the users (crm_sync_login): it may
    # create roles and hand out the group.
    conn.execute(text(f"ALTER ROLE {_q(owner)} CREATEROLE"))
    conn.execute(text(f"GRANT {_q(group)} TO {_q(owner)} WITH ADMIN OPTION"))
    conn.execute(text(_sync_function(prefix, group)))
    conn.execute(text("DROP FUNCTION IF EXISTS crm_may_see(integer, text, boolean, integer, text, integer, boolean)"))
    for signature in ("crm_user_id()", "crm_sees_all(integer, text, boolean)", "crm_visible_owners(integer, text)",
                      "crm_team_records(integer, text, boolean)", "crm_sync_login(integer, text)",
                      "crm_live_user(integer)", "crm_is_super(integer)", "crm_chain(integer)",
                      "crm_participations(integer, text)", "crm_linked_activities(integer, text)"):
        conn.execute(text(f"ALTER FUNCTION {signature} OWNER TO {_q(owner)}"))
        conn.execute(text(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC"))
        conn.execute(text(f"GRANT EXECUTE ON FUNCTION {signature} TO {_q(group)}"))

    conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {_q(group)}"))
    conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {_q(group)}"))
    protected = business_tables()
    writable = [t for t, _e, _s in protected] + _existing(conn, READ_WRITE)
    for table in writable:
        conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {_q(table)} TO {_q(group)}"))
    for table in _existing(conn, READ_ONLY):
        conn.execute(text(f"GRANT SELECT ON {_q(table)} TO {_q(group)}"))
    for table in _existing(conn, OWN_RULES):
        conn.execute(text(f"GRANT {', '.join(OWN_RULES[table])} ON {_q(table)} TO {_q(group)}"))
    conn.execute(text(f"GRANT SELECT ({', '.join(USER_COLUMNS)}) ON users TO {_q(group)}"))
    conn.execute(text(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {_q(group)}"))

    # The app's triggers (search index sync, security-cache signal, dashboard rollup) write
    # tables the user roles may not write: they run as the owner.
    triggers = conn.execute(text(
        "SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace "
        "AND (proname LIKE 'search\\_%\\_sync' OR proname = 'crm_security_changed' "
        "OR proname LIKE 'dashboard\\_rollup\\_%')")).scalars()
    for function in triggers:
        conn.execute(text(f"ALTER FUNCTION {_q(function)}() OWNER TO {_q(owner)}"))
        conn.execute(text(f"ALTER FUNCTION {_q(function)}() SECURITY DEFINER SET search_path = public, pg_temp"))
    for search in _existing(conn, SEARCH_TABLES):
        base = SEARCH_TABLES[search]
        conn.execute(text(f"GRANT SELECT ON {_q(search)} TO {_q(group)}"))
        conn.execute(text(f"ALTER TABLE {_q(search)} ENABLE ROW LEVEL SECURITY"))
        conn.execute(text(f"DROP POLICY IF EXISTS crm_read ON {_q(search)}"))
        conn.execute(text(f"CREATE POLICY crm_read ON {_q(search)} FOR SELECT TO {_q(group)} "
                          f"USING (EXISTS (SELECT 1 FROM {_q(base)} b WHERE b.id = record_id))"))

    for table, entity, scoped in protected:
        t, g = _q(table), _q(group)
        # Each function in a scalar subquery: PostgreSQL runs it once per statement (an InitPlan),
        # not once per row. crm_user_id() is evaluated here, as the caller: inside a SECURITY
        # DEFINER function current_user is the function's owner.
        scope = (f"(SELECT crm_sees_all(crm_user_id(), '{entity}', {str(scoped).lower()})) "
                 f"OR owner_id = ANY ((SELECT crm_visible_owners(crm_user_id(), '{entity}'))::integer[])")
        see = f"{scope} OR id = ANY ((SELECT crm_team_records(crm_user_id(), '{entity}', false))::integer[])"
        edit = f"{scope} OR id = ANY ((SELECT crm_team_records(crm_user_id(), '{entity}', true))::integer[])"
        conn.execute(text(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY"))
        for policy in ("crm_read", "crm_insert", "crm_update", "crm_delete"):
            conn.execute(text(f"DROP POLICY IF EXISTS {policy} ON {t}"))
        conn.execute(text(f"CREATE POLICY crm_read ON {t} FOR SELECT TO {g} USING ({see})"))
        conn.execute(text(f"CREATE POLICY crm_insert ON {t} FOR INSERT TO {g} WITH CHECK ({see})"))
        conn.execute(text(f"CREATE POLICY crm_update ON {t} FOR UPDATE TO {g} USING ({edit}) WITH CHECK (true)"))
        conn.execute(text(f"CREATE POLICY crm_delete ON {t} FOR DELETE TO {g} USING ({edit})"))
    own = _existing(conn, OWN_RULES)
    for table, policies in _own_policies().items():
        if table not in own:
            continue
        t = _q(table)
        conn.execute(text(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY"))
        for policy in ("crm_read", "crm_insert", "crm_update", "crm_delete"):
            conn.execute(text(f"DROP POLICY IF EXISTS {policy} ON {t}"))
        for command, (using, check) in policies.items():
            sql = f"CREATE POLICY crm_{_POLICY_NAMES[command]} ON {t} FOR {command} TO {_q(group)}"
            sql += f" USING ({using})" if using is not None else ""
            sql += f" WITH CHECK ({check})" if check is not None else ""
            conn.execute(text(sql))
    return ServerSetup(owner, group, f"{prefix}u_", tuple(t for t, _e, _s in protected) + tuple(own))



def create_login_role(conn: Connection, prefix: str, user_id: int, *, password: str | None) -> str:
    """The CRM user's own database role (member of the group); ``password`` None: NOLOGIN."""
    name = login_role_name(prefix, user_id)
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).scalar()
    if password is not None:  # a role password cannot be a bind parameter: quoted as a literal
        literal = "'" + password.replace("'", "''") + "'"
        conn.execute(text(f"{'ALTER' if exists else 'CREATE'} ROLE {_q(name)} LOGIN PASSWORD {literal}"))
    elif not exists:  # a role the administrator already let log in keeps its login
        conn.execute(text(f"CREATE ROLE {_q(name)} NOLOGIN"))
    conn.execute(text(f"GRANT {_q(prefix + 'users')} TO {_q(name)}"))
    return name


def setup_server(url: str, *, prefix: str | None = None) -> ServerSetup:
    """``apply_setup`` on the database at ``url`` in one transaction, plus a NOLOGIN role for
    every CRM user (the administrator gives each a password with ``ALTER ROLE … LOGIN PASSWORD``)."""
    prefix = prefix or default_prefix(url)
    engine = create_engine(normalize_url(url))
    try:
        with engine.begin() as conn:
            done = apply_setup(conn, prefix)
            for user_id in conn.execute(text("SELECT id FROM users ORDER BY id")).scalars():
                create_login_role(conn, prefix, user_id, password=None)
        return done
    finally:
        engine.dispose()
