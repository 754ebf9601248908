"""Products (产品): the company's catalogue, its category tree, and on/off shelf (上架/下架).

Promises (permission first, the one data-scope filter, one unit of work, audit and events;
thread rule: any thread):

- ``products`` is the RecordService (create/get/list_page/count/update/delete/restore/export,
  custom fields, attachments by entity "product"). ``name`` and ``code`` are required; the
  code is unique among all products, recycled ones included (it names the product on printed
  orders), and a taken code is refused with a message on ``code``. ``price`` is Decimal (a
  float is refused), never negative. ``category_id`` must name an existing category.
- The catalogue has no owner-based data scope (module "product" is registered unscoped, and
  the actor's scope for an unscoped module is "all"): whoever has product "view" sees every
  product, on every read path.
- On/off shelf is its own operation (``set_on_shelf``, product "edit"), audited as
  "on_shelf"/"off_shelf"; ``on_shelf`` is refused by create/update. New products are on shelf.
  Only on-shelf products can be added to new opportunity and contract lines
  (``product_lines.replace_lines``); ``on_shelf_products`` is what line pickers offer.
- Categories form a tree: ``category_tree`` and ``category_choices`` (tree order with paths
  such as "设备 / 数控机床", what condition pickers offer) need product "view"; ``create_category``,
  ``rename_category``, ``move_category`` (never under itself), ``delete_category`` (only when
  it has neither sub-categories nor products, recycled ones included) need product "edit" and
  are audited (entity "product_category").
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, or_, select

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import Product, ProductCategory
from crm_desktop.services.customers.customers import (
    field_checks,
    load_for,
    write_fields,
)
from crm_desktop.services.db_errors import UniqueTaken
from crm_desktop.services.errors import NotFound, RuleViolation, ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.org.scope import visible_filter
from crm_desktop.services.records import audit
from crm_desktop.services.records.filters import LIKE_ESCAPE, contains_pattern
from crm_desktop.services.records.records import RecordDTO, RecordService
from crm_desktop.services.sales.product_lines import money
from crm_desktop.services.uow import read_only, unit_of_work

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from crm_desktop.db import Database

FIELDS = ("name", "code", "category_id", "unit", "price", "description", "on_shelf")
SYSTEM_FIELDS = ("on_shelf",)
EDITABLE_FIELDS = tuple(f for f in FIELDS if f not in SYSTEM_FIELDS)

_CODE_TAKEN = QT_TRANSLATE_NOOP("errors", "Another product already has this code (products in the recycle bin count too).")


def _code_taken(exc: UniqueTaken) -> bool:
    return exc.table == "products" and exc.columns == ("code",)


class ProductService(RecordService[Product]):
    """RecordService with the catalogue's rules: unique code, Decimal price, known category."""

    def _clean(self, db: Database, actor: Actor, values: Mapping[str, Any], record_id: int | None) -> dict[str, Any]:
        cleaned = dict(values)
        errors: dict[str, str] = {}
        if "code" in cleaned:
            cleaned["code"] = str(cleaned["code"] or "").strip()
        if "name" in cleaned:
            cleaned["name"] = str(cleaned["name"] or "").strip()
        if "price" in cleaned:
            try:
                cleaned["price"] = money(cleaned["price"] if cleaned["price"] is not None else "0")
                if cleaned["price"] < 0:
                    errors["price"] = QT_TRANSLATE_NOOP("errors", "The price must not be negative.")
            except ValidationError:
                errors["price"] = QT_TRANSLATE_NOOP("errors", "Enter a number.")
        if cleaned.get("category_id") in ("",):
            cleaned["category_id"] = None
        with read_only(db, actor) as uow:
            require(uow.actor, "product", "create" if record_id is None else "edit")  # before telling what exists
            code = cleaned.get("code")
            if code:
                query = select(Product.id).where(Product.code == code)
                if record_id is not None:
                    query = query.where(Product.id != record_id)
                if uow.session.scalar(query.limit(1)) is not None:
                    errors["code"] = _CODE_TAKEN
            category = cleaned.get("category_id")
            if category is not None:
                try:
                    found = uow.session.get(ProductCategory, int(category))
                except (TypeError, ValueError):
                    found = None
                if found is None:
                    errors["category_id"] = QT_TRANSLATE_NOOP("errors", "Choose an existing category.")
                else:
                    cleaned["category_id"] = found.id
        if errors:
            raise ValidationError(errors)
        return cleaned

    def create(
        self, db: Database, actor: Actor, values: Mapping[str, Any], *, owner_id: int | None = None,
        custom: Mapping[str, Any] | None = None,
    ) -> RecordDTO:
        cleaned = self._clean(db, actor, values, None)
        try:
            return super().create(db, actor, cleaned, owner_id=owner_id, custom=custom)
        except UniqueTaken as exc:  # a code taken by a save that committed after our check
            if _code_taken(exc):
                raise ValidationError({"code": _CODE_TAKEN}) from None
            raise

    def update(
        self, db: Database, actor: Actor, record_id: int, *, expected_version: int, changes: Mapping[str, Any]
    ) -> RecordDTO:
        cleaned = self._clean(db, actor, changes, record_id)
        try:
            return super().update(db, actor, record_id, expected_version=expected_version, changes=cleaned)
        except UniqueTaken as exc:
            if _code_taken(exc):
                raise ValidationError({"code": _CODE_TAKEN}) from None
            raise


