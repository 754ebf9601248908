"""Spreadsheet imports (issue 14): each import's batch record, what it wrote (for undo) and
the column mappings people chose (remembered per user for the same set of headers)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from crm_desktop.models.base import Base, JSONType, UTCDateTime, utcnow


class ImportBatch(Base):
    """One import. ``rows_done`` counts the source rows whose transaction committed, so a
    crash or kill -9 leaves a batch that says how far it got (resume or undo it)."""

    __tablename__ = "import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(50))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    file_name: Mapped[str] = mapped_column(String(500), default="")
    #: Where the file was read from (a resume reads it again; its digest must still match).
    file_path: Mapped[str] = mapped_column(Text, default="")
    file_digest: Mapped[str] = mapped_column(String(64), default="")
    sheet: Mapped[str] = mapped_column(String(200), default="")
    #: running · done · failed · interrupted · undone
    status: Mapped[str] = mapped_column(String(20), default="running")
    #: The import's options and column mapping, as given (a resume re-runs them).
    options: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    total_rows: Mapped[int] = mapped_column(Integer, default=0)
    rows_done: Mapped[int] = mapped_column(Integer, default=0)
    created_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_count: Mapped[int] = mapped_column(Integer, default=0)
    skipped_count: Mapped[int] = mapped_column(Integer, default=0)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Touched by every committed chunk: a "running" batch whose heartbeat is old was killed.
    heartbeat_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    undone_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    message: Mapped[str] = mapped_column(Text, default="")


class ImportBatchRow(Base):
    """A record an import created or updated: undo deletes the first and restores ``before``
    on the second (unless its version moved on since: someone changed it)."""

    __tablename__ = "import_batch_rows"
    __table_args__ = (Index("ix_import_batch_rows_batch", "batch_id", "entity"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batches.id", ondelete="CASCADE"))
    entity: Mapped[str] = mapped_column(String(50))
    record_id: Mapped[int] = mapped_column(Integer)
    #: create · update
    action: Mapped[str] = mapped_column(String(10))
    source_row: Mapped[int] = mapped_column(Integer, default=0)
    #: update: the changed fields' old values (JSON-able); custom fields under "custom".
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONType, nullable=True)
    #: The record's version right after the import wrote it.
    version: Mapped[int] = mapped_column(Integer, default=1)


class ImportMapping(Base):
    """A user's column mapping for one module and one set of headers."""

    __tablename__ = "import_mappings"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    entity: Mapped[str] = mapped_column(String(50), primary_key=True)
    signature: Mapped[str] = mapped_column(String(64), primary_key=True)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    saved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
