"""Live refresh in the UI (issue 17), on PostgreSQL: two open databases stand for two PCs
(each its own engine, event bus and client id, as two app processes have); "there" runs the
UI with live refresh, "here" saves through the services or its own forms. A save here
appears in there's open list (selection and scroll kept) and detail window; an edit form
with typed input is never overwritten (it offers reload / keep mine); one without typed
input simply shows the new values; presence shows "… is editing this customer" and clears."""
from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from crm_desktop.bootstrap import bootstrap
from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.records.records import RecordDTO
from crm_desktop.ui import ops
from crm_desktop.ui.context import AppContext, make_context
from crm_desktop.ui.live import LiveHub, start_live
from crm_desktop.ui.records.details.window import RecordDetailWindow, open_detail
from crm_desktop.ui.records.forms.record_dialog import RecordDialog
from crm_desktop.ui.records.lists.customers import CustomersTab
from tests.conftest import drop_pg, new_pg_url
from tests.ui.test_customers_tab import open_editor, select, settle
from tests.ui.test_record_list_model import make_sales_user
from tests.ui_helpers import ADMIN_MOBILE, ADMIN_PASSWORD, admin_context

FAST = {"heartbeat_s": 0.3, "expiry_s": 2.0, "poll_s": 0.05}


@dataclass
class Pcs:
    here: AppContext   # 张三's PC: saves
    there: AppContext  # the admin's PC: watches
    hub_here: LiveHub
    hub_there: LiveHub


@pytest.fixture
def pcs(pg_template: str) -> Iterator[Pcs]:
    url, name = new_pg_url(pg_template)
    db_there: Database = bootstrap(url)
    db_here: Database = bootstrap(url)
    try:
        there = admin_context(db_there)
        zhang = make_sales_user(db_there, there.actor, mobile="13900000077", name="张三",
                                actions=("view", "create", "edit"))
        here = make_context(db_here, zhang)
        hubs = start_live(here, **FAST), start_live(there, **FAST)
        yield Pcs(here, there, *hubs)
        for hub in hubs:
            hub.stop()
        ops.wait_idle()
    finally:
        db_there.dispose()
        db_here.dispose()
        drop_pg(name)


def wait_online(qtbot: QtBot, *hubs: LiveHub) -> None:
    qtbot.waitUntil(lambda: all(h.online for h in hubs), timeout=10_000)


def add(ctx: AppContext, name: str, **values: str) -> RecordDTO:
    return customers.create(ctx.db, ctx.actor, {"name": name, **values})


def test_a_save_on_one_pc_appears_in_the_others_list_and_detail_window(qtbot: QtBot, pcs: Pcs) -> None:
    wait_online(qtbot, pcs.hub_here, pcs.hub_there)
    mine = [add(pcs.here, f"厦门客户{i:02d}有限公司") for i in range(40)]
    tab = CustomersTab(pcs.there)
    qtbot.addWidget(tab)
    tab.resize(1100, 400)
    tab.show()
    qtbot.waitExposed(tab)
    settle(qtbot, tab)
    target = mine[5]
    select(qtbot, tab, target)
    tab.view.verticalScrollBar().setValue(tab.view.verticalScrollBar().maximum())
    scroll = tab.view.verticalScrollBar().value()
    assert scroll > 0
    window = open_detail(pcs.there, "customer", target.id, parent=None)
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.data is not None and not window.is_loading(), timeout=10_000)

    updated = customers.update(pcs.here.db, pcs.here.actor, target.id, expected_version=target.version,
                               changes={"phone": "0592-7654321"})
    phone = tab.model.column_of("phone")
    assert phone is not None
    qtbot.waitUntil(lambda: tab.model.data(tab.model.index(tab.model.row_of(target.id) or 0, phone))
                    == "0592-7654321", timeout=5_000)
    qtbot.waitUntil(lambda: window.data is not None and window.data.record.version == updated.version, timeout=5_000)
    settle(qtbot, tab)
    assert tab.selected_ids() == [target.id]  # refreshed in place: selection and scroll kept
    assert tab.view.verticalScrollBar().value() == scroll

    # A new record on the other PC is a different set of rows: still the same selection and place.
    add(pcs.here, "厦门新来客户有限公司")
    qtbot.waitUntil(lambda: tab.model.total == 41, timeout=5_000)
    settle(qtbot, tab)
    assert tab.selected_ids() == [target.id]
    assert tab.view.verticalScrollBar().value() == scroll
    window.close()


def open_form_there(qtbot: QtBot, pcs: Pcs, record: RecordDTO) -> tuple[CustomersTab, RecordDialog]:
    tab = CustomersTab(pcs.there)
    qtbot.addWidget(tab)
    settle(qtbot, tab)
    dialog = open_editor(qtbot, tab, record)
    assert dialog.live_watch is not None
    return tab, dialog


