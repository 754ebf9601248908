"""Property (the style of test_scope_property): for random organisations, roles, teams and
tasks / events with owners, participants and related customers, what each user can open is
exactly what a plain reference model allows — the owner inside the user's scope on tasks /
events, taking part, or seeing the related customer — on SQLite and PostgreSQL, through the
detail read, the calendar and the customer's timeline. Work logs: readable by their author and
everyone above the author in the superior chain, through the list, the detail read and the
timeline."""
from __future__ import annotations

import datetime as dt

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from crm_desktop.db import Database
from crm_desktop.models import (
    ActivityLink,
    ActivityParticipant,
    Role,
    RoleDataScope,
    RoleScopeDepartment,
    RolePermission,
    ScheduleEvent,
    Task,
    WorkLog,
    WorkLogComment,
    utcnow,
)
from crm_desktop.services.activities.schedule import get_event, occurrences
from crm_desktop.services.activities.tasks import get_task
from crm_desktop.services.activities.timeline import timeline
from crm_desktop.services.activities.workbench import bucket_counts, list_bucket
from crm_desktop.services.activities.worklogs import get_log, list_logs
from crm_desktop.services.errors import NotFound
from crm_desktop.services.org.actor import load_actor
from tests.test_scope_property import (
    World,
    build,
    reference_owners,
    reference_visible,
    worlds,
)

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


def reference_activity(w: World, u: int, owner: int, participants: set[int], linked: bool, rec: int,
                       deleted: bool) -> bool:
    return not deleted and (owner in reference_owners(w, u) or u in participants
                            or (linked and rec in reference_visible(w, u)))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(w=worlds(), data=st.data())
def test_tasks_and_events_visible_as_the_reference_model_says(db: Database, w: World, data: st.DataObject) -> None:
    with db.sessions.begin() as s:  # the previous example's activities hold its users
        for table in (WorkLogComment, WorkLog, ActivityLink, ActivityParticipant, Task, ScheduleEvent):
            s.execute(delete(table))
    user_ids, record_ids = build(db, w)
    n_users, n_rec = len(user_ids), len(record_ids)
    # Each record index i gets task i and event i: an owner, participants, maybe the customer.
    owners = [data.draw(st.integers(0, n_users - 1)) for _ in range(n_rec)]
    parts = [data.draw(st.sets(st.integers(0, n_users - 1), max_size=2)) for _ in range(n_rec)]
    linked = [data.draw(st.booleans()) for _ in range(n_rec)]
    gone = [data.draw(st.booleans()) and data.draw(st.booleans()) for _ in range(n_rec)]
    task_ids: list[int] = []
    event_ids: list[int] = []
    with db.sessions.begin() as s:
        for role in s.scalars(select(Role)):
            row = next(x for x in role.scopes if x.module == "customer")
            for module in ("task", "event"):  # a custom scope: with the same departments
                s.add(RoleDataScope(role_id=role.id, module=module, scope=row.scope, departments=[
                    RoleScopeDepartment(department_id=d.department_id) for d in row.departments]))
                s.add(RolePermission(role_id=role.id, module=module, action="view"))
            s.add(RolePermission(role_id=role.id, module="followup", action="view"))
        for i in range(n_rec):
            uid = user_ids[owners[i]]
            t = Task(title=f"t{i}", owner_id=uid, creator_id=uid, custom={}, tags=[],
                     deleted_at=utcnow() if gone[i] else None)
            e = ScheduleEvent(title=f"e{i}", owner_id=uid, creator_id=uid, custom={}, exdates=[], reminders=[],
                              start_at=T0 + dt.timedelta(hours=i), end_at=T0 + dt.timedelta(hours=i, minutes=30),
                              repeat_end=T0 + dt.timedelta(hours=i, minutes=30),
                              deleted_at=utcnow() if gone[i] else None)
            s.add_all([t, e])
            s.flush()
            task_ids.append(t.id)
            event_ids.append(e.id)
            for kind, aid in (("task", t.id), ("event", e.id)):
                s.add_all(ActivityParticipant(kind=kind, activity_id=aid, user_id=user_ids[p]) for p in parts[i])
                if linked[i]:
                    s.add(ActivityLink(kind=kind, activity_id=aid, entity="customer", record_id=record_ids[i]))
    for u, uid in enumerate(user_ids):
        with db.sessions() as s:
            actor = load_actor(s, uid)
        expected = {i for i in range(n_rec)
                    if reference_activity(w, u, owners[i], parts[i], linked[i], i, gone[i])}
        for i in range(n_rec):
            where = f"user {u}, activity {i}"
            try:
                assert get_task(db, actor, task_ids[i]).id == task_ids[i] and i in expected, where
            except NotFound:
                assert i not in expected, where
            try:
                assert get_event(db, actor, event_ids[i]).id == event_ids[i] and i in expected, where
            except NotFound:
                assert i not in expected, where
        # The workbench (no due dates: the inbox): my own tasks and those I take part in.
        day = T0.date()
        assert {r.id for r in list_bucket(db, actor, "inbox", today=day)} == {
            task_ids[i] for i in range(n_rec) if owners[i] == u and not gone[i]}, f"user {u}, mine"
        assert {r.id for r in list_bucket(db, actor, "inbox", today=day, role="involved")} == {
            task_ids[i] for i in range(n_rec) if u in parts[i] and not gone[i]}, f"user {u}, involved"
        assert bucket_counts(db, actor, today=day)["inbox"] == sum(
            1 for i in range(n_rec) if owners[i] == u and not gone[i]), f"user {u}, count"
        listed = {o.event_id for o in occurrences(db, actor, T0 - dt.timedelta(days=1), T0 + dt.timedelta(days=2))}
        assert listed == {event_ids[i] for i in expected}, f"user {u}, calendar"
        for i in reference_visible(w, u):  # the customers the user sees: their timelines
            shown = {(x.kind, x.item_id) for x in timeline(db, actor, "customer", record_ids[i])}
            want = {("task", task_ids[i]), ("event", event_ids[i])} if linked[i] and i in expected else set()
            assert shown == want, f"user {u}, timeline of {i}"


