"""The receiving side of live refresh: one background thread per open database that hears
other clients' notes and reports them through callbacks (``ui/live.py`` turns them into Qt
signals on the GUI thread).

PostgreSQL: a dedicated autocommit psycopg connection runs ``LISTEN`` and waits in
``conn.notifies()``; the same thread sends this client's presence notes and heartbeats on
it. When the connection breaks (server restarted, cable pulled) it reports "offline",
reconnects with a growing pause (``backoff_s`` doubling up to ``max_backoff_s``), and on
success reports "online" and a ``ChangeNote("*")``: notes sent meanwhile were missed.
SQLite: another process's (or another connection's) commit moves ``PRAGMA data_version``,
polled every ``poll_s``; it says nothing about what changed, so it reports ``"*"``.
Notes signed with this database's own ``client_id`` are skipped.

Thread rule: the callbacks run on the listener thread and must not touch widgets.
"""
from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg

from crm_desktop.db import Database, sqlite_file
from crm_desktop.live.notes import (
    CHANNEL,
    CLOSED,
    EDITING,
    ChangeNote,
    PresenceNote,
    parse,
)
from crm_desktop.live.presence import Key, PresenceBoard

log = logging.getLogger(__name__)

#: How long the thread waits for notes before it looks at its own queue and the clock: the
#: bound on how late a presence note of ours goes out (incoming notes are handed on at once).
POLL_S = 0.25
HEARTBEAT_S = 10.0
EXPIRY_S = 30.0
BACKOFF_S = 0.5
MAX_BACKOFF_S = 15.0
#: libpq options that notice a dead link in seconds rather than the kernel's minutes.
_PG_OPTIONS: dict[str, Any] = {"connect_timeout": 3, "keepalives": 1, "keepalives_idle": 5,
                               "keepalives_interval": 2, "keepalives_count": 2, "tcp_user_timeout": 6000}


