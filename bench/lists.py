"""List-read benchmark: the service path against the same query hand-written in raw SQL.

    python bench/lists.py --customers 100000 [--database URL] [--runs 9] [--keep DIR] [--deep 50]

Prints one line per measure, ``<measure> ours_ms=<x> ref_ms=<y> ratio=<x/y>`` (medians), as
DESIGN.md asks. "ours" is the full service call a list view makes (a session, the security
token read — the actor and field schema are rebuilt only when it changed, see
services/security_cache.py — permission check, the one data-scope filter, rows → DTOs with
Decimal money and aware datetimes); "ref" is one raw SQL statement returning the
same rows and the same columns (every column the DTO carries) through the bare DB-API driver.
Without --database a SQLite file is built in a temporary folder (or reused with --keep DIR).

Measures:

- ``first_page_subordinates``: the first page of the customer list, newest first, for a
  manager whose scope is "self and subordinates".
- ``deep_page_custom_sort``: page ``--deep`` of the same manager's list sorted by a custom
  money field (budget, descending), fetched with the keyset cursor of the page before — what
  the list view does while scrolling. The bench adds the field once and fills it for two
  customers in three by SQL, and marks it indexed as an administrator would (``--unindexed``
  unmarks it: the page without the expression index); the reference extracts it from the JSON
  column by hand with the indexed expression (services/records/field_index.py).
- ``search_substring``: the first page of the list filtered by a substring of name, phone or
  mobile, for the super administrator (everyone's customers).
- ``contract_first_page``: the first page of the contract list, newest first, for the same
  "self and subordinates" manager (``contracts.list_page``; the reference also computes the
  outstanding amount the DTO carries).
- ``contract_filtered_search``: the same manager's contract list searched by a text (matched
  against number, name and the customer's name, as the list's search box does) and narrowed by
  the GUI's Filter JSON: execution status one of 已发货 / 已验收 and amount between 20,000 and
  500,000. Build a database with contracts with ``bench/build_db.py --contracts``.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from crm_desktop.bootstrap import bootstrap  # noqa: E402
from crm_desktop.db import Database  # noqa: E402
from crm_desktop.demo import company as demo
from crm_desktop.services.customers.customers import FIELDS, customers  # noqa: E402
from crm_desktop.services.org import (
    auth,
    users,  # noqa: E402
)
from crm_desktop.services.org.actor import Actor, load_actor  # noqa: E402
from crm_desktop.services.org.permissions import DataScope  # noqa: E402
from crm_desktop.services.records import schema, schema_admin
from crm_desktop.services.records.filters import Filter  # noqa: E402
from crm_desktop.services.sales import contracts as contract_service  # noqa: E402

PAGE = 100
BUDGET_LABEL = "预算"

#: Every column a customer RecordDTO carries: the reference returns no less than ours.
COLUMNS = ", ".join(["c.id", *(f"c.{f}" for f in FIELDS), "c.owner_id", "owner.name", "c.creator_id",
                     "c.created_at", "c.updated_at", "c.version", "c.deleted_at", "c.custom"])

CHAIN = """
WITH RECURSIVE chain(id) AS (
    SELECT id FROM users WHERE id = :me
    UNION SELECT u.id FROM users u JOIN chain ON u.superior_id = chain.id
)"""

SUBORDINATES_SQL = f"""{CHAIN}
SELECT {COLUMNS}
FROM customers c JOIN users owner ON owner.id = c.owner_id
WHERE c.deleted_at IS NULL AND c.owner_id IN (SELECT id FROM chain)
ORDER BY c.updated_at DESC, c.id DESC LIMIT :n
"""

#: Case-insensitive substring as each backend's SQL says it (SQLite has no ILIKE).
SEARCH_SQL = {
    backend: f"""
