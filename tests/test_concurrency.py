"""Concurrency (issue 11): no driver or ORM error reaches a user from a service write. A stale
row is a ConflictError, or — for operations that commute with edits (follow-ups, lock) — the
operation runs again; deadlocks and a busy SQLite file run again, then are reported in words;
the block-mode duplicate-claim check is decided inside the write transaction; and a short run
of bench/stress.py loses nothing. Each test runs on SQLite and PostgreSQL unless it says why.
"""
from __future__ import annotations

import logging
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError

from crm_desktop.db import Database, open_database
from crm_desktop.models import Customer, FollowUp, Product
from crm_desktop.services import uow as uow_module
from crm_desktop.services.customers.customers import customers, lock, unlock
from crm_desktop.services.customers.followups import add_followup
from crm_desktop.services.db_errors import DatabaseBusy, StaleRecord, UniqueTaken
from crm_desktop.services.errors import ConflictError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.records.duplicates import (
    DuplicateFound,
    set_duplicate_check_mode,
)
from crm_desktop.services.records.records import RecordDTO
from crm_desktop.services.uow import unit_of_work

ROOT = Path(__file__).resolve().parent.parent


def url_of(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


@pytest.fixture
def other(db: Database) -> Iterator[Database]:
    """A second handle on the same database: another PC."""
    handle = open_database(url_of(db), migrate_schema=False)
    yield handle
    handle.dispose()


def edit_behind(other: Database, customer_id: int, remark: str) -> None:
    """Another PC's save of the customer's remark, committed now (it bumps the version)."""
    with other.engine.begin() as conn:
        conn.execute(update(Customer).where(Customer.id == customer_id)
                     .values(remark=remark, version=Customer.version + 1))


def stored(db: Database, customer_id: int) -> Customer:
    with db.sessions() as s:
        row = s.get_one(Customer, customer_id)
        s.expunge(row)
        return row


@contextmanager
def once_after(db: Database, prefix: str, action: Any) -> Iterator[list[bool]]:
    """Run ``action()`` once, right after the first statement of ``db`` starting with ``prefix``."""
    done: list[bool] = []

    def hook(_conn: Any, _cur: Any, statement: str, *_a: Any) -> None:
        if not done and statement.lstrip().startswith(prefix):
            done.append(True)
            action()

    event.listen(db.engine, "after_cursor_execute", hook)
    try:
        yield done
    finally:
        event.remove(db.engine, "after_cursor_execute", hook)


def run_together(*targets: Callable[[], None]) -> None:
    """Each target on a thread of its own (they meet at a barrier of their own); wait for all."""
    threads = [threading.Thread(target=t) for t in targets]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)


def retries(caplog: pytest.LogCaptureFixture) -> int:
    return sum("running it again" in r.getMessage() for r in caplog.records)


# --- stale rows ------------------------------------------------------------------------------


def test_a_stale_row_in_any_unit_of_work_is_a_conflict_error(db: Database, admin: Actor, other: Database) -> None:
    c = customers.create(db, admin, {"name": "星辰"})
    with pytest.raises(ConflictError) as err:
        with unit_of_work(db, admin) as uow:
            row = uow.session.get_one(Customer, c.id)  # version 1
            edit_behind(other, c.id, "theirs")
            row.remark = "mine"
            uow.session.flush()  # UPDATE … WHERE version = 1 matches nothing
    assert isinstance(err.value, StaleRecord) and isinstance(err.value.__cause__, StaleDataError)
    assert str(err.value).startswith("Someone else changed this record at the same moment.")
    assert (stored(db, c.id).remark, stored(db, c.id).version) == ("theirs", 2)


