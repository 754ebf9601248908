"""A product's pictures: the image files among its attachments, the first uploaded first.

Pictures are attachments (the same upload, size limit, recycle and permission rules); a
product's detail window shows them as thumbnails in its header, the first one being the main
picture. Thread rule: any thread; each call is one unit of work.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import func, or_, select

from crm_desktop.models import Attachment, AttachmentBlob, Product
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.sales.products import products
from crm_desktop.services.uow import read_only

if TYPE_CHECKING:
    from crm_desktop.db import Database

#: File name endings Qt reads as pictures on every platform the app runs on.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp")
#: How many a header shows (and reads: each is up to the attachment size limit).
MAX_PICTURES = 4


@dataclass(frozen=True)
class PictureDTO:
    attachment_id: int
    filename: str
    data: bytes


def product_pictures(db: Database, actor: Actor, product_id: int, *, limit: int = MAX_PICTURES) -> list[PictureDTO]:
    """Up to ``limit`` pictures of a product the actor may see, in upload order."""
    with read_only(db, actor) as uow:
        require(uow.actor, "product", "view")
        products.load_row(uow.session, uow.actor, product_id, for_edit=False)
        name = func.lower(Attachment.filename)
        rows = uow.session.execute(
            select(Attachment.id, Attachment.filename, AttachmentBlob.data)
            .join(AttachmentBlob, AttachmentBlob.attachment_id == Attachment.id)
            .where(Attachment.entity == Product.entity, Attachment.record_id == product_id,
                   Attachment.deleted_at.is_(None), or_(*(name.like(f"%{s}") for s in IMAGE_SUFFIXES)))
            .order_by(Attachment.uploaded_at, Attachment.id)
            .limit(limit)
        ).all()
        return [PictureDTO(attachment_id, filename, bytes(data)) for attachment_id, filename, data in rows]


__all__ = ["IMAGE_SUFFIXES", "MAX_PICTURES", "PictureDTO", "product_pictures"]