SELECT {COLUMNS}
FROM customers c JOIN users owner ON owner.id = c.owner_id
WHERE c.deleted_at IS NULL AND ({' OR '.join(like.format(col=col) for col in ('c.name', 'c.phone', 'c.mobile'))})
ORDER BY c.updated_at DESC, c.id DESC LIMIT :n
""" for backend, like in (("sqlite", "lower({col}) LIKE lower(:p)"), ("postgresql", "{col} ILIKE :p"))
}

#: The budget as a number, rows without one below every real value (the keyset needs a total
#: order): the expression of the field's index, which the database matches only when spelled alike.
BUDGET_SQL = {
    "sqlite": "coalesce(CAST(CAST(JSON_EXTRACT(c.custom, '$.\"{key}\"') AS VARCHAR) AS FLOAT), -1e300)",
    "postgresql": "coalesce(CAST(CAST(c.custom ->> '{key}' AS VARCHAR) AS FLOAT), -1e300)",
}

DEEP_SQL = f"""{CHAIN}
SELECT {COLUMNS}, {{budget}}
FROM customers c JOIN users owner ON owner.id = c.owner_id
WHERE c.deleted_at IS NULL AND c.owner_id IN (SELECT id FROM chain)
  AND {{budget}} <= :k AND ({{budget}} < :k OR c.id < :after)
ORDER BY {{budget}} DESC, c.id DESC LIMIT :n
"""

FILL_BUDGET_SQL = {
    # Two customers in three get a budget between 0.00 and 99,999.99 (stored as a money
    # field stores it: a decimal string), spread so that pages do not follow ids.
    "sqlite": "UPDATE customers SET custom = json_set(coalesce(custom, '{{}}'), '$.{key}', "
              "printf('%.2f', ((id * 7919) % 10000000) / 100.0)) WHERE id % 3 <> 0",
    "postgresql": "UPDATE customers SET custom = coalesce(custom, '{{}}'::jsonb) || jsonb_build_object('{key}', "
                  "to_char(((id::bigint * 7919) % 10000000) / 100.0, 'FM9999990.00')) WHERE id % 3 <> 0",
}


CONTRACT_COLUMNS = ", ".join(["k.id", *(f"k.{f}" for f in contract_service.FIELDS), "k.owner_id", "owner.name",
                              "k.creator_id", "k.created_at", "k.updated_at", "k.version", "k.deleted_at", "k.custom",
                              "k.amount - k.received_amount"])

CONTRACT_PAGE_SQL = f"""{CHAIN}
SELECT {CONTRACT_COLUMNS}
FROM contracts k LEFT JOIN users owner ON owner.id = k.owner_id
WHERE k.deleted_at IS NULL AND k.owner_id IN (SELECT id FROM chain)
ORDER BY k.updated_at DESC, k.id DESC LIMIT :n
"""

#: The GUI's filter as it saves it (Filter.to_json): what the list view hands to list_page.
CONTRACT_FILTER_JSON = {"match": "all", "conditions": [
    {"field": "execution_status", "op": "in", "value": ["shipped", "accepted"]},
    {"field": "amount", "op": "between", "value": ["20000", "500000"]},
]}
CONTRACT_TERM = "华"

CONTRACT_SEARCH_SQL = {
    backend: f"""{CHAIN}
SELECT {CONTRACT_COLUMNS}
FROM contracts k LEFT JOIN users owner ON owner.id = k.owner_id
WHERE k.deleted_at IS NULL AND k.owner_id IN (SELECT id FROM chain)
  AND k.execution_status IN ('shipped', 'accepted') AND k.amount BETWEEN :low AND :high
  AND ({like.format(col='k.number')} OR {like.format(col='k.name')}
       OR {like.format(col='(SELECT c.name FROM customers c WHERE c.id = k.customer_id)')})
