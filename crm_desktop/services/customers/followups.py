"""Follow-up records (跟进记录) on leads, customers, contacts, opportunities and contracts, and
the due-today list.

Promises (permission first, the one data-scope filter, one unit of work, audit and events;
thread rule: any thread):

- ``add_followup`` needs followup "create" and a target (lead, customer, contact, opportunity
  or contract: seed 004 lists 跟进记录 on all of them) the actor can see — whoever can see the
  target can see and add its follow-ups; the follower owns the follow-up. ``kind`` comes from the "followup_kind" data
  dictionary (enabled items), or from ``BUILTIN_KINDS`` while that dictionary has no items.
  ``content`` is required, ``followed_at`` defaults to now, ``next_contact_at`` must be later.
- In the same transaction the target's summary (last_followup_at / last_followup_content /
  next_contact_at; leads, customers and contacts have one, ``SUMMARY_TARGETS``) follows the
  newest follow-up, and a lead in status "new" becomes
  "following". The summary is derived data, so it does not make a new version of the target
  (someone editing the customer meanwhile does not get a conflict); it is still audited on the
  target as "followup". Events: RecordCreated (the follow-up), FollowUpAdded (on the target),
  StatusChanged (a lead that became "following").
- Automation, in the same transaction, in that order of events: the follow-up's own "created"
  rules, then (after the summary changed) "followup_added" on the target, whose rules see the
  follow-up as ``followup.content``, ``followup.kind``, … (see crm_desktop.automation.engine),
  then "status_changed" on a lead that became "following". A failing rule fails the add.
- Adding (and recycling or restoring) a follow-up commutes with other changes of its target:
  the target's row is locked and read again before its summary is written, and a stale row
  or a deadlock makes the whole add run again (``uow.retrying``) instead of failing. Two
  people adding follow-ups to one customer at the same moment both succeed.
- Follow-ups are not edited; one added by mistake goes to the recycle bin (the summary then
  falls back to the newest remaining one).
- ``list_followups``: the follow-ups of a target the actor can see, by anyone, newest first.
- ``due_followups``: the actor's own leads, customers and contacts whose next contact falls on
  a given local day (the to-do list and its count).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, tuple_, update

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import DictionaryItem, FollowUp, Lead, User, utcnow
from crm_desktop.services.customers.contacts import contacts
from crm_desktop.services.customers.customers import (
    customers,
    insert_record,
    load_for,
    to_dto,
)
from crm_desktop.services.customers.leads import leads
from crm_desktop.services.errors import NotFound, RuleViolation, ValidationError
from crm_desktop.services.events import (
    FollowUpAdded,
    RecordDeleted,
    RecordRestored,
    StatusChanged,
)
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.org.scope import editable_filter, visible_filter
from crm_desktop.services.records import audit
from crm_desktop.services.records.records import (
    PAGE_SIZE,
    Page,
    RecordDTO,
    RecordService,
)
from crm_desktop.services.records.schema import Access
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.services.sales.opportunities import opportunities
from crm_desktop.services.uow import UnitOfWork, read_only, retrying, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

FIELDS = ("target_entity", "target_id", "kind", "content", "followed_at", "next_contact_at")
KIND_DICTIONARY = "followup_kind"
#: Used while the "followup_kind" dictionary has no items (value → English label, context "fields").
BUILTIN_KINDS: dict[str, str] = {
    "phone": QT_TRANSLATE_NOOP("fields", "Phone"),
    "email": QT_TRANSLATE_NOOP("fields", "E-mail"),
    "visit": QT_TRANSLATE_NOOP("fields", "Visit"),
    "sms": QT_TRANSLATE_NOOP("fields", "SMS"),
    "wechat": QT_TRANSLATE_NOOP("fields", "WeChat"),
    "other": QT_TRANSLATE_NOOP("fields", "Other"),
}
#: The records that take follow-ups, with their services.
TARGETS: dict[str, RecordService[Any]] = {"lead": leads, "customer": customers, "contact": contacts,
                                          "opportunity": opportunities, "contract": contracts}
#: The targets with a follow-up summary (their lists sort by it, the to-do list and the pool's
#: recycle rules read it); an opportunity's or contract's follow-ups are only listed.
SUMMARY_TARGETS = ("lead", "customer", "contact")
SUMMARY_FIELDS = ("last_followup_at", "last_followup_content", "next_contact_at")
_BAD_TARGET = QT_TRANSLATE_NOOP("errors", "Choose a lead, customer, contact, opportunity or contract.")


@dataclass(frozen=True)
class DueItem:
    entity: str
    record_id: int
    name: str
    next_contact_at: dt.datetime
    last_followup_content: str


class FollowUpService(RecordService[FollowUp]):
    """get / delete / restore / operation_log of follow-ups; adding goes through add_followup."""

    def create(
        self, db: Database, actor: Actor, values: Mapping[str, Any], *, owner_id: int | None = None,
        custom: Mapping[str, Any] | None = None,
    ) -> RecordDTO:
        """The generic form's entry point: the same rules as ``add_followup`` (the follower owns it)."""
        if owner_id not in (None, actor.user_id):  # refused, not silently dropped
            raise ValidationError({"owner_id": QT_TRANSLATE_NOOP(
                "errors", "A follow-up belongs to whoever records it.")})
        unknown = set(values) - set(FIELDS)
        if unknown:
            raise ValidationError({f: QT_TRANSLATE_NOOP("errors", "Unknown field.") for f in sorted(unknown)})
        if values.get("target_entity") not in TARGETS or not isinstance(values.get("target_id"), int):
            raise ValidationError({"target_entity": _BAD_TARGET})
        return add_followup(db, actor, **{k: v for k, v in values.items() if k in FIELDS})

    def update(
        self, db: Database, actor: Actor, record_id: int, *, expected_version: int, changes: Mapping[str, Any]
    ) -> RecordDTO:
        raise RuleViolation(QT_TRANSLATE_NOOP(
            "errors", "A follow-up cannot be edited. Move it to the recycle bin and add a new one."
        ))

    def delete(self, db: Database, actor: Actor, record_id: int) -> None:
        """Move a follow-up to the recycle bin; its target's summary falls back to the newest left."""
        self._set_deleted(db, actor, record_id, deleted=True)

    def restore(self, db: Database, actor: Actor, record_id: int) -> RecordDTO:
        return self._set_deleted(db, actor, record_id, deleted=False)

    @retrying(commutative=True)
    def _set_deleted(self, db: Database, actor: Actor, record_id: int, *, deleted: bool) -> RecordDTO:
        with unit_of_work(db, actor) as uow:
            assert uow.actor is not None
            require(uow.actor, "followup", "delete")
            row = uow.session.scalar(select(FollowUp).where(
                FollowUp.id == record_id, FollowUp.deleted_at.is_(None) if deleted else FollowUp.deleted_at.is_not(None),
                editable_filter(FollowUp, uow.actor),
            ))
            if row is None:
                raise NotFound("followup", record_id)
            old = row.deleted_at
            row.deleted_at, row.deleted_by_id = (utcnow(), uow.actor.user_id) if deleted else (None, None)
            uow.session.flush()
            audit.write_audit(
                uow.session, entity="followup", record_id=row.id, action="delete" if deleted else "restore",
                actor_id=uow.actor.user_id, changes={"deleted_at": (old, row.deleted_at)}, version=row.version,
            )
            event = RecordDeleted if deleted else RecordRestored
            uow.add_event(event("followup", row.id, uow.actor.user_id))
            refresh_summary(uow, row.target_entity, row.target_id)
            return to_dto(uow, self, row)


