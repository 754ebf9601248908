"""Backup then restore gives identical data; bad backups are refused and change nothing."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url

from crm_desktop.bootstrap import bootstrap
from crm_desktop.db import (
    Database,
    head_revision,
    make_engine,
    open_database,
    sqlite_file,
)
from crm_desktop.demo import company as demo
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.maintenance import backup as backup_service
from crm_desktop.services.maintenance.backup import BackupError, backup, restore
from crm_desktop.services.org.actor import Actor

Snapshot = dict[str, list[tuple[Any, ...]]]


def snapshot(db: Database) -> Snapshot:
    """Every table's rows, sorted: two equal snapshots mean the same data."""
    with db.engine.connect() as conn:
        tables = sorted(inspect(conn).get_table_names())
        return {t: sorted((tuple(r) for r in conn.execute(text(f'SELECT * FROM "{t}"'))), key=repr) for t in tables}


def _url(db: Database) -> str:
    return db.engine.url.render_as_string(hide_password=False)


def _company_with_history(db: Database) -> Actor:
    """Demo data plus service writes, so audit rows, team rows and the recycle bin are not empty."""
    admin = demo.create_demo_company(db, users=14, customers=1500)
    first = customers.list_page(db, admin, limit=3).rows
    customers.update(db, admin, first[0].id, expected_version=first[0].version, changes={"level": "A", "remark": "重点客户"})
    customers.delete(db, admin, first[1].id)
    customers.set_team_member(db, admin, first[2].id, user_id=admin.user_id + 1, access="write")
    return admin


#: The sales chain's tables, children first: customers cannot go while these point at them.
SALES_TABLES = ("payments", "payment_plans", "contract_lines", "contracts", "stage_changes", "opportunity_lines",
                "opportunity_contacts", "opportunities")


def clear_sales(conn: Any) -> None:
    """Delete every sales record (the demo's), so that customers can be deleted by hand."""
    for table in SALES_TABLES:
        conn.execute(text(f"DELETE FROM {table}"))


def _vandalise(db: Database, admin: Actor) -> None:
    with db.engine.begin() as conn:
        clear_sales(conn)
        conn.execute(text("DELETE FROM contacts WHERE customer_id % 3 = 0"))
        conn.execute(text("DELETE FROM customers WHERE id % 3 = 0"))
        conn.execute(text("UPDATE users SET name = 'changed', position = ''"))
        conn.execute(text("DELETE FROM audit_changes"))
        conn.execute(text("UPDATE settings SET value = NULL"))
    customers.create(db, admin, {"name": "恢复前新建的客户"})


def test_backup_then_restore_gives_identical_data(db: Database, tmp_path: Path) -> None:
    admin = _company_with_history(db)
    before = snapshot(db)
    with db.engine.connect() as conn:
        last_id = conn.scalar(text("SELECT max(id) FROM customers"))
    assert len(before["customers"]) == 1500 and before["audit_entries"] and before["team_members"]

    written = backup(_url(db), tmp_path / "crm.backup")
    assert written == tmp_path / "crm.backup" and written.stat().st_size > 0
    assert not list(tmp_path.glob(".*partial*"))
    _vandalise(db, admin)
    assert snapshot(db) != before

    # The app's engine stays open during the restore, as another window would.
    restore(_url(db), written)
    assert snapshot(db) == before
    # Sequences came back too: new records get fresh ids.
    created = customers.create(db, admin, {"name": "恢复后新建的客户"})
    assert created.id > last_id


def test_restore_drops_tables_the_backup_does_not_have(db: Database, tmp_path: Path) -> None:
    demo.create_demo_company(db, customers=50)
    before = snapshot(db)
    url = _url(db)
    written = backup(url, tmp_path / "crm.backup")
    # As if a later upgrade had added a table with a foreign key into the old ones.
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE later_feature (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id))"))
        conn.execute(text("INSERT INTO later_feature VALUES (1, 1)"))
    restore(url, written)
    assert "later_feature" not in inspect(db.engine).get_table_names()
    assert snapshot(db) == before


def test_backup_into_a_folder_picks_a_dated_name(db: Database, tmp_path: Path) -> None:
    demo.create_demo_company(db, customers=5)
    written = backup(_url(db), tmp_path)
    assert written.parent == tmp_path and written.name.startswith("crm-backup-")
    assert written.suffix == (".sqlite3" if db.backend == "sqlite" else ".dump")


def _refused(db: Database, file: Path, match: str) -> None:
    before = snapshot(db)
    with pytest.raises(BackupError, match=match):
        restore(_url(db), file)
    assert snapshot(db) == before


