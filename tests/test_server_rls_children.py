"""Secure server mode on PostgreSQL (issue 17), what goes with a save and the user's own rows:
the audit log, teams, attachments, stars, messages, saved views and column choices, the lines,
contacts and stage changes of opportunities, the lines and payment plans of contracts, the
numbering counters, pool membership and events, approvals (instances, tasks, log), the rules'
run log and the sales targets. The rows a CRM user's own database role can SELECT (and, for
the children of a record, UPDATE / DELETE) through plain SQL equal what the services allow
(the parent record's scope filter, approvals._may_read, pool._is_member, Actor.can, the
user's own rows), for random organisations; and plain-SQL attacks on them fail.

Row security knows no operation permission (module × action): a record's children are read
with the record wherever its scope shows it, as the business tables' rows are."""
from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from functools import partial
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Executable, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from crm_desktop.models import (
    ApprovalInstance,
    ApprovalLog,
    ApprovalTask,
    Attachment,
    AttachmentBlob,
    AuditChange,
    AuditEntry,
    AutomationRun,
    ColumnPreference,
    Contact,
    Contract,
    ContractLine,
    Customer,
    ImportBatch,
    ImportBatchRow,
    Lead,
    Message,
    NumberSequence,
    Opportunity,
    OpportunityContact,
    OpportunityLine,
    PaymentPlan,
    Pool,
    PoolEvent,
    PoolMember,
    RolePermission,
    SalesTarget,
    SavedView,
    StageChange,
    Star,
    Task,
    TeamMember,
)
from crm_desktop.services.activities import tasks
from crm_desktop.services.activities.visibility import task_visible
from crm_desktop.services.customers import pool
from crm_desktop.services.errors import NotFound
from crm_desktop.services.maintenance.server_admin import ADMIN_ENTITIES
from crm_desktop.services.maintenance.server_setup import create_login_role
from crm_desktop.services.org.actor import Actor, load_actor
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.org.scope import editable_filter, scope_filter
from crm_desktop.services.workflow import approvals
from tests.test_server_rls import Server, as_role, build, secure_server

RECORD_MODELS: dict[str, Any] = {"customer": Customer, "lead": Lead, "opportunity": Opportunity, "contract": Contract}
SCOPED = ("customer", "lead", "opportunity", "contract", "task")
PERMISSIONS = (("setting", "manage"), ("target", "view"), ("user", "edit"))
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def server(pg_template: str) -> Iterator[Server]:
    yield from secure_server(pg_template, "c")


@st.composite
def organisations(draw: st.DrawFn) -> dict[str, Any]:
    n_depts = draw(st.integers(1, 3))
    n_users = draw(st.integers(1, 4))
    n_roles = draw(st.integers(1, 3))
    users = st.integers(0, n_users - 1)
    owner = st.one_of(st.none(), users)
    scopes = st.dictionaries(st.sampled_from(SCOPED), st.sampled_from(list(DataScope)), max_size=4)
    base = draw(st.lists(st.tuples(st.sampled_from(["customer", "lead"]), owner), max_size=3))
    n_opps, n_contracts, n_tasks = draw(st.integers(0, 2)), draw(st.integers(0, 2)), draw(st.integers(0, 2))
    # every record: the customers and leads, then a customer everything hangs on, the
    # opportunities, the contracts, the tasks
    n_records = len(base) + 1 + n_opps + n_contracts + n_tasks
    record = st.integers(0, n_records - 1)
    n_pools = draw(st.integers(0, 2))
    pools = st.integers(0, n_pools - 1) if n_pools else st.nothing()
    return {
        "dept_parents": [None] + [draw(st.integers(0, i - 1)) for i in range(1, n_depts)],
        "user_depts": [draw(st.integers(0, n_depts - 1)) for _ in range(n_users)],
        "disabled": [draw(st.integers(0, 6)) == 0 for _ in range(n_users)],
        "superiors": [None] + [draw(st.one_of(st.none(), st.integers(0, i - 1))) for i in range(1, n_users)],
        "role_super": [draw(st.integers(0, 6)) == 0 for _ in range(n_roles)],
        "role_scopes": [draw(scopes) for _ in range(n_roles)],
        "role_depts": [draw(st.sets(st.integers(0, n_depts - 1), max_size=n_depts)) for _ in range(n_roles)],
        "role_perms": [draw(st.sets(st.sampled_from(PERMISSIONS))) for _ in range(n_roles)],
        "user_roles": [draw(st.sets(st.integers(0, n_roles - 1), max_size=n_roles)) for _ in range(n_users)],
        "records": base,
        "team": [],
        "opportunities": [draw(owner) for _ in range(n_opps)],
        "contracts": [draw(owner) for _ in range(n_contracts)],
        "tasks": [(draw(users), draw(users)) for _ in range(n_tasks)],
        "seats": draw(st.lists(st.tuples(record, users, st.sampled_from(["read", "write"])), max_size=4)),
        "attachments": draw(st.lists(record, max_size=3)),
        "stars": draw(st.sets(st.tuples(users, record), max_size=3)),
        "messages": draw(st.lists(users, max_size=3)),
        "views": draw(st.lists(users, max_size=2)),
        "approvals": draw(st.lists(st.tuples(record, users, st.sets(users, min_size=1, max_size=2)), max_size=2)),
        "pool_members": draw(st.lists(st.tuples(pools, st.one_of(users.map(lambda u: ("user", u)),
                                                                  st.integers(0, n_depts - 1).map(lambda d: ("dept", d)))),
                                      max_size=3)) if n_pools else [],
        "pools": n_pools,
        "pool_events": draw(st.lists(st.tuples(pools, owner, owner), max_size=3)) if n_pools else [],
        "targets": draw(st.lists(st.one_of(st.none(), users), max_size=2, unique=True)),
        "imports": draw(st.lists(st.tuples(users, st.sets(record, max_size=2)), max_size=2)),
    }


