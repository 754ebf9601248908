"""Helpers for pytest-qt tests: a logged-in context on a fresh SQLite database."""
from __future__ import annotations

from crm_desktop.db import Database
from crm_desktop.services.org import auth
from crm_desktop.ui.context import AppContext, make_context

ADMIN_MOBILE = "13800000000"
ADMIN_PASSWORD = "admin1234"


def admin_context(db: Database) -> AppContext:
    actor = auth.setup_company(
        db, company="厦门星辰科技有限公司", admin_name="管理员", admin_mobile=ADMIN_MOBILE, password=ADMIN_PASSWORD
    )
    return make_context(db, actor)
