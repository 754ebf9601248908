"""The task workbench: buckets (inbox, today, next 7 days, later, overdue, done) of the tasks
I own, I assigned to others, or I take part in, with their counts.

Thread rule: any thread. Every read applies ``task_visible`` (the one visibility clause; for
my own tasks and those I take part in, its exact reduction ``_role_visible``) and needs task
"view". "Today" is a local day the caller passes (the clock is injected).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    ColumnElement,
    Date,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    or_,
    select,
)

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import ActivityParticipant, Task, TaskSubtask, User
from crm_desktop.services.activities.common import (
    dto_maker,
    fetch_driver_rows,
    same,
)
from crm_desktop.services.activities.visibility import statement_for
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.org.scope import unindexed
from crm_desktop.services.uow import kept_read, read_only

if TYPE_CHECKING:
    from crm_desktop.db import Database

BUCKETS = ("inbox", "today", "next", "later", "overdue", "done")
BUCKET_LABELS: dict[str, str] = {
    "inbox": QT_TRANSLATE_NOOP("tasks", "Inbox"), "today": QT_TRANSLATE_NOOP("tasks", "Today"),
    "next": QT_TRANSLATE_NOOP("tasks", "Next 7 days"), "later": QT_TRANSLATE_NOOP("tasks", "Later"),
    "overdue": QT_TRANSLATE_NOOP("tasks", "Overdue"), "done": QT_TRANSLATE_NOOP("tasks", "Done"),
}
ROLES = ("mine", "assigned", "involved")
ROLE_LABELS: dict[str, str] = {
    "mine": QT_TRANSLATE_NOOP("tasks", "Mine"), "assigned": QT_TRANSLATE_NOOP("tasks", "I assigned"),
    "involved": QT_TRANSLATE_NOOP("tasks", "I take part in"),
}
DONE_LIMIT = 200


@dataclass(frozen=True)
class TaskRow:
    id: int
    title: str
    priority: str
    due_date: dt.date | None
    due_at: dt.datetime | None
    done: bool
    owner_id: int
    owner_name: str
    tags: tuple[str, ...]
    subtasks_done: int
    subtasks_total: int
    version: int


_make_row = dto_maker(TaskRow)  # TaskRow(...) without a frozen __init__'s cost per field


def _role_clause(actor: Actor, role: str) -> ColumnElement[bool]:
    if role == "mine":
        return Task.owner_id == actor.user_id
    if role == "assigned":
        return and_(Task.creator_id == actor.user_id, Task.owner_id != actor.user_id)
    if role == "involved":
        return Task.id.in_(select(ActivityParticipant.activity_id).where(
            ActivityParticipant.kind == "task", ActivityParticipant.user_id == actor.user_id))
    raise ValidationError({"role": QT_TRANSLATE_NOOP("errors", "Unknown field.")})


def own_or_involved(actor: Actor) -> ColumnElement[bool]:
    """Tasks the actor owns or takes part in (the to-do strip's tasks)."""
    return or_(_role_clause(actor, "mine"), _role_clause(actor, "involved"))


_TODAY = bindparam("today", type_=Date())
_WEEK = bindparam("week", type_=Date())


def bucket_params(today: dt.date) -> dict[str, dt.date]:
    """The values of ``bucket_clause``'s bound parameters on ``today``."""
    return {"today": today, "week": today + dt.timedelta(days=7)}


def bucket_clause(bucket: str, today: Any = _TODAY) -> ColumnElement[bool]:
    """The tasks of ``bucket`` (the one definition the list and counts share); by default on
    the bound day "today" (``bucket_params``), or on a given ``today``."""
    open_ = Task.done.is_(False)
    week = today + dt.timedelta(days=7) if isinstance(today, dt.date) else _WEEK
    clauses: dict[str, ColumnElement[bool]] = {
        "inbox": and_(open_, Task.due_date.is_(None)),
        "today": and_(open_, Task.due_date == today),
        "next": and_(open_, Task.due_date > today, Task.due_date <= week),
        "later": and_(open_, Task.due_date > week),
        "overdue": and_(open_, Task.due_date < today),
        "done": Task.done.is_(True),
    }
    try:
        return clauses[bucket]
    except KeyError:
        raise ValidationError({"bucket": QT_TRANSLATE_NOOP("errors", "Unknown field.")}) from None


def _role_visible(visible: ColumnElement[bool], role: str) -> ColumnElement[bool]:
    """The visibility test a role's tasks still need. The tasks I own are inside every data
    scope (each scope covers its holder's own records) and the tasks I take part in are
    visible by taking part: for "mine" and "involved" the one visibility clause reduces to
    "not in the recycle bin" — the same rows, without its OR of subqueries, which cost more
    than the bucket's own query. Tasks I assigned to others need the whole clause."""
    return visible if role == "assigned" else unindexed(Task.deleted_at).is_(None)


def _bucket_statement(visible: ColumnElement[bool], actor: Actor, bucket: str, role: str, limit: int) -> Any:
    # Subtask counts per row (a bucket holds a few dozen): not an aggregate over all subtasks.
    total = select(func.count()).where(TaskSubtask.task_id == Task.id).correlate(Task).scalar_subquery()
    finished = (select(func.count()).where(TaskSubtask.task_id == Task.id, TaskSubtask.done.is_(True))
                .correlate(Task).scalar_subquery())
    # The ranks are constants in the SQL text: as bound values they were eight parameters
    # more to bind on every read of a kept statement.
    rank = case(*((Task.priority == literal_column(f"'{p}'"), literal_column(str(n)))
                  for p, n in (("high", 0), ("medium", 1), ("low", 2))), else_=literal_column("3"))
    order = ((Task.done_at.desc(), Task.id.desc()) if bucket == "done"
             else (rank, Task.due_date, Task.due_at, Task.id))
    return (select(Task.id, Task.title, Task.priority, Task.due_date, Task.due_at, Task.done, Task.owner_id,
                   User.name, Task.tags, finished, total, Task.version)
            .join(User, User.id == Task.owner_id)
            .where(_role_visible(visible, role), _role_clause(actor, role), bucket_clause(bucket))
            .order_by(*order).limit(min(limit, DONE_LIMIT) if bucket == "done" else limit))


def list_bucket(db: Database, actor: Actor, bucket: str, *, today: dt.date, role: str = "mine",
                limit: int = 500) -> list[TaskRow]:
    """The tasks in ``bucket`` for ``role``: high priority first, then by due moment."""
    with kept_read(db, actor) as (connection, fresh):
        require(fresh, "task", "view")
        stmt = statement_for(f"bucket:{bucket}:{role}:{limit}", "task", fresh,
                             lambda visible: _bucket_statement(visible, fresh, bucket, role, limit))
        rows, converters = fetch_driver_rows(connection, stmt, bucket_params(today))
    # One pass from the driver's row to the dataclass; the values are the fields' types
    # already (a boolean, counts as int) but for the tags list, which becomes a tuple (most
    # tasks have none: SQLite's "[]" is the empty tuple without the JSON converter).
    day, moment, flag, listed = (c or same for c in (converters[3], converters[4], converters[5], converters[8]))
    return [_make_row(task_id, title, priority, None if due is None else day(due), None if at is None else moment(at),
                      flag(done), owner_id, owner, () if tags is None or tags == "[]" else tuple(listed(tags) or ()),
                      finished, total, version)
            for task_id, title, priority, due, at, done, owner_id, owner, tags, finished, total, version in rows]


def bucket_counts(db: Database, actor: Actor, *, today: dt.date, role: str = "mine") -> dict[str, int]:
    """How many tasks each bucket holds (done: all finished ones), in one query."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "task", "view")

        def build(visible: ColumnElement[bool]) -> Any:
            columns = [func.sum(case((bucket_clause(b), 1), else_=0)) for b in BUCKETS]
            return select(*columns).where(_role_visible(visible, role), _role_clause(uow.actor, role))

        stmt = statement_for(f"counts:{role}", "task", uow.actor, build)
        row = uow.session.connection().execute(stmt, bucket_params(today)).one()
        return {b: int(v or 0) for b, v in zip(BUCKETS, row)}


__all__: Sequence[str] = ["BUCKETS", "BUCKET_LABELS", "ROLES", "ROLE_LABELS", "TaskRow", "bucket_clause",
                          "bucket_counts", "list_bucket", "own_or_involved"]
