"""Property: for random organisations, roles, teams and records, each dashboard figure (tile,
funnel stage, ranking entry, trend point, forgotten bucket) equals what its drill-down list
shows the same actor — count and sum — and the contract tile equals a plain reference model of
the scopes; on SQLite and on PostgreSQL."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from sqlalchemy import update

from crm_desktop.db import Database
from crm_desktop.models import Contract, Customer, Opportunity, Payment
from crm_desktop.services.dashboard.dashboard import load_dashboard
from crm_desktop.services.dashboard.period import Preset
from crm_desktop.services.dashboard.selection import Owners, Selection
from crm_desktop.services.org.actor import load_actor
from tests.dashboard_company import local
from tests.test_dashboard import check_drilldowns
from tests.test_scope_property import World, build, reference_visible, worlds

TODAY = dt.date(2026, 3, 15)


def order_day(i: int) -> dt.date:
    """Record i's order, payment and creation day: alternately February and March (31 March too)."""
    return dt.date(2026, 3, 31) if i % 5 == 4 else dt.date(2026, 2 + i % 2, 1 + (i * 3) % 28)


def amount(i: int) -> Decimal:
    return Decimal(100 + 37 * i).quantize(Decimal("0.01"))


def dated(db: Database, w: World, record_ids: list[int]) -> None:
    with db.sessions.begin() as s:
        for i, rid in enumerate(record_ids):
            day = order_day(i)
            s.execute(update(Contract).where(Contract.id == rid).values(order_date=day, amount=amount(i)))
            s.execute(update(Payment).where(Payment.id == rid).values(paid_date=day, amount=amount(i) / 2))
            created = local(day.year, day.month, day.day, 23, 30)
            s.execute(update(Customer).where(Customer.id == rid).values(created_at=created))
            s.execute(update(Opportunity).where(Opportunity.id == rid).values(
                created_at=created, amount=amount(i), status=("open", "won", "lost")[i % 3]))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(w=worlds())
def test_every_figure_is_what_its_list_shows(db: Database, w: World) -> None:
    user_ids, record_ids = build(db, w)
    dated(db, w, record_ids)
    for u, uid in enumerate(user_ids):
        with db.sessions() as s:
            actor = load_actor(s, uid)
        visible = reference_visible(w, u)
        # Everything in scope (the drill-downs checked) and the chain below (the same rule).
        board = load_dashboard(db, actor, Selection(preset=Preset.THIS_MONTH, today=TODAY))
        check_drilldowns(db, actor, board)
        chain = load_dashboard(db, actor, Selection(owners=Owners.SUBORDINATES, preset=Preset.THIS_MONTH, today=TODAY))
        check_drilldowns(db, actor, chain)
        march = [i for i in visible if order_day(i).month == 3]
        contracts = board.tile("new_contracts")
        assert contracts is not None
        assert contracts.current.count == len(march), f"user {u}"
        assert contracts.current.amount == sum((amount(i) for i in march), Decimal("0.00")), f"user {u}"
        assert board.tile("new_customers").current.count == len(march)
