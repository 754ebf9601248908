"""Numbers of contracts (合同编号) and payments (回款编号) from an administrator-defined rule.

A number is ``prefix + separator + date part + separator + sequence`` (empty parts and their
separators left out), e.g. ``HT-20261122-0001``. The sequence starts again at 1 each day,
month or year (``reset``), or never.

Promises:

- ``next_number(session, entity, now)`` runs inside the caller's unit of work and gives a
  number no other transaction gets: the counter row of (entity, period) is created if absent
  (``INSERT … ON CONFLICT DO NOTHING``) and incremented with ``UPDATE … RETURNING``, whose
  row lock makes a second PostgreSQL transaction wait until the first commits and then read
  its value; SQLite serializes writers anyway. A number already used (an administrator went
  back to an older rule) is skipped.
- A rule must keep numbers unique: a sequence reset daily needs the day in the date part, one
  reset monthly the month, one reset yearly the year (``set_rule`` refuses other mixes).
- ``get_rule`` / ``set_rule`` need the "setting"/"manage" permission; an entity without a
  stored rule uses the default (contract "HT", payment "HK", ``%Y%m%d``, daily, 4 digits).

Thread rule: any thread; ``get_rule`` / ``set_rule`` are one unit of work each.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Contract, NumberRule, NumberSequence, Payment
from crm_desktop.services.errors import ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.uow import read_only, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

#: Entities that are numbered, with their default prefix, and the model holding the numbers.
DEFAULT_PREFIXES: dict[str, str] = {"contract": "HT", "payment": "HK"}
_NUMBERED: dict[str, Any] = {"contract": Contract, "payment": Payment}
DATE_FORMATS = ("%Y%m%d", "%Y%m", "%Y", "")
RESETS = ("daily", "monthly", "yearly", "never")
#: The period key of each reset (what the counter row is per).
_PERIODS = {"daily": "%Y%m%d", "monthly": "%Y%m", "yearly": "%Y", "never": ""}
#: The date formats that tell the periods of each reset apart (else numbers would repeat).
_FITTING = {"daily": ("%Y%m%d",), "monthly": ("%Y%m%d", "%Y%m"), "yearly": ("%Y%m%d", "%Y%m", "%Y"),
            "never": DATE_FORMATS}


@dataclass(frozen=True)
class NumberRuleDTO:
    entity: str
    prefix: str
    date_format: str = "%Y%m%d"
    reset: str = "daily"
    digits: int = 4
    separator: str = "-"


def default_rule(entity: str) -> NumberRuleDTO:
    return NumberRuleDTO(entity=entity, prefix=DEFAULT_PREFIXES.get(entity, ""))


def _check_entity(entity: str) -> None:
    if entity not in _NUMBERED:
        raise ValidationError({"entity": QT_TRANSLATE_NOOP("errors", "Unknown field.")})


def load_rule(session: Session, entity: str) -> NumberRuleDTO:
    """The entity's rule inside an open unit of work (the default one until an administrator
    sets one); the demo data generator continues numbering with it."""
    row = session.get(NumberRule, entity)
    if row is None:
        return default_rule(entity)
    return NumberRuleDTO(entity, row.prefix, row.date_format, row.reset, row.digits, row.separator)


def format_number(rule: NumberRuleDTO, now: dt.datetime, sequence: int) -> str:
    """The number ``rule`` gives at ``now`` for ``sequence`` (also the settings screen's example)."""
    parts = [rule.prefix.strip(), now.strftime(rule.date_format) if rule.date_format else "",
             str(sequence).zfill(rule.digits)]
    return rule.separator.join(p for p in parts if p)


def get_rule(db: Database, actor: Actor, entity: str) -> NumberRuleDTO:
    _check_entity(entity)
    with read_only(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        return load_rule(uow.session, entity)


def set_rule(db: Database, actor: Actor, rule: NumberRuleDTO) -> NumberRuleDTO:
    """Store ``rule``; numbers given from now on follow it (numbers given before keep theirs)."""
    _check_entity(rule.entity)
    errors: dict[str, str] = {}
    if rule.date_format not in DATE_FORMATS:
        errors["date_format"] = QT_TRANSLATE_NOOP("errors", "Choose a date part.")
    if rule.reset not in RESETS:
        errors["reset"] = QT_TRANSLATE_NOOP("errors", "Choose when the sequence starts again.")
    elif rule.date_format in DATE_FORMATS and rule.date_format not in _FITTING[rule.reset]:
        errors["reset"] = QT_TRANSLATE_NOOP(
            "errors", "The date part must show the period the sequence restarts in, or numbers would repeat.")
    if not 1 <= rule.digits <= 10:
        errors["digits"] = QT_TRANSLATE_NOOP("errors", "Use between 1 and 10 digits.")
    if len(rule.prefix.strip()) > 20 or len(rule.separator) > 5:
        errors["prefix"] = QT_TRANSLATE_NOOP("errors", "The prefix is too long.")
    if errors:
        raise ValidationError(errors)
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        row = uow.session.get(NumberRule, rule.entity)
        if row is None:
            row = NumberRule(entity=rule.entity)
            uow.session.add(row)
        row.prefix, row.date_format, row.reset = rule.prefix.strip(), rule.date_format, rule.reset
        row.digits, row.separator = rule.digits, rule.separator
        uow.session.flush()
        return load_rule(uow.session, rule.entity)


def _increment(session: Session, entity: str, period: str) -> int:
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(insert(NumberSequence).values(entity=entity, period=period, last=0)
                    .on_conflict_do_nothing(index_elements=["entity", "period"]))
    # The UPDATE's row lock is what orders two concurrent saves (PostgreSQL): the second waits
    # for the first to commit and then increments the committed value.
    value = session.execute(
        update(NumberSequence).where(NumberSequence.entity == entity, NumberSequence.period == period)
        .values(last=NumberSequence.last + 1).returning(NumberSequence.last)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return int(value)


def next_number(session: Session, entity: str, now: dt.datetime | None = None) -> str:
    """The next unused number of ``entity`` (inside the caller's transaction; see the module doc)."""
    _check_entity(entity)
    now = now or dt.datetime.now().astimezone()  # the company's local day, not UTC's
    rule = load_rule(session, entity)
    period = now.strftime(_PERIODS[rule.reset]) if _PERIODS[rule.reset] else "-"
    model = _NUMBERED[entity]
    for _ in range(10000):
        number = format_number(rule, now, _increment(session, entity, period))
        if session.scalar(select(model.id).where(model.number == number)) is None:
            return number
    raise ValidationError({"number": QT_TRANSLATE_NOOP("errors", "No free number is left for this rule.")})


__all__ = ["DATE_FORMATS", "DEFAULT_PREFIXES", "RESETS", "NumberRuleDTO", "default_rule", "format_number",
           "get_rule", "load_rule", "next_number", "set_rule"]