def test_only_commuting_work_runs_again_after_a_stale_row(
    db: Database, admin: Actor, other: Database, caplog: pytest.LogCaptureFixture
) -> None:
    c = customers.create(db, admin, {"name": "星辰"})
    calls: list[int] = []
    theirs = ["theirs"]

    def append(uow: uow_module.UnitOfWork) -> int:
        calls.append(1)
        row = uow.session.get_one(Customer, c.id)
        if len(calls) == 1:
            edit_behind(other, c.id, theirs[0])
        row.remark = f"{row.remark}+mine"
        uow.session.flush()
        return row.version

    with pytest.raises(StaleRecord):  # an edit based on what it read: reported, not repeated
        uow_module.in_unit_of_work(db, admin, append)
    assert len(calls) == 1 and stored(db, c.id).remark == "theirs"
    calls.clear()
    theirs[0] = "theirs again"
    caplog.set_level(logging.INFO, "crm_desktop.services.uow")
    assert uow_module.in_unit_of_work(db, admin, append, commutative=True) == 4
    assert len(calls) == 2 and retries(caplog) == 1 and stored(db, c.id).remark == "theirs again+mine"


def test_a_followup_added_while_someone_edits_the_customer_is_saved(
    db: Database, admin: Actor, other: Database
) -> None:
    """The customer is edited between the follow-up's first read of it and its summary update
    (once a raw StaleDataError: 28 % of adds under contention)."""
    c = customers.create(db, admin, {"name": "星辰"})

    def someone_edits() -> None:
        t = threading.Thread(target=customers.update, args=(other, admin, c.id),
                             kwargs={"expected_version": 1, "changes": {"remark": "theirs"}})
        t.start()
        t.join(20)

    with once_after(db, "SELECT customers.", someone_edits) as done:
        f = add_followup(db, admin, target_entity="customer", target_id=c.id, content="回访")
    assert done
    row = stored(db, c.id)
    assert (row.remark, row.version, row.last_followup_content) == ("theirs", 2, "回访")
    with db.sessions() as s:
        assert s.scalar(select(FollowUp.id).where(FollowUp.target_id == c.id)) == f.id


def test_lock_racing_an_edit_keeps_both(
    db: Database, admin: Actor, other: Database, caplog: pytest.LogCaptureFixture
) -> None:
    """Another PC saves the customer while lock reads it (once a raw StaleDataError). Lock
    holds the row lock (PostgreSQL) or the write lock (SQLite) before it reads, so the edit
    waits and lands after it; neither is lost, nothing has to run again."""
    caplog.set_level(logging.INFO, "crm_desktop.services.uow")
    c = customers.create(db, admin, {"name": "星辰"})
    editing: list[threading.Thread] = []

    def someone_edits() -> None:
        t = threading.Thread(target=edit_behind, args=(other, c.id, "theirs"))
        t.start()
        t.join(0.5)  # it waits for lock's transaction (before the fix it committed at once)
        editing.append(t)

    # The read of the whole row (after the lock's own "SELECT customers.id FROM …").
    with once_after(db, "SELECT customers.name", someone_edits) as done:
        assert lock(db, admin, [c.id]) == 1
    editing[0].join(20)
    assert done
    row = stored(db, c.id)
    assert (row.locked, row.remark, row.version) == (True, "theirs", 3)
    assert retries(caplog) == 0


def test_followups_lock_and_edits_from_many_threads_all_land(db: Database, admin: Actor) -> None:
    """Four PCs add follow-ups to one customer while two others edit and lock/unlock it."""
    c = customers.create(db, admin, {"name": "星辰"})
    handles = [open_database(url_of(db), migrate_schema=False) for _ in range(6)]
    start = threading.Barrier(6)
    raw: list[BaseException] = []
    added: list[int] = []
    outcomes: Counter[str] = Counter()

    def adder(h: Database, n: int) -> None:
        start.wait()
        for i in range(5):
            added.append(add_followup(h, admin, target_entity="customer", target_id=c.id, content=f"{n}-{i}").id)

    def editor(h: Database, n: int) -> None:
        start.wait()
        for i in range(8):
            try:
                version = customers.get(h, admin, c.id).version
                customers.update(h, admin, c.id, expected_version=version, changes={"remark": f"{n}-{i}"})
                (lock if i % 2 else unlock)(h, admin, [c.id])
                outcomes["saved"] += 1
            except ConflictError:  # a real conflict of two edits: the user is asked
                outcomes["conflict"] += 1

    def run(target: Any, h: Database, n: int) -> None:
        try:
            target(h, n)
        except BaseException as exc:  # noqa: BLE001 - reported below
            raw.append(exc)

    run_together(*(partial(run, adder if n < 4 else editor, h, n) for n, h in enumerate(handles)))
    for h in handles:
        h.dispose()
    assert raw == []
    assert len(added) == 20 and sum(outcomes.values()) == 16
    with db.sessions() as s:
        assert set(s.scalars(select(FollowUp.id).where(FollowUp.target_id == c.id))) == set(added)


