"""Tasks (任务): create, edit, finish, move between buckets, subtasks, comments with @mentions.

Promises (permission first, the one visibility clause, one unit of work, audit and events;
thread rule: any thread):

- ``create_task`` needs task "create"; the actor owns the task unless ``owner_id`` names
  someone inside their data scope on tasks. Participants are enabled users; related records
  must be visible to the actor. Events: TaskCreated on the task and on each related record.
- ``update_task`` / ``set_done`` / ``move_task`` / ``delete_task`` need task "edit" (delete:
  "delete") and a task the actor may change: they own or created it, take part in it, or its
  owner is inside their data scope. A task the actor cannot see is answered as missing.
  Optimistic locking: ``expected_version`` must be the version read.
- Finishing records TaskCompleted (on the task and its related records), once per finish.
- ``move_task`` puts a task into a workbench bucket by setting its due day (inbox: no date;
  today; next: tomorrow; later: in 8 days; done: finished); a due time of day is kept.
- ``add_comment``: "@name" of an enabled user in the comment sends them a message (message
  centre) about the task.
- Every write is in the task's operation log (audit, entity "task").
- ``note_overdue``: the job that records TaskOverdue once for each task whose due day passed.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, or_, select

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    ActivityLink,
    ActivityParticipant,
    Message,
    Task,
    TaskComment,
    TaskSubtask,
    User,
    utcnow,
)
from crm_desktop.services.activities.common import (
    RelatedRef,
    UserRef,
    check_related,
    check_users,
    links_of,
    local_date,
    participants_of,
    set_links,
    set_participants,
    user_names,
    zone,
)
from crm_desktop.services.activities.visibility import task_visible
from crm_desktop.services.errors import ConflictError, NotFound, ValidationError
from crm_desktop.services.events import (
    RecordDeleted,
    RecordUpdated,
    TaskCompleted,
    TaskCreated,
    TaskEvent,
    TaskOverdue,
)
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.org.scope import editable_filter, owner_in_scope
from crm_desktop.services.records import audit
from crm_desktop.services.uow import UnitOfWork, read_only, retrying, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

PRIORITIES = ("high", "medium", "low", "none")
PRIORITY_LABELS: dict[str, str] = {
    "high": QT_TRANSLATE_NOOP("tasks", "High"), "medium": QT_TRANSLATE_NOOP("tasks", "Medium"),
    "low": QT_TRANSLATE_NOOP("tasks", "Low"), "none": QT_TRANSLATE_NOOP("tasks", "None"),
}
#: Where moving a task puts its due day, in days from today (None: no date, the inbox).
MOVE_OFFSETS: dict[str, int | None] = {"inbox": None, "today": 0, "next": 1, "later": 8}
_MENTION = re.compile(r"@")
AUDITED = ("title", "description", "priority", "tags", "start_date", "start_at", "due_date", "due_at", "done",
           "owner_id")


@dataclass(frozen=True)
class SubtaskDTO:
    id: int
    title: str
    done: bool


@dataclass(frozen=True)
class CommentDTO:
    id: int
    author_id: int
    author_name: str
    body: str
    created_at: dt.datetime
    mentions: tuple[int, ...]


@dataclass(frozen=True)
class TaskDTO:
    id: int
    title: str
    description: str
    priority: str
    tags: tuple[str, ...]
    owner_id: int
    owner_name: str
    creator_id: int
    creator_name: str
    start_date: dt.date | None
    start_at: dt.datetime | None
    due_date: dt.date | None
    due_at: dt.datetime | None
    done: bool
    done_at: dt.datetime | None
    version: int
    created_at: dt.datetime
    participants: tuple[UserRef, ...] = ()
    related: tuple[RelatedRef, ...] = ()
    subtasks: tuple[SubtaskDTO, ...] = ()
    comments: tuple[CommentDTO, ...] = ()


@dataclass(frozen=True)
class TaskInput:
    """What a person types for a task. A due (or start) time fixes the day in ``tz`` unless a
    day is given; ``subtasks`` are (title, done) pairs, replacing the task's list on update."""

    title: str
    description: str = ""
    priority: str = "none"
    tags: tuple[str, ...] = ()
    start_date: dt.date | None = None
    start_at: dt.datetime | None = None
    due_date: dt.date | None = None
    due_at: dt.datetime | None = None
    owner_id: int | None = None
    participant_ids: tuple[int, ...] = ()
    related: tuple[tuple[str, int], ...] = ()
    subtasks: tuple[tuple[str, bool], ...] = field(default_factory=tuple)


