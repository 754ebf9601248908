"""What administrators and users configure about records: custom fields, the data
dictionary, per-role field permissions, saved views (场景) and list column preferences."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm_desktop.models.base import Base, JSONType, UTCDateTime, utcnow


class CustomField(Base):
    """An administrator-defined field; its values live in the record's ``custom`` JSON."""

    __tablename__ = "custom_fields"
    __table_args__ = (UniqueConstraint("entity", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(50))
    #: Stable key inside ``custom`` (never reused, survives label changes).
    key: Mapped[str] = mapped_column(String(60))
    label: Mapped[str] = mapped_column(String(100))
    #: One of services.schema.FieldType.
    type: Mapped[str] = mapped_column(String(30))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    unique: Mapped[bool] = mapped_column(Boolean, default=False)
    default: Mapped[Any] = mapped_column(JSONType, nullable=True)
    help_text: Mapped[str] = mapped_column(Text, default="")
    #: Data dictionary key that supplies the options of select fields.
    dictionary: Mapped[str | None] = mapped_column(String(60))
    import_aliases: Mapped[list[str]] = mapped_column(JSONType, default=list)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Lists sort and filter by it through an expression index (services/records/field_index.py).
    indexed: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class DictionaryItem(Base):
    """One option of a data dictionary (数据字典), e.g. follow-up kinds, customer levels."""

    __tablename__ = "dictionary_items"
    __table_args__ = (UniqueConstraint("dictionary", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dictionary: Mapped[str] = mapped_column(String(60), index=True)
    value: Mapped[str] = mapped_column(String(100))
    label: Mapped[str] = mapped_column(String(100))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class FieldPermission(Base):
    """A role's access to one field: editable (default when absent) · read-only · hidden."""

    __tablename__ = "field_permissions"

    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True)
    entity: Mapped[str] = mapped_column(String(50), primary_key=True)
    field: Mapped[str] = mapped_column(String(100), primary_key=True)
    access: Mapped[str] = mapped_column(String(10))


class SavedView(Base):
    """A user's saved view (场景): a filter, sort and columns for one module's list."""

    __tablename__ = "saved_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    entity: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(100))
    #: {"match": "all"|"any", "conditions": [{"field", "op", "value"}...]}
    filter: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    sort: Mapped[str] = mapped_column(String(100), default="updated_at")
    descending: Mapped[bool] = mapped_column(Boolean, default=True)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)


class ColumnPreference(Base):
    """Which list columns a user shows, in which order and width."""

    __tablename__ = "column_preferences"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    entity: Mapped[str] = mapped_column(String(50), primary_key=True)
    #: [{"field": "name", "width": 180}, ...] in display order
    columns: Mapped[list[dict[str, Any]]] = mapped_column(JSONType, default=list)


class Star(Base):
    """A record starred by a user (the "starred" built-in view)."""

    __tablename__ = "stars"

    entity: Mapped[str] = mapped_column(String(50), primary_key=True)
    record_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)


class Attachment(Base):
    """A file kept in the database so every PC on the LAN sees it."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(50))
    record_id: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    mime_type: Mapped[str] = mapped_column(String(100), default="application/octet-stream")
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (
        Index("ix_attachments_entity_record", "entity", "record_id"),
    )


class AttachmentBlob(Base):
    """The bytes, apart from the metadata so that listing attachments never loads them."""

    __tablename__ = "attachment_blobs"

    attachment_id: Mapped[int] = mapped_column(ForeignKey("attachments.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
