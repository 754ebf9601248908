"""The detail window's header facts wrap between facts, never inside one: "下单日期" broke into
"下单日" / "期" when the facts were one wrapped label. Checked in Chinese on a narrow window with
the layout check, and fact by fact."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from crm_desktop.services.sales.contracts import contracts
from crm_desktop.ui import i18n
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.layout_check import check_window
from crm_desktop.ui.records.details.window import open_detail
from tests.ui.demo_company import demo_ctx, demo_db, demo_file, wait_settled  # noqa: F401 - fixtures


@pytest.fixture
def chinese(qapp: QApplication) -> Iterator[None]:
    before = i18n.current_language()
    assert i18n.install_language("zh_CN")
    yield
    i18n.install_language(before)


@pytest.mark.parametrize("width", [1280, 1000, 760])
def test_contract_header_wraps_between_facts(qtbot: QtBot, demo_ctx: AppContext, chinese: None, width: int) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    contract = next(r for r in contracts.list_page(demo_ctx.db, demo_ctx.actor, limit=50).rows
                    if r.values.get("order_date"))
    window = open_detail(demo_ctx, "contract", contract.id, parent=host)
    window.resize(QSize(width, 700))
    wait_settled(QApplication.instance())  # type: ignore[arg-type]
    strip = window.facts_strip
    assert len(strip.labels) >= 6 and "下单日期" in strip.text()
    for label in strip.labels:  # each fact whole, on one line
        assert label.width() >= label.sizeHint().width(), label.text()
        assert label.height() <= label.sizeHint().height() + 2, label.text()
    rows = {label.y() for label in strip.labels}
    if width < 1000:
        assert len(rows) > 1  # it wrapped, between facts
    problems = [p for p in check_window(window) if "facts" in p.where.lower() or "FactsStrip" in p.where]
    assert not problems, problems
    window.close()
