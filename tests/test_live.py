"""Live refresh below the UI (issue 17): a commit in one open database is heard by another's
listener as ``entity:id:version`` (PostgreSQL NOTIFY, atomic with the commit), a rolled-back
write is never announced, a client skips its own notes, presence shows and expires, and
SQLite's ``data_version`` reports other connections' commits."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from crm_desktop.bootstrap import bootstrap
from crm_desktop.db import Database
from crm_desktop.live.listener import Listener
from crm_desktop.live.notes import CLOSED, EDITING, ChangeNote, PresenceNote, parse
from crm_desktop.live.presence import PresenceBoard
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.errors import ServiceError
from crm_desktop.services.org.actor import Actor


def wait_for(check: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


class Heard:
    """What a listener reported, thread-safely."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.changes: list[ChangeNote] = []
        self.states: list[bool] = []

    def change(self, note: ChangeNote) -> None:
        with self.lock:
            self.changes.append(note)

    def state(self, online: bool, _retry: float) -> None:
        with self.lock:
            self.states.append(online)

    def of(self, entity: str) -> list[ChangeNote]:
        with self.lock:
            return [n for n in self.changes if n.entity == entity]


@pytest.fixture
def other(db: Database) -> Iterator[Database]:
    """A second open database on the same data: another PC."""
    database = bootstrap(str(db.engine.url.render_as_string(hide_password=False)))
    yield database
    database.dispose()


def listen(database: Database, heard: Heard, **options: float) -> Listener:
    listener = Listener(database, on_change=heard.change, on_state=heard.state, **options)  # type: ignore[arg-type]
    listener.start()
    assert wait_for(lambda: heard.states[-1:] == [True]), "the listener never came online"
    return listener


def test_notes_round_trip() -> None:
    change = ChangeNote("customer", 12, 3, 7, "abc")
    presence = PresenceNote(EDITING, "lead", 5, 2, "xyz")
    assert parse(change.payload()) == change
    assert parse(presence.payload()) == presence
    assert change.payload() == "customer:12:3:7:abc"  # names the record, never its data
    for junk in ("", "customer:x:1:1:a", "@typing:lead:1:1:a", "a:b", "@editing:lead:1:1"):
        assert parse(junk) is None


def test_a_commit_is_heard_by_another_client_with_its_version(db: Database, other: Database, admin: Actor) -> None:
    if db.backend != "postgresql":
        pytest.skip("NOTIFY is PostgreSQL's; SQLite is covered by the data_version test")
    heard_here, heard_there = Heard(), Heard()
    mine, theirs = listen(db, heard_here), listen(other, heard_there)
    try:
        created = customers.create(db, admin, {"name": "厦门海景贸易有限公司"})
        assert wait_for(lambda: any(n.record_id == created.id for n in heard_there.of("customer")))
        note = heard_there.of("customer")[-1]
        assert (note.version, note.actor_id, note.client_id) == (created.version, admin.user_id, db.client_id)
        updated = customers.update(db, admin, created.id, expected_version=created.version, changes={"phone": "0592-1234567"})
        assert wait_for(lambda: any(n.version == updated.version for n in heard_there.of("customer")))
        time.sleep(0.3)
        assert heard_here.of("customer") == []  # a client skips its own notes
    finally:
        mine.stop()
        theirs.stop()


def test_a_rolled_back_write_is_never_announced(db: Database, other: Database, admin: Actor) -> None:
    if db.backend != "postgresql":
        pytest.skip("NOTIFY is PostgreSQL's")
    heard = Heard()
    listener = listen(other, heard)
    try:
        created = customers.create(db, admin, {"name": "厦门回滚测试有限公司"})
        assert wait_for(lambda: bool(heard.of("customer")))
        with pytest.raises(ServiceError):  # stale version: the transaction rolls back
            customers.update(db, admin, created.id, expected_version=created.version + 5, changes={"phone": "1"})
        time.sleep(0.5)
        assert [n.version for n in heard.of("customer")] == [created.version]
    finally:
        listener.stop()


