"""First run, login, lock-out after five wrong passwords, password changes."""
from __future__ import annotations

import datetime as dt
import threading
from typing import Literal

import pytest
from argon2 import PasswordHasher, extract_parameters
from sqlalchemy import select

from crm_desktop.db import Database
from crm_desktop.models import User
from crm_desktop.services.errors import (
    AccountDisabled,
    AccountLocked,
    AuthError,
    RuleViolation,
    ValidationError,
)
from crm_desktop.services.org import auth, passwords
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.users import UserInput, create_user, set_enabled
from tests.conftest import ADMIN_MOBILE, ADMIN_PASSWORD, SHIPPED_DUMMY_HASH

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


# --- concurrent attempts and the account oracle (issue 11, Login) -------------------------

class VerificationCounter:
    """Counts real argon2 verifications (every path to one goes through PasswordHasher.verify).

    Instrumentation, not a mock: the wrapped verification still runs and decides.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self._lock = threading.Lock()
        real = PasswordHasher.verify

        def counted(hasher: PasswordHasher, hash: str | bytes, password: str | bytes) -> Literal[True]:
            with self._lock:
                self.calls += 1
            return real(hasher, hash, password)

        monkeypatch.setattr(PasswordHasher, "verify", counted)


def stored_lock(db: Database, mobile: str) -> dt.datetime | None:
    with db.sessions() as s:
        return s.scalar(select(User.locked_until).where(User.mobile == mobile))


def test_concurrent_wrong_passwords_verify_no_more_than_the_limit(
    db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = VerificationCounter(monkeypatch)
    threads, tries = 16, 4
    start = threading.Barrier(threads)
    outcomes: list[BaseException] = []

    def attack() -> None:
        start.wait()
        for _ in range(tries):
            try:
                auth.login(db, ADMIN_MOBILE, "wrong-guess1")
            except BaseException as exc:  # noqa: BLE001 - every outcome is inspected below
                outcomes.append(exc)

    workers = [threading.Thread(target=attack) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert len(outcomes) == threads * tries
    assert all(isinstance(exc, AuthError) for exc in outcomes), {type(exc).__name__ for exc in outcomes}
    assert counter.calls == auth.MAX_FAILED_LOGINS
    assert sum(not isinstance(exc, AccountLocked) for exc in outcomes) == auth.MAX_FAILED_LOGINS - 1
    until = stored_lock(db, ADMIN_MOBILE)
    assert until is not None and until > dt.datetime.now(dt.timezone.utc)
    # The right password is refused while locked, and not even looked at.
    with pytest.raises(AccountLocked):
        auth.login(db, ADMIN_MOBILE, ADMIN_PASSWORD)
    assert counter.calls == auth.MAX_FAILED_LOGINS


def test_an_unknown_mobile_answers_exactly_as_an_account_with_a_wrong_password(
    db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same words, same verifications, and the same lock after the same number of attempts:
    the sixth guess at an unknown number used to answer "wrong password" where an account
    said "locked", which told an attacker who has an account."""
    counter = VerificationCounter(monkeypatch)

    def answers(mobile: str) -> list[tuple[str, str, int]]:
        seen = []
        for attempt in range(auth.MAX_FAILED_LOGINS + 2):
            before = counter.calls
            with pytest.raises(AuthError) as err:
                auth.login(db, mobile, "wrong-guess1", now=T0 + dt.timedelta(seconds=attempt))
            seen.append((type(err.value).__name__, str(err.value), counter.calls - before))
        return seen

    known, unknown = answers(ADMIN_MOBILE), answers("13999999999")
    assert unknown == known
    assert [kind for kind, _, _ in known].count("AccountLocked") == 3  # the fifth, sixth and seventh
    assert [cost for _, _, cost in known] == [1] * auth.MAX_FAILED_LOGINS + [0, 0]
    # The lock ends for both after the same time.
    later = T0 + dt.timedelta(minutes=auth.LOCK_MINUTES, seconds=5)
    for mobile in (ADMIN_MOBILE, "13999999999"):
        with pytest.raises(AuthError) as err:
            auth.login(db, mobile, "wrong-guess1", now=later)
        assert type(err.value) is AuthError


def test_concurrent_guesses_at_an_unknown_mobile_are_counted_like_an_account(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = VerificationCounter(monkeypatch)
    threads, tries = 8, 2
    start = threading.Barrier(threads)
    outcomes: list[BaseException] = []

    def guess() -> None:
        start.wait()
        for _ in range(tries):
            try:
                auth.login(db, "13999999998", "wrong-guess1")
            except BaseException as exc:  # noqa: BLE001 - every outcome is inspected below
                outcomes.append(exc)

    workers = [threading.Thread(target=guess) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
    assert len(outcomes) == threads * tries and all(isinstance(exc, AuthError) for exc in outcomes)
    assert counter.calls == auth.MAX_FAILED_LOGINS
    assert sum(not isinstance(exc, AccountLocked) for exc in outcomes) == auth.MAX_FAILED_LOGINS - 1


def test_the_dummy_hash_costs_what_a_real_one_costs() -> None:
    # The constant must carry the parameters new hashes get, or an unknown mobile answers
    # faster or slower than a known one (dummy_hash() would quietly repair it at run time).
    # (The suite hashes with cheap parameters: tests/conftest.py.)
    shipped = PasswordHasher()  # passwords._hasher as the app makes it
    assert extract_parameters(SHIPPED_DUMMY_HASH) == extract_parameters(shipped.hash("any1pass"))
    # And the app repairs a dummy hash that does not match its hasher (here, the cheap one).
    assert extract_parameters(passwords.dummy_hash()) == extract_parameters(passwords.hash_password("any1pass"))


def test_disabled_account_is_said_only_after_the_right_password(
    db: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    uid = _sales_user(db, admin)
    with pytest.raises(AuthError) as enabled_wrong:
        auth.login(db, "13700000001", "wrong-guess1")
    set_enabled(db, admin, uid, enabled=False)
    counter = VerificationCounter(monkeypatch)
    with pytest.raises(AuthError) as disabled_wrong:
        auth.login(db, "13700000001", "wrong-guess1")
    assert type(disabled_wrong.value) is AuthError and str(disabled_wrong.value) == str(enabled_wrong.value)
    with pytest.raises(AccountDisabled):
        auth.login(db, "13700000001", "sales1234")
    assert counter.calls == 2
    with db.sessions() as s:  # the right password gave its attempt back, and is no login
        row = s.execute(select(User.failed_logins, User.last_login_at).where(User.id == uid)).one()
    assert row.failed_logins == 0 and row.last_login_at is None