def test_restore_refuses_files_that_are_not_crm_backups(db: Database, tmp_path: Path) -> None:
    demo.create_demo_company(db, customers=20)
    junk = tmp_path / "notes.txt"
    junk.write_text("这不是数据库\n" * 100, encoding="utf-8")
    _refused(db, junk, "not a CRM backup")
    _refused(db, tmp_path / "missing.backup", "no backup file")
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE things (id INTEGER PRIMARY KEY)")
    if db.backend == "sqlite":
        _refused(db, other, "not a CRM backup")
    else:
        _refused(db, other, "SQLite backup")


def test_restore_refuses_a_backup_from_a_newer_version(db: Database, tmp_path: Path) -> None:
    demo.create_demo_company(db, customers=20)
    url = _url(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))
    written = backup(url, tmp_path / "future.backup")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": head_revision()})
    _refused(db, written, "newer version")


def test_a_damaged_backup_changes_nothing(db: Database, tmp_path: Path) -> None:
    demo.create_demo_company(db, customers=3000)
    url = _url(db)
    written = backup(url, tmp_path / "crm.backup")
    damaged = tmp_path / "damaged.backup"
    data = written.read_bytes()
    damaged.write_bytes(data[: int(len(data) * 0.8)])
    with db.engine.begin() as conn:
        clear_sales(conn)
        conn.execute(text("DELETE FROM contacts WHERE customer_id < 100"))
        conn.execute(text("DELETE FROM customers WHERE id < 100"))
    # PostgreSQL: the table of contents reads fine and the restore starts, then fails on the
    # missing data; the transaction must roll back. SQLite: the check refuses it up front.
    _refused(db, damaged, "damaged|cannot be read" if db.backend == "sqlite" else "restore failed")


def test_sqlite_restore_into_a_new_file_and_a_database_of_another_page_size(tmp_path: Path, sqlite_template: Path) -> None:
    path = tmp_path / "crm.sqlite3"
    shutil.copy(sqlite_template, path)
    db = bootstrap(f"sqlite:///{path}")
    try:
        demo.create_demo_company(db, customers=100)
        before = snapshot(db)
        written = backup(f"sqlite:///{path}", tmp_path / "crm.backup")
        with sqlite3.connect(written) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        odd = tmp_path / "odd.sqlite3"
        shutil.copy(written, odd)
        with sqlite3.connect(odd) as conn:
            conn.execute("PRAGMA page_size=8192")
            conn.execute("VACUUM")
            assert conn.execute("PRAGMA page_size").fetchone()[0] == 8192
        with db.engine.begin() as conn:
            clear_sales(conn)
            conn.execute(text("DELETE FROM contacts"))
            conn.execute(text("DELETE FROM customers"))
        restore(f"sqlite:///{path}", odd)
        assert snapshot(db) == before
    finally:
        db.dispose()
    fresh = tmp_path / "sub" / "new.sqlite3"
    restore(f"sqlite:///{fresh}", written)
    other = bootstrap(f"sqlite:///{fresh}")
    try:
        assert snapshot(other) == before
    finally:
        other.dispose()


def test_sqlite_refuses_to_restore_over_a_file_that_is_not_a_database(tmp_path: Path, sqlite_template: Path) -> None:
    precious = tmp_path / "precious.docx"
    precious.write_bytes(b"PK\x03\x04 not a database" * 50)
    original = precious.read_bytes()
    with pytest.raises(Exception, match="not a CRM database"):
        restore(f"sqlite:///{precious}", sqlite_template)
    assert precious.read_bytes() == original
    assert sqlite_file(f"sqlite:///{precious}") == precious


def test_postgres_password_never_on_the_command_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    conninfo, env = backup_service._libpq("postgresql+psycopg://crm:s3cret-pw@db.example:5433/crm?sslmode=require")
    assert "s3cret-pw" not in conninfo and env["PGPASSWORD"] == "s3cret-pw"
    assert conninfo.startswith("postgresql://crm@db.example:5433/crm")

    seen: list[list[str]] = []

    def fake_run(args: list[str], **kwargs: Any) -> subprocess.CompletedProcess[bytes]:
        seen.append(args)
        assert kwargs["env"]["PGPASSWORD"] == "s3cret-pw"
        Path(next(a for a in args if a.startswith("--file=")).split("=", 1)[1]).write_bytes(b"PGDMP")
        return subprocess.CompletedProcess(args, 0, b"", b"")

    monkeypatch.setattr(backup_service.subprocess, "run", fake_run)
    backup("postgresql://crm:s3cret-pw@db.example:5433/crm", tmp_path / "x.dump")
    assert seen and not any("s3cret-pw" in a for a in seen[0])


