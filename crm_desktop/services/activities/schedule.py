"""Schedule events (日程): create, read, edit and delete — of a series: this one, this and
following, or all — and the occurrences of a window.

Promises (permission first, the one visibility clause, one unit of work, audit; thread rule:
any thread):

- ``create_event`` needs event "create"; the actor owns it. Times are aware datetimes; an
  all-day event spans whole local days of its zone. ``repeat`` makes it a series (RRULE).
- ``occurrences`` lists what overlaps a UTC window, repeats expanded for that window only
  (``recurrence.expand``); an occurrence is named by (event id, original start).
- ``edit_event`` / ``delete_event`` with ``scope``:
  "all" changes the series (a new start moves every occurrence by the same amount);
  "this" turns one occurrence into an event of its own (the series skips it);
  "following" ends the series before the occurrence and starts a new series there (moved
  and skipped occurrences after it go with the new one).
  They need event "edit" / "delete" and an event the actor owns, created, or whose owner is
  inside their data scope; others' events are answered as missing (or refused when seen).
- ``schedule_next_contact``: "add the next contact to my schedule" — an event about the
  record at its next contact time, with a reminder.
"""
from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from operator import attrgetter
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import Integer, Text, and_, bindparam, or_, select, type_coerce

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import ActivityParticipant, ScheduleEvent, UTCDateTime, utcnow
from crm_desktop.services.activities import recurrence
from crm_desktop.services.activities.common import (
    RELATED_MODELS,
    RelatedRef,
    UserRef,
    check_related,
    check_users,
    fetch_rows,
    links_of,
    participants_of,
    set_links,
    set_participants,
    user_names,
    zone,
)
from crm_desktop.services.activities.recurrence import Repeat
from crm_desktop.services.activities.visibility import event_visible, statement_for
from crm_desktop.services.errors import ConflictError, NotFound, ValidationError
from crm_desktop.services.events import RecordCreated, RecordDeleted, RecordUpdated
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.org.scope import editable_filter, visible_filter
from crm_desktop.services.records import audit
from crm_desktop.services.uow import UnitOfWork, read_only, retrying, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

KINDS = ("meeting", "visit", "call", "followup", "other")
KIND_LABELS: dict[str, str] = {
    "meeting": QT_TRANSLATE_NOOP("schedule", "Meeting"), "visit": QT_TRANSLATE_NOOP("schedule", "Visit"),
    "call": QT_TRANSLATE_NOOP("schedule", "Call"), "followup": QT_TRANSLATE_NOOP("schedule", "Next contact"),
    "other": QT_TRANSLATE_NOOP("schedule", "Other"),
}
#: The calendar's colour of each kind (an event may set its own).
KIND_COLOURS: dict[str, str] = {"meeting": "#3b82f6", "visit": "#10b981", "call": "#f59e0b", "followup": "#8b5cf6",
                                "other": "#6b7280"}
SCOPES = ("this", "following", "all")
#: Reminders are at most this long before the start (the reminder window's reach).
MAX_REMINDER_MINUTES = 30 * 24 * 60
AUDITED = ("title", "description", "location", "kind", "colour", "start_at", "end_at", "all_day", "rrule",
           "reminders", "owner_id")


@dataclass(frozen=True)
class EventInput:
    title: str
    start_at: dt.datetime
    end_at: dt.datetime
    all_day: bool = False
    location: str = ""
    description: str = ""
    kind: str = "meeting"
    colour: str = ""
    participant_ids: tuple[int, ...] = ()
    related: tuple[tuple[str, int], ...] = ()
    #: Minutes before the start (several).
    reminders: tuple[int, ...] = ()
    repeat: Repeat | None = None
    #: IANA zone the event repeats in ("" = this computer's zone).
    tz: str = ""


@dataclass(frozen=True)
class EventDTO:
    id: int
    title: str
    description: str
    location: str
    kind: str
    colour: str
    start_at: dt.datetime
    end_at: dt.datetime
    all_day: bool
    tz: str
    rrule: str
    repeat: Repeat | None
    series_id: int | None
    original_start: dt.datetime | None
    reminders: tuple[int, ...]
    owner_id: int
    owner_name: str
    version: int
    participants: tuple[UserRef, ...] = ()
    related: tuple[RelatedRef, ...] = ()


