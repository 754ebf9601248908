"""pytest-qt: the dashboard on real widgets (offscreen) over the hand-checked company of
tests/dashboard_company.py. A manager changes the filter and the numbers change as worked out
by hand; a tile, a funnel stage and a ranking entry open exactly their records; the PNG and
xlsx exports are written and read back; the target grid saves, fills and copies."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from crm_desktop.db import Database
from crm_desktop.services.dashboard.period import Preset
from crm_desktop.services.dashboard.selection import Owners, Selection
from crm_desktop.services.dashboard.targets import Subject, TargetKind, target_grid
from crm_desktop.ui.admin.targets import TargetsPage
from crm_desktop.ui.context import make_context
from crm_desktop.ui.dashboard.charts import BarChart
from crm_desktop.ui.dashboard.page import DashboardPage
from tests.dashboard_company import TODAY, Company, build_company
from tests.ui_helpers import admin_context

WAIT_MS = 20_000


@pytest.fixture
def company(sqlite_db: Database) -> Company:
    admin_context(sqlite_db)
    return build_company(sqlite_db)


def open_page(qtbot: QtBot, db: Database, company: Company, who: str, selection: Selection) -> DashboardPage:
    ctx = make_context(db, company.actor(db, who))
    page = DashboardPage(ctx, default=selection)
    qtbot.addWidget(page)
    page.resize(1300, 1400)
    page.show()
    qtbot.waitUntil(lambda: page.data is not None, timeout=WAIT_MS)
    return page


def numbers(page: DashboardPage, key: str) -> tuple[str, str]:
    tile = page.tiles[key]
    return tile.count_label.text(), tile.amount_label.text()


def choose(combo, data: object) -> None:  # type: ignore[no-untyped-def]
    index = combo.findData(data)
    assert index >= 0, data
    combo.setCurrentIndex(index)


def wait_for(qtbot: QtBot, page: DashboardPage, key: str, expected: tuple[str, str]) -> None:
    qtbot.waitUntil(lambda: numbers(page, key) == expected, timeout=WAIT_MS)


def click_bar(qtbot: QtBot, chart: BarChart, index: int) -> None:
    """Click the middle of category ``index``'s bar, as a person would."""
    qtbot.waitUntil(lambda: len(chart.labels) > index, timeout=WAIT_MS)
    view = chart.getPlotItem().getViewBox()
    series = chart.series[0]
    value = series.values[index] / 2 or 0.01
    if chart.horizontal:
        point = QPointF(value, len(chart.labels) - 1 - index)
    else:
        point = QPointF(index, value)
    scene = view.mapViewToScene(point)
    pos = chart.mapFromScene(scene)
    assert chart.index_at(scene) == index
    qtbot.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(int(pos.x()), int(pos.y())))


def drilled_rows(qtbot: QtBot, page: DashboardPage, count: int) -> None:
    qtbot.waitUntil(lambda: page.drilldown is not None, timeout=WAIT_MS)
    model = page.drilldown.tab.model  # type: ignore[union-attr]
    qtbot.waitUntil(lambda: model.rowCount() == count, timeout=WAIT_MS)


def test_manager_filters_and_numbers_follow(qtbot: QtBot, sqlite_db: Database, company: Company) -> None:
    """m1's chain in March: contracts 1000 + 2000; r2 alone 2000; February r1's 400; his
    department (销售一部: m1, r1, r2) as his chain; the other department shows nothing."""
    page = open_page(qtbot, sqlite_db, company, "m1", Selection(owners=Owners.SUBORDINATES, today=TODAY))
    wait_for(qtbot, page, "new_contracts", ("2", "¥ 3,000"))
    assert numbers(page, "new_customers")[0] == "2"
    assert numbers(page, "payments") == ("1", "¥ 300")
    bar = page.filter_bar
    qtbot.waitUntil(lambda: bar.user_combo.count() == 3, timeout=WAIT_MS)
    choose(bar.owner_combo, Owners.USER.value)
    choose(bar.user_combo, company.ids["r2"])
    wait_for(qtbot, page, "new_contracts", ("1", "¥ 2,000"))
    choose(bar.preset_combo, Preset.LAST_MONTH.value)
    wait_for(qtbot, page, "new_contracts", ("0", "¥ 0"))
    assert numbers(page, "payments") == ("1", "¥ 100")
    choose(bar.owner_combo, Owners.DEPARTMENT.value)
    choose(bar.department_combo, company.depts["d1"])
    wait_for(qtbot, page, "new_contracts", ("1", "¥ 400"))
    choose(bar.preset_combo, Preset.THIS_MONTH.value)
    wait_for(qtbot, page, "new_contracts", ("2", "¥ 3,000"))
    assert bar.department_combo.findData(company.depts["d2"]) < 0  # outside his scope: not offered


