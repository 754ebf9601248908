"""First-run set-up, login with lock-out, password changes."""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import case, delete, func, literal, null, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    Department,
    LoginFailure,
    Role,
    Setting,
    User,
    UTCDateTime,
    utcnow,
)
from crm_desktop.services.errors import (
    AccountDisabled,
    AccountLocked,
    AuthError,
    RuleViolation,
    ValidationError,
)
from crm_desktop.services.org import login_roles, passwords
from crm_desktop.services.org.actor import Actor, load_actor
from crm_desktop.services.org.passwords import check_policy, hash_password
from crm_desktop.services.org.permissions import require
from crm_desktop.services.records.schema_admin import seed_dictionaries
from crm_desktop.services.records.validation import check_mobile
from crm_desktop.services.uow import read_only, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15
#: An unknown number's failures are forgotten after this long without a new one.
FORGET_UNKNOWN_DAYS = 30


def needs_setup(db: Database) -> bool:
    """True on a database that has no users yet (first run). A secure server's directory
    connection reads no users: its server has a company (``server_login``)."""
    from crm_desktop.services.org import server_login

    if server_login.is_directory(db):
        return False
    with read_only(db, None) as uow:
        return (uow.session.scalar(select(func.count(User.id))) or 0) == 0


def company_name(db: Database) -> str:
    with read_only(db, None) as uow:
        value = uow.session.get(Setting, "company_name")
        return str(value.value) if value else ""


def setup_company(
    db: Database,
    *,
    company: str,
    admin_name: str,
    admin_mobile: str,
    password: str,
    super_role_name: str = "Super administrator",
    language: str = "zh_CN",
) -> Actor:
    """Create the company (its top department), the super administrator role and user.

    Refused once any user exists, so it cannot be used to take over a database.
    """
    errors: dict[str, str] = {}
    if not company.strip():
        errors["company"] = QT_TRANSLATE_NOOP("errors", "Required.")
    if not admin_name.strip():
        errors["admin_name"] = QT_TRANSLATE_NOOP("errors", "Required.")
    errors.update(check_mobile(admin_mobile, field="admin_mobile"))
    if errors:
        raise ValidationError(errors)
    check_policy(password)
    with unit_of_work(db, None) as uow:
        s = uow.session
        if (s.scalar(select(func.count(User.id))) or 0) > 0:
            raise RuleViolation(QT_TRANSLATE_NOOP("errors", "This database is already set up."))
        s.merge(Setting(key="company_name", value=company.strip()))
        top = Department(name=company.strip(), parent_id=None)
        role = Role(name=super_role_name, description="", is_super=True)
        s.add_all([top, role])
        s.flush()
        user = User(
            mobile=admin_mobile.strip(), name=admin_name.strip(), password_hash=hash_password(password),
            department_id=top.id, position="", roles=[role],
        )
        s.add(user)
        seed_dictionaries(s, language=language)
        # Configuration seeded now, by the set-up, not at first use: on a secure server a
        # rep's first opportunity may not write the company's stage groups.
        from crm_desktop.services.sales.stages import ensure_default_group

        ensure_default_group(s)
        s.flush()
        login_roles.sync(s, user.id, password=password)  # a secure server's: the administrator's own role
        return load_actor(s, user.id)


def login(db: Database, mobile: str, password: str, *, now: dt.datetime | None = None) -> Actor:
    """Check a password. Five wrong ones in a row lock the account for 15 minutes.

    However many logins run at once (threads, PCs), at most ``MAX_FAILED_LOGINS`` wrong
    passwords of one account are ever verified before it is locked: each attempt first takes
    one of the allowed attempts in the database (``_reserve_attempt``), then verifies. The
    answer never says whether the mobile number exists: an unknown number costs one password
    verification like a known one and gets the same words as a wrong password, and it locks
    after as many attempts, for as long (``_count_unknown``). A disabled account says so only
    to whoever gives its right password.

    Thread rule: any thread; the password is verified outside any transaction.
    """
    now = now or utcnow()
    reserved = _reserve_attempt(db, mobile.strip(), now)
    if reserved is None:
        locked_until = _count_unknown(db, mobile.strip(), now)
        passwords.spend_a_verification(password)
        if locked_until is not None:
            raise AccountLocked(locked_until)
        raise AuthError(QT_TRANSLATE_NOOP("errors", "Wrong mobile number or password."))
    if not passwords.verify_password(reserved.password_hash, password):
        # The attempt stays spent. The one that took the last attempt has already locked.
        if reserved.locked_until is not None:
            raise AccountLocked(reserved.locked_until)
        raise AuthError(QT_TRANSLATE_NOOP("errors", "Wrong mobile number or password."))
    return _succeed(db, reserved.user_id, now)


@dataclass(frozen=True)
class _Reserved:
    user_id: int
    password_hash: str
    locked_until: dt.datetime | None  # set when this attempt was the last one allowed