def test_typed_input_is_never_overwritten_reload_or_keep_mine(qtbot: QtBot, pcs: Pcs) -> None:
    wait_online(qtbot, pcs.hub_here, pcs.hub_there)
    record = add(pcs.here, "厦门并发编辑有限公司", phone="111")
    _tab, dialog = open_form_there(qtbot, pcs, record)
    watch = dialog.live_watch
    assert watch is not None
    dialog.set_value("phone", "222 mine")
    customers.update(pcs.here.db, pcs.here.actor, record.id, expected_version=record.version,
                     changes={"phone": "333 theirs"})
    qtbot.waitUntil(lambda: watch.banner.isVisibleTo(dialog), timeout=5_000)
    assert "张三" in watch.banner_label.text()
    assert dialog.value("phone") == "222 mine"  # nothing typed is replaced without a click
    assert dialog.version == record.version

    watch.keep_mine()
    assert not watch.banner.isVisibleTo(dialog)
    dialog.save()  # still based on the old version: the per-field conflict dialog decides
    qtbot.waitUntil(lambda: dialog.conflict_dialog is not None, timeout=5_000)
    assert dialog.conflict_dialog is not None
    dialog.conflict_dialog.reject()
    qtbot.waitUntil(lambda: dialog.conflict_dialog is None, timeout=5_000)
    assert dialog.value("phone") == "222 mine"

    fresh = customers.get(pcs.here.db, pcs.here.actor, record.id)
    customers.update(pcs.here.db, pcs.here.actor, record.id, expected_version=fresh.version,
                     changes={"phone": "444 theirs again"})
    qtbot.waitUntil(lambda: watch.banner.isVisibleTo(dialog), timeout=5_000)
    watch.reload_button.click()
    assert dialog.value("phone") == "444 theirs again"
    assert not dialog.has_changes() and not dialog.is_dirty()
    assert dialog.version == fresh.version + 1
    dialog.reject()


def test_an_untouched_form_just_shows_the_new_values(qtbot: QtBot, pcs: Pcs) -> None:
    wait_online(qtbot, pcs.hub_here, pcs.hub_there)
    record = add(pcs.here, "厦门安静表单有限公司", phone="111")
    _tab, dialog = open_form_there(qtbot, pcs, record)
    customers.update(pcs.here.db, pcs.here.actor, record.id, expected_version=record.version,
                     changes={"phone": "555"})
    qtbot.waitUntil(lambda: dialog.value("phone") == "555", timeout=5_000)
    assert dialog.live_watch is not None and not dialog.live_watch.banner.isVisibleTo(dialog)
    assert not dialog.is_dirty()
    dialog.reject()
    assert not isValid(dialog) or not dialog.isVisible()  # closed without asking


def test_presence_shows_who_is_editing_and_clears(qtbot: QtBot, pcs: Pcs) -> None:
    wait_online(qtbot, pcs.hub_here, pcs.hub_there)
    record = add(pcs.here, "厦门在场提示有限公司")
    window: RecordDetailWindow = open_detail(pcs.there, "customer", record.id, parent=None)
    qtbot.addWidget(window)
    assert not window.presence_label.isVisibleTo(window)
    tab_here = CustomersTab(pcs.here)
    qtbot.addWidget(tab_here)
    settle(qtbot, tab_here)
    form_here = open_editor(qtbot, tab_here, record)  # 张三 opens the edit form on his PC
    qtbot.waitUntil(lambda: window.presence_label.isVisibleTo(window), timeout=5_000)
    assert window.presence_label.text() == "张三 is editing this customer"
    form_here.reject()  # closed: the other PC's note goes away
    qtbot.waitUntil(lambda: not window.presence_label.isVisibleTo(window), timeout=5_000)

    form_here = open_editor(qtbot, tab_here, record)
    qtbot.waitUntil(lambda: window.presence_label.isVisibleTo(window), timeout=5_000)
    pcs.hub_here.listener._stop.set()  # 张三's PC goes silent (crash, cable): no "closed", no heartbeat
    qtbot.waitUntil(lambda: not window.presence_label.isVisibleTo(window), timeout=8_000)
    form_here.reject()
    window.close()


SAVE_IN_ANOTHER_PROCESS = """
import sys
from crm_desktop.bootstrap import bootstrap
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.org import auth
db = bootstrap(sys.argv[1], migrate_schema=False)
actor = auth.login(db, sys.argv[2], sys.argv[3])
record = customers.get(db, actor, int(sys.argv[4]))
customers.update(db, actor, record.id, expected_version=record.version, changes={"phone": sys.argv[5]})
db.dispose()
"""


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_a_save_in_another_process_reaches_the_open_list_and_detail_window(
    qtbot: QtBot, backend: str, request: pytest.FixtureRequest,
) -> None:
    """A real second process (the other PC, or a second app on this PC for SQLite) saves."""
    if backend == "postgresql":
        url, name = new_pg_url(request.getfixturevalue("pg_template"))
    else:
        path = request.getfixturevalue("tmp_path") / "crm.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url, name = f"sqlite:///{path}", ""
    database = bootstrap(url)
    try:
        ctx = admin_context(database)
        hub = start_live(ctx, **FAST)
        qtbot.waitUntil(lambda: hub.online is True, timeout=10_000)
        record = add(ctx, "厦门另一进程有限公司", phone="111")
        tab = CustomersTab(ctx)
        qtbot.addWidget(tab)
        settle(qtbot, tab)
        window = open_detail(ctx, "customer", record.id, parent=None)
        qtbot.addWidget(window)
        qtbot.waitUntil(lambda: window.data is not None and not window.is_loading(), timeout=10_000)
        subprocess.run([sys.executable, "-c", SAVE_IN_ANOTHER_PROCESS, url, ADMIN_MOBILE, ADMIN_PASSWORD,
                        str(record.id), "0592-0000001"], check=True, timeout=120)
        phone = tab.model.column_of("phone")
        assert phone is not None
        qtbot.waitUntil(lambda: tab.model.data(tab.model.index(tab.model.row_of(record.id) or 0, phone))
                        == "0592-0000001", timeout=5_000)
        qtbot.waitUntil(lambda: window.data is not None and window.data.record.values.get("phone") == "0592-0000001",
                        timeout=5_000)
        window.close()
        hub.stop()
        ops.wait_idle()
    finally:
        database.dispose()
        if name:
            drop_pg(name)
