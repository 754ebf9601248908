"""A csv is imported as a stream, a segment at a time (issue 14's memory budget): the answers
are those of the same file planned whole, on both backends."""
from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from crm_desktop.db import Database
from crm_desktop.models import Contact, Customer, ImportBatch
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.imports import dedupe, reading
from crm_desktop.services.imports import engine as imp
from crm_desktop.services.imports.plan import Planner
from crm_desktop.services.imports.reading import FileProblem
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.records.duplicates import set_duplicate_check_mode
from crm_desktop.services.records.schema import FieldType
from crm_desktop.services.records.schema_admin import (
    CustomFieldInput,
    create_custom_field,
)
from tests.import_helpers import counts

HEAD = ["客户名称", "电话", "手机", "客户级别", "联系人", "联系电话", "建档日期", "税号"]


def _rows(n: int) -> list[list[str]]:
    """Customers with what crosses segments: names, phones and unique values repeated far
    apart, bad cells, empty rows, dates whose day/month order only a late row settles, and a
    totals row at the bottom."""
    rng = random.Random(5)
    out: list[list[str]] = []
    for i in range(n):
        row = [f"厦门{i}号贸易有限公司", f"0592-{5000000 + i}", f"139{i:08d}", rng.choice(("A", "B", "C")),
               f"联系人{i}", f"137{i:08d}", f"0{1 + i % 9}/0{1 + i % 7}/2020", f"TAX{i}"]
        if i % 17 == 9:
            row[0] = f"厦门{i - 8}号贸易有限公司"  # the name of a row in an earlier segment
        elif i % 23 == 11:
            row[2] = f"139{i - 10:08d}"  # an earlier row's mobile, written differently below
            row[2] = row[2][:3] + "-" + row[2][3:]
        elif i % 29 == 13:
            row[7] = f"TAX{i - 12}"  # an earlier row's unique value
        elif i % 31 == 5:
            row[2] = "13800x"  # a bad mobile
        elif i % 37 == 7:
            row = [""] * len(HEAD)  # an empty row
        out.append(row)
    out[-3][6] = "25/12/2020"  # day first: the whole column is read d/m
    out.append(["合计", "", "", "", "", "", "", ""])
    return out


def _csv(path: Path, rows: list[list[str]], encoding: str = "gb18030") -> Path:
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(HEAD)
        w.writerows(rows)
    return path


def _opts(**kw: Any) -> imp.ImportOptions:
    return imp.ImportOptions(entity="customer", remember_mapping=False, **kw)


def _snapshot(db: Database) -> list[tuple[Any, ...]]:
    with db.sessions() as s:
        found = [tuple(r) for r in s.execute(select(
            Customer.name, Customer.phone, Customer.mobile, Customer.level, Customer.created_at, Customer.custom,
            Customer.owner_id, Customer.normalized_name).order_by(Customer.name))]
        found += [tuple(r) for r in s.execute(select(Contact.name, Contact.mobile).order_by(Contact.name))]
    return found


def _tax(db: Database, admin: Actor) -> None:
    create_custom_field(db, admin, "customer", CustomFieldInput(label="税号", type=FieldType.TEXT, unique=True))


def _same(a: imp.ImportResult | imp.DryRunResult, b: imp.ImportResult | imp.DryRunResult) -> None:
    assert sorted(a.errors, key=lambda e: (e.row, e.column)) == sorted(b.errors, key=lambda e: (e.row, e.column))


@pytest.mark.parametrize(("policy", "worker"), [("skip", False), ("update", False), ("create", False),
                                               ("skip", True), ("update", True)])
