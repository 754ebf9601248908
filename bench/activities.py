"""Tasks and schedule benchmark (issue 16): the service path against the same reads written in
raw SQL, in the same run.

    python bench/activities.py [--database URL] [--tasks 100000] [--events 50000] [--repeating 1000]
                               [--users 50] [--runs 100] [--keep DIR]

Prints ``<measure> ours_ms=<x> ref_ms=<y> ratio=<x/y>`` (medians, run alternately). Without
--database a SQLite file is built in a temporary folder (or reused with --keep DIR); a
--database must be an empty, migrated or new database.

Measures:

- ``task_bucket_today``: a sales rep's "today" bucket of their own tasks (title, priority,
  due, owner name, subtask counts, tags), through ``workbench.list_bucket`` — permission,
  the visibility clause (scope, participants, related records' scope) — against one raw
  statement on the owner's open tasks due today.
- ``calendar_month_manager``: the month view of a manager whose scope is "self and
  subordinates": every visible event of the month, repeating ones expanded for the window
  (``schedule.occurrences``), against raw SQL for the chain's events in the window expanded by
  the same ``recurrence.expand`` (what any implementation must do with an RRULE).
- ``timeline_customer``: one customer's timeline (follow-ups, tasks, events, approvals, work
  logs, newest first) through ``timeline.timeline`` against a raw UNION of the five.

Under load (other processes on the cores) the wall clock waits for a core; stderr also gets
this process's CPU time of both sides (``# cpu ours_ms=… ref_ms=…``: SQLite runs in-process,
so on SQLite that is the work done).
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402

from crm_desktop.bootstrap import bootstrap  # noqa: E402
from crm_desktop.db import Database  # noqa: E402
from crm_desktop.models import (  # noqa: E402
    ActivityLink,
    ActivityParticipant,
    Customer,
    FollowUp,
    Role,
    RoleDataScope,
    RolePermission,
    ScheduleEvent,
    Task,
    TaskSubtask,
    User,
)
from crm_desktop.services.activities import recurrence  # noqa: E402
from crm_desktop.services.activities.common import zone  # noqa: E402
from crm_desktop.services.activities.schedule import occurrences  # noqa: E402
from crm_desktop.services.activities.timeline import timeline  # noqa: E402
from crm_desktop.services.activities.workbench import list_bucket  # noqa: E402
from crm_desktop.services.org import auth  # noqa: E402
from crm_desktop.services.org.actor import Actor, load_actor  # noqa: E402

# The same raw-driver reference as the list benchmark (this folder is on the path).
from lists import raw  # noqa: E402

TZ = zone("Asia/Shanghai")
TODAY = dt.date(2026, 3, 16)
CUSTOMERS = 5000
TEAM = 10  # the manager's direct reports

CHAIN = """
WITH RECURSIVE chain(id) AS (
    SELECT id FROM users WHERE id = :me
    UNION SELECT u.id FROM users u JOIN chain ON u.superior_id = chain.id
)"""

BUCKET_SQL = """
SELECT t.id, t.title, t.priority, t.due_date, t.due_at, t.done, t.owner_id, u.name, t.tags,
       (SELECT count(*) FROM task_subtasks s WHERE s.task_id = t.id AND s.done),
       (SELECT count(*) FROM task_subtasks s WHERE s.task_id = t.id), t.version
FROM tasks t JOIN users u ON u.id = t.owner_id
WHERE t.owner_id = :me AND t.done = :no AND t.due_date = :today AND t.deleted_at IS NULL
ORDER BY CASE t.priority WHEN 'high' THEN 0 WHEN 'medium' THEN 1 WHEN 'low' THEN 2 ELSE 3 END, t.due_date, t.due_at, t.id
LIMIT 500
"""

MONTH_SQL = f"""{CHAIN}
SELECT e.id, e.title, e.start_at, e.end_at, e.all_day, e.location, e.kind, e.colour, e.owner_id, e.rrule, e.tz,
       e.exdates, e.reminders
FROM schedule_events e
WHERE e.start_at < :hi AND (e.repeat_end IS NULL OR e.repeat_end > :lo OR e.start_at >= :lo)
  AND e.deleted_at IS NULL
  AND (e.owner_id IN (SELECT id FROM chain)
       OR e.id IN (SELECT activity_id FROM activity_participants WHERE kind = 'event' AND user_id = :me)
       OR e.id IN (SELECT l.activity_id FROM activity_links l JOIN customers c ON c.id = l.record_id
                   WHERE l.kind = 'event' AND l.entity = 'customer' AND c.deleted_at IS NULL
                     AND c.owner_id IN (SELECT id FROM chain)))
