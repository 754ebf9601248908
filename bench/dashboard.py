"""Dashboard benchmark: each panel through the services against the same numbers in raw SQL.

    python bench/dashboard.py [--database URL] [--runs 5] [--customers 20000]

For the super administrator and for a "self and subordinates" manager, with this year as the
period (the trend then has twelve months), prints ``dashboard_<panel>_<scope> ours_ms=…
ref_ms=… ratio=…`` (medians, the two sides run alternately) for brief, completion, funnel,
trend, rankings and forgotten, plus ``dashboard_all_<scope>`` for everything the screen shows
(one ``load_dashboard`` against all the reference statements). "ours" is the service call (a
read session, the actor from the security cache, the scope filter, field permissions, DTOs);
"ref" the figures hand-written in SQL — conditional aggregation, one statement per table
where a person would write one — through the bare DB-API driver. The first run of each pair
checks that both sides agree on the headline numbers. Then a contract is written and must be
in the next read (and gone once deleted), and ``dashboard_write_1000_contracts`` prices the
rollup's triggers: one executemany INSERT of 1000 contracts (rolled back) with them, against
the same with them dropped inside the transaction.

Without --database a SQLite demo company is built in a temporary folder (``--customers``
customers); for the big run build one with bench/build_db.py (1,000,000 customers and
contracts) and pass its URL.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, insert, text

from bench.lists import paired_ms
from crm_desktop.bootstrap import bootstrap
from crm_desktop.db import Database, sqlite_transaction_engine
from crm_desktop.demo import company as demo
from crm_desktop.models import Contract
from crm_desktop.services.dashboard.dashboard import load_dashboard, load_panel
from crm_desktop.services.dashboard.period import Period, Preset, local_midnight_utc
from crm_desktop.services.dashboard.selection import Selection
from crm_desktop.services.org import auth
from crm_desktop.services.org.actor import Actor, load_actor
from crm_desktop.services.org.permissions import DataScope

#: The one data-scope filter, by hand: the records of the chain below :me, or shared with them.
CHAIN = ("WITH RECURSIVE chain(id) AS (SELECT CAST(:me AS INTEGER) UNION SELECT u.id FROM users u JOIN chain c "
         "ON u.superior_id = c.id) ")


def visible(alias: str, entity: str, manager: bool) -> str:
    live = f"{alias}.deleted_at IS NULL"
    if not manager:
        return live
    return (f"{live} AND ({alias}.owner_id IN (SELECT id FROM chain) OR {alias}.id IN "
            f"(SELECT record_id FROM team_members WHERE entity = '{entity}' AND user_id = :me))")


def statements(manager: bool) -> dict[str, list[str]]:
    """panel → the SQL a person would write for it (parameters: periods, :me, :cut*)."""
    head = CHAIN if manager else ""

    def v(alias: str, entity: str) -> str:
        return visible(alias, entity, manager)

    def two(col: str, extra: str = "", amount: str | None = None) -> str:
        """Count (and sum) in this period and the one before, one pass."""
        cur, prev = f"{col} >= :cs AND {col} < :ce", f"{col} >= :ps AND {col} < :pe"
        parts = [f"SUM(CASE WHEN {cur} THEN 1 ELSE 0 END)", f"SUM(CASE WHEN {prev} THEN 1 ELSE 0 END)"]
        if amount:
            parts += [f"SUM(CASE WHEN {cur} THEN {amount} END)", f"SUM(CASE WHEN {prev} THEN {amount} END)"]
        return ", ".join(parts) + f" FROM {{t}} WHERE {extra}(({col} >= :ps AND {col} < :ce))"

    def days(col: str, extra: str = "", amount: str | None = None) -> str:
        cur, prev = f"{col} BETWEEN :cds AND :cde", f"{col} BETWEEN :pds AND :pde"
        parts = [f"SUM(CASE WHEN {cur} THEN 1 ELSE 0 END)", f"SUM(CASE WHEN {prev} THEN 1 ELSE 0 END)"]
        if amount:
            parts += [f"SUM(CASE WHEN {cur} THEN {amount} END)", f"SUM(CASE WHEN {prev} THEN {amount} END)"]
        return ", ".join(parts) + f" FROM {{t}} WHERE {extra}({col} BETWEEN :pds AND :cde)"

    brief = [
        head + "SELECT " + two("c.created_at").format(t="customers c") + f" AND {v('c', 'customer')} "
        "AND c.pool_id IS NULL",
        head + "SELECT " + two("k.created_at").format(t="contacts k") + f" AND {v('k', 'contact')}",
        head + "SELECT " + two("o.created_at", amount="o.amount").format(t="opportunities o")
        + f" AND {v('o', 'opportunity')}",
        head + "SELECT " + days("h.order_date", "h.approval_status = 'approved' AND ", "h.amount").format(
            t="contracts h") + f" AND {v('h', 'contract')}",
        head + "SELECT " + days("p.paid_date", "p.approval_status = 'approved' AND ", "p.amount").format(
            t="payments p") + f" AND {v('p', 'payment')}",
        head + "SELECT " + two("f.followed_at").format(t="followups f") + f" AND {v('f', 'followup')}",
    ]
    completion = [
        head + "SELECT count(*), sum(h.amount) FROM contracts h WHERE h.approval_status = 'approved' "
        f"AND h.order_date BETWEEN :cds AND :cde AND {v('h', 'contract')}",
        head + "SELECT count(*), sum(p.amount) FROM payments p WHERE p.approval_status = 'approved' "
        f"AND p.paid_date BETWEEN :cds AND :cde AND {v('p', 'payment')}",
        ("SELECT month, sum(amount) FROM sales_targets WHERE year = :year AND kind IN "
        "('contract_amount', 'payments') GROUP BY month"),
        head + "SELECT count(*), sum(o.amount), sum(o.amount * s.win_rate) / 100 FROM opportunities o "
        "LEFT JOIN stages s ON s.id = o.stage_id WHERE o.status = 'open' "
        f"AND o.expected_close_date BETWEEN :cds AND :cde AND {v('o', 'opportunity')}",
    ]
    funnel = [
        head + "SELECT o.status, o.stage_id, count(*), sum(o.amount) FROM opportunities o "
        f"WHERE o.created_at >= :cs AND o.created_at < :ce AND {v('o', 'opportunity')} "
        "AND o.status IN ('open', 'won', 'lost') GROUP BY o.status, o.stage_id",
        ("SELECT g.id, s.id, s.win_rate FROM stage_groups g JOIN stages s ON s.group_id = g.id "
        "ORDER BY g.sort_order, s.sort_order"),
    ]
    trend = [
        head + "SELECT h.order_date, count(*), sum(h.amount) FROM contracts h WHERE h.approval_status = 'approved' "
        f"AND (h.order_date BETWEEN :cds AND :cde OR h.order_date BETWEEN :yds AND :yde) AND {v('h', 'contract')} "
        "GROUP BY h.order_date",
        head + "SELECT p.paid_date, count(*), sum(p.amount) FROM payments p WHERE p.approval_status = 'approved' "
        f"AND (p.paid_date BETWEEN :cds AND :cde OR p.paid_date BETWEEN :yds AND :yde) AND {v('p', 'payment')} "
        "GROUP BY p.paid_date",
    ]
    rankings = [
        head + "SELECT h.owner_id, count(*), sum(h.amount) FROM contracts h WHERE h.approval_status = 'approved' "
        f"AND h.order_date BETWEEN :cds AND :cde AND {v('h', 'contract')} GROUP BY h.owner_id",
        head + "SELECT p.owner_id, count(*), sum(p.amount) FROM payments p WHERE p.approval_status = 'approved' "
        f"AND p.paid_date BETWEEN :cds AND :cde AND {v('p', 'payment')} GROUP BY p.owner_id",
        head + "SELECT c.owner_id, count(*) FROM customers c WHERE c.created_at >= :cs AND c.created_at < :ce "
        f"AND c.pool_id IS NULL AND {v('c', 'customer')} GROUP BY c.owner_id",
        head + "SELECT f.owner_id, count(*) FROM followups f WHERE f.followed_at >= :cs AND f.followed_at < :ce "
        f"AND {v('f', 'followup')} GROUP BY f.owner_id",
        "SELECT id, name FROM users",
    ]
    forgotten = [
        head + "SELECT SUM(CASE WHEN c.last_followup_at < :cut7 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.last_followup_at < :cut15 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.last_followup_at < :cut30 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.last_followup_at < :cut90 THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN c.last_followup_at IS NULL THEN 1 ELSE 0 END) "
        f"FROM customers c WHERE c.pool_id IS NULL AND {v('c', 'customer')}",
    ]
    return {"brief": brief, "completion": completion, "funnel": funnel, "trend": trend, "rankings": rankings,
            "forgotten": forgotten}


def parameters(db: Database, period: Period, today: dt.date, me: int | None) -> dict[str, Any]:
    """The statements' parameters as each backend stores the values."""
    previous, last_year = period.previous(), period.year_before()
    start, end = period.utc_bounds()
    pstart, pend = previous.utc_bounds()
    midnight = local_midnight_utc(today)
    sqlite = db.backend == "sqlite"

    def moment(value: dt.datetime) -> Any:
        return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else value

    def day(value: dt.date) -> Any:
        return value.isoformat() if sqlite else value

    params: dict[str, Any] = {
        "cs": moment(start), "ce": moment(end), "ps": moment(pstart), "pe": moment(pend),
        "cds": day(period.start), "cde": day(period.end), "pds": day(previous.start), "pde": day(previous.end),
        "yds": day(last_year.start), "yde": day(last_year.end), "year": period.start.year,
    }
    for n in (7, 15, 30, 90):
        params[f"cut{n}"] = moment(midnight - dt.timedelta(days=n))
    if me is not None:
        params["me"] = me
    return params