def _add(conn: Connection, model: Any, **values: Any) -> Any:
    """Insert one row (as the superuser); returns its primary key (the first column)."""
    key = next(iter(model.__table__.primary_key.columns))
    return conn.execute(model.__table__.insert().values(**values).returning(key)).scalar_one()


def newest(conn: Connection, table: str, n: int) -> list[int]:
    """The ids of the ``n`` rows ``build`` just added to ``table``, oldest first."""
    return list(conn.execute(text(f"SELECT id FROM {table} ORDER BY id DESC LIMIT {n}")).scalars())[::-1]


def build_children(conn: Connection, org: dict[str, Any], user_ids: list[int],
                   base: list[tuple[str, int]]) -> tuple[list[tuple[str, int]], list[int]]:
    """Everything of ``org`` that goes with a save; returns every record as (entity, id) and
    the pools' ids."""
    dept_ids = newest(conn, "departments", len(org["dept_parents"]))
    def who(u: int | None) -> int | None:
        return None if u is None else user_ids[u]

    role_ids = newest(conn, "roles", len(org["role_super"]))
    for role_id, granted in zip(role_ids, org["role_perms"], strict=True):
        for module, action in granted:
            conn.execute(RolePermission.__table__.insert().values(role_id=role_id, module=module, action=action))
    hub = _add(conn, Customer, name="总部", owner_id=None, creator_id=user_ids[0])
    contact = _add(conn, Contact, name="联系人", customer_id=hub, owner_id=None, creator_id=user_ids[0])
    records = [*base, ("customer", hub)]
    for n, owner in enumerate(org["opportunities"]):
        opp = _add(conn, Opportunity, name=f"商机{n}", customer_id=hub, owner_id=who(owner), creator_id=user_ids[0])
        records.append(("opportunity", opp))
        _add(conn, OpportunityLine, opportunity_id=opp, product_name="p")
        conn.execute(OpportunityContact.__table__.insert().values(opportunity_id=opp, contact_id=contact))
        _add(conn, StageChange, opportunity_id=opp, to_status="open", actor_id=who(owner))
    for n, owner in enumerate(org["contracts"]):
        contract = _add(conn, Contract, number=f"HT{n}", name=f"合同{n}", customer_id=hub, owner_id=who(owner),
                        creator_id=user_ids[0])
        records.append(("contract", contract))
        _add(conn, ContractLine, contract_id=contract, product_name="p")
        _add(conn, PaymentPlan, contract_id=contract, customer_id=hub, instalment=1, amount=Decimal(10),
             planned_date=dt.date(2026, 4, 1))
    for owner, creator in org["tasks"]:
        records.append(("task", _add(conn, Task, title="t", owner_id=user_ids[owner], creator_id=user_ids[creator],
                                     custom={})))
    seats: set[tuple[int, int]] = set()
    for r, u, access in org["seats"]:
        if (r, u) not in seats:
            seats.add((r, u))
            entity, record_id = records[r]
            conn.execute(TeamMember.__table__.insert().values(entity=entity, record_id=record_id,
                                                              user_id=user_ids[u], access=access))
    for entity, record_id in [*records, ("user", user_ids[0])]:  # a user's history: its administrators' only
        entry = _add(conn, AuditEntry, entity=entity, record_id=record_id, action="update", actor_id=user_ids[0])
        _add(conn, AuditChange, entry_id=entry, field="name", old="a", new="b")
    for r in org["attachments"]:
        entity, record_id = records[r]
        att = _add(conn, Attachment, entity=entity, record_id=record_id, filename="f.txt", size=1, sha256="0" * 64)
        conn.execute(AttachmentBlob.__table__.insert().values(attachment_id=att, data=b"x"))
    for u, r in org["stars"]:
        entity, record_id = records[r]
        conn.execute(Star.__table__.insert().values(entity=entity, record_id=record_id, user_id=user_ids[u]))
    for u in org["messages"]:
        _add(conn, Message, recipient_id=user_ids[u], title="hi")
    for n, u in enumerate(org["views"]):
        _add(conn, SavedView, user_id=user_ids[u], entity="customer", name=f"v{n}")
        conn.execute(ColumnPreference.__table__.insert().values(user_id=user_ids[u], entity=f"e{n}", columns=[]))
    for r, submitter, approvers in org["approvals"]:
        entity, record_id = records[r]
        inst = _add(conn, ApprovalInstance, flow_name="f", entity=entity, record_id=record_id,
                    submitter_id=user_ids[submitter])
        for a in approvers:
            _add(conn, ApprovalTask, instance_id=inst, node_index=0, approver_id=user_ids[a], comment="ok")
        _add(conn, ApprovalLog, instance_id=inst, actor_id=user_ids[submitter], action="submitted", comment="c")
    tag = uuid.uuid4().hex[:6]
    pool_ids = [_add(conn, Pool, name=f"公海{tag}{n}") for n in range(org["pools"])]
    for p, (kind, who_) in org["pool_members"]:
        _add(conn, PoolMember, pool_id=pool_ids[p], user_id=user_ids[who_] if kind == "user" else None,
             department_id=dept_ids[who_] if kind == "dept" else None)
    customers = [i for e, i in records if e == "customer"]
    for n, (p, u, actor) in enumerate(org["pool_events"]):
        _add(conn, PoolEvent, pool_id=pool_ids[p], customer_id=customers[n % len(customers)], kind="put",
             user_id=who(u), actor_id=who(actor))
    _add(conn, AutomationRun, entity="customer", record_id=hub, outcome="ok")
    conn.execute(NumberSequence.__table__.insert().values(entity="contract", period=tag, last=1))
    for u in org["targets"]:
        _add(conn, SalesTarget, subject="company" if u is None else "user", subject_id=0 if u is None else user_ids[u],
             year=2026, month=1, kind="payments")
    for importer, created in org["imports"]:
        batch = _add(conn, ImportBatch, entity="customer", actor_id=user_ids[importer], options={})
        for r in created:
            entity, record_id = records[r]
            _add(conn, ImportBatchRow, batch_id=batch, entity=entity, record_id=record_id, action="create")
    return records, pool_ids