class Listener:
    """Hears the live channel of ``database`` on a thread of its own (see the module doc).

    ``on_change(note)``: a change by another client; ``on_presence(keys)``: these records'
    editors changed (read them with ``editors``); ``on_state(online, retry_in_s)``: the
    connection came up (True, 0) or is down and will be tried again in ``retry_in_s``.
    """

    def __init__(
        self, database: Database, *, on_change: Callable[[ChangeNote], None],
        on_presence: Callable[[set[Key]], None] = lambda _keys: None,
        on_state: Callable[[bool, float], None] = lambda _online, _retry: None,
        poll_s: float = POLL_S, heartbeat_s: float = HEARTBEAT_S, expiry_s: float = EXPIRY_S,
        backoff_s: float = BACKOFF_S, max_backoff_s: float = MAX_BACKOFF_S,
    ) -> None:
        self._db = database
        self.client_id = database.client_id
        self._on_change = on_change
        self._on_presence = on_presence
        self._on_state = on_state
        self._poll_s = poll_s
        self._heartbeat_s = heartbeat_s
        self._backoff_s = backoff_s
        self._max_backoff_s = max_backoff_s
        self.board = PresenceBoard(expiry_s=expiry_s)
        self._outbox: queue.SimpleQueue[PresenceNote] = queue.SimpleQueue()
        #: This client's editing windows: (entity, id) → (user id, open count).
        self._mine: dict[Key, tuple[int, int]] = {}
        self._mine_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.online: bool | None = None

    # --- any thread -------------------------------------------------------------------

    def start(self) -> None:
        target = self._run_postgres if self._db.backend == "postgresql" else self._run_sqlite
        self._thread = threading.Thread(target=target, name="crm-live-listener", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Say "closed" for this client's editing windows (best effort) and end the thread."""
        with self._mine_lock:
            for (entity, record_id), (user_id, _n) in self._mine.items():
                self._outbox.put(PresenceNote(CLOSED, entity, record_id, user_id, self.client_id))
            self._mine.clear()
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def announce(self, entity: str, record_id: int, user_id: int, *, editing: bool) -> None:
        """This client opened (``editing``) or closed an editing window of the record.
        Windows are counted: "closed" goes out when the last one of the record closes."""
        key = (entity, record_id)
        with self._mine_lock:
            _user, count = self._mine.get(key, (user_id, 0))
            count += 1 if editing else -1
            if count > 0:
                self._mine[key] = (user_id, count)
            else:
                self._mine.pop(key, None)
            first_or_last = (editing and count == 1) or (not editing and count <= 0)
        if first_or_last:
            self._outbox.put(PresenceNote(EDITING if editing else CLOSED, entity, record_id, user_id, self.client_id))

    def editors(self, entity: str, record_id: int) -> list[int]:
        return self.board.editors(entity, record_id)

    # --- the thread -------------------------------------------------------------------

    def _set_state(self, online: bool, retry_in: float) -> None:
        if online != self.online:
            self.online = online
            self._on_state(online, retry_in)
        elif not online:
            self._on_state(False, retry_in)  # the next retry's pause, for the status bar

    def _handle(self, payload: str) -> None:
        note = parse(payload)
        if note is None or note.client_id == self.client_id:
            return
        if isinstance(note, ChangeNote):
            self._on_change(note)
        else:
            changed = self.board.apply(note, time.monotonic())
            if changed:
                self._on_presence(changed)

    def _conninfo(self) -> str:
        return self._db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)

    def _run_postgres(self) -> None:
        delay = self._backoff_s
        lost = False
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo(), autocommit=True, **_PG_OPTIONS) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._set_state(True, 0)
                    delay = self._backoff_s
                    if lost:  # whatever was announced meanwhile was missed: everyone re-reads
                        self._on_change(ChangeNote("*", 0))
                    self._serve(conn)
                    return
            except psycopg.Error as exc:
                if self._stop.is_set():
                    return
                log.info("live channel unavailable (%s); retrying in %.1f s", type(exc).__name__, delay)
                lost = True
                gone = self.board.clear()
                if gone:
                    self._on_presence(gone)
                self._set_state(False, delay)
                self._stop.wait(delay)
                delay = min(delay * 2, self._max_backoff_s)

    def _serve(self, conn: psycopg.Connection[Any]) -> None:
        """Hear notes, send ours, heartbeat and expire, until stopped or the connection breaks."""
        with self._mine_lock:  # after a reconnect the others learn of our windows again
            for (entity, record_id), (user_id, _n) in self._mine.items():
                self._outbox.put(PresenceNote(EDITING, entity, record_id, user_id, self.client_id))
        next_beat = time.monotonic() + self._heartbeat_s
        while True:
            for notify in conn.notifies(timeout=self._poll_s):
                self._handle(notify.payload)
            self._send_outbox(conn)
            if self._stop.is_set():
                return
            now = time.monotonic()
            if now >= next_beat:
                next_beat = now + self._heartbeat_s
                with self._mine_lock:
                    beats = [PresenceNote(EDITING, e, r, u, self.client_id) for (e, r), (u, _n) in self._mine.items()]
                for note in beats:
                    self._outbox.put(note)
                conn.execute("SELECT 1")  # a broken link shows here even when nobody talks
            expired = self.board.expire(now)
            if expired:
                self._on_presence(expired)

    def _send_outbox(self, conn: psycopg.Connection[Any]) -> None:
        while True:
            try:
                note = self._outbox.get_nowait()
            except queue.Empty:
                return
            try:
                conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, note.payload()))
            except psycopg.Error:
                self._outbox.put(note)  # sent again after the reconnect (stale heartbeats are harmless)
                raise

    def _run_sqlite(self) -> None:
        path = sqlite_file(str(self._db.engine.url))
        if path is None:
            return  # an in-memory database has no other connections to hear
        while not self._stop.is_set():
            try:
                conn = sqlite3.connect(path, timeout=1.0)
                last: int | None = None  # data_version is per connection
                try:
                    self._set_state(True, 0)
                    while not self._stop.wait(self._poll_s):
                        version = conn.execute("PRAGMA data_version").fetchone()[0]
                        if last is not None and version != last:
                            self._on_change(ChangeNote("*", 0))
                        last = version
                finally:
                    conn.close()
            except sqlite3.Error:
                self._set_state(False, self._backoff_s)
                self._stop.wait(self._backoff_s)
