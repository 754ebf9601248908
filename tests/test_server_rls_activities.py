"""Secure server mode on PostgreSQL (issue 17), the tables with rules of their own: the tasks,
schedule events and work logs (with their participants, links, subtasks) and the dashboard
rollup rows a CRM user's own database role can SELECT / UPDATE / DELETE through plain SQL
equal what the services allow (activities.visibility, the services' ``_load``,
worklogs.log_visible, rollup's ``owner_scope_filter``), for random organisations; and
plain-SQL attacks on them fail.

One deliberate difference, the same as the business tables': a role reads a task, event or
log in the recycle bin when it would see it out of the bin (binning is an UPDATE, whose new
row PostgreSQL checks against the SELECT policy); the services hide the bin. So the reads are
compared with the services' answer on the same rows taken out of the bin."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from functools import partial
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Executable, select, text
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.orm import Session

from crm_desktop.models import (
    ActivityLink,
    ActivityParticipant,
    DashboardRollup,
    ImportBatch,
    ImportBatchRow,
    ImportMapping,
    ReminderShown,
    ScheduleEvent,
    Task,
    TaskSubtask,
    TeamMember,
    WorkLog,
)
from crm_desktop.models.dashboard import NO_OWNER
from crm_desktop.services.activities import schedule, tasks, worklogs
from crm_desktop.services.activities.visibility import event_visible, task_visible
from crm_desktop.services.dashboard.rollup import SOURCES
from crm_desktop.services.errors import NotFound
from crm_desktop.services.maintenance.server_setup import create_login_role
from crm_desktop.services.org.actor import Actor, load_actor
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.org.scope import owner_scope_filter
from tests.test_server_rls import Server, as_role, build, secure_server

MODULES = ("customer", "lead", "task", "event")
MEASURES = {source.measure.value: entity for (entity, _field), source in SOURCES.items()}
NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def server(pg_template: str) -> Iterator[Server]:
    yield from secure_server(pg_template, "a")


@st.composite
def organisations(draw: st.DrawFn) -> dict[str, Any]:
    n_depts = draw(st.integers(1, 3))
    n_users = draw(st.integers(1, 5))
    n_roles = draw(st.integers(1, 3))
    users = st.integers(0, n_users - 1)
    scopes = st.dictionaries(st.sampled_from(MODULES), st.sampled_from(list(DataScope)), max_size=3)
    records = draw(st.lists(st.tuples(st.sampled_from(["customer", "lead"]), st.one_of(st.none(), users)),
                            max_size=5))
    links = st.sets(st.integers(0, len(records) - 1), max_size=2) if records else st.just(set())
    activity = st.fixed_dictionaries({"owner": users, "creator": users, "binned": st.integers(0, 4).map(lambda i: i == 0),
                                      "participants": st.sets(users, max_size=2), "links": links})
    n_tasks = draw(st.integers(0, 5))
    return {
        "dept_parents": [None] + [draw(st.integers(0, i - 1)) for i in range(1, n_depts)],
        "user_depts": [draw(st.integers(0, n_depts - 1)) for _ in range(n_users)],
        "disabled": [draw(st.integers(0, 6)) == 0 for _ in range(n_users)],
        "superiors": [None] + [draw(st.one_of(st.none(), st.integers(0, i - 1))) for i in range(1, n_users)],
        "role_super": [draw(st.integers(0, 6)) == 0 for _ in range(n_roles)],
        "role_scopes": [draw(scopes) for _ in range(n_roles)],
        "role_depts": [draw(st.sets(st.integers(0, n_depts - 1), max_size=n_depts)) for _ in range(n_roles)],
        "user_roles": [draw(st.sets(st.integers(0, n_roles - 1), max_size=n_roles)) for _ in range(n_users)],
        "records": records,
        "binned_records": draw(st.sets(st.integers(0, max(len(records) - 1, 0)), max_size=2)) if records else set(),
        "team": [],
        "tasks": [draw(activity) for _ in range(n_tasks)],
        "task_team": draw(st.lists(st.tuples(st.integers(0, n_tasks - 1), users, st.sampled_from(["read", "write"])),
                                   max_size=3)) if n_tasks else [],
        "events": draw(st.lists(activity, max_size=3)),
        "logs": draw(st.lists(st.tuples(users, st.integers(0, 4).map(lambda i: i == 0)), max_size=4)),
        "rollup": draw(st.lists(st.tuples(st.sampled_from(sorted(MEASURES)), st.one_of(st.none(), users)),
                                max_size=4, unique_by=lambda r: r)),
    }


def build_activities(conn: Connection, org: dict[str, Any], user_ids: list[int],
                     records: list[tuple[str, int]]) -> dict[str, list[int]]:
    """The tasks (each with a subtask), events, logs and rollup rows of ``org``; returns their ids."""
    for i in org["binned_records"]:
        entity, record_id = records[i]
        conn.execute(text(f"UPDATE {'customers' if entity == 'customer' else 'leads'} SET deleted_at = now() "
                          f"WHERE id = {record_id}"))
    out: dict[str, list[int]] = {"task": [], "event": [], "log": []}
    for kind, model in (("task", Task), ("event", ScheduleEvent)):
        for n, a in enumerate(org["tasks" if kind == "task" else "events"]):
            values: dict[str, Any] = {"title": f"{kind}{n}", "owner_id": user_ids[a["owner"]],
                                      "creator_id": user_ids[a["creator"]], "custom": {},
                                      "deleted_at": NOW if a["binned"] else None}
            if kind == "event":
                values |= {"start_at": NOW, "end_at": NOW + dt.timedelta(hours=1)}
            activity_id = conn.execute(model.__table__.insert().values(**values).returning(model.id)).scalar_one()
            out[kind].append(activity_id)
            for u in a["participants"] - {a["owner"]}:
                conn.execute(ActivityParticipant.__table__.insert().values(kind=kind, activity_id=activity_id,
                                                                          user_id=user_ids[u]))
            for r in a["links"]:
                entity, record_id = records[r]
                conn.execute(ActivityLink.__table__.insert().values(kind=kind, activity_id=activity_id,
                                                                   entity=entity, record_id=record_id))
            if kind == "task":
                conn.execute(TaskSubtask.__table__.insert().values(task_id=activity_id, title="sub"))
    seats: set[tuple[int, int]] = set()
    for t, u, access in org["task_team"]:
        if (t, u) not in seats:
            seats.add((t, u))
            conn.execute(TeamMember.__table__.insert().values(entity="task", record_id=out["task"][t],
                                                              user_id=user_ids[u], access=access))
    for n, (author, binned) in enumerate(org["logs"]):
        out["log"].append(conn.execute(WorkLog.__table__.insert().values(
            author_id=user_ids[author], kind="daily", day=dt.date(2026, 3, 1) + dt.timedelta(days=n),
            done_text="done", deleted_at=NOW if binned else None).returning(WorkLog.id)).scalar_one())
    for measure, owner in org["rollup"]:
        conn.execute(DashboardRollup.__table__.insert().values(
            measure=measure, grain="m", day=dt.date(1999, 1, 1), owner_id=NO_OWNER if owner is None else user_ids[owner],
            status="", stage_id=0, record_count=1, amount_cents=0))
    return out


def out_of_the_bin(conn: Connection, session: Session, query: Any) -> set[int]:
    """``query``'s ids with every task, event and log taken out of the recycle bin (undone after)."""
    conn.execute(text("SAVEPOINT unbinned"))
    for table in ("tasks", "schedule_events", "work_logs"):
        conn.execute(text(f"UPDATE {table} SET deleted_at = NULL"))
    ids = set(session.scalars(query))
    conn.execute(text("ROLLBACK TO SAVEPOINT unbinned"))
    return ids