def test_clicks_open_exactly_the_counted_records(qtbot: QtBot, sqlite_db: Database, company: Company) -> None:
    page = open_page(qtbot, sqlite_db, company, "gm", Selection(today=TODAY))
    wait_for(qtbot, page, "new_contracts", ("3", "¥ 6,000"))
    qtbot.mouseClick(page.tiles["new_contracts"], Qt.MouseButton.LeftButton)
    drilled_rows(qtbot, page, 3)
    page.drilldown = None
    # The funnel: the first stage of 直销 holds r1's open opportunity of 100 (r3's is lost).
    labels = page.funnel_chart.labels
    index = labels.index(next(label for label in labels if label.endswith("初步接洽") and "直销" in label)) \
        if any("·" in label for label in labels) else labels.index("初步接洽")
    click_bar(qtbot, page.funnel_chart, index)
    drilled_rows(qtbot, page, 1)
    page.drilldown = None
    # Rankings by contract amount: 销售钱 first with her one contract of 3000.
    choose(page.ranking_combo, "contract_amount")
    assert page.ranking_chart.labels[0] == "销售钱"
    click_bar(qtbot, page.ranking_chart, 0)
    drilled_rows(qtbot, page, 1)
    assert page.drilldown.tab.model.record(0).values["amount"] == Decimal("3000.00")  # type: ignore[union-attr]


def test_exports_png_and_xlsx(qtbot: QtBot, sqlite_db: Database, company: Company, tmp_path: Path) -> None:
    page = open_page(qtbot, sqlite_db, company, "gm", Selection(today=TODAY))
    wait_for(qtbot, page, "new_contracts", ("3", "¥ 6,000"))
    png = page.export_png(tmp_path / "dashboard.png")
    image = QImage(str(png))
    assert not image.isNull() and image.width() == page.width()
    target = tmp_path / "dashboard.xlsx"
    page.export_xlsx(target)
    qtbot.waitUntil(target.exists, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: page.message.text() == "Numbers exported.", timeout=WAIT_MS)
    book = load_workbook(target, read_only=True)
    brief = {row[0]: row[1:3] for row in book["Sales brief"].iter_rows(min_row=2, values_only=True)}
    assert brief["New contracts"] == (3, 6000)
    assert brief["New customers"][0] == 3
    ranks = [row[2:4] for row in book["Rankings"].iter_rows(min_row=2, values_only=True) if row[0] == "Contract amount"]
    assert ranks == [("销售钱", 3000), ("销售赵", 2000), ("销售张", 1000)]


def test_target_grid_fill_save_and_copy(qtbot: QtBot, sqlite_db: Database, company: Company) -> None:
    gm = company.actor(sqlite_db, "gm")
    page = TargetsPage(make_context(sqlite_db, gm))
    qtbot.addWidget(page)
    page.year_spin.setValue(2025)
    qtbot.waitUntil(lambda: page.grid is not None and page.grid.year == 2025, timeout=WAIT_MS)
    keys = [r.key for r in page.grid.rows]
    row = keys.index((Subject.USER, company.ids["r1"]))
    page.table.setCurrentCell(row, 0)
    page.total_edit.setText("120,000.06")
    page.fill_button.click()
    assert page.table.item(row, 0).text() == "10,000" and page.table.item(row, 11).text() == "10,000.01"
    page.table.item(0, 2).setText("5000")  # the whole company, March
    page.table.item(0, 3).setText("abc")
    page.save_button.click()
    assert page.message.text() == "Some cells do not hold an amount; they are marked in red."
    page.table.item(0, 3).setText("")
    page.save_button.click()
    qtbot.waitUntil(lambda: page.message.text() == "Targets saved.", timeout=WAIT_MS)
    grid = target_grid(sqlite_db, gm, 2025, TargetKind.CONTRACT_AMOUNT)
    assert sum(grid.row((Subject.USER, company.ids["r1"])).months) == Decimal("120000.06")
    assert grid.rows[0].months[2] == Decimal("5000.00") and grid.rows[0].months[3] is None
    page.year_spin.setValue(2026)
    qtbot.waitUntil(lambda: page.grid is not None and page.grid.year == 2026, timeout=WAIT_MS)
    page.copy_button.click()
    qtbot.waitUntil(lambda: page.message.text() == "Copied the targets of 2 departments and colleagues.",
                    timeout=WAIT_MS)
    qtbot.waitUntil(lambda: page.table.item(0, 2).text() == "5,000", timeout=WAIT_MS)


def test_target_grid_imports_a_sheet(qtbot: QtBot, sqlite_db: Database, company: Company, tmp_path: Path) -> None:
    from tests.import_helpers import xlsx

    gm = company.actor(sqlite_db, "gm")
    page = TargetsPage(make_context(sqlite_db, gm))
    qtbot.addWidget(page)
    page.year_spin.setValue(2027)
    qtbot.waitUntil(lambda: page.grid is not None and page.grid.year == 2027, timeout=WAIT_MS)
    bad = xlsx(tmp_path / "bad.xlsx", [["员工", *[f"{m}月" for m in range(1, 13)]], ["谁也不是", *[1] * 12]])
    page.import_file(bad)
    qtbot.waitUntil(lambda: page.message.text().startswith("Nothing was imported"), timeout=WAIT_MS)
    good = xlsx(tmp_path / "good.xlsx", [["员工", *[f"{m}月" for m in range(1, 13)]], ["销售张", *["2万"] * 12]])
    page.import_file(good)
    qtbot.waitUntil(lambda: page.message.text() == "Targets imported (1 rows).", timeout=WAIT_MS)
    row = [r.key for r in page.grid.rows].index((Subject.USER, company.ids["r1"]))
    qtbot.waitUntil(lambda: page.table.item(row, 0).text() == "20,000", timeout=WAIT_MS)