class Occurrence(NamedTuple):
    """One occurrence on the calendar: ``event_id`` and ``original_start`` name it for edits.
    (A named tuple: a team's month holds thousands, and a tuple is built several times faster
    than a frozen dataclass.)"""

    event_id: int
    title: str
    start: dt.datetime
    end: dt.datetime
    all_day: bool
    location: str
    kind: str
    colour: str
    owner_id: int
    repeating: bool
    original_start: dt.datetime
    reminders: tuple[int, ...] = ()


def _values(data: EventInput) -> dict[str, Any]:
    errors: dict[str, str] = {}
    title = data.title.strip()
    if not title:
        errors["title"] = QT_TRANSLATE_NOOP("errors", "Required.")
    if data.start_at.tzinfo is None or data.end_at.tzinfo is None:
        raise ValueError("naive datetime given where an aware one is required")
    if data.end_at < data.start_at:
        errors["end_at"] = QT_TRANSLATE_NOOP("errors", "The end is before the start.")
    if data.kind not in KINDS:
        errors["kind"] = QT_TRANSLATE_NOOP("errors", "Choose a type.")
    if any(not isinstance(m, int) or not 0 <= m <= MAX_REMINDER_MINUTES for m in data.reminders):
        errors["reminders"] = QT_TRANSLATE_NOOP("errors", "Remind between 0 minutes and 30 days before.")
    if errors:
        raise ValidationError(errors)
    tz = zone(data.tz)
    start, end = data.start_at, data.end_at
    if data.all_day:  # whole local days of the zone
        first = start.astimezone(tz).date()
        last = max(end.astimezone(tz).date(), first)
        if end.astimezone(tz).time() == dt.time() and end.astimezone(tz).date() > first:
            last -= dt.timedelta(days=1)
        start = dt.datetime.combine(first, dt.time(), tzinfo=tz).astimezone(dt.UTC)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), tzinfo=tz).astimezone(dt.UTC)
    text = recurrence.to_rrule(data.repeat, start.astimezone(tz).replace(tzinfo=None)) if data.repeat else ""
    return {"title": title, "description": data.description, "location": data.location.strip(), "kind": data.kind,
            "colour": data.colour or KIND_COLOURS[data.kind], "start_at": start.astimezone(dt.UTC),
            "end_at": end.astimezone(dt.UTC), "all_day": data.all_day, "tz": data.tz, "rrule": text,
            "reminders": sorted(set(data.reminders))}


def _repeat_end(event: ScheduleEvent) -> dt.datetime | None:
    if not event.rrule:
        return event.end_at
    last = recurrence.last_start(event.rrule, event.start_at, zone(event.tz))
    return None if last is None else last + (event.end_at - event.start_at)


def _write(uow: UnitOfWork, event: ScheduleEvent, data: EventInput, values: dict[str, Any]) -> None:
    assert uow.actor is not None
    for k, v in values.items():
        setattr(event, k, v)
    event.repeat_end = _repeat_end(event)
    uow.session.flush()
    owner = event.owner_id
    set_participants(uow.session, "event", event.id,
                     [u for u in check_users(uow.session, data.participant_ids) if u != owner])
    set_links(uow.session, "event", event.id, check_related(uow.session, uow.actor, data.related))


def _insert(uow: UnitOfWork, data: EventInput, *, owner_id: int, extra: dict[str, Any] | None = None) -> ScheduleEvent:
    assert uow.actor is not None
    values = _values(data) | (extra or {})
    event = ScheduleEvent(owner_id=owner_id, creator_id=uow.actor.user_id, custom={}, exdates=[], start_at=values["start_at"],
                          end_at=values["end_at"], title=values["title"])
    uow.session.add(event)
    _write(uow, event, data, values)
    audit.write_audit(uow.session, entity="event", record_id=event.id, action="create", actor_id=uow.actor.user_id,
                      changes={k: (None, getattr(event, k)) for k in AUDITED if getattr(event, k) not in (None, "", [])},
                      version=1)
    uow.add_event(RecordCreated("event", event.id, uow.actor.user_id))
    return event


