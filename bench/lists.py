"""List-read benchmark: the service path against the same query hand-written in raw SQL.

    python bench/lists.py --customers 100000 [--database URL] [--runs 9]

Prints one line per measure, ``<measure> ours_ms=<x> ref_ms=<y> ratio=<x/y>`` (medians), as
DESIGN.md asks. "ours" is the full service call a list view makes (actor reload, permission
check, the one data-scope filter, ORM rows → DTOs); "ref" is one raw SQL statement returning
the same rows through the bare DB-API driver. Without --database a SQLite file is built in a
temporary folder (or reused with --keep DIR).
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

from crm_desktop.db import Database, open_database  # noqa: E402
from crm_desktop.services import auth, demo, users  # noqa: E402
from crm_desktop.services.actor import Actor, load_actor  # noqa: E402
from crm_desktop.services.customers import customers  # noqa: E402
from crm_desktop.services.permissions import DataScope  # noqa: E402

PAGE = 100

SUBORDINATES_SQL = """
WITH RECURSIVE chain(id) AS (
    SELECT id FROM users WHERE id = :me
    UNION SELECT u.id FROM users u JOIN chain ON u.superior_id = chain.id
)
SELECT c.id, c.name, c.phone, c.level, c.industry, c.address, c.remark, c.owner_id, owner.name,
       c.creator_id, c.created_at, c.updated_at, c.version, c.deleted_at, c.custom
FROM customers c JOIN users owner ON owner.id = c.owner_id
WHERE c.deleted_at IS NULL AND c.owner_id IN (SELECT id FROM chain)
ORDER BY c.updated_at DESC, c.id DESC LIMIT :n
"""

SEARCH_SQL = """
SELECT c.id, c.name, c.phone, c.level, c.industry, c.address, c.remark, c.owner_id, owner.name,
       c.creator_id, c.created_at, c.updated_at, c.version, c.deleted_at, c.custom
FROM customers c JOIN users owner ON owner.id = c.owner_id
WHERE c.deleted_at IS NULL AND (lower(c.name) LIKE lower(:p) OR lower(c.phone) LIKE lower(:p))
ORDER BY c.updated_at DESC, c.id DESC LIMIT :n
"""


def median_ms(fn: Callable[[], Any], runs: int) -> float:
    fn()  # warm caches and statement compilation once
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


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
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="crm-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = args.database or f"sqlite:///{folder / f'bench-{args.customers}.sqlite3'}"
    db = open_database(url)
    if auth.needs_setup(db):
        t0 = time.perf_counter()
        demo.create_demo_company(db, users=60, customers=args.customers)
        print(f"# built {args.customers} customers in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    admin = auth.login(db, "13800000000", "admin1234")
    manager = find_manager(db, admin)
    with db.engine.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM customers")).scalar()
    print(f"# {db.backend}, {total} customers, manager {manager.name} (user {manager.user_id})", file=sys.stderr)

    ours = lambda: customers.list_page(db, manager, sort="updated_at", limit=PAGE)  # noqa: E731
    ref = raw(db, SUBORDINATES_SQL, me=manager.user_id, n=PAGE + 1)
    assert [r.id for r in ours().rows] == [r[0] for r in ref()][:PAGE], "the two queries disagree"
    report("first_page_subordinates", median_ms(ours, args.runs), median_ms(ref, args.runs))

    term = "科技"
    ours_s = lambda: customers.list_page(db, admin, sort="updated_at", limit=PAGE, text=term)  # noqa: E731
    ref_s = raw(db, SEARCH_SQL, p=f"%{term}%", n=PAGE + 1)
    assert [r.id for r in ours_s().rows] == [r[0] for r in ref_s()][:PAGE], "the two searches disagree"
    report("search_substring", median_ms(ours_s, args.runs), median_ms(ref_s, args.runs))
    db.dispose()


def report(measure: str, ours_ms: float, ref_ms: float) -> None:
    print(f"{measure} ours_ms={ours_ms:.2f} ref_ms={ref_ms:.2f} ratio={ours_ms / ref_ms:.2f}", flush=True)


if __name__ == "__main__":
    main()
