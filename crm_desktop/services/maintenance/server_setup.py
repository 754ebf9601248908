"""Secure server mode (issue 17), first slice: the PostgreSQL server itself refuses what the
app's data scopes refuse, for anyone who connects with a CRM user's own database role.

``setup_server`` (``crm-admin server-setup``) prepares a database, idempotently:

- ``<prefix>owner``: owns every table, sequence and function (migrations run as it); as the
  tables' owner it is not subject to row-level security.
- ``<prefix>users``: the group role with the minimum grants — read and write on the business
  tables, the privileges each table of ``OWN_RULES`` needs (what goes with a save: audit,
  team, messages, lines, approvals…), read only on the organisation and configuration tables
  (the company settings among them), on ``users`` every column except the password hash,
  nothing at all on the unknown mobiles' lock-out records. So a user role cannot give itself
  a role (``user_roles`` is read-only) or read a password hash.
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

The tables of ``OWN_RULES`` have the services' own rules (``server_policies.own_policies``): tasks and events
(activities.visibility: owner in scope, team, participant, or a live linked record visible;
changed by the owner, the creator, a task's participant or the scope, as the services'
``_load``), their subtasks, comments, participants and links (with their task, event or log),
work logs (the author and the superior chain, the super administrator; written by the author
only), import batches and their rows (the importer's; a super administrator's too), the
mappings and reminders shown (the user's), the dashboard rollup (read through the owners the
scope of each measure's module covers). A task, event or log in the recycle bin stays readable
to whoever would see it out of the bin (binning is an UPDATE whose new row must stay visible).

What goes with a save follows the record it is about (``server_policies.child_policies``), through one
expression generated from the business tables plus tasks and events (``server_policies.record_sql``: may the
user see, or change, record (entity, id)): the audit entries and their changes, a record's
team, attachments and their bytes (read with the record, written by its editors; an audit
entry names the user, nobody, or — an approval's status change — the submitter; a record's
history and approvals are removed only by undoing the import that created it), opportunity
lines, contacts and stage changes, contract lines and payment plans (with their parent).
Approvals: the submitter, the approvers (``crm_approvals_of``) and whoever sees the record
read them with their tasks and log; submitted on a record one may change, moved on by the
submitter and the approvers, closed by the record's editors. The user's own rows: messages
(the recipient's; anyone sends one: the table has no sender), stars, saved views (never
shared) and column choices. Pool members: the rows that make the user a member; pool events:
one's own, a member's pools', the customers one sees. The numbering counters: any live user.
The rules' run log: the settings managers; sales targets: ``target.view``, else one's own.
INSERT … RETURNING (every ORM insert) needs the new row to pass the SELECT policy: a message
to a colleague, a run-log line or a pool event the user will not read afterwards is readable
by its inserting transaction only (``READ_BACK``: a trigger notes the row in a temporary
table of the owner's, ``crm_inserted_here``).
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
from sqlalchemy.orm import Session

from crm_desktop.db import normalize_url
from crm_desktop.services.maintenance.server_admin import (
    ADMIN_WRITES,
    admin_policies,
    directory_sql,
    password_functions_sql,
    users_guard_sql,
)
from crm_desktop.services.maintenance.server_duplicates import (
    DUPLICATE_FUNCTIONS,
    duplicate_functions,
)
from crm_desktop.services.maintenance.server_policies import (
    ACTIVITY_RECORDS,
    CHILD_FUNCTIONS,
    READ_BACK,
    activity_functions,
    child_functions,
    own_policies,
    pool_membership_sql,
    record_sql,
    scope_functions,
)
from crm_desktop.services.maintenance.server_tables import (
    NO_ACCESS,
    NOT_YET_PROTECTED,
    OWN_RULES,
    POLICY_NAMES,
    READ_ONLY,
    SEARCH_TABLES,
    USER_COLUMNS,
    business_tables,
    quote_name,
)
from crm_desktop.services.records.schema_admin import sync_field_indexes

__all__ = [  # the classification and the SQL live beside: server_tables, server_policies
    "ACTIVITY_RECORDS", "ADMIN_WRITES", "NOT_YET_PROTECTED", "NO_ACCESS", "OWN_RULES", "READ_BACK", "READ_ONLY", "SEARCH_TABLES",
    "ServerSetup", "apply_setup", "business_tables", "create_login_role", "default_prefix", "login_role_name",
    "own_policies", "record_sql", "set_directory_password", "setup_server",
]


@dataclass(frozen=True)
class ServerSetup:
    owner_role: str
    group_role: str
    login_prefix: str
    protected_tables: tuple[str, ...]
    #: The role the PCs' server entries name: it may only look up a user's login role.
    directory_role: str = ""


def default_prefix(url: str) -> str:
    name = (make_url(normalize_url(url)).database or "crm").lower()
    return re.sub(r"[^a-z0-9_]", "_", name)[:30] + "_"


def login_role_name(prefix: str, user_id: int) -> str:
    return f"{prefix}u_{int(user_id)}"


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
        conn.execute(text(f"CREATE ROLE {quote_name(name)} {options}"))


def _existing(conn: Connection, names: Iterable[str]) -> list[str]:
    present = set(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
    return [n for n in names if n in present]


def apply_setup(conn: Connection, prefix: str) -> ServerSetup:
    """Roles, grants, the scope function and the policies, in the caller's transaction."""
    owner, group = f"{prefix}owner", f"{prefix}users"
    _ensure_role(conn, owner, "NOLOGIN")
    _ensure_role(conn, group, "NOLOGIN")
    directory = f"{prefix}login"
    _ensure_role(conn, directory, "NOLOGIN")  # a login once given a password (set_directory_password)
    tables = list(conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())
    for table in tables:
        conn.execute(text(f"ALTER TABLE {quote_name(table)} OWNER TO {quote_name(owner)}"))
    for seq in conn.execute(text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")).scalars():
        conn.execute(text(f"ALTER SEQUENCE {quote_name(seq)} OWNER TO {quote_name(owner)}"))
    conn.execute(text(scope_functions(prefix)))
    conn.execute(text(activity_functions()))
    conn.execute(text(child_functions(prefix)))
    conn.execute(text(users_guard_sql()))
    conn.execute(text(password_functions_sql(prefix)))
    conn.execute(text(duplicate_functions(prefix)))  # the duplicate-claim check's candidates, whoever owns them
    conn.execute(text(directory_sql(prefix, directory)))  # executable by the directory alone
    # Triggers' and helpers' functions (nobody calls them by hand) and the directory's lookup.
    _own_functions(conn, owner, ("crm_note_insert()", "crm_note_update()", "crm_note_decision()",
                                 "crm_note_row(text, integer)", "crm_users_guard()", "crm_login_role(text)",
                                 *(f for f, granted in DUPLICATE_FUNCTIONS.items() if not granted)))
    # The owner keeps the users' login roles in step with the users (crm_sync_login): it may
    # create roles and hand out the group.
    conn.execute(text(f"ALTER ROLE {quote_name(owner)} CREATEROLE"))
    conn.execute(text(f"GRANT {quote_name(group)} TO {quote_name(owner)} WITH ADMIN OPTION"))
    conn.execute(text(_sync_function(prefix, group)))
    conn.execute(text("DROP FUNCTION IF EXISTS crm_may_see(integer, text, boolean, integer, text, integer, boolean)"))
    for signature in ("crm_user_id()", "crm_sees_all(integer, text, boolean)", "crm_visible_owners(integer, text)",
                      "crm_team_records(integer, text, boolean)", "crm_sync_login(integer, text)",
                      "crm_live_user(integer)", "crm_is_super(integer)", "crm_chain(integer)",
                      "crm_participations(integer, text)", "crm_linked_activities(integer, text)",
                      "crm_password_hash(integer)", "crm_set_password_hash(integer, text)",
                      *CHILD_FUNCTIONS, *(f for f, granted in DUPLICATE_FUNCTIONS.items() if granted)):
        _own_functions(conn, owner, (signature,), grant_to=group)

    conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quote_name(group)}"))
    conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {quote_name(group)}"))
    protected = business_tables()
    for table in [t for t, _e, _s in protected]:
        conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {quote_name(table)} TO {quote_name(group)}"))
    for table in _existing(conn, READ_ONLY):
        conn.execute(text(f"GRANT SELECT ON {quote_name(table)} TO {quote_name(group)}"))
    for table in _existing(conn, OWN_RULES):
        conn.execute(text(f"GRANT {', '.join(OWN_RULES[table])} ON {quote_name(table)} TO {quote_name(group)}"))
    for table in _existing(conn, ADMIN_WRITES):  # users: below
        if table != "users":
            conn.execute(text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {quote_name(table)} TO {quote_name(group)}"))
    # users: never deleted (disabled instead); the password hash neither read nor changed
    # but through crm_password_hash / crm_set_password_hash; created with one.
    conn.execute(text(f"GRANT SELECT ({', '.join(USER_COLUMNS)}), INSERT, "
                      f"UPDATE ({', '.join(c for c in USER_COLUMNS if c != 'id')}) ON users TO {quote_name(group)}"))
    conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quote_name(directory)}"))
    conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {quote_name(directory)}"))
    conn.execute(text(f"GRANT SELECT ON alembic_version TO {quote_name(directory)}"))  # opening checks the revision
    conn.execute(text(f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {quote_name(group)}"))

    # The app's triggers (search index sync, security-cache signal, dashboard rollup) write
    # tables the user roles may not write: they run as the owner.
    triggers = conn.execute(text(
        "SELECT proname FROM pg_proc WHERE pronamespace = 'public'::regnamespace "
        "AND (proname LIKE 'search\\_%\\_sync' OR proname = 'crm_security_changed' "
        "OR proname LIKE 'dashboard\\_rollup\\_%')")).scalars()
    for function in triggers:
        conn.execute(text(f"ALTER FUNCTION {quote_name(function)}() OWNER TO {quote_name(owner)}"))
        conn.execute(text(f"ALTER FUNCTION {quote_name(function)}() SECURITY DEFINER SET search_path = public, pg_temp"))
    for search in _existing(conn, SEARCH_TABLES):
        base = SEARCH_TABLES[search]
        # The app writes a record's pinyin initials into its index row after a save (search's
        # keep_initials): that column only, on rows whose record the user sees.
        visible = f"EXISTS (SELECT 1 FROM {quote_name(base)} b WHERE b.id = record_id)"
        conn.execute(text(f"GRANT SELECT, UPDATE (initials) ON {quote_name(search)} TO {quote_name(group)}"))
        conn.execute(text(f"ALTER TABLE {quote_name(search)} ENABLE ROW LEVEL SECURITY"))
        for policy in ("crm_read", "crm_update"):
            conn.execute(text(f"DROP POLICY IF EXISTS {policy} ON {quote_name(search)}"))
        conn.execute(text(f"CREATE POLICY crm_read ON {quote_name(search)} FOR SELECT TO {quote_name(group)} "
                          f"USING ({visible})"))
        conn.execute(text(f"CREATE POLICY crm_update ON {quote_name(search)} FOR UPDATE TO {quote_name(group)} "
                          f"USING ({visible}) WITH CHECK ({visible})"))

    for table, entity, scoped in protected:
        t, g = quote_name(table), quote_name(group)
        # Each function in a scalar subquery: PostgreSQL runs it once per statement (an InitPlan),
        # not once per row. crm_user_id() is evaluated here, as the caller: inside a SECURITY
        # DEFINER function current_user is the function's owner.
        scope = (f"(SELECT crm_sees_all(crm_user_id(), '{entity}', {str(scoped).lower()})) "
                 f"OR owner_id = ANY ((SELECT crm_visible_owners(crm_user_id(), '{entity}'))::integer[])")
        see = f"{scope} OR id = ANY ((SELECT crm_team_records(crm_user_id(), '{entity}', false))::integer[])"
        edit = f"{scope} OR id = ANY ((SELECT crm_team_records(crm_user_id(), '{entity}', true))::integer[])"
        if table == "followups":  # everyone's follow-ups of a record one sees (followups.list_followups)
            targets = tuple(e for _t, e, _s in protected if e != "followup")
            target_seen = record_sql("followups", edit=False, entity="target_entity", key="target_id",
                                     activities=False, only=targets)
            see = f"{see} OR {target_seen}"
        if table == "customers":  # the public pool's customers: its members see and claim them
            pooled = "(owner_id IS NULL AND pool_id = ANY ((SELECT crm_pools_of(crm_user_id()))::integer[]))"
            see, edit = f"{see} OR {pooled}", f"{edit} OR {pooled}"
        # What this transaction changed stays readable to it (crm_note_update).
        changed = f"((SELECT crm_inserts_noted()) AND crm_inserted_here('{table}', id))"
        read = f"{see} OR {changed}"
        conn.execute(text(f"DROP TRIGGER IF EXISTS crm_note_update ON {t}"))
        conn.execute(text(f"CREATE TRIGGER crm_note_update BEFORE UPDATE ON {t} FOR EACH ROW "
                          "WHEN (crm_user_id() IS NOT NULL) EXECUTE FUNCTION crm_note_update()"))
        conn.execute(text(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY"))
        for policy in ("crm_read", "crm_insert", "crm_update", "crm_delete"):
            conn.execute(text(f"DROP POLICY IF EXISTS {policy} ON {t}"))
        conn.execute(text(f"CREATE POLICY crm_read ON {t} FOR SELECT TO {g} USING ({read})"))
        conn.execute(text(f"CREATE POLICY crm_insert ON {t} FOR INSERT TO {g} WITH CHECK ({see})"))
        # (and an approver's decision changes a record they may only read: crm_note_decision)
        conn.execute(text(f"CREATE POLICY crm_update ON {t} FOR UPDATE TO {g} USING ({edit} OR {changed}) "
                          "WITH CHECK (true)"))
        conn.execute(text(f"CREATE POLICY crm_delete ON {t} FOR DELETE TO {g} USING ({edit})"))
    conn.execute(text("DROP TRIGGER IF EXISTS crm_note_decision ON approval_tasks"))
    conn.execute(text("CREATE TRIGGER crm_note_decision BEFORE UPDATE ON approval_tasks FOR EACH ROW "
                      "WHEN (crm_user_id() IS NOT NULL) EXECUTE FUNCTION crm_note_decision()"))
    own = _existing(conn, OWN_RULES)
    for table in _existing(conn, READ_BACK):
        conn.execute(text(f"DROP TRIGGER IF EXISTS crm_note_insert ON {quote_name(table)}"))
        conn.execute(text(f"CREATE TRIGGER crm_note_insert BEFORE INSERT ON {quote_name(table)} "
                          "FOR EACH ROW EXECUTE FUNCTION crm_note_insert()"))
    administered = admin_policies({"pool_members": pool_membership_sql()})
    for table, policies in [*own_policies().items(), *administered.items()]:
        if table not in own and table not in ADMIN_WRITES:
            continue
        t = quote_name(table)
        conn.execute(text(f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY"))
        for policy in ("crm_read", "crm_insert", "crm_update", "crm_delete"):
            conn.execute(text(f"DROP POLICY IF EXISTS {policy} ON {t}"))
        for command, (using, check) in policies.items():
            sql = f"CREATE POLICY crm_{POLICY_NAMES[command]} ON {t} FOR {command} TO {quote_name(group)}"
            sql += f" USING ({using})" if using is not None else ""
            sql += f" WITH CHECK ({check})" if check is not None else ""
            conn.execute(text(sql))
    return ServerSetup(owner, group, f"{prefix}u_",
                       tuple(t for t, _e, _s in protected) + tuple(own) + tuple(_existing(conn, ADMIN_WRITES)),
                       directory)


def _own_functions(conn: Connection, owner: str, signatures: Iterable[str], *, grant_to: str | None = None) -> None:
    """The owner owns ``signatures`` (a SECURITY DEFINER one runs as it); no one but
    ``grant_to`` may call them."""
    for signature in signatures:
        conn.execute(text(f"ALTER FUNCTION {signature} OWNER TO {quote_name(owner)}"))
        conn.execute(text(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC"))
        if grant_to is not None:
            conn.execute(text(f"GRANT EXECUTE ON FUNCTION {signature} TO {quote_name(grant_to)}"))


def set_directory_password(conn: Connection, prefix: str, password: str) -> str:
    """Let the directory role log in with ``password`` (what each PC's server entry holds)."""
    literal = "'" + password.replace("'", "''") + "'"  # a role password cannot be a bind parameter
    name = f"{prefix}login"
    conn.execute(text(f"ALTER ROLE {quote_name(name)} LOGIN PASSWORD {literal}"))
    return name



def create_login_role(conn: Connection, prefix: str, user_id: int, *, password: str | None) -> str:
    """The CRM user's own database role (member of the group); ``password`` None: NOLOGIN."""
    name = login_role_name(prefix, user_id)
    exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).scalar()
    if password is not None:  # a role password cannot be a bind parameter: quoted as a literal
        literal = "'" + password.replace("'", "''") + "'"
        conn.execute(text(f"{'ALTER' if exists else 'CREATE'} ROLE {quote_name(name)} LOGIN PASSWORD {literal}"))
    elif not exists:  # a role the administrator already let log in keeps its login
        conn.execute(text(f"CREATE ROLE {quote_name(name)} NOLOGIN"))
    conn.execute(text(f"GRANT {quote_name(prefix + 'users')} TO {quote_name(name)}"))
    return name


def setup_server(url: str, *, prefix: str | None = None, directory_password: str | None = None) -> ServerSetup:
    """``apply_setup`` on the database at ``url`` in one transaction, plus a NOLOGIN role for
    every CRM user (each gets its login with its user's next password: set by the user or
    reset by an administrator) and, given ``directory_password``, the directory's login."""
    prefix = prefix or default_prefix(url)
    engine = create_engine(normalize_url(url))
    try:
        with engine.begin() as conn:
            done = apply_setup(conn, prefix)
            if directory_password is not None:
                set_directory_password(conn, prefix, directory_password)
            with Session(bind=conn) as session:  # indexes an administrator's own role could not make
                sync_field_indexes(session)
            for user_id in conn.execute(text("SELECT id FROM users ORDER BY id")).scalars():
                create_login_role(conn, prefix, user_id, password=None)
        return done
    finally:
        engine.dispose()
