"""Public pool administration: settings, members and recycle rules (the pool settings page).

Split from ``services.pool`` (which re-exports every name here) to keep modules small.
Pools are managed with the "pool"/"manage" permission. Thread rule: any thread; each call is
one unit of work.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Customer, Department, Pool, PoolMember, PoolRule, User
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.events import RecordCreated, RecordUpdated
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.records import audit
from crm_desktop.services.uow import read_only, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database


RULE_KINDS = ("no_followup", "no_deal", "no_opportunity")
RULE_LABELS = {
    "no_followup": QT_TRANSLATE_NOOP("pool", "No follow-up"),
    "no_deal": QT_TRANSLATE_NOOP("pool", "No deal"),
    "no_opportunity": QT_TRANSLATE_NOOP("pool", "No opportunity"),
}
MAX_DAYS = 3650
MAX_LIMIT = 1_000_000


@dataclass(frozen=True)
class PoolMemberInput:
    """Exactly one of ``user_id`` / ``department_id``."""

    user_id: int | None = None
    department_id: int | None = None
    is_admin: bool = False


@dataclass(frozen=True)
class PoolRuleInput:
    kind: str
    days: int
    levels: tuple[str, ...] = ()  # empty = every level
    enabled: bool = True


@dataclass(frozen=True)
class PoolInput:
    name: str
    enabled: bool = True
    daily_claim_limit: int = 0  # 0 = no limit
    owned_cap: int = 0  # 0 = no cap
    reclaim_cooldown_days: int = 0
    exempt_deals: bool = True
    remind_days: int = 0
    members: tuple[PoolMemberInput, ...] = ()
    rules: tuple[PoolRuleInput, ...] = ()


@dataclass(frozen=True)
class PoolMemberDTO:
    user_id: int | None
    department_id: int | None
    name: str
    is_admin: bool


@dataclass(frozen=True)
class PoolRuleDTO:
    id: int
    kind: str
    days: int
    levels: tuple[str, ...]
    enabled: bool


@dataclass(frozen=True)
class PoolDTO:
    id: int
    name: str
    enabled: bool
    daily_claim_limit: int
    owned_cap: int
    reclaim_cooldown_days: int
    exempt_deals: bool
    remind_days: int
    members: tuple[PoolMemberDTO, ...]
    rules: tuple[PoolRuleDTO, ...]
    customer_count: int


def _pool(session: Session, pool_id: int) -> Pool:
    pool = session.get(Pool, pool_id)
    if pool is None:
        raise NotFound("pool", pool_id)
    return pool



def _bad_count(value: object, low: int, high: int) -> bool:
    return not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high


def _validate(session: Session, data: PoolInput, pool_id: int | None) -> None:
    errors: dict[str, str] = {}
    name = data.name.strip()
    if not name:
        errors["name"] = QT_TRANSLATE_NOOP("errors", "Required.")
    elif len(name) > 100:
        errors["name"] = QT_TRANSLATE_NOOP("errors", "Use at most 100 characters.")
    else:
        clash = session.scalar(select(Pool.id).where(Pool.name == name))
        if clash is not None and clash != pool_id:
            errors["name"] = QT_TRANSLATE_NOOP("errors", "Another pool has this name.")
    for field in ("daily_claim_limit", "owned_cap", "reclaim_cooldown_days", "remind_days"):
        if _bad_count(getattr(data, field), 0, MAX_DAYS if field.endswith("days") else MAX_LIMIT):
            errors[field] = QT_TRANSLATE_NOOP("errors", "Enter 0 or a positive whole number.")
    if not data.members:
        errors["members"] = QT_TRANSLATE_NOOP("errors", "Add at least one member: a user or a department.")
    seen: set[tuple[int | None, int | None]] = set()
    for i, m in enumerate(data.members):
        key = (m.user_id, m.department_id)
        if (m.user_id is None) == (m.department_id is None):
            errors[f"members.{i}"] = QT_TRANSLATE_NOOP("errors", "Choose a user or a department.")
        elif key in seen:
            errors[f"members.{i}"] = QT_TRANSLATE_NOOP("errors", "This member is listed twice.")
        elif m.user_id is not None and session.get(User, m.user_id) is None:
            errors[f"members.{i}"] = QT_TRANSLATE_NOOP("errors", "No such user.")
        elif m.department_id is not None and session.get(Department, m.department_id) is None:
            errors[f"members.{i}"] = QT_TRANSLATE_NOOP("errors", "Choose a department.")
        seen.add(key)
    for i, r in enumerate(data.rules):
        if r.kind not in RULE_KINDS:
            errors[f"rules.{i}.kind"] = QT_TRANSLATE_NOOP("errors", "Choose a listed value.")
        if _bad_count(r.days, 1, MAX_DAYS):
            errors[f"rules.{i}.days"] = QT_TRANSLATE_NOOP("errors", "Enter a number of days from 1 to 3650.")
        if any(not isinstance(v, str) or not v.strip() for v in r.levels):
            errors[f"rules.{i}.levels"] = QT_TRANSLATE_NOOP("errors", "Choose a listed value.")
    shortest = min((r.days for r in data.rules if r.enabled and not _bad_count(r.days, 1, MAX_DAYS)), default=None)
    if "remind_days" not in errors and data.remind_days and shortest is not None and data.remind_days >= shortest:
        errors["remind_days"] = QT_TRANSLATE_NOOP("errors", "Remind fewer days ahead than the shortest recycle rule.")
    if errors:
        raise ValidationError(errors)


def _snapshot(session: Session, pool: Pool) -> dict[str, Any]:
    members = session.scalars(select(PoolMember).where(PoolMember.pool_id == pool.id).order_by(PoolMember.id))
    rules = session.scalars(select(PoolRule).where(PoolRule.pool_id == pool.id).order_by(PoolRule.id))
    return {
        "name": pool.name, "enabled": pool.enabled, "daily_claim_limit": pool.daily_claim_limit,
        "owned_cap": pool.owned_cap, "reclaim_cooldown_days": pool.reclaim_cooldown_days,
        "exempt_deals": pool.exempt_deals, "remind_days": pool.remind_days,
        "members": [[m.user_id, m.department_id, m.is_admin] for m in members],
        "rules": [[r.kind, r.days, list(r.levels or []), r.enabled] for r in rules],
    }


def _apply(session: Session, pool: Pool, data: PoolInput) -> None:
    pool.name, pool.enabled, pool.exempt_deals = data.name.strip(), data.enabled, data.exempt_deals
    pool.daily_claim_limit, pool.owned_cap = data.daily_claim_limit, data.owned_cap
    pool.reclaim_cooldown_days, pool.remind_days = data.reclaim_cooldown_days, data.remind_days
    session.flush()
    session.execute(delete(PoolMember).where(PoolMember.pool_id == pool.id))
    session.execute(delete(PoolRule).where(PoolRule.pool_id == pool.id))
    session.add_all(PoolMember(pool_id=pool.id, user_id=m.user_id, department_id=m.department_id,
                               is_admin=m.is_admin) for m in data.members)
    session.add_all(PoolRule(pool_id=pool.id, kind=r.kind, days=r.days, enabled=r.enabled,
                             levels=sorted({v.strip() for v in r.levels})) for r in data.rules)
    session.flush()


def _counts(session: Session) -> dict[int, int]:
    return dict(session.execute(  # type: ignore[arg-type]
        select(Customer.pool_id, func.count()).where(Customer.pool_id.is_not(None), Customer.deleted_at.is_(None))
        .group_by(Customer.pool_id)).all())


def _dto(session: Session, pool: Pool, count: int) -> PoolDTO:
    users = dict(session.execute(select(User.id, User.name)).all())
    depts = dict(session.execute(select(Department.id, Department.name)).all())
    members = session.scalars(select(PoolMember).where(PoolMember.pool_id == pool.id).order_by(PoolMember.id))
    rules = session.scalars(select(PoolRule).where(PoolRule.pool_id == pool.id).order_by(PoolRule.id))
    return PoolDTO(
        id=pool.id, name=pool.name, enabled=pool.enabled, daily_claim_limit=pool.daily_claim_limit,
        owned_cap=pool.owned_cap, reclaim_cooldown_days=pool.reclaim_cooldown_days,
        exempt_deals=pool.exempt_deals, remind_days=pool.remind_days,
        members=tuple(PoolMemberDTO(m.user_id, m.department_id,
                                    users.get(m.user_id, "") if m.user_id else depts.get(m.department_id, ""),
                                    m.is_admin) for m in members),
        rules=tuple(PoolRuleDTO(r.id, r.kind, r.days, tuple(r.levels or ()), r.enabled) for r in rules),
        customer_count=count,
    )


def list_pools(db: Database, actor: Actor) -> list[PoolDTO]:
    """Every pool with members, rules and customer count, for the administrators' settings."""
    with read_only(db, actor) as uow:
        require(uow.actor, "pool", "manage")
        counts = _counts(uow.session)
        pools = uow.session.scalars(select(Pool).order_by(Pool.id)).all()
        return [_dto(uow.session, p, counts.get(p.id, 0)) for p in pools]