@retrying()
def create_event(db: Database, actor: Actor, data: EventInput) -> EventDTO:
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "event", "create")
        return _dto(uow, _insert(uow, data, owner_id=uow.actor.user_id))


def _load(uow: UnitOfWork, event_id: int, *, write: bool) -> ScheduleEvent:
    actor = uow.actor
    assert actor is not None
    query = select(ScheduleEvent).where(ScheduleEvent.id == event_id, event_visible(actor))
    if write:
        query = query.where(or_(ScheduleEvent.owner_id == actor.user_id, ScheduleEvent.creator_id == actor.user_id,
                                editable_filter(ScheduleEvent, actor)))
    event = uow.session.scalar(query)
    if event is None:
        raise NotFound("event", event_id)
    return event


def get_event(db: Database, actor: Actor, event_id: int) -> EventDTO:
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "event", "view")
        return _dto(uow, _load(uow, event_id, write=False))


def _snapshot(event: ScheduleEvent) -> dict[str, Any]:
    return {k: getattr(event, k) for k in AUDITED}


def _audit_update(uow: UnitOfWork, event: ScheduleEvent, before: dict[str, Any], action: str = "update") -> None:
    assert uow.actor is not None
    after = _snapshot(event)
    changes = {k: (before[k], after[k]) for k in AUDITED if before[k] != after[k]}
    event.updated_at = utcnow()
    uow.session.flush()
    if changes or action != "update":
        audit.write_audit(uow.session, entity="event", record_id=event.id, action=action, actor_id=uow.actor.user_id,
                          changes=changes, version=event.version)
        uow.add_event(RecordUpdated("event", event.id, uow.actor.user_id,
                                    before={k: v for k, (v, _n) in changes.items()},
                                    after={k: n for k, (_v, n) in changes.items()}))


def _exdates(event: ScheduleEvent) -> list[dt.datetime]:
    return [dt.datetime.fromisoformat(x) for x in event.exdates or ()]


def _check_occurrence(event: ScheduleEvent, occurrence: dt.datetime) -> None:
    tz = zone(event.tz)
    hits = recurrence.expand(event.rrule, event.start_at, tz, dt.timedelta(0),
                             (occurrence, occurrence + dt.timedelta(seconds=1)), _exdates(event))
    if occurrence not in hits:
        raise NotFound("event", event.id)


@retrying()
def edit_event(db: Database, actor: Actor, event_id: int, data: EventInput, *, scope: str = "all",
               occurrence: dt.datetime | None = None, expected_version: int | None = None) -> EventDTO:
    """Change the event (or, of a series, the occurrence starting at UTC ``occurrence``, as
    ``scope`` says); returns the event that now holds the changed occurrence."""
    if scope not in SCOPES:
        raise ValidationError({"scope": QT_TRANSLATE_NOOP("errors", "Choose which occurrences to change.")})
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "event", "edit")
        event = _load(uow, event_id, write=True)
        if expected_version is not None and event.version != expected_version:
            raise ConflictError("event", event.id, conflicts=(), their_version=event.version)
        if not event.rrule or occurrence is None or (scope == "following" and occurrence == event.start_at):
            scope = "all"
        if scope == "all":
            before = _snapshot(event)
            values = _values(data)
            if event.rrule and occurrence is not None:
                # The form shows one occurrence: its new times move the series by as much.
                delta = values["start_at"] - occurrence
                length = values["end_at"] - values["start_at"]
                values["start_at"] = event.start_at + delta
                values["end_at"] = values["start_at"] + length
                if data.repeat is not None:
                    start_local = values["start_at"].astimezone(zone(data.tz)).replace(tzinfo=None)
                    values["rrule"] = recurrence.to_rrule(data.repeat, start_local)
                if delta:
                    event.exdates = [(x + delta).isoformat() for x in _exdates(event)]
            _write(uow, event, data, values)
            _audit_update(uow, event, before)
            return _dto(uow, event)
        _check_occurrence(event, occurrence)  # type: ignore[arg-type]
        assert occurrence is not None
        if scope == "this":
            before = _snapshot(event)
            event.exdates = [*(event.exdates or []), occurrence.isoformat()]
            _audit_update(uow, event, before, action="occurrence_moved")
            single = _insert(uow, replace(data, repeat=None), owner_id=event.owner_id or uow.actor.user_id,
                             extra={"series_id": event.id, "original_start": occurrence, "rrule": "", "tz": event.tz})
            single.series_id, single.original_start = event.id, occurrence
            return _dto(uow, single)
        return _dto(uow, _split(uow, event, occurrence, data))


