"""The sending side of live refresh: every committed unit of work announces the records its
events named, on the live channel (PostgreSQL only; SQLite clients poll ``data_version``).

Why inside the transaction and not after it: PostgreSQL queues a NOTIFY with the transaction
that issued it and delivers it exactly when that transaction commits (and never if it rolls
back). So the note is atomic with the data: no listener hears of a change it cannot read yet,
no change goes unannounced because the process died between COMMIT and a second statement,
and the version read in the same transaction is the one committed. Sending after commit would
need a second round trip on another (or a re-checked-out) connection and could lose the note.

How: an ``in_transaction`` bus subscriber collects (entity, id, actor) per session as events
are recorded, and a ``before_commit`` hook on the session factory reads the versions and
issues ``pg_notify`` in that same transaction. Wired by ``crm_desktop.bootstrap`` only.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from crm_desktop.db import Database
from crm_desktop.live.notes import CHANNEL, ChangeNote
from crm_desktop.services.events import DomainEvent
from crm_desktop.services.records.registry import RECORD_SERVICES

#: session.info key of the records a transaction changed: (entity, id) → actor id.
_PENDING = "crm_live_pending"
#: PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; ours are far shorter.
MAX_PAYLOAD = 7999
#: More records of one entity in one transaction than this are announced as one note with
#: record id 0 ("several of these changed"), which every view already reads as "reload".
MAX_NOTES_PER_ENTITY = 100


def attach(database: Database) -> None:
    """Announce, on commit, the records named by the events of ``database``'s units of work.

    Call once per open database, before it is shared with other threads (bootstrap does).
    Does nothing on SQLite (no NOTIFY there).
    """
    if database.backend != "postgresql" or database.bus is None:
        return
    client_id = database.client_id

    def collect(evt: DomainEvent, uow: Any) -> None:
        pending: dict[tuple[str, int], int] = uow.session.info.setdefault(_PENDING, {})
        pending[(evt.entity, evt.record_id)] = evt.actor_id or 0

    def before_commit(session: Session) -> None:
        pending: dict[tuple[str, int], int] | None = session.info.pop(_PENDING, None)
        if not pending:
            return
        session.flush()  # the versions read below are the ones this commit writes
        notes: list[ChangeNote] = []
        counts: dict[str, int] = {}
        for entity, _record_id in pending:
            counts[entity] = counts.get(entity, 0) + 1
        bulk = {entity for entity, n in counts.items() if n > MAX_NOTES_PER_ENTITY}
        for entity in bulk:  # an import or a bulk transfer: one note, "many of these changed"
            actor_id = next(a for (e, _r), a in pending.items() if e == entity)
            notes.append(ChangeNote(entity, 0, 0, actor_id, client_id))
        single = {key: actor_id for key, actor_id in pending.items() if key[0] not in bulk}
        versions = _versions(session, single)
        for (entity, record_id), actor_id in single.items():
            notes.append(ChangeNote(entity, record_id, versions.get((entity, record_id), 0), actor_id, client_id))
        if notes:  # one statement, however many notes: a save of 40 records is not 40 round trips
            session.execute(text("SELECT pg_notify(:channel, p) FROM unnest(CAST(:payloads AS text[])) AS p"),
                            {"channel": CHANNEL, "payloads": [note.payload()[:MAX_PAYLOAD] for note in notes]})

    def after_rollback(session: Session) -> None:
        session.info.pop(_PENDING, None)

    database.bus.subscribe(collect, phase="in_transaction")
    event.listen(database.sessions, "before_commit", before_commit)
    event.listen(database.sessions, "after_soft_rollback", lambda session, _tx: after_rollback(session))


def _versions(session: Session, pending: dict[tuple[str, int], int]) -> dict[tuple[str, int], int]:
    """The current version of each named record that has one (one query per entity)."""
    by_entity: dict[str, list[int]] = {}
    for entity, record_id in pending:
        by_entity.setdefault(entity, []).append(record_id)
    found: dict[tuple[str, int], int] = {}
    for entity, ids in by_entity.items():
        service = RECORD_SERVICES.get(entity)
        model = getattr(service, "model", None)
        if model is None or not hasattr(model, "version"):
            continue
        for record_id, version in session.execute(select(model.id, model.version).where(model.id.in_(ids))):
            found[(entity, record_id)] = version
    return found
