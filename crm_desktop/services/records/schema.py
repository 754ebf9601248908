"""The field schema: one registry of every entity's fields, built-in ones from code and
custom ones from the database.

Forms, list columns, filters, saved views, detail pages, import mapping, export headers,
automation conditions and approval forms are generated from ``fields_for``; per-role field
permissions (editable · read-only · hidden) are resolved here too, so a hidden field can be
dropped before anything leaves the service.

Administering the schema (custom fields, dictionaries, field permissions) lives in
``services.schema_admin``, which builds on this module (reading a dictionary stays here).
"""
from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sqlalchemy import Enum, String, bindparam, select
from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    Base,
    CustomField,
    DictionaryItem,
    FieldPermission,
    user_roles,
)
from crm_desktop.services.errors import NotFound
from crm_desktop.services.org import security_cache
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.uow import read_only

if TYPE_CHECKING:
    from crm_desktop.db import Database

CUSTOM_PREFIX = "cf_"


class FieldType(StrEnum):
    TEXT = "text"
    TEXTAREA = "textarea"
    INTEGER = "integer"
    DECIMAL = "decimal"
    MONEY = "money"
    PERCENT = "percent"
    DATE = "date"
    DATETIME = "datetime"
    SELECT = "select"
    MULTISELECT = "multiselect"
    BOOLEAN = "boolean"
    PHONE = "phone"
    EMAIL = "email"
    URL = "url"
    USER = "user"
    DEPARTMENT = "department"
    REGION = "region"
    ATTACHMENT = "attachment"


# Characters of a multi-line text (a remark, a follow-up's content, a custom textarea): about
# four printed pages; more is a paste by mistake, and every list and search would carry it.
LONG_TEXT_MAX = 10_000
# Characters of a custom single-line text value (the length of a record's name column).
CUSTOM_TEXT_MAX = 200

NUMERIC_TYPES = frozenset({FieldType.INTEGER, FieldType.DECIMAL, FieldType.MONEY, FieldType.PERCENT})
TEXT_TYPES = frozenset({FieldType.TEXT, FieldType.TEXTAREA, FieldType.PHONE, FieldType.EMAIL, FieldType.URL,
                        FieldType.SELECT, FieldType.REGION})


class Access(StrEnum):
    EDIT = "edit"
    READ = "read"
    HIDDEN = "hidden"


_ACCESS_RANK = {Access.HIDDEN: 0, Access.READ: 1, Access.EDIT: 2}


@dataclass(frozen=True)
class FieldSpec:
    """One field of one entity, as every generated view needs it."""

    entity: str
    name: str
    label: str
    type: FieldType
    required: bool = False
    unique: bool = False
    default: Any = None
    help_text: str = ""
    dictionary: str | None = None
    #: Built-in fields have a column; custom ones live in the ``custom`` JSON under ``key``.
    builtin: bool = True
    #: Set by the system, never typed in a form (owner, times, summaries).
    system: bool = False
    import_aliases: tuple[str, ...] = ()
    sort_order: int = 0
    hidden: bool = False
    #: Custom fields only: the key inside ``custom``.
    key: str | None = None
    #: Fixed options for built-in selects that are not dictionaries: ((value, label), ...)
    choices: tuple[tuple[str, str], ...] = ()
    #: Computed from related rows, never stored (``DERIVED_FIELDS``): only conditions and
    #: list filters know it; forms, columns, sorting, import and export never see it.
    derived: bool = False
    #: The most characters a text value may have (a multiselect: each chosen value); None for
    #: non-text fields. Built-in: the column's length (``String(n)``), or ``LONG_TEXT_MAX`` for
    #: an unbounded text column; custom: ``CUSTOM_TEXT_MAX`` / ``LONG_TEXT_MAX`` (textarea).
    #: The services enforce it on both backends (SQLite does not check lengths).
    max_length: int | None = None
    #: Custom fields only: an expression index serves sorting and filtering by it.
    indexed: bool = False

    @property
    def is_custom(self) -> bool:
        return not self.builtin


