"""The import template of a module, generated from the importer's field schema (openpyxl).

One column per field the importer may import (custom fields included), headed by the field's
Chinese label; required columns marked with "*" and a red header; dictionary and fixed-choice
fields offer their values as a drop-down (a data validation over a hidden "选项" sheet); an
example row; each field's help text as the header cell's comment. Every header and example is
written as text. Thread rule: any thread (opens its own read-only unit of work).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from crm_desktop.services.imports.mapping import CONTACT_FIELDS, chinese_labels
from crm_desktop.services.imports.modules import module_spec
from crm_desktop.services.imports.prepare import Preparer
from crm_desktop.services.org.permissions import require
from crm_desktop.services.records.schema import FieldSpec, FieldType, schema_for
from crm_desktop.services.uow import read_only

if TYPE_CHECKING:
    from crm_desktop.db import Database
    from crm_desktop.services.org.actor import Actor

EXAMPLES: dict[FieldType, str] = {
    FieldType.PHONE: "0592-5551234", FieldType.EMAIL: "info@example.com", FieldType.URL: "https://example.com",
    FieldType.DATE: "2026-12-06", FieldType.DATETIME: "2026-12-06 09:30", FieldType.MONEY: "120000",
    FieldType.DECIMAL: "1.5", FieldType.INTEGER: "10", FieldType.PERCENT: "30%", FieldType.BOOLEAN: "是",
}
NAMED_EXAMPLES = {"name": "厦门星辰科技有限公司", "mobile": "13800001234", "province": "福建省", "city": "厦门市",
                  "district": "思明区", "address": "软件园二期观日路 1 号", "code": "P-0001", "contact_name": "张三",
                  "credit_code": "91350200MA2XXXXX1X"}
PSEUDO: dict[str, tuple[str, str]] = {
    "owner": ("负责人", "管理员"), "created_at": ("建档日期", "2026-12-06"),
    "contact.name": ("联系人", "张三"), "contact.mobile": ("联系电话", "13900001111"), "contact.position": ("职务", "经理"),
    "customer_ref": ("客户名称", "厦门星辰科技有限公司"), "category": ("产品分类", "设备/数控机床"),
    "stage": ("阶段", "需求确认"), "lost_reason": ("输单原因", ""), "contract_ref": ("合同编号", "HT-2026-0001"),
    "line.product": ("产品", "P-0001"), "line.quantity": ("数量", "2"), "line.price": ("单价", "48000"),
}


def _example(spec: FieldSpec, options: list[str]) -> str:
    if spec.name in NAMED_EXAMPLES:
        return NAMED_EXAMPLES[spec.name]
    if options:
        return options[0]
    return EXAMPLES.get(spec.type, "")


def write_template(db: Database, actor: Actor, entity: str, path: Path) -> Path:
    """Write ``entity``'s import template to ``path`` (xlsx); needs the import permission."""
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    module = module_spec(entity)
    zh = chinese_labels()
    columns: list[tuple[str, bool, str, list[str], str]] = []  # header, required, help, options, example
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, entity, "import")
        schema = schema_for(uow.session, uow.actor, entity)
        preparer = Preparer(uow.session, uow.actor, module, schema)
        for name, spec in preparer.importable().items():
            if spec is None:
                if name in PSEUDO and (entity == "customer" or name not in CONTACT_FIELDS):
                    header, example = PSEUDO[name]
                    columns.append((header, name in ("customer_ref", "contract_ref"), "", [], example))
                continue
            if not schema.can_edit(name):
                continue
            options: list[str] = []
            if spec.type in (FieldType.SELECT, FieldType.MULTISELECT):
                values, by_text = preparer._options_of(spec)
                labels = {v: k for k, v in by_text.items() if k != v}
                options = [labels.get(v, v) for v in sorted(values)]
            label = spec.import_aliases[0] if spec.import_aliases else zh.get(spec.label, spec.label)
            required = spec.required or name in module.service.required
            columns.append((label, required, spec.help_text, options, _example(spec, options)))
    book = Workbook()
    ws = book.active
    ws.title = "导入模板"
    lists = book.create_sheet("选项")
    lists.sheet_state = "hidden"
    red, bold = Font(bold=True, color="C00000"), Font(bold=True)
    for col, (header, required, help_text, options, example) in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=col, value=header + (" *" if required else ""))
        cell.data_type = "s"
        cell.font = red if required else bold
        if help_text:
            cell.comment = Comment(help_text, "CRM")
        sample = ws.cell(row=2, column=col, value=example)
        sample.data_type = "s"
        ws.column_dimensions[get_column_letter(col)].width = max(12, len(header) * 2 + 4)
        if options:
            letter = get_column_letter(col)
            for i, option in enumerate(options, start=1):
                lists.cell(row=i, column=col, value=option).data_type = "s"
            check = DataValidation(type="list", formula1=f"'选项'!${letter}$1:${letter}${len(options)}",
                                   allow_blank=True)
            check.add(f"{letter}2:{letter}10000")
            ws.add_data_validation(check)
    ws.freeze_panes = "A2"
    book.save(path)
    return path
