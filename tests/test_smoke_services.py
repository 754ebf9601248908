from __future__ import annotations

from crm_desktop.db import Database
from crm_desktop.services.actor import Actor
from crm_desktop.services.customers import customers


def test_admin_creates_and_lists_customer(db: Database, admin: Actor) -> None:
    created = customers.create(db, admin, {"name": "厦门星辰科技有限公司", "phone": "0592-1234567"})
    page = customers.list_page(db, admin)
    assert [r.id for r in page.rows] == [created.id]
    assert customers.count(db, admin) == 1