def _day_before(occurrence: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """The local end of the day before ``occurrence``: a series ends there. (Series repeat at
    most daily, so this is exact, and the end survives the form's "until a day".)"""
    day = occurrence.astimezone(tz).date() - dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(23, 59, 59))


def _split(uow: UnitOfWork, event: ScheduleEvent, occurrence: dt.datetime, data: EventInput) -> ScheduleEvent:
    """End the series before ``occurrence`` and start a new series there with ``data``."""
    tz = zone(event.tz)
    before = _snapshot(event)
    old_text = event.rrule
    done = recurrence.count_before(old_text, event.start_at, tz, occurrence)
    old_repeat = recurrence.parse(old_text)
    event.rrule = recurrence.with_end(old_text, until=_day_before(occurrence, tz))
    event.repeat_end = _repeat_end(event)
    repeat = data.repeat
    if repeat is not None and old_repeat is not None and repeat.count is not None and repeat.count == old_repeat.count:
        # The form showed the series' own "N times": what is left of them goes to the new one.
        repeat = replace(repeat, count=max(repeat.count - done, 1))
    new = _insert(uow, replace(data, repeat=repeat), owner_id=event.owner_id or 0)
    moved = [x for x in _exdates(event) if x >= occurrence]
    event.exdates = [x.isoformat() for x in _exdates(event) if x < occurrence]
    shift = new.start_at - occurrence
    new.exdates = [(x + shift).isoformat() for x in moved]
    for child in uow.session.scalars(select(ScheduleEvent).where(ScheduleEvent.series_id == event.id,
                                                                 ScheduleEvent.original_start >= occurrence)):
        child.series_id = new.id
        child.original_start = child.original_start + shift if child.original_start else None
    _audit_update(uow, event, before, action="series_split")
    return new


@retrying()
def delete_event(db: Database, actor: Actor, event_id: int, *, scope: str = "all",
                 occurrence: dt.datetime | None = None) -> None:
    """Delete the event, or of a series this occurrence / this and following / all."""
    if scope not in SCOPES:
        raise ValidationError({"scope": QT_TRANSLATE_NOOP("errors", "Choose which occurrences to change.")})
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "event", "delete")
        event = _load(uow, event_id, write=True)
        if not event.rrule or occurrence is None or (scope == "following" and occurrence == event.start_at):
            scope = "all"
        before = _snapshot(event)
        if scope == "all":
            now = utcnow()
            for row in [event, *uow.session.scalars(select(ScheduleEvent).where(ScheduleEvent.series_id == event.id))]:
                row.deleted_at, row.deleted_by_id = now, uow.actor.user_id
                uow.add_event(RecordDeleted("event", row.id, uow.actor.user_id))
            audit.write_audit(uow.session, entity="event", record_id=event.id, action="delete",
                              actor_id=uow.actor.user_id, changes={})
            return
        _check_occurrence(event, occurrence)  # type: ignore[arg-type]
        assert occurrence is not None
        if scope == "this":
            event.exdates = [*(event.exdates or []), occurrence.isoformat()]
            _audit_update(uow, event, before, action="occurrence_deleted")
            return
        tz = zone(event.tz)
        event.rrule = recurrence.with_end(event.rrule, until=_day_before(occurrence, tz))
        event.repeat_end = _repeat_end(event)
        now = utcnow()
        for child in uow.session.scalars(select(ScheduleEvent).where(ScheduleEvent.series_id == event.id,
                                                                     ScheduleEvent.original_start >= occurrence)):
            child.deleted_at, child.deleted_by_id = now, uow.actor.user_id
        _audit_update(uow, event, before, action="series_ended")