def loadable(load: Any, ids: list[int]) -> set[int]:
    """The ids a service's ``_load`` (write=True) answers for: the ones it lets the actor change."""
    found = set()
    for i in ids:
        try:
            load(i)
        except NotFound:
            continue
        found.add(i)
    return found


def rollup_rows(conn: Connection, role: str | None) -> set[tuple[str, int]]:
    conn.execute(text("SAVEPOINT rollup"))
    if role is not None:
        conn.execute(text(f'SET LOCAL ROLE "{role}"'))
    rows = {(m, o) for m, o in conn.execute(text("SELECT measure, owner_id FROM dashboard_rollup"))}
    conn.execute(text("RESET ROLE"))
    conn.execute(text("RELEASE SAVEPOINT rollup"))
    return rows


def app_rollup(session: Session, actor: Actor | None) -> set[tuple[str, int]]:
    if actor is None:
        return set()
    r = DashboardRollup
    out: set[tuple[str, int]] = set()
    for measure, entity in MEASURES.items():
        out |= {(m, o) for m, o in session.execute(select(r.measure, r.owner_id).where(
            r.measure == measure, owner_scope_filter(r.owner_id, actor, entity)))}
    return out


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(org=organisations())
def test_activities_logs_and_rollup_match_the_services(server: Server, org: dict[str, Any]) -> None:
    with server.engine.connect() as conn:
        trans = conn.begin()
        try:
            user_ids, records = build(conn, org)
            ids = build_activities(conn, org, user_ids, records)
            session = Session(bind=conn)
            participants = {(k, a, u) for k, a, u in conn.execute(select(
                ActivityParticipant.kind, ActivityParticipant.activity_id, ActivityParticipant.user_id))}
            links = {(k, a) for k, a in conn.execute(select(ActivityLink.kind, ActivityLink.activity_id))}
            for i, user_id in enumerate(user_ids):
                role = create_login_role(conn, server.prefix, user_id, password=None)
                actor = None if org["disabled"][i] else load_actor(session, user_id)
                see: dict[str, set[int]] = {"task": set(), "event": set(), "log": set()}
                edit: dict[str, set[int]] = {"task": set(), "event": set(), "log": set()}
                if actor is not None:
                    uow = SimpleNamespace(actor=actor, session=session)
                    see["task"] = out_of_the_bin(conn, session, select(Task.id).where(task_visible(actor)))
                    assert see["task"] == out_of_the_bin(conn, session, select(Task.id).where(
                        task_visible(actor, wide=True)))
                    see["event"] = out_of_the_bin(conn, session, select(ScheduleEvent.id).where(event_visible(actor)))
                    see["log"] = out_of_the_bin(conn, session, select(WorkLog.id).where(worklogs.log_visible(actor)))
                    edit["task"] = loadable(partial(tasks._load, uow, write=True), ids["task"])
                    edit["event"] = loadable(partial(schedule._load, uow, write=True), ids["event"])
                    # write_log rewrites, delete_log bins: the author's own live logs only.
                    edit["log"] = {i for i in loadable(partial(worklogs._load, session, actor), ids["log"])
                                   if session.get(WorkLog, i).author_id == user_id}  # type: ignore[union-attr]
                for kind, table in (("task", "tasks"), ("event", "schedule_events"), ("log", "work_logs")):
                    column = "done_text" if kind == "log" else "title"
                    where = (kind, user_id)
                    assert as_role(conn, role, f"SELECT id FROM {table}", keep=True) == see[kind], where
                    assert as_role(conn, role, f"UPDATE {table} SET {column} = {column} RETURNING id",
                                   keep=False) == edit[kind], where
                    if kind != "log":  # a log is never deleted (no privilege: the attack test)
                        assert as_role(conn, role, f"DELETE FROM {table} RETURNING id", keep=False) == edit[kind], where
                    # Participants and links go with their activity: read with it, changed by its editors.
                    assert as_role(conn, role, f"SELECT activity_id FROM activity_participants WHERE kind = '{kind}'",
                                   keep=True) == {a for k, a, _u in participants if k == kind and a in see[kind]}
                    assert as_role(conn, role, f"SELECT activity_id FROM activity_links WHERE kind = '{kind}'",
                                   keep=True) == {a for k, a in links if k == kind and a in see[kind]}
                    assert as_role(conn, role, f"DELETE FROM activity_links WHERE kind = '{kind}' RETURNING activity_id",
                                   keep=False) == {a for k, a in links if k == kind and a in edit[kind]}
                    assert as_role(conn, role, "DELETE FROM activity_participants WHERE kind = "
                                   f"'{kind}' RETURNING activity_id", keep=False) == {
                        a for k, a, _u in participants if k == kind and a in edit[kind]}
                assert as_role(conn, role, "SELECT task_id FROM task_subtasks", keep=True) == see["task"]
                assert as_role(conn, role, "UPDATE task_subtasks SET done = done RETURNING task_id",
                               keep=False) == edit["task"]
                assert rollup_rows(conn, role) == app_rollup(session, actor), user_id
            session.close()
        finally:
            trans.rollback()


