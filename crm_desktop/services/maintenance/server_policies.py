"""Secure server mode: the SQL that makes the server refuse what the app refuses — the
functions the policies call (scope, activities, what goes with a save) and the policies of
each table, generated from the same registries as the app's filters (see ``server_setup``'s
doc for what each rule is and why)."""
from __future__ import annotations

import re

from crm_desktop.services.activities.common import RELATED_MODELS
from crm_desktop.services.dashboard.rollup import SOURCES
from crm_desktop.services.maintenance.server_admin import admin_audit_sql
from crm_desktop.services.maintenance.server_tables import (
    business_tables,
    quote_name,
)
from crm_desktop.services.org.permissions import MODULES


def scope_functions(prefix: str) -> str:
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


def activity_functions() -> str:
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
  RETURN QUERY SELECT l.activity_id FROM activity_links l JOIN {quote_name(table)} r ON r.id = l.record_id
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


def scope_sql(entity: str, scoped: bool, owner: str = "owner_id") -> str:
    """The owner part of the scope filter (``owner_scope_filter``; ``owner_in_scope``)."""
    return (f"((SELECT crm_sees_all(crm_user_id(), '{entity}', {str(scoped).lower()})) "
            f"OR {owner} = ANY ((SELECT crm_visible_owners(crm_user_id(), '{entity}'))::integer[]))")


def team_sql(entity: str, write: bool, key: str = "id") -> str:
    return f"{key} = ANY ((SELECT crm_team_records(crm_user_id(), '{entity}', {str(write).lower()}))::integer[])"


def activity_sql(kind: str, entity: str) -> tuple[str, str]:
    """(visible, editable) of a task or an event (``visibility._clause``; the services' ``_load``
    with ``write``). Visible ignores the recycle bin: binning is an UPDATE whose new row must
    stay readable (PostgreSQL checks it against the SELECT policy), as the business tables'."""
    scope = scope_sql(entity, True)
    mine = f"id = ANY ((SELECT crm_participations(crm_user_id(), '{kind}'))::integer[])"
    about = f"id IN (SELECT a FROM crm_linked_activities(crm_user_id(), '{kind}') a)"
    visible = f"({scope} OR {team_sql(entity, False)} OR {mine} OR {about})"
    # tasks: the owner, the creator, a participant, or the scope / a read-write team seat;
    # events: the same without participants (schedule._load).
    who = [f"owner_id = {_ME}", f"creator_id = {_ME}"] + ([mine] if kind == "task" else [])
    editable = f"(deleted_at IS NULL AND {visible} AND ({' OR '.join(who)} OR {scope} OR {team_sql(entity, True)}))"
    return visible, editable


def own_policies() -> dict[str, dict[str, tuple[str | None, str | None]]]:
    """table → policy command → (USING, WITH CHECK) for the tables of ``OWN_RULES``."""
    task_see, task_edit = activity_sql("task", "task")
    event_see, event_edit = activity_sql("event", "event")
    # Creating a task / an event: as its creator, for oneself or someone inside one's scope
    # (create_task: owner_in_scope).
    task_new = f"creator_id = {_ME} AND deleted_at IS NULL AND {scope_sql('task', True)}"
    event_new = f"creator_id = {_ME} AND deleted_at IS NULL AND {scope_sql('event', True)}"
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
        f"(measure IN ({', '.join(sorted(repr(m) for m in measures))}) AND {scope_sql(entity, MODULES[entity].scoped)})"
        for entity, measures in rollup_measures().items())
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
    } | child_policies()


#: Records that are not business records but have rows about them (audit, attachments, a
#: team): tasks and schedule events, under their own SELECT policy (``activity_sql``).
ACTIVITY_RECORDS = {"task": "tasks", "event": "schedule_events"}
#: Tables whose new rows a user role may read back in the inserting transaction even when the
#: SELECT policy would hide them (INSERT … RETURNING needs it: a message to a colleague, a run
#: of a rule for the settings managers' log, a pool event of a customer that left one's scope).
READ_BACK = ("messages", "automation_runs", "pool_events")


