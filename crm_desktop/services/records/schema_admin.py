"""Administering the field schema: custom fields, data dictionaries and per-role field
permissions.

Split from ``services.schema`` (which keeps reading the schema, its dictionaries and coercing
values) and built on it: import these names from here. Custom fields and
dictionaries need the "setting"/"manage" permission, field permissions the role
permissions (they are part of a role). Thread rule: functions taking ``db`` open their own
unit of work — call them off the GUI thread.
"""
from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import CustomField, DictionaryItem, FieldPermission
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.records.field_index import (
    INDEXABLE_TYPES,
    can_index,
    create_field_index,
    drop_field_index,
    field_indexes,
    index_name,
)
from crm_desktop.services.records.schema import (
    BUILTIN_FIELDS,
    Access,
    DictionaryItemDTO,
    FieldSpec,
    FieldType,
    _custom_spec,
    _model_of,
    coerce,
    get_dictionary,
    load_fields,
)
from crm_desktop.services.uow import read_only, unit_of_work

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from crm_desktop.db import Database

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
    # Order execution stages (seed 000), in order; an approved contract starts at the first.
    "order_status": (("confirmed", "已确认", "Confirmed"), ("producing", "生产中", "In production"),
                     ("ready", "准备发货", "Ready to ship"), ("shipped", "已发货", "Shipped"),
                     ("accepted", "已验收", "Accepted"), ("completed", "已完成", "Completed")),
    "payment_method": (("transfer", "银行转账", "Bank transfer"), ("cash", "现金", "Cash"),
                       ("cheque", "支票", "Cheque"), ("acceptance", "承兑汇票", "Bank acceptance"),
                       ("alipay", "支付宝", "Alipay"), ("wechat_pay", "微信支付", "WeChat Pay")),
}

#: Names of the standard dictionaries (context "dictionaries"); a dictionary an
#: administrator creates is named by its key, which is the name they typed.
DICTIONARY_LABELS: dict[str, str] = {
    "customer_level": QT_TRANSLATE_NOOP("dictionaries", "Customer level"),
    "industry": QT_TRANSLATE_NOOP("dictionaries", "Industry"),
    "customer_source": QT_TRANSLATE_NOOP("dictionaries", "Customer source"),
    "followup_kind": QT_TRANSLATE_NOOP("dictionaries", "Follow-up kind"),
    "order_status": QT_TRANSLATE_NOOP("dictionaries", "Order execution status"),
    "payment_method": QT_TRANSLATE_NOOP("dictionaries", "Payment method"),
}

#: What each field type is called in the administration screens (context "fieldtypes").
FIELD_TYPE_LABELS: dict[FieldType, str] = {
    FieldType.TEXT: QT_TRANSLATE_NOOP("fieldtypes", "Single-line text"),
    FieldType.TEXTAREA: QT_TRANSLATE_NOOP("fieldtypes", "Multi-line text"),
    FieldType.INTEGER: QT_TRANSLATE_NOOP("fieldtypes", "Integer"),
    FieldType.DECIMAL: QT_TRANSLATE_NOOP("fieldtypes", "Decimal"),
    FieldType.MONEY: QT_TRANSLATE_NOOP("fieldtypes", "Money"),
    FieldType.PERCENT: QT_TRANSLATE_NOOP("fieldtypes", "Percentage"),
    FieldType.DATE: QT_TRANSLATE_NOOP("fieldtypes", "Date"),
    FieldType.DATETIME: QT_TRANSLATE_NOOP("fieldtypes", "Date and time"),
    FieldType.SELECT: QT_TRANSLATE_NOOP("fieldtypes", "Single select"),
    FieldType.MULTISELECT: QT_TRANSLATE_NOOP("fieldtypes", "Multiple select"),
    FieldType.BOOLEAN: QT_TRANSLATE_NOOP("fieldtypes", "Yes / no"),
    FieldType.PHONE: QT_TRANSLATE_NOOP("fieldtypes", "Phone"),
    FieldType.EMAIL: QT_TRANSLATE_NOOP("fieldtypes", "E-mail"),
    FieldType.URL: QT_TRANSLATE_NOOP("fieldtypes", "Web address"),
    FieldType.USER: QT_TRANSLATE_NOOP("fieldtypes", "User"),
    FieldType.DEPARTMENT: QT_TRANSLATE_NOOP("fieldtypes", "Department"),
    FieldType.REGION: QT_TRANSLATE_NOOP("fieldtypes", "Region"),
    FieldType.ATTACHMENT: QT_TRANSLATE_NOOP("fieldtypes", "Attachment"),
}

