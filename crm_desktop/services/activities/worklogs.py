"""Work logs (日志): a daily or weekly report — done today, the plan for tomorrow, the records
it is about — read by the author's superiors, with comments.

Promises (thread rule: any thread; one unit of work each):

- Anyone signed in writes their own logs: ``write_log`` keeps one log per author, kind and day
  (writing again replaces its text; a weekly log's day is its week's Monday). Related records
  must be visible to the author (``check_related``).
- A log is visible to its author and to everyone above the author in the direct-superior
  chain (``subordinate_ids`` of the reader: the same chain the data scope uses); the super
  administrator sees all. A log the reader cannot see is answered as missing.
- ``add_log_comment``: a reader comments; the author gets a message (message centre) unless
  they wrote the comment themselves.
- The record's timeline lists the logs about it through ``log_visible``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Message, User, WorkLog, WorkLogComment, utcnow
from crm_desktop.services.activities.common import (
    RelatedRef,
    check_related,
    links_of,
    set_links,
    user_names,
)
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.scope import subordinate_ids
from crm_desktop.services.uow import read_only, retrying, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

KINDS = ("daily", "weekly")
KIND_LABELS: dict[str, str] = {
    "daily": QT_TRANSLATE_NOOP("worklogs", "Daily report"), "weekly": QT_TRANSLATE_NOOP("worklogs", "Weekly report"),
}
COMMENT_TITLE = QT_TRANSLATE_NOOP("messages", "{name} commented on your work log")
MAX_TEXT = 20_000


@dataclass(frozen=True)
class LogCommentDTO:
    id: int
    author_id: int
    author_name: str
    body: str
    created_at: dt.datetime


@dataclass(frozen=True)
class WorkLogDTO:
    id: int
    author_id: int
    author_name: str
    kind: str
    day: dt.date
    done_text: str
    plan_text: str
    created_at: dt.datetime
    updated_at: dt.datetime
    related: tuple[RelatedRef, ...] = ()
    comments: tuple[LogCommentDTO, ...] = ()


def log_visible(actor: Actor) -> ColumnElement[bool]:
    """Logs the actor may read: their own and those of everyone below them (see the module doc)."""
    if actor.is_super:
        return WorkLog.deleted_at.is_(None) & true()
    return WorkLog.deleted_at.is_(None) & WorkLog.author_id.in_(subordinate_ids(actor.user_id, name="log_chain"))


def _day(kind: str, day: dt.date) -> dt.date:
    if kind not in KINDS:
        raise ValidationError({"kind": QT_TRANSLATE_NOOP("errors", "Choose a daily or weekly report.")})
    return day - dt.timedelta(days=day.weekday()) if kind == "weekly" else day


@retrying()
def write_log(db: Database, actor: Actor, *, kind: str, day: dt.date, done_text: str, plan_text: str = "",
              related: Sequence[tuple[str, int]] = ()) -> WorkLogDTO:
    """Write (or rewrite) the actor's ``kind`` log of ``day``."""
    day = _day(kind, day)
    done_text, plan_text = done_text.strip(), plan_text.strip()
    if not done_text and not plan_text:
        raise ValidationError({"done_text": QT_TRANSLATE_NOOP("errors", "Required.")})
    if len(done_text) > MAX_TEXT or len(plan_text) > MAX_TEXT:
        raise ValidationError({"done_text": QT_TRANSLATE_NOOP("errors", "The text is too long.")})
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        s = uow.session
        links = check_related(s, uow.actor, related)
        log = s.scalar(select(WorkLog).where(WorkLog.author_id == uow.actor.user_id, WorkLog.kind == kind,
                                             WorkLog.day == day, WorkLog.deleted_at.is_(None)))
        if log is None:
            log = WorkLog(author_id=uow.actor.user_id, kind=kind, day=day)
            s.add(log)
        log.done_text, log.plan_text, log.updated_at = done_text, plan_text, utcnow()
        s.flush()
        set_links(s, "log", log.id, links)
        return _dto(uow.session, uow.actor, log, comments=False)


