"""First-run set-up, login with lock-out, password changes."""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Department, Role, Setting, User, utcnow
from crm_desktop.services.actor import Actor, load_actor
from crm_desktop.services.errors import AccountDisabled, AccountLocked, AuthError, RuleViolation, ValidationError
from crm_desktop.services.passwords import check_policy, hash_password, verify_password
from crm_desktop.services.permissions import require
from crm_desktop.services.schema import seed_dictionaries
from crm_desktop.services.uow import read_only, unit_of_work
from crm_desktop.services.validation import check_mobile

if TYPE_CHECKING:
    from crm_desktop.db import Database

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 15


def needs_setup(db: Database) -> bool:
    """True on a database that has no users yet (first run)."""
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
        s.flush()
        return load_actor(s, user.id)


def login(db: Database, mobile: str, password: str, *, now: dt.datetime | None = None) -> Actor:
    """Check a password. Five wrong ones in a row lock the account for 15 minutes.

    The error never says whether the mobile number exists.
    """
    now = now or utcnow()
    with unit_of_work(db, None) as uow:
        user = uow.session.scalar(select(User).where(User.mobile == mobile.strip()))
        if user is None:
            raise AuthError(QT_TRANSLATE_NOOP("errors", "Wrong mobile number or password."))
        if user.locked_until is not None and user.locked_until > now:
            raise AccountLocked(user.locked_until)
        if not verify_password(user.password_hash, password):
            if user.locked_until is not None:  # an expired lock starts a fresh count
                user.locked_until, user.failed_logins = None, 0
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILED_LOGINS:
                user.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
                user.failed_logins = 0
                uow.commit()  # keep the count although we raise
                raise AccountLocked(user.locked_until)
            uow.commit()
            raise AuthError(QT_TRANSLATE_NOOP("errors", "Wrong mobile number or password."))
        if not user.enabled:
            raise AccountDisabled()
        user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
        uow.session.flush()
        return load_actor(uow.session, user.id)


def change_password(db: Database, actor: Actor, *, old_password: str, new_password: str) -> None:
    with unit_of_work(db, actor) as uow:
        user = uow.session.get_one(User, uow.actor.user_id)
        if not verify_password(user.password_hash, old_password):
            raise ValidationError({"old_password": QT_TRANSLATE_NOOP("errors", "The current password is wrong.")})
        check_policy(new_password, field="new_password")
        user.password_hash = hash_password(new_password)


def reset_password(db: Database, actor: Actor, user_id: int, *, new_password: str) -> None:
    """An administrator sets a new password; this also lifts a lock-out."""
    check_policy(new_password, field="new_password")
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "user", "reset_password")
        user = uow.session.get(User, user_id)
        if user is None:
            raise ValidationError({"user": QT_TRANSLATE_NOOP("errors", "No such user.")})
        user.password_hash = hash_password(new_password)
        user.failed_logins, user.locked_until = 0, None
