"""The field schema: one registry of every entity's fields, built-in ones from code and
custom ones from the database.

Forms, list columns, filters, saved views, detail pages, import mapping, export headers,
automation conditions and approval forms are generated from ``fields_for``; per-role field
permissions (editable · read-only · hidden) are resolved here too, so a hidden field can be
dropped before anything leaves the service.
"""
from __future__ import annotations

import datetime as dt
import decimal
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import CustomField, DictionaryItem, FieldPermission, user_roles
from crm_desktop.services.actor import Actor
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.permissions import require
from crm_desktop.services.uow import read_only, unit_of_work

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
        _f("customer", "name", QT_TRANSLATE_NOOP("fields", "Name"), required=True, import_aliases=("客户名称", "公司名称")),
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
        _f("contact", "name", QT_TRANSLATE_NOOP("fields", "Name"), required=True, import_aliases=("姓名",)),
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
           required=True),
        _f("followup", "content", QT_TRANSLATE_NOOP("fields", "Content"), FieldType.TEXTAREA, required=True),
        _f("followup", "followed_at", QT_TRANSLATE_NOOP("fields", "Time"), FieldType.DATETIME, required=True),
        _f("followup", "next_contact_at", QT_TRANSLATE_NOOP("fields", "Next contact"), FieldType.DATETIME),
        *_record_base("followup"),
    ),
}

#: Dictionaries a new company starts with: key → ((value, zh label, en label), ...)
DEFAULT_DICTIONARIES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "customer_level": (("A", "A（重点客户）", "A (key account)"), ("B", "B（普通客户）", "B (regular)"),
                       ("C", "C（非优先客户）", "C (low priority)")),
    "industry": (("it", "IT/互联网", "IT / internet"), ("manufacturing", "制造业", "Manufacturing"),
                 ("finance", "金融", "Finance"), ("retail", "零售/批发", "Retail / wholesale"),
                 ("education", "教育培训", "Education"), ("healthcare", "医疗健康", "Healthcare"),
                 ("construction", "建筑/房地产", "Construction / real estate"), ("other", "其他", "Other")),
    "customer_source": (("referral", "客户介绍", "Referral"), ("exhibition", "展会", "Exhibition"),
                        ("website", "官网", "Website"), ("ads", "广告投放", "Advertising"),
                        ("cold_call", "电话开发", "Cold call"), ("other", "其他", "Other")),
    "followup_kind": (("phone", "电话", "Phone"), ("email", "邮件", "E-mail"), ("visit", "上门拜访", "Visit"),
                      ("sms", "短信", "SMS"), ("wechat", "微信", "WeChat"), ("other", "其他", "Other")),
}


# --- reading the schema --------------------------------------------------------------

def _custom_spec(cf: CustomField) -> FieldSpec:
    return FieldSpec(
        entity=cf.entity, name=CUSTOM_PREFIX + cf.key, label=cf.label, type=FieldType(cf.type),
        required=cf.required, unique=cf.unique, default=cf.default, help_text=cf.help_text,
        dictionary=cf.dictionary, builtin=False, import_aliases=tuple(cf.import_aliases or ()),
        sort_order=1000 + cf.sort_order, hidden=cf.hidden, key=cf.key,
    )


def load_fields(session: Session, entity: str, *, include_hidden: bool = False) -> list[FieldSpec]:
    """Built-in then custom fields of ``entity`` (administrator-hidden custom fields left out)."""
    if entity not in BUILTIN_FIELDS:
        raise NotFound("entity", entity)
    custom = session.scalars(
        select(CustomField).where(CustomField.entity == entity).order_by(CustomField.sort_order, CustomField.id)
    ).all()
    specs = [replace(s, sort_order=i) for i, s in enumerate(BUILTIN_FIELDS[entity])]
    specs += [_custom_spec(cf) for cf in custom if include_hidden or not cf.hidden]
    return specs


def field_access(session: Session, actor: Actor, entity: str) -> dict[str, Access]:
    """Each field's access for the actor: the widest over their roles; editable when unset."""
    if actor.is_super:
        return {}
    rows = session.execute(
        select(FieldPermission.field, FieldPermission.access, FieldPermission.role_id)
        .join(user_roles, user_roles.c.role_id == FieldPermission.role_id)
        .where(user_roles.c.user_id == actor.user_id, FieldPermission.entity == entity)
    ).all()
    role_count = session.scalar(select(func.count()).select_from(user_roles).where(user_roles.c.user_id == actor.user_id)) or 0
    per_field: dict[str, list[Access]] = {}
    for name, access, _role in rows:
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
    access = field_access(session, actor, entity)
    visible = tuple(f for f in load_fields(session, entity) if access.get(f.name) != Access.HIDDEN)
    return EntitySchema(entity=entity, fields=visible, access=access)


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