def _f(entity: str, name: str, label: str, type_: FieldType = FieldType.TEXT, **kw: Any) -> FieldSpec:
    return FieldSpec(entity=entity, name=name, label=label, type=type_, **kw)


def _record_base(entity: str) -> tuple[FieldSpec, ...]:
    return (
        _f(entity, "owner_id", QT_TRANSLATE_NOOP("fields", "Owner"), FieldType.USER, system=True),
        _f(entity, "created_at", QT_TRANSLATE_NOOP("fields", "Created"), FieldType.DATETIME, system=True),
        _f(entity, "updated_at", QT_TRANSLATE_NOOP("fields", "Updated"), FieldType.DATETIME, system=True),
    )


def _followup_summary(entity: str) -> tuple[FieldSpec, ...]:
    return (
        _f(entity, "last_followup_at", QT_TRANSLATE_NOOP("fields", "Last follow-up"), FieldType.DATETIME, system=True),
        _f(entity, "last_followup_content", QT_TRANSLATE_NOOP("fields", "Last follow-up content"),
           FieldType.TEXTAREA, system=True),
        _f(entity, "next_contact_at", QT_TRANSLATE_NOOP("fields", "Next contact"), FieldType.DATETIME, system=True),
    )


def _region(entity: str) -> tuple[FieldSpec, ...]:
    return (
        _f(entity, "province", QT_TRANSLATE_NOOP("fields", "Province"), FieldType.REGION),
        _f(entity, "city", QT_TRANSLATE_NOOP("fields", "City"), FieldType.REGION),
        _f(entity, "district", QT_TRANSLATE_NOOP("fields", "District"), FieldType.REGION),
    )


