"""Saved views (场景), stars and list-column preferences.

Built-in views — all, mine, my subordinates', my team's, starred — are clauses on top of
the data scope (they only ever narrow it); user-defined views store a filter, a sort and
whether they open by default. Each user keeps their own views and columns per module.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, delete, select, true, update

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import (
    ColumnPreference,
    RecordMixin,
    SavedView,
    Star,
    TeamMember,
)
from crm_desktop.services.errors import NotFound, ValidationError
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.org.scope import subordinate_ids, visible_filter
from crm_desktop.services.records.filters import Filter, filter_sql
from crm_desktop.services.records.schema import schema_for
from crm_desktop.services.uow import read_only, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database


class BuiltinView(StrEnum):
    ALL = "all"
    MINE = "mine"
    SUBORDINATES = "subordinates"
    TEAM = "team"
    STARRED = "starred"


BUILTIN_LABELS: dict[BuiltinView, str] = {
    BuiltinView.ALL: QT_TRANSLATE_NOOP("views", "All"),
    BuiltinView.MINE: QT_TRANSLATE_NOOP("views", "Mine"),
    BuiltinView.SUBORDINATES: QT_TRANSLATE_NOOP("views", "My subordinates'"),
    BuiltinView.TEAM: QT_TRANSLATE_NOOP("views", "My team's"),
    BuiltinView.STARRED: QT_TRANSLATE_NOOP("views", "Starred"),
}


def builtin_clause(model: type[RecordMixin], actor: Actor, view: BuiltinView) -> ColumnElement[bool]:
    """The narrowing a built-in view adds to the data-scope filter."""
    if view is BuiltinView.MINE:
        return model.owner_id == actor.user_id
    if view is BuiltinView.SUBORDINATES:
        return (model.owner_id.in_(subordinate_ids(actor.user_id, name="view_superior_chain"))) & (model.owner_id != actor.user_id)
    if view is BuiltinView.TEAM:
        return model.id.in_(select(TeamMember.record_id).where(
            TeamMember.entity == model.entity, TeamMember.user_id == actor.user_id))
    if view is BuiltinView.STARRED:
        return model.id.in_(select(Star.record_id).where(Star.entity == model.entity, Star.user_id == actor.user_id))
    return true()


@dataclass(frozen=True)
class ViewDTO:
    """A view as the list's view switcher shows it. ``id`` is None for built-in views."""

    key: str
    name: str
    builtin: bool
    filter: Filter
    sort: str
    descending: bool
    is_default: bool
    id: int | None = None


@dataclass(frozen=True)
class ViewInput:
    name: str
    filter: Filter = Filter()
    sort: str = "updated_at"
    descending: bool = True
    is_default: bool = False


def list_views(db: Database, actor: Actor, entity: str) -> list[ViewDTO]:
    """Built-in views first, then the user's own in their order; exactly one is default."""
    with read_only(db, actor) as uow:
        require(uow.actor, entity, "view")
        own = uow.session.scalars(select(SavedView).where(
            SavedView.user_id == uow.actor.user_id, SavedView.entity == entity
        ).order_by(SavedView.sort_order, SavedView.id)).all()
        has_default = any(v.is_default for v in own)
        views = [ViewDTO(key=b.value, name=BUILTIN_LABELS[b], builtin=True, filter=Filter(), sort="updated_at",
                         descending=True, is_default=(b is BuiltinView.ALL and not has_default)) for b in BuiltinView]
        views += [ViewDTO(key=f"saved:{v.id}", name=v.name, builtin=False, filter=Filter.from_json(v.filter),
                          sort=v.sort, descending=v.descending, is_default=v.is_default, id=v.id) for v in own]
        return views


def _validate(db_session: Any, actor: Actor, entity: str, data: ViewInput, model: type[RecordMixin]) -> None:
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = QT_TRANSLATE_NOOP("errors", "Required.")
    schema = schema_for(db_session, actor, entity)
    try:
        filter_sql(model, schema, data.filter)  # the same checks a list applies
    except ValidationError as exc:
        errors["filter"] = next(iter(exc.field_errors.values()))
    if data.sort != "id" and schema.get(data.sort) is None:
        errors["sort"] = QT_TRANSLATE_NOOP("errors", "Unknown field.")
    if errors:
        raise ValidationError(errors)


