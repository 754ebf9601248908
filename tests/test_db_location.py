"""``db_location`` answers what SQLAlchemy would (without importing it), and the login
window's modules load no database part: the window shows while the database opens."""
from __future__ import annotations

import subprocess
import sys

import pytest
from sqlalchemy.engine import make_url

from crm_desktop import db, db_location


@pytest.mark.parametrize("url", [
    "sqlite:///a b.db", "sqlite:////tmp/x%20y.db", "sqlite://", "sqlite:///:memory:",
    "sqlite+pysqlite:///rel/p.db?mode=ro", "postgresql+psycopg://u:p@h/db", "sqlite:///C:\\x\\y.db",
    "sqlite:////tmp/a?b.db", "sqlite:////home/张三/客户.sqlite3",
])
def test_sqlite_file_reads_urls_as_sqlalchemy_does(url: str) -> None:
    u = make_url(url)
    expected = None if u.get_backend_name() != "sqlite" or u.database in (None, "", ":memory:") else u.database
    got = db_location.sqlite_file(url)
    assert (str(got) if got is not None else None) == expected


def test_db_re_exports_the_same_names() -> None:
    assert db.NotADatabase is db_location.NotADatabase and db.sqlite_file is db_location.sqlite_file
    assert db.resolve_url is db_location.resolve_url


def test_the_login_window_modules_load_no_database_part() -> None:
    code = ("import sys, crm_desktop.ui.app\n"
            "heavy = sorted(n for n in sys.modules if n.split('.')[0] in ('sqlalchemy', 'alembic', 'argon2') "
            "or n.startswith(('crm_desktop.models', 'crm_desktop.bootstrap', 'crm_desktop.db', "
            "'crm_desktop.services.org', 'crm_desktop.ui.main_window')) and n != 'crm_desktop.db_location')\n"
            "print(heavy)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False,
                          env={"QT_QPA_PLATFORM": "offscreen", "PATH": ""})
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