"""

TIMELINE_SQL = """
SELECT 'followup', f.id, f.followed_at AS at, f.content, u.name FROM followups f JOIN users u ON u.id = f.owner_id
 WHERE f.target_entity = 'customer' AND f.target_id = :cid AND f.deleted_at IS NULL
UNION ALL
SELECT 'task', t.id, COALESCE(t.done_at, t.created_at), t.title, u.name FROM tasks t JOIN users u ON u.id = t.owner_id
 WHERE t.deleted_at IS NULL AND t.id IN (SELECT activity_id FROM activity_links
                                         WHERE kind = 'task' AND entity = 'customer' AND record_id = :cid)
UNION ALL
SELECT 'event', e.id, e.start_at, e.title, u.name FROM schedule_events e JOIN users u ON u.id = e.owner_id
 WHERE e.deleted_at IS NULL AND e.id IN (SELECT activity_id FROM activity_links
                                         WHERE kind = 'event' AND entity = 'customer' AND record_id = :cid)
UNION ALL
SELECT 'approval', a.id, a.created_at, a.flow_name, u.name FROM approval_instances a JOIN users u ON u.id = a.submitter_id
 WHERE a.entity = 'customer' AND a.record_id = :cid
UNION ALL
SELECT 'log', w.id, w.created_at, w.done_text, u.name FROM work_logs w JOIN users u ON u.id = w.author_id
 WHERE w.deleted_at IS NULL AND w.id IN (SELECT activity_id FROM activity_links
                                         WHERE kind = 'log' AND entity = 'customer' AND record_id = :cid)
