"""Custom data scope (自定义) benchmark: a list page through the one scope filter against the
same page hand-written in raw SQL.

    python bench/scope_custom.py --customers 20000 [--database URL] [--runs 9] [--keep DIR]

Prints ``<measure> ours_ms=<x> ref_ms=<y> ratio=<x/y>`` (medians, see bench/lists.py):

- ``first_page_custom``: the first page of the customer list, newest first, for a user whose
  role's custom scope names every department below the company but the first (their users'
  records, and the user's own). "ours" is ``customers.list_page`` (session, security token,
  permission check, the scope filter, DTOs); "ref" one raw statement with the department ids
  written in, through the bare DB-API driver.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lists import COLUMNS, PAGE, paired_ms, raw, report  # noqa: E402

from crm_desktop.bootstrap import bootstrap  # noqa: E402
from crm_desktop.demo import company as demo  # noqa: E402
from crm_desktop.services.customers.customers import customers  # noqa: E402
from crm_desktop.services.org import auth, departments, roles, users  # noqa: E402
from crm_desktop.services.org.permissions import DataScope  # noqa: E402
from crm_desktop.services.org.roles import RoleInput  # noqa: E402
from crm_desktop.services.org.users import UserInput  # noqa: E402

ROLE = "bench-custom-scope"
MOBILE = "13600000999"
PASSWORD = "bench1234"

CUSTOM_SQL = """
SELECT {columns}
FROM customers c JOIN users owner ON owner.id = c.owner_id
WHERE c.deleted_at IS NULL
  AND (c.owner_id = :me OR c.owner_id IN (SELECT id FROM users WHERE department_id IN ({departments})))
ORDER BY c.updated_at DESC, c.id DESC LIMIT :n
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=20_000)
    parser.add_argument("--database")
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--keep", help="folder for the SQLite file (reused between runs)")
    args = parser.parse_args()
    folder = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="crm-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    url = args.database or f"sqlite:///{folder / f'bench-{args.customers}.sqlite3'}"
    db = bootstrap(url, create=True)
    if auth.needs_setup(db):
        t0 = time.perf_counter()
        demo.create_demo_company(db, users=60, customers=args.customers)
        print(f"# built {args.customers} customers in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    admin = auth.login(db, "13800000000", "admin1234")
    tree = departments.list_departments(db, admin)
    chosen = frozenset(d.id for d in tree[2:])  # all but the company and its first department
    role = next((r for r in roles.list_roles(db, admin) if r.name == ROLE), None)
    data = RoleInput(name=ROLE, permissions=frozenset({("customer", "view")}), scopes={"customer": DataScope.CUSTOM},
                     scope_departments={"customer": chosen})
    if role is None:
        role = roles.create_role(db, admin, data)
        users.create_user(db, admin, UserInput(mobile=MOBILE, name="自定义范围", department_id=tree[1].id,
                                               role_ids=(role.id,)), password=PASSWORD)
    else:
        roles.update_role(db, admin, role.id, data)
    viewer = auth.login(db, MOBILE, PASSWORD)
    print(f"# {db.backend}, custom scope over {len(chosen)} of {len(tree)} departments", file=sys.stderr)

    ours = lambda: customers.list_page(db, viewer, sort="updated_at", limit=PAGE)  # noqa: E731
    sql = CUSTOM_SQL.format(columns=COLUMNS, departments=", ".join(str(d) for d in sorted(chosen)))
    ref = raw(db, sql, me=viewer.user_id, n=PAGE + 1)
    got = [r.id for r in ours().rows]
    assert got and got == [r[0] for r in ref()][:PAGE], "the two queries disagree"
    report("first_page_custom", *paired_ms(ours, ref, args.runs))
    db.dispose()


if __name__ == "__main__":
    main()
