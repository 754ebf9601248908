"""Finding the header row and mapping its columns to fields (pure; any thread).

A column maps to a field by, in order: the field's label (English or the shipped Chinese
translation), one of its import aliases, the same pinyin initials, then fuzzy similarity
(rapidfuzz). The header row is the row among the first ones that names most fields; title
rows and merged title cells above it are skipped.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from xml.etree import ElementTree

from crm_desktop.paths import resource_path
from crm_desktop.services.imports.values import text_of
from crm_desktop.services.records.pinyin import initials
from crm_desktop.services.records.schema import FieldSpec

#: Rows looked at for the header (title rows, a blank row, notes above the table).
HEADER_SCAN = 20
#: Fuzzy matches below this score (0-100) are not offered.
FUZZY_MIN = 80

#: Pseudo-fields of the customer import: the primary contact on the customer's row.
CONTACT_FIELDS: dict[str, tuple[str, ...]] = {
    "contact.name": ("联系人", "联系人姓名", "Contact", "Contact person", "Contact name"),
    "contact.mobile": ("联系电话", "联系人手机", "联系人电话", "Contact phone", "Contact mobile"),
    "contact.position": ("职务", "职位", "联系人职务", "Position", "Title"),
}
#: The owner column (负责人) of every module.
OWNER_ALIASES = ("负责人", "所属员工", "销售", "业务员", "跟进人", "Owner")
#: A full address ("福建省厦门市思明区…") split into region and address.
ADDRESS_ALIASES = ("地址", "详细地址", "公司地址", "Address")
#: A product's category (name or path "设备/数控机床").
CATEGORY_ALIASES = ("产品分类", "分类", "类别", "Category")
#: Contacts: their customer by name, credit code or phone.
CUSTOMER_REF_ALIASES = ("客户名称", "所属客户", "公司名称", "客户", "Customer")
#: An opportunity's stage by name (or 赢单 / 输单 / 无效), and why it was lost.
STAGE_ALIASES = ("阶段", "商机阶段", "销售阶段", "Stage")
LOST_REASON_ALIASES = ("输单原因", "丢单原因", "Lost reason")
#: A payment's contract by number or name.
CONTRACT_REF_ALIASES = ("合同编号", "合同", "合同名称", "所属合同", "Contract", "Contract number")
#: One product line per contract row (rows with the same contract number add lines).
LINE_FIELDS: dict[str, tuple[str, ...]] = {
    "line.product": ("产品", "产品名称", "产品编码", "商品", "商品名称", "Product"),
    "line.quantity": ("数量", "Quantity"),
    "line.price": ("单价", "售价", "成交单价", "Price", "Unit price"),
}
#: A kept creation time (建档日期 / 创建时间).
CREATED_ALIASES = ("建档日期", "创建时间", "创建日期", "录入时间", "Created")


def normalize_header(text: str) -> str:
    """"客户名称（必填）*" → "客户名称": width, case, spaces, required marks and notes dropped."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    text = re.sub(r"[(\[][^)\]]*[)\]]", "", text)  # (必填), [单位: 元]
    return re.sub(r"[\s*:：_\-]+", "", text)


@lru_cache(maxsize=1)
def chinese_labels() -> dict[str, str]:
    """English field label → its shipped Chinese translation (context "fields")."""
    labels: dict[str, str] = {}
    try:
        tree = ElementTree.parse(resource_path("i18n", "crm_desktop_zh_CN.ts"))
    except (OSError, ElementTree.ParseError):
        return labels
    for context in tree.getroot().iter("context"):
        if context.findtext("name") != "fields":
            continue
        for message in context.iter("message"):
            source, target = message.findtext("source"), message.findtext("translation")
            if source and target:
                labels[source] = target
    return labels


@dataclass(frozen=True)
class Target:
    """Something a column can be mapped to: a field name or a pseudo-field, and its names."""

    name: str
    names: tuple[str, ...]


def targets_for(fields: Sequence[FieldSpec], extra: Mapping[str, Sequence[str]]) -> list[Target]:
    zh = chinese_labels()
    found = [Target(f.name, (f.label, zh.get(f.label, ""), *f.import_aliases)) for f in fields]
    found += [Target(name, tuple(aliases)) for name, aliases in extra.items()]
    return found


@dataclass(frozen=True)
class ColumnMatch:
    column: int
    header: str
    target: str | None
    #: label · alias · pinyin · fuzzy · remembered · given · none
    how: str
    score: float = 100.0


def match_columns(headers: Sequence[str], targets: Sequence[Target]) -> list[ColumnMatch]:
    """Each column's best target; a target goes to the first column that matches it best."""
    from rapidfuzz import fuzz

    exact: dict[str, str] = {}
    by_initials: dict[str, str] = {}
    for t in targets:
        for i, n in enumerate(t.names):
            if not n:
                continue
            exact.setdefault(normalize_header(n), t.name)
            if i <= 1 and (ini := initials(n)):
                by_initials.setdefault(ini, t.name)
    taken: set[str] = set()
    result: list[ColumnMatch] = []
    for col, header in enumerate(headers):
        key = normalize_header(header)
        target, how, score = None, "none", 0.0
        if not key:
            pass
        elif key in exact:
            target, how, score = exact[key], "label", 100.0
        elif (ini := initials(header)) and ini in by_initials:
            target, how, score = by_initials[ini], "pinyin", 90.0
        else:
            best: tuple[float, str | None] = (0.0, None)
            for norm, name in exact.items():
                s = fuzz.ratio(key, norm)
                if s > best[0]:
                    best = (s, name)
            if best[1] is not None and best[0] >= FUZZY_MIN:
                target, how, score = best[1], "fuzzy", best[0]
        if target in taken:
            target, how = None, "none"
        if target is not None:
            taken.add(target)
        result.append(ColumnMatch(col, header, target, how, score))
    return result


def header_signature(headers: Sequence[str]) -> str:
    """The key a remembered mapping is stored under: the same headers, in any order."""
    joined = "\x1f".join(sorted(normalize_header(h) for h in headers if h))
    return hashlib.sha1(joined.encode()).hexdigest()


def find_header_row(rows: Sequence[Sequence[Any]], targets: Sequence[Target]) -> int:
    """The index of the header row: among the first rows, the one naming most targets;
    without any such row, the first row with at least two text cells (title rows and merged
    title cells, which fill one cell, are skipped)."""
    names = {normalize_header(n) for t in targets for n in t.names if n}
    best, best_score = None, 0
    first_texty = None
    for i, row in enumerate(rows[:HEADER_SCAN]):
        texts = [text_of(c) for c in row if isinstance(c, str) and c.strip()]
        if first_texty is None and len(texts) >= 2:
            first_texty = i
        score = sum(normalize_header(t) in names for t in texts)
        if score > best_score:
            best, best_score = i, score
    if best is not None:
        return best
    return first_texty if first_texty is not None else 0


def header_texts(row: Sequence[Any]) -> list[str]:
    return [text_of(c) for c in row]


#: First cells of a totals row at the bottom of a list (not a record).
TOTALS = ("合计", "总计", "小计", "total", "sum")


def is_totals_row(row: Sequence[Any]) -> bool:
    first = next((text_of(c) for c in row if c not in (None, "")), "")
    return first.replace(" ", "").lower().startswith(TOTALS)
