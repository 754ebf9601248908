"""Organisation and security: company settings, departments, users, roles."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm_desktop.models.base import Base, JSONType, UTCDateTime, utcnow


class Setting(Base):
    """Company-wide settings (company name, security options) as key → JSON value."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[object] = mapped_column(JSONType, nullable=True)


class CacheSignal(Base):
    """A token that database triggers replace whenever what it guards changes.

    ``security`` guards what an actor and a field schema are built from (users, roles, their
    grants, custom fields, field permissions): a process may keep those in memory while the
    token it read at the start of a unit of work is unchanged (services/security_cache.py).
    Triggers, not service code, replace it, so no write path (another PC on the LAN, an
    import, a script) can forget to.
    """

    __tablename__ = "cache_signals"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    token: Mapped[str] = mapped_column(String(40))


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT"), index=True
    )
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


user_roles = Table(
    "user_roles",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("role_id", ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Role(Base):
    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    #: The super administrator role: all permissions, all data, not editable or deletable.
    is_super: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    permissions: Mapped[list[RolePermission]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )
    scopes: Mapped[list[RoleDataScope]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class RolePermission(Base):
    """One granted operation: module × action."""

    __tablename__ = "role_permissions"

    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True)
    module: Mapped[str] = mapped_column(String(50), primary_key=True)
    action: Mapped[str] = mapped_column(String(50), primary_key=True)


class RoleDataScope(Base):
    """The data scope a role gives on one module (see services.permissions.DataScope)."""

    __tablename__ = "role_data_scopes"

    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), primary_key=True)
    module: Mapped[str] = mapped_column(String(50), primary_key=True)
    scope: Mapped[str] = mapped_column(String(30))
    #: The departments of a custom scope (自定义); empty for every other scope.
    departments: Mapped[list[RoleScopeDepartment]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="RoleScopeDepartment.department_id"
    )


class RoleScopeDepartment(Base):
    """One department a role's custom data scope covers on one module.

    A row per department (not a JSON list) so the database keeps the ids honest: a role
    cannot name a department that does not exist, and deleting a department (only an empty
    one can be) drops it from every custom scope (ON DELETE CASCADE). Triggers replace the
    security token on every change (migration 0010), like the other grant tables.
    """

    __tablename__ = "role_scope_departments"
    __table_args__ = (
        ForeignKeyConstraint(
            ["role_id", "module"], ["role_data_scopes.role_id", "role_data_scopes.module"], ondelete="CASCADE"
        ),
    )

    role_id: Mapped[int] = mapped_column(primary_key=True)
    module: Mapped[str] = mapped_column(String(50), primary_key=True)
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class User(Base):
    """A person who logs in. Never deleted, only disabled, so their records keep an owner."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("mobile"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mobile: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(100))
    # Deferred: read only where a password is checked (auth). On a secure server a user's own
    # database role may not read it, and every other load of a user must not ask for it.
    password_hash: Mapped[str] = mapped_column(String(255), deferred=True)
    gender: Mapped[str] = mapped_column(String(10), default="")
    email: Mapped[str] = mapped_column(String(255), default="")
    department_id: Mapped[int] = mapped_column(
        ForeignKey("departments.id", ondelete="RESTRICT"), index=True
    )
    position: Mapped[str] = mapped_column(String(100), default="")
    superior_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    roles: Mapped[list[Role]] = relationship(secondary=user_roles, lazy="selectin")


class LoginFailure(Base):
    """Failed logins of a mobile number that has no account, counted like a user's.

    Without it the sixth wrong password of a real account answered "locked" and an unknown
    number never did: five guesses told an attacker who has an account. The number is kept
    only as a digest, so the table does not collect what strangers typed."""

    __tablename__ = "login_failures"

    mobile_digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_failed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