products = ProductService(
    Product, fields=FIELDS, required=("name", "code"), search_fields=("name", "code"),
    validate=field_checks(SYSTEM_FIELDS),
)


def set_on_shelf(db: Database, actor: Actor, product_ids: Sequence[int], *, on_shelf: bool) -> int:
    """Put products on (True) or take them off (False) the shelf. Returns how many changed."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, "product", "edit")
        changed = 0
        for product_id in dict.fromkeys(product_ids):
            row = load_for(uow, products, product_id, for_edit=True)
            if write_fields(uow, row, {"on_shelf": on_shelf}, action="on_shelf" if on_shelf else "off_shelf"):
                changed += 1
        return changed


@dataclass(frozen=True)
class ProductOption:
    """A product as a line picker offers it."""

    id: int
    name: str
    code: str
    unit: str
    price: Decimal
    category_id: int | None


def on_shelf_products(
    db: Database, actor: Actor, *, text: str | None = None, category_id: int | None = None, limit: int = 200,
) -> list[ProductOption]:
    """On-shelf products by name, optionally matching ``text`` (name or code) and within a
    category and its sub-categories: what can be added to a new line."""
    with read_only(db, actor) as uow:
        require(uow.actor, "product", "view")
        query = select(Product).where(Product.on_shelf.is_(True), visible_filter(Product, uow.actor))
        if text and text.strip():
            pattern = contains_pattern(text, field="text")
            query = query.where(or_(Product.name.ilike(pattern, escape=LIKE_ESCAPE),
                                    Product.code.ilike(pattern, escape=LIKE_ESCAPE)))
        if category_id is not None:
            query = query.where(Product.category_id.in_(category_subtree(uow.session, category_id)))
        rows = uow.session.scalars(query.order_by(Product.name, Product.id).limit(limit))
        return [ProductOption(p.id, p.name, p.code, p.unit, p.price, p.category_id) for p in rows]


# --- categories -----------------------------------------------------------------------------


@dataclass(frozen=True)
class CategoryNode:
    """A category with its sub-categories (in order) and how many live products it holds itself."""

    id: int
    name: str
    parent_id: int | None
    sort_order: int
    product_count: int
    children: tuple[CategoryNode, ...]


def category_subtree(session: Session, category_id: int) -> list[int]:
    """The category and all its descendants."""
    children: dict[int | None, list[int]] = {}
    for cid, parent in session.execute(select(ProductCategory.id, ProductCategory.parent_id)):
        children.setdefault(parent, []).append(cid)
    found, todo = [], [category_id]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, ()))
    return found


@dataclass(frozen=True)
class CategoryChoice:
    """A category as a picker offers it: its path from the top ("设备 / 数控机床") and depth."""

    id: int
    name: str
    path: str
    depth: int


PATH_SEPARATOR = " / "


def category_choices(db: Database, actor: Actor) -> tuple[CategoryChoice, ...]:
    """Every category in tree order (each followed by its sub-categories, by sort order then
    name) with its path: what a condition on a record's product category offers."""
    with read_only(db, actor) as uow:
        require(uow.actor, "product", "view")
        rows = uow.session.execute(
            select(ProductCategory.id, ProductCategory.name, ProductCategory.parent_id)
            .order_by(ProductCategory.sort_order, ProductCategory.name, ProductCategory.id)).all()
    by_parent: dict[int | None, list[tuple[int, str]]] = {}
    for cid, name, parent in rows:
        by_parent.setdefault(parent, []).append((cid, name))
    found: list[CategoryChoice] = []
    todo: list[tuple[int, str, str, int]] = [(cid, name, name, 0) for cid, name in reversed(by_parent.get(None, []))]
    seen: set[int] = set()
    while todo:  # depth first, parents before children, in order
        cid, name, path, depth = todo.pop()
        if cid in seen:
            continue
        seen.add(cid)
        found.append(CategoryChoice(cid, name, path, depth))
        todo.extend((child, child_name, path + PATH_SEPARATOR + child_name, depth + 1)
                    for child, child_name in reversed(by_parent.get(cid, [])))
    return tuple(found)


