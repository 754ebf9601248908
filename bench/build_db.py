"""Build a big benchmark database quickly: demo company, generated customers, SQL copies.

    python bench/build_db.py --database URL --customers 1000000 [--generate 100000]

``crm_desktop.services.demo`` generates ``--generate`` customers (names, phones, addresses,
owners by territory; contacts, follow-ups, leads and the public pool come with them), then
the customer rows are copied in SQL until there are ``--customers``: copy ``k`` of a customer
keeps its owner, level, industry and address, gets the name suffix "（k 部）", and its created
and updated times move back by ``k`` × 7 days plus a few hours, so pages of every sort interleave
copies and originals. Copies have no contacts or follow-ups of their own. The database's own
triggers index the copies for search; statistics are refreshed at the end (ANALYZE), as
``services.search.reindex_all`` does after every bulk load.

Generating costs about 0.5–2 ms of Python per customer; a copy is one INSERT … SELECT per
round, so a million-customer database takes minutes instead of most of an hour.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from crm_desktop.db import open_database  # noqa: E402
from crm_desktop.services import auth, demo  # noqa: E402

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
    db = open_database(db_url)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--generate", type=int, default=100_000)
    args = parser.parse_args()
    db = open_database(args.database)
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
    db = open_database(args.database)
    with db.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    db.dispose()
    print(f"# done in {time.perf_counter() - t0:.0f}s", flush=True)


if __name__ == "__main__":
    main()