followups = FollowUpService(FollowUp, fields=FIELDS, required=("content",))


# --- kinds ------------------------------------------------------------------------------


def kinds_in(session: Any) -> dict[str, str]:
    rows = session.execute(
        select(DictionaryItem.value, DictionaryItem.label, DictionaryItem.enabled)
        .where(DictionaryItem.dictionary == KIND_DICTIONARY)
        .order_by(DictionaryItem.sort_order, DictionaryItem.id)
    ).all()
    if not rows:
        return dict(BUILTIN_KINDS)
    return {value: label for value, label, enabled in rows if enabled}


def followup_kinds(db: Database, actor: Actor) -> list[tuple[str, str]]:
    """(value, label) of the kinds a follow-up may have, in dictionary order. Built-in labels
    are English sources for tr(); dictionary labels are what the administrator typed."""
    with read_only(db, actor) as uow:
        return list(kinds_in(uow.session).items())


# --- adding -------------------------------------------------------------------------------


def _check(
    session: Any, target_entity: str, content: str, kind: str, followed_at: dt.datetime,
    next_contact_at: dt.datetime | None,
) -> None:
    errors: dict[str, str] = {}
    if target_entity not in TARGETS:
        errors["target_entity"] = _BAD_TARGET
    if not content.strip():
        errors["content"] = QT_TRANSLATE_NOOP("errors", "Required.")
    if kind not in kinds_in(session):
        errors["kind"] = QT_TRANSLATE_NOOP("errors", "Enter a valid value for this field.")
    for name, value in (("followed_at", followed_at), ("next_contact_at", next_contact_at)):
        if value is not None and (not isinstance(value, dt.datetime) or value.tzinfo is None):
            errors[name] = QT_TRANSLATE_NOOP("errors", "Enter a valid value for this field.")
    if not errors and next_contact_at is not None and next_contact_at <= followed_at:
        errors["next_contact_at"] = QT_TRANSLATE_NOOP("errors", "The next contact must be later than this follow-up.")
    if errors:
        raise ValidationError(errors)


