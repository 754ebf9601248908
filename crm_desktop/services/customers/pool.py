"""Public pools (公海): put in, the pool list, claim and assign (administration: ``pool_admin``).

Membership: a pool's members are the users listed on it plus every user of a listed
department *and of its sub-departments* (as the "department and sub-departments" scope reads
the tree): listing "Sales" opens the pool to every team under Sales. A member marked
``is_admin`` administers the pool (may assign); a department listed as administrator makes all
its users administrators. The super administrator is member and administrator of every pool.

Limits (daily claim limit, owned cap, reclaim cooldown) bind claims only: an administrator's
assignment is a deliberate decision and ignores them. A disabled pool takes nobody in (no put,
no recycle, no claim) but its administrators may still assign what is left in it.

Races: a claim runs under a per-user lock (PostgreSQL advisory lock; on SQLite the write
transaction is begun IMMEDIATE, which serializes every writer), so one user's two claims at
once count each other against the daily limit; the customers are read ``FOR UPDATE`` and taken
with ``UPDATE … WHERE pool_id = :pool`` whose row count must match, so of two users claiming
the same customer exactly one wins and the other gets "already claimed".

Putting in, claiming and assigning commute with edits of the same customers: a stale row or
a deadlock runs the whole call again (``uow.retrying``), which checks everything anew.

Automation: each customer put in, claimed or assigned is an OwnerChanged event naming the pool,
on which the customer's "pool_put" / "pool_claimed" rules fire in the call's transaction
(before/after carry owner_id and pool_id), once every customer of the call is done. A failing
rule fails the whole call and is logged.

Thread rule: any thread; each call is one unit of work.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Select,
    bindparam,
    delete,
    func,
    select,
    text,
    tuple_,
    union,
    update,
)
from sqlalchemy.orm import Session, aliased

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    Customer,
    Department,
    Pool,
    PoolEvent,
    PoolMember,
    TeamMember,
    User,
    utcnow,
)
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.customers.pool_admin import (  # noqa: F401 - re-exported: callers import them from here
    MAX_DAYS,
    MAX_LIMIT,
    RULE_KINDS,
    RULE_LABELS,
    PoolDTO,
    PoolInput,
    PoolMemberDTO,
    PoolMemberInput,
    PoolRuleDTO,
    PoolRuleInput,
    _counts,
    _pool,
    create_pool,
    get_pool,
    list_pools,
    update_pool,
)
from crm_desktop.services.errors import (
    NotFound,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)
from crm_desktop.services.events import OwnerChanged
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.org.scope import editable_filter, visible_filter
from crm_desktop.services.records import audit
from crm_desktop.services.records.filters import LIKE_ESCAPE, contains_pattern
from crm_desktop.services.uow import read_only, retrying, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

PAGE_SIZE = 100
SORTS = ("pooled_at", "name", "level", "created_at", "id")
#: First key of PostgreSQL's two-int advisory locks taken here ("POOL" in ASCII).
ADVISORY_NAMESPACE = 0x504F4F4C


@dataclass(frozen=True)
class MemberPoolDTO:
    """A pool as one of its members sees it (the pool picker of the pool list)."""

    id: int
    name: str
    enabled: bool
    is_admin: bool
    customer_count: int
    daily_claim_limit: int
    claimed_today: int
    owned_cap: int
    reclaim_cooldown_days: int
    #: Customers the actor owns now (what ``owned_cap`` is compared with).
    owned: int = 0


@dataclass(frozen=True)
class PoolChoiceDTO:
    """A pool customers can be put into (the put-in-pool dialog's choices)."""

    id: int
    name: str


@dataclass(frozen=True)
class PoolCustomerDTO:
    id: int
    name: str
    level: str
    industry: str
    source: str
    province: str
    city: str
    deal_status: str
    last_followup_at: dt.datetime | None
    created_at: dt.datetime
    pooled_at: dt.datetime
    days_in_pool: int
    previous_owner_id: int | None
    previous_owner_name: str
    version: int
    #: Why it was put in (the giver's words) or, when recycled, the rule kind (``RULE_KINDS``).
    reason: str = ""


@dataclass(frozen=True)
class PoolPage:
    rows: tuple[PoolCustomerDTO, ...]
    next_cursor: tuple[Any, int] | None


# --- membership ------------------------------------------------------------------------------

def member_user_ids(pool_id: int, *, admins_only: bool = False) -> Select[tuple[int]]:
    """Ids of the pool's member users: listed ones and everyone in a listed department tree."""
    members = select(PoolMember).where(PoolMember.pool_id == pool_id)
    if admins_only:
        members = members.where(PoolMember.is_admin.is_(True))
    listed = members.subquery()
    tree = (
        select(Department.id)
        .where(Department.id.in_(select(listed.c.department_id).where(listed.c.department_id.is_not(None))))
        .cte(f"pool_dept_tree{'_admin' if admins_only else ''}", recursive=True)
    )
    child = aliased(Department)
    tree = tree.union(select(child.id).join(tree, child.parent_id == tree.c.id))
    return union(
        select(listed.c.user_id).where(listed.c.user_id.is_not(None)),
        select(User.id).where(User.department_id.in_(select(tree.c.id))),
    )


def _is_member(session: Session, actor: Actor, pool_id: int, *, admin: bool = False) -> bool:
    if actor.is_super:
        return True
    return actor.user_id in set(session.scalars(member_user_ids(pool_id, admins_only=admin)))



def _member_pool(session: Session, actor: Actor, pool_id: int, *, admin: bool = False) -> Pool:
    pool = _pool(session, pool_id)
    if admin and not _is_member(session, actor, pool_id, admin=True):
        raise RuleViolation(
            QT_TRANSLATE_NOOP("errors", "Only an administrator of the pool {pool} can assign its customers."),
            pool=pool.name)
    if not _is_member(session, actor, pool_id):
        raise RuleViolation(QT_TRANSLATE_NOOP("errors", "You are not a member of the pool {pool}."), pool=pool.name)
    return pool


def member_pools(db: Database, actor: Actor) -> list[MemberPoolDTO]:
    """The pools the actor belongs to, with what they may still claim today."""
    with read_only(db, actor) as uow:
        require(uow.actor, "pool", "view")
        s, me = uow.session, uow.actor
        counts = _counts(s)
        owned = _owned_count(s, me.user_id)
        result = []
        for pool in s.scalars(select(Pool).order_by(Pool.id)):
            if not _is_member(s, me, pool.id):
                continue
            result.append(MemberPoolDTO(
                id=pool.id, name=pool.name, enabled=pool.enabled, is_admin=_is_member(s, me, pool.id, admin=True),
                customer_count=counts.get(pool.id, 0), daily_claim_limit=pool.daily_claim_limit,
                claimed_today=_claimed_today(s, me.user_id, pool.id, utcnow()), owned_cap=pool.owned_cap,
                reclaim_cooldown_days=pool.reclaim_cooldown_days, owned=owned))
        return result


def put_targets(db: Database, actor: Actor) -> list[PoolChoiceDTO]:
    """The enabled pools, by name: where a user who may put customers in a pool can put them."""
    with read_only(db, actor) as uow:
        require(uow.actor, "customer", "put_in_pool")
        rows = uow.session.execute(select(Pool.id, Pool.name).where(Pool.enabled.is_(True)).order_by(Pool.name, Pool.id))
        return [PoolChoiceDTO(pool_id, name) for pool_id, name in rows]


# --- put in ----------------------------------------------------------------------------------

def _ids(customer_ids: Iterable[int]) -> list[int]:
    ids = sorted(set(customer_ids))
    if not ids:
        raise ValidationError({"customer_ids": QT_TRANSLATE_NOOP("errors", "Choose at least one customer.")})
    return ids


@retrying(commutative=True)
def put_many_in_pool(db: Database, actor: Actor, customer_ids: Sequence[int], *, pool_id: int, reason: str) -> int:
    """Give up customers into a pool: owner cleared (kept as previous owner), team removed.

    All or nothing: a locked, already pooled or not editable customer fails the whole call.
    Returns how many customers were put in.
    """
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "customer", "put_in_pool")
        reason = reason.strip()
        if not reason:
            raise ValidationError({"reason": QT_TRANSLATE_NOOP("errors", "Give a reason.")})
        ids = _ids(customer_ids)
        s, me = uow.session, uow.actor
        pool = s.get(Pool, pool_id)
        if pool is None or not pool.enabled:
            raise ValidationError({"pool_id": QT_TRANSLATE_NOOP("errors", "Choose an enabled pool.")})
        rows = s.scalars(
            select(Customer).where(Customer.id.in_(ids), Customer.deleted_at.is_(None),
                                   editable_filter(Customer, me)).order_by(Customer.id).with_for_update()).all()
        found = {r.id for r in rows}
        for cid in ids:
            if cid not in found:
                visible = s.scalar(select(Customer.id).where(Customer.id == cid, visible_filter(Customer, me)))
                if visible is not None:
                    raise PermissionDenied("customer", "edit")
                raise NotFound("customer", cid)
        for row in rows:
            if row.pool_id is not None:
                raise RuleViolation(QT_TRANSLATE_NOOP("errors", "The customer {name} is already in a public pool."),
                                    name=row.name)
            if row.locked:
                raise RuleViolation(QT_TRANSLATE_NOOP(
                    "errors", "The customer {name} is locked: unlock it before putting it in a pool."), name=row.name)
            if row.approval_status:
                # A customer not yet registered (pending, rejected, withdrawn) must not become
                # claimable by others: that is what registration protects against.
                raise RuleViolation(QT_TRANSLATE_NOOP(
                    "errors", "The customer {name} is not approved yet: it cannot be put in a pool."), name=row.name)
        team: dict[int, list[tuple[int, str]]] = {}
        for m in s.scalars(select(TeamMember).where(TeamMember.entity == "customer", TeamMember.record_id.in_(ids))):
            team.setdefault(m.record_id, []).append((m.user_id, m.access))
        now = utcnow()
        old_owners = {r.id: r.owner_id for r in rows}
        for row in rows:
            row.previous_owner_id, row.owner_id = row.owner_id, None
            row.pool_id, row.pooled_at = pool.id, now
        # Bumps each version, WHERE version = seen: after a concurrent edit the call runs
        # again (retrying) and checks the customers as they are now; the edit is kept.
        # Before the team goes: on a secure server a read-write seat may be what lets the
        # user change the customer at all.
        s.flush()
        s.execute(delete(TeamMember).where(TeamMember.entity == "customer", TeamMember.record_id.in_(ids)))
        with uow.holding_events():  # the customers' rules run once all of them are in
            for row in rows:
                old = old_owners[row.id]
                changes: dict[str, tuple[Any, Any]] = {
                    "owner_id": (old, None), "pool_id": (None, pool.id), "reason": (None, reason)}
                changes |= {f"team:{uid}": (access, None) for uid, access in team.get(row.id, [])}
                audit.write_audit(s, entity="customer", record_id=row.id, action="put_in_pool", actor_id=me.user_id,
                                  changes=changes, version=row.version)
                s.add(PoolEvent(pool_id=pool.id, customer_id=row.id, kind="put", user_id=old, actor_id=me.user_id,
                                reason=reason, at=now, details={}))
                uow.add_event(OwnerChanged("customer", row.id, me.user_id, old_owner_id=old, new_owner_id=None,
                                           pool_id=pool.id))
        return len(rows)