ORDER BY 3 DESC
"""


def stamp(db: Database, moment: dt.datetime) -> Any:
    """A UTC moment as the raw driver compares it with the stored column."""
    utc = moment.astimezone(dt.UTC)
    return utc.replace(tzinfo=None).isoformat(sep=" ") if db.backend == "sqlite" else utc


def build(db: Database, args: argparse.Namespace) -> tuple[Actor, Actor, int]:
    """The organisation and the data; returns (a rep, the manager, a busy customer)."""
    rng = random.Random(16)
    admin = auth.setup_company(db, company="基准测试公司", admin_name="管理员", admin_mobile="13800000000",
                               password="admin1234")
    t0 = time.perf_counter()
    with db.sessions.begin() as s:
        role = Role(name="销售", description="", is_super=False,
                    permissions=[RolePermission(module=m, action=a) for m in ("task", "event", "customer", "followup")
                                 for a in ("view", "create", "edit")],
                    scopes=[RoleDataScope(module=m, scope="self_and_subordinates")
                            for m in ("task", "event", "customer", "followup")])
        s.add(role)
        s.flush()
        dept = s.scalar(select(User.department_id).where(User.id == admin.user_id))
        users = [User(mobile=f"1390000{i:04d}", name=f"员工{i:02d}", password_hash="x", department_id=dept,
                      roles=[role]) for i in range(args.users - 1)]
        s.add_all(users)
        s.flush()
        manager = users[0]
        for i, user in enumerate(users[1:], start=1):
            # The manager's team, then small teams of five under the other leads.
            user.superior_id = manager.id if i <= TEAM else users[TEAM + 1 + ((i - TEAM - 1) // 5) * 5].id \
                if i > TEAM + 1 + ((i - TEAM - 1) // 5) * 5 else None
        ids = [u.id for u in users]
        now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
        s.execute(insert(Customer), [
            {"name": f"客户{i:05d}", "owner_id": rng.choice(ids), "creator_id": admin.user_id, "custom": {},
             "normalized_name": f"客户{i:05d}", "created_at": now, "updated_at": now, "version": 1}
            for i in range(CUSTOMERS)])
        customer_ids = list(s.scalars(select(Customer.id)))
        busy = customer_ids[0]
        s.execute(insert(FollowUp), [
            {"target_entity": "customer", "target_id": busy if i < 30 else rng.choice(customer_ids),
             "kind": "phone", "content": f"跟进 {i}", "owner_id": rng.choice(ids), "creator_id": admin.user_id,
             "custom": {}, "followed_at": now - dt.timedelta(hours=i), "created_at": now, "updated_at": now,
             "version": 1} for i in range(20000)])
        rows = []
        for i in range(args.tasks):
            owner = rng.choice(ids)
            roll = rng.random()
            due = None if roll < 0.15 else TODAY + dt.timedelta(days=rng.randint(-60, 60))
            done = rng.random() < 0.3
            rows.append({"title": f"任务 {i}", "description": "", "priority": rng.choice(("high", "medium", "low", "none")),
                         "tags": [], "due_date": due, "done": done, "done_at": now if done else None,
                         "owner_id": owner, "creator_id": owner, "custom": {}, "created_at": now - dt.timedelta(
                             minutes=i), "updated_at": now, "version": 1})
        for chunk in range(0, len(rows), 10000):
            s.execute(insert(Task), rows[chunk:chunk + 10000])
        task_ids = list(s.scalars(select(Task.id)))
        s.execute(insert(TaskSubtask), [{"task_id": t, "title": "子任务", "done": rng.random() < 0.5, "sort_order": 0}
                                        for t in rng.sample(task_ids, len(task_ids) // 5)])
        links = [{"kind": "task", "activity_id": t, "entity": "customer",
                  "record_id": busy if n < 40 else rng.choice(customer_ids)}
                 for n, t in enumerate(rng.sample(task_ids, len(task_ids) * 3 // 10))]
        parts = [{"kind": "task", "activity_id": t, "user_id": rng.choice(ids)}
                 for t in rng.sample(task_ids, len(task_ids) // 10)]
        rows = []
        for i in range(args.events):
            owner = rng.choice(ids)
            repeating = i < args.repeating
            start = dt.datetime.combine(TODAY + dt.timedelta(days=rng.randint(-365 if repeating else -180, 180)),
                                        dt.time(rng.randint(8, 18)), tzinfo=TZ).astimezone(dt.UTC)
            rule = rng.choice(("FREQ=WEEKLY;BYDAY=MO", "FREQ=DAILY", "FREQ=MONTHLY", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH")) \
                if repeating else ""
            end = start + dt.timedelta(hours=1)
            rows.append({"title": f"日程 {i}", "description": "", "location": "", "kind": "meeting",
                         "colour": "#3b82f6", "start_at": start, "end_at": end, "all_day": False,
                         "tz": "Asia/Shanghai", "rrule": rule, "repeat_end": None if repeating else end, "exdates": [],
                         "reminders": [15], "owner_id": owner, "creator_id": owner, "custom": {}, "created_at": now,
                         "updated_at": now, "version": 1})
        for chunk in range(0, len(rows), 10000):
            s.execute(insert(ScheduleEvent), rows[chunk:chunk + 10000])
        event_ids = list(s.scalars(select(ScheduleEvent.id)))
        links += [{"kind": "event", "activity_id": e, "entity": "customer",
                   "record_id": busy if n < 20 else rng.choice(customer_ids)}
                  for n, e in enumerate(rng.sample(event_ids, len(event_ids) * 3 // 10))]
        parts += [{"kind": "event", "activity_id": e, "user_id": rng.choice(ids)}
                  for e in rng.sample(event_ids, len(event_ids) // 10)]
        for chunk in range(0, len(links), 10000):
            s.execute(insert(ActivityLink), links[chunk:chunk + 10000])
        s.execute(insert(ActivityParticipant), [dict(p) for p in {(p["activity_id"], p["user_id"]): p
                                                                   for p in parts}.values()])
        # The rep: one of the manager's team with the most tasks due today.
        rep_id = s.scalar(select(Task.owner_id).where(Task.due_date == TODAY, Task.done.is_(False),
                                                      Task.owner_id.in_(ids[1:TEAM + 1]))
                          .group_by(Task.owner_id).order_by(func.count().desc()).limit(1))
        manager_id = manager.id
    if db.backend == "postgresql":
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    else:
        with db.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
    print(f"# built {args.tasks} tasks, {args.events} events in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    with db.sessions() as s:
        return load_actor(s, rep_id or ids[1]), load_actor(s, manager_id), busy


def paired_ms(ours: Any, ref: Any, runs: int) -> tuple[float, float]:
    """Medians of ours and the reference, run alternately (a burst of load slows both alike);
    the CPU-time medians of both go to stderr."""
    ours()
    ref()  # warm both once
    wall: dict[str, list[float]] = {"ours": [], "ref": []}
    cpu: dict[str, list[float]] = {"ours": [], "ref": []}
    for _ in range(runs):
        for name, fn in (("ours", ours), ("ref", ref)):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            wall[name].append((time.perf_counter() - t0) * 1000)
            cpu[name].append((time.process_time() - c0) * 1000)
    print(f"# cpu ours_ms={statistics.median(cpu['ours']):.2f} ref_ms={statistics.median(cpu['ref']):.2f}",
          file=sys.stderr)
    return statistics.median(wall["ours"]), statistics.median(wall["ref"])


def report(measure: str, ours_ms: float, ref_ms: float) -> None:
    print(f"{measure} ours_ms={ours_ms:.2f} ref_ms={ref_ms:.2f} ratio={ours_ms / ref_ms:.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database")
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--repeating", type=int, default=1000)
    parser.add_argument("--users", type=int, default=50)
    # 100 pairs: two of the measures take tens of microseconds, where the median of 15 moved
    # by a tenth of the ratio between runs of the same build (1.67-2.06 for the bucket).
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--keep")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="crm-bench-activities-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "activities.sqlite3"
    reuse = not args.database and path.exists() and (folder / "ids.json").exists()
    url = args.database or f"sqlite:///{path}"
    db = bootstrap(url, create=not args.database and not reuse)
    if reuse:  # --keep DIR: the data built last time
        ids = json.loads((folder / "ids.json").read_text())
        with db.sessions() as s:
            rep, manager = load_actor(s, ids["rep"]), load_actor(s, ids["manager"])
        busy = ids["busy"]
    else:
        rep, manager, busy = build(db, args)
        (folder / "ids.json").write_text(json.dumps({"rep": rep.user_id, "manager": manager.user_id, "busy": busy}))

    rows = list_bucket(db, rep, "today", today=TODAY)
    ref_bucket = raw(db, BUCKET_SQL, me=rep.user_id, no=False, today=TODAY.isoformat()
                     if db.backend == "sqlite" else TODAY)
    assert len(rows) == len(ref_bucket()) > 0, (len(rows), len(ref_bucket()))
    report("task_bucket_today", *paired_ms(lambda: list_bucket(db, rep, "today", today=TODAY), ref_bucket, args.runs))

    lo = dt.datetime.combine(TODAY.replace(day=1) - dt.timedelta(days=6), dt.time(), tzinfo=TZ).astimezone(dt.UTC)
    hi = lo + dt.timedelta(days=42)
    month_rows = raw(db, MONTH_SQL, me=manager.user_id, lo=stamp(db, lo), hi=stamp(db, hi))

    def ref_month() -> int:
        count = 0
        for r in month_rows():
            start, end = r[2], r[3]
            if isinstance(start, str):
                start = dt.datetime.fromisoformat(start).replace(tzinfo=dt.UTC)
                end = dt.datetime.fromisoformat(end).replace(tzinfo=dt.UTC)
            if r[9]:
                count += len(recurrence.expand(r[9], start, TZ, end - start, (lo, hi)))
            else:
                count += 1
        return count

    ours_month = occurrences(db, manager, lo, hi)
    assert len(ours_month) == ref_month(), (len(ours_month), ref_month())
    print(f"# month view: {len(ours_month)} occurrences", file=sys.stderr)
    report("calendar_month_manager", *paired_ms(lambda: occurrences(db, manager, lo, hi), ref_month, args.runs))

    ref_timeline = raw(db, TIMELINE_SQL, cid=busy)
    admin_like = manager  # the customer's owner may be anyone: the manager sees the team's
    with db.sessions() as s:
        owner = s.scalar(select(Customer.owner_id).where(Customer.id == busy))
        viewer = load_actor(s, owner)
    ours_t = timeline(db, viewer, "customer", busy)
    print(f"# timeline: {len(ours_t)} items (raw {len(ref_timeline())})", file=sys.stderr)
    del admin_like
    report("timeline_customer", *paired_ms(lambda: timeline(db, viewer, "customer", busy), ref_timeline, args.runs))
    db.dispose()


if __name__ == "__main__":
    main()
