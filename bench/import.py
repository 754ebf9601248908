"""Spreadsheet import speed and memory (issue 14).

    python bench/import.py [--rows 100000] [--database URL] [--runs 1] [--csv-rows 0]

Generates a realistic customer workbook (12 columns: Chinese company names, phones, mobiles,
province, city, address, a dictionary field, a date, money into a custom field, an owner by
name, a source, a remark; 2 % duplicates of existing customers, 1 % bad rows) and imports it
with the duplicate check on (policy: skip) into ``--database`` — the million-customer
benchmark database (``bench/build_db.py``) — undoing each run afterwards. Without
``--database`` a SQLite database with ``--existing`` customers is built in a temporary folder.

Prints, per measure, ``<measure> ours_ms=… ref_ms=… ratio=… rows_per_s=…`` (medians over
``--runs``), where ref is the floor measured in the same run: python-calamine reading the
same file plus one raw executemany INSERT of the same rows (rolled back). ``--csv-rows N``
adds ``import_1m_csv``: an N-row GB18030 csv into an empty SQLite database. Then the process's
peak memory. Budgets (issue 14): ratio ≤ 3 and ≥ 25,000 rows/s; the csv under 60 s; peak
memory under 500 MB.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text

from crm_desktop.bootstrap import bootstrap
from crm_desktop.db import Database
from crm_desktop.models import Customer, CustomField, Role, User
from crm_desktop.services.imports import engine as imp
from crm_desktop.services.org import auth
from crm_desktop.services.org.actor import Actor, load_actor
from crm_desktop.services.records.duplicates import normalize_company_name
from crm_desktop.services.records.schema import FieldType
from crm_desktop.services.records.schema_admin import (
    CustomFieldInput,
    create_custom_field,
)
from crm_desktop.services.uow import read_only

HEAD = ["客户名称", "电话", "手机", "省份", "城市", "详细地址", "客户级别", "建档日期", "注册资本", "负责人",
        "客户来源", "备注"]
CITIES = (("福建省", "厦门市", "0592"), ("福建省", "福州市", "0591"), ("广东省", "深圳市", "0755"),
          ("浙江省", "杭州市", "0571"), ("江苏省", "苏州市", "0512"), ("上海市", "上海市", "021"))
BRANDS = "华盛鑫瑞宏泰恒达嘉博永兴安信诚明海丰源融创德鼎卓凯旭晨天联正"
WORDS = ("软件", "电子科技", "机械", "贸易", "医疗器械", "食品", "物流", "文化传媒", "新材料", "置业")
LEVELS = ("A", "B", "C")
SOURCES = ("referral", "exhibition", "website", "ads")


def _actor(db: Database) -> Actor:
    with read_only(db, None) as uow:
        uid = uow.session.scalar(select(User.id).join(User.roles).where(Role.is_super.is_(True)).order_by(User.id))
        return load_actor(uow.session, uid)


def _capital_field(db: Database, actor: Actor) -> None:
    with read_only(db, None) as uow:
        have = uow.session.scalar(select(CustomField.id).where(CustomField.entity == "customer",
                                                               CustomField.label == "注册资本"))
    if have is None:
        create_custom_field(db, actor, "customer", CustomFieldInput(label="注册资本", type=FieldType.MONEY))


def _owners(db: Database) -> list[str]:
    with read_only(db, None) as uow:
        names = uow.session.execute(select(User.name, func.count()).where(User.enabled.is_(True))
                                    .group_by(User.name)).all()
    return [n for n, c in names if c == 1]


def _existing(db: Database, n: int, rng: random.Random) -> list[tuple[str, str]]:
    with read_only(db, None) as uow:
        top = uow.session.scalar(select(func.max(Customer.id))) or 0
        ids = [rng.randint(1, top) for _ in range(n * 2)] if top else []
        rows = uow.session.execute(select(Customer.name, Customer.mobile).where(
            Customer.id.in_(ids[:30000]), Customer.deleted_at.is_(None))).all() if ids else []
    return [(a, b) for a, b in rows][:n]


def make_rows(db: Database, rows: int, seed: int = 7) -> list[list[Any]]:
    return list(iter_rows(db, rows, seed))


def iter_rows(db: Database, rows: int, seed: int = 7) -> Iterator[list[Any]]:
    """The rows of ``make_rows`` one at a time (a million of them held at once would count in
    the peak memory measured)."""
    rng = random.Random(seed)
    owners = _owners(db)[:40] or ["管理员"]
    dupes = _existing(db, rows // 50, rng)
    run = rng.randrange(10**6)
    for i in range(rows):
        province, city, area = rng.choice(CITIES)
        name = f"{city[:-1]}{rng.choice(BRANDS)}{rng.choice(BRANDS)}{rng.choice(WORDS)}{run}{i}号有限公司"
        mobile = f"1{rng.choice('3589')}{rng.randrange(10**9):09d}"
        row = [name, f"{area}-{rng.randrange(10**7, 10**8)}", mobile, province, city,
               f"{rng.choice(('软件园', '高新区', '金融中心'))}{rng.randrange(1, 300)}号",
               rng.choice(LEVELS), dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(4000)),
               f"{rng.randrange(10, 5000)}万", rng.choice(owners), rng.choice(SOURCES),
               rng.choice(("", "", "老客户介绍", "展会获取"))]
        if dupes and i % 50 == 25:  # 2 %: an existing customer again
            row[0], row[2] = dupes[(i // 50) % len(dupes)]
            row[2] = row[2] or mobile
        elif i % 100 == 60:  # 1 %: a bad row
            row[2] = "13800x"
        yield row


def write_xlsx(rows: list[list[Any]], path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    ws = book.create_sheet("客户")
    ws.append(HEAD)
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def write_csv(rows: Iterable[list[Any]], path: Path) -> Path:
    import csv

    with open(path, "w", encoding="gb18030", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEAD)
        for row in rows:
            w.writerow([str(c) for c in row])
    return path


def reference(db: Database, path: Path, actor: Actor) -> float:
    """The floor: calamine reads the file, one raw executemany INSERT writes its rows (rolled back)."""
    from python_calamine import CalamineWorkbook

    t0 = time.perf_counter()
    data = list(CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows())[1:]
    now = dt.datetime.now(dt.UTC).isoformat(" ")
    params = [(str(r[0]), str(r[1]), str(r[2]), str(r[3]), str(r[4]), str(r[5]), str(r[6]), actor.user_id,
               actor.user_id, now, now) for r in data]
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        mark = "?" if db.engine.dialect.name == "sqlite" else "%s"
        cols = ("name, phone, mobile, province, city, address, level, owner_id, creator_id, created_at, updated_at, "
                "email, website, credit_code, industry, source, district, remark, deal_status, locked, "
                "normalized_name, approval_status, last_followup_content, version, custom")
        values = ", ".join([mark] * 11) + ", '', '', '', '', '', '', '', 'none', false, '', '', '', 1, '{}'"
        cur.executemany(f"INSERT INTO customers ({cols}) VALUES ({values})", params)
        elapsed = time.perf_counter() - t0
        raw.rollback()
    finally:
        raw.close()
    return elapsed


def ours(db: Database, path: Path, actor: Actor, *, entity: str = "customer") -> tuple[float, imp.ImportResult]:
    t0 = time.perf_counter()
    result = imp.run_import(db, actor, path, imp.ImportOptions(entity=entity, on_duplicate="skip", batch_size=5000,
                                                               remember_mapping=False))
    return time.perf_counter() - t0, result


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fresh_sqlite(folder: Path, name: str, existing: int) -> str:
    return _set_up(f"sqlite:///{folder / name}", existing, create=True)


def _set_up(url: str, existing: int, *, create: bool = False) -> str:
    """The database at ``url``, with the demo company (``existing`` customers) if it has none."""
    db = bootstrap(url, create=create)
    try:
        if auth.needs_setup(db):
            from crm_desktop.demo import company as demo

            if existing:
                demo.create_demo_company(db, users=20, customers=existing)
            else:
                auth.setup_company(db, company="基准公司", admin_name="管理员", admin_mobile="13800000000",
                                   password="admin1234")
    finally:
        db.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", help="the benchmark database (default: a temporary SQLite one)")
    parser.add_argument("--existing", type=int, default=2000, help="customers of the temporary database")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--csv-rows", type=int, default=0, help="also import an N-row GB18030 csv (0: skip)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="crm-import-bench-"))
    url = _set_up(args.database, args.existing) if args.database else _fresh_sqlite(folder, "bench.sqlite3",
                                                                                   args.existing)
    db = bootstrap(url, create=False)
    actor = _actor(db)
    _capital_field(db, actor)
    with db.engine.connect() as conn:
        existing = conn.execute(text("SELECT count(*) FROM customers")).scalar()
    rows = make_rows(db, args.rows)
    path = write_xlsx(rows, folder / "customers.xlsx")
    del rows
    print(f"# {db.engine.dialect.name}: {existing} customers; file {args.rows} rows, {path.stat().st_size:,} bytes",
          flush=True)
    ours_s, ref_s = [], []
    last: imp.ImportResult | None = None
    for _ in range(args.runs):
        ref_s.append(reference(db, path, actor))
        took, last = ours(db, path, actor)
        ours_s.append(took)
        imp.undo_import(db, actor, last.batch_id)  # the next run (and the database) as before
    assert last is not None
    o, r = statistics.median(ours_s), statistics.median(ref_s)
    print(f"# {last.summary()}", flush=True)
    print(f"import_xlsx ours_ms={o * 1000:.0f} ref_ms={r * 1000:.0f} ratio={o / r:.2f} "
          f"rows_per_s={args.rows / o:.0f}", flush=True)
    db.dispose()
    if args.csv_rows:
        empty = bootstrap(_fresh_sqlite(folder, "empty.sqlite3", 0), create=False)
        admin = _actor(empty)
        _capital_field(empty, admin)
        csv_path = write_csv(iter_rows(empty, args.csv_rows, seed=11), folder / "customers.csv")
        took, result = ours(empty, csv_path, admin)
        print(f"# {result.summary()}", flush=True)
        print(f"import_1m_csv ours_ms={took * 1000:.0f} ref_ms=60000 ratio={took / 60:.2f} "
              f"rows_per_s={args.csv_rows / took:.0f}", flush=True)
        empty.dispose()
    print(f"peak_memory_mb={peak_mb():.0f}", flush=True)
    worker = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    if worker:  # a large csv is planned by a worker process where a core is free for it
        print(f"peak_memory_worker_mb={worker:.0f}", flush=True)
    _ = normalize_company_name  # the duplicate key the import computes per row (imported to warm it)


if __name__ == "__main__":
    main()
