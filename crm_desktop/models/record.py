"""What every business record shares: owner, creator, times, version, recycle bin, custom
fields, and the team (相关团队) that can see a record regardless of data scope."""
from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from crm_desktop.models.base import Base, JSONType, UTCDateTime, utcnow


class RecordMixin:
    """Base columns of a business record.

    ``version`` is SQLAlchemy's version counter: every UPDATE says ``WHERE version = :seen``,
    so two saves of the same version can never both succeed (optimistic locking).
    """

    #: The module key used for permissions, data scope, team and audit (e.g. "customer").
    entity: ClassVar[str]

    id: Mapped[int] = mapped_column(primary_key=True)

    @declared_attr
    def owner_id(cls) -> Mapped[int | None]:
        # None only for customers waiting in a public pool; every other record has an owner.
        return mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)

    @declared_attr
    def creator_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: Set when the record is in the recycle bin; lists exclude it, restore clears it.
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)

    @declared_attr
    def deleted_by_id(cls) -> Mapped[int | None]:
        return mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    custom: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


class TeamMember(Base):
    """A user added to a record's team: sees it (read) or may also edit it (write)."""

    __tablename__ = "team_members"

    entity: Mapped[str] = mapped_column(String(50), primary_key=True)
    record_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    access: Mapped[str] = mapped_column(String(10), default="read")
    added_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