def put_in_pool(db: Database, actor: Actor, customer_id: int, *, pool_id: int, reason: str) -> None:
    """Put one customer into a pool (see ``put_many_in_pool``)."""
    put_many_in_pool(db, actor, [customer_id], pool_id=pool_id, reason=reason)


# --- the pool list ---------------------------------------------------------------------------

def _list_query(pool_id: int, text_filter: str | None, *, with_reason: bool = False) -> Select[Any]:
    prev = aliased(User)
    columns: list[Any] = [Customer, prev.name]
    if with_reason:
        # Why it is here: the latest put or recycle event (a recycle stores its rule kind).
        columns.append(select(PoolEvent.reason).where(
            PoolEvent.customer_id == Customer.id, PoolEvent.kind.in_(("put", "recycle")))
            .order_by(PoolEvent.id.desc()).limit(1).correlate(Customer).scalar_subquery())
    query = (select(*columns).outerjoin(prev, prev.id == Customer.previous_owner_id)
             .where(Customer.pool_id == pool_id, Customer.deleted_at.is_(None)))
    if text_filter and text_filter.strip():
        # % _ \ match themselves, and unusable search text is refused, as in every list.
        query = query.where(Customer.name.ilike(contains_pattern(text_filter, field="text"), escape=LIKE_ESCAPE))
    return query