# --- deadlocks and a busy database -------------------------------------------------------------


# SQLite has one writer at a time: no deadlock between row locks.
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
@pytest.mark.parametrize("attempts", [uow_module.MAX_ATTEMPTS, 1])
def test_a_deadlock_runs_again(db: Database, admin: Actor, attempts: int) -> None:
    """Two transactions update two rows in opposite order: PostgreSQL aborts one (40P01)."""
    a, b = (customers.create(db, admin, {"name": n}).id for n in ("甲公司", "乙公司"))
    both_hold_one = threading.Barrier(2)
    runs: Counter[str] = Counter()
    outcome: dict[str, Any] = {}

    def work(who: str, first: int, second: int) -> None:
        def body(uow: uow_module.UnitOfWork) -> str:
            runs[who] += 1
            uow.session.execute(update(Customer).where(Customer.id == first).values(remark=who))
            if runs[who] == 1:
                both_hold_one.wait(10)
            uow.session.execute(update(Customer).where(Customer.id == second).values(remark=who))
            return who

        try:
            outcome[who] = uow_module.run_retrying(
                lambda: uow_module.in_unit_of_work(db, admin, body), attempts=attempts)
        except Exception as exc:  # noqa: BLE001 - checked below
            outcome[who] = exc

    run_together(partial(work, "x", a, b), partial(work, "y", b, a))
    if attempts > 1:
        assert outcome == {"x": "x", "y": "y"} and sum(runs.values()) == 3
        assert stored(db, a).remark == stored(db, b).remark  # one transaction after the other
    else:
        (failed,) = [v for v in outcome.values() if isinstance(v, Exception)]
        assert isinstance(failed, DatabaseBusy) and failed.__cause__.orig.sqlstate == "40P01"
        assert "busy with other people's changes" in str(failed)


# PostgreSQL waits for row locks; its deadlocks are tested above.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@pytest.mark.parametrize("attempts", [uow_module.MAX_ATTEMPTS, 1])
def test_a_busy_sqlite_file_runs_again(
    db: Database, admin: Actor, caplog: pytest.LogCaptureFixture, attempts: int
) -> None:
    """Another program holds the write lock past the busy timeout ("database is locked")."""
    c = customers.create(db, admin, {"name": "星辰"})
    event.listen(db.engine, "connect", lambda conn, _rec: conn.execute("PRAGMA busy_timeout=50"))
    db.engine.dispose()  # new connections: a 50 ms busy timeout instead of 10 s
    blocker = sqlite3.connect(db.engine.url.database, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")

    class ReleaseOnRetry(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if blocker.in_transaction:
                blocker.execute("COMMIT")

    handler = ReleaseOnRetry()
    logging.getLogger("crm_desktop.services.uow").addHandler(handler)
    caplog.set_level(logging.INFO, "crm_desktop.services.uow")

    def write(uow: uow_module.UnitOfWork) -> None:
        uow.session.execute(update(Customer).where(Customer.id == c.id).values(remark="mine"))

    try:
        if attempts > 1:
            uow_module.in_unit_of_work(db, admin, write)
            assert retries(caplog) == 1 and stored(db, c.id).remark == "mine"
        else:
            with pytest.raises(DatabaseBusy) as err:
                uow_module.run_retrying(lambda: uow_module.in_unit_of_work(db, admin, write), attempts=1)
            assert isinstance(err.value.__cause__, OperationalError)
            assert "database is locked" in str(err.value.__cause__)
    finally:
        logging.getLogger("crm_desktop.services.uow").removeHandler(handler)
        if blocker.in_transaction:
            blocker.execute("ROLLBACK")
        blocker.close()


# --- constraints -------------------------------------------------------------------------------


def test_a_unique_key_is_a_validation_error_naming_the_field(db: Database, admin: Actor) -> None:
    def two_products(uow: uow_module.UnitOfWork) -> None:
        for name in ("甲", "乙"):
            uow.session.add(Product(name=name, code="P-0042", unit="台", price=1, owner_id=admin.user_id,
                                    creator_id=admin.user_id, custom={}))
            uow.session.flush()

    with pytest.raises(UniqueTaken) as err:
        uow_module.in_unit_of_work(db, admin, two_products)
    assert err.value.field_errors == {"code": "Another record already has this value."}
    assert (err.value.table, err.value.columns) == ("products", ("code",))
    assert "P-0042" not in str(err.value)
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Product)) == 0


