"""What tasks and events share: the records they can be about, participants and links, and
local-time helpers. Thread rule: functions taking a Session run on its thread."""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from dateutil import tz as dateutil_tz
from sqlalchemy import JSON, Connection, delete, select
from sqlalchemy.engine import processors
from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    ActivityLink,
    ActivityParticipant,
    Contact,
    Contract,
    Customer,
    Lead,
    Opportunity,
    User,
)
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.scope import visible_filter
from crm_desktop.services.records.row_values import (
    RAW_ROW_DIALECTS,
    Converter,
    DriverStatement,
    converter,
)
from crm_desktop.services.uow import KeptConnection

T = TypeVar("T")

#: The records a task or an event can be about, with the column that names each.
RELATED_MODELS: dict[str, Any] = {
    "customer": Customer, "contact": Contact, "opportunity": Opportunity, "contract": Contract, "lead": Lead,
}
_NAME_COLUMNS: dict[str, Any] = {
    "customer": Customer.name, "contact": Contact.name, "opportunity": Opportunity.name, "contract": Contract.name,
    "lead": Lead.name,
}


@dataclass(frozen=True)
class RelatedRef:
    entity: str
    record_id: int
    name: str = ""


@dataclass(frozen=True)
class UserRef:
    user_id: int
    name: str


def zone(name: str | None = None) -> dt.tzinfo:
    """The named IANA zone, or this computer's local zone (with its DST rules) for None / ""."""
    if name:
        return ZoneInfo(name)
    return dateutil_tz.tzlocal()


def local_date(moment: dt.datetime, tz: dt.tzinfo) -> dt.date:
    return moment.astimezone(tz).date()


def day_start(day: dt.date, tz: dt.tzinfo) -> dt.datetime:
    """The UTC moment at which ``day`` begins in ``tz``."""
    return dt.datetime.combine(day, dt.time(), tzinfo=tz).astimezone(dt.UTC)


def check_related(session: Session, actor: Actor, related: Iterable[tuple[str, int]]) -> list[tuple[str, int]]:
    """The related records, deduplicated; a kind we do not know or a record the actor cannot
    see is refused the same way (nothing about an out-of-scope record is revealed)."""
    out: list[tuple[str, int]] = []
    for entity, record_id in related:
        model = RELATED_MODELS.get(entity)
        if model is None or not isinstance(record_id, int):
            raise ValidationError({"related": QT_TRANSLATE_NOOP("errors", "Choose a customer, contact, "
                                                                          "opportunity, contract or lead.")})
        seen = session.scalar(select(model.id).where(model.id == record_id, visible_filter(model, actor)))
        if seen is None:
            raise ValidationError({"related": QT_TRANSLATE_NOOP("errors", "The related record does not exist.")})
        if (entity, record_id) not in out:
            out.append((entity, record_id))
    return out


def check_users(session: Session, user_ids: Iterable[int]) -> list[int]:
    ids = sorted({int(u) for u in user_ids})
    if ids:
        found = set(session.scalars(select(User.id).where(User.id.in_(ids), User.enabled.is_(True))))
        if found != set(ids):
            raise ValidationError({"participants": QT_TRANSLATE_NOOP("errors", "Choose enabled users.")})
    return ids


def set_participants(session: Session, kind: str, activity_id: int, user_ids: Sequence[int]) -> None:
    session.execute(delete(ActivityParticipant).where(ActivityParticipant.kind == kind,
                                                      ActivityParticipant.activity_id == activity_id))
    session.add_all(ActivityParticipant(kind=kind, activity_id=activity_id, user_id=u) for u in user_ids)


def set_links(session: Session, kind: str, activity_id: int, related: Sequence[tuple[str, int]]) -> None:
    session.execute(delete(ActivityLink).where(ActivityLink.kind == kind, ActivityLink.activity_id == activity_id))
    session.add_all(ActivityLink(kind=kind, activity_id=activity_id, entity=e, record_id=r) for e, r in related)


def participants_of(session: Session, kind: str, ids: Sequence[int]) -> dict[int, tuple[UserRef, ...]]:
    out: dict[int, list[UserRef]] = {i: [] for i in ids}
    if ids:
        rows = session.execute(
            select(ActivityParticipant.activity_id, User.id, User.name)
            .join(User, User.id == ActivityParticipant.user_id)
            .where(ActivityParticipant.kind == kind, ActivityParticipant.activity_id.in_(ids))
            .order_by(User.name))
        for activity_id, uid, name in rows:
            out[activity_id].append(UserRef(uid, name))
    return {k: tuple(v) for k, v in out.items()}


def links_of(session: Session, actor: Actor, kind: str, ids: Sequence[int]) -> dict[int, tuple[RelatedRef, ...]]:
    """The related records of each activity, named; a record the actor cannot see is listed
    without its name (that an activity is about something is not secret, what it is may be)."""
    out: dict[int, list[RelatedRef]] = {i: [] for i in ids}
    if not ids:
        return {}
    links = session.execute(select(ActivityLink.activity_id, ActivityLink.entity, ActivityLink.record_id)
                            .where(ActivityLink.kind == kind, ActivityLink.activity_id.in_(ids))).all()
    names: dict[tuple[str, int], str] = {}
    for entity in {e for _a, e, _r in links}:
        model = RELATED_MODELS[entity]
        wanted = [r for _a, e, r in links if e == entity]
        for rid, name in session.execute(select(model.id, _NAME_COLUMNS[entity])
                                         .where(model.id.in_(wanted), visible_filter(model, actor))):
            names[(entity, rid)] = name
    for activity_id, entity, rid in links:
        if (entity, rid) in names:
            out[activity_id].append(RelatedRef(entity, rid, names[(entity, rid)]))
    return {k: tuple(v) for k, v in out.items()}