BUILTIN_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "customer": (
        _f("customer", "name", QT_TRANSLATE_NOOP("fields", "Customer name"), required=True,
           import_aliases=("客户名称", "公司名称", "Name")),
        _f("customer", "phone", QT_TRANSLATE_NOOP("fields", "Phone"), FieldType.PHONE, import_aliases=("电话",)),
        _f("customer", "mobile", QT_TRANSLATE_NOOP("fields", "Mobile"), FieldType.PHONE, import_aliases=("手机",)),
        _f("customer", "email", QT_TRANSLATE_NOOP("fields", "E-mail"), FieldType.EMAIL, import_aliases=("邮箱",)),
        _f("customer", "website", QT_TRANSLATE_NOOP("fields", "Website"), FieldType.URL, import_aliases=("网址",)),
        _f("customer", "credit_code", QT_TRANSLATE_NOOP("fields", "Unified social credit code"),
           import_aliases=("统一社会信用代码",)),
        _f("customer", "level", QT_TRANSLATE_NOOP("fields", "Level"), FieldType.SELECT, dictionary="customer_level",
           import_aliases=("客户级别",)),
        _f("customer", "industry", QT_TRANSLATE_NOOP("fields", "Industry"), FieldType.SELECT, dictionary="industry",
           import_aliases=("所属行业", "行业")),
        _f("customer", "source", QT_TRANSLATE_NOOP("fields", "Source"), FieldType.SELECT, dictionary="customer_source",
           import_aliases=("客户来源", "来源")),
        *_region("customer"),
        _f("customer", "address", QT_TRANSLATE_NOOP("fields", "Address"), import_aliases=("地址", "详细地址")),
        _f("customer", "remark", QT_TRANSLATE_NOOP("fields", "Remark"), FieldType.TEXTAREA, import_aliases=("备注",)),
        _f("customer", "deal_status", QT_TRANSLATE_NOOP("fields", "Deal status"), FieldType.SELECT, system=True,
           choices=(("none", QT_TRANSLATE_NOOP("fields", "No deal")), ("deal", QT_TRANSLATE_NOOP("fields", "Deal")))),
        _f("customer", "locked", QT_TRANSLATE_NOOP("fields", "Locked"), FieldType.BOOLEAN, system=True),
        _f("customer", "approval_status", QT_TRANSLATE_NOOP("fields", "Approval"), FieldType.SELECT, system=True,
           choices=(("", QT_TRANSLATE_NOOP("fields", "Active")),
                    ("pending", QT_TRANSLATE_NOOP("fields", "Pending approval")),
                    ("rejected", QT_TRANSLATE_NOOP("fields", "Approval rejected")),
                    ("withdrawn", QT_TRANSLATE_NOOP("fields", "Approval withdrawn")))),
        *_followup_summary("customer"),
        *_record_base("customer"),
    ),
    "lead": (
        _f("lead", "name", QT_TRANSLATE_NOOP("fields", "Lead name"), required=True, import_aliases=("线索名称", "公司名称")),
        _f("lead", "contact_name", QT_TRANSLATE_NOOP("fields", "Contact person"), import_aliases=("联系人",)),
        _f("lead", "phone", QT_TRANSLATE_NOOP("fields", "Phone"), FieldType.PHONE, import_aliases=("电话",)),
        _f("lead", "mobile", QT_TRANSLATE_NOOP("fields", "Mobile"), FieldType.PHONE, import_aliases=("手机",)),
        _f("lead", "email", QT_TRANSLATE_NOOP("fields", "E-mail"), FieldType.EMAIL, import_aliases=("邮箱",)),
        _f("lead", "source", QT_TRANSLATE_NOOP("fields", "Source"), FieldType.SELECT, dictionary="customer_source"),
        _f("lead", "industry", QT_TRANSLATE_NOOP("fields", "Industry"), FieldType.SELECT, dictionary="industry"),
        _f("lead", "level", QT_TRANSLATE_NOOP("fields", "Level"), FieldType.SELECT, dictionary="customer_level"),
        *_region("lead"),
        _f("lead", "address", QT_TRANSLATE_NOOP("fields", "Address")),
        _f("lead", "remark", QT_TRANSLATE_NOOP("fields", "Remark"), FieldType.TEXTAREA),
        _f("lead", "status", QT_TRANSLATE_NOOP("fields", "Status"), FieldType.SELECT, system=True, choices=(
            ("new", QT_TRANSLATE_NOOP("fields", "New")), ("following", QT_TRANSLATE_NOOP("fields", "Following")),
            ("converted", QT_TRANSLATE_NOOP("fields", "Converted")), ("invalid", QT_TRANSLATE_NOOP("fields", "Invalid")),
        )),
        *_followup_summary("lead"),
        *_record_base("lead"),
    ),
    "contact": (
        # A person's name, never the customer's name (客户名称): forms, lists, exports, templates.
        _f("contact", "name", QT_TRANSLATE_NOOP("fields", "Contact name"), required=True, import_aliases=("姓名",)),
        _f("contact", "customer_id", QT_TRANSLATE_NOOP("fields", "Customer"), FieldType.INTEGER, required=True),
        _f("contact", "gender", QT_TRANSLATE_NOOP("fields", "Gender"), FieldType.SELECT, choices=(
            ("male", QT_TRANSLATE_NOOP("fields", "Male")), ("female", QT_TRANSLATE_NOOP("fields", "Female")))),
        _f("contact", "position", QT_TRANSLATE_NOOP("fields", "Position"), import_aliases=("职务",)),
        _f("contact", "phone", QT_TRANSLATE_NOOP("fields", "Phone"), FieldType.PHONE, import_aliases=("电话",)),
        _f("contact", "mobile", QT_TRANSLATE_NOOP("fields", "Mobile"), FieldType.PHONE, import_aliases=("手机",)),
        _f("contact", "email", QT_TRANSLATE_NOOP("fields", "E-mail"), FieldType.EMAIL, import_aliases=("邮箱",)),
        _f("contact", "wechat", QT_TRANSLATE_NOOP("fields", "WeChat"), import_aliases=("微信",)),
        _f("contact", "is_primary", QT_TRANSLATE_NOOP("fields", "Primary contact"), FieldType.BOOLEAN),
        _f("contact", "decision_maker", QT_TRANSLATE_NOOP("fields", "Decision maker"), FieldType.BOOLEAN),
        _f("contact", "birthday", QT_TRANSLATE_NOOP("fields", "Birthday"), FieldType.DATE),
        _f("contact", "address", QT_TRANSLATE_NOOP("fields", "Address")),
        _f("contact", "remark", QT_TRANSLATE_NOOP("fields", "Remark"), FieldType.TEXTAREA),
        *_followup_summary("contact"),
        *_record_base("contact"),
    ),
    "followup": (
        _f("followup", "kind", QT_TRANSLATE_NOOP("fields", "Kind"), FieldType.SELECT, dictionary="followup_kind",
           import_aliases=("跟进方式", "跟进类型"),
           required=True),
        _f("followup", "content", QT_TRANSLATE_NOOP("fields", "Content"), FieldType.TEXTAREA, required=True,
           import_aliases=("跟进内容", "跟进记录", "沟通内容")),
        _f("followup", "followed_at", QT_TRANSLATE_NOOP("fields", "Time"), FieldType.DATETIME, required=True,
           import_aliases=("跟进时间", "跟进日期")),
        _f("followup", "next_contact_at", QT_TRANSLATE_NOOP("fields", "Next contact"), FieldType.DATETIME,
           import_aliases=("下次联系时间", "下次跟进时间")),
        *_record_base("followup"),
    ),
    # --- the sales chain (issue 5) ---
    "product": (
        _f("product", "name", QT_TRANSLATE_NOOP("fields", "Product name"), required=True, import_aliases=("产品名称",)),
        _f("product", "code", QT_TRANSLATE_NOOP("fields", "Product code"), required=True, unique=True,
           import_aliases=("产品编码",)),
        _f("product", "category_id", QT_TRANSLATE_NOOP("fields", "Category"), FieldType.INTEGER),
        _f("product", "unit", QT_TRANSLATE_NOOP("fields", "Unit"), import_aliases=("单位",)),
        _f("product", "price", QT_TRANSLATE_NOOP("fields", "Standard price"), FieldType.MONEY, import_aliases=("标准价格",)),
        _f("product", "description", QT_TRANSLATE_NOOP("fields", "Description"), FieldType.TEXTAREA),
        _f("product", "on_shelf", QT_TRANSLATE_NOOP("fields", "On shelf"), FieldType.BOOLEAN, system=True),
        *_record_base("product"),
    ),
    "opportunity": (
        _f("opportunity", "name", QT_TRANSLATE_NOOP("fields", "Opportunity name"), required=True),
        _f("opportunity", "customer_id", QT_TRANSLATE_NOOP("fields", "Customer"), FieldType.INTEGER, required=True),
        _f("opportunity", "amount", QT_TRANSLATE_NOOP("fields", "Amount"), FieldType.MONEY,
           import_aliases=("商机金额", "预计金额", "金额")),
        _f("opportunity", "expected_close_date", QT_TRANSLATE_NOOP("fields", "Expected close date"), FieldType.DATE,
           import_aliases=("预计成交日期", "预计签单日期")),
        _f("opportunity", "stage_id", QT_TRANSLATE_NOOP("fields", "Stage"), FieldType.INTEGER, system=True),
        _f("opportunity", "status", QT_TRANSLATE_NOOP("fields", "Status"), FieldType.SELECT, system=True, choices=(
            ("open", QT_TRANSLATE_NOOP("fields", "In progress")), ("won", QT_TRANSLATE_NOOP("fields", "Won")),
            ("lost", QT_TRANSLATE_NOOP("fields", "Lost")), ("invalid", QT_TRANSLATE_NOOP("fields", "Invalid")),
        )),
        _f("opportunity", "lost_reason", QT_TRANSLATE_NOOP("fields", "Reason lost"), FieldType.TEXTAREA, system=True),
        _f("opportunity", "remark", QT_TRANSLATE_NOOP("fields", "Remark"), FieldType.TEXTAREA),
        *_record_base("opportunity"),
    ),
    "contract": (
        _f("contract", "number", QT_TRANSLATE_NOOP("fields", "Contract number"), system=True,
           import_aliases=("合同编号", "合同号", "订单编号", "订单号")),
        _f("contract", "name", QT_TRANSLATE_NOOP("fields", "Contract name"), required=True),
        _f("contract", "customer_id", QT_TRANSLATE_NOOP("fields", "Customer"), FieldType.INTEGER, required=True),
        _f("contract", "opportunity_id", QT_TRANSLATE_NOOP("fields", "Opportunity"), FieldType.INTEGER),
        _f("contract", "customer_signer_id", QT_TRANSLATE_NOOP("fields", "Customer signer"), FieldType.INTEGER),
        _f("contract", "our_signer_id", QT_TRANSLATE_NOOP("fields", "Our signer"), FieldType.USER),
        _f("contract", "amount", QT_TRANSLATE_NOOP("fields", "Contract amount"), FieldType.MONEY,
           import_aliases=("合同金额", "订单金额", "总金额")),
        _f("contract", "order_date", QT_TRANSLATE_NOOP("fields", "Order date"), FieldType.DATE,
           import_aliases=("下单日期", "签约日期", "签订日期", "签单日期")),
        _f("contract", "start_date", QT_TRANSLATE_NOOP("fields", "Start date"), FieldType.DATE),
        _f("contract", "end_date", QT_TRANSLATE_NOOP("fields", "End date"), FieldType.DATE,
           import_aliases=("结束日期", "到期日期")),
        _f("contract", "payment_terms", QT_TRANSLATE_NOOP("fields", "Payment terms"), FieldType.TEXTAREA),
        _f("contract", "remark", QT_TRANSLATE_NOOP("fields", "Remark"), FieldType.TEXTAREA),
        _f("contract", "approval_status", QT_TRANSLATE_NOOP("fields", "Approval status"), FieldType.SELECT, system=True,
           choices=(("draft", QT_TRANSLATE_NOOP("fields", "Draft")),
                    ("pending", QT_TRANSLATE_NOOP("fields", "Pending approval")),
                    ("approved", QT_TRANSLATE_NOOP("fields", "Approved")),
                    ("rejected", QT_TRANSLATE_NOOP("fields", "Approval rejected")),
                    ("withdrawn", QT_TRANSLATE_NOOP("fields", "Approval withdrawn")),
                    ("voided", QT_TRANSLATE_NOOP("fields", "Voided")))),
        _f("contract", "execution_status", QT_TRANSLATE_NOOP("fields", "Execution status"), FieldType.SELECT,
           dictionary="order_status", system=True),
        _f("contract", "received_amount", QT_TRANSLATE_NOOP("fields", "Received"), FieldType.MONEY, system=True),
        *_record_base("contract"),
    ),
    "payment": (
        _f("payment", "number", QT_TRANSLATE_NOOP("fields", "Payment number"), system=True,
           import_aliases=("回款编号", "回款单号")),
        _f("payment", "contract_id", QT_TRANSLATE_NOOP("fields", "Contract"), FieldType.INTEGER, required=True),
        _f("payment", "customer_id", QT_TRANSLATE_NOOP("fields", "Customer"), FieldType.INTEGER, system=True),
        _f("payment", "plan_id", QT_TRANSLATE_NOOP("fields", "Payment plan"), FieldType.INTEGER),
        _f("payment", "amount", QT_TRANSLATE_NOOP("fields", "Amount"), FieldType.MONEY, required=True,
           import_aliases=("回款金额", "到账金额", "金额")),
        _f("payment", "paid_date", QT_TRANSLATE_NOOP("fields", "Payment date"), FieldType.DATE, required=True,
           import_aliases=("回款日期", "到账日期", "付款日期")),
        _f("payment", "method", QT_TRANSLATE_NOOP("fields", "Payment method"), FieldType.SELECT,
           dictionary="payment_method"),
        _f("payment", "remark", QT_TRANSLATE_NOOP("fields", "Remark"), FieldType.TEXTAREA),
        _f("payment", "approval_status", QT_TRANSLATE_NOOP("fields", "Approval status"), FieldType.SELECT, system=True,
           choices=(("draft", QT_TRANSLATE_NOOP("fields", "Draft")),
                    ("pending", QT_TRANSLATE_NOOP("fields", "Pending approval")),
                    ("approved", QT_TRANSLATE_NOOP("fields", "Approved")),
                    ("rejected", QT_TRANSLATE_NOOP("fields", "Approval rejected")),
                    ("withdrawn", QT_TRANSLATE_NOOP("fields", "Approval withdrawn")))),
        *_record_base("payment"),
    ),
}