def test_a_streamed_csv_imports_as_the_whole_file_does(db: Database, admin: Actor, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch, policy: str,
                                                      worker: bool) -> None:
    """Streamed in nine segments (planned here, or by the worker process a segment ahead of the
    writes): the same rows fail for the same reasons, the database ends the same."""
    _tax(db, admin)
    old = customers.create(db, admin, {"name": "厦门40号贸易有限公司", "phone": "0592-1234567", "remark": "老"})
    rows = _rows(300)
    path = _csv(tmp_path / "c.csv", rows)
    options = _opts(on_duplicate=policy, batch_size=16)
    monkeypatch.setattr(imp, "SEGMENT_ROWS", 10**9)
    whole_dry = imp.dry_run(db, admin, path, options)
    whole = imp.run_import(db, admin, path, options)
    assert whole.created > 200 and whole.failed > 10
    assert whole_dry.new == whole.created and whole_dry.failed == whole.failed
    expected = _snapshot(db)
    imp.undo_import(db, admin, whole.batch_id)
    assert counts(db)["customers"] == 1
    monkeypatch.setattr(imp, "SEGMENT_ROWS", 37)  # nine segments
    if worker:
        monkeypatch.setattr(imp, "PARALLEL_ROWS", 0)
        monkeypatch.setattr(imp, "_spare_core", lambda: True)
    dry = imp.dry_run(db, admin, path, options)
    assert (dry.new, dry.updated, dry.skipped, dry.failed) == (
        whole_dry.new, whole_dry.updated, whole_dry.skipped, whole_dry.failed)
    assert dry.diffs == whole_dry.diffs and dry.preview == whole_dry.preview
    _same(dry, whole_dry)
    streamed = imp.run_import(db, admin, path, options)
    assert (streamed.created, streamed.updated, streamed.skipped, streamed.failed, streamed.failed_rows) == (
        whole.created, whole.updated, whole.skipped, whole.failed, whole.failed_rows)
    _same(streamed, whole)
    assert _snapshot(db) == expected
    with db.sessions() as s:
        batch = s.get(ImportBatch, streamed.batch_id)
        assert batch is not None and (batch.status, batch.rows_done, batch.total_rows) == ("done", 301, 301)
    imp.undo_import(db, admin, streamed.batch_id)
    assert counts(db)["customers"] == 1 and customers.get(db, admin, old.id).values["remark"] == "老"