# --- attacks -------------------------------------------------------------------------------------


@pytest.fixture
def office(server: Server) -> Iterator[SimpleNamespace]:
    """Two reps (scope: self on everything) and a super administrator, each with a role; rep
    B has a private task, a work log, an import batch with its rows, a mapping and a reminder
    shown; rep A has a customer of their own."""
    with server.engine.connect() as conn:
        trans = conn.begin()
        org = {"dept_parents": [None], "user_depts": [0, 0, 0], "superiors": [None, None, None],
               "role_super": [False, True], "role_scopes": [{}, {}], "user_roles": [{0}, {0}, {1}],
               "records": [("customer", 0)], "team": []}
        user_ids, records = build(conn, org)
        a, b, _boss = user_ids
        roles = [create_login_role(conn, server.prefix, u, password=None) for u in user_ids]
        task = conn.execute(Task.__table__.insert().values(title="private", owner_id=b, creator_id=b, custom={})
                            .returning(Task.id)).scalar_one()
        log = conn.execute(WorkLog.__table__.insert().values(author_id=b, kind="daily", day=dt.date(2026, 3, 2),
                                                             done_text="mine").returning(WorkLog.id)).scalar_one()
        batch = conn.execute(ImportBatch.__table__.insert().values(entity="customer", actor_id=b, options={})
                             .returning(ImportBatch.id)).scalar_one()
        conn.execute(ImportBatchRow.__table__.insert().values(batch_id=batch, entity="customer",
                                                              record_id=records[0][1], action="create"))
        conn.execute(ImportMapping.__table__.insert().values(user_id=b, entity="customer", signature="s", mapping={}))
        conn.execute(ReminderShown.__table__.insert().values(user_id=b, source="task", item_id=task, occurrence=NOW))
        yield SimpleNamespace(conn=conn, a=a, b=b, rep=roles[0], colleague=roles[1], boss=roles[2], task=task, log=log,
                              batch=batch, customer=records[0][1])
        trans.rollback()