def save_view(
    db: Database, actor: Actor, entity: str, data: ViewInput, *, model: type[RecordMixin], view_id: int | None = None
) -> ViewDTO:
    """Create or update one of the actor's own views; marking it default unmarks the others."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, entity, "view")
        _validate(uow.session, uow.actor, entity, data, model)
        if data.is_default:  # before the row is added: an autoflush must not see it half-filled
            uow.session.execute(update(SavedView).where(
                SavedView.user_id == uow.actor.user_id, SavedView.entity == entity).values(is_default=False))
        if view_id is None:
            row = SavedView(user_id=uow.actor.user_id, entity=entity, sort_order=_next_order(uow.session, actor, entity))
        else:
            row = _own(uow.session, uow.actor, view_id)
        row.name, row.filter, row.sort = data.name.strip(), data.filter.to_json(), data.sort
        row.descending, row.is_default = data.descending, data.is_default
        uow.session.add(row)
        uow.session.flush()
        return ViewDTO(key=f"saved:{row.id}", name=row.name, builtin=False, filter=data.filter, sort=row.sort,
                       descending=row.descending, is_default=row.is_default, id=row.id)


def _next_order(session: Any, actor: Actor, entity: str) -> int:
    rows = session.scalars(select(SavedView.sort_order).where(
        SavedView.user_id == actor.user_id, SavedView.entity == entity)).all()
    return max(rows, default=-1) + 1


def _own(session: Any, actor: Actor, view_id: int) -> SavedView:
    row = session.get(SavedView, view_id)
    if row is None or row.user_id != actor.user_id:  # another user's view is not even acknowledged
        raise NotFound("view", view_id)
    return row


def delete_view(db: Database, actor: Actor, view_id: int) -> None:
    with unit_of_work(db, actor) as uow:
        uow.session.delete(_own(uow.session, uow.actor, view_id))


def resolve_view(db_session: Any, actor: Actor, entity: str, key: str) -> tuple[BuiltinView, Filter]:
    """A view key ("mine", "saved:12", …) as (built-in narrowing, filter) for a list query."""
    if key.startswith("saved:"):
        row = _own(db_session, actor, int(key.split(":", 1)[1]))
        if row.entity != entity:
            raise NotFound("view", key)
        return BuiltinView.ALL, Filter.from_json(row.filter)
    try:
        return BuiltinView(key), Filter()
    except ValueError:
        raise ValidationError({"view": QT_TRANSLATE_NOOP("errors", "Unknown view.")}) from None


# --- stars and columns ---------------------------------------------------------------------

def set_star(db: Database, actor: Actor, model: type[RecordMixin], record_id: int, *, starred: bool) -> None:
    """Star or unstar a record the actor can see (stars are private to each user)."""
    with unit_of_work(db, actor) as uow:
        require(uow.actor, model.entity, "view")
        visible = uow.session.scalar(select(model.id).where(model.id == record_id, visible_filter(model, uow.actor)))
        if visible is None:
            raise NotFound(model.entity, record_id)
        key = (model.entity, record_id, uow.actor.user_id)
        existing = uow.session.get(Star, key)
        if starred and existing is None:
            uow.session.add(Star(entity=model.entity, record_id=record_id, user_id=uow.actor.user_id))
        elif not starred and existing is not None:
            uow.session.delete(existing)


def starred_ids(db: Database, actor: Actor, entity: str, record_ids: Sequence[int]) -> set[int]:
    """Which of these records the actor has starred (to draw the star column)."""
    with read_only(db, actor) as uow:
        return set(uow.session.scalars(select(Star.record_id).where(
            Star.entity == entity, Star.user_id == uow.actor.user_id, Star.record_id.in_(list(record_ids)))))


@dataclass(frozen=True)
class ColumnDTO:
    field: str
    width: int


def get_columns(db: Database, actor: Actor, entity: str) -> list[ColumnDTO] | None:
    """The user's columns for a module, or None to use the module's defaults. Columns of
    fields the user may no longer see are dropped."""
    with read_only(db, actor) as uow:
        row = uow.session.get(ColumnPreference, (uow.actor.user_id, entity))
        if row is None:
            return None
        schema = schema_for(uow.session, uow.actor, entity)
        return [ColumnDTO(c["field"], int(c.get("width", 120))) for c in row.columns if schema.get(c["field"])]


def set_columns(db: Database, actor: Actor, entity: str, columns: Sequence[ColumnDTO] | None) -> None:
    """Remember the columns (order and width); None goes back to the defaults."""
    with unit_of_work(db, actor) as uow:
        if columns is None:
            uow.session.execute(delete(ColumnPreference).where(
                ColumnPreference.user_id == uow.actor.user_id, ColumnPreference.entity == entity))
            return
        schema = schema_for(uow.session, uow.actor, entity)
        unknown = [c.field for c in columns if schema.get(c.field) is None]
        if unknown or len({c.field for c in columns}) != len(columns):
            raise ValidationError({"columns": QT_TRANSLATE_NOOP("errors", "Unknown field.")})
        data = [{"field": c.field, "width": max(30, min(int(c.width), 1200))} for c in columns]
        row = uow.session.get(ColumnPreference, (uow.actor.user_id, entity))
        if row is None:
            uow.session.add(ColumnPreference(user_id=uow.actor.user_id, entity=entity, columns=data))
        else:
            row.columns = data