def list_pool_customers(
    db: Database, actor: Actor, pool_id: int, *, sort: str = "pooled_at", descending: bool = True,
    after: tuple[Any, int] | None = None, limit: int = PAGE_SIZE, text: str | None = None,
) -> PoolPage:
    """One page of a pool's customers for a member, keyset-paginated on (sort, id)."""
    if sort not in SORTS:
        raise ValidationError({"sort": QT_TRANSLATE_NOOP("errors", "Unknown field.")})
    with read_only(db, actor) as uow:
        require(uow.actor, "pool", "view")
        _member_pool(uow.session, uow.actor, pool_id)
        col = getattr(Customer, sort)
        query = _list_query(pool_id, text, with_reason=True)
        if after is not None:
            key = tuple_(col, Customer.id)
            bound = tuple_(bindparam("k0", after[0], type_=col.type), bindparam("k1", after[1], type_=Customer.id.type))
            query = query.where(key < bound if descending else key > bound)
        order = (col.desc(), Customer.id.desc()) if descending else (col.asc(), Customer.id.asc())
        rows = uow.session.execute(query.order_by(*order).limit(limit + 1)).all()
        more, rows = len(rows) > limit, rows[:limit]
        now = utcnow()
        dtos = tuple(PoolCustomerDTO(
            id=c.id, name=c.name, level=c.level, industry=c.industry, source=c.source, province=c.province,
            city=c.city, deal_status=c.deal_status, last_followup_at=c.last_followup_at, created_at=c.created_at,
            pooled_at=c.pooled_at, days_in_pool=max(0, (now - c.pooled_at).days) if c.pooled_at else 0,
            previous_owner_id=c.previous_owner_id, previous_owner_name=n or "", version=c.version,
            reason=reason or "",
        ) for c, n, reason in rows)
        cursor = (getattr(rows[-1][0], sort), rows[-1][0].id) if more and rows else None
        return PoolPage(rows=dtos, next_cursor=cursor)