def list_logs(db: Database, actor: Actor, *, since: dt.date, until: dt.date, author_id: int | None = None,
              kind: str | None = None) -> list[WorkLogDTO]:
    """The logs the actor may read with a day in [since, until], newest first (of one author)."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        query = select(WorkLog).where(log_visible(uow.actor), WorkLog.day >= since, WorkLog.day <= until)
        if author_id is not None:
            query = query.where(WorkLog.author_id == author_id)
        if kind is not None:
            query = query.where(WorkLog.kind == kind)
        rows = list(uow.session.scalars(query.order_by(WorkLog.day.desc(), WorkLog.id.desc()).limit(500)))
        names = user_names(uow.session, [r.author_id for r in rows])
        links = links_of(uow.session, uow.actor, "log", [r.id for r in rows])
        return [_plain(r, names, links.get(r.id, ())) for r in rows]


def _load(session: Session, actor: Actor, log_id: int) -> WorkLog:
    log = session.scalar(select(WorkLog).where(WorkLog.id == log_id, log_visible(actor)))
    if log is None:
        raise NotFound("work_log", log_id)
    return log


def get_log(db: Database, actor: Actor, log_id: int) -> WorkLogDTO:
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        return _dto(uow.session, uow.actor, _load(uow.session, uow.actor, log_id), comments=True)


@retrying()
def add_log_comment(db: Database, actor: Actor, log_id: int, body: str) -> LogCommentDTO:
    """A reader's comment on the log; the author is told in the message centre."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": QT_TRANSLATE_NOOP("errors", "Required.")})
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        log = _load(uow.session, uow.actor, log_id)
        comment = WorkLogComment(log_id=log.id, author_id=uow.actor.user_id, body=body[:MAX_TEXT])
        uow.session.add(comment)
        if log.author_id != uow.actor.user_id:
            uow.session.add(Message(recipient_id=log.author_id, title=COMMENT_TITLE, body=body[:500],
                                    entity="work_log", record_id=log.id, params={"name": uow.actor.name}))
        uow.session.flush()
        return LogCommentDTO(comment.id, comment.author_id, uow.actor.name, comment.body, comment.created_at)


@retrying()
def delete_log(db: Database, actor: Actor, log_id: int) -> None:
    """Only the author deletes a log (a superior reads and comments)."""
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        log = _load(uow.session, uow.actor, log_id)
        if log.author_id != uow.actor.user_id:
            raise NotFound("work_log", log_id)
        log.deleted_at = utcnow()


def _plain(log: WorkLog, names: dict[int, str], related: tuple[RelatedRef, ...],
           comments: tuple[LogCommentDTO, ...] = ()) -> WorkLogDTO:
    return WorkLogDTO(log.id, log.author_id, names.get(log.author_id, ""), log.kind, log.day, log.done_text,
                      log.plan_text, log.created_at, log.updated_at, related, comments)


def _dto(session: Session, actor: Actor, log: WorkLog, *, comments: bool) -> WorkLogDTO:
    notes: tuple[LogCommentDTO, ...] = ()
    if comments:
        notes = tuple(LogCommentDTO(c.id, c.author_id, name, c.body, c.created_at) for c, name in session.execute(
            select(WorkLogComment, User.name).join(User, User.id == WorkLogComment.author_id)
            .where(WorkLogComment.log_id == log.id).order_by(WorkLogComment.created_at, WorkLogComment.id)))
    names = user_names(session, [log.author_id])
    return _plain(log, names, links_of(session, actor, "log", [log.id]).get(log.id, ()), notes)


__all__: Sequence[str] = ["KINDS", "KIND_LABELS", "LogCommentDTO", "WorkLogDTO", "add_log_comment", "delete_log",
                          "get_log", "list_logs", "log_visible", "write_log"]
