"""Generic operations on business records, shared by every module.

A module describes its model and fields once (``RecordService(Customer, fields=...)``) and
gets create, read, list, update with optimistic locking, transfer, soft delete and restore,
team membership and the operation log — each checking permission first, filtering by the one
data-scope function, writing the audit log and recording domain events (the automation rules
and approval gates subscribe to those: see ``services/uow.py`` for when they run).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from operator import itemgetter
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from sqlalchemy import (
    Column,
    ColumnElement,
    Dialect,
    Row,
    Select,
    String,
    bindparam,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.visitors import replacement_traverse

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP
from crm_desktop.models import RecordMixin, TeamMember, User, utcnow
from crm_desktop.services.db_errors import StaleRecord
from crm_desktop.services.errors import (
    ConflictError,
    FieldConflict,
    NotFound,
    PermissionDenied,
    RuleViolation,
    ValidationError,
)
from crm_desktop.services.events import (
    OwnerChanged,
    RecordCreated,
    RecordDeleted,
    RecordRestored,
    RecordUpdated,
)
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.permissions import require
from crm_desktop.services.org.scope import (
    editable_filter,
    owner_in_scope,
    scope_filter,
    unindexed,
    visible_filter,
)
from crm_desktop.services.records import audit
from crm_desktop.services.records.filters import (
    LIKE_ESCAPE,
    Filter,
    contains_pattern,
    filter_sql,
    sort_column,
)
from crm_desktop.services.records.record_fields import FieldPolicy
from crm_desktop.services.records.row_values import (
    RAW_ROW_DIALECTS,
    Converter,
    CustomValues,
    Derived,
    DriverStatement,
    RowLayout,
    RowValues,
    converter,
    same,
)
from crm_desktop.services.records.schema import BUILTIN_FIELDS, schema_for
from crm_desktop.services.records.views import builtin_clause, resolve_view
from crm_desktop.services.uow import read_only, retrying, unit_of_work
from crm_desktop.services.workflow.approval_state import (
    refuse_edit_while_pending,
    request_creation,
)

if TYPE_CHECKING:
    from crm_desktop.db import Database

M = TypeVar("M", bound=RecordMixin)
PAGE_SIZE = 100
#: Bound on the per-service cache of list statements (see ``_plain_page_query``).
PAGE_QUERY_CACHE = 256


@dataclass(frozen=True)
class RecordDTO:
    """A business record as the UI sees it: base columns plus the module's own fields."""

    entity: str
    id: int
    values: Mapping[str, Any]
    owner_id: int | None
    owner_name: str
    creator_id: int
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
    deleted_at: dt.datetime | None
    custom: Mapping[str, Any]


# ``_page_dtos`` fills RecordDTO instances' dicts directly: it must name every field, and
# the class must keep an instance dict (no __slots__).
assert {f.name for f in dataclass_fields(RecordDTO)} == {"entity", "id", "values", "owner_id", "owner_name", "creator_id",
                                              "created_at", "updated_at", "version", "deleted_at", "custom"}
assert "__slots__" not in RecordDTO.__dict__


@dataclass(frozen=True)
class Page:
    """One page of a keyset-paginated list; pass ``next_cursor`` back for the next one."""

    rows: tuple[RecordDTO, ...]
    next_cursor: tuple[Any, int] | None


@dataclass(frozen=True)
class TeamMemberDTO:
    user_id: int
    user_name: str
    access: str


Validator = Callable[[Mapping[str, Any]], dict[str, str]]

