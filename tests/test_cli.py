"""``crm-admin``: every command through ``main([...])``, errors as one line and exit 2."""
from __future__ import annotations

import importlib.util
import io
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from crm_desktop import cli
from crm_desktop.bootstrap import bootstrap
from crm_desktop.db import current_revision, head_revision, make_engine, open_database
from crm_desktop.demo import company as demo
from crm_desktop.models import Customer, User
from crm_desktop.services.org import auth, users
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.uow import read_only
from tests.test_backup import clear_sales, snapshot

INIT = ["init", "--company", "厦门星辰科技有限公司", "--admin-name", "管理员", "--admin-mobile", "13800000000",
        "--password", "admin1234"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    if lines[:1] == [cli.PASSWORD_FLAG_WARNING]:  # the run used --password: warned, then the error
        lines = lines[1:]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def count(url: str, model: type) -> int:
    db = bootstrap(url)
    try:
        with read_only(db, None) as uow:
            return uow.session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        db.dispose()


def test_init_creates_the_schema_and_sets_up_the_company(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'crm.sqlite3'}"
    code, out, _ = run(capsys, "--database", url, *INIT)
    assert code == 0
    assert f"Created the database schema ({head_revision()})" in out and "super administrator 管理员" in out
    db = bootstrap(url)
    try:
        assert auth.company_name(db) == "厦门星辰科技有限公司"
        assert auth.login(db, "13800000000", "admin1234").is_super
    finally:
        db.dispose()
    code, _, err = run(capsys, "--database", url, *INIT)
    assert code == 2 and "already set up" in one_error_line(err)


def test_init_on_both_backends_and_password_prompt(db_url: str, capsys: pytest.CaptureFixture[str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["s3cret-pass1", "s3cret-pass1"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(answers))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    code, out, _ = run(capsys, "--database", db_url, *INIT[:-2])
    assert code == 0 and "up to date" in out
    db = bootstrap(db_url)
    try:
        assert auth.login(db, "13800000000", "s3cret-pass1").name == "管理员"
    finally:
        db.dispose()


def test_init_refuses_half_a_company_and_mismatched_passwords(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'crm.sqlite3'}"
    code, _, err = run(capsys, "--database", url, "init", "--company", "某公司")
    assert code == 2 and "--admin-name" in one_error_line(err)
    answers = iter(["first-pass1", "other-pass1"])
    monkeypatch.setattr(cli.getpass, "getpass", lambda prompt="": next(answers))
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    code, _, err = run(capsys, "--database", url, *INIT[:-2])
    assert code == 2 and "differ" in one_error_line(err)
    code, _, err = run(capsys, "--database", url, *INIT[:-1], "short")
    assert code == 2 and "password" in one_error_line(err)
    assert count(url, User) == 0


def test_migrate_reports_revisions_and_the_safety_copy(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from alembic import command

    from crm_desktop.db import _alembic_config

    path = tmp_path / "crm.sqlite3"
    path.touch()  # an empty file is an empty database; only init creates a missing one
    url = f"sqlite:///{path}"
    code, out, _ = run(capsys, "--database", url, "migrate")
    assert code == 0 and out.strip() == f"Migrated: (empty) -> {head_revision()}"
    code, out, _ = run(capsys, "--database", url, "migrate")
    assert code == 0 and out.strip() == f"Already up to date: {head_revision()}"

    old = tmp_path / "old.sqlite3"
    engine = make_engine(f"sqlite:///{old}", create=True)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
    engine.dispose()
    if head_revision() == "0001":
        pytest.skip("only one migration exists: nothing to upgrade from")
    code, out, _ = run(capsys, "--database", f"sqlite:///{old}", "migrate")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0] == f"Migrated: 0001 -> {head_revision()}"
    assert lines[1].startswith("Safety copy: ")
    copy = Path(lines[1].removeprefix("Safety copy: "))
    assert copy.exists() and copy != old
    engine = make_engine(f"sqlite:///{old}")
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_database_from_the_environment(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "env.sqlite3"
    monkeypatch.setenv("CRM_DATABASE_URL", f"sqlite:///{path}")
    code, _, _ = run(capsys, "init")
    assert code == 0 and path.exists()


def test_create_user(db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run(capsys, "--database", db_url, "create-user", "--mobile", "13912345678", "--name", "赵六",
                       "--department", "1", "--password", "pass12345")
    assert code == 2 and "not set up" in one_error_line(err)
    db = bootstrap(db_url)
    try:
        demo.create_demo_company(db, customers=0)
    finally:
        db.dispose()
    code, out, err = run(capsys, "--database", db_url, "create-user", "--mobile", "13912345678", "--name", "赵六",
                         "--department", "福建分部", "--role", "销售代表", "--role", "客服", "--position", "销售代表",
                         "--superior", "13850001003", "--email", "zhao.liu@xingchen-tech.cn", "--password", "pass12345")
    assert code == 0, err
    assert "Created user 赵六" in out and "福建分部" in out
    db = bootstrap(db_url)
    try:
        actor = auth.login(db, "13912345678", "pass12345")
        created = users.get_user(db, auth.login(db, "13800000000", "admin1234"), actor.user_id)
        assert set(created.role_names) == {"销售代表", "客服"}
        assert created.superior_name == "黄丽娟" and created.email == "zhao.liu@xingchen-tech.cn"
    finally:
        db.dispose()

    bad = [
        (["--department", "不存在的部门"], "No department"),
        (["--department", "财务部", "--role", "董事长"], "No role"),
        (["--department", "财务部", "--superior", "10000000000"], "direct superior"),
    ]
    for extra, message in bad:
        code, _, err = run(capsys, "--database", db_url, "create-user", "--mobile", "13900001111", "--name", "钱七",
                           "--password", "pass12345", *extra)
        assert code == 2 and message in one_error_line(err)
    code, _, err = run(capsys, "--database", db_url, "create-user", "--mobile", "13912345678", "--name", "重复",
                       "--department", "财务部", "--password", "pass12345")
    assert code == 2 and "mobile" in one_error_line(err)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
    code, _, err = run(capsys, "--database", db_url, "create-user", "--mobile", "13900002222", "--name", "孙八",
                       "--department", "财务部")
    assert code == 2 and "--password" in one_error_line(err)
    assert count(db_url, User) == 13


def test_backup_and_restore_commands(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    assert run(capsys, "--database", db_url, "demo-data", "--customers", "300")[0] == 0
    db = bootstrap(db_url)
    try:
        before = snapshot(db)
        code, out, _ = run(capsys, "--database", db_url, "backup", str(tmp_path))
        assert code == 0 and "Backed up" in out
        written = next(tmp_path.glob("crm-backup-*"))
        with db.engine.begin() as conn:
            clear_sales(conn)
            conn.execute(text("DELETE FROM contacts WHERE customer_id IN (SELECT id FROM customers WHERE level = 'C')"))
            conn.execute(text("DELETE FROM customers WHERE level = 'C'"))
        changed = snapshot(db)

        # Without --yes it asks; anything but "yes" cancels and changes nothing.
        monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
        monkeypatch.setattr("builtins.input", lambda prompt="": "no")
        code, _, err = run(capsys, "--database", db_url, "restore", str(written))
        assert code == 1 and "Cancelled" in err and snapshot(db) == changed
        monkeypatch.setattr(sys.stdin, "isatty", lambda: False, raising=False)
        code, _, err = run(capsys, "--database", db_url, "restore", str(written))
        assert code == 2 and "--yes" in one_error_line(err) and snapshot(db) == changed

        junk = tmp_path / "junk.bin"
        junk.write_bytes(os.urandom(4096))
        code, _, err = run(capsys, "--database", db_url, "restore", "--yes", str(junk))
        assert code == 2 and "not a CRM backup" in one_error_line(err) and snapshot(db) == changed

        monkeypatch.setattr("builtins.input", lambda prompt="": "yes")
        monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
        code, out, _ = run(capsys, "--database", db_url, "restore", str(written))
        assert code == 0 and "Restored" in out
        assert snapshot(db) == before
    finally:
        db.dispose()


def test_demo_data_with_thousands_of_customers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # How fast demo-data is belongs to bench/build_db.py (a timed assert here failed under load)
    url = f"sqlite:///{tmp_path / 'demo.sqlite3'}"
    assert run(capsys, "--database", url, "init")[0] == 0
    code, out, err = run(capsys, "--database", url, "demo-data", "--users", "20", "--customers", "5000")
    assert code == 0, err
    assert "Inserted 5000 of 5000 customers" in err  # progress goes to stderr
    assert "13800000000 / admin1234" in out
    assert count(url, Customer) == 5000 and count(url, User) == 20
    code, _, err = run(capsys, "--database", url, "demo-data")
    assert code == 2 and "already set up" in one_error_line(err)


def test_errors_are_one_line_never_a_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    letter = tmp_path / "letter.txt"
    letter.write_text("Dear customer, …\n" * 20, encoding="utf-8")
    code, _, err = run(capsys, "--database", f"sqlite:///{letter}", "migrate")
    assert code == 2 and "not a CRM database" in one_error_line(err)
    assert letter.read_text(encoding="utf-8").startswith("Dear customer")
    code, _, err = run(capsys, "--database", "postgresql://nobody@127.0.0.1:1/crm", "init")
    assert code == 2 and "Cannot connect" in one_error_line(err)
    code, _, err = run(capsys, "--database", f"sqlite:///{tmp_path / 'x.sqlite3'}", "backup", str(tmp_path / "b"))
    assert code == 2 and "no database" in one_error_line(err)
    assert run(capsys, "no-such-command")[0] == 2
    assert run(capsys, "--help")[0] == 0


def test_console_entry_runs_as_a_program(tmp_path: Path) -> None:
    letter = tmp_path / "letter.txt"
    letter.write_text("not a database", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "crm_desktop.cli", "--database", f"sqlite:///{letter}", "migrate"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    script = shutil.which("crm-admin", path=str(Path(sys.executable).parent))
    if script:  # installed console script (pyproject [project.scripts])
        done = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0 and "demo-data" in done.stdout


@pytest.mark.skipif(importlib.util.find_spec("crm_desktop.ui.screenshots") is None,
                    reason="crm_desktop.ui.screenshots is not written yet")
def test_screenshot_command(tmp_path: Path, capsys: pytest.CaptureFixture[str], qapp: object) -> None:
    # qapp: the test run's one QApplication (pytest-qt), which render_screens then reuses.
    code, out, err = run(capsys, "screenshot", str(tmp_path / "shots"), "--language", "en")
    assert code == 0, err
    assert list((tmp_path / "shots").glob("**/*.png")) and "Rendered" in out


def test_restoring_an_older_backup_upgrades_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from alembic import command

    from crm_desktop.db import _alembic_config
    from crm_desktop.services.maintenance.backup import backup

    if head_revision() == "0001":
        pytest.skip("only one migration exists: no older schema to restore")
    old = tmp_path / "old.sqlite3"
    engine = make_engine(f"sqlite:///{old}", create=True)
    with engine.begin() as conn:
        command.upgrade(_alembic_config(conn), "0001")
    engine.dispose()
    old_backup = backup(f"sqlite:///{old}", tmp_path / "old.backup")
    url = f"sqlite:///{tmp_path / 'crm.sqlite3'}"
    assert run(capsys, "--database", url, "init")[0] == 0
    assert run(capsys, "--database", url, "demo-data", "--customers", "10")[0] == 0
    code, out, err = run(capsys, "--database", url, "restore", "--yes", str(old_backup))
    assert code == 0, err
    assert f"Upgraded the restored database: 0001 -> {head_revision()}" in out
    assert count(url, Customer) == 0 and count(url, User) == 0


# --- passwords kept out of the process list (issue 11, Login) ------------------------------

def logged_in(url: str, mobile: str, password: str) -> Actor:
    db = open_database(url)
    try:
        return auth.login(db, mobile, password)
    finally:
        db.dispose()


def test_password_from_standard_input(db_url: str, capsys: pytest.CaptureFixture[str],
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # Spaces belong to the password; only the line end (here a Windows one) is dropped.
    monkeypatch.setattr(sys, "stdin", io.StringIO(" s3cret pass1 \r\nnext line\n"))
    code, out, err = run(capsys, "--database", db_url, *INIT[:-2], "--password-stdin")
    assert code == 0, err
    assert err == "" and "super administrator 管理员" in out
    # create-user as a real program with a pipe on its standard input, as a script runs it
    done = subprocess.run(
        [sys.executable, "-m", "crm_desktop.cli", "--database", db_url, "create-user", "--mobile", "13912345678",
         "--name", "赵六", "--department", "厦门星辰科技有限公司", "--password-stdin"],
        input="pass12345\n", capture_output=True, text=True, timeout=120, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and "Created user 赵六" in done.stdout
    assert logged_in(db_url, "13800000000", " s3cret pass1 ").is_super
    assert logged_in(db_url, "13912345678", "pass12345").name == "赵六"


def test_empty_standard_input_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'crm.sqlite3'}"
    for given in ("", "\n"):
        monkeypatch.setattr(sys, "stdin", io.StringIO(given))
        code, _, err = run(capsys, "--database", url, *INIT[:-2], "--password-stdin")
        assert code == 2 and "standard input holds no password" in one_error_line(err)
    code, _, err = run(capsys, "--database", url, *INIT, "--password-stdin")
    assert code == 2 and "not allowed with argument" in err  # one or the other
    assert count(url, User) == 0


def test_password_on_the_command_line_still_works_with_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'crm.sqlite3'}"
    code, out, err = run(capsys, "--database", url, *INIT)
    assert code == 0 and "super administrator" in out
    assert err.strip().splitlines() == [cli.PASSWORD_FLAG_WARNING]
    assert "process list" in cli.PASSWORD_FLAG_WARNING and "--password-stdin" in cli.PASSWORD_FLAG_WARNING
    code, out, _ = run(capsys, "create-user", "--help")
    help_text = " ".join(out.split())
    assert code == 0 and "--password-stdin" in help_text and "visible in the process list" in help_text


# --- never create a database by accident; restore only CRM backups ----------------------------

@pytest.mark.parametrize("argv", [
    ["migrate"], ["run-jobs"], ["demo-data", "--customers", "5"], ["backup", "out.backup"],
    ["create-user", "--mobile", "13912345678", "--name", "赵六", "--department", "1", "--password", "pass12345"],
])
def test_commands_other_than_init_never_create_a_database(argv: list[str], tmp_path: Path,
                                                          capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for missing in (tmp_path / "typo" / "crm.sqlite3", tmp_path / "crm.sqlite3"):
        code, out, err = run(capsys, "--database", f"sqlite:///{missing}", *argv)
        assert code == 2 and out == ""
        line = one_error_line(err)
        assert "does not exist" in line or "There is no database" in line
        assert sorted(p.name for p in tmp_path.iterdir()) == []  # no file, no folder, no backup


def test_init_creates_a_database_in_a_new_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'new' / 'folder' / 'crm.sqlite3'}"
    code, out, _ = run(capsys, "--database", url, "init")
    assert code == 0 and "Created the database schema" in out
    assert run(capsys, "--database", url, "run-jobs")[0] == 0


def test_restore_refuses_a_foreign_file_in_one_line_and_keeps_a_safety_copy(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], sqlite_template: Path) -> None:
    path = tmp_path / "crm.sqlite3"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    assert run(capsys, "--database", url, "demo-data", "--customers", "40")[0] == 0
    foreign = tmp_path / "other.sqlite3"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES (?)", (head_revision(),))
    conn.close()
    before = path.read_bytes()
    code, _, err = run(capsys, "--database", url, "restore", "--yes", str(foreign))
    assert code == 2 and "not a CRM backup" in one_error_line(err)
    assert count(url, Customer) == 40 and not list(tmp_path.glob("*.pre-restore-*"))
    truncated = tmp_path / "truncated.backup"
    code, _, _ = run(capsys, "--database", url, "backup", str(tmp_path / "good.backup"))
    assert code == 0
    truncated.write_bytes((tmp_path / "good.backup").read_bytes()[:20_000])
    code, _, err = run(capsys, "--database", url, "restore", "--yes", str(truncated))
    assert code == 2 and "Nothing was changed" in one_error_line(err)
    assert count(url, Customer) == 40 and path.read_bytes()[:100] == before[:100]

    code, out, err = run(capsys, "--database", url, "restore", "--yes", str(tmp_path / "good.backup"))
    assert code == 0, err
    safety = Path(next(line for line in out.splitlines() if line.startswith("Safety copy")).split(": ", 1)[1])
    assert safety.parent == tmp_path and safety.name.startswith("crm.sqlite3.pre-restore-")
    assert count(f"sqlite:///{safety}", Customer) == 40


def test_demo_data_help_says_how_to_log_in(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "demo-data", "--help")
    text = " ".join(out.split())
    assert code == 0
    assert demo.ADMIN_MOBILE in text and demo.ADMIN_PASSWORD in text and demo.DEMO_PASSWORD in text
    assert "every other" in text.lower()