@retrying(commutative=True)
def add_followup(
    db: Database, actor: Actor, *, target_entity: str, target_id: int, content: str, kind: str = "phone",
    followed_at: dt.datetime | None = None, next_contact_at: dt.datetime | None = None,
) -> RecordDTO:
    """Record a follow-up on a lead, customer, contact, opportunity or contract and update its
    summary (see module doc)."""
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "followup", "create")
        row = insert_followup(uow, target_entity=target_entity, target_id=target_id, content=content, kind=kind,
                              followed_at=followed_at, next_contact_at=next_contact_at, owner_id=uow.actor.user_id)
        return to_dto(uow, followups, row)


def insert_followup(
    uow: UnitOfWork, *, target_entity: str, target_id: int, content: str, kind: str = "phone",
    followed_at: dt.datetime | None = None, next_contact_at: dt.datetime | None = None, owner_id: int,
) -> FollowUp:
    """``add_followup`` inside the caller's unit of work (an import writes many in one), owned
    by ``owner_id``; the caller checked the permission to create follow-ups."""
    assert uow.actor is not None
    when = followed_at or utcnow()
    _check(uow.session, target_entity, content, kind, when, next_contact_at)
    service = TARGETS[target_entity]
    require(uow.actor, target_entity, "view")
    target = load_for(uow, service, target_id, for_edit=False)
    if isinstance(target, Lead) and target.status == "converted":
        raise RuleViolation(QT_TRANSLATE_NOOP(
            "errors", "This lead was converted to a customer: add follow-ups to the customer instead."
        ))
    values = {
        "target_entity": target_entity, "target_id": target_id, "kind": kind, "content": content.strip(),
        "followed_at": when, "next_contact_at": next_contact_at,
    }
    row: FollowUp = insert_record(uow, followups, values, owner_id=owner_id)  # its "created" rules run
    # The summary first, so that the target's followup_added rules see it.
    changed = refresh_summary(uow, target_entity, target_id, announce=False)
    if "status" in changed and (target := uow.session.get(service.model, target_id)) is not None:
        uow.session.refresh(target)  # the summary was written with a bulk UPDATE
    uow.add_event(FollowUpAdded(
        target_entity, target_id, uow.actor.user_id, followup_id=row.id, kind=kind, content=row.content,
        followed_at=audit.jsonable(when), next_contact_at=audit.jsonable(next_contact_at),
    ))
    if "status" in changed:
        _announce_status(uow, target_entity, target_id, changed["status"])
    return row


def refresh_summary(uow: UnitOfWork, target_entity: str, target_id: int, *,
                     announce: bool = True) -> dict[str, tuple[Any, Any]]:
    """Make the target's summary match its newest live follow-up; a "new" lead that has one
    becomes "following" (StatusChanged, unless ``announce`` is False: the caller records it).
    Audited on the target as "followup"; does not bump its version. Returns what changed
    (field → (old, new))."""
    assert uow.actor is not None
    if target_entity not in SUMMARY_TARGETS:
        return {}
    model = TARGETS[target_entity].model
    target = uow.session.get(model, target_id)
    if target is None:
        return {}
    # Lock the row and read it again. Not a locked get(): of a row already loaded that
    # compares versions and raises StaleDataError when anyone edited the record meanwhile,
    # though the summary does not depend on the version (refresh does not compare).
    uow.session.refresh(target, with_for_update=True)
    newest = uow.session.scalar(
        select(FollowUp).where(
            FollowUp.target_entity == target_entity, FollowUp.target_id == target_id, FollowUp.deleted_at.is_(None),
        ).order_by(FollowUp.followed_at.desc(), FollowUp.id.desc()).limit(1)
    )
    wanted: dict[str, Any] = {
        "last_followup_at": newest.followed_at if newest else None,
        "last_followup_content": newest.content if newest else "",
        "next_contact_at": newest.next_contact_at if newest else None,
    }
    if isinstance(target, Lead) and target.status == "new" and newest is not None:
        wanted["status"] = "following"
    diff = {
        f: (getattr(target, f), v) for f, v in wanted.items() if audit.jsonable(getattr(target, f)) != audit.jsonable(v)
    }
    if not diff:
        return diff
    # A bulk UPDATE leaves the version alone: the summary is not an edit of the record.
    uow.session.execute(
        update(model).where(model.id == target_id).values({f: new for f, (_old, new) in diff.items()})
    )
    audit.write_audit(
        uow.session, entity=target_entity, record_id=target_id, action="followup", actor_id=uow.actor.user_id,
        changes=diff, version=target.version,
    )
    if "status" in diff and announce:
        _announce_status(uow, target_entity, target_id, diff["status"])
    return diff


