"""The cost of secure server mode's row-level security on list and dashboard queries (issue 17).

    python bench/team_rls.py --database postgresql://postgres@127.0.0.1:5432/test [--rows 20000]

A throwaway database on that server gets --rows customers (a sales rep owns one in five) and
``server-setup``'s roles and policies. The same queries — the customer list's first page
(newest first, 50 rows) and a dashboard count per owner, both with the app's scope condition
for the rep (scope "self": own records or a team seat) — run as the superuser (shared-role
mode: no row-level security applies) and as the rep's own role (secure mode: the policies
apply on top). Prints ``<measure> ours_ms=<secure> ref_ms=<shared> ratio=…`` (medians; budget ≤ 1.3).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from crm_desktop.bootstrap import bootstrap  # noqa: E402
from crm_desktop.db import normalize_url  # noqa: E402
from crm_desktop.services.customers.customers import customers  # noqa: E402
from crm_desktop.services.maintenance.server_setup import apply_setup, create_login_role  # noqa: E402
from crm_desktop.services.org import auth, roles, users  # noqa: E402
from crm_desktop.services.org.permissions import DataScope  # noqa: E402

SCOPE = ("deleted_at IS NULL AND (owner_id = :rep OR id IN (SELECT record_id FROM team_members "
         "WHERE entity = 'customer' AND user_id = :rep))")
QUERIES = {
    "rls_list_first_page": f"SELECT id, name, phone, owner_id, updated_at FROM customers WHERE {SCOPE} "
                           "ORDER BY updated_at DESC, id DESC LIMIT 50",
    "rls_dashboard_count": f"SELECT owner_id, count(*) FROM customers WHERE {SCOPE} GROUP BY owner_id",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--rows", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=41)
    args = parser.parse_args()
    server = make_url(normalize_url(args.database))
    name, prefix = f"crm_rls_bench_{uuid.uuid4().hex[:8]}", f"b{uuid.uuid4().hex[:8]}_"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = server.set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    try:
        db = bootstrap(url)
        boss = auth.setup_company(db, company="基准测试公司", admin_name="管理员", admin_mobile="13800000000",
                                  password="admin1234")
        role = roles.create_role(db, boss, roles.RoleInput(
            name="销售", permissions=frozenset({("customer", "view")}), scopes={"customer": DataScope.SELF}))
        rep = users.create_user(db, boss, users.UserInput(mobile="13900000001", name="销售小王",
                                                          department_id=boss.department_id, role_ids=(role.id,)),
                                password="sales1234")
        model = customers.create(db, boss, {"name": "样板客户"})
        db.dispose()
        with engine.begin() as conn:  # copies of one real row, the varying columns replaced
            varying = {"name": "'客户' || g", "owner_id": "CASE WHEN g % 5 = 0 THEN :rep ELSE :boss END",
                       "created_at": "now() - g * interval '1 minute'", "updated_at": "now() - g * interval '1 minute'"}
            columns = [c for c in conn.execute(text(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'customers' "
                "AND column_name <> 'id' ORDER BY ordinal_position")).scalars()]
            values = ", ".join(varying.get(c, f'c."{c}"') for c in columns)
            conn.execute(text(
                f"INSERT INTO customers ({', '.join(chr(34) + c + chr(34) for c in columns)}) SELECT {values} "
                "FROM customers c CROSS JOIN generate_series(1, :rows) g WHERE c.id = :model"),
                {"rep": rep.id, "boss": boss.user_id, "rows": args.rows, "model": model.id})
            conn.execute(text("ANALYZE"))
            apply_setup(conn, prefix)
            login = create_login_role(conn, prefix, rep.id, password=None)
        for measure, sql in QUERIES.items():
            # One connection per mode, as on a PC: the shared role's, and one that is the rep's
            # role for the whole session (the app logs in as it). psycopg prepares a statement
            # run again on a connection (prepare_threshold), so planning — which the policies
            # make dearer — is paid once per connection, not per call, as in the app. (Switching
            # roles per transaction on one connection, as this bench did first, re-plans every
            # call: a plan under row-level security is tied to its role.)
            timings: dict[str, list[float]] = {"shared": [], "secure": []}
            with engine.connect() as shared, engine.connect() as secure:
                secure.execute(text(f'SET ROLE "{login}"'))
                secure.commit()
                for _ in range(args.runs):
                    for mode, conn in (("shared", shared), ("secure", secure)):
                        with conn.begin():
                            start = time.perf_counter()
                            rows = conn.execute(text(sql), {"rep": rep.id}).all()
                            timings[mode].append((time.perf_counter() - start) * 1000)
                            assert rows, "the rep owns customers: the query must find some"
            ours, ref = statistics.median(timings["secure"]), statistics.median(timings["shared"])
            print(f"{measure} ours_ms={ours:.2f} ref_ms={ref:.2f} ratio={ours / ref:.2f} rows={args.rows}")
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            for role_name in list(conn.execute(text("SELECT rolname FROM pg_roles WHERE starts_with(rolname, :p) "
                                                    "ORDER BY rolname LIKE '%owner'"), {"p": prefix}).scalars()):
                conn.execute(text(f'DROP ROLE IF EXISTS "{role_name}"'))
        admin.dispose()


if __name__ == "__main__":
    main()
