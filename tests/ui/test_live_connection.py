"""Lost connections (issue 17), with a real server stop, start and restart — of a throwaway
cluster of the test's own (tests/pg_cluster.py), never the shared server.

While the server is away the status bar says so and retries; open forms keep what was
typed; a save is refused with the form left as it was; when the server is back the same
save goes through exactly once (nothing lost, nothing doubled), and live refresh resumes."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from crm_desktop.bootstrap import bootstrap
from crm_desktop.db import Database
from crm_desktop.models import Customer
from crm_desktop.services.customers.customers import customers
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.live import ConnectionStatus, LiveHub, start_live
from crm_desktop.ui.records.lists.customers import CustomersTab
from tests.pg_cluster import Cluster, cluster  # noqa: F401 - the fixture
from tests.ui.test_customers_tab import open_editor, open_new, settle
from tests.ui_helpers import admin_context

FAST = {"heartbeat_s": 0.3, "expiry_s": 2.0, "poll_s": 0.05, "backoff_s": 0.2, "max_backoff_s": 1.0}


@pytest.fixture
def session(cluster: Cluster) -> Iterator[tuple[AppContext, LiveHub, Cluster]]:  # noqa: F811
    database: Database = bootstrap(cluster.url)
    ctx = admin_context(database)
    hub = start_live(ctx, **FAST)
    yield ctx, hub, cluster
    hub.stop()
    ops.wait_idle()
    database.dispose()


def count_named(db: Database, name: str) -> int:
    with db.sessions() as s:
        return int(s.scalar(select(func.count()).select_from(Customer).where(Customer.name == name)) or 0)


def test_server_away_keeps_the_form_refuses_the_save_then_saves_once(
    qtbot: QtBot, session: tuple[AppContext, LiveHub, Cluster],
) -> None:
    ctx, hub, server = session
    status = ConnectionStatus(ctx)
    qtbot.addWidget(status)
    qtbot.waitUntil(lambda: hub.online is True, timeout=10_000)
    assert status.isHidden()  # all is well: nothing to say
    record = customers.create(ctx.db, ctx.actor, {"name": "厦门断线测试有限公司", "phone": "111"})
    tab = CustomersTab(ctx)
    qtbot.addWidget(tab)
    settle(qtbot, tab)
    form = open_editor(qtbot, tab, record)
    form.set_value("phone", "222 typed while offline")
    new_form = open_new(qtbot, tab)
    new_form.set_value("name", "厦门离线新建有限公司")

    server.stop()
    qtbot.waitUntil(lambda: hub.online is False, timeout=10_000)
    qtbot.waitUntil(lambda: "Server unreachable" in status.text() and not status.isHidden(), timeout=5_000)

    form.save()
    qtbot.waitUntil(lambda: not form.is_saving(), timeout=20_000)
    assert form.isVisible() and "cannot be reached" in form.message_label.text()
    assert form.value("phone") == "222 typed while offline" and form.has_changes()
    new_form.save()
    qtbot.waitUntil(lambda: not new_form.is_saving(), timeout=20_000)
    assert new_form.isVisible() and "cannot be reached" in new_form.message_label.text()
    assert new_form.value("name") == "厦门离线新建有限公司"

    server.start()
    qtbot.waitUntil(lambda: hub.online is True, timeout=15_000)
    assert "Connected to the server again" in status.text()

    saved: list[object] = []
    form.saved.connect(saved.append)
    form.save()
    qtbot.waitUntil(lambda: bool(saved), timeout=15_000)
    again = customers.get(ctx.db, ctx.actor, record.id)
    assert again.values["phone"] == "222 typed while offline"
    assert again.version == record.version + 1  # saved exactly once
    updates = [e for e in customers.operation_log(ctx.db, ctx.actor, record.id) if e.action == "update"]
    assert len(updates) == 1

    created: list[object] = []
    new_form.saved.connect(created.append)
    new_form.save()
    qtbot.waitUntil(lambda: bool(created), timeout=15_000)
    assert count_named(ctx.db, "厦门离线新建有限公司") == 1


def test_a_restart_is_survived_and_live_refresh_resumes(
    qtbot: QtBot, session: tuple[AppContext, LiveHub, Cluster],
) -> None:
    ctx, hub, server = session
    qtbot.waitUntil(lambda: hub.online is True, timeout=10_000)
    states: list[bool] = []
    hub.connection_changed.connect(lambda online, _retry: states.append(online))
    other: Database = bootstrap(server.url)  # another PC
    try:
        server.restart()
        qtbot.waitUntil(lambda: states[-2:] == [False, True], timeout=15_000)
        heard: list[tuple[str, int]] = []
        ctx.signals.changed.connect(lambda entity, record_id: heard.append((entity, record_id)))
        created = customers.create(other, ctx.actor, {"name": "厦门重启之后有限公司"})
        qtbot.waitUntil(lambda: ("customer", created.id) in heard, timeout=5_000)
    finally:
        other.dispose()