def user_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {uid: name for uid, name in session.execute(select(User.id, User.name).where(User.id.in_(wanted)))}


def dto_maker(cls: type[T]) -> Callable[..., T]:
    """A constructor taking the fields of the frozen dataclass ``cls`` positionally, that makes
    the very object ``cls(*values)`` makes (equal, same hash, repr and pickle) by giving it
    its ``__dict__`` at once: a frozen dataclass's ``__init__`` sets each field through
    ``object.__setattr__``, and for a bucket of twelve-field rows that cost half as much as
    the bucket's query. The code is generated once per class, as ``dataclasses`` generates
    ``__init__``; a class it would not make the same object for is refused."""
    if not dataclasses.is_dataclass(cls) or not cls.__dataclass_params__.frozen:  # type: ignore[attr-defined]
        raise TypeError(f"{cls.__name__} is not a frozen dataclass")
    found = dataclasses.fields(cls)
    if (any(not f.init for f in found) or hasattr(cls, "__post_init__") or "__slots__" in cls.__dict__
            or len(found) != cls.__init__.__code__.co_argcount - 1):
        raise TypeError(f"{cls.__name__}: fields set outside __init__'s arguments")
    names = [f.name for f in found]
    source = (f"def make({', '.join(names)}):\n"
              f"    made = new(cls)\n"
              f"    set_dict(made, '__dict__', {{{', '.join(f'{n!r}: {n}' for n in names)}}})\n"
              f"    return made\n")
    space: dict[str, Any] = {"new": object.__new__, "set_dict": object.__setattr__, "cls": cls}
    exec(source, space)  # noqa: S102 - field names of a dataclass, nothing from outside
    return space["make"]  # type: ignore[no-any-return]


_DRIVER_STATEMENTS: dict[int, tuple[Any, DriverStatement | None, tuple[Converter | None, ...]]] = {}


def _quick_converter(type_: Any, dialect: Any) -> Converter | None:
    """SQLAlchemy's own result processor for ``type_`` (``converter``), with what a narrow
    read converts row after row answered first without it: a date SQLAlchemy stored
    (YYYY-MM-DD) by the C ISO parser instead of its regular expression, an empty JSON list
    or object without the JSON parser (a task's tags are nearly always "[]"). Anything else
    goes to SQLAlchemy's processor, so the values are the same."""
    base = converter(type_, dialect)
    if base is None:
        return None
    if base is processors.str_to_date:
        parse = dt.date.fromisoformat

        def to_date(value: Any) -> Any:
            try:
                return parse(value)
            except (TypeError, ValueError):
                return base(value)

        return to_date
    if isinstance(type_, JSON):

        def from_json(value: Any) -> Any:
            if value == "[]":
                return []
            return {} if value == "{}" else base(value)

        return from_json
    return base


_NO_CONVERTERS: dict[int, tuple[None, ...]] = {}


def fetch_driver_rows(connection: Connection | KeptConnection, statement: Any,
                      params: Mapping[str, Any]) -> tuple[Sequence[Any], tuple[Converter | None, ...]]:
    """The rows of a kept ``statement`` (one built once and reused, ``visibility.statement_for``)
    with ``params`` as the driver gave them, and per column the converter that makes a value
    of it what SQLAlchemy would return (None: the value is that already; never called with
    None). On SQLite the statement goes to the driver compiled once (``DriverStatement``):
    SQLAlchemy's execution path cost more than a narrow read's query; the caller converts
    what it reads (a row made into a dataclass at once: one pass, not two). Elsewhere, and
    for what the driver path does not handle, Core execution (converted rows, no converters).
    Thread rule: the connection's thread."""
    dialect = connection.dialect
    if dialect.name in RAW_ROW_DIALECTS:
        found = _DRIVER_STATEMENTS.get(id(statement))
        if found is None or found[0] is not statement:
            if len(_DRIVER_STATEMENTS) >= 4096:
                _DRIVER_STATEMENTS.clear()
            found = _DRIVER_STATEMENTS[id(statement)] = (
                statement, DriverStatement.compile(statement, dialect),
                tuple(_quick_converter(c.type, dialect) for c in statement.selected_columns))
        _kept, driver, converters = found
        if driver is not None:
            dbapi = (connection.dbapi_connection if isinstance(connection, KeptConnection)
                     else connection.connection.dbapi_connection)
            return driver.run(dbapi, params), converters
    width = len(statement.selected_columns)
    none = _NO_CONVERTERS.get(width)
    if none is None:
        none = _NO_CONVERTERS[width] = (None,) * width
    core = connection.core() if isinstance(connection, KeptConnection) else connection
    return core.execute(statement, params).all(), none


def fetch_rows(connection: Connection | KeptConnection, statement: Any, params: Mapping[str, Any]) -> Sequence[Any]:
    """The rows of a kept ``statement`` with ``params``, each value what SQLAlchemy would
    return for its column (``fetch_driver_rows``, converted). Thread rule: the connection's thread."""
    rows, converters = fetch_driver_rows(connection, statement, params)
    pairs = [(i, c) for i, c in enumerate(converters) if c is not None]
    if not pairs:
        return rows
    out = []
    for row in rows:
        values = list(row)
        for i, conv in pairs:
            if values[i] is not None:
                values[i] = conv(values[i])
        out.append(values)
    return out


def same(value: T) -> T:
    """The converter of a column whose driver values need none (``fetch_driver_rows`` gives None)."""
    return value