def count_pool_customers(db: Database, actor: Actor, pool_id: int, *, text: str | None = None) -> int:
    with read_only(db, actor) as uow:
        require(uow.actor, "pool", "view")
        _member_pool(uow.session, uow.actor, pool_id)
        sub = _list_query(pool_id, text).subquery()
        return uow.session.scalar(select(func.count()).select_from(sub)) or 0


# --- claim and assign ------------------------------------------------------------------------

def _local_midnight(now: dt.datetime) -> dt.datetime:
    """Start of today on this computer's clock, in UTC (the daily limit resets at midnight)."""
    local = now.astimezone()
    return local.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.timezone.utc)


def _claimed_today(session: Session, user_id: int, pool_id: int, now: dt.datetime) -> int:
    return session.scalar(select(func.count()).select_from(PoolEvent).where(
        PoolEvent.user_id == user_id, PoolEvent.kind == "claim", PoolEvent.pool_id == pool_id,
        PoolEvent.at >= _local_midnight(now))) or 0


def _owned_count(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count()).select_from(Customer).where(
        Customer.owner_id == user_id, Customer.deleted_at.is_(None), Customer.pool_id.is_(None))) or 0


def serialize_writes_for(session: Session, user_id: int) -> None:
    """Hold a per-user lock until the transaction ends (call before reading what you check).

    PostgreSQL: a transaction-level advisory lock on (namespace, user). SQLite has one writer
    at a time, but pysqlite begins the transaction lazily at the first write, so reads before
    it would see a stale count: begin it IMMEDIATE now, which waits for other writers.
    """
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:ns, :uid)"), {"ns": ADVISORY_NAMESPACE, "uid": user_id})
    elif conn.dialect.name == "sqlite":
        raw = conn.connection.driver_connection
        if raw is not None and not raw.in_transaction:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def _lock_pooled(session: Session, actor: Actor, pool: Pool, ids: list[int]) -> list[Customer]:
    rows = session.scalars(select(Customer).where(
        Customer.id.in_(ids), Customer.pool_id == pool.id, Customer.deleted_at.is_(None),
    ).order_by(Customer.id).with_for_update()).all()
    _check_all_there(session, actor, pool.id, ids, {r.id for r in rows})
    return list(rows)


def _check_all_there(session: Session, actor: Actor, pool_id: int, ids: list[int], taken: set[int]) -> None:
    """Refuse the call if any of ``ids`` is not (or no longer) in the pool, saying no more than
    the actor may know: the customer's name only if they can see it now (e.g. they claimed it
    already); "gone from this pool" without a name if it last left this very pool (its members
    saw it there: the usual loser of two claims at once); otherwise NotFound, exactly as for an
    id that does not exist, so that ids cannot be probed for names or existence."""
    gone = [i for i in ids if i not in taken]
    if not gone:
        return
    try:
        row = customers.load_row(session, actor, gone[0], for_edit=False)
    except NotFound:
        last = session.execute(select(PoolEvent.pool_id, PoolEvent.kind).where(PoolEvent.customer_id == gone[0])
                               .order_by(PoolEvent.id.desc()).limit(1)).first()
        if last is not None and last.pool_id == pool_id and last.kind in ("claim", "assign"):
            raise RuleViolation(QT_TRANSLATE_NOOP(
                "errors", "A customer you chose has already been claimed or is no longer in this pool.")) from None
        raise
    raise RuleViolation(QT_TRANSLATE_NOOP(
        "errors", "The customer {name} has already been claimed or is no longer in this pool."), name=row.name)