def test_missing_postgres_tools_are_reported(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(backup_service.shutil, "which", lambda name: None)
    with pytest.raises(BackupError, match="pg_dump was not found"):
        backup("postgresql://crm@127.0.0.1:1/crm", tmp_path / "x.dump")
    assert not list(tmp_path.iterdir())


# --- only a real CRM backup, and a safety copy first ------------------------------------------

def _foreign_backup(db: Database, tmp_path: Path) -> Path:
    """Some other program's database that merely has tables ``users`` and ``alembic_version``
    (at a revision this app knows), backed up the way this backend's backups are made."""
    ddl = ("CREATE TABLE users (id INTEGER PRIMARY KEY, mobile VARCHAR(20), name VARCHAR(50))",
           "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
           f"INSERT INTO alembic_version VALUES ('{head_revision()}')",
           "INSERT INTO users VALUES (1, '13800000000', 'someone else')")
    if db.backend == "sqlite":
        other = tmp_path / "other-app.sqlite3"
        with sqlite3.connect(other) as conn:
            for statement in ddl:
                conn.execute(statement)
        conn.close()
        return other
    from tests.conftest import PG_URL, _pg_admin_engine

    name = f"foreign_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        engine = make_engine(url)
        with engine.begin() as conn:
            for statement in ddl:
                conn.execute(text(statement))
        engine.dispose()
        return backup(url, tmp_path / "other-app.dump")
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _one_line_refusal(db: Database, file: Path, match: str) -> str:
    before = snapshot(db)
    with pytest.raises(BackupError, match=match) as caught:
        restore(_url(db), file)
    assert snapshot(db) == before
    message = str(caught.value)
    assert "\n" not in message and ("Nothing was changed" in message or "was not changed" in message)
    return message


def test_a_foreign_database_with_users_and_alembic_version_is_refused(db: Database, tmp_path: Path) -> None:
    demo.create_demo_company(db, customers=30)
    message = _one_line_refusal(db, _foreign_backup(db, tmp_path), "not a CRM backup")
    assert "is missing from its schema" in message  # names a table a CRM schema has and it lacks
    # No safety copy either: nothing was about to change.
    assert not [p for p in tmp_path.iterdir() if ".pre-restore-" in p.name]


def test_a_backup_missing_one_column_is_refused(tmp_path: Path, sqlite_template: Path) -> None:
    path = tmp_path / "crm.sqlite3"
    shutil.copy(sqlite_template, path)
    db = open_database(f"sqlite:///{path}")
    try:
        demo.create_demo_company(db, customers=20)
        written = backup(f"sqlite:///{path}", tmp_path / "crm.backup")
        with sqlite3.connect(written) as conn:
            conn.execute("ALTER TABLE leads DROP COLUMN remark")
        conn.close()
        assert "leads.remark is missing" in _one_line_refusal(db, written, "not a CRM backup")
    finally:
        db.dispose()


def test_a_truncated_backup_is_refused_in_one_line(db: Database, tmp_path: Path) -> None:
    demo.create_demo_company(db, customers=300)
    written = backup(_url(db), tmp_path / "crm.backup")
    for keep in (0.3, 0.97):
        damaged = tmp_path / f"damaged-{keep}.backup"
        damaged.write_bytes(written.read_bytes()[: int(written.stat().st_size * keep)])
        _one_line_refusal(db, damaged, "damaged|cannot be read|not a CRM backup|restore failed")


def test_restore_keeps_a_safety_copy_of_the_data_it_replaces(db: Database, tmp_path: Path) -> None:
    admin = demo.create_demo_company(db, customers=200)
    url = _url(db)
    written = backup(url, tmp_path / "backups" / "crm.backup")
    _vandalise(db, admin)
    replaced = snapshot(db)

    safety = restore(url, written)
    assert safety is not None and safety.is_file() and safety.parent == (
        sqlite_file(url).parent if db.backend == "sqlite" else written.parent)  # type: ignore[union-attr]
    assert ".pre-restore-" in safety.name and not [p for p in safety.parent.iterdir() if "partial" in p.name]
    assert snapshot(db) != replaced
    # The safety copy is itself a good backup of exactly what was replaced.
    again = restore(url, safety)
    assert snapshot(db) == replaced
    assert again is not None and again != safety