def records_of(session: Session, actor: Actor, *, edit: bool) -> set[tuple[str, int]]:
    """The (entity, id) of the records the services let ``actor`` see (change): the scope
    filter of each module (editable_filter), a task's visibility (tasks._load with write)."""
    out: set[tuple[str, int]] = set()
    for entity, model in RECORD_MODELS.items():
        where = editable_filter(model, actor) if edit else scope_filter(model, actor)
        out |= {(entity, i) for i in session.scalars(select(model.id).where(where))}
    task_ids = list(session.scalars(select(Task.id)))
    if edit:
        uow = SimpleNamespace(actor=actor, session=session)
        for i in task_ids:
            try:
                tasks._load(uow, i, write=True)
            except NotFound:
                continue
            out.add(("task", i))
    else:
        out |= {("task", i) for i in session.scalars(select(Task.id).where(task_visible(actor)))}
    return out


def rows(conn: Connection, sql: str) -> set[Any]:
    return {tuple(r) if len(r) > 1 else r[0] for r in conn.execute(text(sql))}


def role_rows(conn: Connection, role: str, sql: str, *, keep: bool = True) -> set[Any]:
    """``rows`` run as ``role``; a write is undone unless ``keep``."""
    conn.execute(text("SAVEPOINT probe"))
    conn.execute(text(f'SET LOCAL ROLE "{role}"'))
    found = rows(conn, sql)
    conn.execute(text("RESET ROLE"))
    conn.execute(text("RELEASE SAVEPOINT probe" if keep else "ROLLBACK TO SAVEPOINT probe"))
    return found


def under_role(conn: Connection, role: str, read: Callable[[], Any]) -> Any:
    """A service query run through ``role`` (what it answers once row security filters its reads)."""
    conn.execute(text("SAVEPOINT service"))
    conn.execute(text(f'SET LOCAL ROLE "{role}"'))
    try:
        return read()
    finally:
        conn.execute(text("ROLLBACK TO SAVEPOINT service"))