def test_sqlite_data_version_reports_other_connections(db: Database, other: Database, admin: Actor) -> None:
    if db.backend != "sqlite":
        pytest.skip("SQLite only")
    heard = Heard()
    listener = listen(other, heard, poll_s=0.05)
    try:
        time.sleep(0.2)
        customers.create(db, admin, {"name": "厦门轮询测试有限公司"})
        assert wait_for(lambda: bool(heard.of("*")))
    finally:
        listener.stop()


def test_presence_shows_and_clears(db: Database, other: Database, admin: Actor) -> None:
    if db.backend != "postgresql":
        pytest.skip("presence travels on PostgreSQL's channel")
    seen: list[set[tuple[str, int]]] = []
    heard = Heard()
    editor = Listener(db, on_change=heard.change, heartbeat_s=0.2)
    watcher = Listener(other, on_change=heard.change, on_presence=seen.append, expiry_s=1.0)
    editor.start()
    watcher.start()
    try:
        assert wait_for(lambda: editor.online is True and watcher.online is True)
        editor.announce("customer", 9, admin.user_id, editing=True)
        editor.announce("customer", 9, admin.user_id, editing=True)  # a second window of the record
        assert wait_for(lambda: watcher.editors("customer", 9) == [admin.user_id])
        editor.announce("customer", 9, admin.user_id, editing=False)
        time.sleep(0.6)  # one window still open: still editing (heartbeats keep it alive)
        assert watcher.editors("customer", 9) == [admin.user_id]
        editor.announce("customer", 9, admin.user_id, editing=False)
        assert wait_for(lambda: watcher.editors("customer", 9) == [])
        assert ("customer", 9) in set().union(*seen)
    finally:
        editor.stop()
        watcher.stop()


def test_presence_expires_without_heartbeats() -> None:
    board = PresenceBoard(expiry_s=10)
    assert board.apply(PresenceNote(EDITING, "lead", 1, 4, "c1"), now=0) == {("lead", 1)}
    assert board.apply(PresenceNote(EDITING, "lead", 1, 4, "c1"), now=5) == set()  # a heartbeat
    assert board.expire(now=14) == set()
    assert board.editors("lead", 1) == [4]
    assert board.expire(now=15) == {("lead", 1)}  # the other PC went silent
    assert board.editors("lead", 1) == []
    board.apply(PresenceNote(EDITING, "lead", 1, 4, "c1"), now=20)
    assert board.apply(PresenceNote(CLOSED, "lead", 1, 4, "c1"), now=21) == {("lead", 1)}
    assert board.editors("lead", 1) == []


def test_a_bulk_change_is_one_note(
    db: Database, other: Database, admin: Actor, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """More than MAX_NOTES_PER_ENTITY records of one entity in one transaction: one note
    ``customer:0`` (every view reads record id 0 as "reload"), not one per record."""
    if db.backend != "postgresql":
        pytest.skip("NOTIFY is PostgreSQL's")
    from crm_desktop.live import sender
    from tests.ui.test_record_list_model import make_sales_user

    monkeypatch.setattr(sender, "MAX_NOTES_PER_ENTITY", 3)  # the rule, not the number, is tested
    rep = make_sales_user(db, admin, mobile="13900000088", name="李四")
    ids = [customers.create(db, admin, {"name": f"批量客户{i:03d}"}).id for i in range(4)]
    heard = Heard()
    listener = listen(other, heard)
    try:
        assert customers.transfer(db, admin, ids, new_owner_id=rep.user_id) == len(ids)
        assert wait_for(lambda: bool(heard.of("customer")))
        time.sleep(0.5)
        assert [(n.record_id, n.actor_id) for n in heard.of("customer")] == [(0, admin.user_id)]
    finally:
        listener.stop()