#: Derived fields (issue 5: approval branches "by product category"): values computed from a
#: record's related rows when a condition or a list filter names them (services.derived_fields
#: computes them and turns them into SQL). They are not in ``load_fields`` / ``schema_for``, so
#: forms, list columns, sorting, import and export never offer them; ``with_derived`` adds them
#: where conditions are checked and edited.
#: product_category: the categories of the record's lines' products, each with every category
#: above it (a line in 数控机床 under 设备 is "in" 设备 too); a multiselect of category ids.
DERIVED_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    entity: (_f(entity, "product_category", QT_TRANSLATE_NOOP("fields", "Product category"), FieldType.MULTISELECT,
                system=True, derived=True),)
    for entity in ("opportunity", "contract")
}


def derived_field(entity: str, name: str) -> FieldSpec | None:
    """The derived field ``name`` of ``entity``, if there is one."""
    return next((f for f in DERIVED_FIELDS.get(entity, ()) if f.name == name), None)


def with_derived(schema: EntitySchema) -> EntitySchema:
    """``schema`` plus its entity's derived fields: what a condition may name."""
    extra = tuple(f for f in DERIVED_FIELDS.get(schema.entity, ()) if schema.get(f.name) is None)
    return replace(schema, fields=schema.fields + extra) if extra else schema