def may_read_approval(session: Session, actor: Actor, instance_id: int) -> bool:
    inst = session.get(ApprovalInstance, instance_id)
    assert inst is not None
    return approvals._may_read(SimpleNamespace(actor=actor, session=session), inst)  # type: ignore[arg-type]


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(org=organisations())
def test_children_and_own_rows_match_the_services(server: Server, org: dict[str, Any]) -> None:
    with server.engine.connect() as conn:
        trans = conn.begin()
        try:
            user_ids, base = build(conn, org)
            _records, pool_ids = build_children(conn, org, user_ids, base)
            session = Session(bind=conn)
            entries = rows(conn, "SELECT id, entity, record_id FROM audit_entries")
            changes = rows(conn, "SELECT entry_id, id FROM audit_changes")
            seats = rows(conn, "SELECT entity, record_id, user_id FROM team_members")
            attachments = rows(conn, "SELECT id, entity, record_id FROM attachments")
            stars = rows(conn, "SELECT entity, record_id, user_id FROM stars")
            messages = rows(conn, "SELECT id, recipient_id FROM messages")
            views = rows(conn, "SELECT id, user_id FROM saved_views")
            columns = rows(conn, "SELECT entity, user_id FROM column_preferences")
            instances = rows(conn, "SELECT id FROM approval_instances")
            approved = rows(conn, "SELECT entity, record_id FROM approval_instances")
            imported = rows(conn, "SELECT r.entity, r.record_id, b.actor_id FROM import_batch_rows r "
                                  "JOIN import_batches b ON b.id = r.batch_id WHERE r.action = 'create'")
            events = rows(conn, "SELECT id, pool_id, customer_id, user_id FROM pool_events")
            runs = rows(conn, "SELECT id FROM automation_runs")
            targets = rows(conn, "SELECT id, subject, subject_id FROM sales_targets")
            counters = rows(conn, "SELECT entity, period FROM number_sequences")
            children = {"opportunity": "opportunity_id", "contract": "contract_id"}
            for i, user_id in enumerate(user_ids):
                role = create_login_role(conn, server.prefix, user_id, password=None)
                actor = None if org["disabled"][i] else load_actor(session, user_id)
                see = edit = set()
                if actor is not None:
                    see = records_of(session, actor, edit=False)
                    edit = records_of(session, actor, edit=True)
                where = user_id
                # A user's history is read by the user administrators only (server_admin.ADMIN_ENTITIES).
                administers = actor is not None and any(actor.can(m, a) for m, a in ADMIN_ENTITIES["user"])
                see = see | ({("user", u) for u in user_ids} if administers else set())
                assert role_rows(conn, role, "SELECT id FROM audit_entries") == {
                    e for e, ent, r in entries if (ent, r) in see}, where
                # The history (and approvals) of a record go only with an import one undoes.
                undoable = {(ent, r) for ent, r, importer in imported
                            if actor is not None and (importer == user_id or actor.is_super)} & edit
                assert role_rows(conn, role, "DELETE FROM audit_entries RETURNING id", keep=False) == {
                    e for e, ent, r in entries if (ent, r) in undoable}, where
                assert role_rows(conn, role, "DELETE FROM approval_instances RETURNING entity, record_id",
                                 keep=False) == {(e, r) for e, r in approved & undoable if e != "task"}, where
                assert role_rows(conn, role, "SELECT id FROM audit_changes") == {
                    c for e, c in changes if any(x == e and (ent, r) in see for x, ent, r in entries)}, where
                assert role_rows(conn, role, "SELECT entity, record_id, user_id FROM team_members") == {
                    s for s in seats if s[:2] in see}, where
                assert role_rows(conn, role, "UPDATE team_members SET access = access "
                                             "RETURNING entity, record_id, user_id", keep=False) == {
                    s for s in seats if s[:2] in edit}, where
                assert role_rows(conn, role, "SELECT id FROM attachments") == {
                    a for a, ent, r in attachments if (ent, r) in see}, where
                assert role_rows(conn, role, "UPDATE attachments SET deleted_at = now() RETURNING id", keep=False) == {
                    a for a, ent, r in attachments if (ent, r) in edit}, where
                assert role_rows(conn, role, "SELECT attachment_id FROM attachment_blobs") == {
                    a for a, ent, r in attachments if (ent, r) in see}, where
                # The user's own rows (and none at all for a disabled user: they cannot act).
                live = actor is not None
                assert role_rows(conn, role, "SELECT entity, record_id, user_id FROM stars") == {
                    s for s in stars if s[2] == user_id and live}, where
                assert role_rows(conn, role, "SELECT id FROM messages") == {
                    m for m, r in messages if r == user_id and live}, where
                assert role_rows(conn, role, "SELECT id FROM saved_views") == {
                    v for v, u in views if u == user_id and live}, where
                assert role_rows(conn, role, "SELECT entity, user_id FROM column_preferences") == {
                    c for c in columns if c[1] == user_id and live}, where
                assert role_rows(conn, role, "SELECT entity, period FROM number_sequences") == (
                    counters if live else set()), where
                # Lines, contacts, stage changes, plans: with their opportunity / contract.
                for table, entity in (("opportunity_lines", "opportunity"), ("opportunity_contacts", "opportunity"),
                                      ("stage_changes", "opportunity"), ("contract_lines", "contract"),
                                      ("payment_plans", "contract")):
                    fk = children[entity]
                    parents = rows(conn, f"SELECT {fk} FROM {table}")
                    assert role_rows(conn, role, f"SELECT {fk} FROM {table}") == {
                        r for r in parents if (entity, r) in see}, (table, where)
                    if table != "stage_changes":  # a log: never changed
                        assert role_rows(conn, role, f"DELETE FROM {table} RETURNING {fk}", keep=False) == {
                            r for r in parents if (entity, r) in edit}, (table, where)
                # Approvals: approvals._may_read; tasks and log go with the instance.
                readable = {n for n in instances if actor is not None and may_read_approval(session, actor, n)}
                assert role_rows(conn, role, "SELECT id FROM approval_instances") == readable, where
                assert role_rows(conn, role, "SELECT instance_id FROM approval_tasks") == readable, where
                assert role_rows(conn, role, "SELECT instance_id FROM approval_log") == readable, where
                # Pools: membership answered from what the role reads equals the service's answer.
                member_of = {p for p in pool_ids if actor is not None and pool._is_member(session, actor, p)}
                if actor is not None:
                    assert {p for p in pool_ids if under_role(conn, role, partial(
                        pool._is_member, session, actor, p))} == member_of, where
                assert {p for p in role_rows(conn, role, "SELECT pool_id FROM pool_members")} <= member_of, where
                seen_customers = {r for e, r in see if e == "customer"}
                assert role_rows(conn, role, "SELECT id FROM pool_events") == {
                    e for e, p, c, u in events
                    if live and (u == user_id or p in member_of or c in seen_customers)}, where
                # The run log: the settings managers; targets: target.view, else one's own.
                assert role_rows(conn, role, "SELECT id FROM automation_runs") == (
                    runs if actor is not None and actor.can("setting", "manage") else set()), where
                assert role_rows(conn, role, "SELECT id FROM sales_targets") == {
                    t for t, subject, subject_id in targets if actor is not None and (
                        actor.can("target", "view") or (subject == "user" and subject_id == user_id))}, where
            session.close()
        finally:
            trans.rollback()


# --- attacks -------------------------------------------------------------------------------------


