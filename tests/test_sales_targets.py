"""Sales targets (业绩目标): the grid, copy from last year, even fill, permissions; both backends."""
from __future__ import annotations

from decimal import Decimal

import pytest

from crm_desktop.db import Database
from crm_desktop.services.dashboard.targets import (
    COMPANY,
    Subject,
    TargetKind,
    copy_from_last_year,
    even_split,
    fill_evenly,
    set_targets,
    target_grid,
)
from crm_desktop.services.errors import PermissionDenied, ValidationError
from crm_desktop.services.org.actor import Actor
from tests.dashboard_company import Company, build_company


@pytest.fixture
def company(db: Database, admin: Actor) -> Company:
    return build_company(db)


def test_grid_lists_company_departments_and_users_in_tree_order(db: Database, company: Company) -> None:
    gm = company.actor(db, "gm")
    grid = target_grid(db, gm, 2026, TargetKind.CONTRACT_AMOUNT)
    keys = [(r.subject, r.name, r.depth) for r in grid.rows]
    assert keys[0] == (Subject.COMPANY, "", 0)
    names = [name for _s, name, _d in keys]
    # 销售一部 and its people (经理李, 销售张, 销售赵) come before 销售二部 and 销售钱.
    assert names.index("销售一部") < names.index("经理李") < names.index("销售赵") < names.index("销售二部") \
        < names.index("销售钱")
    depth = {name: d for _s, name, d in keys}
    assert depth["销售一部"] == 2 and depth["经理李"] == 3
    assert all(m is None for r in grid.rows for m in r.months)


def test_set_read_copy_and_fill(db: Database, company: Company) -> None:
    gm = company.actor(db, "gm")
    r1 = (Subject.USER, company.ids["r1"])
    d1 = (Subject.DEPARTMENT, company.depts["d1"])
    set_targets(db, gm, 2025, TargetKind.CONTRACT_AMOUNT, {
        r1: [Decimal(1000)] * 12, d1: [Decimal("5000.5"), *([None] * 11)]})
    grid = target_grid(db, gm, 2025, TargetKind.CONTRACT_AMOUNT)
    assert grid.row(r1).months == (Decimal("1000.00"),) * 12
    assert grid.row(r1).year_total == Decimal("12000.00")
    assert grid.row(d1).months[0] == Decimal("5000.50") and grid.row(d1).months[1] is None
    # Another kind and another year are untouched.
    assert target_grid(db, gm, 2025, TargetKind.PAYMENTS).row(r1).months == (None,) * 12
    # Copy 2025 into 2026: both subjects; a subject 2026 already had and 2025 did not stays.
    set_targets(db, gm, 2026, TargetKind.CONTRACT_AMOUNT, {COMPANY: [Decimal(9)] * 12})
    assert copy_from_last_year(db, gm, 2026, TargetKind.CONTRACT_AMOUNT) == 2
    grid = target_grid(db, gm, 2026, TargetKind.CONTRACT_AMOUNT)
    assert grid.row(r1).months == (Decimal("1000.00"),) * 12
    assert grid.row(d1).months[0] == Decimal("5000.50")
    assert grid.row(COMPANY).months == (Decimal("9.00"),) * 12
    # Fill evenly: 100000.07 over 12 months, the leftover cents on the last months, exact sum.
    fill_evenly(db, gm, 2026, TargetKind.PAYMENTS, COMPANY, Decimal("100000.07"))
    months = target_grid(db, gm, 2026, TargetKind.PAYMENTS).row(COMPANY).months
    assert sum(months) == Decimal("100000.07")
    assert months[0] == Decimal("8333.33") and months[-1] == Decimal("8333.34")
    assert max(months) - min(months) <= Decimal("0.01")


def test_even_split_is_exact() -> None:
    assert even_split(Decimal(12)) == (Decimal("1.00"),) * 12
    assert sum(even_split(Decimal("0.05"))) == Decimal("0.05")
    assert sum(even_split(Decimal("1234567.89"))) == Decimal("1234567.89")


def test_permissions_and_bad_values(db: Database, company: Company) -> None:
    m1, r1 = company.actor(db, "m1"), company.actor(db, "r1")
    assert target_grid(db, m1, 2026, TargetKind.CONTRACT_AMOUNT).rows  # may view
    with pytest.raises(PermissionDenied):
        set_targets(db, m1, 2026, TargetKind.CONTRACT_AMOUNT, {COMPANY: [Decimal(1)] * 12})
    with pytest.raises(PermissionDenied):
        copy_from_last_year(db, r1, 2026, TargetKind.CONTRACT_AMOUNT)
    gm = company.actor(db, "gm")
    with pytest.raises(ValidationError):
        set_targets(db, gm, 2026, TargetKind.CONTRACT_AMOUNT, {COMPANY: [Decimal(-1)] * 12})
    with pytest.raises(ValidationError):
        set_targets(db, gm, 2026, TargetKind.CONTRACT_AMOUNT, {COMPANY: [Decimal(1)] * 11})
    with pytest.raises(ValidationError):
        set_targets(db, gm, 2026, TargetKind.CONTRACT_AMOUNT, {(Subject.USER, 999999): [Decimal(1)] * 12})


def test_targets_come_in_from_a_spreadsheet_as_people_keep_them(db: Database, company: Company, tmp_path) -> None:
    from crm_desktop.services.dashboard.targets_import import import_targets
    from tests.import_helpers import xlsx

    gm = company.actor(db, "gm")
    months = [f"{m}月" for m in range(1, 13)]
    path = xlsx(tmp_path / "目标.xlsx", [
        ["2026 年业绩目标（合同金额）"],
        ["部门/员工", *months, "全年"],
        ["全公司", *["100万"] * 12, "1200万"],
        ["销售一部", *[500000] * 6, *[None] * 6, None],
        ["销售赵", "¥12,000", *[None] * 11, None],
        ["合计", *[None] * 13],
    ], text_cells=False)
    result = import_targets(db, gm, path, year=2026, kind=TargetKind.CONTRACT_AMOUNT)
    assert result.errors == ()
    grid = target_grid(db, gm, 2026, TargetKind.CONTRACT_AMOUNT)
    assert grid.row(COMPANY).months == (Decimal("1000000.00"),) * 12
    assert grid.row((Subject.DEPARTMENT, company.depts["d1"])).months[:7] == (Decimal("500000.00"),) * 6 + (None,)
    assert grid.row((Subject.USER, company.ids["r2"])).months[0] == Decimal("12000.00")

    bad = xlsx(tmp_path / "坏.xlsx", [["姓名", *months], ["销售赵", "很多", *[1] * 11], ["无名氏", *[1] * 12]])
    before = target_grid(db, gm, 2026, TargetKind.CONTRACT_AMOUNT)
    result = import_targets(db, gm, bad, year=2026, kind=TargetKind.CONTRACT_AMOUNT)
    assert [(e.row, e.column) for e in result.errors] == [(2, "1月"), (3, "姓名")]
    assert target_grid(db, gm, 2026, TargetKind.CONTRACT_AMOUNT) == before  # nothing half written