# --- reading the schema --------------------------------------------------------------

def _custom_spec(cf: CustomField) -> FieldSpec:
    type_ = FieldType(cf.type)
    return FieldSpec(
        entity=cf.entity, name=CUSTOM_PREFIX + cf.key, label=cf.label, type=type_,
        required=cf.required, unique=cf.unique, default=cf.default, help_text=cf.help_text,
        dictionary=cf.dictionary, builtin=False, import_aliases=tuple(cf.import_aliases or ()),
        sort_order=1000 + cf.sort_order, hidden=cf.hidden, key=cf.key, indexed=bool(cf.indexed),
        max_length=LONG_TEXT_MAX if type_ is FieldType.TEXTAREA else (
            CUSTOM_TEXT_MAX if type_ in TEXT_TYPES or type_ is FieldType.MULTISELECT else None),
    )


def column_max_length(model: type[Any], name: str) -> int | None:
    """The most characters the text column ``name`` of ``model`` holds: its ``String(n)``
    length, ``LONG_TEXT_MAX`` for an unbounded text column, None for any other column."""
    column = model.__table__.c.get(name)
    if column is None or not isinstance(column.type, String) or isinstance(column.type, Enum):
        return None
    return column.type.length or LONG_TEXT_MAX


@lru_cache(maxsize=None)
def _model_of(entity: str) -> type[Any] | None:
    return next((m.class_ for m in Base.registry.mappers if getattr(m.class_, "entity", None) == entity), None)