class RecordService(Generic[M]):
    """Record operations for one model. Thread rule: any thread; each call is one unit of work."""

    #: Values a list row computes from its fields when read (a contract's outstanding amount):
    #: name → (the fields it needs, all shown, or it is left out; how it is computed).
    derived_values: ClassVar[Mapping[str, tuple[tuple[str, ...], Derived]]] = {}

    def __init__(
        self,
        model: type[M],
        *,
        fields: Sequence[str],
        required: Sequence[str] = (),
        search_fields: Sequence[str] = (),
        validate: Validator | None = None,
        base_filter: Callable[[], ColumnElement[bool]] | None = None,
    ) -> None:
        self.model = model
        self.module = model.entity
        self.fields = tuple(fields)
        self.required = tuple(required)
        self.search_fields = tuple(search_fields)
        self._validate_extra = validate
        #: Rows the module's lists and reads never show (e.g. customers waiting in a pool).
        self._base_filter = base_filter
        self._list_columns: tuple[ColumnElement[Any], ...] | None = None
        self._list_index: dict[str, int] = {}
        self._list_base: Select[Any] | None = None
        self._base: ColumnElement[bool] | None = None
        self._page_queries: dict[tuple[Any, ...], tuple[Select[Any], int]] = {}
        self._column_converters: dict[str, tuple[Converter | None, ...]] = {}
        self._layouts: dict[tuple[str, tuple[str, ...]], RowLayout] = {}
        self._policy: FieldPolicy | None = None
        self._driver_statements: dict[int, tuple[Select[Any], DriverStatement | None]] = {}

    def list_columns(self) -> tuple[ColumnElement[Any], ...]:
        """What a list row reads: the record's base columns and fields, and the owner's name
        (labelled ``_owner_name``).

        Lists select these columns rather than whole ORM objects: a page of plain rows skips
        the identity map and per-object instrumentation, which cost more than the query itself
        on a page of a million-row table. Rows keep attribute access, so ``to_dto`` and
        ``FieldPolicy.readable`` take them as they take records.
        """
        if self._list_columns is None:
            names = tuple(dict.fromkeys(("id", *self.fields, "owner_id", "creator_id", "created_at", "updated_at",
                                         "version", "deleted_at", "custom")))
            # A field named like a Row method (count, index) would read the method instead.
            assert not set(names) & set(dir(Row)), "a field name shadows a Row attribute"
            self._list_index = {n: i for i, n in enumerate(names)}
            self._list_columns = (*(getattr(self.model, n) for n in names), User.name.label("_owner_name"))
        return self._list_columns

    def _list_select(self) -> Select[Any]:
        # Built once: statements are immutable (each .where() makes a new one), and coercing
        # thirty-odd columns on every call costs as much as running the page's query.
        if self._list_base is None:
            self._list_base = select(*self.list_columns()).outerjoin(User, User.id == self.model.owner_id)
        return self._list_base

    def _page_dtos(self, rows: Sequence[Any], policy: FieldPolicy, dialect: Dialect) -> tuple[RecordDTO, ...]:
        """DTOs of ``list_columns()`` rows: what ``to_dto`` makes, read by position. On SQLite
        the rows are the driver's own (see ``list_page``): the DTO's base values are converted
        here, its field values when read (``RowValues``)."""
        index = self._list_index
        builtin, custom_keys = policy.shown
        layout = self._row_layout(dialect, builtin)
        convert = self._converters(dialect)
        when = [convert[index[n]] or same for n in ("created_at", "updated_at", "deleted_at", "custom")]
        created_of, updated_of, deleted_of, custom_of = when
        base = itemgetter(*(index[n] for n in ("id", "owner_id", "creator_id", "created_at", "updated_at",
                                               "version", "deleted_at", "custom")), len(index))
        dtos = []
        entity, new = self.module, object.__new__
        for row in rows:
            rid, owner_id, creator_id, created, updated, version, deleted, stored, owner_name = base(row)
            # What the frozen dataclass's __init__ does, minus its eleven object.__setattr__
            # calls (3 µs a row, as much as the row's query): fill the new instance's dict.
            dto = new(RecordDTO)
            dto.__dict__.update({
                "entity": entity, "id": rid, "values": RowValues(row, layout), "owner_id": owner_id,
                "owner_name": owner_name or "", "creator_id": creator_id, "created_at": created_of(created),
                "updated_at": updated_of(updated), "version": version,
                "deleted_at": deleted_of(deleted) if deleted is not None else None,
                # The JSON is parsed when a custom value is read (and never without custom fields).
                "custom": CustomValues(stored, custom_keys, custom_of) if custom_keys else {},
            })
            dtos.append(dto)
        return tuple(dtos)

    def _driver_statement(self, query: Select[Any], dialect: Dialect) -> DriverStatement | None:
        """``query`` (a kept page statement) compiled for ``dialect``'s driver, once."""
        found = self._driver_statements.get(id(query))
        if found is None or found[0] is not query:
            if len(self._driver_statements) >= PAGE_QUERY_CACHE:
                self._driver_statements.clear()
            found = self._driver_statements[id(query)] = (query, DriverStatement.compile(query, dialect))
        return found[1]

    def _converters(self, dialect: Dialect) -> tuple[Converter | None, ...]:
        """Per ``list_columns()`` column, what turns the driver's value into the Python value
        SQLAlchemy would have made (its own result processor for the column's type); all None
        where SQLAlchemy converts the rows itself (``RAW_ROW_DIALECTS``)."""
        found = self._column_converters.get(dialect.name)
        if found is None:
            raw = dialect.name in RAW_ROW_DIALECTS
            found = tuple(converter(c.type, dialect) if raw else None for c in self.list_columns())
            self._column_converters[dialect.name] = found
        return found

    def _row_layout(self, dialect: Dialect, builtin: Sequence[str]) -> RowLayout:
        key = (dialect.name, tuple(builtin))
        layout = self._layouts.get(key)
        if layout is None:
            convert, index = self._converters(dialect), self._list_index
            layout = RowLayout({f: (index[f], convert[index[f]]) for f in builtin},
                               {n: f for n, (needs, f) in self.derived_values.items() if set(needs) <= set(builtin)})
            self._layouts[key] = layout
        return layout

    def base_clause(self) -> ColumnElement[bool]:
        """The module's base filter (built once). It admits nearly every row (only pooled
        customers fail it), so its columns are marked ``unindexed``: on SQLite an index on them (pool_id)
        would otherwise be preferred to the sort column's and make every page sort the table."""
        if self._base_filter is None:
            return true()
        if self._base is None:  # built on first use (models may not be mapped at import)
            table = self.model.__table__

            def mark(element: Any) -> Any:
                if isinstance(element, Column) and element.table is table:
                    return unindexed(element)
                return None

            self._base = replacement_traverse(self._base_filter(), {}, mark)
        return self._base

    def policy(self, session: Session, actor: Actor) -> FieldPolicy:
        """The actor's view of this module's fields (schema, custom fields, field access)."""
        schema = schema_for(session, actor, self.module) if self.module in BUILTIN_FIELDS else None
        # Reads get the same schema object while the security cache holds it: keep its policy
        # too (it works out which fields are shown once, not on every list page).
        kept = self._policy
        if kept is not None and kept.schema is schema and schema is not None:
            return kept
        policy = FieldPolicy(self.model, self.fields, self.required, schema)
        self._policy = policy
        return policy

    # --- transaction-level API --------------------------------------------------------
    # Used inside an open unit of work by the module services that compose several records
    # in one transaction (lead conversion, contacts, follow-ups, bulk transfer): load_row,
    # prepare_values, check_owner, new_owner, to_dto, owner_name, base_clause, policy.

    def to_dto(self, row: M | Row[Any], owner_name: str, policy: FieldPolicy) -> RecordDTO:
        """``row`` is a loaded record, or a row of ``list_columns()`` (the list path)."""
        values, custom = policy.readable(row)
        return RecordDTO(
            entity=self.module,
            id=row.id,
            values=values,
            owner_id=row.owner_id,
            owner_name=owner_name,
            creator_id=row.creator_id,
            created_at=row.created_at,
            updated_at=row.updated_at,
            version=row.version,
            deleted_at=row.deleted_at,
            custom=custom,
        )

    def prepare_values(
        self, session: Session, policy: FieldPolicy, values: Mapping[str, Any], *, partial: bool,
        record_id: int | None = None,
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        extra = self._validate_extra(values) if self._validate_extra else {}
        try:
            builtin, custom = policy.prepare(session, values, partial=partial, record_id=record_id)
        except ValidationError as exc:
            raise ValidationError(exc.field_errors | extra) from None
        if extra:
            raise ValidationError(extra)
        return builtin, custom

    def owner_name(self, session: Session, user_id: int | None) -> str:
        if user_id is None:
            return ""
        return session.scalar(select(User.name).where(User.id == user_id)) or ""

    def check_owner(self, session: Session, user_id: int) -> None:
        enabled = session.scalar(select(User.enabled).where(User.id == user_id))
        if not enabled:
            raise ValidationError({"owner_id": QT_TRANSLATE_NOOP("errors", "Choose an enabled user as owner.")})

    def guard_write(self, session: Session, actor: Actor, values: Mapping[str, Any], row: M | None) -> None:
        """A check a create (``row`` None) or an edit of ``row`` must pass inside its own write
        transaction, after validation; the default has none (customers and leads check
        duplicate claims)."""

    def new_owner(self, session: Session, actor: Actor, owner_id: int | None) -> int:
        """The owner of a record the actor creates: the actor, or (``owner_id``) an enabled user
        inside the actor's data scope on this module, given with the module's transfer permission.

        Creating a record for someone else is a transfer at birth, so it asks what a transfer
        asks, and the scope keeps a user from planting records on lists they cannot see.
        Records that inherit their source's owner (a converted lead's customer, a rule's
        created record) do not come here: they are no one's choice of owner.
        """
        owner = owner_id or actor.user_id
        if owner != actor.user_id:
            require(actor, self.module, "transfer")
            if not owner_in_scope(session, actor, self.module, owner):
                raise ValidationError({"owner_id": QT_TRANSLATE_NOOP(
                    "errors", "Choose an owner within your data scope.")})
        self.check_owner(session, owner)
        return owner

    def load_row(self, session: Session, actor: Actor, record_id: int, *, for_edit: bool) -> M:
        cond = editable_filter(self.model, actor) if for_edit else scope_filter(self.model, actor)
        row = session.scalar(
            select(self.model).where(self.model.id == record_id, self.model.deleted_at.is_(None), self.base_clause(), cond)
        )
        if row is None:
            visible = session.scalar(
                select(self.model.id).where(self.model.id == record_id, visible_filter(self.model, actor), self.base_clause())
            )
            if for_edit and visible is not None:
                raise PermissionDenied(self.module, "edit")
            raise NotFound(self.module, record_id)
        return row

    # --- reads ------------------------------------------------------------------------

    def get(self, db: Database, actor: Actor, record_id: int) -> RecordDTO:
        with read_only(db, actor) as uow:
            require(uow.actor, self.module, "view")
            row = self.load_row(uow.session, uow.actor, record_id, for_edit=False)
            return self.to_dto(row, self.owner_name(uow.session, row.owner_id), self.policy(uow.session, uow.actor))

    def _list_query(
        self, actor: Actor, text: str | None, *, policy: FieldPolicy | None = None, filter: Filter | None = None,
        view: str | None = None, session: Session | None = None, counting: bool = False,
    ) -> Select[Any]:
        if counting:  # no owner join and no columns to carry: count(*) walks an index only
            query = select(func.count()).select_from(self.model)
        else:
            query = self._list_select()
        query = query.where(visible_filter(self.model, actor), self.base_clause())
        if view is not None:
            assert session is not None, "a view is resolved in the caller's session"
            narrowing, saved = resolve_view(session, actor, self.module, view)
            query = query.where(builtin_clause(self.model, actor, narrowing))
            query = self._list_query_filter(query, policy, saved)
        return self._with_text(self._list_query_filter(query, policy, filter), text)

    def _list_query_filter(self, query: Select[Any], policy: FieldPolicy | None, flt: Filter | None) -> Select[Any]:
        if flt is None or not flt.conditions:
            return query
        if policy is None or policy.schema is None:
            raise ValidationError({"filter": QT_TRANSLATE_NOOP("errors", "This list cannot be filtered.")})
        return query.where(filter_sql(self.model, policy.schema, flt))

    def _with_text(self, query: Select[Any], text: str | None) -> Select[Any]:
        if not text or not text.strip():
            return query
        match = self._text_match(literal(contains_pattern(text, field="text")))
        return query.where(match) if match is not None else query

    def _text_match(self, pattern: ColumnElement[str]) -> ColumnElement[bool] | None:
        """Records whose search fields contain ``pattern`` (a ``contains_pattern``, escaped for
        ``LIKE_ESCAPE``: a literal, or the ``text_pattern`` parameter of a kept list statement);
        None: the module has none."""
        if not self.search_fields:
            return None
        return or_(*(getattr(self.model, f).ilike(pattern, escape=LIKE_ESCAPE) for f in self.search_fields))

    def list_page(
        self,
        db: Database,
        actor: Actor,
        *,
        sort: str = "id",
        descending: bool = True,
        after: tuple[Any, int] | None = None,
        limit: int = PAGE_SIZE,
        text: str | None = None,
        filter: Filter | None = None,
        view: str | None = None,
    ) -> Page:
        """One page of the records the actor may see, keyset-paginated on (sort, id).

        ``sort`` may be any visible field, custom ones included; ``filter`` narrows in SQL.
        """
        with read_only(db, actor) as uow:
            require(uow.actor, self.module, "view")
            policy = self.policy(uow.session, uow.actor)
            searching = bool(text and text.strip())
            params: dict[str, Any] = {"after_key": after[0], "after_id": after[1]} if after is not None else {}
            kept = not ((filter and filter.conditions) or view is not None)
            if not kept:
                query, sort_at = self._page_query(uow.actor, policy, sort, descending, limit, after is not None,
                                                  text=text, filter=filter, view=view, session=uow.session)
            else:  # a kept statement; the search text is its parameter (typing reuses it)
                query, sort_at = self._plain_page_query(uow.actor, policy, sort, descending, limit,
                                                        after is not None, searching)
                if searching:
                    params["text_pattern"] = contains_pattern(text, field="text")
            # Core execution: plain column rows need none of the ORM result machinery.
            connection = uow.session.connection()
            dialect = connection.dialect
            rows: Sequence[Any]
            if dialect.name not in RAW_ROW_DIALECTS:
                rows = connection.execute(query, params).all()
            else:
                # The driver's rows, converted as read (RowValues): SQLAlchemy would convert
                # every value of every row first, which cost more than the query on SQLite.
                # A kept statement goes to the driver compiled once (see ``_driver_statement``).
                driver = self._driver_statement(query, dialect) if kept else None
                if driver is not None:
                    rows = driver.run(connection.connection.dbapi_connection, params)
                else:
                    result = connection.execute(query, params)
                    rows = result.cursor.fetchall()
                    result.close()
            more = len(rows) > limit
            rows = rows[:limit]
            dtos = self._page_dtos(rows, policy, dialect)
            cursor = None
            if more and rows:
                key = rows[-1][sort_at]
                if dialect.name in RAW_ROW_DIALECTS and key is not None:
                    key = (converter(query.selected_columns[sort_at].type, dialect) or same)(key)
                cursor = (key, rows[-1][0])
            return Page(rows=dtos, next_cursor=cursor)

    def _plain_page_query(
        self, actor: Actor, policy: FieldPolicy, sort: str, descending: bool, limit: int, keyset: bool,
        searching: bool = False,
    ) -> tuple[Select[Any], int]:
        """``_page_query`` without filter or view, kept per (scope, sort, page shape).

        Opening or refreshing a list, and scrolling it, run the same few statements again and
        again; building one (and SQLAlchemy's cache key for it) costs more on SQLite than
        running it on a million-row table. The keyset bound is a parameter, so every page of a
        scroll reuses one statement. The scope clause holds the actor's ids, hence the key.
        """
        spec = policy.schema.get(sort) if policy.schema is not None else None
        key = (self.model.entity, actor.scopes_for(self.module), actor.departments_for(self.module),
               actor.user_id, actor.department_id, sort,
               (spec.type, spec.builtin, spec.key) if spec is not None else None, descending, limit, keyset,
               searching)
        cached = self._page_queries.get(key)
        if cached is None:
            if len(self._page_queries) >= PAGE_QUERY_CACHE:
                self._page_queries.clear()  # many users on one PC is rare: start over, no LRU needed
            cached = self._page_queries[key] = self._page_query(actor, policy, sort, descending, limit, keyset,
                                                                searching=searching)
        return cached

    def _page_query(
        self, actor: Actor, policy: FieldPolicy, sort: str, descending: bool, limit: int, keyset: bool, *,
        text: str | None = None, filter: Filter | None = None, view: str | None = None,
        session: Session | None = None, searching: bool = False,
    ) -> tuple[Select[Any], int]:
        """The page's statement (``after_key``/``after_id`` parameters when ``keyset``,
        ``text_pattern`` when ``searching``) and the position of the sort key in its rows."""
        col = self._sort_column(policy, sort)
        query = self._list_query(actor, text, policy=policy, filter=filter, view=view, session=session)
        match = self._text_match(bindparam("text_pattern", type_=String)) if searching else None
        if match is not None:
            query = query.where(match)
        computed = col is not getattr(self.model, sort, None)
        if keyset:
            after_key, after_id = bindparam("after_key", type_=col.type), bindparam("after_id")
            if computed:
                # (key, id) < (k, i) spelled out: SQLite seeks an expression index (an indexed
                # custom field's, see field_index) only for a comparison of the expression
                # itself, and would otherwise read the index from its start on every page.
                if descending:
                    query = query.where(col <= after_key, or_(col < after_key, self.model.id < after_id))
                else:
                    query = query.where(col >= after_key, or_(col > after_key, self.model.id > after_id))
            else:
                bound = tuple_(after_key, after_id)
                key = tuple_(col, self.model.id)
                query = query.where(key < bound if descending else key > bound)
        order = (col.desc(), self.model.id.desc()) if descending else (col.asc(), self.model.id.asc())
        sort_at = self._list_index.get(sort) if not computed else None
        if sort_at is None:  # a computed key (custom field, COALESCE): read it as an extra column
            query = query.add_columns(col.label("_sort_key"))
            sort_at = len(self._list_index) + 1  # after the columns and the owner's name
        return query.order_by(*order).limit(limit + 1), sort_at

    def _sort_column(self, policy: FieldPolicy, sort: str) -> ColumnElement[Any]:
        if policy.schema is not None:
            return sort_column(self.model, policy.schema, sort)
        if sort != "id" and sort not in self.fields and sort not in ("created_at", "updated_at"):
            raise ValidationError({"sort": QT_TRANSLATE_NOOP("errors", "Unknown field.")})
        return getattr(self.model, sort)

    def count(
        self, db: Database, actor: Actor, *, text: str | None = None, filter: Filter | None = None,
        view: str | None = None,
    ) -> int:
        with read_only(db, actor) as uow:
            require(uow.actor, self.module, "view")
            policy = self.policy(uow.session, uow.actor)
            query = self._list_query(uow.actor, text, policy=policy, filter=filter, view=view,
                                     session=uow.session, counting=True)
            return uow.session.scalar(query) or 0

    def visible_ids(self, db: Database, actor: Actor) -> set[int]:
        """Ids of every live record the actor may see (tests and small exports)."""
        with read_only(db, actor) as uow:
            require(uow.actor, self.module, "view")
            return set(
                uow.session.scalars(select(self.model.id).where(visible_filter(self.model, uow.actor), self.base_clause()))
            )

    def recycle_bin(self, db: Database, actor: Actor) -> list[RecordDTO]:
        """Recycled records the actor may see, most recently deleted first."""
        with read_only(db, actor) as uow:
            require(uow.actor, self.module, "delete")
            rows = uow.session.execute(
                select(self.model, User.name)
                .outerjoin(User, User.id == self.model.owner_id)
                .where(self.model.deleted_at.is_not(None), scope_filter(self.model, uow.actor), self.base_clause())
                .order_by(self.model.deleted_at.desc())
            ).all()
            policy = self.policy(uow.session, uow.actor)
            return [self.to_dto(r, n, policy) for r, n in rows]

    def operation_log(self, db: Database, actor: Actor, record_id: int) -> list[audit.AuditEntryDTO]:
        with read_only(db, actor) as uow:
            require(uow.actor, self.module, "view")
            self.load_row(uow.session, uow.actor, record_id, for_edit=False)
            return audit.read_entries(uow.session, entity=self.module, record_id=record_id)

    # --- writes -----------------------------------------------------------------------

    @retrying()
    def create(
        self, db: Database, actor: Actor, values: Mapping[str, Any], *, owner_id: int | None = None,
        custom: Mapping[str, Any] | None = None,
    ) -> RecordDTO:
        with unit_of_work(db, actor) as uow:
            require(uow.actor, self.module, "create")
            policy = self.policy(uow.session, uow.actor)
            builtin, custom_values = self.prepare_values(uow.session, policy, {**values, **(custom or {})}, partial=False)
            self.guard_write(uow.session, uow.actor, values, None)
            owner = self.new_owner(uow.session, uow.actor, owner_id)
            row = self.model(**builtin, owner_id=owner, creator_id=uow.actor.user_id, custom=custom_values)
            uow.session.add(row)
            uow.session.flush()
            snapshot = {k: v for k, v in policy.current(row).items() if v not in (None, "", [])} | {"owner_id": owner}
            snapshot |= {f: getattr(row, f) for f in self.fields}
            audit.write_audit(
                uow.session, entity=self.module, record_id=row.id, action="create",
                actor_id=uow.actor.user_id, changes={k: (None, v) for k, v in snapshot.items()},
                version=row.version,
            )
            uow.add_event(RecordCreated(self.module, row.id, uow.actor.user_id, values=audit.jsonable(snapshot)))
            request_creation(uow, self.module, row)  # a registration flow makes it wait for approval
            return self.to_dto(row, self.owner_name(uow.session, row.owner_id), policy)

    @retrying()
    def update(
        self, db: Database, actor: Actor, record_id: int, *, expected_version: int, changes: Mapping[str, Any]
    ) -> RecordDTO:
        """Save ``changes`` made to the record as it was at ``expected_version``.

        If anyone saved it since, nothing is written and ConflictError lists each field with
        mine / theirs / original values.
        """
        try:
            with unit_of_work(db, actor) as uow:
                require(uow.actor, self.module, "edit")
                policy = self.policy(uow.session, uow.actor)
                builtin, custom_values = self.prepare_values(uow.session, policy, changes, partial=True, record_id=record_id)
                row = self.load_row(uow.session, uow.actor, record_id, for_edit=True)
                refuse_edit_while_pending(row)
                names = policy.names_by_key()
                wanted = builtin | {names[k]: v for k, v in custom_values.items()}
                if row.version != expected_version:
                    raise self._conflict(uow.session, row, expected_version, wanted, policy)
                self.guard_write(uow.session, uow.actor, changes, row)
                current = policy.current(row)
                diff = {
                    f: (current[f], v) for f, v in wanted.items()
                    if audit.jsonable(current[f]) != audit.jsonable(v)
                }
                if not diff:
                    return self.to_dto(row, self.owner_name(uow.session, row.owner_id), policy)
                for name in builtin:
                    if name in diff:
                        setattr(row, name, builtin[name])
                if custom_values:
                    row.custom = {**(row.custom or {}), **custom_values}  # a new dict: JSON change tracking
                uow.session.flush()  # UPDATE … WHERE version = expected: the race is decided here
                audit.write_audit(
                    uow.session, entity=self.module, record_id=row.id, action="update",
                    actor_id=uow.actor.user_id, changes=diff, version=row.version,
                )
                before = {k: audit.jsonable(o) for k, (o, _n) in diff.items()}
                after = {k: audit.jsonable(n) for k, (_o, n) in diff.items()}
                uow.add_event(RecordUpdated(self.module, row.id, uow.actor.user_id, before=before, after=after))
                return self.to_dto(row, self.owner_name(uow.session, row.owner_id), policy)
        except StaleRecord:
            # Another session committed between our read and our UPDATE.
            with read_only(db, actor) as uow:
                policy = self.policy(uow.session, uow.actor)
                row = self.load_row(uow.session, uow.actor, record_id, for_edit=False)
                builtin, custom_values = policy.prepare(uow.session, changes, partial=True, record_id=record_id)
                names = policy.names_by_key()
                wanted = builtin | {names[k]: v for k, v in custom_values.items()}
                raise self._conflict(uow.session, row, expected_version, wanted, policy) from None

    def _conflict(
        self, session: Session, row: M, expected_version: int, changes: Mapping[str, Any], policy: FieldPolicy
    ) -> ConflictError:
        theirs = {f: audit.jsonable(v) for f, v in policy.current(row).items()}
        original = audit.values_at_version(
            session, entity=self.module, record_id=row.id, version=expected_version, current=theirs
        )
        mine = {f: audit.jsonable(v) for f, v in changes.items()}
        readable, custom = policy.readable(row)
        visible = set(readable) | set(custom)  # a conflict never reveals a hidden field
        changed_by_them = {f for f in theirs if theirs[f] != original[f] and f in visible}
        names = [f for f in theirs if f in mine or f in changed_by_them]
        conflicts = tuple(
            FieldConflict(field=f, mine=mine.get(f, original[f]), theirs=theirs[f], original=original[f])
            for f in names
        )
        return ConflictError(self.module, row.id, conflicts=conflicts, their_version=row.version)

    @retrying()
    def transfer(self, db: Database, actor: Actor, record_ids: Sequence[int], *, new_owner_id: int) -> int:
        """Give records to another owner. Returns how many changed owner."""
        with unit_of_work(db, actor) as uow:
            require(uow.actor, self.module, "transfer")
            self.check_owner(uow.session, new_owner_id)
            changed = 0
            for record_id in record_ids:
                row = self.load_row(uow.session, uow.actor, record_id, for_edit=True)
                old = row.owner_id
                if old == new_owner_id:
                    continue
                row.owner_id = new_owner_id
                uow.session.flush()
                audit.write_audit(
                    uow.session, entity=self.module, record_id=row.id, action="owner_change",
                    actor_id=uow.actor.user_id, changes={"owner_id": (old, new_owner_id)}, version=row.version,
                )
                uow.add_event(OwnerChanged(self.module, row.id, uow.actor.user_id, old_owner_id=old, new_owner_id=new_owner_id))
                changed += 1
            return changed

    @retrying()
    def delete(self, db: Database, actor: Actor, record_id: int) -> None:
        """Move a record into the recycle bin (restorable)."""
        with unit_of_work(db, actor) as uow:
            require(uow.actor, self.module, "delete")
            row = self.load_row(uow.session, uow.actor, record_id, for_edit=True)
            now = utcnow()
            row.deleted_at, row.deleted_by_id = now, uow.actor.user_id
            uow.session.flush()
            audit.write_audit(
                uow.session, entity=self.module, record_id=row.id, action="delete",
                actor_id=uow.actor.user_id, changes={"deleted_at": (None, now)}, version=row.version,
            )
            uow.add_event(RecordDeleted(self.module, row.id, uow.actor.user_id))  # its open approvals close

    @retrying()
    def restore(self, db: Database, actor: Actor, record_id: int) -> RecordDTO:
        """Bring a record back from the recycle bin."""
        with unit_of_work(db, actor) as uow:
            require(uow.actor, self.module, "delete")
            row = uow.session.scalar(
                select(self.model).where(
                    self.model.id == record_id, self.model.deleted_at.is_not(None),
                    editable_filter(self.model, uow.actor),
                )
            )
            if row is None:
                raise NotFound(self.module, record_id)
            old = row.deleted_at
            row.deleted_at, row.deleted_by_id = None, None
            uow.session.flush()
            audit.write_audit(
                uow.session, entity=self.module, record_id=row.id, action="restore",
                actor_id=uow.actor.user_id, changes={"deleted_at": (old, None)}, version=row.version,
            )
            uow.add_event(RecordRestored(self.module, row.id, uow.actor.user_id))
            return self.to_dto(row, self.owner_name(uow.session, row.owner_id), self.policy(uow.session, uow.actor))

    # --- team (相关团队) ----------------------------------------------------------------

    def team(self, db: Database, actor: Actor, record_id: int) -> list[TeamMemberDTO]:
        with read_only(db, actor) as uow:
            require(uow.actor, self.module, "view")
            self.load_row(uow.session, uow.actor, record_id, for_edit=False)
            rows = uow.session.execute(
                select(TeamMember, User.name).join(User, User.id == TeamMember.user_id)
                .where(TeamMember.entity == self.module, TeamMember.record_id == record_id)
                .order_by(User.name)
            ).all()
            return [TeamMemberDTO(m.user_id, n, m.access) for m, n in rows]

    @retrying()
    def set_team_member(
        self, db: Database, actor: Actor, record_id: int, *, user_id: int, access: str | None
    ) -> None:
        """Add a team member (access "read"/"write"), change their access, or remove (None)."""
        if access not in (None, "read", "write"):
            raise ValidationError({"access": QT_TRANSLATE_NOOP("errors", "Choose read or read-write.")})
        with unit_of_work(db, actor) as uow:
            require(uow.actor, self.module, "edit")
            row = self.load_row(uow.session, uow.actor, record_id, for_edit=True)
            if user_id == row.owner_id:
                raise RuleViolation(QT_TRANSLATE_NOOP("errors", "The owner is not added to the team."))
            member = uow.session.get(TeamMember, (self.module, record_id, user_id))
            old = member.access if member else None
            if access is None and member is not None:
                uow.session.delete(member)
            elif access is not None and member is None:
                self.check_owner(uow.session, user_id)
                uow.session.add(TeamMember(entity=self.module, record_id=record_id, user_id=user_id, access=access))
            elif member is not None and access is not None:
                member.access = access
            if old != access:
                audit.write_audit(
                    uow.session, entity=self.module, record_id=record_id, action="team",
                    actor_id=uow.actor.user_id, changes={f"team:{user_id}": (old, access)}, version=row.version,
                )