_connections: dict[int, Any] = {}


def reference(db: Database, sqls: list[str], params: dict[str, Any]) -> Callable[[], list[Any]]:
    """The statements run one after another on one bare DB-API connection (kept per database)."""
    dbapi = _connections.get(id(db))
    if dbapi is None:
        dbapi = _connections[id(db)] = db.engine.raw_connection()
    prepared = []
    for sql in sqls:
        used = {k: v for k, v in params.items() if f":{k}" in sql}
        query = sql
        if db.backend != "sqlite":
            for key in sorted(used, key=len, reverse=True):
                query = query.replace(f":{key}", f"%({key})s")
        prepared.append((query, used))

    def run() -> list[Any]:
        out = []
        for query, used in prepared:
            cur = dbapi.cursor()
            cur.execute(query, used)
            out.append(cur.fetchall())
            cur.close()
        return out

    return run


def find_manager(db: Database) -> Actor:
    """A user whose contract scope is "self and subordinates" and who has the most below them."""
    with db.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT u.superior_id, count(*) FROM users u WHERE u.superior_id IS NOT NULL "
            "GROUP BY u.superior_id ORDER BY count(*) DESC")).all()
    for user_id, _count in rows:
        with db.sessions() as s:
            actor = load_actor(s, user_id)
        if actor.scopes_for("contract") == {DataScope.SUBORDINATES}:
            return actor
    raise SystemExit("no 'self and subordinates' manager with subordinates in this database")