def load_fields(session: Session, entity: str, *, include_hidden: bool = False) -> list[FieldSpec]:
    """Built-in then custom fields of ``entity`` (administrator-hidden custom fields left out)."""
    if entity not in BUILTIN_FIELDS:
        raise NotFound("entity", entity)
    custom = session.scalars(_CUSTOM_FIELDS, {"entity": entity}).all()
    specs = list(_builtin_in_order(entity))
    specs += [_custom_spec(cf) for cf in custom if include_hidden or not cf.hidden]
    return specs


_CUSTOM_FIELDS = select(CustomField).where(CustomField.entity == bindparam("entity")).order_by(
    CustomField.sort_order, CustomField.id)


@lru_cache(maxsize=None)
def _builtin_in_order(entity: str) -> tuple[FieldSpec, ...]:
    model = _model_of(entity)
    return tuple(replace(s, sort_order=i, max_length=column_max_length(model, s.name) if model else None)
                 for i, s in enumerate(BUILTIN_FIELDS[entity]))


_FIELD_ACCESS = select(FieldPermission.field, FieldPermission.access).where(
    FieldPermission.role_id.in_(bindparam("role_ids", expanding=True)), FieldPermission.entity == bindparam("entity"))


def field_access(session: Session, actor: Actor, entity: str) -> dict[str, Access]:
    """Each field's access for the actor: the widest over their roles; editable when unset."""
    if actor.is_super:
        return {}
    # The actor as a unit of work reloads it carries its role ids; one built by hand may not.
    role_ids = actor.role_ids or tuple(session.scalars(
        select(user_roles.c.role_id).where(user_roles.c.user_id == actor.user_id)))
    if not role_ids:
        return {}
    rows = session.execute(_FIELD_ACCESS, {"role_ids": role_ids, "entity": entity}).all()
    role_count = len(role_ids)
    per_field: dict[str, list[Access]] = {}
    for name, access in rows:
        per_field.setdefault(name, []).append(Access(access))
    result: dict[str, Access] = {}
    for name, accesses in per_field.items():
        # A role that says nothing about a field leaves it editable, which is the widest.
        if len(accesses) < role_count:
            continue
        result[name] = max(accesses, key=_ACCESS_RANK.__getitem__)
    return result


