"""SQLAlchemy models, one module per domain. Importing this package registers them all."""
from __future__ import annotations

from crm_desktop.models.audit import AuditChange, AuditEntry
from crm_desktop.models.base import Base, JSONType, UTCDateTime, utcnow
from crm_desktop.models.customer import Customer
from crm_desktop.models.org import Department, Role, RoleDataScope, RolePermission, Setting, User, user_roles
from crm_desktop.models.record import RecordMixin, TeamMember

__all__ = [
    "AuditChange", "AuditEntry", "Base", "Customer", "Department", "JSONType", "RecordMixin",
    "Role", "RoleDataScope", "RolePermission", "Setting", "TeamMember", "User", "UTCDateTime",
    "user_roles", "utcnow",
]