def refused(o: SimpleNamespace, role: str, sql: str | Executable) -> None:
    """``sql`` run as ``role`` fails for want of a privilege or of a policy allowing the row."""
    o.conn.execute(text("SAVEPOINT attack"))
    o.conn.execute(text(f'SET LOCAL ROLE "{role}"'))
    with pytest.raises(ProgrammingError) as failed:
        o.conn.execute(text(sql) if isinstance(sql, str) else sql)
    assert isinstance(failed.value.orig, psycopg.errors.InsufficientPrivilege)
    o.conn.execute(text("ROLLBACK TO SAVEPOINT attack"))


def test_a_rep_cannot_read_or_touch_another_reps_private_task(office: SimpleNamespace) -> None:
    o = office
    assert as_role(o.conn, o.rep, "SELECT id FROM tasks", keep=True) == set()
    assert as_role(o.conn, o.rep, "UPDATE tasks SET title = 'x' RETURNING id", keep=False) == set()
    assert as_role(o.conn, o.rep, "SELECT task_id FROM task_subtasks UNION SELECT task_id FROM task_comments",
                   keep=True) == set()
    assert as_role(o.conn, o.colleague, "SELECT id FROM tasks", keep=True) == {o.task}
    assert as_role(o.conn, o.boss, "SELECT id FROM tasks", keep=True) == {o.task}
    # Nor make it visible by joining it, linking it to one's own customer or commenting on it.
    refused(o, o.rep, f"INSERT INTO activity_participants (kind, activity_id, user_id) VALUES ('task', {o.task}, {o.a})")
    refused(o, o.rep, f"INSERT INTO activity_links (kind, activity_id, entity, record_id) "
                      f"VALUES ('task', {o.task}, 'customer', {o.customer})")
    refused(o, o.rep, f"INSERT INTO task_comments (task_id, author_id, body, mentions, created_at) "
                      f"VALUES ({o.task}, {o.a}, 'hi', '[]', now())")
    # Nor create a task in someone else's name, or give one to someone outside the scope.
    def new_task(owner: int, creator: int) -> Executable:
        return Task.__table__.insert().values(title="t", owner_id=owner, creator_id=creator, custom={})

    refused(o, o.rep, new_task(o.a, o.b))
    refused(o, o.rep, new_task(o.b, o.a))
    o.conn.execute(text("SAVEPOINT mine"))
    o.conn.execute(text(f'SET LOCAL ROLE "{o.rep}"'))
    o.conn.execute(new_task(o.a, o.a))  # for oneself: allowed
    o.conn.execute(text("ROLLBACK TO SAVEPOINT mine"))