def child_functions(prefix: str) -> str:
    """The functions the children's and the user's own rows' policies add. SECURITY DEFINER
    where they read a table under row-level security of its own (approval tasks, pool
    members): a policy reading it directly would recurse."""
    pattern = "^" + re.escape(prefix) + "u_[0-9]+$"
    read_back = ", ".join(f"'{t}'" for t in READ_BACK)
    record_tables = ("CASE about.entity " + " ".join(f"WHEN '{e}' THEN '{t}'" for t, e, _s in business_tables())
                     + " END")
    return f"""
-- The approvals the user has a task in (approvals._may_read: an approver reads the instance).
CREATE OR REPLACE FUNCTION crm_approvals_of(uid integer) RETURNS integer[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  SELECT COALESCE(array_agg(DISTINCT t.instance_id), ARRAY[]::integer[]) FROM approval_tasks t
    JOIN users u ON u.id = t.approver_id AND u.enabled WHERE t.approver_id = uid
$fn$;

-- Actor.can: the super administrator, or a role of the (enabled) user granting module × action.
CREATE OR REPLACE FUNCTION crm_can(uid integer, p_module text, p_action text) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  SELECT crm_is_super(uid) OR EXISTS (
    SELECT 1 FROM user_roles ur JOIN users u ON u.id = ur.user_id AND u.enabled
      JOIN role_permissions p ON p.role_id = ur.role_id
     WHERE ur.user_id = uid AND p.module = p_module AND p.action = p_action)
$fn$;

-- The user's department and the ones above it: a pool listing any of them has the user
-- (pool.member_user_ids: a listed department's whole tree).
CREATE OR REPLACE FUNCTION crm_departments_up(uid integer) RETURNS integer[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  WITH RECURSIVE up(id, parent_id) AS (
    SELECT d.id, d.parent_id FROM departments d JOIN users u ON u.department_id = d.id AND u.enabled WHERE u.id = uid
    UNION SELECT d.id, d.parent_id FROM departments d JOIN up ON d.id = up.parent_id)
  SELECT COALESCE(array_agg(id), ARRAY[]::integer[]) FROM up
$fn$;

-- The pools the user is a member of (pool._is_member; the super administrator: every pool).
CREATE OR REPLACE FUNCTION crm_pools_of(uid integer) RETURNS integer[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  SELECT CASE WHEN crm_is_super(uid) THEN (SELECT COALESCE(array_agg(id), ARRAY[]::integer[]) FROM pools)
    ELSE (SELECT COALESCE(array_agg(DISTINCT m.pool_id), ARRAY[]::integer[]) FROM pool_members m
           WHERE crm_live_user(uid) IS NOT NULL
             AND (m.user_id = uid OR m.department_id = ANY (crm_departments_up(uid)))) END
$fn$;

-- The rows of READ_BACK tables this transaction inserted, in a temporary table of the
-- owner's (a user role can neither read nor fill it: one it made itself is refused). Only
-- the row whose id this session has just drawn from the table's sequence is noted: called
-- by hand with a colleague's message id, it notes nothing (a user role cannot set a
-- sequence, and no one else's row ever gets an id the session drew).
CREATE OR REPLACE FUNCTION crm_note_row(p_table text, p_id integer) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  ours boolean;
BEGIN
  SELECT c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user) INTO ours
    FROM pg_class c WHERE c.oid = to_regclass('pg_temp.crm_inserted');
  IF ours IS NULL THEN
    EXECUTE 'CREATE TEMPORARY TABLE crm_inserted (tbl text NOT NULL, id integer NOT NULL) ON COMMIT DROP';
  ELSIF NOT ours THEN
    RAISE EXCEPTION 'crm_inserted is not the CRM''s table' USING ERRCODE = '42501';
  END IF;
  EXECUTE 'INSERT INTO pg_temp.crm_inserted (tbl, id) VALUES ($1, $2)' USING p_table, p_id;
END
$fn$;

CREATE OR REPLACE FUNCTION crm_remember_insert(p_table text, p_id integer) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  drawn bigint;
BEGIN
  IF NOT p_table = ANY (ARRAY[{read_back}]) THEN
    RETURN;
  END IF;
  BEGIN
    drawn := currval(pg_get_serial_sequence(quote_ident(p_table), 'id'));
  EXCEPTION WHEN object_not_in_prerequisite_state THEN
    RETURN;  -- no id drawn in this session yet
  END;
  IF drawn IS DISTINCT FROM p_id THEN
    RETURN;
  END IF;
  PERFORM crm_note_row(p_table, p_id);
END
$fn$;

-- BEFORE UPDATE of an approval task by a CRM user's own role (an approver deciding, or the
-- submitter moving the approval on: the task's UPDATE policy let them): the record the
-- approval is about may be changed by this transaction — a decision sets its status
-- (approvals._apply_status) though the approver may only read the record.
CREATE OR REPLACE FUNCTION crm_note_decision() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  about record;
  target text;
BEGIN
  SELECT entity, record_id INTO about FROM approval_instances WHERE id = NEW.instance_id;
  IF FOUND THEN
    target := {record_tables};  -- (not in the IF: PL/pgSQL would end its condition at CASE's THEN)
    IF target IS NOT NULL THEN
      PERFORM crm_note_row(target, about.record_id);
    END IF;
  END IF;
  RETURN NEW;
END
$fn$;

-- BEFORE UPDATE of a business record by a CRM user's own role (the trigger's WHEN): the
-- record stays readable to the transaction that changed it, whatever its new owner — a
-- transfer out of one's scope, a customer put into a pool one is not a member of, an
-- approver's decision — so that what goes with the save (its operation log, its team) can
-- be written; after commit the policies alone decide. A trigger function cannot be called
-- by hand, and it fires only on rows the UPDATE policy let the user change.
CREATE OR REPLACE FUNCTION crm_note_update() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
BEGIN
  PERFORM crm_note_row(TG_TABLE_NAME, NEW.id);
  RETURN NEW;
END
$fn$;

-- Whether this transaction noted any row: run once per statement (a scalar subquery), it
-- spares every other transaction's reads the per-row probe below.
CREATE OR REPLACE FUNCTION crm_inserts_noted() RETURNS boolean
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  SELECT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = to_regclass('pg_temp.crm_inserted')
                   AND c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user))
$fn$;

-- VOLATILE: a fresh snapshot per call, so the rows a multi-row INSERT noted so far count.
CREATE OR REPLACE FUNCTION crm_inserted_here(p_table text, p_id integer) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  found_it boolean;
BEGIN
  IF NOT crm_inserts_noted() THEN
    RETURN false;
  END IF;
  EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_temp.crm_inserted WHERE tbl = $1 AND id = $2)'
    INTO found_it USING p_table, p_id;
  RETURN found_it;
END
$fn$;

-- BEFORE INSERT (the id is set, the row-level security checks come after): a CRM user's
-- own role notes the row. Not SECURITY DEFINER: current_user is the inserting role.
CREATE OR REPLACE FUNCTION crm_note_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  IF current_user ~ '{pattern}' THEN
    PERFORM crm_remember_insert(TG_TABLE_NAME, NEW.id);
  END IF;
  RETURN NEW;
END
$fn$;
"""