def window_clause(start: Any, end: Any) -> Any:
    """Events (and series) that can have an occurrence overlapping [start, end).

    ``repeat_end`` is the last occurrence's end (a single event: its end; None: for ever), so
    one test serves both, and the index on (start_at, repeat_end) answers it without reading
    the rows (a zero-length event at the window's start counts too).
    """
    return and_(ScheduleEvent.start_at < end, or_(
        ScheduleEvent.repeat_end.is_(None), ScheduleEvent.repeat_end > start, ScheduleEvent.start_at >= start))


def mine_clause(user_id: Any) -> Any:
    """Events the user owns or takes part in (their own calendar)."""
    return or_(ScheduleEvent.owner_id == user_id, ScheduleEvent.id.in_(select(ActivityParticipant.activity_id).where(
        ActivityParticipant.kind == "event", ActivityParticipant.user_id == user_id)))


@lru_cache(maxsize=8192)
def _json_text(text: str) -> tuple[Any, ...]:
    return tuple(json.loads(text))


def _json_tuple(value: Any) -> tuple[Any, ...]:
    """A JSON list column read as text (``ROW_COLUMNS``), parsed once per distinct value: most
    events share "[]" or "[15]", and parsing each row's copy cost a fifth of a month view.
    (A driver that parses JSON itself hands back the list.)"""
    if isinstance(value, str):
        return _json_text(value)
    return tuple(value or ())


@lru_cache(maxsize=4096)
def _exdate_text(text: str) -> tuple[dt.datetime, ...]:
    return tuple(dt.datetime.fromisoformat(x) for x in json.loads(text))


def _exdate_tuple(value: Any) -> tuple[dt.datetime, ...]:
    if isinstance(value, str):
        return _exdate_text(value)
    return tuple(dt.datetime.fromisoformat(x) for x in value or ())


_BY_START = attrgetter("start", "event_id")


def expand_rows(rows: Sequence[Any], start: dt.datetime, end: dt.datetime) -> list[Occurrence]:
    """The occurrences in [start, end) of event rows (id, title, start_at, end_at, all_day,
    location, kind, colour, owner_id, rrule, tz, exdates, reminders)."""
    out: list[Occurrence] = []
    add = out.append
    for eid, title, first, last, all_day, location, kind, colour, owner, rule, tz, exdates, reminders in rows:
        length = last - first
        owner, reminded = owner or 0, _json_tuple(reminders)
        if not rule:  # most events: no expansion, no exdates to read
            add(Occurrence(eid, title, first, last, all_day, location, kind, colour, owner, False, first, reminded))
            continue
        for s in recurrence.expand(rule, first, zone(tz), length, (start, end), _exdate_tuple(exdates)):
            add(Occurrence(eid, title, s, s + length, all_day, location, kind, colour, owner, True, s, reminded))
    out.sort(key=_BY_START)
    return out


ROW_COLUMNS = (ScheduleEvent.id, ScheduleEvent.title, ScheduleEvent.start_at, ScheduleEvent.end_at,
               ScheduleEvent.all_day, ScheduleEvent.location, ScheduleEvent.kind, ScheduleEvent.colour,
               ScheduleEvent.owner_id, ScheduleEvent.rrule, ScheduleEvent.tz,
               # Read as text, parsed once per distinct value (``_json_tuple``).
               type_coerce(ScheduleEvent.exdates, Text).label("exdates"),
               type_coerce(ScheduleEvent.reminders, Text).label("reminders"))


_LO = bindparam("lo", type_=UTCDateTime())
_HI = bindparam("hi", type_=UTCDateTime())
_WHO = bindparam("who", type_=Integer())