def _take(uow: Any, pool: Pool, rows: list[Customer], *, new_owner: int, kind: str) -> int:
    """Move locked pool customers to ``new_owner``: one conditional UPDATE, audit, events."""
    s, me = uow.session, uow.actor
    ids = [r.id for r in rows]
    now = utcnow()
    done = s.execute(
        update(Customer).where(Customer.id.in_(ids), Customer.pool_id == pool.id, Customer.deleted_at.is_(None))
        .values(owner_id=new_owner, pool_id=None, pooled_at=None, version=Customer.version + 1, updated_at=now)
        .returning(Customer.id, Customer.version).execution_options(synchronize_session=False)).all()
    _check_all_there(s, me, pool.id, ids, {i for i, _v in done})
    for row in rows:
        s.expire(row)  # the UPDATE above bypassed the loaded rows: a rule reads them afresh
    with uow.holding_events():  # the customers' rules run once all of them are taken
        for cid, version in done:
            audit.write_audit(s, entity="customer", record_id=cid, action=kind, actor_id=me.user_id,
                              changes={"owner_id": (None, new_owner), "pool_id": (pool.id, None)}, version=version)
            s.add(PoolEvent(pool_id=pool.id, customer_id=cid, kind=kind, user_id=new_owner, actor_id=me.user_id,
                            reason="", at=now, details={}))
            uow.add_event(OwnerChanged("customer", cid, me.user_id, old_owner_id=None, new_owner_id=new_owner,
                                       pool_id=pool.id))
    return len(done)


@retrying(commutative=True)
def claim(db: Database, actor: Actor, customer_ids: Sequence[int], *, pool_id: int) -> int:
    """Take customers from a pool as their owner, within the pool's limits. All or nothing."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "pool", "claim")
        ids = _ids(customer_ids)
        s, me = uow.session, uow.actor
        pool = _member_pool(s, me, pool_id)
        if not pool.enabled:
            raise RuleViolation(QT_TRANSLATE_NOOP("errors", "The pool {pool} is disabled."), pool=pool.name)
        serialize_writes_for(s, me.user_id)
        rows = _lock_pooled(s, me, pool, ids)
        now = utcnow()
        if pool.reclaim_cooldown_days:
            since = now - dt.timedelta(days=pool.reclaim_cooldown_days)
            for row in rows:
                if row.previous_owner_id == me.user_id and row.pooled_at is not None and row.pooled_at > since:
                    free = (row.pooled_at + dt.timedelta(days=pool.reclaim_cooldown_days)).astimezone()
                    raise RuleViolation(QT_TRANSLATE_NOOP(
                        "errors", "You gave up the customer {name} recently: you can claim it again from {date}."),
                        name=row.name, date=free.strftime("%Y-%m-%d %H:%M"))
        if pool.daily_claim_limit:
            left = pool.daily_claim_limit - _claimed_today(s, me.user_id, pool.id, now)
            if len(ids) > left:
                raise RuleViolation(QT_TRANSLATE_NOOP(
                    "errors", "You may claim {limit} customers a day from this pool and have {left} left today."),
                    limit=pool.daily_claim_limit, left=max(left, 0))
        if pool.owned_cap:
            owned = _owned_count(s, me.user_id)
            if owned + len(ids) > pool.owned_cap:
                raise RuleViolation(QT_TRANSLATE_NOOP(
                    "errors", "You own {owned} customers; to claim from this pool you may own at most {cap}."),
                    owned=owned, cap=pool.owned_cap)
        return _take(uow, pool, rows, new_owner=me.user_id, kind="claim")


@retrying(commutative=True)
def assign(db: Database, actor: Actor, customer_ids: Sequence[int], *, pool_id: int, user_id: int) -> int:
    """A pool administrator gives pool customers to an enabled user (the claim limits do not apply)."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "pool", "assign")
        ids = _ids(customer_ids)
        s = uow.session
        pool = _member_pool(s, uow.actor, pool_id, admin=True)
        if not s.scalar(select(User.enabled).where(User.id == user_id)):
            raise ValidationError({"user_id": QT_TRANSLATE_NOOP("errors", "Choose an enabled user as owner.")})
        rows = _lock_pooled(s, uow.actor, pool, ids)
        return _take(uow, pool, rows, new_owner=user_id, kind="assign")