#: The signatures of ``child_functions``' functions a user role calls (the trigger's is not).
CHILD_FUNCTIONS = ("crm_approvals_of(integer)", "crm_can(integer, text, text)", "crm_departments_up(integer)",
                   "crm_pools_of(integer)", "crm_remember_insert(text, integer)",
                   "crm_inserts_noted()", "crm_inserted_here(text, integer)")


def record_sql(row: str, *, edit: bool, entity: str = "entity", key: str = "record_id",
                activities: bool = True, only: tuple[str, ...] | None = None) -> str:
    """The one answer to "may the user see (``edit``: change) the record (``row.entity``,
    ``row.record_id``)", for every table whose rows are about a record: generated from the
    business tables (their own policies read the record: scope or team; ``edit``: scope or a
    read-write seat, as ``editable_filter``) and tasks and events (their visibility and the
    services' ``_load(write=True)``; ``activities`` False: business records only, as
    ``record_service``). Any other entity (a user, a role…): no. Each is an EXISTS probe by
    id, so reading one record's history looks at that record only."""
    parts = []
    for table, name, scoped in business_tables():
        if only is not None and name not in only:  # (``only``: these entities; a policy must not read its own table)
            continue
        # (or changed by this very transaction — it passed the UPDATE policy: crm_note_update —
        # so that what goes with that save is written even when the save moved the record
        # out of the user's reach: a transfer, a customer put in a pool)
        change = (f" AND ({scope_sql(name, scoped, 'r.owner_id')} OR {team_sql(name, True, 'r.id')} "
                  f"OR ((SELECT crm_inserts_noted()) AND crm_inserted_here('{table}', r.id)))") if edit else ""
        parts.append(f"({row}.{entity} = '{name}' AND EXISTS (SELECT 1 FROM {quote_name(table)} r "
                     f"WHERE r.id = {row}.{key}{change}))")
    for name, table in ACTIVITY_RECORDS.items() if activities else ():
        # activity_sql's columns are unqualified: inside the probe they are the activity's.
        change = f" AND {activity_sql(name, name)[1]}" if edit else ""
        parts.append(f"({row}.{entity} = '{name}' AND EXISTS (SELECT 1 FROM {quote_name(table)} "
                     f"WHERE {quote_name(table)}.id = {row}.{key}{change}))")
    return "(" + " OR ".join(parts) + ")"


