"""Shared fixtures: every service test runs on SQLite and on a real PostgreSQL server.

PostgreSQL: one template database is migrated per test session; each test gets its own
throwaway copy (CREATE DATABASE … TEMPLATE), dropped afterwards. An unreachable server fails
the run in CI (``CI`` set) and skips PostgreSQL cases elsewhere, saying so.
"""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import faulthandler
import gc
import itertools
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from crm_desktop.bootstrap import bootstrap
from crm_desktop.db import Database, make_engine, migrate, normalize_url
from crm_desktop.services.org import auth, passwords
from crm_desktop.services.org.actor import Actor

FAULT_DIR_ENV = "CRM_TEST_FAULT_DIR"

# The tests check what the code does with passwords, not what a guess costs an attacker:
# argon2id at the shipped parameters (64 MiB, 3 passes, 4 lanes) took 0.1-0.7 s a hash on
# these 2-core machines, and a run hashes and verifies hundreds of times (every company set
# up, user created, login). The shipped parameters, and the dummy hash that must match them,
# are checked against argon2's defaults in tests/test_auth.py (SHIPPED_DUMMY_HASH).
SHIPPED_DUMMY_HASH = passwords._DUMMY_HASH
passwords._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.hookimpl(trylast=True)  # after pytest's own faulthandler set-up, which this replaces
def pytest_configure(config: pytest.Config) -> None:
    # As the app does (crm_desktop.ui.gc_policy): no automatic collection, which could free a
    # widget on a background op's thread; the fixture below collects on this thread instead.
    gc.disable()
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker is None:  # the controller: workers inherit where to write a crash's stacks
        os.environ.setdefault(FAULT_DIR_ENV, tempfile.mkdtemp(prefix="crm-faults-"))
    elif os.environ.get(FAULT_DIR_ENV):
        # A worker that crashes shows only the tail of its stderr; its stacks go to a file the
        # controller prints at the end of the run (see pytest_terminal_summary).
        config._crm_fault_file = open(Path(os.environ[FAULT_DIR_ENV]) / f"{worker}.txt", "w")  # type: ignore[attr-defined]
        faulthandler.enable(config._crm_fault_file, all_threads=True)  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    """The controller prints each crashed worker's stacks last, where a log's tail shows them."""
    folder = os.environ.get(FAULT_DIR_ENV)
    reporter = config.pluginmanager.getplugin("terminalreporter")
    if os.environ.get("PYTEST_XDIST_WORKER") or not folder or not Path(folder).is_dir() or reporter is None:
        return
    for dump in sorted(Path(folder).glob("*.txt")):
        lines = dump.read_text(errors="replace").splitlines()
        if not lines:
            continue
        # The crashing thread's innermost frames are what tell the cause.
        start = next((n for n, line in enumerate(lines) if line.startswith("Current thread")), 0)
        reporter.write_sep("-", f"fatal error in worker {dump.stem}")
        for line in lines[:1] + lines[start:start + 16]:
            reporter.write_line(line)


def pytest_collection_finish(session: pytest.Session) -> None:
    # Every module is imported now: move what exists (modules, classes, SQLAlchemy's and
    # Qt's registries, hypothesis' strategies) out of the collector's sight. A full collection
    # after each test then walks only what tests made: it took ~160 ms a test before, half
    # of a UI test's time.
    gc.collect()
    gc.freeze()


@pytest.fixture(autouse=True)
def _collect_garbage_on_this_thread(request: pytest.FixtureRequest) -> Iterator[None]:
    """Widgets closed by a test are deleted, and cycles collected, before the next test."""
    yield
    if "qtbot" in request.fixturenames or "qapp" in request.fixturenames:
        from crm_desktop.ui.gc_policy import collect_now

        collect_now()
    else:
        gc.collect(1)
        if gc.get_count()[2] > 10:
            gc.collect()


#: Secure server mode (issue 17), the default: the PostgreSQL cases run on a server-setup
#: database, each service call acting as its user's own role (``Database.act_as``: ``SET
#: LOCAL ROLE``), so the server's row-level security must allow what the services do (a test
#: marked ``shared_role`` acts on the shared connection: the mark says what is missing).
#: ``CRM_TEST_SECURE=0``: the shared-role mode, every service call on the owner's connection.
SECURE = os.environ.get("CRM_TEST_SECURE", "1") == "1"
SECURE_PREFIX = f"s{uuid.uuid4().hex[:8]}_"  # one per test process: roles belong to the whole server

PG_URL = normalize_url(os.environ.get("CRM_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
_counter = itertools.count()


def _pg_admin_engine():  # type: ignore[no-untyped-def]
    return create_engine(PG_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})


@pytest.fixture(scope="session")
def pg_plain_template(request: pytest.FixtureRequest) -> Iterator[str]:
    """A migrated template without server-setup, for the tests that take migrations back below
    its policies (in the shared-role run: the one template)."""
    if not SECURE:
        yield request.getfixturevalue("pg_template")
        return
    yield from _migrated_template(secure=False)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """Name of a migrated template database on the test server."""
    yield from _migrated_template(secure=SECURE)


def _migrated_template(*, secure: bool) -> Iterator[str]:
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
    if secure:
        from crm_desktop.services.maintenance.server_setup import apply_setup

        with engine.begin() as conn:
            apply_setup(conn, SECURE_PREFIX)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if secure:
            _drop_secure_roles(conn)
    admin.dispose()


def _drop_secure_roles(conn) -> None:  # type: ignore[no-untyped-def]
    """The roles of this process's secure-mode run (users' roles first: members of the group)."""
    roles = conn.execute(text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p ORDER BY rolname LIKE '%\\_u\\_%' DESC"),
                         {"p": SECURE_PREFIX + "%"}).scalars().all()
    for role in roles:
        conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))


_KNOWN_ROLES: set[str] = set()


def act_as_own_role(conn, user_id: int) -> None:  # type: ignore[no-untyped-def]
    """``Database.act_as`` of the secure-mode run: the user's own role for this transaction
    (created, without a login, for users made before it existed — the company's admin)."""
    role = f"{SECURE_PREFIX}u_{int(user_id)}"
    if role not in _KNOWN_ROLES:  # roles belong to the server: once committed, every test database has it
        if conn.exec_driver_sql("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).scalar():
            _KNOWN_ROLES.add(role)
        else:  # made in this transaction, which may roll back (a read always does): not remembered
            conn.exec_driver_sql("SELECT crm_sync_login(%s, NULL)", (user_id,))
    conn.exec_driver_sql(f'SET LOCAL ROLE "{role}"')


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.sqlite3"
    engine = make_engine(f"sqlite:///{path}", create=True)
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
def db(db_url: str, request: pytest.FixtureRequest) -> Iterator[Database]:
    """The app's database on each backend, built through the composition root (rules,
    approvals, the failure log and search initials wired, as in the app). In the secure-server
    run each unit of work acts as its actor's own role, unless the test is marked
    ``shared_role`` (what the server does not allow yet: the mark's reason)."""
    database = bootstrap(db_url)
    if SECURE and database.backend == "postgresql" and request.node.get_closest_marker("shared_role") is None:
        database.act_as = act_as_own_role
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """SQLite only: for UI tests, which need a database but not both backends."""
    path = tmp_path / "crm.sqlite3"
    shutil.copy(sqlite_template, path)
    database = bootstrap(f"sqlite:///{path}")
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