def reference_chain(w: World, u: int) -> set[int]:
    """User ``u`` and everyone below them in the superior chain."""
    out = {u}
    while True:
        grown = {v for v, sup in enumerate(w.user_superior) if sup in out} - out
        if not grown:
            return out
        out |= grown


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(w=worlds(), data=st.data())
def test_work_logs_readable_up_the_superior_chain(db: Database, w: World, data: st.DataObject) -> None:
    with db.sessions.begin() as s:
        for table in (WorkLogComment, WorkLog, ActivityLink, ActivityParticipant, Task, ScheduleEvent):
            s.execute(delete(table))
    user_ids, record_ids = build(db, w)
    n_rec = len(record_ids)
    authors = [data.draw(st.integers(0, len(user_ids) - 1)) for _ in range(n_rec)]
    gone = [data.draw(st.booleans()) and data.draw(st.booleans()) for _ in range(n_rec)]
    day = T0.date()
    log_ids: list[int] = []
    with db.sessions.begin() as s:
        for i in range(n_rec):  # log i is about customer i
            log = WorkLog(author_id=user_ids[authors[i]], kind="daily", day=day - dt.timedelta(days=i),
                          done_text=f"log {i}", plan_text="", deleted_at=utcnow() if gone[i] else None)
            s.add(log)
            s.flush()
            log_ids.append(log.id)
            s.add(ActivityLink(kind="log", activity_id=log.id, entity="customer", record_id=record_ids[i]))
    for u, uid in enumerate(user_ids):
        with db.sessions() as s:
            actor = load_actor(s, uid)
        expected = {i for i in range(n_rec) if not gone[i] and authors[i] in reference_chain(w, u)}
        listed = {x.id for x in list_logs(db, actor, since=day - dt.timedelta(days=n_rec), until=day)}
        assert listed == {log_ids[i] for i in expected}, f"user {u}, list"
        for i in range(n_rec):
            try:
                assert get_log(db, actor, log_ids[i]).id == log_ids[i] and i in expected, f"user {u}, log {i}"
            except NotFound:
                assert i not in expected, f"user {u}, log {i}"
        for i in reference_visible(w, u):  # the customers the user sees: the logs on their timelines
            shown = {x.item_id for x in timeline(db, actor, "customer", record_ids[i], kinds=("log",))}
            assert shown == ({log_ids[i]} if i in expected else set()), f"user {u}, timeline of {i}"
