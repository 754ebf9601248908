"""Shared fixtures: every service test runs on SQLite and on a real PostgreSQL server.

PostgreSQL: one template database is migrated per test session; each test gets its own
throwaway copy (CREATE DATABASE … TEMPLATE), dropped afterwards. An unreachable server fails
the run in CI (``CI`` set) and skips PostgreSQL cases elsewhere, saying so.
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import itertools
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from crm_desktop.db import Database, make_engine, migrate, normalize_url, open_database
from crm_desktop.services import auth
from crm_desktop.services.actor import Actor

PG_URL = normalize_url(os.environ.get("CRM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
_counter = itertools.count()


def _pg_admin_engine():  # type: ignore[no-untyped-def]
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """Name of a migrated template database on the test server."""
    try:
        admin = _pg_admin_engine()
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect
        message = f"PostgreSQL at {make_url(PG_URL).render_as_string(hide_password=True)} is unreachable: {exc}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    name = f"crm_tpl_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
    migrate(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()
    return path


def new_pg_url(template: str) -> tuple[str, str]:
    name = f"crm_t_{os.getpid()}_{next(_counter)}_{uuid.uuid4().hex[:6]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    admin.dispose()
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False), name


def drop_pg(name: str) -> None:
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A freshly migrated, empty database URL on each backend."""
    if request.param == "sqlite":
        path = tmp_path / "crm.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        url, name = new_pg_url(request.getfixturevalue("pg_template"))
        yield url
        drop_pg(name)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = open_database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """SQLite only: for UI tests, which need a database but not both backends."""
    path = tmp_path / "crm.sqlite3"
    shutil.copy(sqlite_template, path)
    database = open_database(f"sqlite:///{path}")
    yield database
    database.dispose()


ADMIN_MOBILE = "13800000000"
ADMIN_PASSWORD = "admin1234"


@pytest.fixture
def admin(db: Database) -> Actor:
    """The super administrator of a freshly set-up company."""
    return auth.setup_company(
        db, company="厦门星辰科技有限公司", admin_name="管理员", admin_mobile=ADMIN_MOBILE, password=ADMIN_PASSWORD
    )