SELECT_TYPES = frozenset({FieldType.SELECT, FieldType.MULTISELECT})
_DICTIONARY_NAME_MAX = 60  # DictionaryItem.dictionary is String(60)


# --- custom fields -------------------------------------------------------------------------

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
    #: Lists sort and filter by it through an expression index (``field_index``).
    indexed: bool = False

    @classmethod
    def from_spec(cls, spec: FieldSpec, **changes: Any) -> CustomFieldInput:
        """The input that saves ``spec`` unchanged, with ``changes`` applied (e.g. hidden=True)."""
        values: dict[str, Any] = dict(
            label=spec.label, type=spec.type, required=spec.required, unique=spec.unique, default=spec.default,
            help_text=spec.help_text, dictionary=spec.dictionary, import_aliases=spec.import_aliases,
            hidden=spec.hidden, indexed=spec.indexed)
        values.update(changes)
        return cls(**values)


def _check_entity(entity: str) -> None:
    if entity not in BUILTIN_FIELDS:
        raise ValidationError({"entity": QT_TRANSLATE_NOOP("errors", "Unknown module.")})


def _validate_custom(session: Session, entity: str, data: CustomFieldInput, *, field_id: int | None,
                     new_dictionary: bool = False) -> None:
    errors: dict[str, str] = {}
    if not data.label.strip():
        errors["label"] = QT_TRANSLATE_NOOP("errors", "Required.")
    else:
        builtin = {s.label.lower() for s in BUILTIN_FIELDS[entity]}
        clash = session.scalar(select(CustomField.id).where(
            CustomField.entity == entity, func.lower(CustomField.label) == data.label.strip().lower()))
        if data.label.strip().lower() in builtin or (clash is not None and clash != field_id):
            errors["label"] = QT_TRANSLATE_NOOP("errors", "Another field has this name.")
    if data.type in SELECT_TYPES and not data.dictionary and not new_dictionary:
        errors["dictionary"] = QT_TRANSLATE_NOOP("errors", "Choose the dictionary that lists the options.")
    if data.default not in (None, "", []):
        try:
            coerce(FieldSpec(entity, "x", data.label, data.type, builtin=False), data.default)
        except ValueError as exc:
            errors["default"] = str(exc)
    if data.indexed and data.type not in INDEXABLE_TYPES:
        errors["indexed"] = QT_TRANSLATE_NOOP("errors", "Fields of this type cannot be indexed.")
    if errors:
        raise ValidationError(errors)


def _add_custom(session: Session, entity: str, data: CustomFieldInput) -> FieldSpec:
    count = session.scalar(select(func.count(CustomField.id)).where(CustomField.entity == entity)) or 0
    cf = CustomField(
        entity=entity, key=f"f{count + 1}", label=data.label.strip(), type=data.type.value,
        required=data.required, unique=data.unique, default=data.default, help_text=data.help_text,
        dictionary=data.dictionary, import_aliases=list(data.import_aliases), sort_order=count,
        hidden=data.hidden, indexed=data.indexed,
    )
    while session.scalar(select(CustomField.id).where(CustomField.entity == entity, CustomField.key == cf.key)):
        count += 1  # keys are never reused, even after a field was removed
        cf.key = f"f{count + 1}"
    session.add(cf)
    session.flush()
    spec = _custom_spec(cf)
    if spec.indexed:
        _sync_index(session, spec)
    return spec


def _sync_index(session: Session, spec: FieldSpec) -> None:
    """Create or drop the field's expression index to match its ``indexed`` flag. On a secure
    server an administrator's own role may not change the table (DDL is its owner's): the
    field is saved, and ``crm-admin server-setup`` makes the index (``sync_field_indexes``)."""
    model = _model_of(spec.entity)
    assert model is not None and spec.key is not None
    if not _owns(session, model.__tablename__):
        log.info("custom field %s: its index is left to crm-admin server-setup (not the table's owner)", spec.key)
        return
    if spec.indexed:
        create_field_index(session, model, spec)
    else:
        drop_field_index(session, model, spec.key)


