"""Window sizes and the last tab come back after a restart; windows stay on the screen; detail
windows open cascaded; every window asks for no more than a 1366×768 laptop has."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from crm_desktop import config
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.sales.contracts import contracts
from crm_desktop.ui import ops, window_memory
from crm_desktop.ui.context import AppContext
from crm_desktop.ui.main_window import MainWindow
from crm_desktop.ui.records.details.window import open_detail
from crm_desktop.ui.records.forms.open import open_form
from crm_desktop.ui.records.specs.registry import VIEW_SPECS
from crm_desktop.ui.window_memory import CASCADE_STEP, WindowMemory, fit_rect
from tests.ui.demo_company import demo_ctx, demo_db, demo_file, wait_settled  # noqa: F401 - fixtures


@pytest.fixture
def config_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CRM_CONFIG_DIR", str(tmp_path / "cfg"))
    return tmp_path / "cfg" / "config.json"


@pytest.fixture
def remembered(qapp: QApplication, config_path: Path) -> Iterator[list[WindowMemory]]:
    """Installs a WindowMemory for ``config.load_config()`` when called (one per "start")."""
    installed: list[WindowMemory] = []
    yield installed
    for memory in installed:
        qapp.removeEventFilter(memory)
        memory.deleteLater()


def start(remembered: list[WindowMemory], path: Path) -> config.Config:
    """What ``crm-desktop`` does at start-up: read the configuration, watch the windows."""
    for memory in remembered:  # the previous run has ended
        QApplication.instance().removeEventFilter(memory)
    settings = config.load_config(path)
    remembered.append(window_memory.install(settings))
    return settings


def settle_app() -> None:
    wait_settled(QApplication.instance())  # type: ignore[arg-type]


def test_main_window_size_position_and_tab_survive_a_restart(
        qtbot: QtBot, demo_ctx: AppContext, config_path: Path, remembered: list[WindowMemory]) -> None:
    # The test screen (offscreen) is 800×800; the main window is at least 960 wide.
    settings = start(remembered, config_path)
    first = MainWindow(demo_ctx, settings=settings)
    qtbot.addWidget(first)
    first.show()
    settle_app()
    first.move(0, 24)
    first.resize(960, 620)
    first.show_tab("contacts")
    settle_app()
    left = (first.pos(), first.size())
    first.close_without_asking()
    ops.wait_idle()
    assert config_path.exists()

    settings = start(remembered, config_path)
    assert settings.last_tab == "contacts"
    assert settings.windows["MainWindow"] == [left[0].x(), left[0].y(), 960, 620, 0]
    second = MainWindow(demo_ctx, settings=settings)
    qtbot.addWidget(second)
    assert second.current_tab_key() == "contacts"
    second.show()
    settle_app()
    assert (second.pos(), second.size()) == left
    # Not merely the default size again. The fresh window is kept and deleted by Qt's event loop:
    # a parentless main window dropped at once (its wrapper's refcount reaching 0 mid-line) left
    # freed memory behind that crashed the next test's QGuiApplication.primaryScreen() (seen on
    # every run of this file alone; deleteLater is how the app ends its windows).
    fresh = MainWindow(demo_ctx)
    assert second.size() != fresh.size()
    fresh.deleteLater()
    second.close_without_asking()


def test_a_window_remembered_on_a_bigger_screen_opens_on_this_one(
        qtbot: QtBot, demo_ctx: AppContext, config_path: Path, remembered: list[WindowMemory]) -> None:
    available = QGuiApplication.primaryScreen().availableGeometry()
    settings = config.Config(path=config_path)
    settings.windows["MainWindow"] = [available.right() + 900, available.bottom() + 700, 2400, 1500, 0]
    settings.windows["RecordDetailWindow"] = [3000, 2000]
    config.save_config(settings)
    settings = start(remembered, config_path)
    window = MainWindow(demo_ctx, settings=settings)
    qtbot.addWidget(window)
    window.show()
    settle_app()
    shown = window.frameGeometry()
    assert available.contains(shown.topLeft())
    assert window.height() <= available.height()
    assert window.width() <= max(available.width(), window.minimumWidth())
    customer = customers.list_page(demo_ctx.db, demo_ctx.actor, limit=1).rows[0]
    detail = open_detail(demo_ctx, "customer", customer.id, parent=window)
    settle_app()
    assert available.contains(detail.frameGeometry()), (detail.frameGeometry(), available)
    detail.close()
    window.close_without_asking()


def test_detail_windows_cascade_and_remember_their_size(
        qtbot: QtBot, demo_ctx: AppContext, config_path: Path, remembered: list[WindowMemory]) -> None:
    settings = config.Config(path=config_path)
    settings.windows["RecordDetailWindow"] = [700, 420]  # the test screen is 800×800
    config.save_config(settings)
    start(remembered, config_path)
    host = QWidget()
    qtbot.addWidget(host)
    rows = customers.list_page(demo_ctx.db, demo_ctx.actor, limit=3).rows
    first = open_detail(demo_ctx, "customer", rows[0].id, parent=host)
    settle_app()
    assert (first.width(), first.height()) == (700, 420)
    second = open_detail(demo_ctx, "customer", rows[1].id, parent=host)
    settle_app()
    assert second.pos() == first.pos() + QPoint(CASCADE_STEP, CASCADE_STEP)
    second.resize(690, 400)
    second.close()
    first.close()
    settle_app()
    settings = start(remembered, config_path)
    assert settings.windows["RecordDetailWindow"] == [700, 420]  # the last one closed was left 700×420
    third = open_detail(demo_ctx, "customer", rows[2].id, parent=host)
    settle_app()
    assert (third.width(), third.height()) == (700, 420)
    third.resize(690, 400)
    third.close()
    settle_app()
    assert start(remembered, config_path).windows["RecordDetailWindow"] == [690, 400]


def test_a_dialog_comes_back_the_size_it_was_left(
        qtbot: QtBot, demo_ctx: AppContext, config_path: Path, remembered: list[WindowMemory]) -> None:
    start(remembered, config_path)
    host = QWidget()
    qtbot.addWidget(host)
    contract = contracts.list_page(demo_ctx.db, demo_ctx.actor, limit=1).rows[0]
    opened: list[QWidget] = []
    open_form(demo_ctx, VIEW_SPECS["contract"], host, record_id=contract.id, title="c", on_opened=opened.append)
    qtbot.waitUntil(lambda: bool(opened) and opened[-1].isVisible(), timeout=10_000)
    settle_app()
    opened[-1].resize(700, 560)
    opened[-1].reject()
    settle_app()
    start(remembered, config_path)
    open_form(demo_ctx, VIEW_SPECS["contract"], host, record_id=contract.id, title="c", on_opened=opened.append)
    qtbot.waitUntil(lambda: len(opened) == 2 and opened[-1].isVisible(), timeout=10_000)
    settle_app()
    assert (opened[-1].width(), opened[-1].height()) == (700, 560)
    opened[-1].reject()


@pytest.mark.parametrize(("entity", "existing"), [(e, x) for e in ("contract", "opportunity", "customer")
                                                  for x in (False, True)])
def test_long_forms_fit_a_laptop_screen(qtbot: QtBot, demo_ctx: AppContext, entity: str, existing: bool) -> None:
    """The new contract's Save and Cancel were below a 1366×768 screen: the form scrolls instead."""
    host = QWidget()
    qtbot.addWidget(host)
    record_id = None
    if existing:
        from crm_desktop.services.records.registry import record_service
        record_id = record_service(entity).list_page(demo_ctx.db, demo_ctx.actor, limit=1).rows[0].id
    opened: list[QWidget] = []
    open_form(demo_ctx, VIEW_SPECS[entity], host, record_id=record_id, title="f", on_opened=opened.append)
    qtbot.waitUntil(lambda: bool(opened) and opened[-1].isVisible(), timeout=10_000)
    settle_app()
    dialog = opened[-1]
    laptop = QSize(1366, 728)  # 768 less a task bar
    assert dialog.height() <= laptop.height() and dialog.width() <= laptop.width()
    assert dialog.minimumSizeHint().height() <= laptop.height()
    save = dialog.save_button  # type: ignore[attr-defined]
    assert save.isVisible() and dialog.rect().contains(QRect(save.mapTo(dialog, QPoint(0, 0)), save.size()))
    dialog.reject()


def test_fit_rect() -> None:
    screen = QRect(0, 0, 1366, 728)
    assert fit_rect(QRect(100, 50, 800, 600), screen) == QRect(100, 50, 800, 600)  # fits: unchanged
    assert fit_rect(QRect(1900, 1000, 1280, 800), screen) == QRect(86, 0, 1280, 728)
    assert fit_rect(QRect(-500, -20, 2560, 1440), screen) == QRect(0, 0, 1366, 728)
    second = QRect(1366, 0, 1920, 1040)  # a second monitor to the right
    assert fit_rect(QRect(1400, 100, 1600, 900), second) == QRect(1400, 100, 1600, 900)


def test_main_window_asks_for_no_more_than_the_screen(qtbot: QtBot, demo_ctx: AppContext) -> None:
    window = MainWindow(demo_ctx)
    qtbot.addWidget(window)
    available = QGuiApplication.primaryScreen().availableGeometry()
    assert window.height() <= max(available.height(), window.minimumHeight())
    assert window.width() <= max(available.width(), window.minimumWidth())
    window.close_without_asking()