def _announce_status(uow: UnitOfWork, target_entity: str, target_id: int, change: tuple[Any, Any]) -> None:
    assert uow.actor is not None
    uow.add_event(StatusChanged(target_entity, target_id, uow.actor.user_id, field_name="status", old=change[0],
                                new=change[1]))


# --- reading ------------------------------------------------------------------------------


def list_followups(
    db: Database, actor: Actor, *, target_entity: str, target_id: int,
    after: tuple[Any, int] | None = None, limit: int = PAGE_SIZE,
) -> Page:
    """One page of a target's follow-ups, newest first; pass ``next_cursor`` back as ``after``."""
    if target_entity not in TARGETS:
        raise ValidationError({"target_entity": _BAD_TARGET})
    with read_only(db, actor) as uow:
        require(uow.actor, "followup", "view")
        load_for(uow, TARGETS[target_entity], target_id, for_edit=False)
        key = tuple_(FollowUp.followed_at, FollowUp.id)
        query = (
            select(FollowUp, User.name).outerjoin(User, User.id == FollowUp.owner_id)
            .where(FollowUp.target_entity == target_entity, FollowUp.target_id == target_id,
                   FollowUp.deleted_at.is_(None))
        )
        if after is not None:
            query = query.where(key < tuple_(*after))
        rows = uow.session.execute(
            query.order_by(FollowUp.followed_at.desc(), FollowUp.id.desc()).limit(limit + 1)
        ).all()
        more = len(rows) > limit
        rows = rows[:limit]
        cursor = (rows[-1][0].followed_at, rows[-1][0].id) if more and rows else None
        policy = followups.policy(uow.session, uow.actor)
        return Page(rows=tuple(followups.to_dto(r, n or "", policy) for r, n in rows), next_cursor=cursor)


def day_bounds(day: dt.date, tz: dt.tzinfo | None) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the local ``day`` in ``tz`` (None: this computer's zone)."""
    start = dt.datetime.combine(day, dt.time.min)
    end = start + dt.timedelta(days=1)
    if tz is None:  # the computer's own time zone, as the user reads the clock
        return start.astimezone(), end.astimezone()
    return start.replace(tzinfo=tz), end.replace(tzinfo=tz)


def due_followups(db: Database, actor: Actor, *, day: dt.date, tz: dt.tzinfo | None = None) -> list[DueItem]:
    """The actor's own records whose next contact falls on ``day`` (local time unless ``tz``),
    earliest first. Modules the actor cannot view are left out, and so are those whose next
    contact time the actor's field permissions hide; so are converted or invalid leads and
    customers in a pool. A hidden name or summary comes back empty."""
    with read_only(db, actor) as uow:
        return due_in(uow, day=day, tz=tz)


def due_in(uow: UnitOfWork, *, day: dt.date, tz: dt.tzinfo | None = None) -> list[DueItem]:
    """``due_followups`` inside an open unit of work (the to-do counts read it with others)."""
    start, end = day_bounds(day, tz)
    items: list[DueItem] = []
    assert uow.actor is not None
    for entity in SUMMARY_TARGETS:
        service = TARGETS[entity]
        model: Any = service.model
        schema = service.policy(uow.session, uow.actor).schema
        hidden = {f for f, a in schema.access.items() if a is Access.HIDDEN} if schema else set()
        if not uow.actor.can(entity, "view") or "next_contact_at" in hidden:
            continue
        query = select(model.id, model.name, model.next_contact_at, model.last_followup_content).where(
            model.owner_id == uow.actor.user_id, visible_filter(model, uow.actor), service.base_clause(),
            model.next_contact_at >= start, model.next_contact_at < end,
        )
        if model is Lead:
            query = query.where(Lead.status.in_(("new", "following")))
        items += [
            DueItem(entity, i, "" if "name" in hidden else n, at, "" if "last_followup_content" in hidden else c)
            for i, n, at, c in uow.session.execute(query)
        ]
    return sorted(items, key=lambda d: (d.next_contact_at, d.entity, d.record_id))


def count_due(db: Database, actor: Actor, *, day: dt.date, tz: dt.tzinfo | None = None) -> int:
    """How many records ``due_followups`` would list (the to-do badge)."""
    return len(due_followups(db, actor, day=day, tz=tz))
