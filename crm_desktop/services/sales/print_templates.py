"""Print templates (打印模板): per document kind, stored as company settings, rendered to HTML.

Promises (thread rule: any thread; each database call is one unit of work):

- A template is HTML with placeholders: ``{{name}}`` for a field of the document and one
  ``{{#lines}} … {{/lines}}`` block repeated per product line (``{{line.product}}`` …
  inside it). ``PLACEHOLDERS`` and ``LINE_PLACEHOLDERS`` name them all, with a description.
- ``render_html(template, document)`` fills it in: every record value is HTML-escaped
  (line breaks become ``<br/>``), so a value can never add markup to the page. ``{{logo}}``
  becomes an image of ``LOGO_URL`` when the company has a logo (the caller adds the image
  to the document under that name), else nothing. Money prints as 98,000.00 (the total with
  ¥ in front); a hidden value prints empty.
- ``get_template(db, actor, kind, language=…)``: the stored template, else the default one
  in ``language`` (zh_CN or en); any user who may view the kind's records (contract,
  opportunity for a quotation) or manage settings may read it.
- ``save_template`` / ``reset_template`` and ``set_logo`` / ``clear_logo`` need the settings
  management permission ("setting"/"manage"). A template with an unknown placeholder or an
  unclosed lines block is refused with a message naming it; a logo must be a PNG, JPEG, GIF
  or BMP picture of at most ``MAX_LOGO_BYTES``. ``get_logo`` is open to any signed-in user.
- ``sample_document(kind)`` is a made-up document for the template editor's preview.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Setting
from crm_desktop.services.errors import PermissionDenied, RuleViolation, ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.sales.chinese_amount import amount_in_words
from crm_desktop.services.sales.print_data import (
    KINDS,
    PrintDocument,
    PrintLine,
    PrintParty,
)
from crm_desktop.services.sales.print_defaults import DEFAULT_TEMPLATES
from crm_desktop.services.uow import read_only, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

#: The module whose "view" permission reads a kind's template.
KIND_MODULES: Mapping[str, str] = {"contract": "contract", "quotation": "opportunity"}
LANGUAGES = ("zh_CN", "en")
TEMPLATE_KEY = "print_template.{kind}"
LOGO_KEY = "print_logo"
#: The name the rendered HTML gives the logo image (the caller registers the picture under it).
LOGO_URL = "crm-print-logo"
MAX_TEMPLATE_CHARS = 200_000
#: A logo is read with every printed page: keep it a logo, not a photograph.
MAX_LOGO_BYTES = 512 * 1024
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"BM")

#: Document placeholders → what they stand for (untranslated, context "print").
PLACEHOLDERS: Mapping[str, str] = {
    "company_name": QT_TRANSLATE_NOOP("print", "Our company's name"),
    "logo": QT_TRANSLATE_NOOP("print", "Our company's logo (a picture)"),
    "number": QT_TRANSLATE_NOOP("print", "Contract number"),
    "name": QT_TRANSLATE_NOOP("print", "Contract or opportunity name"),
    "customer_name": QT_TRANSLATE_NOOP("print", "Customer name"),
    "customer_address": QT_TRANSLATE_NOOP("print", "Customer address"),
    "customer_phone": QT_TRANSLATE_NOOP("print", "Customer phone"),
    "customer_mobile": QT_TRANSLATE_NOOP("print", "Customer mobile"),
    "customer_email": QT_TRANSLATE_NOOP("print", "Customer e-mail"),
    "contact_name": QT_TRANSLATE_NOOP("print", "Customer's contact (the signer of a contract)"),
    "contact_position": QT_TRANSLATE_NOOP("print", "Contact's position"),
    "contact_phone": QT_TRANSLATE_NOOP("print", "Contact's phone"),
    "contact_mobile": QT_TRANSLATE_NOOP("print", "Contact's mobile"),
    "contact_email": QT_TRANSLATE_NOOP("print", "Contact's e-mail"),
    "our_signer": QT_TRANSLATE_NOOP("print", "Our signer (a quotation: its owner)"),
    "owner_name": QT_TRANSLATE_NOOP("print", "Owner"),
    "order_date": QT_TRANSLATE_NOOP("print", "Order date"),
    "start_date": QT_TRANSLATE_NOOP("print", "Start date"),
    "end_date": QT_TRANSLATE_NOOP("print", "End date"),
    "expected_close_date": QT_TRANSLATE_NOOP("print", "Expected close date"),
    "payment_terms": QT_TRANSLATE_NOOP("print", "Payment terms"),
    "remark": QT_TRANSLATE_NOOP("print", "Remark"),
    "print_date": QT_TRANSLATE_NOOP("print", "Today's date"),
    "total": QT_TRANSLATE_NOOP("print", "Total amount, with ¥"),
    "total_in_words": QT_TRANSLATE_NOOP("print", "Total in Chinese capitals (玖万捌仟元整)"),
    "line_count": QT_TRANSLATE_NOOP("print", "Number of product lines"),
}
#: Placeholders inside ``{{#lines}} … {{/lines}}``.
LINE_PLACEHOLDERS: Mapping[str, str] = {
    "line.no": QT_TRANSLATE_NOOP("print", "Line number (1, 2, …)"),
    "line.product": QT_TRANSLATE_NOOP("print", "Product name"),
    "line.code": QT_TRANSLATE_NOOP("print", "Product code"),
    "line.unit": QT_TRANSLATE_NOOP("print", "Unit"),
    "line.quantity": QT_TRANSLATE_NOOP("print", "Quantity"),
    "line.price": QT_TRANSLATE_NOOP("print", "Unit price"),
    "line.discount": QT_TRANSLATE_NOOP("print", "Discount (%)"),
    "line.amount": QT_TRANSLATE_NOOP("print", "Line amount"),
    "line.remark": QT_TRANSLATE_NOOP("print", "Line remark"),
}
LINES_START, LINES_END = "{{#lines}}", "{{/lines}}"
_PLACEHOLDER = re.compile(r"\{\{\s*([#/]?[A-Za-z_][A-Za-z0-9_.]*)\s*\}\}")


@dataclass(frozen=True)
class TemplateDTO:
    kind: str
    html: str
    #: True: nothing stored, this is the default template in the asked language.
    is_default: bool


# --- values as they print ---------------------------------------------------------------------


def format_money(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value is not None else ""


def _escaped(text: str) -> str:
    return escape(text).replace("\r\n", "\n").replace("\n", "<br/>")


def document_values(document: PrintDocument) -> dict[str, str]:
    """Every document placeholder's text (not escaped; ``logo`` excluded)."""
    customer, contact = document.customer, document.contact
    return {
        "company_name": document.company_name, "number": document.number, "name": document.name,
        "customer_name": customer.name, "customer_address": customer.address, "customer_phone": customer.phone,
        "customer_mobile": customer.mobile, "customer_email": customer.email,
        "contact_name": contact.name, "contact_position": contact.position, "contact_phone": contact.phone,
        "contact_mobile": contact.mobile, "contact_email": contact.email,
        "our_signer": document.our_signer, "owner_name": document.owner_name,
        "order_date": _date(document.order_date), "start_date": _date(document.start_date),
        "end_date": _date(document.end_date), "expected_close_date": _date(document.expected_close_date),
        "payment_terms": document.payment_terms, "remark": document.remark, "print_date": _date(document.print_date),
        "total": f"¥{format_money(document.total)}" if document.total is not None else "",
        "total_in_words": document.total_in_words, "line_count": str(len(document.lines)),
    }