def _validate(data: TaskInput, tz: dt.tzinfo) -> dict[str, Any]:
    errors: dict[str, str] = {}
    title = data.title.strip()
    if not title:
        errors["title"] = QT_TRANSLATE_NOOP("errors", "Required.")
    elif len(title) > 200:
        errors["title"] = QT_TRANSLATE_NOOP("errors", "At most 200 characters.")
    if data.priority not in PRIORITIES:
        errors["priority"] = QT_TRANSLATE_NOOP("errors", "Choose a priority.")
    for moment in (data.start_at, data.due_at):
        if moment is not None and moment.tzinfo is None:
            raise ValueError("naive datetime given where an aware one is required")
    start_date = data.start_date or (local_date(data.start_at, tz) if data.start_at else None)
    due_date = data.due_date or (local_date(data.due_at, tz) if data.due_at else None)
    if start_date and due_date and due_date < start_date:
        errors["due_date"] = QT_TRANSLATE_NOOP("errors", "The due date is before the start.")
    if any(not t.strip() for t, _done in data.subtasks):
        errors["subtasks"] = QT_TRANSLATE_NOOP("errors", "A subtask needs a title.")
    if errors:
        raise ValidationError(errors)
    tags = tuple(dict.fromkeys(t.strip() for t in data.tags if t.strip()))
    return {"title": title, "description": data.description, "priority": data.priority, "tags": list(tags),
            "start_date": start_date, "start_at": data.start_at, "due_date": due_date, "due_at": data.due_at}


def _events(uow: UnitOfWork, cls: type[TaskEvent], task: Task) -> None:
    """``cls`` on the task itself and on each record it is about (their rules fire on those)."""
    actor_id = uow.actor.user_id if uow.actor is not None else None
    uow.session.flush()
    uow.add_event(cls("task", task.id, actor_id, task_id=task.id, title=task.title, owner_id=task.owner_id))
    links = uow.session.execute(select(ActivityLink.entity, ActivityLink.record_id).where(
        ActivityLink.kind == "task", ActivityLink.activity_id == task.id)).all()
    for entity, record_id in links:
        uow.add_event(cls(entity, record_id, actor_id, task_id=task.id, title=task.title, owner_id=task.owner_id))


def insert_task(uow: UnitOfWork, data: TaskInput, *, owner_id: int, creator_id: int,
                tz: dt.tzinfo | None = None, check_scope: bool = True) -> Task:
    """Write a new task in the caller's unit of work (the service and the rule action "create a
    task" share it). ``check_scope``: the related records must be visible to the unit's actor."""
    values = _validate(data, tz or zone())
    session = uow.session
    related = list(data.related)
    if check_scope and uow.actor is not None:
        related = check_related(session, uow.actor, related)
    participants = [u for u in check_users(session, data.participant_ids) if u != owner_id]
    task = Task(**values, owner_id=owner_id, creator_id=creator_id, custom={})
    session.add(task)
    session.flush()
    set_participants(session, "task", task.id, participants)
    set_links(session, "task", task.id, related)
    session.add_all(TaskSubtask(task_id=task.id, title=t.strip(), done=d, sort_order=i)
                    for i, (t, d) in enumerate(data.subtasks))
    audit.write_audit(session, entity="task", record_id=task.id, action="create", actor_id=creator_id,
                      changes={k: (None, values[k]) for k in values if values[k] not in (None, "", [])}, version=1)
    _events(uow, TaskCreated, task)
    return task