def check(db: Database, actor: Actor, selection: Selection, params: dict[str, Any], manager: bool) -> None:
    """Both sides count the same contracts and the same amount this year."""
    board = load_dashboard(db, actor, selection)
    tile = board.tile("new_contracts")
    assert tile is not None
    row = reference(db, statements(manager)["completion"][:1], params)()[0][0]
    assert tile.current.count == row[0], (tile.current.count, row)
    assert abs((tile.current.amount or Decimal(0)) - Decimal(str(row[1] or 0))) < Decimal("0.05"), (tile, row)
    print(f"# {'manager' if manager else 'admin'}: {row[0]} contracts this year, both sides agree", file=sys.stderr)


def new_contract_counted(db: Database, actor: Actor, selection: Selection) -> None:
    """A contract written now is in the very next dashboard read (the rollup is kept in the
    write's transaction), and gone from it once deleted."""
    def contracts() -> tuple[int, Decimal]:
        tile = load_dashboard(db, actor, selection).tile("new_contracts")
        assert tile is not None and tile.current.amount is not None
        return tile.current.count, tile.current.amount

    count, amount = contracts()
    with db.engine.begin() as conn:
        customer = conn.execute(text("SELECT min(id) FROM customers")).scalar()
        conn.execute(insert(Contract.__table__).values(
            number=f"BENCH-NEW-{actor.user_id}", name="bench", customer_id=customer, owner_id=actor.user_id,
            creator_id=actor.user_id, amount=Decimal("1234.56"), order_date=selection.day(),
            approval_status="approved", custom={}))
    t0 = time.perf_counter()
    after = contracts()
    refresh_ms = (time.perf_counter() - t0) * 1000
    assert after == (count + 1, amount + Decimal("1234.56")), (count, amount, after)
    with db.engine.begin() as conn:
        conn.execute(delete(Contract.__table__).where(Contract.__table__.c.number == f"BENCH-NEW-{actor.user_id}"))
    assert contracts() == (count, amount)
    print(f"# a new contract is counted on the next refresh ({refresh_ms:.0f} ms) and uncounted once deleted",
          file=sys.stderr)