def pool_membership_sql() -> str:
    """The pool members' rows a user reads: the ones that make them a member (pool._is_member);
    the pool administrators read all (``server_admin``)."""
    return (f"((SELECT crm_is_super(crm_user_id())) OR user_id = {_ME} "
            f"OR department_id = ANY ((SELECT crm_departments_up(crm_user_id()))::integer[]))")


def child_policies() -> dict[str, dict[str, tuple[str | None, str | None]]]:
    """table → policy command → (USING, WITH CHECK) for what goes with a save and the user's
    own rows: each row follows the record it is about (``record_sql``) or is the user's own,
    as the services read and write it."""
    me = _ME
    live = f"{me} IS NOT NULL"

    def own(column: str = "user_id") -> dict[str, tuple[str | None, str | None]]:
        mine = f"{column} = {me}"
        return {"SELECT": (mine, None), "INSERT": (None, mine), "UPDATE": (mine, mine), "DELETE": (mine, None)}

    def follows(parent_table: str, parent_entity: str, fk: str) -> dict[str, tuple[str | None, str | None]]:
        """Lines, plans, contacts: read with their opportunity / contract, written by its editors."""
        entity, scoped = parent_entity, MODULES[parent_entity].scoped
        edit = f"{fk} IN (SELECT p.id FROM {quote_name(parent_table)} p WHERE {scope_sql(entity, scoped, 'p.owner_id')} " \
               f"OR {team_sql(entity, True, 'p.id')})"
        return {"SELECT": (f"{fk} IN (SELECT id FROM {quote_name(parent_table)})", None), "INSERT": (None, edit),
                "UPDATE": (edit, edit), "DELETE": (edit, None)}

    def read_back(table: str) -> str:
        return f"((SELECT crm_inserts_noted()) AND crm_inserted_here('{table}', {table}.id))"

    # Approvals (approvals._may_read): the submitter, an approver, whoever sees the record; its
    # tasks and log go with it. Submitting needs the record editable (submit: load_row for edit);
    # the submitter and the approvers move it on (decide, withdraw, resubmit, the next node's
    # tasks); whoever may change the record closes it (close_for_record) or undoes its import.
    takes_part = f"(submitter_id = {me} OR id = ANY ((SELECT crm_approvals_of(crm_user_id()))::integer[]))"
    def record(row: str, *, edit: bool) -> str:  # an approval is about a business record (record_service)
        return record_sql(row, edit=edit, activities=False)

    instance_see = f"({takes_part} OR {record('approval_instances', edit=False)})"
    instance_move = f"({takes_part} OR {record('approval_instances', edit=True)})"
    inst_takes_part = (f"(i.submitter_id = {me} OR i.id = ANY ((SELECT crm_approvals_of(crm_user_id()))::integer[]))")
    moved_by_me = (f"instance_id IN (SELECT i.id FROM approval_instances i WHERE {inst_takes_part} "
                   f"OR {record('i', edit=True)})")
    instance_visible = "instance_id IN (SELECT id FROM approval_instances)"
    # An approver's read seat on the record (approvals._share, after the approver's task: its
    # reads autoflush the task first), given by the submitter or an approver opening the next
    # node; any other seat by whoever may change the record.
    approval_seat = (f"(access = 'read' AND EXISTS (SELECT 1 FROM approval_instances i "
                     f"JOIN approval_tasks t ON t.instance_id = i.id AND t.approver_id = team_members.user_id "
                     f"WHERE i.entity = team_members.entity AND i.record_id = team_members.record_id "
                     f"AND {inst_takes_part}))")
    # An audit entry names the acting user, none (a job), or — an approval's status change,
    # written by the approver — the instance's submitter (approvals._apply_status).
    audit_actor = (f"(actor_id IS NULL OR actor_id = {me} OR EXISTS (SELECT 1 FROM approval_instances i "
                   f"WHERE i.entity = audit_entries.entity AND i.record_id = audit_entries.record_id "
                   f"AND i.submitter_id = audit_entries.actor_id "
                   f"AND i.id = ANY ((SELECT crm_approvals_of(crm_user_id()))::integer[])))")
    def imported(row: str) -> str:
        """Created by an import the user may undo (import_batch_rows follow their batch: the
        importer's, a super administrator's): undo_batch removes such a record's history and
        approvals before the record itself, and nothing else removes them."""
        return (f"(EXISTS (SELECT 1 FROM import_batch_rows b WHERE b.action = 'create' "
                f"AND b.entity = {row}.entity AND b.record_id = {row}.record_id))")

    approval_undone = f"({record('approval_instances', edit=True)} AND {imported('approval_instances')})"
    history_undone = f"({record_sql('audit_entries', edit=True)} AND {imported('audit_entries')})"
    changes_undone = (f"entry_id IN (SELECT a.id FROM audit_entries a "
                      f"WHERE {record_sql('a', edit=True)} AND {imported('a')})")
    my_pools = "pool_id = ANY ((SELECT crm_pools_of(crm_user_id()))::integer[])"
    customer_seen = "EXISTS (SELECT 1 FROM customers c WHERE c.id = pool_events.customer_id)"
    stage_change_new = (f"({follows('opportunities', 'opportunity', 'opportunity_id')['INSERT'][1]}"
                        f" AND (actor_id IS NULL OR actor_id = {me}))")
    pool_event_see = f"(user_id = {me} OR {my_pools} OR {customer_seen} OR {read_back('pool_events')})"
    instance_new = f"(submitter_id = {me} AND {record('approval_instances', edit=True)})"
    runs_see = f"((SELECT crm_can(crm_user_id(), 'setting', 'manage')) OR {read_back('automation_runs')})"
    targets_see = f"((SELECT crm_can(crm_user_id(), 'target', 'view')) OR (subject = 'user' AND subject_id = {me}))"
    targets_set = "(SELECT crm_can(crm_user_id(), 'target', 'set'))"
    admin_log = admin_audit_sql("audit_entries")  # a department's, a role's… history: its administrators'
    attachment_edit = f"attachment_id IN (SELECT a.id FROM attachments a WHERE {record_sql('a', edit=True)})"
    return {
        # The operation log: read with the record (operation_log, tasks' history), written about
        # a record one sees, removed with an import one undoes.
        "audit_entries": {"SELECT": (f"({record_sql('audit_entries', edit=False)} OR {admin_log})", None),
                          "INSERT": (None, f"(({record_sql('audit_entries', edit=False)} OR {admin_log}) "
                                           f"AND {audit_actor})"),
                          "DELETE": (history_undone, None)},
        "audit_changes": {"SELECT": ("entry_id IN (SELECT id FROM audit_entries)", None),
                          "INSERT": (None, "entry_id IN (SELECT id FROM audit_entries)"),
                          "DELETE": (changes_undone, None)},
        # A record's team: shown with it (records.team), changed by its editors (set_team_member).
        "team_members": {"SELECT": (record_sql("team_members", edit=False), None),
                         "INSERT": (None, f"({record_sql('team_members', edit=True)} OR {approval_seat})"),
                         "UPDATE": (record_sql("team_members", edit=True), record_sql("team_members", edit=True)),
                         "DELETE": (record_sql("team_members", edit=True), None)},
        # Messages: the recipient's (list_messages, mark_read); anyone sends one (no sender column).
        "messages": {"SELECT": (f"(recipient_id = {me} OR {read_back('messages')})", None),
                     "INSERT": (None, live),
                     "UPDATE": (f"recipient_id = {me}", f"recipient_id = {me}")},
        # Stars: private to each user, on a record they see (set_star, starred_ids).
        "stars": {"SELECT": (f"user_id = {me}", None),
                  "INSERT": (None, f"(user_id = {me} AND {record_sql('stars', edit=False)})"),
                  "DELETE": (f"user_id = {me}", None)},
        # Attachments: read with the record, added and removed by its editors (attachments.py,
        # task_files.py: the task's ``_load(write=True)``), as the uploader.
        "attachments": {"SELECT": (record_sql("attachments", edit=False), None),
                        "INSERT": (None, f"(uploaded_by_id = {me} AND {record_sql('attachments', edit=True)})"),
                        "UPDATE": (record_sql("attachments", edit=True), record_sql("attachments", edit=True))},
        "attachment_blobs": {"SELECT": ("attachment_id IN (SELECT id FROM attachments)", None),
                             "INSERT": (None, attachment_edit)},
        # Saved views and column choices: each user's own (views.list_views, _own: never shared).
        "saved_views": own(),
        "column_preferences": own(),
        "opportunity_lines": follows("opportunities", "opportunity", "opportunity_id"),
        "opportunity_contacts": follows("opportunities", "opportunity", "opportunity_id"),
        "stage_changes": {"SELECT": ("opportunity_id IN (SELECT id FROM opportunities)", None),
                          "INSERT": (None, stage_change_new)},
        "contract_lines": follows("contracts", "contract", "contract_id"),
        "payment_plans": follows("contracts", "contract", "contract_id"),
        # Numbering: whoever creates a numbered record draws the next number (numbering.next_number).
        "number_sequences": {"SELECT": (live, None), "INSERT": (None, live), "UPDATE": (live, live)},
        # Pool events: one's own claims (the daily limit), a member's pools (why a customer is
        # there, who claimed it first), the customers one sees (the recycle forecast).
        "pool_events": {"SELECT": (pool_event_see, None),
                        "INSERT": (None, f"(actor_id = {me} AND ({my_pools} OR {customer_seen}))")},
        "approval_instances": {"SELECT": (instance_see, None),
                               "INSERT": (None, instance_new),
                               "UPDATE": (instance_move, instance_move),
                               "DELETE": (approval_undone, None)},
        "approval_tasks": {"SELECT": (instance_visible, None), "INSERT": (None, moved_by_me),
                           "UPDATE": (moved_by_me, moved_by_me)},
        "approval_log": {"SELECT": (instance_visible, None),
                         "INSERT": (None, f"({moved_by_me} AND (actor_id IS NULL OR actor_id = {me}))")},
        # The rules' run log: read by the settings managers (automation.list_runs); every save
        # that runs a rule writes it.
        "automation_runs": {"SELECT": (runs_see, None),
                            "INSERT": (None, live),
                            # the line's outcome, written once the rule ran (engine: run.message)
                            "UPDATE": (read_back("automation_runs"), read_back("automation_runs"))},
        # Sales targets: any with target.view, else one's own (completion.visible_subjects);
        # set by target.set (targets.set_targets, the targets import).
        "sales_targets": {"SELECT": (targets_see, None), "INSERT": (None, targets_set),
                          "UPDATE": (targets_set, targets_set), "DELETE": (targets_set, None)},
    }


def rollup_measures() -> dict[str, list[str]]:
    """module → the rollup's measures counting its records (rollup.SOURCES: what the
    dashboard reads through ``owner_scope_filter`` of that module)."""
    out: dict[str, list[str]] = {}
    for (entity, _field), source in SOURCES.items():
        out.setdefault(entity, []).append(source.measure.value)
    return out