def category_tree(db: Database, actor: Actor) -> tuple[CategoryNode, ...]:
    """The top categories, each with its sub-categories, by sort order then name."""
    with read_only(db, actor) as uow:
        require(uow.actor, "product", "view")
        counts = dict(uow.session.execute(
            select(Product.category_id, func.count(Product.id)).where(Product.deleted_at.is_(None))
            .group_by(Product.category_id)).all())
        rows = uow.session.scalars(select(ProductCategory).order_by(
            ProductCategory.sort_order, ProductCategory.name, ProductCategory.id)).all()
        by_parent: dict[int | None, list[ProductCategory]] = {}
        for c in rows:
            by_parent.setdefault(c.parent_id, []).append(c)

        def build(parent: int | None) -> tuple[CategoryNode, ...]:
            return tuple(CategoryNode(c.id, c.name, c.parent_id, c.sort_order, counts.get(c.id, 0), build(c.id))
                         for c in by_parent.get(parent, []))

        return build(None)


def _category(session: Session, category_id: int) -> ProductCategory:
    found = session.get(ProductCategory, category_id)
    if found is None:
        raise NotFound("product category", category_id)
    return found


def _category_name(name: str) -> str:
    if not name.strip():
        raise ValidationError({"name": QT_TRANSLATE_NOOP("errors", "Required.")})
    return name.strip()[:100]


def create_category(db: Database, actor: Actor, name: str, *, parent_id: int | None = None) -> CategoryNode:
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "product", "edit")
        if parent_id is not None:
            _category(uow.session, parent_id)
        siblings = uow.session.scalar(select(func.count(ProductCategory.id)).where(
            ProductCategory.parent_id.is_(None) if parent_id is None else ProductCategory.parent_id == parent_id)) or 0
        row = ProductCategory(name=_category_name(name), parent_id=parent_id, sort_order=siblings)
        uow.session.add(row)
        uow.session.flush()
        audit.write_audit(uow.session, entity="product_category", record_id=row.id, action="create",
                          actor_id=uow.actor.user_id, changes={"name": (None, row.name), "parent_id": (None, parent_id)})
        return CategoryNode(row.id, row.name, row.parent_id, row.sort_order, 0, ())


def rename_category(db: Database, actor: Actor, category_id: int, *, name: str) -> None:
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "product", "edit")
        row = _category(uow.session, category_id)
        old, row.name = row.name, _category_name(name)
        if old != row.name:
            audit.write_audit(uow.session, entity="product_category", record_id=row.id, action="update",
                              actor_id=uow.actor.user_id, changes={"name": (old, row.name)})


def move_category(db: Database, actor: Actor, category_id: int, *, new_parent_id: int | None) -> None:
    """Put a category under another one (None: at the top); never under itself or its descendants."""
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "product", "edit")
        row = _category(uow.session, category_id)
        if new_parent_id is not None:
            _category(uow.session, new_parent_id)
            if new_parent_id in category_subtree(uow.session, row.id):
                raise RuleViolation(QT_TRANSLATE_NOOP(
                    "errors", "A category cannot be moved under itself or its sub-categories."))
        if row.parent_id == new_parent_id:
            return
        old, row.parent_id = row.parent_id, new_parent_id
        audit.write_audit(uow.session, entity="product_category", record_id=row.id, action="update",
                          actor_id=uow.actor.user_id, changes={"parent_id": (old, new_parent_id)})


def delete_category(db: Database, actor: Actor, category_id: int) -> None:
    """Delete an empty category; one with sub-categories or products is refused, saying why."""
    with unit_of_work(db, actor) as uow:
        assert uow.actor is not None
        require(uow.actor, "product", "edit")
        row = _category(uow.session, category_id)
        children = uow.session.scalar(select(func.count(ProductCategory.id)).where(
            ProductCategory.parent_id == row.id)) or 0
        if children:
            raise RuleViolation(QT_TRANSLATE_NOOP(
                "errors", "“{name}” still has {count} sub-category(ies). Delete or move them first."),
                name=row.name, count=children)
        # Recycled products count: restoring one must find its category again.
        used = uow.session.scalar(select(func.count(Product.id)).where(Product.category_id == row.id)) or 0
        if used:
            raise RuleViolation(QT_TRANSLATE_NOOP(
                "errors", "“{name}” still has {count} product(s), the recycle bin included. Move them first."),
                name=row.name, count=used)
        audit.write_audit(uow.session, entity="product_category", record_id=row.id, action="delete",
                          actor_id=uow.actor.user_id, changes={"name": (row.name, None)})
        uow.session.delete(row)


__all__ = [
    "EDITABLE_FIELDS", "FIELDS", "PATH_SEPARATOR", "SYSTEM_FIELDS", "CategoryChoice", "CategoryNode", "ProductOption",
    "ProductService", "category_choices", "category_subtree", "category_tree", "create_category", "delete_category",
    "move_category", "on_shelf_products", "products", "rename_category", "set_on_shelf",
]