@pytest.fixture
def office(server: Server) -> Iterator[SimpleNamespace]:
    """Two reps (scope: self on everything), each with a role; rep B has a customer with its
    history, a file, a contract with a line and a payment plan, an approval (approver: a
    super administrator) with a comment, a message, a saved view, a star and column choices."""
    with server.engine.connect() as conn:
        trans = conn.begin()
        org = {"dept_parents": [None], "user_depts": [0, 0, 0], "superiors": [None, None, None],
               "role_super": [False, True], "role_scopes": [{}, {}], "user_roles": [{0}, {0}, {1}],
               "records": [("customer", 0), ("customer", 1)], "team": []}
        user_ids, records = build(conn, org)
        a, b, boss = user_ids
        roles = [create_login_role(conn, server.prefix, u, password=None) for u in user_ids]
        mine, theirs = records[0][1], records[1][1]
        entry = _add(conn, AuditEntry, entity="customer", record_id=theirs, action="update", actor_id=b)
        _add(conn, AuditChange, entry_id=entry, field="phone", old="138", new="139")
        att = _add(conn, Attachment, entity="customer", record_id=theirs, filename="报价.pdf", size=1, sha256="0" * 64,
                   uploaded_by_id=b)
        conn.execute(AttachmentBlob.__table__.insert().values(attachment_id=att, data=b"secret"))
        contract = _add(conn, Contract, number="HT-B", name="合同", customer_id=theirs, owner_id=b, creator_id=b)
        _add(conn, ContractLine, contract_id=contract, product_name="p", price=Decimal(99))
        _add(conn, PaymentPlan, contract_id=contract, customer_id=theirs, instalment=1, amount=Decimal(99),
             planned_date=dt.date(2026, 4, 1))
        inst = _add(conn, ApprovalInstance, flow_name="f", entity="customer", record_id=theirs, submitter_id=b)
        _add(conn, ApprovalTask, instance_id=inst, node_index=0, approver_id=boss)
        _add(conn, ApprovalLog, instance_id=inst, actor_id=boss, action="rejected", comment="价格太低")
        message = _add(conn, Message, recipient_id=b, title="私信")
        _add(conn, SavedView, user_id=b, entity="customer", name="我的大客户")
        conn.execute(Star.__table__.insert().values(entity="customer", record_id=theirs, user_id=b))
        conn.execute(ColumnPreference.__table__.insert().values(user_id=b, entity="customer", columns=[]))
        yield SimpleNamespace(conn=conn, a=a, b=b, boss=boss, rep=roles[0], colleague=roles[1], boss_role=roles[2],
                              mine=mine, theirs=theirs, entry=entry, attachment=att, contract=contract, instance=inst,
                              message=message)
        trans.rollback()


def refused(o: SimpleNamespace, role: str, sql: str | Executable) -> None:
    """``sql`` run as ``role`` fails for want of a privilege or of a policy allowing the row."""
    o.conn.execute(text("SAVEPOINT attack"))
    o.conn.execute(text(f'SET LOCAL ROLE "{role}"'))
    with pytest.raises(ProgrammingError) as failed:
        o.conn.execute(text(sql) if isinstance(sql, str) else sql)
    assert isinstance(failed.value.orig, psycopg.errors.InsufficientPrivilege)
    o.conn.execute(text("ROLLBACK TO SAVEPOINT attack"))


def allowed(o: SimpleNamespace, role: str, sql: str) -> set[Any]:
    return role_rows(o.conn, role, sql, keep=False)


@pytest.mark.parametrize("sql", [
    "SELECT entry_id FROM audit_changes", "SELECT old FROM audit_changes", "SELECT id FROM audit_entries",
    "SELECT attachment_id FROM attachment_blobs", "SELECT id FROM attachments",
    "SELECT contract_id FROM contract_lines", "SELECT contract_id FROM payment_plans",
    "SELECT comment FROM approval_log", "SELECT id FROM approval_tasks", "SELECT id FROM approval_instances",
    "SELECT id FROM messages", "SELECT id FROM saved_views", "SELECT user_id FROM stars",
    "SELECT user_id FROM column_preferences",
])
def test_a_rep_reads_nothing_of_a_colleagues_records_or_rows(office: SimpleNamespace, sql: str) -> None:
    assert as_role(office.conn, office.rep, sql, keep=True) == set()
    assert as_role(office.conn, office.colleague, sql, keep=True) != set()  # the colleague reads them


def test_a_rep_cannot_change_or_erase_a_colleagues_rows(office: SimpleNamespace) -> None:
    o = office
    for sql in ("UPDATE messages SET read = true RETURNING id", "DELETE FROM audit_entries RETURNING id",
                "DELETE FROM audit_changes RETURNING id", "UPDATE attachments SET deleted_at = now() RETURNING id",
                "DELETE FROM contract_lines RETURNING id", "UPDATE payment_plans SET amount = 1 RETURNING id",
                "UPDATE approval_instances SET status = 'approved' RETURNING id",
                "UPDATE approval_tasks SET state = 'approved' RETURNING id",
                "DELETE FROM saved_views RETURNING id", "DELETE FROM stars RETURNING user_id",
                "UPDATE column_preferences SET columns = '[]' RETURNING user_id",
                "UPDATE team_members SET access = 'write' RETURNING user_id",
                "DELETE FROM pool_members RETURNING pool_id", "UPDATE automation_runs SET message = '' RETURNING id",
                "DELETE FROM sales_targets RETURNING id"):
        assert allowed(o, o.rep, sql) == set(), sql
    for sql in ("DELETE FROM messages", "DELETE FROM approval_log", "UPDATE audit_changes SET new = '1'",
                "UPDATE audit_entries SET actor_id = NULL", "DELETE FROM attachment_blobs",
                ("INSERT INTO sales_targets (subject, subject_id, year, month, "
                "kind, amount) VALUES ('user', 1, 2026, 1, 'payments', 1)")):
        refused(o, o.rep, sql)