def window_rows(session: Any, actor: Actor, start: dt.datetime, end: dt.datetime, *,
                user_id: int | None = None) -> list[Any]:
    """The visible events (rows of ``ROW_COLUMNS``) that can occur in [start, end); with
    ``user_id`` only that user's own (owned or taking part)."""
    def build(visible: Any) -> Any:
        # The window first: the visibility test then runs on the window's rows only.
        query = select(*ROW_COLUMNS).where(window_clause(_LO, _HI), visible)
        return query.where(mine_clause(_WHO)) if user_id is not None else query

    # A team's month holds thousands of events: the wide form of the visibility test.
    stmt = statement_for(f"window:{user_id is not None}", "event", actor, build, wide=user_id is None)
    return list(fetch_rows(session.connection(), stmt, {"lo": start, "hi": end, "who": user_id}))


def occurrences(db: Database, actor: Actor, start: dt.datetime, end: dt.datetime, *,
                user_id: int | None = None) -> list[Occurrence]:
    """Occurrences overlapping [start, end) of the events the actor sees (``user_id``: only
    that user's own calendar — owned or taking part)."""
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "event", "view")
        return expand_rows(window_rows(uow.session, uow.actor, start, end, user_id=user_id), start, end)


@retrying()
def schedule_next_contact(db: Database, actor: Actor, entity: str, record_id: int, *, at: dt.datetime | None = None,
                          title: str | None = None, minutes_before: int = 15,
                          length: dt.timedelta = dt.timedelta(minutes=30)) -> EventDTO:
    """Put the record's next contact (``at``, default: the record's next contact time) into
    the actor's schedule, with a reminder ``minutes_before``."""
    model = RELATED_MODELS.get(entity)
    if model is None or not hasattr(model, "next_contact_at"):
        raise ValidationError({"related": QT_TRANSLATE_NOOP("errors", "Choose a lead, customer or contact.")})
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "event", "create")
        row = uow.session.execute(select(model.name, model.next_contact_at).where(
            model.id == record_id, visible_filter(model, uow.actor))).one_or_none()
        if row is None:
            raise NotFound(entity, record_id)
        when = at or row.next_contact_at
        if when is None:
            raise ValidationError({"next_contact_at": QT_TRANSLATE_NOOP("errors", "Required.")})
        data = EventInput(title=title or row.name, start_at=when, end_at=when + length, kind="followup",
                          related=((entity, record_id),), reminders=(minutes_before,))
        return _dto(uow, _insert(uow, data, owner_id=uow.actor.user_id))


def _dto(uow: UnitOfWork, event: ScheduleEvent) -> EventDTO:
    assert uow.actor is not None
    uow.session.flush()
    return EventDTO(
        id=event.id, title=event.title, description=event.description, location=event.location, kind=event.kind,
        colour=event.colour, start_at=event.start_at, end_at=event.end_at, all_day=event.all_day, tz=event.tz,
        rrule=event.rrule, repeat=recurrence.parse(event.rrule), series_id=event.series_id,
        original_start=event.original_start, reminders=tuple(event.reminders or ()), owner_id=event.owner_id or 0,
        owner_name=user_names(uow.session, [event.owner_id]).get(event.owner_id or 0, ""), version=event.version,
        participants=participants_of(uow.session, "event", [event.id])[event.id],
        related=links_of(uow.session, uow.actor, "event", [event.id]).get(event.id, ()),
    )


def input_of(event: EventDTO, occurrence: Occurrence | None = None) -> EventInput:
    """The event as an input to edit; of one ``occurrence`` of a series, with its times."""
    start, end = (occurrence.start, occurrence.end) if occurrence else (event.start_at, event.end_at)
    return EventInput(
        title=event.title, start_at=start, end_at=end, all_day=event.all_day, location=event.location,
        description=event.description, kind=event.kind, colour=event.colour,
        participant_ids=tuple(p.user_id for p in event.participants),
        related=tuple((r.entity, r.record_id) for r in event.related), reminders=event.reminders,
        repeat=event.repeat, tz=event.tz)


__all__: Sequence[str] = [
    "KINDS", "KIND_COLOURS", "KIND_LABELS", "ROW_COLUMNS", "SCOPES", "EventDTO", "EventInput", "Occurrence",
    "create_event", "delete_event", "edit_event", "expand_rows", "get_event", "input_of", "mine_clause",
    "occurrences", "schedule_next_contact", "window_clause", "window_rows",
]
