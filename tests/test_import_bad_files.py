"""Import (issue 14): bad files, generated here — each gets a clear message and nothing is ever
half imported (a file refused as a whole writes nothing; otherwise every row is in or out,
and the rows out are each reported with a reason). SQLite: the engine is the same on both
backends (test_import_service.py runs every rule on PostgreSQL too)."""
from __future__ import annotations

import random
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from openpyxl import Workbook

from crm_desktop.db import Database
from crm_desktop.services.customers.customers import customers
from crm_desktop.services.imports import engine as imp
from crm_desktop.services.imports.reading import FileProblem
from crm_desktop.services.org import auth, departments
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import DataScope
from crm_desktop.services.records.schema import FieldType
from crm_desktop.services.records.schema_admin import (
    CustomFieldInput,
    create_custom_field,
)
from tests.import_helpers import counts, person, xlsx

GOOD = ["甲公司", "13800001111"]


@dataclass(frozen=True)
class Case:
    """``make`` writes the file; a refused file expects ``message`` in the FileProblem; a file
    with bad rows expects ``created`` rows in and every other row out with ``message`` in its
    reason."""

    make: Callable[[Path], Path]
    message: str
    created: int | None = None
    entity: str = "customer"
    options: dict[str, object] | None = None


def raw(name: str, data: bytes) -> Callable[[Path], Path]:
    def make(tmp: Path) -> Path:
        (tmp / name).write_bytes(data)
        return tmp / name
    return make


def sheet(rows: list[list[object]], name: str = "f.xlsx", **kw: object) -> Callable[[Path], Path]:
    return lambda tmp: xlsx(tmp / name, rows, **kw)  # type: ignore[arg-type]


def customers_rows(*rows: list[object], head: tuple[str, ...] = ("客户名称", "手机")) -> list[list[object]]:
    return [list(head), GOOD, *[list(r) for r in rows]]