def test_a_rep_cannot_write_into_a_colleagues_records_or_as_them(office: SimpleNamespace) -> None:
    o = office
    a, b, theirs, mine = o.a, o.b, o.theirs, o.mine
    for sql in (
        # history, a team seat, a file, lines and plans of records out of scope
        f"INSERT INTO audit_entries (entity, record_id, action, actor_id, at) VALUES ('customer', {theirs}, 'x', {a}, now())",
        f"INSERT INTO audit_changes (entry_id, field, old, new) VALUES ({o.entry}, 'phone', '1', '2')",
        (f"INSERT INTO team_members (entity, record_id, user_id, access, added_at) "
        f"VALUES ('customer', {theirs}, {a}, 'write', now())"),
        (f"INSERT INTO attachments (entity, record_id, filename, mime_type, size, sha256, uploaded_by_id, uploaded_at) "
        f"VALUES ('customer', {theirs}, 'x', 'x', 1, 'x', {a}, now())"),
        f"INSERT INTO attachment_blobs (attachment_id, data) VALUES ({o.attachment}, 'x')",
        (f"INSERT INTO contract_lines (contract_id, position, product_name, product_code, unit, standard_price, price, "
        f"quantity, discount, subtotal, remark) VALUES ({o.contract}, 0, 'x', '', '', 0, 0, 1, 0, 0, '')"),
        (f"INSERT INTO payment_plans (contract_id, customer_id, instalment, amount, planned_date, method, "
        f"received_amount, remark) VALUES ({o.contract}, {theirs}, 2, 1, '2026-05-01', '', 0, '')"),
        # an approval of a record one cannot change, or a seat in a colleague's approval
        (f"INSERT INTO approval_instances (flow_name, entity, record_id, record_name, submitter_id, status, target, "
        f"form_data, branch, picks, node_index, round, created_at, updated_at, version) VALUES "
        f"('f', 'customer', {theirs}, '', {a}, 'pending', '{{}}', '{{}}', '{{}}', '{{}}', 0, 1, now(), now(), 1)"),
        (f"INSERT INTO approval_tasks (instance_id, round, node_index, position, approver_id, state, comment, created_at)"
        f" VALUES ({o.instance}, 1, 0, 0, {a}, 'pending', '', now())"),
        (f"INSERT INTO approval_log (instance_id, round, node_name, actor_id, action, comment, at) "
        f"VALUES ({o.instance}, 1, '', {a}, 'approved', '', now())"),
        # in a colleague's name, on one's own record
        f"INSERT INTO audit_entries (entity, record_id, action, actor_id, at) VALUES ('customer', {mine}, 'x', {b}, now())",
        (f"INSERT INTO saved_views (user_id, entity, name, filter, sort, descending, is_default, sort_order) "
        f"VALUES ({b}, 'customer', 'x', '{{}}', 'id', true, true, 0)"),
        f"INSERT INTO stars (entity, record_id, user_id) VALUES ('customer', {mine}, {b})",
        f"INSERT INTO stars (entity, record_id, user_id) VALUES ('customer', {theirs}, {a})",  # a record one cannot see
        f"INSERT INTO column_preferences (user_id, entity, columns) VALUES ({b}, 'lead', '[]')",
        (f"INSERT INTO attachments (entity, record_id, filename, mime_type, size, sha256, uploaded_by_id, uploaded_at) "
        f"VALUES ('customer', {mine}, 'x', 'x', 1, 'x', {b}, now())"),
    ):
        refused(o, o.rep, sql)
    # The same on one's own record, as oneself: allowed.
    assert len(allowed(o, o.rep, f"INSERT INTO audit_entries (entity, record_id, action, actor_id, at) "
                                 f"VALUES ('customer', {mine}, 'x', {a}, now()) RETURNING id")) == 1
    assert len(allowed(o, o.rep, f"INSERT INTO team_members (entity, record_id, user_id, access, added_at) "
                                 f"VALUES ('customer', {mine}, {b}, 'read', now()) RETURNING user_id")) == 1


def test_a_message_to_a_colleague_is_read_back_only_while_sending(office: SimpleNamespace) -> None:
    """INSERT … RETURNING (the ORM's) reads the new row: the sender reads back, in the sending
    transaction only, what it sent; a temporary table of one's own cannot fake it."""
    o = office
    insert = (f"INSERT INTO messages (recipient_id, title, body, read, created_at) "
              f"VALUES ({o.b}, 'hi', '', false, now()), ({o.b}, 'again', '', false, now()) RETURNING id")
    o.conn.execute(text("SAVEPOINT send"))
    o.conn.execute(text(f'SET LOCAL ROLE "{o.rep}"'))
    sent = set(o.conn.execute(text(insert)).scalars())
    assert len(sent) == 2
    assert set(o.conn.execute(text("SELECT id FROM messages")).scalars()) == sent
    o.conn.execute(text("RESET ROLE"))
    o.conn.execute(text("ROLLBACK TO SAVEPOINT send"))
    # A temporary table of the rep's own, naming the colleague's message, shows nothing.
    o.conn.execute(text("SAVEPOINT fake"))
    o.conn.execute(text(f'SET LOCAL ROLE "{o.rep}"'))
    o.conn.execute(text("CREATE TEMPORARY TABLE crm_inserted (tbl text, id integer)"))
    o.conn.execute(text(f"INSERT INTO crm_inserted VALUES ('messages', {o.message})"))
    assert set(o.conn.execute(text("SELECT id FROM messages")).scalars()) == set()
    o.conn.execute(text("RESET ROLE"))
    o.conn.execute(text("ROLLBACK TO SAVEPOINT fake"))
    # Nor does noting the colleague's message by hand, nor an explicit id.
    o.conn.execute(text("SAVEPOINT by_hand"))
    o.conn.execute(text(f'SET LOCAL ROLE "{o.rep}"'))
    o.conn.execute(text(f"SELECT crm_remember_insert('messages', {o.message})"))
    assert set(o.conn.execute(text("SELECT id FROM messages")).scalars()) == set()
    with pytest.raises(ProgrammingError):  # the new row cannot be read back: refused
        o.conn.execute(text(f"INSERT INTO messages (id, recipient_id, title, body, read, created_at) "
                            f"VALUES ({o.message} + 100000, {o.b}, 'x', '', false, now()) RETURNING id"))
    o.conn.execute(text("ROLLBACK TO SAVEPOINT by_hand"))