# --- administration: custom fields --------------------------------------------------------

@dataclass(frozen=True)
class CustomFieldInput:
    label: str
    type: FieldType
    required: bool = False
    unique: bool = False
    default: Any = None
    help_text: str = ""
    dictionary: str | None = None
    import_aliases: tuple[str, ...] = ()
    hidden: bool = False


def _check_entity(entity: str) -> None:
    if entity not in BUILTIN_FIELDS:
        raise ValidationError({"entity": QT_TRANSLATE_NOOP("errors", "Unknown module.")})


def _validate_custom(session: Session, entity: str, data: CustomFieldInput, *, field_id: int | None) -> None:
    errors: dict[str, str] = {}
    if not data.label.strip():
        errors["label"] = QT_TRANSLATE_NOOP("errors", "Required.")
    else:
        builtin = {s.label.lower() for s in BUILTIN_FIELDS[entity]}
        clash = session.scalar(select(CustomField.id).where(
            CustomField.entity == entity, func.lower(CustomField.label) == data.label.strip().lower()))
        if data.label.strip().lower() in builtin or (clash is not None and clash != field_id):
            errors["label"] = QT_TRANSLATE_NOOP("errors", "Another field has this name.")
    if data.type in (FieldType.SELECT, FieldType.MULTISELECT) and not data.dictionary:
        errors["dictionary"] = QT_TRANSLATE_NOOP("errors", "Choose the dictionary that lists the options.")
    if data.default not in (None, "", []):
        try:
            coerce(FieldSpec(entity, "x", data.label, data.type, builtin=False), data.default)
        except ValueError as exc:
            errors["default"] = str(exc)
    if errors:
        raise ValidationError(errors)


def create_custom_field(db: Database, actor: Actor, entity: str, data: CustomFieldInput) -> FieldSpec:
    """Add a field to a module; its values are stored in each record's ``custom`` JSON."""
    _check_entity(entity)
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        _validate_custom(uow.session, entity, data, field_id=None)
        count = uow.session.scalar(select(func.count(CustomField.id)).where(CustomField.entity == entity)) or 0
        cf = CustomField(
            entity=entity, key=f"f{count + 1}", label=data.label.strip(), type=data.type.value,
            required=data.required, unique=data.unique, default=data.default, help_text=data.help_text,
            dictionary=data.dictionary, import_aliases=list(data.import_aliases), sort_order=count,
            hidden=data.hidden,
        )
        while uow.session.scalar(select(CustomField.id).where(CustomField.entity == entity, CustomField.key == cf.key)):
            count += 1  # keys are never reused, even after a field was removed
            cf.key = f"f{count + 1}"
        uow.session.add(cf)
        uow.session.flush()
        return _custom_spec(cf)


