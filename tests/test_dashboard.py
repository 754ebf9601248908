"""The dashboard's numbers on a small hand-checked company, on both backends; every figure
equals what its drill-down list shows the same actor (count and sum)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from crm_desktop.db import Database
from crm_desktop.services.dashboard.counting import Figure
from crm_desktop.services.dashboard.dashboard import Dashboard, load_dashboard
from crm_desktop.services.dashboard.period import Period, Preset, period_for
from crm_desktop.services.dashboard.selection import Owners, Selection, owner_choices
from crm_desktop.services.dashboard.targets import Subject, TargetKind, set_targets
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.records.filters import Filter
from crm_desktop.services.records.registry import record_service
from tests.dashboard_company import TODAY, Company, build_company

MARCH = Selection(preset=Preset.THIS_MONTH, today=TODAY)


def listed(db: Database, actor: Actor, entity: str, flt: Filter, amount: str | None = "amount") -> tuple[int, Decimal]:
    """What the drill-down list shows: its count, and the sum of the amounts on its pages."""
    service = record_service(entity)
    rows, after = [], None
    while True:
        page = service.list_page(db, actor, filter=flt, limit=200, after=after)
        rows.extend(page.rows)
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert service.count(db, actor, filter=flt) == len(rows)
    total = sum((Decimal(str(r.values.get(amount) or 0)) for r in rows), Decimal("0.00")) if amount else Decimal(0)
    return len(rows), total


def shows(db: Database, actor: Actor, entity: str, flt: Filter, figure: Any) -> bool:
    """``figure`` is what the list shows: its count, and its sum unless the amount is hidden
    from the actor (then the figure has no amount)."""
    count, total = listed(db, actor, entity, flt)
    return count == figure.count and (figure.amount is None or total == figure.amount)


def check_drilldowns(db: Database, actor: Actor, board: Dashboard) -> None:
    """Every tile, funnel stage, ranking entry and forgotten bucket counts what its list shows."""
    for tile in board.tiles:
        spec_amount = "amount" if tile.current.amount is not None else None
        for figure, flt in ((tile.current, tile.filter), (tile.previous, tile.previous_filter)):
            count, total = listed(db, actor, tile.entity, flt, spec_amount)
            assert count == figure.count, tile.key
            if figure.amount is not None:
                assert total == figure.amount, tile.key
    if board.funnel is not None:
        for group in board.funnel.groups:
            for stage in group.stages:
                assert shows(db, actor, "opportunity", stage.filter, stage.open)
        assert shows(db, actor, "opportunity", board.funnel.won_filter, board.funnel.won)
        assert shows(db, actor, "opportunity", board.funnel.lost_filter, board.funnel.lost)
    if board.pipeline is not None:
        assert shows(db, actor, "opportunity", board.pipeline.filter, Figure(board.pipeline.count, board.pipeline.amount))
    for ranking in board.rankings:
        for entry in ranking.entries:
            count, total = listed(db, actor, ranking.entity, entry.filter, "amount" if ranking.by_amount else None)
            assert count == entry.figure.count
            if ranking.by_amount:
                assert total == entry.figure.amount
    for bucket in board.forgotten:
        assert listed(db, actor, "customer", bucket.filter, None)[0] == bucket.figure.count
    for series in board.trend:
        for point in series.points:
            assert shows(db, actor, series.entity, point.filter, point.current)


def figures(board: Dashboard) -> dict[str, tuple[int, Any, int, Any]]:
    return {t.key: (t.current.count, t.current.amount, t.previous.count, t.previous.amount) for t in board.tiles}


@pytest.fixture
def company(db: Database, admin: Actor) -> Company:
    return build_company(db)


def test_general_manager_sees_the_whole_company(db: Database, company: Company) -> None:
    """March: customers r1 (00:30 on 1 March), r2, r3 = 3 (February: r1's 23:30 one = 1; the
    pooled and the recycled one nowhere); contracts 1000 + 2000 + 3000 (the draft is not a
    sale), February 400; payments 300, February 100; follow-ups r1's two (r2's at 00:30 on 1
    April is April's)."""
    gm = company.actor(db, "gm")
    board = load_dashboard(db, gm, MARCH)
    assert board.period == Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert board.previous == Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    got = figures(board)
    assert got["new_customers"] == (3, None, 1, None)
    assert got["new_contacts"] == (1, None, 0, None)
    assert got["new_contracts"] == (3, Decimal("6000.00"), 1, Decimal("400.00"))
    assert got["payments"] == (1, Decimal("300.00"), 1, Decimal("100.00"))
    assert got["followups"][:1] == (2,)
    assert got["new_opportunities"][:2] == (5, Decimal("1050.00"))
    assert board.tile("new_contracts").amount_change == pytest.approx(14.0)
    ranking = {r.key: [(e.name, e.value) for e in r.entries] for r in board.rankings}
    assert ranking["contract_amount"] == [("销售钱", Decimal("3000.00")), ("销售赵", Decimal("2000.00")),
                                          ("销售张", Decimal("1000.00"))]
    assert ranking["followups"] == [("销售张", Decimal(2))]
    check_drilldowns(db, gm, board)