def _owns(session: Session, table: str) -> bool:
    """Whether this connection may change ``table``'s indexes (always, but on a secure server)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.scalar(text(
        "SELECT pg_has_role(current_user, c.relowner, 'USAGE') FROM pg_class c WHERE c.oid = to_regclass(:t)"),
        {"t": table}))


def sync_field_indexes(session: Session) -> int:
    """Make every custom field's index match its ``indexed`` flag (the owner's connection:
    ``crm-admin server-setup``); how many indexes it created or dropped."""
    changed = 0
    for cf in session.scalars(select(CustomField)).all():
        spec, model = _custom_spec(cf), _model_of(cf.entity)
        if model is None or spec.key is None or not can_index(spec):
            continue
        present = index_name(model, spec.key) in field_indexes(session, model)
        if bool(spec.indexed) != present:
            _sync_index(session, spec)
            changed += 1
    return changed


def create_custom_field(db: Database, actor: Actor, entity: str, data: CustomFieldInput) -> FieldSpec:
    """Add a field to a module; its values are stored in each record's ``custom`` JSON."""
    _check_entity(entity)
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        _validate_custom(uow.session, entity, data, field_id=None)
        return _add_custom(uow.session, entity, data)


def create_select_field(db: Database, actor: Actor, entity: str, data: CustomFieldInput, *,
                        dictionary: str, items: Sequence[DictionaryItemDTO]) -> FieldSpec:
    """Add a (multi-)select field together with the new dictionary that lists its options,
    in one unit of work: either both exist afterwards or neither does.

    Errors: the field's keys, plus "dictionary_name" and "items" for the new dictionary.
    """
    _check_entity(entity)
    errors: dict[str, str] = {}
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        try:
            _validate_custom(uow.session, entity, data, field_id=None, new_dictionary=True)
        except ValidationError as exc:
            errors.update(exc.field_errors)
        errors.update(_dictionary_errors(uow.session, dictionary, items))
        if errors:
            raise ValidationError(errors)
        _write_dictionary(uow.session, dictionary.strip(), items)
        return _add_custom(uow.session, entity, replace(data, dictionary=dictionary.strip()))


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
        was_indexed, cf.indexed = bool(cf.indexed), data.indexed
        spec = _custom_spec(cf)
        if was_indexed != data.indexed:
            _sync_index(uow.session, spec)
        return spec


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


# --- dictionaries --------------------------------------------------------------------------

@dataclass(frozen=True)
class DictionaryInfo:
    """One dictionary as the administration list shows it."""

    name: str
    item_count: int
    #: One of DEFAULT_DICTIONARIES (its name is translated through DICTIONARY_LABELS).
    standard: bool
    #: (entity, field label, built-in) of every field that takes its options from it;
    #: built-in labels are English keys of the "fields" context.
    used_by: tuple[tuple[str, str, bool], ...] = ()


def seed_dictionaries(session: Session, *, language: str = "zh_CN") -> None:
    """Give a new company the standard dictionaries (labels in its language); keeps existing ones."""
    for name, items in DEFAULT_DICTIONARIES.items():
        if session.scalar(select(DictionaryItem.id).where(DictionaryItem.dictionary == name).limit(1)):
            continue
        for order, (value, zh, en) in enumerate(items):
            session.add(DictionaryItem(dictionary=name, value=value, label=zh if language.startswith("zh") else en,
                                       sort_order=order, enabled=True))


def _item_errors(items: Sequence[DictionaryItemDTO]) -> dict[str, str]:
    values = [i.value.strip() for i in items]
    if any(not v for v in values) or any(not i.label.strip() for i in items):
        return {"items": QT_TRANSLATE_NOOP("errors", "Every option needs a value and a label.")}
    if len(set(values)) != len(values):
        return {"items": QT_TRANSLATE_NOOP("errors", "Two options have the same value.")}
    return {}


def _dictionary_names(session: Session) -> set[str]:
    names = set(DEFAULT_DICTIONARIES)
    names.update(session.scalars(select(DictionaryItem.dictionary).distinct()))
    names.update(n for n in session.scalars(select(CustomField.dictionary).distinct()) if n)
    names.update(s.dictionary for specs in BUILTIN_FIELDS.values() for s in specs if s.dictionary)
    return names