@retrying()
def create_task(db: Database, actor: Actor, data: TaskInput, *, tz: dt.tzinfo | None = None) -> TaskDTO:
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "task", "create")
        owner_id = data.owner_id or uow.actor.user_id
        if owner_id != uow.actor.user_id and not owner_in_scope(uow.session, uow.actor, "task", owner_id):
            raise ValidationError({"owner_id": QT_TRANSLATE_NOOP(
                "errors", "You may give tasks only to people inside your data scope.")})
        check_users(uow.session, [owner_id])
        task = insert_task(uow, data, owner_id=owner_id, creator_id=uow.actor.user_id, tz=tz)
        return _dto(uow, task)


def _load(uow: UnitOfWork, task_id: int, *, write: bool) -> Task:
    """The task if the actor sees it (and, for ``write``, may change it); else NotFound."""
    actor = uow.actor
    assert actor is not None
    query = select(Task).where(Task.id == task_id, task_visible(actor))
    if write:
        involved = select(ActivityParticipant.activity_id).where(
            ActivityParticipant.kind == "task", ActivityParticipant.user_id == actor.user_id)
        query = query.where(or_(Task.owner_id == actor.user_id, Task.creator_id == actor.user_id,
                                Task.id.in_(involved), editable_filter(Task, actor)))
    task = uow.session.scalar(query)
    if task is None:
        raise NotFound("task", task_id)
    return task


def _check_version(task: Task, expected_version: int | None) -> None:
    if expected_version is not None and task.version != expected_version:
        raise ConflictError("task", task.id, conflicts=(), their_version=task.version)


def _snapshot(task: Task) -> dict[str, Any]:
    return {k: getattr(task, k) for k in AUDITED}


def _changed(uow: UnitOfWork, task: Task, before: Mapping[str, Any]) -> None:
    after = _snapshot(task)
    changes = {k: (before[k], after[k]) for k in AUDITED if before[k] != after[k]}
    task.updated_at = utcnow()
    uow.session.flush()
    if changes:
        assert uow.actor is not None
        audit.write_audit(uow.session, entity="task", record_id=task.id, action="update",
                          actor_id=uow.actor.user_id, changes=changes, version=task.version)
        uow.add_event(RecordUpdated("task", task.id, uow.actor.user_id,
                                    before={k: v for k, (v, _n) in changes.items()},
                                    after={k: n for k, (_v, n) in changes.items()}))


@retrying()
def update_task(db: Database, actor: Actor, task_id: int, data: TaskInput, *, expected_version: int | None = None,
                tz: dt.tzinfo | None = None) -> TaskDTO:
    """Replace the task's fields, participants, related records and subtasks with ``data``."""
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "task", "edit")
        task = _load(uow, task_id, write=True)
        _check_version(task, expected_version)
        before = _snapshot(task)
        values = _validate(data, tz or zone())
        if data.owner_id is not None and data.owner_id != task.owner_id:
            if not owner_in_scope(uow.session, uow.actor, "task", data.owner_id):
                raise ValidationError({"owner_id": QT_TRANSLATE_NOOP(
                    "errors", "You may give tasks only to people inside your data scope.")})
            check_users(uow.session, [data.owner_id])
            task.owner_id = data.owner_id
        for k, v in values.items():
            setattr(task, k, v)
        if before["due_date"] != task.due_date:
            task.overdue_noted_at = None
        session = uow.session
        set_participants(session, "task", task.id,
                         [u for u in check_users(session, data.participant_ids) if u != task.owner_id])
        set_links(session, "task", task.id, check_related(session, uow.actor, data.related))
        session.execute(delete(TaskSubtask).where(TaskSubtask.task_id == task.id))
        session.add_all(TaskSubtask(task_id=task.id, title=t.strip(), done=d, sort_order=i)
                        for i, (t, d) in enumerate(data.subtasks))
        _changed(uow, task, before)
        return _dto(uow, task)


