"""``crm-admin migrate`` killed (SIGKILL) at several moments: the database always opens, at
its old revision or at the new one, never in between; one safety copy per pair of revisions.

The old database is built quickly: a fresh file migrated to 0003 (before the search index)
and filled with SQL, enough rows that the upgrade's search-index fill takes a moment. The
upgrade prints one line per revision applied (inside its transaction), which gives the test
kill points it can hit on purpose: during the safety copy, just after it, and after several
revisions.
"""
from __future__ import annotations

import datetime as dt
import os
import queue
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from crm_desktop.db import _alembic_config, head_revision, make_engine
from tests.conftest import drop_pg, new_pg_url

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals")

OLD = "0003"
ROWS = 3000
#: The tables the upgrade from 0003 adds (one per later revision), none of which may exist at 0003.
ADDED_TABLES = ("search_leads", "search_customers", "automation_rules", "approval_flows", "products", "cache_signals")
ENTITIES = ("customers", "leads", "contacts")


def _value(column: dict[str, Any], n: int) -> object:
    """A value for a NOT NULL column without a default, by type (the rest stays NULL)."""
    name, kind = column["name"], column["type"]
    special = {"name": f"{'厦门星辰泉州福州漳州龙岩'[n % 11]}{'华美达新兴创'[n % 6]}科技{n}号公司",
               "phone": f"0592-{1000000 + n}", "mobile": f"138{10000000 + n}", "email": f"c{n}@example.cn",
               "owner_id": 1, "creator_id": 1, "customer_id": n, "id": n, "version": 1}
    if name in special:
        return special[name]
    if column["nullable"]:
        return None
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer | sa.Numeric):
        return 0
    if isinstance(kind, sa.DateTime):
        return dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    if isinstance(kind, sa.Date):
        return dt.date(2026, 1, 1)
    if isinstance(kind, sa.JSON):
        return {}
    return ""


def build_old_database(url: str, *, rows: int = ROWS) -> None:
    """A database at revision 0003 with one user and ``rows`` customers, leads and contacts."""
    engine = make_engine(url, create=True)
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":  # the fixture's database is at head
                command.downgrade(_alembic_config(conn), OLD)
            else:
                command.upgrade(_alembic_config(conn), OLD)
        meta = sa.MetaData()
        meta.reflect(engine, only=("departments", "users", *ENTITIES))
        with engine.begin() as conn:
            conn.execute(meta.tables["departments"].insert(), {"id": 1, "name": "总部", "sort_order": 0,
                                                               "created_at": dt.datetime.now(dt.timezone.utc)})
            conn.execute(meta.tables["users"].insert(), {
                "id": 1, "mobile": "13800000000", "name": "管理员", "password_hash": "x", "gender": "", "email": "",
                "department_id": 1, "position": "", "enabled": True, "failed_logins": 0,
                "created_at": dt.datetime.now(dt.timezone.utc)})
            for table in ENTITIES:
                columns = sa.inspect(conn).get_columns(table)
                conn.execute(meta.tables[table].insert(),
                             [{c["name"]: _value(c, n) for c in columns} for n in range(1, rows + 1)])
    finally:
        engine.dispose()