def test_a_sent_message_is_not_read_back_once_committed(server: Server) -> None:
    with server.engine.connect() as conn:
        with conn.begin():
            org = {"dept_parents": [None], "user_depts": [0, 0], "superiors": [None, None], "role_super": [False],
                   "role_scopes": [{}], "user_roles": [{0}, {0}], "records": [], "team": []}
            (a, b), _records = build(conn, org)
            rep = create_login_role(conn, server.prefix, a, password=None)
            conn.execute(text(f'SET LOCAL ROLE "{rep}"'))
            message = conn.execute(text(f"INSERT INTO messages (recipient_id, title, body, read, created_at) "
                                        f"VALUES ({b}, 'hi', '', false, now()) RETURNING id")).scalar_one()
        try:
            with conn.begin():
                conn.execute(text(f'SET LOCAL ROLE "{rep}"'))
                assert message not in set(conn.execute(text("SELECT id FROM messages")).scalars())
        finally:
            with conn.begin():  # the role outlives the database: drop it
                conn.execute(text(f'DROP ROLE "{rep}"'))


def test_an_approver_reads_and_moves_the_approval_not_the_colleagues_others(office: SimpleNamespace) -> None:
    """The rep made approver of the colleague's approval reads it with its tasks and log,
    decides, logs it and opens the next node's task; the colleague's other rows stay closed."""
    o = office
    o.conn.execute(ApprovalTask.__table__.insert().values(instance_id=o.instance, node_index=1, approver_id=o.a))
    assert as_role(o.conn, o.rep, "SELECT id FROM approval_instances", keep=True) == {o.instance}
    assert as_role(o.conn, o.rep, "SELECT instance_id FROM approval_log", keep=True) == {o.instance}
    o.conn.execute(text("SAVEPOINT decide"))
    o.conn.execute(text(f'SET LOCAL ROLE "{o.rep}"'))
    o.conn.execute(text(f"UPDATE approval_tasks SET state = 'approved' WHERE approver_id = {o.a} RETURNING id")).one()
    o.conn.execute(text(f"UPDATE approval_instances SET node_index = 2, version = version + 1 "
                        f"WHERE id = {o.instance} RETURNING id")).one()
    o.conn.execute(text(f"INSERT INTO approval_log (instance_id, round, node_name, actor_id, action, comment, at) "
                        f"VALUES ({o.instance}, 1, '', {o.a}, 'approved', 'ok', now()) RETURNING id")).one()
    o.conn.execute(text(f"INSERT INTO approval_tasks (instance_id, round, node_index, position, approver_id, state, "
                        f"comment, created_at) VALUES ({o.instance}, 1, 2, 0, {o.boss}, 'pending', '', now()) "
                        "RETURNING id")).one()
    o.conn.execute(text(f"INSERT INTO messages (recipient_id, title, body, read, created_at) "
                        f"VALUES ({o.boss}, 'waiting', '', false, now()) RETURNING id")).one()
    # The next approver's read seat on the record (approvals._share): theirs, read only.
    seat = "INSERT INTO team_members (entity, record_id, user_id, access, added_at) VALUES ('customer', {}, {}, '{}', now())"
    o.conn.execute(text(seat.format(o.theirs, o.boss, "read")))
    o.conn.execute(text("RESET ROLE"))
    o.conn.execute(text("ROLLBACK TO SAVEPOINT decide"))
    refused(o, o.rep, seat.format(o.theirs, o.a, "write"))  # never a read-write seat
    refused(o, o.rep, seat.format(o.theirs, o.b, "read"))  # nor one for someone with no task in it
    for sql in ("SELECT id FROM messages", "SELECT contract_id FROM contract_lines", "SELECT entry_id FROM audit_changes"):
        assert as_role(o.conn, o.rep, sql, keep=True) == set(), sql
    refused(o, o.rep, f"INSERT INTO approval_log (instance_id, round, node_name, actor_id, action, comment, at) "
                      f"VALUES ({o.instance}, 1, '', {o.b}, 'approved', '', now())")  # in the submitter's name


def test_pool_events_cannot_be_written_for_someone_else(office: SimpleNamespace) -> None:
    o = office
    pool_id = _add(o.conn, Pool, name=f"公海{uuid.uuid4().hex[:6]}")
    refused(o, o.rep, f"INSERT INTO pool_events (pool_id, customer_id, kind, user_id, actor_id, reason, at, details) "
                      f"VALUES ({pool_id}, {o.mine}, 'claim', {o.a}, {o.b}, '', now(), '{{}}')")
    refused(o, o.rep, f"INSERT INTO pool_events (pool_id, customer_id, kind, user_id, actor_id, reason, at, details) "
                      f"VALUES ({pool_id}, {o.theirs}, 'claim', {o.a}, {o.a}, '', now(), '{{}}')")  # not a member
    assert len(allowed(o, o.rep, f"INSERT INTO pool_events (pool_id, customer_id, kind, user_id, actor_id, reason, "
                                 f"at, details) VALUES ({pool_id}, {o.mine}, 'put', {o.a}, {o.a}, '', now(), '{{}}') "
                                 "RETURNING id")) == 1


# --- the services on a user's own login ----------------------------------------------------------