def test_create_anyway_in_block_mode_does_not_match_what_the_import_itself_wrote(
        db: Database, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    set_duplicate_check_mode(db, admin, "block")
    path = _csv(tmp_path / "c.csv", [[f"公司{i % 50}号", "", "", "", "", "", "", ""] for i in range(120)])
    monkeypatch.setattr(imp, "SEGMENT_ROWS", 30)
    result = imp.run_import(db, admin, path, _opts(on_duplicate="create", batch_size=7))
    assert (result.created, result.failed) == (120, 0)  # as the whole file: its own rows are no "existing" records


@pytest.mark.parametrize("worker", [False, True])
def test_all_or_nothing_reads_a_streamed_csv_twice(db: Database, admin: Actor, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch, worker: bool) -> None:
    monkeypatch.setattr(imp, "SEGMENT_ROWS", 25)
    monkeypatch.setattr(imp, "PARALLEL_ROWS", 0 if worker else 10**9)
    monkeypatch.setattr(imp, "_spare_core", lambda: True)
    good = [[f"公司{i}号", "", f"139{i:08d}", "", "", "", "", ""] for i in range(100)]
    bad = [*good, [f"公司{7}号", "", "", "", "", "", "", ""]]  # repeats row 9, in the last segment
    before = counts(db)
    with pytest.raises(FileProblem) as err:
        imp.run_import(db, admin, _csv(tmp_path / "bad.csv", bad), _opts(all_or_nothing=True))
    assert "1 rows" in str(err.value)
    assert counts(db) == before
    result = imp.run_import(db, admin, _csv(tmp_path / "good.csv", good), _opts(all_or_nothing=True, batch_size=10))
    assert (result.created, result.failed) == (100, 0)


@pytest.mark.parametrize("worker", [False, True])
def test_a_streamed_import_resumes_where_it_stopped(db: Database, admin: Actor, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch, worker: bool) -> None:
    monkeypatch.setattr(imp, "SEGMENT_ROWS", 9)
    monkeypatch.setattr(imp, "PARALLEL_ROWS", 0 if worker else 10**9)
    monkeypatch.setattr(imp, "_spare_core", lambda: True)
    rows = [[f"公司{i}号", "", f"139{i:08d}", "", "", "", "", ""] for i in range(40)]
    rows[30][2] = rows[3][2]  # repeats an earlier segment's mobile, written before the stop
    path = _csv(tmp_path / "r.csv", rows)
    steps = imp.import_steps(db, admin, path, _opts(batch_size=4))
    assert [next(steps) for _ in range(4)][-1] == (13, 40, "")  # 9 + 4
    steps.close()
    with db.sessions() as s:
        batch = s.scalars(select(ImportBatch)).one()
        assert (batch.status, batch.rows_done, batch.created_count) == ("interrupted", 13, 13)
    result = imp.resume_import(db, admin, batch.id)
    assert (result.created, result.failed, result.skipped) == (26, 0, 1)  # row 31's mobile is in the database now
    assert counts(db)["customers"] == 39


def test_a_csv_is_never_read_whole(db: Database, admin: Actor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The import streams the file: no call reads it into a Table, and each plan gets at most
    a segment of rows."""
    path = _csv(tmp_path / "c.csv", _rows(200), encoding="utf-8")

    def whole(*_a: Any, **_k: Any) -> None:
        raise AssertionError("the csv was read whole")

    monkeypatch.setattr(reading, "read_table", whole)
    monkeypatch.setattr(imp, "read_table", whole)
    monkeypatch.setattr(imp, "SEGMENT_ROWS", 30)
    sizes: list[int] = []
    plan = Planner.plan

    def spy(self: Planner, session: Any, actor: Actor, rows: list[Any], **kw: Any) -> Any:
        sizes.append(len(rows))
        return plan(self, session, actor, rows, **kw)

    monkeypatch.setattr(Planner, "plan", spy)
    result = imp.run_import(db, admin, path, _opts())
    assert result.created > 150
    assert max(sizes) == 30 and sum(sizes) == 201
    info = imp.inspect_file(db, admin, path, entity="customer")
    assert info.header_row == 0 and len(info.preview) == 10
    out = imp.write_error_file(path, result, tmp_path / "errors.xlsx")
    assert out.exists()


def test_a_text_table_is_read_as_read_table_did(tmp_path: Path) -> None:
    text = "标题,,\n\n客户名称,手机,备注\n甲,1,\n乙,2, \n,,\n\n"
    for encoding in ("utf-8", "utf-8-sig", "gb18030", "utf-16"):
        path = tmp_path / f"t-{encoding}.csv"
        path.write_text(text, encoding=encoding)
        table = reading.TextTable(path)
        assert (table.height, table.width) == (5, 3)
        assert list(table.iter_rows()) == [["标题", None, None], [None, None, None], ["客户名称", "手机", "备注"],
                                           ["甲", "1", None], ["乙", "2", " "]]
        assert list(table.iter_rows(3)) == list(table.iter_rows())[3:]
        assert reading.read_table(path).rows == list(table.iter_rows())


def test_first_rows_answers_as_a_dict() -> None:
    rng = random.Random(3)
    table = dedupe.FirstRows(capacity=10)  # grows many times
    reference: dict[tuple[str, str], int] = {}
    for row in range(20000):
        key = ("phone", str(rng.randrange(15000)))
        assert table.first(key, row) == reference.get(key)
        reference.setdefault(key, row)


def test_the_worker_process_reports_a_file_problem(db: Database, admin: Actor, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A problem found by the worker (the stop policy meets an existing record in a later
    segment) reaches the caller as the same FileProblem, and nothing is written."""
    customers.create(db, admin, {"name": "公司70号"})
    monkeypatch.setattr(imp, "SEGMENT_ROWS", 20)
    monkeypatch.setattr(imp, "PARALLEL_ROWS", 0)
    monkeypatch.setattr(imp, "_spare_core", lambda: True)
    path = _csv(tmp_path / "s.csv", [[f"公司{i}号", "", "", "", "", "", "", ""] for i in range(100)])
    before = counts(db)
    with pytest.raises(FileProblem) as err:
        imp.dry_run(db, admin, path, _opts(on_duplicate="stop"))
    assert err.value.params == {"row": 72} and "Row 72" in str(err.value)
    with pytest.raises(FileProblem) as err:
        imp.run_import(db, admin, path, _opts(on_duplicate="stop", batch_size=10))
    assert err.value.params == {"row": 72}
    assert counts(db) == before  # "nothing was imported": not the segments before the match either


def test_a_worker_that_cannot_start_leaves_the_planning_here(db: Database, admin: Actor, tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imp, "SEGMENT_ROWS", 20)
    monkeypatch.setattr(imp, "PARALLEL_ROWS", 0)
    monkeypatch.setattr(imp, "_spare_core", lambda: True)
    monkeypatch.setattr(imp.sys, "executable", "/bin/false")  # exits at once, reading nothing
    path = _csv(tmp_path / "w.csv", [[f"公司{i}号", "", "", "", "", "", "", ""] for i in range(50)])
    assert imp.run_import(db, admin, path, _opts()).created == 50
