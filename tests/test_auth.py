"""First run, login, lock-out after five wrong passwords, password changes."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from crm_desktop.db import Database
from crm_desktop.models import User
from crm_desktop.services import auth
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import AccountDisabled, AccountLocked, AuthError, RuleViolation, ValidationError
from crm_desktop.services.users import UserInput, create_user, set_enabled
from tests.conftest import ADMIN_MOBILE, ADMIN_PASSWORD

T0 = dt.datetime(2026, 11, 22, 9, 0, tzinfo=dt.timezone.utc)


def test_first_run_creates_company_and_super_admin(db: Database) -> None:
    assert auth.needs_setup(db)
    actor = auth.setup_company(db, company="星辰科技", admin_name="王磊", admin_mobile="13900000001", password="abc12345")
    assert not auth.needs_setup(db)
    assert actor.is_super and actor.can("role", "delete")
    assert auth.company_name(db) == "星辰科技"
    with db.sessions() as s:
        assert s.scalar(select(User.password_hash)).startswith("$argon2id$")
    with pytest.raises(RuleViolation):
        auth.setup_company(db, company="X", admin_name="Y", admin_mobile="13900000002", password="abc12345")


def test_setup_validates_input(db: Database) -> None:
    with pytest.raises(ValidationError) as err:
        auth.setup_company(db, company=" ", admin_name="", admin_mobile="abc", password="abc12345")
    assert set(err.value.field_errors) == {"company", "admin_name", "admin_mobile"}
    with pytest.raises(ValidationError) as err:
        auth.setup_company(db, company="A", admin_name="B", admin_mobile="13900000001", password="short")
    assert "password" in err.value.field_errors
    assert auth.needs_setup(db)  # nothing half-created


def test_login_and_wrong_password(db: Database, admin: Actor) -> None:
    assert auth.login(db, ADMIN_MOBILE, ADMIN_PASSWORD).user_id == admin.user_id
    with pytest.raises(AuthError, match="Wrong mobile number or password"):
        auth.login(db, ADMIN_MOBILE, "nope")
    with pytest.raises(AuthError, match="Wrong mobile number or password"):
        auth.login(db, "13999999999", ADMIN_PASSWORD)  # same words: does not reveal who exists


def test_five_wrong_passwords_lock_for_fifteen_minutes(db: Database, admin: Actor) -> None:
    for i in range(4):
        with pytest.raises(AuthError) as err:
            auth.login(db, ADMIN_MOBILE, "wrong", now=T0 + dt.timedelta(seconds=i))
        assert not isinstance(err.value, AccountLocked)
    with pytest.raises(AccountLocked) as locked:
        auth.login(db, ADMIN_MOBILE, "wrong", now=T0 + dt.timedelta(seconds=5))
    assert locked.value.until == T0 + dt.timedelta(seconds=5, minutes=15)
    # Even the right password is refused while locked …
    with pytest.raises(AccountLocked):
        auth.login(db, ADMIN_MOBILE, ADMIN_PASSWORD, now=T0 + dt.timedelta(minutes=14))
    # … and accepted once the 15 minutes are over.
    assert auth.login(db, ADMIN_MOBILE, ADMIN_PASSWORD, now=T0 + dt.timedelta(minutes=16)).user_id == admin.user_id


def test_a_success_resets_the_count(db: Database, admin: Actor) -> None:
    for _ in range(4):
        with pytest.raises(AuthError):
            auth.login(db, ADMIN_MOBILE, "wrong", now=T0)
    auth.login(db, ADMIN_MOBILE, ADMIN_PASSWORD, now=T0)
    for _ in range(4):
        with pytest.raises(AuthError) as err:
            auth.login(db, ADMIN_MOBILE, "wrong", now=T0)
        assert not isinstance(err.value, AccountLocked)


def _sales_user(db: Database, admin: Actor) -> int:
    user = create_user(db, admin, UserInput(mobile="13700000001", name="李娜", department_id=admin.department_id),
                       password="sales1234")
    return user.id


def test_change_and_reset_password(db: Database, admin: Actor) -> None:
    uid = _sales_user(db, admin)
    me = auth.login(db, "13700000001", "sales1234")
    with pytest.raises(ValidationError) as err:
        auth.change_password(db, me, old_password="bad", new_password="newpass123")
    assert "old_password" in err.value.field_errors
    auth.change_password(db, me, old_password="sales1234", new_password="newpass123")
    assert auth.login(db, "13700000001", "newpass123").user_id == uid
    # Lock the account, then an administrator's reset lifts the lock.
    for _ in range(5):
        with pytest.raises(AuthError):
            auth.login(db, "13700000001", "wrong")
    with pytest.raises(AccountLocked):
        auth.login(db, "13700000001", "newpass123")
    auth.reset_password(db, admin, uid, new_password="reset1234")
    assert auth.login(db, "13700000001", "reset1234").user_id == uid


def test_disabled_user_cannot_log_in_or_act(db: Database, admin: Actor) -> None:
    uid = _sales_user(db, admin)
    me = auth.login(db, "13700000001", "sales1234")
    set_enabled(db, admin, uid, enabled=False)
    with pytest.raises(AccountDisabled):
        auth.login(db, "13700000001", "sales1234")
    with pytest.raises(AccountDisabled):  # an open session stops at its next call
        auth.change_password(db, me, old_password="sales1234", new_password="other1234")
