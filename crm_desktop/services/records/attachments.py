"""Attachments (附件) on any record, stored in the database so every PC on a LAN sees them.

Reading needs the record to be visible; adding and removing need the right to edit it.
Metadata and bytes sit in separate tables so listing never loads file contents.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import mimetypes
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Attachment, AttachmentBlob, RecordMixin, User, utcnow
from crm_desktop.services.errors import NotFound, PermissionDenied, ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.org.scope import editable_filter, visible_filter
from crm_desktop.services.records import audit
from crm_desktop.services.uow import read_only, unit_of_work

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from crm_desktop.db import Database

#: Larger files belong on a file server: a LAN database should stay quick to back up.
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class AttachmentDTO:
    id: int
    entity: str
    record_id: int
    filename: str
    mime_type: str
    size: int
    uploaded_by: str
    uploaded_at: dt.datetime


def _check_record(session: Session, actor: Actor, model: type[RecordMixin], record_id: int, *, edit: bool) -> None:
    visible = session.scalar(select(model.id).where(model.id == record_id, visible_filter(model, actor)))
    if visible is None:
        raise NotFound(model.entity, record_id)
    if edit and session.scalar(select(model.id).where(model.id == record_id, editable_filter(model, actor))) is None:
        raise PermissionDenied(model.entity, "edit")


def _attachment(
    session: Session, actor: Actor, model: type[RecordMixin], attachment_id: int, *, edit: bool
) -> Attachment:
    """The live attachment, on a record the actor can see (and edit, ``edit``). An attachment of
    a record the actor cannot see is answered as a missing attachment: naming its record would
    tell which record the id belongs to."""
    row = session.get(Attachment, attachment_id)
    if row is None or row.entity != model.entity or row.deleted_at is not None:
        raise NotFound("attachment", attachment_id)
    try:
        _check_record(session, actor, model, row.record_id, edit=edit)
    except NotFound:
        raise NotFound("attachment", attachment_id) from None
    return row


def _dto(a: Attachment, uploader: str) -> AttachmentDTO:
    return AttachmentDTO(a.id, a.entity, a.record_id, a.filename, a.mime_type, a.size, uploader, a.uploaded_at)


def list_attachments(db: Database, actor: Actor, model: type[RecordMixin], record_id: int) -> list[AttachmentDTO]:
    with read_only(db, actor) as uow:
        require(uow.actor, model.entity, "view")
        _check_record(uow.session, uow.actor, model, record_id, edit=False)
        rows = uow.session.execute(
            select(Attachment, User.name).outerjoin(User, User.id == Attachment.uploaded_by_id)
            .where(Attachment.entity == model.entity, Attachment.record_id == record_id,
                   Attachment.deleted_at.is_(None))
            .order_by(Attachment.uploaded_at.desc(), Attachment.id.desc())
        ).all()
        return [_dto(a, name or "") for a, name in rows]


def add_attachment(
    db: Database, actor: Actor, model: type[RecordMixin], record_id: int, *, filename: str, data: bytes
) -> AttachmentDTO:
    """Store a file on a record the actor may edit; refused over MAX_BYTES, saying so."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name:
        raise ValidationError({"filename": QT_TRANSLATE_NOOP("errors", "Required.")})
    if len(data) > MAX_BYTES:
        raise ValidationError({"file": QT_TRANSLATE_NOOP(
            "errors", "The file is larger than {limit} MB. Keep large files on a file server and link to them.")
            .replace("{limit}", str(MAX_BYTES // (1024 * 1024)))})
    with unit_of_work(db, actor) as uow:
        require(uow.actor, model.entity, "edit")
        _check_record(uow.session, uow.actor, model, record_id, edit=True)
        row = Attachment(
            entity=model.entity, record_id=record_id, filename=name,
            mime_type=mimetypes.guess_type(name)[0] or "application/octet-stream", size=len(data),
            sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=uow.actor.user_id,
        )
        uow.session.add(row)
        uow.session.flush()
        uow.session.add(AttachmentBlob(attachment_id=row.id, data=data))
        audit.write_audit(uow.session, entity=model.entity, record_id=record_id, action="attachment",
                          actor_id=uow.actor.user_id, changes={"attachment": (None, name)})
        return _dto(row, uow.actor.name)


def read_attachment(db: Database, actor: Actor, model: type[RecordMixin], attachment_id: int) -> tuple[str, bytes]:
    """(file name, bytes) of an attachment on a record the actor can see."""
    with read_only(db, actor) as uow:
        require(uow.actor, model.entity, "view")
        row = _attachment(uow.session, uow.actor, model, attachment_id, edit=False)
        blob = uow.session.get_one(AttachmentBlob, attachment_id)
        return row.filename, blob.data


def remove_attachment(db: Database, actor: Actor, model: type[RecordMixin], attachment_id: int) -> None:
    with unit_of_work(db, actor) as uow:
        require(uow.actor, model.entity, "edit")
        row = _attachment(uow.session, uow.actor, model, attachment_id, edit=True)
        row.deleted_at = utcnow()
        audit.write_audit(uow.session, entity=model.entity, record_id=row.record_id, action="attachment",
                          actor_id=uow.actor.user_id, changes={"attachment": (row.filename, None)})