@dataclass(frozen=True)
class EntitySchema:
    """The fields of one entity as one actor may see them (hidden ones removed)."""

    entity: str
    fields: tuple[FieldSpec, ...]
    access: Mapping[str, Access] = field(default_factory=dict)

    def get(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)

    def can_edit(self, name: str) -> bool:
        return self.access.get(name, Access.EDIT) == Access.EDIT


def schema_for(session: Session, actor: Actor, entity: str) -> EntitySchema:
    """The fields of ``entity`` the actor may see (kept by the security cache in reads)."""
    key = ("schema", entity, actor.is_super, actor.role_ids, None if actor.role_ids else actor.user_id)
    return security_cache.cached(session, key, lambda: _schema_for(session, actor, entity))


def _schema_for(session: Session, actor: Actor, entity: str) -> EntitySchema:
    access = field_access(session, actor, entity)
    visible = tuple(f for f in load_fields(session, entity) if access.get(f.name) != Access.HIDDEN)
    return EntitySchema(entity=entity, fields=visible, access=access)


def system_schema(session: Session, entity: str) -> EntitySchema:
    """Every field of the entity, no field permissions: what automation rules and approval
    flows act on (they act for the company, not for one user)."""
    # No autoflush: a save's pending audit rows do not touch the custom fields read here,
    # and flushing them now would only move the commit's work into the rules engine.
    with session.no_autoflush:
        return EntitySchema(entity=entity, fields=tuple(load_fields(session, entity)), access={})


def get_schema(db: Database, actor: Actor, entity: str) -> EntitySchema:
    """The schema the actor's forms, lists and filters are generated from."""
    with read_only(db, actor) as uow:
        require(uow.actor, entity, "view")
        return schema_for(uow.session, uow.actor, entity)


# --- values ---------------------------------------------------------------------------

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^[+\d][\d\s\-()]{3,30}$")


