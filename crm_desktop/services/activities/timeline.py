"""One record's activity timeline (跟进记录 gathered): its follow-ups, tasks, schedule events,
approvals and work logs, newest first, filterable by kind.

Promises (thread rule: any thread): the record must be visible to the actor (else NotFound,
like a missing one); each kind is read through its own visibility (follow-ups: the record's
follow-ups; tasks and events: ``visibility``, which a task or event about a record the
actor sees always passes (see ``_TASKS``); approvals: those of the record; work logs: ``worklogs.log_visible``), and a kind the
actor has no "view" permission for is left out.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import bindparam, func, select

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    ActivityLink,
    ApprovalInstance,
    FollowUp,
    ScheduleEvent,
    Task,
    User,
    WorkLog,
)
from crm_desktop.services.activities.common import (
    RELATED_MODELS,
    dto_maker,
    fetch_driver_rows,
    fetch_rows,
    same,
)
from crm_desktop.services.activities.worklogs import log_visible
from crm_desktop.services.errors import NotFound
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.scope import unindexed, visible_filter
from crm_desktop.services.uow import kept_read

if TYPE_CHECKING:
    from crm_desktop.db import Database

KINDS = ("followup", "task", "event", "approval", "log")
KIND_LABELS: dict[str, str] = {
    "followup": QT_TRANSLATE_NOOP("timeline", "Follow-up"), "task": QT_TRANSLATE_NOOP("timeline", "Task"),
    "event": QT_TRANSLATE_NOOP("timeline", "Schedule"), "approval": QT_TRANSLATE_NOOP("timeline", "Approval"),
    "log": QT_TRANSLATE_NOOP("timeline", "Work log"),
}
LIMIT = 300


@dataclass(frozen=True)
class TimelineItem:
    """One entry: ``kind`` and ``item_id`` open it; ``at`` orders the timeline."""

    kind: str
    item_id: int
    at: dt.datetime
    title: str
    detail: str
    who: str
    #: followup: its kind (phone, visit, …); task: done / open; event: its kind; approval: its status
    status: str = ""


_make_item = dto_maker(TimelineItem)  # TimelineItem(...) without a frozen __init__'s cost per field

# Built once (building a statement costs more than these reads take to run).
_FOLLOWUPS = (select(FollowUp.id, FollowUp.kind, FollowUp.content, FollowUp.followed_at, User.name,
                     FollowUp.next_contact_at)
              .join(User, User.id == FollowUp.owner_id)
              .where(FollowUp.target_entity == bindparam("entity"), FollowUp.target_id == bindparam("record_id"),
                     FollowUp.deleted_at.is_(None))
              .order_by(FollowUp.followed_at.desc()).limit(bindparam("limit")))
_APPROVALS = (select(ApprovalInstance.id, ApprovalInstance.flow_name, ApprovalInstance.created_at, User.name,
                     ApprovalInstance.status)
              .join(User, User.id == ApprovalInstance.submitter_id)
              .where(ApprovalInstance.entity == bindparam("entity"),
                     ApprovalInstance.record_id == bindparam("record_id"))
              .order_by(ApprovalInstance.created_at.desc()).limit(bindparam("limit")))
_CHECKS: dict[tuple[object, ...], Any] = {}


def _record_check(model: Any, actor: Actor) -> Any:
    """``select id where id = :record_id and visible``, one statement per (module, actor, scopes)."""
    mine = ("check", model.entity, id(actor))
    hit = _CHECKS.get(mine)
    if hit is not None and hit[0] is actor:  # the security cache's actor: the same object until the token changes
        return hit[1]
    key = (model.entity, actor.user_id, actor.department_id, actor.scopes_for(model.entity),
           actor.departments_for(model.entity))
    found = _CHECKS.get(key)
    if found is None:
        if len(_CHECKS) > 4096:
            _CHECKS.clear()
        found = _CHECKS[key] = select(model.id).where(model.id == bindparam("record_id"), visible_filter(model, actor))
    _CHECKS[mine] = (actor, found)  # holds the actor: its id is not reused meanwhile
    return found


def _linked(kind: str) -> Any:
    return select(ActivityLink.activity_id).where(
        ActivityLink.kind == kind, ActivityLink.entity == bindparam("entity"),
        ActivityLink.record_id == bindparam("record_id"))


def _task_statement(visible: Any) -> Any:
    at_col = func.coalesce(Task.done_at, Task.created_at)
    return (select(Task.id, Task.title, at_col, User.name, Task.done, Task.due_date)
            .join(User, User.id == Task.owner_id)
            .where(visible, Task.id.in_(_linked("task")))
            .order_by(at_col.desc()).limit(bindparam("limit")))


def _event_statement(visible: Any) -> Any:
    return (select(ScheduleEvent.id, ScheduleEvent.title, ScheduleEvent.start_at, User.name, ScheduleEvent.kind,
                   ScheduleEvent.location)
            .join(User, User.id == ScheduleEvent.owner_id)
            .where(visible, ScheduleEvent.id.in_(_linked("event")))
            .order_by(ScheduleEvent.start_at.desc()).limit(bindparam("limit")))


def _log_statement(actor: Actor) -> Any:
    """The record's work logs the actor may read, one statement per (reader, super or not)."""
    key = ("log", actor.user_id, actor.is_super)
    found = _CHECKS.get(key)
    if found is None:
        found = _CHECKS[key] = (
            select(WorkLog.id, WorkLog.kind, WorkLog.day, WorkLog.created_at, User.name, WorkLog.done_text)
            .join(User, User.id == WorkLog.author_id)
            .where(log_visible(actor), WorkLog.id.in_(_linked("log")))
            .order_by(WorkLog.created_at.desc()).limit(bindparam("limit")))
    return found


