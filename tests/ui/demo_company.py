"""A demo company (厦门星辰科技有限公司 with its sales chain) for UI tests that open every screen.

Built once per test session into a file; each test gets its own copy, so a test that saves
something leaves the next one the same company.
"""
from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from crm_desktop.bootstrap import bootstrap
from crm_desktop.db import Database
from crm_desktop.demo.company import ADMIN_MOBILE, ADMIN_PASSWORD, create_demo_company
from crm_desktop.services.org import auth
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext, make_context
from crm_desktop.ui.screenshots import settle


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    db = bootstrap(f"sqlite:///{path}", create=True)
    try:
        create_demo_company(db, users=12, customers=60)
    finally:
        db.dispose()
    return path


@pytest.fixture
def demo_db(demo_file: Path, tmp_path: Path) -> Iterator[Database]:
    path = tmp_path / "demo.sqlite3"
    shutil.copy(demo_file, path)
    db = bootstrap(f"sqlite:///{path}")
    yield db
    ops.wait_idle()
    db.dispose()


@pytest.fixture
def demo_ctx(demo_db: Database) -> AppContext:
    """The demo company's super administrator (林建华)."""
    return make_context(demo_db, auth.login(demo_db, ADMIN_MOBILE, ADMIN_PASSWORD))


def wait_settled(app: QApplication) -> None:
    """Every background read done and its result shown (a result may start another read)."""
    settle(app, rounds=200)
