"""The import and the dashboard rollup (issue 14): on SQLite the import bypasses the rollup's
insert trigger inside its write transaction and adds each chunk with one grouped upsert derived
from the trigger's own SQL; on PostgreSQL the trigger runs. Either way the rollup after an
import, after its undo and after later writes equals its recomputation from the records."""
from __future__ import annotations

from pathlib import Path

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.dashboard.rollup import grouped_insert_sql, insert_trigger
from crm_desktop.services.imports import engine as imp
from crm_desktop.services.org.actor import Actor
from tests import test_dashboard_property as rollup_checks
from tests.import_helpers import person, xlsx

HEAD = ["客户名称", "手机", "联系人", "联系电话", "建档日期", "负责人"]


def test_the_rollup_after_an_import_and_its_undo_is_its_recomputation(db: Database, admin: Actor,
                                                                     tmp_path: Path) -> None:
    if db.backend == "sqlite":  # the bypass is taken: the real trigger is of the shape it reads
        for table in ("customers", "contacts"):
            with db.engine.connect() as conn:
                ddl = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = ?",
                                           (insert_trigger(table),)).scalar()
            assert ddl is not None and grouped_insert_sql(ddl, table) is not None
    rep = person(db, admin, dept=admin.department_id, name="李娜")
    customers.create(db, admin, {"name": "已有客户有限公司"})
    days = ["2024/3/5", "2024/3/31", "2024/4/1", "2025/12/31", "2026/1/1", None]
    rows: list[list[object]] = []
    for i in range(40):
        rows.append([f"第{i}号贸易有限公司", f"1380000{i:04d}", f"联系人{i}" if i % 3 else None,
                     f"1390000{i:04d}", days[i % len(days)], ("管理员", "李娜", None)[i % 3]])
    rows[7][1] = "13800x"  # a bad row: not written
    rows.append(["已有客户有限公司", None, None, None, None, None])  # a duplicate: skipped
    f = xlsx(tmp_path / "r.xlsx", [HEAD, *rows])
    # Small chunks: several grouped upserts land on the same rollup rows.
    result = imp.run_import(db, admin, f, imp.ImportOptions(entity="customer", on_duplicate="skip", batch_size=7))
    assert (result.created, result.failed, result.skipped) == (39, 1, 1)
    assert rep.user_id != admin.user_id
    rollup_checks.assert_rollup_exact(db)
    rollup_checks.test_rollup_triggers_are_in_place(db)  # re-created in the import's transaction
    customers.create(db, admin, {"name": "导入之后的客户"})  # the trigger counts again
    rollup_checks.assert_rollup_exact(db)
    imp.undo_import(db, admin, result.batch_id)
    rollup_checks.assert_rollup_exact(db)
    again = imp.run_import(db, admin, f, imp.ImportOptions(entity="customer", on_duplicate="skip"))
    assert again.created == 39
    rollup_checks.assert_rollup_exact(db)


def test_an_unknown_trigger_shape_gives_no_grouped_statement() -> None:
    """A trigger this does not recognise is left to run row by row (None), never half read."""
    assert grouped_insert_sql("CREATE TRIGGER t AFTER INSERT ON customers BEGIN\n  SELECT 1;\nEND", "customers") is None
    assert grouped_insert_sql("CREATE TRIGGER t AFTER INSERT ON customers BEGIN\nEND", "customers") is None
    upsert = ("INSERT INTO dashboard_rollup (measure, record_count) SELECT 'x', 1 WHERE NEW.deleted_at IS NULL "
              "ON CONFLICT (measure) DO UPDATE SET record_count = record_count + excluded.record_count;")
    made = grouped_insert_sql(f"CREATE TRIGGER t AFTER INSERT ON customers BEGIN\n  {upsert}\nEND", "customers")
    assert made is not None and "NEW.id BETWEEN :first_id AND :last_id" in made
    assert grouped_insert_sql(f"CREATE TRIGGER t AFTER INSERT ON customers BEGIN\n  {upsert}\nEND", "x; DROP") is None
