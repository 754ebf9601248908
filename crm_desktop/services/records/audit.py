"""Writing and reading the audit log (操作记录)."""
from __future__ import annotations

import datetime as dt
import decimal
import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_desktop.models import AuditChange, AuditEntry, User


def jsonable(value: Any) -> Any:
    """A value as the audit log stores it (JSON): Decimal and dates become exact strings."""
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    return value


def write_audit(
    session: Session,
    *,
    entity: str,
    record_id: int,
    action: str,
    actor_id: int | None,
    changes: Mapping[str, tuple[Any, Any]],
    version: int | None = None,
) -> AuditEntry:
    """Add one audit entry with a line per field (old → new), in the caller's transaction."""
    entry = AuditEntry(entity=entity, record_id=record_id, action=action, actor_id=actor_id, version=version)
    entry.changes = [
        AuditChange(field=name, old=jsonable(old), new=jsonable(new)) for name, (old, new) in changes.items()
    ]
    session.add(entry)
    return entry


@dataclass(frozen=True)
class FieldChangeDTO:
    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class AuditEntryDTO:
    id: int
    entity: str
    record_id: int
    action: str
    actor_id: int | None
    actor_name: str
    at: dt.datetime
    version: int | None
    changes: tuple[FieldChangeDTO, ...]


def read_entries(session: Session, *, entity: str, record_id: int) -> list[AuditEntryDTO]:
    """The record's history, oldest first. Callers check permission and scope first."""
    rows = session.execute(
        select(AuditEntry, User.name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.entity == entity, AuditEntry.record_id == record_id)
        .order_by(AuditEntry.id)
    ).all()
    return [
        AuditEntryDTO(
            id=e.id,
            entity=e.entity,
            record_id=e.record_id,
            action=e.action,
            actor_id=e.actor_id,
            actor_name=name or "",
            at=e.at,
            version=e.version,
            changes=tuple(FieldChangeDTO(c.field, c.old, c.new) for c in e.changes),
        )
        for e, name in rows
    ]


def values_at_version(
    session: Session, *, entity: str, record_id: int, version: int, current: Mapping[str, Any]
) -> dict[str, Any]:
    """Reconstruct field values as they were at ``version`` from the current values and the
    log: the oldest change after that version holds each field's value at that time."""
    result = {k: jsonable(v) for k, v in current.items()}
    later = session.execute(
        select(AuditChange.field, AuditChange.old)
        .join(AuditEntry, AuditEntry.id == AuditChange.entry_id)
        .where(
            AuditEntry.entity == entity,
            AuditEntry.record_id == record_id,
            AuditEntry.version > version,
        )
        .order_by(AuditEntry.version.desc(), AuditChange.id.desc())
    ).all()
    for name, old in later:  # newest first, so the oldest change wins
        if name in result:
            result[name] = old
    return result