def test_the_services_write_what_goes_with_a_save_on_a_users_own_login(server: Server) -> None:
    """Logged in with their own roles, a rep saves a customer, stars it, saves a view and
    columns, attaches a file, shares it, makes a contract with a line (its number drawn) and a
    payment plan, mentions a colleague on a task and submits an approval the colleague
    rejects: every ORM write (INSERT … RETURNING included) passes its row security."""
    from crm_desktop.bootstrap import bootstrap
    from crm_desktop.models import ApprovalFlow, Department, Role, User, user_roles
    from crm_desktop.services.activities.tasks import TaskInput
    from crm_desktop.services.customers.customers import customers
    from crm_desktop.services.org.permissions import MODULES
    from crm_desktop.services.records import attachments, views
    from crm_desktop.services.sales.contracts import contracts
    from crm_desktop.services.sales.payments import PlanInput, add_plan, list_plans
    from crm_desktop.services.sales.product_lines import LineInput
    from crm_desktop.services.workflow.automation import list_messages

    tag = uuid.uuid4().hex[:6]
    with server.engine.begin() as conn:
        dept = _add(conn, Department, name=f"销售{tag}")
        a, b = (_add(conn, User, mobile=f"2{tag}{n}", name=f"{n}号{tag}", password_hash="x", department_id=dept)
                for n in (1, 2))
        role = _add(conn, Role, name=f"销售{tag}")
        for module in ("customer", "contract", "task"):
            for action in MODULES[module].actions:
                conn.execute(RolePermission.__table__.insert().values(role_id=role, module=module, action=action))
        conn.execute(user_roles.insert().values([{"user_id": a, "role_id": role}, {"user_id": b, "role_id": role}]))
        node = {"name": "经理审批", "mode": "orsign", "approver": {"kind": "users", "users": [b]}}
        flow = _add(conn, ApprovalFlow, name=f"手动{tag}", entity="customer", binding="manual",
                    form=[{"key": "name", "label": "名称", "field": "name"}],
                    branches=[{"name": "全部", "condition": {}, "nodes": [node]}])
        names = [create_login_role(conn, server.prefix, u, password=f"pw-{tag}") for u in (a, b)]
        actors = [load_actor(Session(bind=conn), u) for u in (a, b)]
    url = make_url(server.url)
    dbs = [bootstrap(url.set(username=n, password=f"pw-{tag}").render_as_string(hide_password=False))
           for n in names]
    try:
        (db_a, db_b), (me, colleague) = dbs, actors
        # (customers.create itself reads the duplicate-check setting, which no user role may read)
        with server.engine.begin() as conn:
            customer = SimpleNamespace(id=_add(conn, Customer, name=f"甲公司{tag}", owner_id=a, creator_id=a))
        views.set_star(db_a, me, Customer, customer.id, starred=True)
        assert views.starred_ids(db_a, me, "customer", [customer.id]) == {customer.id}
        views.save_view(db_a, me, "customer", views.ViewInput(name="我的", is_default=True), model=Customer)
        assert [v.name for v in views.list_views(db_a, me, "customer") if v.name == "我的"]
        views.set_columns(db_a, me, "customer", [views.ColumnDTO("name", 180)])
        file = attachments.add_attachment(db_a, me, Customer, customer.id, filename="报价.txt", data=b"10")
        assert attachments.read_attachment(db_a, me, Customer, file.id) == ("报价.txt", b"10")
        attachments.remove_attachment(db_a, me, Customer, file.id)
        customers.set_team_member(db_a, me, customer.id, user_id=b, access="read")
        contract = contracts.create(db_a, me, {"name": f"合同{tag}", "customer_id": customer.id},
                                    lines=[LineInput(product_id=None, price="10", product_name="服务")])
        add_plan(db_a, me, contract.id, PlanInput(instalment=1, amount="10", planned_date=dt.date(2026, 5, 1)))
        assert len(list_plans(db_a, me, contract.id)) == 1
        task = tasks.create_task(db_a, me, TaskInput(title="跟进"))
        tasks.add_comment(db_a, me, task.id, f"@2号{tag} 看看")
        assert [m.title for m in list_messages(db_b, colleague)]  # the mention reached the colleague
        approval = approvals.submit(db_a, me, "customer", customer.id, flow)
        pending = approvals.my_approvals(db_b, colleague, "pending")
        assert [p.instance_id for p in pending] == [approval.id]
        assert pending[0].task_id is not None
        approvals.decide(db_b, colleague, pending[0].task_id, approve=False, comment="资料不全")
        (seen,) = approvals.record_approvals(db_a, me, "customer", customer.id)
        assert seen.status == "rejected"
        assert any(m.body == "资料不全" for m in list_messages(db_a, me))
        assert {e.action for e in customers.operation_log(db_a, me, customer.id)} >= {"attachment", "team"}
        assert list_messages(db_a, me) != list_messages(db_b, colleague)
    finally:
        for db in dbs:
            db.dispose()
        with server.engine.begin() as conn:
            for n in names:
                conn.execute(text(f'DROP ROLE "{n}"'))


def test_a_records_history_goes_only_with_an_import_one_undoes(office: SimpleNamespace) -> None:
    """The rep may change their own customer, not erase its history; undoing the import that
    created it removes its history and approvals (undo_batch), as the importer."""
    o = office
    entry = _add(o.conn, AuditEntry, entity="customer", record_id=o.mine, action="create", actor_id=o.a)
    _add(o.conn, AuditChange, entry_id=entry, field="name", old=None, new="x")
    _add(o.conn, ApprovalInstance, flow_name="f", entity="customer", record_id=o.mine, submitter_id=o.a)
    for sql in ("DELETE FROM audit_entries RETURNING id", "DELETE FROM audit_changes RETURNING entry_id",
                "DELETE FROM approval_instances RETURNING record_id"):
        assert allowed(o, o.rep, sql) == set(), sql
    batch = _add(o.conn, ImportBatch, entity="customer", actor_id=o.a, options={})
    _add(o.conn, ImportBatchRow, batch_id=batch, entity="customer", record_id=o.mine, action="create")
    assert allowed(o, o.rep, "DELETE FROM audit_entries RETURNING id") == {entry}
    assert allowed(o, o.rep, "DELETE FROM audit_changes RETURNING entry_id") == {entry}
    assert allowed(o, o.rep, "DELETE FROM approval_instances RETURNING record_id") == {o.mine}
    assert allowed(o, o.colleague, "DELETE FROM audit_entries RETURNING id") == set()  # not their import