def test_a_link_shows_a_task_only_while_its_record_is_live(office: SimpleNamespace) -> None:
    """A rep sees a colleague's task about the rep's own customer, not once it is in the bin
    (visible_filter of the linked record)."""
    o = office
    o.conn.execute(ActivityLink.__table__.insert().values(kind="task", activity_id=o.task, entity="customer",
                                                         record_id=o.customer))
    assert as_role(o.conn, o.rep, "SELECT id FROM tasks", keep=True) == {o.task}
    assert as_role(o.conn, o.rep, "UPDATE tasks SET title = title RETURNING id", keep=False) == set()  # sees, not edits
    o.conn.execute(text(f"UPDATE customers SET deleted_at = now() WHERE id = {o.customer}"))
    assert as_role(o.conn, o.rep, "SELECT id FROM tasks", keep=True) == set()


def test_a_work_log_cannot_be_written_as_someone_else(office: SimpleNamespace) -> None:
    o = office
    insert = ("INSERT INTO work_logs (author_id, kind, day, done_text, plan_text, created_at, updated_at) "
              "VALUES ({author}, 'daily', '2026-03-03', 'x', '', now(), now()) RETURNING id")
    refused(o, o.rep, insert.format(author=o.b))
    assert len(as_role(o.conn, o.rep, insert.format(author=o.a), keep=False)) == 1  # one's own
    assert as_role(o.conn, o.rep, "SELECT id FROM work_logs", keep=True) == set()
    assert as_role(o.conn, o.boss, "SELECT id FROM work_logs", keep=True) == {o.log}  # the super administrator
    # The author rewrites and bins it, never hands it to someone else; no one deletes it.
    assert as_role(o.conn, o.colleague, "UPDATE work_logs SET deleted_at = now() RETURNING id", keep=False) == {o.log}
    assert as_role(o.conn, o.boss, "UPDATE work_logs SET done_text = 'x' RETURNING id", keep=False) == set()
    refused(o, o.colleague, f"UPDATE work_logs SET author_id = {o.a}")
    refused(o, o.colleague, "DELETE FROM work_logs")
    refused(o, o.rep, f"INSERT INTO work_log_comments (log_id, author_id, body, created_at) "
                      f"VALUES ({o.log}, {o.a}, 'x', now())")


def test_another_importers_batch_rows_mappings_and_reminders_stay_theirs(office: SimpleNamespace) -> None:
    o = office
    for sql in ("SELECT id FROM import_batches", "SELECT batch_id FROM import_batch_rows",
                "SELECT user_id FROM import_mappings", "SELECT user_id FROM reminders_shown"):
        assert as_role(o.conn, o.rep, sql, keep=True) == set(), sql
    assert as_role(o.conn, o.rep, "DELETE FROM import_batch_rows RETURNING batch_id", keep=False) == set()
    assert as_role(o.conn, o.colleague, "SELECT batch_id FROM import_batch_rows", keep=True) == {o.batch}
    # The super administrator sees and may undo any import, not others' mappings or reminders.
    assert as_role(o.conn, o.boss, "DELETE FROM import_batch_rows RETURNING batch_id", keep=False) == {o.batch}
    assert as_role(o.conn, o.boss, "SELECT user_id FROM reminders_shown", keep=True) == set()
    refused(o, o.rep, f"INSERT INTO import_batch_rows (batch_id, entity, record_id, action, source_row, version) "
                      f"VALUES ({o.batch}, 'customer', {o.customer}, 'create', 0, 1)")
    refused(o, o.rep, ImportBatch.__table__.insert().values(entity="customer", actor_id=o.b, options={}))
    refused(o, o.rep, f"INSERT INTO reminders_shown (user_id, source, item_id, occurrence, offset_minutes, shown_at) "
                      f"VALUES ({o.b}, 'task', 1, now(), 0, now())")


@pytest.mark.parametrize("attack", [
    ("INSERT INTO dashboard_rollup (measure, grain, day, owner_id, status, stage_id, record_count, amount_cents) "
     "VALUES ('customer_created', 'd', '2026-03-02', 1, '', 0, 1000, 0)"),
    "UPDATE dashboard_rollup SET record_count = record_count + 1",
    "DELETE FROM dashboard_rollup",
])
def test_the_dashboard_rollup_cannot_be_written(office: SimpleNamespace, attack: str) -> None:
    refused(office, office.boss, attack)
    refused(office, office.rep, attack)