def test_manager_sees_his_chain_funnel_pipeline_and_targets(db: Database, company: Company) -> None:
    """m1 (self and subordinates: m1, r1, r2). Contracts 1000 + 2000; funnel: one open at each
    stage (100, 200, 300), won 400, r3's lost one unseen; reached 4, 3, 2 → conversion 3/4 and
    2/3. Pipeline closing in March: 200 × 50 % + 300 × 80 % = 340. Targets: r1 and r2 3100 each
    in March → 6200; by the 15th of 31 days 3000 is expected."""
    gm, m1 = company.actor(db, "gm"), company.actor(db, "m1")
    months = [None, None, Decimal(3100), *([None] * 9)]
    set_targets(db, gm, 2026, TargetKind.CONTRACT_AMOUNT,
                {(Subject.USER, company.ids["r1"]): months, (Subject.USER, company.ids["r2"]): months})
    board = load_dashboard(db, m1, Selection(owners=Owners.SUBORDINATES, preset=Preset.THIS_MONTH, today=TODAY))
    assert figures(board)["new_contracts"] == (2, Decimal("3000.00"), 1, Decimal("400.00"))
    assert figures(board)["new_customers"][:1] == (2,)
    group = next(g for g in board.funnel.groups if g.group_id == company.group_id)
    assert [(s.open.count, s.open.amount) for s in group.stages] == [
        (1, Decimal("100.00")), (1, Decimal("200.00")), (1, Decimal("300.00"))]
    assert [s.conversion for s in group.stages] == [None, pytest.approx(0.75), pytest.approx(2 / 3)]
    assert (board.funnel.won.count, board.funnel.lost.count) == (1, 0)
    assert board.pipeline.weighted == Decimal("340.00") and board.pipeline.count == 2
    contracts = next(c for c in board.completions if c.key == "contracts")
    assert contracts.target == Decimal("6200.00")
    assert contracts.achieved == Decimal("3000.00")
    assert contracts.gap == Decimal("3200.00")
    assert contracts.expected_by_today == Decimal("3000.00")
    assert contracts.ratio == pytest.approx(3000 / 6200)
    march = next(s for s in board.trend if s.key == "contracts")
    assert sum(p.target for p in march.points) == pytest.approx(Decimal(6200), abs=Decimal("0.1"))
    check_drilldowns(db, m1, board)
    # Narrowed to one colleague, then to the other department (outside his scope: nothing).
    only_r2 = load_dashboard(db, m1, Selection(owners=Owners.USER, user_id=company.ids["r2"], today=TODAY))
    assert figures(only_r2)["new_contracts"][:2] == (1, Decimal("2000.00"))
    other = load_dashboard(db, m1, Selection(owners=Owners.DEPARTMENT, department_id=company.depts["d2"],
                                             today=TODAY))
    assert figures(other)["new_contracts"][:2] == (0, Decimal("0.00"))
    choices = owner_choices(db, m1)
    assert {u[0] for u in choices.users} == {company.ids[n] for n in ("m1", "r1", "r2")}
    assert choices.has_subordinates


def test_rep_sees_only_his_own(db: Database, company: Company) -> None:
    r1 = company.actor(db, "r1")
    board = load_dashboard(db, r1, MARCH)
    assert figures(board)["new_contracts"][:2] == (1, Decimal("1000.00"))
    assert figures(board)["new_customers"][:1] == (1,)
    assert [e.name for r in board.rankings for e in r.entries if r.key == "contract_amount"] == ["销售张"]
    check_drilldowns(db, r1, board)
    # Reps may not view targets, but their own: with "me" chosen, March's 3100 is compared.
    gm = company.actor(db, "gm")
    months = [None, None, Decimal(3100), *([None] * 9)]
    set_targets(db, gm, 2026, TargetKind.CONTRACT_AMOUNT, {(Subject.USER, company.ids["r1"]): months,
                                                           (Subject.USER, company.ids["r2"]): months})
    own = load_dashboard(db, r1, Selection(owners=Owners.ME, today=TODAY))
    assert next(c for c in own.completions if c.key == "contracts").target == Decimal("3100.00")
    # "All I can see" is the same records for a "self" rep: the same target, nothing hidden.
    everything = load_dashboard(db, r1, Selection(owners=Owners.ALL, today=TODAY))
    mine = next(c for c in everything.completions if c.key == "contracts")
    assert (mine.target, mine.hidden) == (Decimal("3100.00"), False)
    # His department holds a colleague's target he may not view: none shown, and said so.
    dept = load_dashboard(db, r1, Selection(owners=Owners.DEPARTMENT, department_id=company.depts["d1"], today=TODAY))
    theirs = next(c for c in dept.completions if c.key == "contracts")
    assert (theirs.target, theirs.hidden) == (None, True)
    # Someone who may view targets but has none set for the selection: not set, not hidden.
    gm_board = load_dashboard(db, gm, Selection(owners=Owners.DEPARTMENT, department_id=company.depts["d2"],
                                                today=TODAY))
    assert [(c.target, c.hidden) for c in gm_board.completions] == [(None, False), (None, False)]