def update_custom_field(db: Database, actor: Actor, field_id: int, data: CustomFieldInput) -> FieldSpec:
    """Change label, rules or visibility. The type cannot change: stored values would no
    longer mean what they meant (add a new field instead)."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        cf = uow.session.get(CustomField, field_id)
        if cf is None:
            raise NotFound("field", field_id)
        if data.type.value != cf.type:
            raise ValidationError({"type": QT_TRANSLATE_NOOP(
                "errors", "The type of a field cannot change; add a new field instead.")})
        _validate_custom(uow.session, cf.entity, data, field_id=field_id)
        cf.label, cf.required, cf.unique, cf.default = data.label.strip(), data.required, data.unique, data.default
        cf.help_text, cf.dictionary, cf.hidden = data.help_text, data.dictionary, data.hidden
        cf.import_aliases = list(data.import_aliases)
        return _custom_spec(cf)


def reorder_custom_fields(db: Database, actor: Actor, entity: str, field_ids: list[int]) -> None:
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        rows = {cf.id: cf for cf in uow.session.scalars(select(CustomField).where(CustomField.entity == entity))}
        if set(field_ids) != set(rows):
            raise ValidationError({"order": QT_TRANSLATE_NOOP("errors", "Give every field of the module once.")})
        for position, fid in enumerate(field_ids):
            rows[fid].sort_order = position


def list_custom_fields(db: Database, actor: Actor, entity: str) -> list[tuple[int, FieldSpec]]:
    """(id, spec) of every custom field, hidden ones included (the administrator's view)."""
    _check_entity(entity)
    with read_only(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        rows = uow.session.scalars(select(CustomField).where(CustomField.entity == entity)
                                   .order_by(CustomField.sort_order, CustomField.id)).all()
        return [(cf.id, _custom_spec(cf)) for cf in rows]


# --- administration: dictionaries and field permissions ------------------------------------

@dataclass(frozen=True)
class DictionaryItemDTO:
    value: str
    label: str
    enabled: bool = True


def seed_dictionaries(session: Session, *, language: str = "zh_CN") -> None:
    """Give a new company the standard dictionaries (labels in its language); keeps existing ones."""
    for name, items in DEFAULT_DICTIONARIES.items():
        if session.scalar(select(DictionaryItem.id).where(DictionaryItem.dictionary == name).limit(1)):
            continue
        for order, (value, zh, en) in enumerate(items):
            session.add(DictionaryItem(dictionary=name, value=value, label=zh if language.startswith("zh") else en,
                                       sort_order=order, enabled=True))


def get_dictionary(db: Database, actor: Actor, name: str, *, include_disabled: bool = False) -> list[DictionaryItemDTO]:
    with read_only(db, actor) as uow:
        query = select(DictionaryItem).where(DictionaryItem.dictionary == name).order_by(DictionaryItem.sort_order)
        if not include_disabled:
            query = query.where(DictionaryItem.enabled.is_(True))
        return [DictionaryItemDTO(i.value, i.label, i.enabled) for i in uow.session.scalars(query)]


def set_dictionary(db: Database, actor: Actor, name: str, items: list[DictionaryItemDTO]) -> None:
    """Replace a dictionary's items in the given order. Values in use should be disabled
    rather than removed: records keep their value and the label stays readable."""
    errors: dict[str, str] = {}
    values = [i.value.strip() for i in items]
    if any(not v for v in values) or any(not i.label.strip() for i in items):
        errors["items"] = QT_TRANSLATE_NOOP("errors", "Every option needs a value and a label.")
    elif len(set(values)) != len(values):
        errors["items"] = QT_TRANSLATE_NOOP("errors", "Two options have the same value.")
    if errors:
        raise ValidationError(errors)
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        existing = {i.value: i for i in uow.session.scalars(select(DictionaryItem).where(DictionaryItem.dictionary == name))}
        for order, item in enumerate(items):
            row = existing.pop(item.value.strip(), None) or DictionaryItem(dictionary=name, value=item.value.strip())
            row.label, row.sort_order, row.enabled = item.label.strip(), order, item.enabled
            uow.session.add(row)
        for row in existing.values():
            uow.session.delete(row)


def set_field_permissions(db: Database, actor: Actor, role_id: int, entity: str, access: Mapping[str, Access]) -> None:
    """Set a role's field access on one module (fields not named become editable)."""
    _check_entity(entity)
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "role", "edit")
        known = {f.name for f in load_fields(uow.session, entity, include_hidden=True)}
        unknown = set(access) - known
        if unknown:
            raise ValidationError({"fields": QT_TRANSLATE_NOOP("errors", "Unknown field.")})
        required = {f.name for f in load_fields(uow.session, entity) if f.required}
        if any(access.get(name) == Access.HIDDEN for name in required):
            raise ValidationError({"fields": QT_TRANSLATE_NOOP(
                "errors", "A required field cannot be hidden: nobody with this role could create a record.")})
        uow.session.query(FieldPermission).filter(
            FieldPermission.role_id == role_id, FieldPermission.entity == entity).delete()
        for name, level in access.items():
            if Access(level) is not Access.EDIT:
                uow.session.add(FieldPermission(role_id=role_id, entity=entity, field=name, access=Access(level).value))


def get_field_permissions(db: Database, actor: Actor, role_id: int, entity: str) -> dict[str, Access]:
    with read_only(db, actor) as uow:
        require(uow.actor, "role", "view")
        rows = uow.session.execute(select(FieldPermission.field, FieldPermission.access).where(
            FieldPermission.role_id == role_id, FieldPermission.entity == entity)).all()
        return {name: Access(a) for name, a in rows}


__all__ = [
    "Access", "BUILTIN_FIELDS", "CUSTOM_PREFIX", "CustomFieldInput", "DictionaryItemDTO", "EntitySchema",
    "FieldSpec", "FieldType", "coerce", "create_custom_field", "field_access", "get_dictionary",
    "get_field_permissions", "get_schema", "list_custom_fields", "load_fields", "options_for",
    "reorder_custom_fields", "schema_for", "seed_dictionaries", "set_dictionary", "set_field_permissions",
    "update_custom_field",
]
