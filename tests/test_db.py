"""Database layer: pragmas, migrations, the safety copy, refusing files that are not databases."""
from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from crm_desktop.db import (
    DatabaseMissing,
    DatabaseUnavailable,
    NotADatabase,
    _alembic_config,
    current_revision,
    head_revision,
    make_engine,
    migrate,
    open_database,
    resolve_url,
    schema_include_name,
    sqlite_transaction_engine,
)
from crm_desktop.models import Base


def test_sqlite_pragmas_on_every_connection(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'a.sqlite3'}", create=True, pool_size=3)
    conns = [engine.connect() for _ in range(3)]  # distinct DBAPI connections
    for conn in conns:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
    for conn in conns:
        conn.close()
    engine.dispose()


def test_migrations_match_models(db_url: str) -> None:
    """The schema the migrations build is exactly what the models describe (no drift)."""
    engine = make_engine(db_url)
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_name": schema_include_name})
        diff = compare_metadata(ctx, Base.metadata)
    engine.dispose()
    assert diff == []


def test_not_a_database_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"These are my meeting notes, not a database.\n" * 100)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    with pytest.raises(NotADatabase, match="not a CRM database"):
        open_database(f"sqlite:///{path}")
    assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.sqlite3"]  # no -wal/-shm left behind


def test_unreachable_server_is_reported_in_words() -> None:
    with pytest.raises(DatabaseUnavailable, match="Cannot connect"):
        open_database("postgresql://nobody@127.0.0.1:1/nothing")


def test_migrating_an_older_sqlite_file_copies_it_aside_first(tmp_path: Path) -> None:
    path = tmp_path / "crm.sqlite3"
    engine = make_engine(f"sqlite:///{path}", create=True)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
        conn.execute(text("INSERT INTO settings (key, value) VALUES ('company_name', '\"星辰\"')"))
    copy = migrate(engine)
    assert copy is not None and copy.exists() and copy.name.startswith("crm.sqlite3.pre-")
    assert current_revision(engine) == head_revision()
    assert inspect(engine).has_table("customers")
    engine.dispose()
    old = make_engine(f"sqlite:///{copy}")
    assert current_revision(old) == "0001"  # the copy is the database as it was
    with old.connect() as conn:
        assert conn.execute(text("SELECT value FROM settings")).scalar() == "\"星辰\""
    old.dispose()
    assert migrate(make_engine(f"sqlite:///{path}")) is None  # already at head: no copy


def test_database_choice_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRM_DATABASE_URL", raising=False)
    assert resolve_url(None).startswith("sqlite:///") and resolve_url(None).endswith("crm.sqlite3")
    monkeypatch.setenv("CRM_DATABASE_URL", "postgresql://u@h/d")
    assert resolve_url(None) == "postgresql+psycopg://u@h/d"
    assert resolve_url("sqlite:///x.db") == "sqlite:///x.db"