def write_cost(db: Database, runs: int, rows: int = 1000) -> tuple[float, float]:
    """An executemany INSERT of ``rows`` contracts (the bulk import's way), rolled back: with the
    rollup triggers (ours) against the same with them dropped inside the transaction (ref)."""
    sqlite = db.backend == "sqlite"
    for dbapi in _connections.values():  # the reference side's open read transaction would block the DDL
        dbapi.rollback()
    # SQLite: the driver's own transaction handling would run the DDL outside the transaction.
    engine = sqlite_transaction_engine(db.url) if sqlite else db.engine
    with db.engine.connect() as conn:
        customer, owner = conn.execute(text("SELECT min(id), min(owner_id) FROM customers")).one()
    today = dt.date.today()
    params = [{"number": f"BENCH-W-{i}", "name": "bench", "customer_id": customer, "owner_id": owner,
               "creator_id": owner, "amount": Decimal(100 + i), "order_date": today - dt.timedelta(days=i % 400),
               "approval_status": "approved", "custom": {}} for i in range(rows)]
    drops = ([f"DROP TRIGGER dashboard_rollup_contracts_{e}" for e in ("insert", "update", "delete")] if sqlite
             else [f"DROP TRIGGER dashboard_rollup_contracts_{e} ON contracts" for e in ("write", "update")])

    def write(drop: bool) -> None:
        with engine.connect() as conn:
            trans = conn.begin()
            for ddl in drops if drop else ():
                conn.execute(text(ddl))
            conn.execute(insert(Contract.__table__), params)
            trans.rollback()

    try:
        return paired_ms(lambda: write(False), lambda: write(True), runs)
    finally:
        if engine is not db.engine:
            engine.dispose()


def report(measure: str, ours: float, ref: float) -> None:
    print(f"{measure} ours_ms={ours:.1f} ref_ms={ref:.1f} ratio={ours / ref:.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--customers", type=int, default=20_000)
    args = parser.parse_args()
    tmp = None
    if args.database is None:
        tmp = tempfile.TemporaryDirectory(prefix="crm-dash-bench-")
        url = f"sqlite:///{tmp.name}/bench.sqlite3"
        db = bootstrap(url, create=True)
        demo.create_demo_company(db, users=60, customers=args.customers)
    else:
        db = bootstrap(args.database)
    admin = auth.login(db, demo.ADMIN_MOBILE, demo.ADMIN_PASSWORD)
    manager = find_manager(db)
    with db.engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM contracts")).scalar()
    print(f"# {db.backend}, {total} contracts; manager user {manager.user_id}", file=sys.stderr)
    selection = Selection(preset=Preset.THIS_YEAR)
    period = selection.period()
    for scope, actor, is_manager in (("admin", admin, False), ("subordinates", manager, True)):
        params = parameters(db, period, selection.day(), manager.user_id if is_manager else None)
        check(db, actor, selection, params, is_manager)
        sqls = statements(is_manager)
        for panel, panel_sqls in sqls.items():
            ours = lambda panel=panel, actor=actor: load_panel(db, actor, selection, panel)
            report(f"dashboard_{panel}_{scope}", *paired_ms(ours, reference(db, panel_sqls, params), args.runs))
        every = [sql for panel_sqls in sqls.values() for sql in panel_sqls]
        ours_all = lambda actor=actor: load_dashboard(db, actor, selection)
        report(f"dashboard_all_{scope}", *paired_ms(ours_all, reference(db, every, params), args.runs))
        new_contract_counted(db, actor, selection)
    report("dashboard_write_1000_contracts", *write_cost(db, args.runs))
    db.dispose()
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