def line_values(line: PrintLine) -> dict[str, str]:
    """Every line placeholder's text (not escaped)."""
    return {
        "line.no": str(line.position), "line.product": line.product, "line.code": line.code, "line.unit": line.unit,
        "line.quantity": _number(line.quantity), "line.price": format_money(line.price),
        "line.discount": f"{_number(line.discount)}%" if line.discount else "",
        "line.amount": format_money(line.amount), "line.remark": line.remark,
    }


# --- checking and rendering -------------------------------------------------------------------


def check_template(html: str) -> None:
    """Refuse a template Qt could not fill: unknown placeholders, a lines block not closed
    (or nested), a line placeholder outside the block, a document one inside it is fine."""
    if len(html) > MAX_TEMPLATE_CHARS:
        raise ValidationError({"template": QT_TRANSLATE_NOOP("errors", "The template is too long.")})
    inside = False
    for match in _PLACEHOLDER.finditer(html):
        name = match.group(1)
        if name == "#lines":
            if inside:
                raise RuleViolation(QT_TRANSLATE_NOOP("errors", "A lines block cannot hold another one."))
            inside = True
        elif name == "/lines":
            if not inside:
                raise RuleViolation(QT_TRANSLATE_NOOP("errors", "{name} closes a lines block that was not opened."),
                                    name=LINES_END)
            inside = False
        elif name in LINE_PLACEHOLDERS:
            if not inside:
                raise RuleViolation(QT_TRANSLATE_NOOP(
                    "errors", "{name} stands for a product line: put it between {start} and {end}."),
                    name=match.group(0), start=LINES_START, end=LINES_END)
        elif name not in PLACEHOLDERS:
            raise RuleViolation(QT_TRANSLATE_NOOP("errors", "The template uses an unknown placeholder: {name}."),
                                name=match.group(0))
    if inside:
        raise RuleViolation(QT_TRANSLATE_NOOP("errors", "The lines block is not closed: add {end}."), end=LINES_END)