def start_migrate(url: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "crm_desktop.cli", "--database", url, "migrate"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill_after_steps(proc: subprocess.Popen[str], steps: int, *, timeout: float = 120) -> None:
    """SIGKILL once ``steps`` revisions have been applied (inside the upgrade's transaction)."""
    lines: queue.Queue[str | None] = queue.Queue()
    stderr = proc.stderr
    assert stderr is not None

    def read() -> None:
        for line in stderr:
            lines.put(line)
        lines.put(None)  # the process closed its stderr: it has ended

    threading.Thread(target=read, daemon=True).start()
    seen, deadline = 0, time.monotonic() + timeout
    while seen < steps:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            line = None
        if line is None:
            proc.kill()
            pytest.fail(f"no report of {steps} revision(s) applied (exit {proc.wait()})")
        seen += line.startswith("Applied schema revision ")
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def kill_when(proc: subprocess.Popen[str], condition: Any, *, delay: float = 0.0) -> bool:
    """SIGKILL as soon as ``condition()`` holds (then after ``delay``); False if the process
    ended first."""
    deadline = time.monotonic() + 120
    while not condition():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            proc.wait()
            return False
        time.sleep(0.0005)
    time.sleep(delay)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return True


def sqlite_state(path: Path) -> tuple[str, set[str]]:
    """(revision, tables) of an SQLite file, after checking it is intact (a plain sqlite3
    connection, as any program opening the file would)."""
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return revision, tables
    finally:
        conn.close()


def assert_old_or_new(revision: str, tables: set[str]) -> None:
    if revision == OLD:
        assert not tables & set(ADDED_TABLES), f"half an upgrade: {sorted(tables & set(ADDED_TABLES))} at {OLD}"
    else:
        assert revision == head_revision() and set(ADDED_TABLES) <= tables


def row_counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {t: conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar_one()
                    for t in (*ENTITIES, "search_customers", "search_leads", "search_contacts")}
    finally:
        engine.dispose()


def test_sqlite_upgrade_killed_at_any_moment_leaves_the_old_or_the_new_revision(tmp_path: Path) -> None:
    path = tmp_path / "crm.sqlite3"
    url = f"sqlite:///{path}"
    build_old_database(url)
    copy = path.with_name(f"{path.name}.pre-{head_revision()}-from-{OLD}")
    partial = copy.with_name(f".{copy.name}.partial")
    killed_at_old = 0
    # 1. a moment after the safety copy exists (the first revision is being applied); 2. while
    # the next attempt rewrites the copy; 3-5. after one, three and five revisions were applied.
    points: list[Any] = [lambda p: kill_when(p, lambda: any(tmp_path.glob("crm.sqlite3.pre-*")), delay=0.2),
                         lambda p: kill_when(p, partial.exists),
                         lambda p: kill_after_steps(p, 1), lambda p: kill_after_steps(p, 3),
                         lambda p: kill_after_steps(p, 5)]
    for point in points:
        proc = start_migrate(url)
        if point(proc) is False:
            pytest.fail("the upgrade finished before the kill point")
        revision, tables = sqlite_state(path)
        assert_old_or_new(revision, tables)
        if revision != OLD:
            break  # killed after the COMMIT: nothing left to interrupt
        killed_at_old += 1
        # Every attempt leaves at most one safety copy, and a complete one.
        assert [p.name for p in tmp_path.glob("crm.sqlite3.pre-*")] in ([], [copy.name])
        if copy.exists():
            assert sqlite_state(copy)[0] == OLD
    assert killed_at_old >= 3

    done = subprocess.run([sys.executable, "-m", "crm_desktop.cli", "--database", url, "migrate"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    revision, tables = sqlite_state(path)
    assert revision == head_revision() and set(ADDED_TABLES) <= tables
    assert row_counts(url) == {t: ROWS for t in row_counts(url)}
    # One safety copy for 0003 → head, however many attempts it took, and no half copy left.
    assert sorted(p.name for p in tmp_path.iterdir() if ".pre-" in p.name) == [copy.name]
    copy_revision, _ = sqlite_state(copy)
    assert copy_revision == OLD
    with sqlite3.connect(copy) as conn:
        assert conn.execute("SELECT count(*) FROM customers").fetchone()[0] == ROWS


def test_postgres_upgrade_is_one_transaction(pg_plain_template: str) -> None:
    # (not the secure template: a downgrade cannot go below server-setup's policies)
    url, name = new_pg_url(pg_plain_template)
    engine = make_engine(url)
    try:
        build_old_database(url, rows=1000)
        with engine.connect() as holder:
            # Revision 0007 alters customers: while this reader holds the table, the upgrade
            # has applied 0004-0006 (uncommitted) and waits there, so the kill lands mid-way.
            holder.execute(sa.text("LOCK TABLE customers IN ACCESS SHARE MODE"))
            proc = start_migrate(url)
            kill_after_steps(proc, 3)
            holder.rollback()
        with engine.connect() as conn:
            # The server rolls the dead client's transaction back once it notices it is gone.
            for _ in range(200):
                others = conn.execute(sa.text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid()"),
                    {"db": name}).scalar_one()
                conn.rollback()  # pg_stat_activity is read once per transaction
                if not others:
                    break
                time.sleep(0.05)
            assert not others, "the server kept the killed upgrade's session"
            assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == OLD
            present = [t for t in ADDED_TABLES if conn.execute(sa.text("SELECT to_regclass(:t)"), {"t": t}).scalar()]
            assert present == []
        done = subprocess.run([sys.executable, "-m", "crm_desktop.cli", "--database", url, "migrate"],
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        assert row_counts(url) == {t: 1000 for t in row_counts(url)}
    finally:
        engine.dispose()
        drop_pg(name)


def test_a_file_left_half_upgraded_by_an_older_version_upgrades_now(tmp_path: Path) -> None:
    """Before upgrades were one transaction, a kill during 0004 left its first search table and
    triggers committed at revision 0003 and every later attempt failed ("table search_leads
    already exists"). Such a file upgrades now, and its search index is complete."""
    path = tmp_path / "crm.sqlite3"
    url = f"sqlite:///{path}"
    build_old_database(url, rows=200)
    with sqlite3.connect(path) as conn:  # what the interrupted upgrade had committed
        conn.execute("CREATE VIRTUAL TABLE search_leads USING fts5(name, email, phone, mobile, initials, "
                     "tokenize = 'trigram', columnsize = 0)")
        conn.execute("CREATE TRIGGER search_leads_ai AFTER INSERT ON leads BEGIN "
                     "INSERT INTO search_leads (rowid, name) VALUES (new.id, new.name); END")
    conn.close()
    done = subprocess.run([sys.executable, "-m", "crm_desktop.cli", "--database", url, "migrate"],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert sqlite_state(path)[0] == head_revision()
    assert row_counts(url) == {t: 200 for t in row_counts(url)}
