"""What travels on the live channel: short notes that name records, never their data.

PostgreSQL delivers a NOTIFY to every connected session of the database, whatever its role,
so a note carries only what any user may know: which record changed (``entity:id:version``),
who acted (a user id) and which open database sent it (a random client id, so a client skips
its own notes). The receiver reads the record itself, through the services and their scope
filter.

Formats (":"-separated; entity names never contain ":" or start with "@"):

- change:   ``entity:id:version:actor_id:client_id``
- presence: ``@state:entity:id:user_id:client_id`` with state ``editing`` (also the heartbeat)
  or ``closed``.
"""
from __future__ import annotations

from dataclasses import dataclass

#: The one LISTEN/NOTIFY channel of a CRM database.
CHANNEL = "crm_live"
EDITING = "editing"
CLOSED = "closed"


@dataclass(frozen=True)
class ChangeNote:
    """A committed change of one record. ``entity`` "*" means "anything may have changed"
    (SQLite's data_version moved, or notes were missed while the server was away)."""

    entity: str
    record_id: int
    version: int = 0
    actor_id: int = 0
    client_id: str = ""

    def payload(self) -> str:
        return f"{self.entity}:{self.record_id}:{self.version}:{self.actor_id}:{self.client_id}"


@dataclass(frozen=True)
class PresenceNote:
    """User ``user_id`` (on client ``client_id``) has record ``entity:record_id`` open for
    editing (``state`` EDITING, repeated as a heartbeat) or closed it (CLOSED)."""

    state: str
    entity: str
    record_id: int
    user_id: int
    client_id: str

    def payload(self) -> str:
        return f"@{self.state}:{self.entity}:{self.record_id}:{self.user_id}:{self.client_id}"


Note = ChangeNote | PresenceNote


def parse(payload: str) -> Note | None:
    """The note in ``payload``; None for anything malformed (a foreign or newer sender)."""
    parts = payload.split(":")
    try:
        if payload.startswith("@") and len(parts) == 5:
            state = parts[0][1:]
            if state not in (EDITING, CLOSED):
                return None
            return PresenceNote(state, parts[1], int(parts[2]), int(parts[3]), parts[4])
        if len(parts) == 5 and parts[0] and not parts[0].startswith("@"):
            return ChangeNote(parts[0], int(parts[1]), int(parts[2]), int(parts[3]), parts[4])
    except ValueError:
        return None
    return None