@retrying()
def set_done(db: Database, actor: Actor, task_id: int, done: bool = True) -> TaskDTO:
    """Finish (or reopen) a task; finishing records TaskCompleted."""
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "task", "edit")
        task = _load(uow, task_id, write=True)
        if task.done != done:
            before = _snapshot(task)
            task.done, task.done_at = done, (utcnow() if done else None)
            _changed(uow, task, before)
            if done:
                _events(uow, TaskCompleted, task)
        return _dto(uow, task)


@retrying()
def set_subtask_done(db: Database, actor: Actor, task_id: int, subtask_id: int, done: bool) -> TaskDTO:
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "task", "edit")
        task = _load(uow, task_id, write=True)
        sub = uow.session.scalar(select(TaskSubtask).where(TaskSubtask.id == subtask_id,
                                                           TaskSubtask.task_id == task.id))
        if sub is None:
            raise NotFound("task", task_id)
        sub.done = done
        task.updated_at = utcnow()
        return _dto(uow, task)


@retrying()
def move_task(db: Database, actor: Actor, task_id: int, bucket: str, *, today: dt.date,
              tz: dt.tzinfo | None = None) -> TaskDTO:
    """Put the task into ``bucket`` (inbox, today, next, later, done) by setting its due day."""
    if bucket == "done":
        return set_done(db, actor, task_id, True)
    if bucket not in MOVE_OFFSETS:
        raise ValidationError({"bucket": QT_TRANSLATE_NOOP("errors", "A task cannot be moved there.")})
    tz = tz or zone()
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "task", "edit")
        task = _load(uow, task_id, write=True)
        before = _snapshot(task)
        offset = MOVE_OFFSETS[bucket]
        if offset is None:
            task.due_date, task.due_at = None, None
        else:
            day = today + dt.timedelta(days=offset)
            task.due_date = day
            if task.due_at is not None:  # keep the time of day, on the new day
                local = task.due_at.astimezone(tz)
                task.due_at = dt.datetime.combine(day, local.time(), tzinfo=tz).astimezone(dt.UTC)
        if task.start_date and task.due_date and task.start_date > task.due_date:
            task.start_date, task.start_at = task.due_date, None
        if task.done:
            task.done, task.done_at = False, None
        task.overdue_noted_at = None
        _changed(uow, task, before)
        return _dto(uow, task)


@retrying()
def delete_task(db: Database, actor: Actor, task_id: int) -> None:
    """Move the task to the recycle bin."""
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "task", "delete")
        task = _load(uow, task_id, write=True)
        task.deleted_at, task.deleted_by_id = utcnow(), uow.actor.user_id
        audit.write_audit(uow.session, entity="task", record_id=task.id, action="delete",
                          actor_id=uow.actor.user_id, changes={})
        uow.add_event(RecordDeleted("task", task.id, uow.actor.user_id))


def get_task(db: Database, actor: Actor, task_id: int) -> TaskDTO:
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "task", "view")
        return _dto(uow, _load(uow, task_id, write=False), comments=True)


@retrying(commutative=True)
def add_comment(db: Database, actor: Actor, task_id: int, body: str) -> CommentDTO:
    """Comment on a task the actor sees; each "@name" of an enabled user gets a message."""
    text = body.strip()
    if not text:
        raise ValidationError({"body": QT_TRANSLATE_NOOP("errors", "Required.")})
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "task", "view")
        task = _load(uow, task_id, write=False)
        mentioned: list[int] = []
        if "@" in text:
            # "@name" followed by anything (Chinese text has no space after a name): the
            # enabled users whose name follows an "@", the longest name winning at each "@".
            starts = [m.start() + 1 for m in _MENTION.finditer(text)]
            users = uow.session.execute(select(User.id, User.name).where(
                User.enabled.is_(True), User.id != uow.actor.user_id)).all()
            for start in starts:
                hits = [(len(name), uid) for uid, name in users if name and text.startswith(name, start)]
                if hits:
                    mentioned.append(max(hits)[1])
            mentioned = sorted(set(mentioned))
        comment = TaskComment(task_id=task.id, author_id=uow.actor.user_id, body=text, mentions=mentioned)
        uow.session.add(comment)
        for uid in mentioned:
            uow.session.add(Message(
                recipient_id=uid, title=QT_TRANSLATE_NOOP("messages", "{author} mentioned you on the task {task}"),
                body=text[:2000], entity="task", record_id=task.id,
                params={"author": uow.actor.name, "task": task.title}))
        uow.session.flush()
        return CommentDTO(comment.id, uow.actor.user_id, uow.actor.name, text, comment.created_at, tuple(mentioned))