def test_upgrading_a_populated_database_keeps_its_rows(db_url: str, request: pytest.FixtureRequest) -> None:
    """Each migration must work on a database that already has data, not just an empty one."""
    from tests.conftest import SECURE, drop_pg, new_pg_url

    if SECURE and db_url.startswith("postgresql"):  # a downgrade cannot go below server-setup's policies
        db_url, name = new_pg_url(request.getfixturevalue("pg_plain_template"))
        request.addfinalizer(lambda: drop_pg(name))
    engine = make_engine(db_url)
    with engine.begin() as conn:  # the fixture's database is at head: go back to the foundation
        command.downgrade(_alembic_config(conn), "0002")
        conn.execute(text("INSERT INTO departments (name, sort_order, created_at) VALUES ('总部', 0, '2026-01-01')"))
        dept = conn.execute(text("SELECT id FROM departments")).scalar()
        conn.execute(text(
            "INSERT INTO users (mobile, name, password_hash, gender, email, department_id, position, enabled,"
            " failed_logins, created_at) VALUES ('13800000000', '王', 'x', '', '', :d, '', true, 0, '2026-01-01')"),
            {"d": dept})
        uid = conn.execute(text("SELECT id FROM users")).scalar()
        conn.execute(text(
            "INSERT INTO customers (name, phone, level, industry, address, remark, owner_id, creator_id, created_at,"
            " updated_at, version, custom) VALUES ('老客户', '1', 'A', '', '', '', :u, :u, '2026-01-01', '2026-01-01',"
            " 1, '{}')"), {"u": uid})
    migrate(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        row = conn.execute(text("SELECT name, level, deal_status, locked, owner_id FROM customers")).one()
    engine.dispose()
    assert (row.name, row.level, row.deal_status, bool(row.locked), row.owner_id) == ("老客户", "A", "none", False, uid)


def test_a_missing_sqlite_file_is_created_only_when_asked(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "crm.sqlite3"
    with pytest.raises(DatabaseMissing, match="does not exist"):
        open_database(f"sqlite:///{missing}")
    assert not missing.parent.exists()  # neither the file nor its folder
    db = open_database(f"sqlite:///{missing}", create=True)  # init and the first run
    try:
        assert current_revision(db.engine) == head_revision()
    finally:
        db.dispose()


def test_another_programs_sqlite_file_is_not_given_a_crm_schema(tmp_path: Path) -> None:
    path = tmp_path / "photos.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE photos (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO photos (name) VALUES ('holiday.jpg')")
    conn.close()
    with pytest.raises(NotADatabase, match="some other program"):
        open_database(f"sqlite:///{path}")
    with sqlite3.connect(path) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["photos"]
    conn.close()


def test_sqlite_ddl_really_is_transactional(tmp_path: Path) -> None:
    """What the upgrade relies on: on the transaction engine a CREATE TABLE, a virtual table and
    a trigger are rolled back with the rest, where Python's sqlite3 module on its own would have
    committed the DDL that came before the first INSERT."""
    url = f"sqlite:///{tmp_path / 'ddl.sqlite3'}"
    engine = sqlite_transaction_engine(url, foreign_keys=False)
    try:
        with pytest.raises(RuntimeError), engine.begin() as conn:
            conn.exec_driver_sql("CREATE TABLE a (id INTEGER PRIMARY KEY)")
            conn.exec_driver_sql("CREATE VIRTUAL TABLE s USING fts5(name, tokenize = 'trigram')")
            conn.exec_driver_sql("CREATE TRIGGER a_ai AFTER INSERT ON a BEGIN INSERT INTO s VALUES ('x'); END")
            conn.exec_driver_sql("INSERT INTO a VALUES (1)")
            raise RuntimeError("killed")
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT name FROM sqlite_master").all() == []
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 0
    finally:
        engine.dispose()
    plain = sqlite3.connect(tmp_path / "legacy.sqlite3")  # the driver's default handling, for contrast
    plain.execute("CREATE TABLE a (id INTEGER PRIMARY KEY)")
    plain.execute("INSERT INTO a VALUES (1)")
    plain.rollback()
    assert plain.execute("SELECT name FROM sqlite_master").fetchall() == [("a",)]
    plain.close()


def test_two_upgrades_at_once_take_turns(tmp_path: Path) -> None:
    """The second upgrader waits for the first one's write lock, then finds nothing to do."""
    path = tmp_path / "crm.sqlite3"
    engine = make_engine(f"sqlite:///{path}", create=True)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0003")
    engine.dispose()
    url = f"sqlite:///{path}"
    results: list[object] = []

    def upgrade() -> None:
        other = make_engine(url)
        try:
            results.append(migrate(other))
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results.append(exc)
        finally:
            other.dispose()

    threads = [threading.Thread(target=upgrade) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not [r for r in results if isinstance(r, Exception)], results
    assert current_revision(make_engine(url)) == head_revision()
    assert [p.name for p in tmp_path.iterdir() if ".pre-" in p.name] == [f"crm.sqlite3.pre-{head_revision()}-from-0003"]