# A task or event about a record the actor sees is visible to them: being about a visible
# record is one of the visibility clause's own terms (``visibility``), tested with the same
# ``visible_filter`` the record check above uses. So the record's linked tasks and events need
# only the bin test — the same rows, without the clause's OR of subqueries per row.
_TASKS = _task_statement(unindexed(Task.deleted_at).is_(None))
_EVENTS = _event_statement(unindexed(ScheduleEvent.deleted_at).is_(None))


def timeline(db: Database, actor: Actor, entity: str, record_id: int, *,
             kinds: Collection[str] = KINDS, limit: int = LIMIT) -> list[TimelineItem]:
    """The record's activities, newest first (at most ``limit`` of each kind)."""
    model = RELATED_MODELS.get(entity)
    if model is None:
        raise NotFound(entity, record_id)
    with kept_read(db, actor) as (s, a):  # kept statements: ``fetch_rows``
        if not a.can(entity, "view") or not fetch_rows(s, _record_check(model, a), {"record_id": record_id}):
            raise NotFound(entity, record_id)
        # (at, kind, id, title, detail, who, status): sorted as tuples, then made items. Each
        # kind's rows as the driver gave them, each value converted as it is read (one pass).
        rows: list[tuple[Any, ...]] = []
        params = {"entity": entity, "record_id": record_id, "limit": limit}
        if "followup" in kinds and a.can("followup", "view"):
            found, conv = fetch_driver_rows(s, _FOLLOWUPS, params)
            moment, later = conv[3] or same, conv[5] or same
            for fid, kind, content, at, name, nxt in found:
                rows.append((moment(at), "followup", fid, content[:200],
                             later(nxt).isoformat() if nxt is not None else "", name, kind))
        if "task" in kinds and a.can("task", "view"):
            found, conv = fetch_driver_rows(s, _TASKS, params)
            moment, day = conv[2] or same, conv[5] or same
            for tid, title, at, name, done, due in found:  # done: true or 1, false or 0
                rows.append((moment(at), "task", tid, title, day(due).isoformat() if due is not None else "", name,
                             "done" if done else "open"))
        if "event" in kinds and a.can("event", "view"):
            found, conv = fetch_driver_rows(s, _EVENTS, params)
            moment = conv[2] or same
            for eid, title, at, name, kind, loc in found:
                rows.append((moment(at), "event", eid, title, loc, name, kind))
        if "approval" in kinds:
            found, conv = fetch_driver_rows(s, _APPROVALS, params)
            moment = conv[2] or same
            for iid, flow, at, name, status in found:
                rows.append((moment(at), "approval", iid, flow, "", name, status))
        if "log" in kinds:
            found, conv = fetch_driver_rows(s, _log_statement(a), params)
            day, moment = conv[2] or same, conv[3] or same
            for lid, kind, on, at, name, done in found:
                rows.append((moment(at), "log", lid, day(on).isoformat(), done[:200], name, kind))
    # Newest first, then by kind and id (descending): the first three of each tuple decide,
    # (kind, id) being one entry's own, so the order is that of sorting the items by them.
    rows.sort(reverse=True)
    return [_make_item(kind, item_id, at, title, detail, who, status)
            for at, kind, item_id, title, detail, who, status in rows]


__all__: Sequence[str] = ["KINDS", "KIND_LABELS", "TimelineItem", "timeline"]