def operation_log(db: Database, actor: Actor, task_id: int) -> list[audit.AuditEntryDTO]:
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "task", "view")
        _load(uow, task_id, write=False)
        return audit.read_entries(uow.session, entity="task", record_id=task_id)


def note_overdue(db: Database, *, today: dt.date) -> int:
    """Record TaskOverdue once for each unfinished task due before ``today`` (a job: no actor)."""
    with unit_of_work(db, None) as uow:
        rows = list(uow.session.scalars(select(Task).where(
            Task.done.is_(False), Task.deleted_at.is_(None), Task.due_date < today,
            Task.overdue_noted_at.is_(None)).limit(5000)))
        now = utcnow()
        for task in rows:
            task.overdue_noted_at = now
            _events(uow, TaskOverdue, task)
        return len(rows)


def _dto(uow: UnitOfWork, task: Task, *, comments: bool = False) -> TaskDTO:
    session = uow.session
    assert uow.actor is not None
    session.flush()
    names = user_names(session, [task.owner_id, task.creator_id])
    subs = tuple(SubtaskDTO(s.id, s.title, s.done) for s in session.scalars(
        select(TaskSubtask).where(TaskSubtask.task_id == task.id).order_by(TaskSubtask.sort_order, TaskSubtask.id)))
    notes: tuple[CommentDTO, ...] = ()
    if comments:
        rows = session.execute(select(TaskComment, User.name).join(User, User.id == TaskComment.author_id)
                               .where(TaskComment.task_id == task.id).order_by(TaskComment.id)).all()
        notes = tuple(CommentDTO(c.id, c.author_id, n, c.body, c.created_at, tuple(c.mentions or ()))
                      for c, n in rows)
    return TaskDTO(
        id=task.id, title=task.title, description=task.description, priority=task.priority,
        tags=tuple(task.tags or ()), owner_id=task.owner_id or 0, owner_name=names.get(task.owner_id or 0, ""),
        creator_id=task.creator_id, creator_name=names.get(task.creator_id, ""), start_date=task.start_date,
        start_at=task.start_at, due_date=task.due_date, due_at=task.due_at, done=task.done, done_at=task.done_at,
        version=task.version, created_at=task.created_at,
        participants=participants_of(session, "task", [task.id])[task.id],
        related=links_of(session, uow.actor, "task", [task.id]).get(task.id, ()),
        subtasks=subs, comments=notes,
    )


def input_of(task: TaskDTO) -> TaskInput:
    """The task as an input to edit (the form starts from it)."""
    return TaskInput(
        title=task.title, description=task.description, priority=task.priority, tags=task.tags,
        start_date=task.start_date, start_at=task.start_at, due_date=task.due_date, due_at=task.due_at,
        owner_id=task.owner_id, participant_ids=tuple(p.user_id for p in task.participants),
        related=tuple((r.entity, r.record_id) for r in task.related),
        subtasks=tuple((s.title, s.done) for s in task.subtasks))


__all__: Sequence[str] = [
    "MOVE_OFFSETS",
    "PRIORITIES",
    "PRIORITY_LABELS",
    "CommentDTO",
    "SubtaskDTO",
    "TaskDTO",
    "TaskInput",
    "add_comment",
    "create_task",
    "delete_task",
    "get_task",
    "input_of",
    "insert_task",
    "move_task",
    "note_overdue",
    "operation_log",
    "set_done",
    "set_subtask_done",
    "update_task",
]
