"""Attachments of tasks (任务附件): the same storage as every record's attachments
(``Attachment`` / ``AttachmentBlob``, entity "task"), read and changed under the task's own
rules rather than a record's data scope.

Promises (thread rule: any thread; one unit of work each): listing and reading need task
"view" and a task the actor sees (``visibility.task_visible``: owner in scope, taking part, or
a related record in scope); adding and removing need task "edit" and a task the actor may
change (``tasks._load(write=True)``). An attachment of a task the actor cannot see is answered
as a missing attachment. Each addition and removal is in the task's operation log.
"""
from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Attachment, AttachmentBlob, User, utcnow
from crm_desktop.services.activities.tasks import _load as load_task
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.records import audit
from crm_desktop.services.records.attachments import MAX_BYTES, AttachmentDTO
from crm_desktop.services.uow import UnitOfWork, read_only, retrying, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

ENTITY = "task"


def _dto(a: Attachment, uploader: str) -> AttachmentDTO:
    return AttachmentDTO(a.id, a.entity, a.record_id, a.filename, a.mime_type, a.size, uploader, a.uploaded_at)


def _file(uow: UnitOfWork, attachment_id: int, *, write: bool) -> Attachment:
    row = uow.session.get(Attachment, attachment_id)
    if row is None or row.entity != ENTITY or row.deleted_at is not None:
        raise NotFound("attachment", attachment_id)
    try:
        load_task(uow, row.record_id, write=write)
    except NotFound:  # naming the task would tell which task the id belongs to
        raise NotFound("attachment", attachment_id) from None
    return row


def list_task_files(db: Database, actor: Actor, task_id: int) -> list[AttachmentDTO]:
    """The task's files, newest first."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, ENTITY, "view")
        load_task(uow, task_id, write=False)
        rows = uow.session.execute(
            select(Attachment, User.name).outerjoin(User, User.id == Attachment.uploaded_by_id)
            .where(Attachment.entity == ENTITY, Attachment.record_id == task_id, Attachment.deleted_at.is_(None))
            .order_by(Attachment.uploaded_at.desc(), Attachment.id.desc())).all()
        return [_dto(a, name or "") for a, name in rows]


@retrying()
def add_task_file(db: Database, actor: Actor, task_id: int, *, filename: str, data: bytes) -> AttachmentDTO:
    """Store a file on a task the actor may change; refused over ``MAX_BYTES``, saying so."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        raise ValidationError({"filename": QT_TRANSLATE_NOOP("errors", "Required.")})
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": QT_TRANSLATE_NOOP(
            "errors", "The file is larger than {limit} MB. Keep large files on a file server and link to them.")
            .replace("{limit}", str(MAX_BYTES // (1024 * 1024)))})
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, ENTITY, "edit")
        task = load_task(uow, task_id, write=True)
        row = Attachment(entity=ENTITY, record_id=task.id, filename=name,
                         mime_type=mimetypes.guess_type(name)[0] or "application/octet-stream", size=len(data),
                         sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=uow.actor.user_id)
        uow.session.add(row)
        uow.session.flush()
        uow.session.add(AttachmentBlob(attachment_id=row.id, data=data))
        audit.write_audit(uow.session, entity=ENTITY, record_id=task.id, action="attachment",
                          actor_id=uow.actor.user_id, changes={"attachment": (None, name)})
        return _dto(row, uow.actor.name)


def read_task_file(db: Database, actor: Actor, attachment_id: int) -> tuple[str, bytes]:
    """(file name, bytes) of a file on a task the actor sees."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, ENTITY, "view")
        row = _file(uow, attachment_id, write=False)
        return row.filename, uow.session.get_one(AttachmentBlob, attachment_id).data


@retrying()
def remove_task_file(db: Database, actor: Actor, attachment_id: int) -> None:
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, ENTITY, "edit")
        row = _file(uow, attachment_id, write=True)
        row.deleted_at = utcnow()
        audit.write_audit(uow.session, entity=ENTITY, record_id=row.record_id, action="attachment",
                          actor_id=uow.actor.user_id, changes={"attachment": (row.filename, None)})


__all__: Sequence[str] = ["add_task_file", "list_task_files", "read_task_file", "remove_task_file"]
