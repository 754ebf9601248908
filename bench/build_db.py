"""Build a big benchmark database quickly: demo company, generated customers, SQL copies.

    python bench/build_db.py --database URL --customers 1000000 [--generate 100000] [--contracts 1000000]

``crm_desktop.demo.company`` generates ``--generate`` customers (names, phones, addresses,
owners by territory; contacts, follow-ups, leads and the public pool come with them), then
the customer rows are copied in SQL until there are ``--customers``: copy ``k`` of a customer
keeps its owner, level, industry and address, gets the name suffix "（k 部）", and its created
and updated times move back by ``k`` × 7 days plus a few hours, so pages of every sort interleave
copies and originals. Copies have no contacts or follow-ups of their own. The database's own
triggers index the copies for search; statistics are refreshed at the end (ANALYZE), as
``services.search.reindex_all`` does after every bulk load.

Generating costs about 0.5–2 ms of Python per customer; a copy is one INSERT … SELECT per
round, so a million-customer database takes minutes instead of most of an hour.

Contracts grow the same way to ``--contracts``: the demo's contracts (≈9 per 100 generated
customers, with their owners, customers, statuses and amounts) are copied in SQL, each round
copying every contract there is so far (the count doubles); copy round ``k`` appends "-k" to
the number (numbers stay unique) and moves the times back ``k`` × 7 days plus a few hours.
Copies have no lines, plans or payments of their own. A database built before the sales chain
existed gets its demo sales data first (``demo_sales.fill_sales`` over the generated customers).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from crm_desktop.bootstrap import bootstrap  # noqa: E402
from crm_desktop.demo import company as demo
from crm_desktop.demo import sales as demo_sales  # noqa: E402
from crm_desktop.services.org import auth

COPIED = ("phone", "mobile", "email", "website", "credit_code", "level", "industry", "source", "province", "city",
          "district", "address", "remark", "deal_status", "last_deal_at", "locked", "last_followup_at",
          "last_followup_content", "next_contact_at", "pool_id", "pooled_at", "previous_owner_id",
          "owner_id", "creator_id", "version", "custom")

SHIFT = {
    # Times move back k weeks and (id mod 24) hours: copies interleave with the originals.
    # SQLite keeps "YYYY-MM-DD HH:MM:SS.ffffff": shift the seconds, keep the microseconds.
    "sqlite": "strftime('%Y-%m-%d %H:%M:%S', {col}, '-{days} days', '-' || (id % 24) || ' hours') "
              "|| substr({col}, 20)",
    "postgresql": "{col} - interval '{days} days' - (id % 24) * interval '1 hour'",
}


def copy_round(db_url: str, k: int, limit: int, backend: str) -> None:
    """Insert copy ``k`` of the first ``limit`` generated customers."""
    db = bootstrap(db_url)
    cols = ", ".join(COPIED)
    suffix = f"（{k} 部）"
    name = f"name || '{suffix}'"
    shifted = {c: SHIFT[backend].format(col=c, days=7 * k) for c in ("created_at", "updated_at")}
    sql = (f"INSERT INTO customers (name, normalized_name, created_at, updated_at, {cols}) "
           f"SELECT {name}, normalized_name || '{k}', {shifted['created_at']}, {shifted['updated_at']}, {cols} "
           f"FROM customers WHERE id <= :limit AND deleted_at IS NULL ORDER BY id")
    with db.engine.begin() as conn:
        conn.execute(text(sql), {"limit": limit})
    db.dispose()


CONTRACT_COPIED = ("name", "customer_id", "opportunity_id", "customer_signer_id", "our_signer_id", "amount",
                   "amount_manual", "order_date", "start_date", "end_date", "payment_terms", "remark",
                   "approval_status", "execution_status", "received_amount", "owner_id", "creator_id", "version",
                   "custom")


def grow_contracts(db_url: str, target: int, t0: float) -> None:
    """Copy contracts in SQL until there are ``target`` (each round copies all there are)."""
    db = bootstrap(db_url)
    backend = db.backend
    with db.engine.connect() as conn:
        have = conn.execute(text("SELECT count(*) FROM contracts")).scalar() or 0
        if not have:  # a database built before the sales chain: its demo sales data first
            market = conn.execute(text("SELECT id FROM users WHERE mobile = '13850001010'")).scalar()
            admin = conn.execute(text("SELECT min(id) FROM users")).scalar()
            generated = conn.execute(text("SELECT min(id) FROM customers WHERE name LIKE '%（1 部）'")).scalar()
    if not have:
        limit = generated - 1 if generated else None
        for _ in demo_sales.fill_sales(db, owner_id=market or admin, up_to_id=limit):
            pass
        with db.engine.connect() as conn:
            have = conn.execute(text("SELECT count(*) FROM contracts")).scalar() or 0
        print(f"# {have} demo contracts generated ({time.perf_counter() - t0:.0f}s)", flush=True)
    cols = ", ".join(CONTRACT_COPIED)
    k = 0
    while have < target:
        k += 1
        n = min(have, target - have)
        shifted = {c: SHIFT[backend].format(col=c, days=7 * k) for c in ("created_at", "updated_at")}
        sql = (f"INSERT INTO contracts (number, created_at, updated_at, {cols}) "
               f"SELECT number || '-{k}', {shifted['created_at']}, {shifted['updated_at']}, {cols} "
               f"FROM contracts WHERE deleted_at IS NULL ORDER BY id LIMIT :n")
        with db.engine.begin() as conn:
            conn.execute(text(sql), {"n": n})
        have += n
        print(f"# {have} contracts after copy {k} ({time.perf_counter() - t0:.0f}s)", flush=True)
    db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--generate", type=int, default=100_000)
    parser.add_argument("--contracts", type=int, default=1_000_000)
    args = parser.parse_args()
    db = bootstrap(args.database, create=True)  # builds a new benchmark database
    t0 = time.perf_counter()
    if auth.needs_setup(db):
        demo.create_demo_company(db, users=60, customers=args.generate)
        print(f"# generated {args.generate} customers in {time.perf_counter() - t0:.0f}s", flush=True)
    backend = db.backend
    with db.engine.connect() as conn:
        have = conn.execute(text("SELECT count(*) FROM customers")).scalar() or 0
        first = conn.execute(text("SELECT max(id) FROM customers")).scalar() or 0
    db.dispose()
    per_round = min(args.generate, first)
    k = 0
    while have < args.customers:
        k += 1
        copy_round(args.database, k, min(per_round, args.customers - have), backend)
        have += min(per_round, args.customers - have)
        print(f"# {have} customers after copy {k} ({time.perf_counter() - t0:.0f}s)", flush=True)
    grow_contracts(args.database, args.contracts, t0)
    db = bootstrap(args.database)
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    db.dispose()
    print(f"# done in {time.perf_counter() - t0:.0f}s", flush=True)


if __name__ == "__main__":
    main()