def _fill(text: str, values: Mapping[str, str], extra: Callable[[str], str | None] | None = None) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if extra is not None and (special := extra(name)) is not None:
            return special
        return _escaped(values[name]) if name in values else ""

    return _PLACEHOLDER.sub(one, text)


def render_html(template: str, document: PrintDocument, *, has_logo: bool = False) -> str:
    """The template filled in with the document (see the module docstring). A template that
    ``check_template`` refuses still renders: unknown placeholders print empty."""
    values = document_values(document)
    logo = f'<img src="{LOGO_URL}" height="56"/>' if has_logo else ""

    def special(name: str) -> str | None:
        return logo if name == "logo" else None

    out: list[str] = []
    rest = template
    while True:
        match = re.search(r"\{\{\s*#lines\s*\}\}", rest)
        end = re.search(r"\{\{\s*/lines\s*\}\}", rest[match.end():]) if match else None
        if match is None or end is None:
            out.append(_fill(rest, values, special))
            break
        out.append(_fill(rest[:match.start()], values, special))
        block = rest[match.end():match.end() + end.start()]
        for line in document.lines:
            out.append(_fill(block, {**values, **line_values(line)}, special))
        rest = rest[match.end() + end.end():]
    return "".join(out)


# --- stored templates and the logo ------------------------------------------------------------


def _put_setting(db: Database, actor: Actor, key: str, value: object) -> None:
    """Store (or, with None, forget) one of the settings this module keeps; setting/manage."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        row = uow.session.get(Setting, key)
        if value is None:
            if row is not None:
                uow.session.delete(row)
        elif row is None:
            uow.session.add(Setting(key=key, value=value))
        else:
            row.value = value


def _check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise ValidationError({"kind": QT_TRANSLATE_NOOP("errors", "Choose a listed value.")})
    return kind


def default_template(kind: str, language: str = "zh_CN") -> str:
    """The template a company starts with, in ``language`` (Chinese for any other)."""
    return DEFAULT_TEMPLATES[(_check_kind(kind), language if language in LANGUAGES else "zh_CN")]


def get_template(db: Database, actor: Actor, kind: str, *, language: str = "zh_CN") -> TemplateDTO:
    """The kind's stored template, else the default one in ``language``."""
    _check_kind(kind)
    with read_only(db, actor) as uow:
        assert uow.actor is not None
        if not (uow.actor.can(KIND_MODULES[kind], "view") or uow.actor.can("setting", "manage")):
            raise PermissionDenied(KIND_MODULES[kind], "view")
        row = uow.session.get(Setting, TEMPLATE_KEY.format(kind=kind))
        if row is not None and isinstance(row.value, str) and row.value.strip():
            return TemplateDTO(kind, row.value, False)
        return TemplateDTO(kind, default_template(kind, language), True)