# --- the duplicate-claim check -------------------------------------------------------------------


@pytest.mark.parametrize("values", [
    ({"name": "厦门星辰科技有限公司"}, {"name": "星辰科技（厦门）"}),
    ({"name": "甲公司", "phone": "0592-5550001"}, {"name": "乙公司", "phone": "+86 592 5550001"}),
], ids=["similar-name", "same-phone"])
def test_two_pcs_saving_the_same_company_at_once_in_block_mode(
    db: Database, admin: Actor, values: tuple[dict[str, str], dict[str, str]]
) -> None:
    """Both press Save at the same moment; each save is slow to commit. Exactly one is saved,
    the other gets the duplicate-claim refusal."""
    set_duplicate_check_mode(db, admin, "block")
    handles = [open_database(url_of(db), migrate_schema=False) for _ in range(2)]

    def slow_insert(_conn: Any, _cur: Any, statement: str, *_a: Any) -> None:
        if statement.startswith("INSERT INTO customers"):
            time.sleep(0.5)  # the other PC's check runs meanwhile

    for h in handles:
        event.listen(h.engine, "after_cursor_execute", slow_insert)
    start = threading.Barrier(2)
    outcome: list[Any] = [None, None]

    def save(i: int) -> None:
        start.wait()
        try:
            outcome[i] = customers.create(handles[i], admin, values[i])
        except Exception as exc:  # noqa: BLE001 - checked below
            outcome[i] = exc

    run_together(partial(save, 0), partial(save, 1))
    for h in handles:
        h.dispose()
    assert sorted(type(o).__name__ for o in outcome) == ["DuplicateFound", "RecordDTO"], outcome
    saved = next(o for o in outcome if isinstance(o, RecordDTO))
    refused = next(o for o in outcome if isinstance(o, DuplicateFound))
    assert [c.name for c in refused.candidates] == [saved.values["name"]]
    with db.sessions() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 1


# --- bench/stress.py, short ----------------------------------------------------------------------


def test_a_short_stress_run_loses_nothing(db_url: str) -> None:
    """3 processes × 3 s of overlapping edits, follow-ups, lock/unlock, pool and contracts."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "stress.py"), "--processes", "3", "--seconds", "3",
         "--database", db_url],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    last = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    found = re.fullmatch(r"acknowledged=(\d+) lost=(\d+) raw_errors=(\d+) conflicts=(\d+) duplicate_numbers=(\d+)",
                         last)
    assert found, (done.stdout, done.stderr)
    acknowledged, lost, raw, _conflicts, duplicates = map(int, found.groups())
    assert (lost, raw, duplicates) == (0, 0, 0), (done.stdout, done.stderr)
    assert acknowledged > 0 and done.returncode == 0