def test_department_tree_and_time_ranges(db: Database, company: Company) -> None:
    """The whole tree from the top is everyone; last month is February (400, 1 customer); this
    year against last year; a custom range of 10 days compares with the 10 days before."""
    gm = company.actor(db, "gm")
    tree = load_dashboard(db, gm, Selection(owners=Owners.DEPARTMENT_TREE, department_id=company.depts["top"],
                                            today=TODAY))
    assert figures(tree)["new_contracts"][:2] == (3, Decimal("6000.00"))
    only_top = load_dashboard(db, gm, Selection(owners=Owners.DEPARTMENT, department_id=company.depts["top"],
                                                today=TODAY))
    assert figures(only_top)["new_contracts"][:2] == (0, Decimal("0.00"))
    feb = load_dashboard(db, gm, Selection(preset=Preset.LAST_MONTH, today=TODAY))
    assert figures(feb)["new_contracts"][:2] == (1, Decimal("400.00"))
    assert figures(feb)["new_customers"][:1] == (1,)
    year = load_dashboard(db, gm, Selection(preset=Preset.THIS_YEAR, today=TODAY))
    assert year.previous == Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    assert figures(year)["new_contracts"][:2] == (4, Decimal("6400.00"))
    trend = next(s for s in year.trend if s.key == "contracts")
    assert [p.current.amount for p in trend.points][:3] == [Decimal(0), Decimal("400.00"), Decimal("6000.00")]
    custom = load_dashboard(db, gm, Selection(preset=Preset.CUSTOM, start=dt.date(2026, 3, 1),
                                              end=dt.date(2026, 3, 10), today=TODAY))
    assert custom.previous == Period(dt.date(2026, 2, 19), dt.date(2026, 2, 28))
    assert figures(custom)["new_customers"][:1] == (3,)
    assert figures(custom)["new_customers"][2] == 1
    forgotten = {b.days: b.figure.count for b in custom.forgotten}
    # Last follow-ups: 厦门一号 10 March (5 days), 福州三号 1 February (42 days); 泉州四号 and
    # 厦门二号 never.
    assert forgotten == {7: 1, 15: 1, 30: 1, 90: 0, 0: 2}
    check_drilldowns(db, gm, custom)


def test_hidden_amount_is_not_summed(db: Database, company: Company) -> None:
    from sqlalchemy import select

    from crm_desktop.models import FieldPermission, Role
    with db.sessions.begin() as s:
        role_id = s.scalar(select(Role.id).where(Role.name == "销售"))
        s.add(FieldPermission(role_id=role_id, entity="contract", field="amount", access="hidden"))
    r1 = company.actor(db, "r1")
    board = load_dashboard(db, r1, MARCH)
    tile = board.tile("new_contracts")
    assert tile.current.count == 1 and tile.current.amount is None
    assert all(r.key != "contract_amount" for r in board.rankings)
    assert next(c for c in board.completions if c.key == "contracts").achieved is None


def test_periods_across_month_and_year_boundaries() -> None:
    jan = period_for(Preset.THIS_MONTH, dt.date(2027, 1, 20))
    assert jan.previous() == Period(dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    assert period_for(Preset.LAST_MONTH, dt.date(2027, 1, 20)) == Period(dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    mar = period_for(Preset.THIS_MONTH, dt.date(2024, 3, 9))
    assert mar.previous() == Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    q1 = period_for(Preset.THIS_QUARTER, dt.date(2026, 2, 2))
    assert q1 == Period(dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert q1.previous() == Period(dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    assert period_for(Preset.LAST_QUARTER, dt.date(2026, 2, 2)) == q1.previous()
    week = period_for(Preset.THIS_WEEK, dt.date(2026, 1, 1))  # a Thursday
    assert week == Period(dt.date(2025, 12, 29), dt.date(2026, 1, 4))
    assert week.previous() == period_for(Preset.LAST_WEEK, dt.date(2026, 1, 1))
    assert period_for(Preset.YESTERDAY, dt.date(2026, 1, 1)) == Period(dt.date(2025, 12, 31), dt.date(2025, 12, 31))
    start, end = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)).utc_bounds()
    assert start == dt.datetime(2026, 2, 28, 16, tzinfo=dt.UTC)
    assert end == dt.datetime(2026, 3, 31, 16, tzinfo=dt.UTC)
