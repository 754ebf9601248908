"""Secure server mode: what a CRM user's own database role may do with each table (the
classification ``server_setup`` grants from and tests/test_server_setup_tables.py keeps
complete), and the quoting of the names it writes into SQL."""
from __future__ import annotations

import re

from crm_desktop.services.org.permissions import MODULES
from crm_desktop.services.records.registry import RECORD_SERVICES

#: Read only: the schema's revision and the security cache's token (written by triggers,
#: as the owner). The organisation and configuration tables are read by everyone too, and
#: written by their administrators (``server_admin.ADMIN_WRITES``).
READ_ONLY = ("alembic_version", "cache_signals")
#: No grant at all to a user role: the login lock-out records.
NO_ACCESS = ("login_failures",)
#: Tables with row-level security of their own (not the business tables' scope filter): each
#: → the privileges a user role gets; the policies (``server_policies.own_policies``) say on which rows. A
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
    # What goes with a save, and the user's own rows (``server_policies.child_policies``).
    **{table: privileges for table, privileges in (
        ("audit_entries", ("SELECT", "INSERT", "DELETE")),  # deleted by an import's undo
        ("audit_changes", ("SELECT", "INSERT", "DELETE")),
        ("team_members", ("SELECT", "INSERT", "UPDATE", "DELETE")),
        ("messages", ("SELECT", "INSERT", "UPDATE")),  # read and marked read by the recipient
        ("stars", ("SELECT", "INSERT", "DELETE")),
        ("attachments", ("SELECT", "INSERT", "UPDATE")),  # removing one is an UPDATE (deleted_at)
        ("attachment_blobs", ("SELECT", "INSERT")),
        ("saved_views", ("SELECT", "INSERT", "UPDATE", "DELETE")),
        ("column_preferences", ("SELECT", "INSERT", "UPDATE", "DELETE")),
        ("opportunity_lines", ("SELECT", "INSERT", "UPDATE", "DELETE")),
        ("opportunity_contacts", ("SELECT", "INSERT", "UPDATE", "DELETE")),
        ("stage_changes", ("SELECT", "INSERT")),
        ("contract_lines", ("SELECT", "INSERT", "UPDATE", "DELETE")),
        ("payment_plans", ("SELECT", "INSERT", "UPDATE", "DELETE")),
        ("number_sequences", ("SELECT", "INSERT", "UPDATE")),
        ("pool_events", ("SELECT", "INSERT")),
        ("approval_instances", ("SELECT", "INSERT", "UPDATE", "DELETE")),  # deleted by an import's undo
        ("approval_tasks", ("SELECT", "INSERT", "UPDATE")),
        ("approval_log", ("SELECT", "INSERT")),
        ("automation_runs", ("SELECT", "INSERT", "UPDATE")),
        ("sales_targets", ("SELECT", "INSERT", "UPDATE", "DELETE")),
    )},
}
POLICY_NAMES = {"SELECT": "read", "INSERT": "insert", "UPDATE": "update", "DELETE": "delete"}
#: Tables whose row-level security is not written yet (a user role gets no grant on them).
NOT_YET_PROTECTED: tuple[str, ...] = ()
#: The columns of ``users`` a user role may read: not the password hash. The lock-out state is
#: read with every user the app loads (the administrators' list shows who is locked out); it is
#: written by the login only, which a user role cannot do to another.
USER_COLUMNS = ("id", "mobile", "name", "gender", "email", "department_id", "position", "superior_id", "enabled",
                "failed_logins", "locked_until", "last_login_at", "created_at")
#: Search index tables (PostgreSQL: kept by triggers) → the table whose rows they index: a
#: user role reads an index row only when it may read the record (RLS through the base table).
SEARCH_TABLES = {"search_customers": "customers", "search_leads": "leads", "search_contacts": "contacts"}
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")


def business_tables() -> list[tuple[str, str, bool]]:
    """(table, entity, scoped) of every record module: the tables under row-level security."""
    return [(svc.model.__tablename__, svc.model.entity, MODULES[svc.model.entity].scoped)
            for svc in RECORD_SERVICES.values()]


def quote_name(name: str) -> str:
    if not _NAME.match(name):
        raise ValueError(f"unsafe SQL name {name!r}")
    return f'"{name}"'