def _reserve_attempt(db: Database, mobile: str, now: dt.datetime) -> _Reserved | None:
    """Count one failed login in advance, atomically, unless the account is locked.

    One conditional UPDATE, so that concurrent attempts cannot both read the same count: the
    attempt that reaches ``MAX_FAILED_LOGINS`` locks the account in the same statement, and
    no further attempt is taken until the lock expires (an expired lock starts a fresh count).
    The attempt is committed before the slow verification, so that nothing is held open
    meanwhile; a right password then gives it back (``_succeed``), a wrong one keeps it, and
    an attempt whose process dies in between counts as a failure. None: no such mobile;
    AccountLocked: a locked account, answered without looking at the password.
    """
    fresh = User.locked_until.is_(None)
    before = case((fresh, User.failed_logins), else_=0)  # passing the WHERE: unlocked or expired
    until = now + dt.timedelta(minutes=LOCK_MINUTES)
    stmt = (
        update(User)
        .where(User.mobile == mobile, or_(fresh, User.locked_until <= now))
        .values(
            failed_logins=before + 1,
            locked_until=case((before + 1 >= MAX_FAILED_LOGINS, literal(until, UTCDateTime())), else_=null()),
        )
        .returning(User.id, User.password_hash, User.locked_until)
        .execution_options(synchronize_session=False)
    )
    for _ in range(3):
        with unit_of_work(db, None) as uow:
            row = uow.session.execute(stmt).one_or_none()
            if row is not None:
                return _Reserved(row.id, row.password_hash, row.locked_until)
            found = uow.session.execute(select(User.locked_until).where(User.mobile == mobile)).one_or_none()
        if found is None:
            return None
        if found.locked_until is not None and found.locked_until > now:
            raise AccountLocked(found.locked_until)
        # PostgreSQL (read committed): a login or a reset lifted the lock between the two
        # statements. Try again.
    raise AuthError(QT_TRANSLATE_NOOP("errors", "Wrong mobile number or password."))


def _count_unknown(db: Database, mobile: str, now: dt.datetime) -> dt.datetime | None:
    """``_reserve_attempt`` for a number with no account: the same count, the same lock.

    One upsert, atomic on both backends; returns the lock's end when this attempt was the
    last one allowed, raises AccountLocked (before any verification, as for an account) while
    the number is locked."""
    table = LoginFailure.__table__
    digest = hashlib.sha256(mobile.encode()).hexdigest()
    until = now + dt.timedelta(minutes=LOCK_MINUTES)
    fresh = table.c.locked_until.is_(None)
    before = case((fresh, table.c.failed_logins), else_=0)  # unlocked, or the lock has expired
    insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(table)
        .values(mobile_digest=digest, failed_logins=1, last_failed_at=now,
                locked_until=until if MAX_FAILED_LOGINS <= 1 else None)
        .on_conflict_do_update(
            index_elements=[table.c.mobile_digest],
            set_={
                "failed_logins": before + 1,
                "locked_until": case((before + 1 >= MAX_FAILED_LOGINS, literal(until, UTCDateTime())),
                                     else_=null()),
                "last_failed_at": now,
            },
            where=or_(fresh, table.c.locked_until <= now),
        )
        .returning(table.c.locked_until)
    )
    with unit_of_work(db, None) as uow:
        counted = uow.session.execute(stmt).one_or_none()
        if counted is None:  # locked: the WHERE kept the row as it was
            locked = uow.session.execute(select(table.c.locked_until).where(table.c.mobile_digest == digest)).scalar_one()
        uow.session.execute(delete(LoginFailure).where(
            LoginFailure.last_failed_at < now - dt.timedelta(days=FORGET_UNKNOWN_DAYS)))
    if counted is None:
        raise AccountLocked(locked)
    return counted.locked_until


def login_connected(db: Database, *, now: dt.datetime | None = None) -> Actor:
    """A secure server: ``db`` is connected as a user's own login role, whose password
    PostgreSQL has just checked (services/org/server_login.py). The user behind it, their
    login noted as after a right password."""
    with read_only(db, None) as uow:
        user_id = uow.session.scalar(text("SELECT crm_user_id()"))
    if user_id is None:
        raise AuthError(QT_TRANSLATE_NOOP("errors", "Wrong mobile number or password."))
    return _succeed(db, int(user_id), now or utcnow())


def _succeed(db: Database, user_id: int, now: dt.datetime) -> Actor:
    """The right password: the count starts again (our own attempt included)."""
    stamp = case((User.enabled, literal(now, UTCDateTime())), else_=User.last_login_at)
    reset = (
        update(User)
        .where(User.id == user_id)
        .values(failed_logins=0, locked_until=None, last_login_at=stamp)
        .returning(User.enabled)
        .execution_options(synchronize_session=False)
    )
    with unit_of_work(db, None) as uow:
        if uow.session.execute(reset).scalar_one():
            return load_actor(uow.session, user_id)
    raise AccountDisabled()  # after the commit: the right password still gives the attempt back


def change_password(db: Database, actor: Actor, *, old_password: str, new_password: str) -> None:
    with unit_of_work(db, actor) as uow:
        user_id = uow.actor.user_id
        if not passwords.verify_password(login_roles.password_hash(uow.session, user_id), old_password):
            raise ValidationError({"old_password": QT_TRANSLATE_NOOP("errors", "The current password is wrong.")})
        check_policy(new_password, field="new_password")
        login_roles.set_password_hash(uow.session, user_id, hash_password(new_password))
        login_roles.sync(uow.session, user_id, password=new_password)


def reset_password(db: Database, actor: Actor, user_id: int, *, new_password: str) -> None:
    """An administrator sets a new password; this also lifts a lock-out."""
    check_policy(new_password, field="new_password")
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "user", "reset_password")
        user = uow.session.get(User, user_id)
        if user is None:
            raise ValidationError({"user": QT_TRANSLATE_NOOP("errors", "No such user.")})
        login_roles.set_password_hash(uow.session, user.id, hash_password(new_password))
        user.failed_logins, user.locked_until = 0, None
        login_roles.sync(uow.session, user.id, password=new_password)