def _truncated(tmp: Path) -> Path:
    good = xlsx(tmp / "t.xlsx", customers_rows())
    data = good.read_bytes()
    good.write_bytes(data[: len(data) // 2])
    return good


def _docx(tmp: Path) -> Path:
    path = tmp / "letter.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return path


def _zip_without_workbook(tmp: Path) -> Path:
    path = tmp / "z.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("hello.txt", "hi")
    return path


def _huge_dimensions(tmp: Path) -> Path:
    book = Workbook()
    ws = book.active
    ws.append(["客户名称"])
    ws.cell(row=1_048_576, column=16_384, value="x")
    book.save(tmp / "huge.xlsx")
    return tmp / "huge.xlsx"


def _wide(tmp: Path) -> Path:
    book = Workbook()
    ws = book.active
    ws.append(["客户名称", *[f"列{i}" for i in range(600)]])
    ws.append(GOOD)
    book.save(tmp / "wide.xlsx")
    return tmp / "wide.xlsx"


def _million_and_one(tmp: Path) -> Path:
    path = tmp / "big.csv"
    with open(path, "w", encoding="utf-8") as f:
        f.write("客户名称\n")
        f.write("公司\n" * 1_000_101)
    return path


def _merged(tmp: Path) -> Path:
    book = Workbook()
    ws = book.active
    ws.append(["客户名称", "手机"])
    ws.append(["甲公司", "13800001111"])
    ws.append(["乙公司", "13800001112"])
    ws.append([None, "13800001113"])
    ws.merge_cells("A2:A4")  # the merged area keeps its value in the first cell only
    book.save(tmp / "merged.xlsx")
    return tmp / "merged.xlsx"


def _formula_only(tmp: Path) -> Path:
    book = Workbook()
    ws = book.active
    ws.append(["客户名称", "手机"])
    ws.append(GOOD)
    ws.append(['=CONCATENATE("乙","公司")', "13800001112"])  # a formula without a cached value
    book.save(tmp / "formula.xlsx")
    return tmp / "formula.xlsx"


def _csv(text: str, encoding: str = "utf-8", name: str = "f.csv") -> Callable[[Path], Path]:
    return raw(name, text.encode(encoding))


CSV_HEAD = "客户名称,手机\n甲公司,13800001111\n"

CASES: dict[str, Case] = {
    # --- refused as a whole ---------------------------------------------------------------------
    "empty xlsx": Case(raw("e.xlsx", b""), "empty"),
    "empty csv": Case(raw("e.csv", b""), "empty"),
    "bom only csv": Case(raw("b.csv", b"\xef\xbb\xbf"), "empty"),
    "blank lines csv": Case(raw("b.csv", b"\n\n\n"), "empty"),
    "header only xlsx": Case(sheet([["客户名称", "手机"]]), "no rows"),
    "header only csv": Case(_csv("客户名称,手机\n"), "no rows"),
    "empty sheet": Case(sheet([]), "empty"),
    "truncated xlsx": Case(_truncated, "damaged"),
    "renamed docx": Case(_docx, "Word document"),
    "zip without a workbook": Case(_zip_without_workbook, "not an Excel workbook"),
    "password protected": Case(raw("p.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096)), "password"),
    "random bytes xlsx": Case(raw("r.xlsx", random.Random(1).randbytes(5000)), "damaged"),
    "text renamed xls": Case(raw("t.xls", CSV_HEAD.encode()), "damaged"),
    "random bytes ods": Case(raw("r.ods", random.Random(2).randbytes(3000)), "damaged"),
    "pdf": Case(raw("f.pdf", b"%PDF-1.4"), "Choose an Excel"),
    "json": Case(raw("f.json", b"{}"), "Choose an Excel"),
    "no file": Case(lambda tmp: tmp / "missing.xlsx", "does not exist"),
    "1048576 x 16384 cells": Case(_huge_dimensions, "columns"),
    "600 columns": Case(_wide, "columns"),
    "1000001 rows": Case(_million_and_one, "1,000,000"),
    "mixed encodings": Case(lambda tmp: raw("m.csv", CSV_HEAD.encode() + "乙公司,13800001112\n".encode("gbk")
                                             + ("丙公司,13800001113\n" * 3).encode())(tmp), "encodings"),
    "bom in the middle": Case(raw("bom.csv", b"\xef\xbb\xbf" + CSV_HEAD.encode() + b"\xef\xbb\xbf" + CSV_HEAD.encode()),
                              "byte-order mark"),
    "nul bytes": Case(raw("nul.csv", CSV_HEAD.encode() + b"\x00\x00"), "NUL"),
    "binary csv": Case(raw("bin.csv", bytes(range(256)) * 4), "NUL"),
    "duplicate header names": Case(sheet([["客户名称", "电话", "电话"], ["甲公司", "1", "2"]]), "Several columns"),
    "required column missing": Case(sheet([["电话", "手机"], ["0592-1234567", "13800001111"]]), "required column"),
    "no header at all": Case(sheet([[None, None], [None, "x"]]), "required column"),
    "unknown sheet": Case(sheet(customers_rows()), "no sheet", options={"sheet": "别的表"}),
    "mapping to an unknown field": Case(sheet(customers_rows()), "unknown field",
                                        options={"mapping": {"客户名称": "name", "手机": "no_such_field"}}),
    "mapping twice to one field": Case(sheet(customers_rows()), "same field",
                                       options={"mapping": {"客户名称": "name", "手机": "name"}}),
    "mapping to a system field": Case(sheet(customers_rows()), "set by the system",
                                      options={"mapping": {"客户名称": "name", "手机": "deal_status"}}),
    "header row past the end": Case(sheet(customers_rows()), "past the end", options={"header_row": 9}),
    "all or nothing with a bad row": Case(sheet(customers_rows(["乙公司", "x"])), "all or nothing",
                                          options={"all_or_nothing": True}),
    "stop on a duplicate": Case(sheet(customers_rows(["老客户有限公司", None])), "stop",
                                options={"on_duplicate": "stop"}),
    "default owner out of scope": Case(sheet(customers_rows()), "scope", options={"owner": "stranger"}),
    # --- rows in or out, each bad one with its reason ---------------------------------------------
    "all rows failing": Case(sheet([["客户名称", "手机"], ["甲", "x1"], ["乙", "x2"]]), "mobile", created=0),
    "merged cells in the data": Case(_merged, "Required", created=1),
    "formula only cells": Case(_formula_only, "Required", created=1),
    "1 MB cell": Case(sheet(customers_rows(["乙" * 1_000_000, "13800001112"])), "32,767|Too long", created=1),
    "name too long": Case(sheet(customers_rows(["乙" * 300, "13800001112"])), "Too long", created=1),
    "dates before 1900": Case(sheet(customers_rows(["乙公司", None, "1899-12-31"],
                                                   head=("客户名称", "手机", "建档日期"))), "1900", created=1),
    "ambiguous dates": Case(sheet(customers_rows(["乙公司", None, "06/12/2026"], ["丙公司", None, "07/11/2026"],
                                                 head=("客户名称", "手机", "建档日期"))), "ambiguous", created=1),
    "not a date": Case(sheet(customers_rows(["乙公司", None, "下周"], head=("客户名称", "手机", "建档日期"))),
                       "date", created=1),
    "negative money": Case(sheet([["产品名称", "产品编码", "标准价格"], ["甲", "P1", "100"], ["乙", "P2", "-100"]]),
                           "Negative", created=1, entity="product"),
    "not money": Case(sheet([["产品名称", "产品编码", "标准价格"], ["甲", "P1", "100"], ["乙", "P2", "很贵"]]),
                      "number", created=1, entity="product"),
    "product code twice": Case(sheet([["产品名称", "产品编码"], ["甲", "P1"], ["乙", "P1"]]), "row 2",
                               created=1, entity="product"),
    "not yes or no": Case(sheet([["产品名称", "产品编码", "上架"], ["甲", "P1", "是"], ["乙", "P2", "也许"]]),
                          "yes or no", created=1, entity="product"),
    "duplicates within the file": Case(sheet(customers_rows(["甲公司", "13800001112"])), "row 2", created=1),
    "same mobile within the file": Case(sheet(customers_rows(["乙公司", "138 0000 1111"])), "row 2", created=1),
    "duplicate of an existing customer": Case(sheet(customers_rows(["老客户有限公司", None])), "Already exists",
                                              created=1),
    "owner who does not exist": Case(sheet(customers_rows(["乙公司", None, "查无此人"],
                                                          head=("客户名称", "手机", "负责人"))), "No enabled user",
                                     created=1),
    "owner outside scope": Case(sheet(customers_rows(["乙公司", None, "外人"], head=("客户名称", "手机", "负责人"))),
                                "scope", created=1),
    "dictionary value that does not exist": Case(sheet(customers_rows(["乙公司", None, "Z"],
                                                                      head=("客户名称", "手机", "客户级别"))),
                                                 "dictionary", created=1),
    "bad mobile": Case(sheet(customers_rows(["乙公司", "1380000111x"])), "mobile", created=1),
    "bad email": Case(sheet(customers_rows(["乙公司", None, "a@b"], head=("客户名称", "手机", "邮箱"))), "e-mail",
                      created=1),
    "blank name": Case(sheet(customers_rows(["   ", "13800001119"])), "Required", created=1),
    "contact of an unknown customer": Case(sheet([["姓名", "所属客户"], ["张三", "老客户有限公司"], ["李四", "无此公司"]]),
                                           "No customer", created=1, entity="contact"),
    "custom unique value taken twice": Case(sheet(customers_rows(["乙公司", None, "T1"], ["丙公司", None, "T1"],
                                                                 head=("客户名称", "手机", "税号"))), "row", created=2),
    "formula text kept as text": Case(sheet(customers_rows(["=cmd|' /C calc'!A0", None])), "", created=2),
    "totals row at the bottom": Case(sheet(customers_rows(["合计", None])), "", created=1),
    "gbk csv": Case(_csv("客户名称,手机\n甲公司,13800001111\n乙公司,bad\n", "gb18030"), "mobile", created=1),
    "utf-16 tab text": Case(_csv("客户名称\t手机\n甲公司\t13800001111\n乙公司\tbad\n", "utf-16", "u.txt"),
                            "mobile", created=1),
    "semicolon csv with bom": Case(raw("s.csv", b"\xef\xbb\xbf" + "客户名称;手机\n甲公司;13800001111\n乙公司;x\n".encode()),
                                   "mobile", created=1),
}


@pytest.fixture
def setup(sqlite_db: Database) -> Iterator[tuple[Database, Actor]]:
    admin = auth.setup_company(sqlite_db, company="星辰", admin_name="管理员", admin_mobile="13800000000",
                               password="admin1234")
    create_custom_field(sqlite_db, admin, "customer", CustomFieldInput(label="税号", type=FieldType.TEXT, unique=True))
    customers.create(sqlite_db, admin, {"name": "老客户有限公司"})
    yield sqlite_db, admin


def test_there_are_at_least_fifty_bad_files() -> None:
    assert len(CASES) >= 50


@pytest.mark.parametrize("name", list(CASES))
def test_bad_file(setup: tuple[Database, Actor], tmp_path: Path, name: str) -> None:
    db, admin = setup
    case = CASES[name]
    east = departments.create_department(db, admin, "华东", parent_id=admin.department_id).id
    west = departments.create_department(db, admin, "华西", parent_id=admin.department_id).id
    importer = person(db, admin, dept=east, actions=("import", "transfer"), scope=DataScope.DEPARTMENT)
    stranger = person(db, admin, dept=west, name="外人")
    options = dict(case.options or {})
    if options.pop("owner", None):
        options["owner_id"] = stranger.user_id
    actor = importer if case.entity == "customer" else admin
    path = case.make(tmp_path)
    before = counts(db)
    opts = imp.ImportOptions(entity=case.entity, **options)  # type: ignore[arg-type]
    if case.created is None:
        with pytest.raises(FileProblem) as err:
            imp.run_import(db, actor, path, opts)
        assert case.message in str(err.value), str(err.value)
        assert counts(db) == before, "nothing may be written"
        return
    result = imp.run_import(db, actor, path, opts)
    assert result.created == case.created, result.errors
    assert all(e.reason for e in result.errors)
    if case.message:
        assert result.failed + result.skipped >= 1
        assert any(m in e.reason for e in result.errors for m in case.message.split("|")) or (
            result.skipped and case.message == "Already exists"), result.errors
    after = counts(db)
    table = {"customer": "customers", "product": "products", "contact": "contacts"}[case.entity]
    assert after[table] - before[table] == result.created  # each row whole or not at all