def _dictionary_errors(session: Session, name: str, items: Sequence[DictionaryItemDTO]) -> dict[str, str]:
    """Problems with a new dictionary called ``name`` holding ``items``."""
    errors: dict[str, str] = {}
    clean = name.strip()
    if not clean:
        errors["dictionary_name"] = QT_TRANSLATE_NOOP("errors", "Required.")
    elif len(clean) > _DICTIONARY_NAME_MAX:
        errors["dictionary_name"] = QT_TRANSLATE_NOOP("errors", "Use at most 60 characters.")
    elif clean.lower() in {n.lower() for n in _dictionary_names(session)} or clean.lower() in {
            label.lower() for label in DICTIONARY_LABELS.values()}:
        errors["dictionary_name"] = QT_TRANSLATE_NOOP("errors", "Another dictionary has this name.")
    if not items:
        errors["items"] = QT_TRANSLATE_NOOP("errors", "Give at least one option.")
    else:
        errors.update(_item_errors(items))
    return errors


def _write_dictionary(session: Session, name: str, items: Sequence[DictionaryItemDTO]) -> None:
    existing = {i.value: i for i in session.scalars(select(DictionaryItem).where(DictionaryItem.dictionary == name))}
    for order, item in enumerate(items):
        row = existing.pop(item.value.strip(), None) or DictionaryItem(dictionary=name, value=item.value.strip())
        row.label, row.sort_order, row.enabled = item.label.strip(), order, item.enabled
        session.add(row)
    for row in existing.values():
        session.delete(row)


def set_dictionary(db: Database, actor: Actor, name: str, items: list[DictionaryItemDTO]) -> None:
    """Replace a dictionary's items in the given order. Values in use should be disabled
    rather than removed: records keep their value and the label stays readable."""
    errors = _item_errors(items)
    if errors:
        raise ValidationError(errors)
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        _write_dictionary(uow.session, name, items)


def create_dictionary(db: Database, actor: Actor, name: str, items: Sequence[DictionaryItemDTO]) -> DictionaryInfo:
    """Start a new dictionary called ``name`` (also its key) with at least one option.

    Errors: "dictionary_name" (empty, too long, taken) and "items".
    """
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        errors = _dictionary_errors(uow.session, name, items)
        if errors:
            raise ValidationError(errors)
        _write_dictionary(uow.session, name.strip(), items)
        return DictionaryInfo(name=name.strip(), item_count=len(items), standard=False)


def list_dictionaries(db: Database, actor: Actor) -> list[DictionaryInfo]:
    """Every dictionary: the standard ones first (in their usual order), then the others by name."""
    with read_only(db, actor) as uow:
        require(uow.actor, "setting", "manage")
        session = uow.session
        counts = dict(session.execute(select(DictionaryItem.dictionary, func.count(DictionaryItem.id))
                                      .group_by(DictionaryItem.dictionary)).all())
        used: dict[str, list[tuple[str, str, bool]]] = {}
        for entity, specs in BUILTIN_FIELDS.items():
            for spec in specs:
                if spec.dictionary:
                    used.setdefault(spec.dictionary, []).append((entity, spec.label, True))
        for cf in session.scalars(select(CustomField).where(CustomField.dictionary.is_not(None))
                                  .order_by(CustomField.entity, CustomField.sort_order, CustomField.id)):
            used.setdefault(str(cf.dictionary), []).append((cf.entity, cf.label, False))
        names = _dictionary_names(session)
        ordered = [n for n in DEFAULT_DICTIONARIES if n in names] + sorted(names - set(DEFAULT_DICTIONARIES))
        return [DictionaryInfo(name=n, item_count=int(counts.get(n, 0)), standard=n in DEFAULT_DICTIONARIES,
                               used_by=tuple(used.get(n, ()))) for n in ordered]


# --- field permissions -----------------------------------------------------------------------

def permission_fields(db: Database, actor: Actor, entity: str) -> list[FieldSpec]:
    """Every field of ``entity`` a role's field permissions can name (administrator-hidden
    custom fields included), for the field-permission editor."""
    _check_entity(entity)
    with read_only(db, actor) as uow:
        require(uow.actor, "role", "view")
        return load_fields(uow.session, entity, include_hidden=True)


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
    "DEFAULT_DICTIONARIES", "DICTIONARY_LABELS", "FIELD_TYPE_LABELS", "SELECT_TYPES", "CustomFieldInput",
    "DictionaryInfo", "DictionaryItemDTO", "create_custom_field", "create_dictionary", "create_select_field",
    "get_dictionary", "get_field_permissions", "list_custom_fields", "list_dictionaries", "permission_fields",
    "reorder_custom_fields", "seed_dictionaries", "set_dictionary", "set_field_permissions", "update_custom_field",
]