def save_template(db: Database, actor: Actor, kind: str, html: str) -> TemplateDTO:
    """Store the kind's template (checked first: nothing is stored when it is refused)."""
    _check_kind(kind)
    if not html.strip():
        raise ValidationError({"template": QT_TRANSLATE_NOOP("errors", "Required.")})
    check_template(html)
    _put_setting(db, actor, TEMPLATE_KEY.format(kind=kind), html)
    return TemplateDTO(kind, html, False)


def reset_template(db: Database, actor: Actor, kind: str) -> None:
    """Forget the kind's stored template: the default one prints again."""
    _check_kind(kind)
    _put_setting(db, actor, TEMPLATE_KEY.format(kind=kind), None)


def get_logo(db: Database, actor: Actor) -> bytes | None:
    """The company's logo picture, or None."""
    with read_only(db, actor) as uow:
        row = uow.session.get(Setting, LOGO_KEY)
        if row is None or not isinstance(row.value, dict):
            return None
        try:
            return base64.b64decode(str(row.value.get("data", "")), validate=True) or None
        except (binascii.Error, ValueError):
            return None


def set_logo(db: Database, actor: Actor, data: bytes, *, filename: str = "") -> None:
    """Store ``data`` as the company's logo (a PNG, JPEG, GIF or BMP picture)."""
    if len(data) > MAX_LOGO_BYTES:
        raise RuleViolation(QT_TRANSLATE_NOOP("errors", "The logo is larger than {size} KB: choose a smaller picture."),
                            size=MAX_LOGO_BYTES // 1024)
    if not data.startswith(_IMAGE_MAGIC):
        raise ValidationError({"logo": QT_TRANSLATE_NOOP("errors", "Choose a PNG, JPEG, GIF or BMP picture.")})
    _put_setting(db, actor, LOGO_KEY, {"filename": filename[-200:], "data": base64.b64encode(data).decode("ascii")})


def clear_logo(db: Database, actor: Actor) -> None:
    _put_setting(db, actor, LOGO_KEY, None)


# --- the editor's preview ---------------------------------------------------------------------


def sample_document(kind: str, *, company_name: str = "", today: dt.date | None = None) -> PrintDocument:
    """A made-up contract or quotation to preview a template with (no record is read)."""
    _check_kind(kind)
    lines = (
        PrintLine(1, "工业网关", "GW-100", "台", Decimal("10"), Decimal("5"), Decimal("3280.00"),
                  Decimal("31160.00"), ""),
        PrintLine(2, "PLC 控制柜", "PLC-20", "套", Decimal("3"), Decimal("0"), Decimal("18600.00"),
                  Decimal("55800.00"), ""),
        PrintLine(3, "现场安装调试", "SRV-01", "人天", Decimal("8"), Decimal("0"), Decimal("1380.00"),
                  Decimal("11040.00"), ""),
    )
    total = sum((line.amount or Decimal("0") for line in lines), Decimal("0.00"))
    today = today or dt.date.today()
    return PrintDocument(
        kind=kind, record_id=0, company_name=company_name or "厦门星辰科技有限公司",
        number="HT-20250101-0001" if kind == "contract" else "", name="鹭岛机电二期自动化改造",
        customer=PrintParty(name="厦门鹭岛机电设备有限公司", address="厦门市湖里区高新技术园 18 号",
                            phone="0592-5551234", mobile="13905921234", email="purchase@example.com"),
        contact=PrintParty(name="王建国", position="采购经理", mobile="13905921234"),
        our_signer="李娜", owner_name="李娜", lines=lines, total=total, total_in_words=amount_in_words(total),
        order_date=today, start_date=today, end_date=today.replace(year=today.year + 1) if not (
            today.month == 2 and today.day == 29) else today, expected_close_date=today,
        payment_terms="签约后付 50%，验收合格后 30 日内付 50%", remark="", print_date=today,
    )


__all__ = [
    "KIND_MODULES", "LINES_END", "LINES_START", "LINE_PLACEHOLDERS", "LOGO_URL", "MAX_LOGO_BYTES", "PLACEHOLDERS",
    "TemplateDTO", "check_template", "clear_logo", "default_template", "document_values", "format_money",
    "get_logo", "get_template", "line_values", "render_html", "reset_template", "sample_document", "save_template",
    "set_logo",
]