ORDER BY k.updated_at DESC, k.id DESC LIMIT :n
""" for backend, like in (("sqlite", "lower({col}) LIKE lower(:p)"), ("postgresql", "{col} ILIKE :p"))
}


def paired_ms(ours: Callable[[], Any], ref: Callable[[], Any], runs: int) -> tuple[float, float]:
    """Medians of ours and the reference, run alternately: on a busy machine a burst of load
    then slows both sides alike instead of whichever happened to be running."""
    ours()
    ref()  # warm both once
    mine: list[float] = []
    theirs: list[float] = []
    cpu: list[float] = []
    for _ in range(runs):
        for fn, samples in ((ours, mine), (ref, theirs)):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            samples.append((time.perf_counter() - t0) * 1000)
            if samples is mine:
                cpu.append((time.process_time() - c0) * 1000)
    # This process's CPU time for ours (SQLite runs in it; a PostgreSQL server's work is not
    # counted): on a loaded machine the wall clock waits for cores, the CPU time does not.
    print(f"# ours_cpu_ms={statistics.median(cpu):.2f}", file=sys.stderr)
    return statistics.median(mine), statistics.median(theirs)


def raw(db: Database, sql: str, **params: Any) -> Callable[[], list[Any]]:
    # The bare DB-API connection: no ORM, no SQLAlchemy statement layer.
    dbapi = db.engine.raw_connection()
    if db.backend == "sqlite":
        query = sql
        args: Any = params
    else:
        query = sql
        for key in params:
            query = query.replace(f":{key}", f"%({key})s")
        args = params

    def run() -> list[Any]:
        cur = dbapi.cursor()
        cur.execute(query, args)
        rows = cur.fetchall()
        cur.close()
        return rows

    return run


def budget_field(db: Database, admin: Actor, *, indexed: bool) -> tuple[str, str]:
    """(field name, JSON key) of the bench's custom money field, added and filled once, and
    marked indexed (or not) through the administrator's service."""
    existing = [(i, spec) for i, spec in schema_admin.list_custom_fields(db, admin, "customer")
                if spec.label == BUDGET_LABEL]
    if existing:
        field_id, spec = existing[0]
    else:
        t0 = time.perf_counter()
        spec = schema_admin.create_custom_field(db, admin, "customer", schema_admin.CustomFieldInput(
            label=BUDGET_LABEL, type=schema.FieldType.MONEY))
        assert spec.key is not None
        with db.engine.begin() as conn:
            conn.execute(text(FILL_BUDGET_SQL[db.backend].format(key=spec.key)))
        print(f"# filled custom field {spec.name} in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
        field_id = next(i for i, s in schema_admin.list_custom_fields(db, admin, "customer") if s.name == spec.name)
    if spec.indexed != indexed:
        t0 = time.perf_counter()
        spec = schema_admin.update_custom_field(db, admin, field_id,
                                                schema_admin.CustomFieldInput.from_spec(spec, indexed=indexed))
        print(f"# {'indexed' if indexed else 'unindexed'} {spec.name} in {time.perf_counter() - t0:.1f}s",
              file=sys.stderr)
    assert spec.key is not None
    return spec.name, spec.key


def find_manager(db: Database, admin: Actor) -> Actor:
    """A user whose customer scope is "self and subordinates" and who has subordinates."""
    everyone = users.list_users(db, admin, include_disabled=False)
    has_reports = {u.superior_id for u in everyone if u.superior_id}
    with db.sessions() as s:
        for u in everyone:
            if u.id in has_reports:
                actor = load_actor(s, u.id)
                if actor.scopes_for("customer") == {DataScope.SUBORDINATES}:
                    return actor
    raise SystemExit("no user with a 'self and subordinates' scope and subordinates in this database")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--database")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--keep", help="folder for the SQLite file (reused between runs)")
    parser.add_argument("--deep", type=int, default=50, help="which page the custom-sort measure reads")
    parser.add_argument("--unindexed", action="store_true", help="leave the custom field without its index")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="crm-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = args.database or f"sqlite:///{folder / f'bench-{args.customers}.sqlite3'}"
    db = bootstrap(url, create=True)  # built on the first run, reused by --keep
    if auth.needs_setup(db):
        t0 = time.perf_counter()
        demo.create_demo_company(db, users=60, customers=args.customers)
        print(f"# built {args.customers} customers in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    admin = auth.login(db, "13800000000", "admin1234")
    manager = find_manager(db, admin)
    # Index changes first: on PostgreSQL the reference's driver connections stay open in a
    # transaction, and DROP/CREATE INDEX would wait for them.
    budget = budget_field(db, admin, indexed=not args.unindexed)
    with db.engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM customers")).scalar()
    print(f"# {db.backend}, {total} customers, manager {manager.name} (user {manager.user_id})", file=sys.stderr)

    ours = lambda: customers.list_page(db, manager, sort="updated_at", limit=PAGE)  # noqa: E731
    ref = raw(db, SUBORDINATES_SQL, me=manager.user_id, n=PAGE + 1)
    assert [r.id for r in ours().rows] == [r[0] for r in ref()][:PAGE], "the two queries disagree"
    report("first_page_subordinates", *paired_ms(ours, ref, args.runs))

    deep_page(db, manager, budget, args.deep, args.runs)

    term = "科技"
    ours_s = lambda: customers.list_page(db, admin, sort="updated_at", limit=PAGE, text=term)  # noqa: E731
    ref_s = raw(db, SEARCH_SQL[db.backend], p=f"%{term}%", n=PAGE + 1)
    assert [r.id for r in ours_s().rows] == [r[0] for r in ref_s()][:PAGE], "the two searches disagree"
    report("search_substring", *paired_ms(ours_s, ref_s, args.runs))

    contract_measures(db, manager, args.runs)
    db.dispose()


def contract_measures(db: Database, manager: Actor, runs: int) -> None:
    """The contract list's first page and a filtered search, as the manager."""
    with db.engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM contracts")).scalar() or 0
    if not total:
        print("# no contracts in this database: contract measures skipped (bench/build_db.py --contracts)",
              file=sys.stderr)
        return
    assert manager.scopes_for("contract") == {DataScope.SUBORDINATES}, "the manager's contract scope changed"
    print(f"# {total} contracts", file=sys.stderr)
    service = contract_service.contracts
    ours = lambda: service.list_page(db, manager, sort="updated_at", limit=PAGE)  # noqa: E731
    ref = raw(db, CONTRACT_PAGE_SQL, me=manager.user_id, n=PAGE + 1)
    got, want = ours().rows, ref()
    assert [r.id for r in got] == [r[0] for r in want][:PAGE], "the two contract pages disagree"
    # The raw driver hands SQLite's NUMERIC back as float: compare to the cent.
    assert all(abs(float(r.values["outstanding_amount"]) - float(w[-1])) < 0.005 for r, w in zip(got, want))
    report("contract_first_page", *paired_ms(ours, ref, runs))

    flt = Filter.from_json(CONTRACT_FILTER_JSON)
    ours_f = lambda: service.list_page(db, manager, sort="updated_at", limit=PAGE,  # noqa: E731
                                       text=CONTRACT_TERM, filter=flt)
    ref_f = raw(db, CONTRACT_SEARCH_SQL[db.backend], me=manager.user_id, p=f"%{CONTRACT_TERM}%",
                low=20000, high=500000, n=PAGE + 1)
    got, want = ours_f().rows, ref_f()
    assert got, "the filtered search found nothing: pick another term"
    assert [r.id for r in got] == [r[0] for r in want][:PAGE], "the two filtered searches disagree"
    report("contract_filtered_search", *paired_ms(ours_f, ref_f, runs))


def deep_page(db: Database, manager: Actor, budget: tuple[str, str], deep: int, runs: int) -> None:
    """Page ``deep`` of the manager's list sorted by the budget (field name, JSON key), from
    the cursor before it."""
    name, key = budget
    cursor = None
    t0 = time.perf_counter()
    for _ in range(deep - 1):  # walk there as the list view would; the cursor is what we keep
        page = customers.list_page(db, manager, sort=name, limit=PAGE, after=cursor)
        assert page.next_cursor is not None, f"the list has fewer than {deep} pages"
        cursor = page.next_cursor
    print(f"# walked {deep - 1} pages in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    assert cursor is not None
    ours = lambda: customers.list_page(db, manager, sort=name, limit=PAGE, after=cursor)  # noqa: E731
    budget = BUDGET_SQL[db.backend].format(key=key)
    ref = raw(db, DEEP_SQL.format(budget=budget), me=manager.user_id, k=float(cursor[0]), after=cursor[1],
              n=PAGE + 1)
    got, want = ours().rows, ref()
    assert [r.id for r in got] == [r[0] for r in want][:PAGE], "the two deep pages disagree"
    assert got[0].custom[name] is not None, "the deep page should be inside the rows that have a budget"
    report("deep_page_custom_sort", *paired_ms(ours, ref, runs))


def report(measure: str, ours_ms: float, ref_ms: float) -> None:
    print(f"{measure} ours_ms={ours_ms:.2f} ref_ms={ref_ms:.2f} ratio={ours_ms / ref_ms:.2f}", flush=True)


if __name__ == "__main__":
    main()