def coerce(spec: FieldSpec, raw: Any, *, options: set[str] | None = None) -> Any:
    """Turn a form or import value into the stored value, or raise ValueError with a
    message template (context "errors"). Empty input becomes None (or "" for text)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        return [] if spec.type is FieldType.MULTISELECT else ("" if spec.type in TEXT_TYPES and spec.builtin else None)
    t = spec.type
    try:
        if t is FieldType.INTEGER:
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError
            return int(str(raw).strip())
        if t in (FieldType.DECIMAL, FieldType.MONEY, FieldType.PERCENT):
            value = decimal.Decimal(str(raw).strip().replace(",", "").rstrip("%"))
            if not value.is_finite():
                raise ValueError
            return str(value.quantize(decimal.Decimal("0.01"))) if t is FieldType.MONEY else str(value)
        if t is FieldType.DATE:
            return raw.isoformat() if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw).strip()).isoformat()
        if t is FieldType.DATETIME:
            value = raw if isinstance(raw, dt.datetime) else dt.datetime.fromisoformat(str(raw).strip())
            return value.isoformat()
        if t is FieldType.BOOLEAN:
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "y", "是"):
                return True
            if text in ("0", "false", "no", "n", "否"):
                return False
            raise ValueError
        if t in (FieldType.USER, FieldType.DEPARTMENT, FieldType.ATTACHMENT):
            return int(raw)
    except (ValueError, TypeError, decimal.InvalidOperation, ArithmeticError):
        raise ValueError(QT_TRANSLATE_NOOP("errors", "Enter a valid value for this field.")) from None
    if t is FieldType.MULTISELECT:
        values = [str(v) for v in (raw if isinstance(raw, (list, tuple)) else str(raw).split(","))]
        if options is not None and not set(values) <= options:
            raise ValueError(QT_TRANSLATE_NOOP("errors", "Choose a listed value."))
        return values
    text = str(raw).strip()
    if t is FieldType.EMAIL and not _EMAIL.match(text):
        raise ValueError(QT_TRANSLATE_NOOP("errors", "Enter a valid e-mail address."))
    if t is FieldType.PHONE and not _PHONE.match(text):
        raise ValueError(QT_TRANSLATE_NOOP("errors", "Enter a valid phone number."))
    if t is FieldType.SELECT and options is not None and text not in options:
        raise ValueError(QT_TRANSLATE_NOOP("errors", "Choose a listed value."))
    return text


def options_for(session: Session, spec: FieldSpec) -> set[str] | None:
    """Allowed values of a select field (None: anything goes)."""
    if spec.choices:
        return {v for v, _ in spec.choices}
    if spec.dictionary:
        values = set(session.scalars(select(DictionaryItem.value).where(
            DictionaryItem.dictionary == spec.dictionary, DictionaryItem.enabled.is_(True))))
        return values or None  # an empty dictionary does not block typing
    return None


# --- dictionaries (read) ------------------------------------------------------------


@dataclass(frozen=True)
class DictionaryItemDTO:
    value: str
    label: str
    enabled: bool = True


def get_dictionary(db: Database, actor: Actor, name: str, *, include_disabled: bool = False) -> list[DictionaryItemDTO]:
    """The items of a data dictionary in their order (forms and lists read it; administering
    dictionaries is ``services.schema_admin``)."""
    with read_only(db, actor) as uow:
        query = select(DictionaryItem).where(DictionaryItem.dictionary == name).order_by(DictionaryItem.sort_order)
        if not include_disabled:
            query = query.where(DictionaryItem.enabled.is_(True))
        return [DictionaryItemDTO(i.value, i.label, i.enabled) for i in uow.session.scalars(query)]


__all__ = [
    "Access", "BUILTIN_FIELDS", "CUSTOM_PREFIX", "CUSTOM_TEXT_MAX", "DERIVED_FIELDS", "LONG_TEXT_MAX", "EntitySchema",
    "FieldSpec", "FieldType", "NUMERIC_TYPES", "TEXT_TYPES", "coerce", "column_max_length", "derived_field",
    "field_access", "get_schema", "load_fields", "options_for", "schema_for", "with_derived", "system_schema",
    "DictionaryItemDTO", "get_dictionary",
]