def get_pool(db: Database, actor: Actor, pool_id: int) -> PoolDTO:
    with read_only(db, actor) as uow:
        require(uow.actor, "pool", "manage")
        return _dto(uow.session, _pool(uow.session, pool_id), _counts(uow.session).get(pool_id, 0))


def create_pool(db: Database, actor: Actor, data: PoolInput) -> PoolDTO:
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "pool", "manage")
        _validate(uow.session, data, None)
        pool = Pool(name=data.name.strip())
        uow.session.add(pool)
        _apply(uow.session, pool, data)
        after = _snapshot(uow.session, pool)
        audit.write_audit(uow.session, entity="pool", record_id=pool.id, action="create",
                          actor_id=uow.actor.user_id, changes={k: (None, v) for k, v in after.items()})
        uow.add_event(RecordCreated("pool", pool.id, uow.actor.user_id, values=after))
        return _dto(uow.session, pool, 0)


def update_pool(db: Database, actor: Actor, pool_id: int, data: PoolInput) -> PoolDTO:
    """Replace the pool's settings, members and rules with ``data``."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "pool", "manage")
        pool = _pool(uow.session, pool_id)
        _validate(uow.session, data, pool_id)
        before = _snapshot(uow.session, pool)
        _apply(uow.session, pool, data)
        after = _snapshot(uow.session, pool)
        changes = {k: (before[k], after[k]) for k in after if before[k] != after[k]}
        if changes:
            audit.write_audit(uow.session, entity="pool", record_id=pool.id, action="update",
                              actor_id=uow.actor.user_id, changes=changes)
            uow.add_event(RecordUpdated("pool", pool.id, uow.actor.user_id,
                                        before={k: b for k, (b, _a) in changes.items()},
                                        after={k: a for k, (_b, a) in changes.items()}))
        return _dto(uow.session, pool, _counts(uow.session).get(pool_id, 0))
