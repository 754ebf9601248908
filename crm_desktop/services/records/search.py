"""Global search over leads, customers and contacts, and the search index behind it.

The index (migration 0004) is one table per entity — ``search_leads``, ``search_customers``,
``search_contacts`` — with name, e-mail (lower-cased), phone and mobile (separators removed),
the credit code (customers) and the pinyin initials of the name. SQLite: FTS5 with the trigram
tokenizer; PostgreSQL: a table with a GIN pg_trgm index.

Who keeps it current:

- the database: triggers copy every text column on INSERT / UPDATE / DELETE of the entity
  table, whoever writes it (ORM, Core bulk inserts, a SQL console);
- Python: pinyin initials need pypinyin, which a trigger cannot call. The insert trigger writes
  "", a name change clears them, and Python fills them in — either for every ORM write at
  once, by ``keep_initials(db.sessions)`` (one call where the session factory is made: the
  recommended wiring), or per write by ``index_record(session, entity, row)`` in the unit of
  work that created the record or changed its name. Core bulk inserts (demo data, import)
  call ``reindex_all(db)`` once at the end.

Why initials are not a column on the entity tables: the models belong to the record
machinery and every list would carry a search-only column; the search tables exist anyway for
FTS5, so initials live next to the text they are searched with, and one query matches both.

Soft-deleted rows stay in the index; every search joins the entity table and filters it with
``services.scope.visible_filter`` — the one data-scope function — so deleted and out-of-scope
records are never found, and a restore needs no re-index. Customers in a public pool are not
found either (they are in no list), and fields a role hides are neither matched nor returned.

Terms of three characters or more use the trigram index; shorter ones scan (on SQLite the
entity table, which scans faster than an FTS5 table). Every character is matched literally on
both backends and every path: LIKE patterns escape ``%`` ``_`` ``\\`` (``filters.escape_like``)
and FTS5 gets each term as one quoted phrase. The search text is checked like list search
text (``validation.search_text``: no NUL, at most ``MAX_SEARCH`` characters → ValidationError
naming "text"). The index has no model: schema comparisons must skip ``search_*`` objects
(``alembic_include_name``).

Thread rule: every public function here either takes a Session (use it on its thread) or a
Database and opens its own unit of work; call the latter off the GUI thread.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import ColumnElement, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from crm_desktop.models import Contact, Customer, Lead, RecordMixin, User
from crm_desktop.services.org.actor import Actor
from crm_desktop.services.org.scope import visible_filter
from crm_desktop.services.records.filters import LIKE_ESCAPE, escape_like
from crm_desktop.services.records.pinyin import initials, looks_like_initials
from crm_desktop.services.records.schema import Access, field_access
from crm_desktop.services.records.validation import MAX_SEARCH, search_text
from crm_desktop.services.uow import read_only, unit_of_work

if TYPE_CHECKING:
    from crm_desktop.db import Database

#: Characters removed from phone numbers in the index (the same list as migration 0004).
PHONE_NOISE = " -()+./"
#: Every search_* object is the index's; schema comparisons (alembic) should skip them.
OBJECT_PREFIX = "search_"
#: Longer search text is refused (``validation.MAX_SEARCH``); NFKC may lengthen what passed,
#: so the normalized term is cut to it again.
MAX_TERM = MAX_SEARCH
#: The trigram index needs at least this many characters; shorter terms scan (LIKE).
TRIGRAM = 3


@dataclass(frozen=True)
class _Index:
    entity: str
    model: type[RecordMixin]
    table: str
    extra: tuple[str, ...] = ()

    @property
    def text_columns(self) -> tuple[str, ...]:
        return ("name", "email", "phone", "mobile", *self.extra)


#: In the order results are shown.
INDEXES: dict[str, _Index] = {
    "customer": _Index("customer", Customer, "search_customers", ("credit_code",)),
    "lead": _Index("lead", Lead, "search_leads"),
    "contact": _Index("contact", Contact, "search_contacts"),
}
ENTITIES: tuple[str, ...] = tuple(INDEXES)
#: The columns global search matches (plus initials, which follow ``name``'s visibility).
SEARCHED = ("name", "email", "phone", "mobile")


def alembic_include_name(name: str | None, type_: str, parent_names: Mapping[str, Any]) -> bool:
    """An alembic ``include_name`` hook: leave the search index out of schema comparisons
    (it has no model; FTS5 also creates shadow tables). db.schema_include_name is the one
    the migrations use; this stays for callers that think in search terms."""
    return not (name or "").startswith(OBJECT_PREFIX)


def phone_digits(value: str) -> str:
    """A phone number as the index stores it: separators removed ("+86 138-0000" → "861380000")."""
    return "".join(ch for ch in (value or "") if ch not in PHONE_NOISE)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def index_table(session: Session, entity: str) -> sa.TableClause:
    """The entity's search table as a Core construct; ``key_column(table)`` is the record id."""
    idx = INDEXES[entity]
    key = "rowid" if _dialect(session) == "sqlite" else "record_id"
    cols = [sa.column(key, sa.Integer), *(sa.column(c, sa.String) for c in (*idx.text_columns, "initials"))]
    return sa.table(idx.table, *cols)


def key_column(table: sa.TableClause) -> ColumnElement[int]:
    """The record id of a search table (FTS5's rowid on SQLite, record_id on PostgreSQL)."""
    return table.c.rowid if "rowid" in table.c else table.c.record_id



def _scan_like(column: ColumnElement[Any], term: str) -> ColumnElement[bool]:
    """SQLite LIKE over an FTS5 column by scanning. ``col || ''``: FTS5 (3.40) answers a LIKE
    it is handed with a pattern under three characters with no rows at all; an expression is
    not handed to it, so SQLite scans and compares."""
    return func.coalesce(column, "").concat("").like(f"%{escape_like(term)}%", escape=LIKE_ESCAPE)


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def match_condition(session: Session, table: sa.TableClause, terms: Mapping[str, str]) -> ColumnElement[bool]:
    """Rows whose column contains its term (case-insensitive substring), any column.

    ``terms`` maps a column of ``table`` to the text to find in it. SQLite uses the FTS5
    trigram index when every term has at least three characters and scans with LIKE
    otherwise (trigrams cannot find shorter strings); PostgreSQL uses ILIKE, which the GIN
    trigram index serves from three characters on. Every character of a term is matched
    literally; a NUL (no stored text holds one; FTS5 and PostgreSQL refuse it) is dropped.
    """
    terms = {c: t.replace("\x00", "") for c, t in terms.items()}
    terms = {c: t for c, t in terms.items() if t}
    if not terms:
        return sa.false()
    if _dialect(session) == "sqlite" and all(len(t) >= TRIGRAM for t in terms.values()):
        by_term: dict[str, list[str]] = {}
        for col, term in terms.items():
            by_term.setdefault(term, []).append(col)
        query = " OR ".join(f"{{{' '.join(cols)}}} : {_fts_phrase(t)}" for t, cols in by_term.items())
        return sa.literal_column(table.name).op("MATCH")(sa.literal(query))
    if _dialect(session) == "sqlite":
        return sa.or_(*(_scan_like(table.c[col], term) for col, term in terms.items()))
    return sa.or_(
        *(table.c[col].ilike(f"%{escape_like(term)}%", escape=LIKE_ESCAPE) for col, term in terms.items())
    )


# --- writing the index --------------------------------------------------------------------


def index_record(session: Session, entity: str, row: Any) -> None:
    """Fill the pinyin initials of one lead/customer/contact in the search index.

    Call it in the unit of work that created the record or changed its name, after the
    change (it flushes first, so the database triggers have written the text columns).
    ``row`` needs ``id`` and ``name``. Entities without an index are ignored.
    """
    if entity not in INDEXES:
        return
    session.flush()
    value = initials(row.name or "")
    if not value:
        return  # the triggers already wrote "" for a name without Chinese
    table = index_table(session, entity)
    key = key_column(table)
    # Read first: most saves keep the name, and an FTS5 update rewrites the whole row.
    if session.scalar(select(table.c.initials).where(key == row.id)) != value:
        session.execute(sa.update(table).where(key == row.id).values(initials=value))


def _initials_after_flush(session: Session, _context: Any) -> None:
    # After the flush the rows exist (so have their trigger-written index rows), and
    # session.new / dirty and attribute histories still describe what was flushed.
    changed = [
        obj for obj in (*session.new, *session.dirty)
        if isinstance(obj, (Lead, Customer, Contact))
        and (obj in session.new or sa.inspect(obj).attrs.name.history.has_changes())
    ]
    for obj in changed:
        value = initials(obj.name or "")
        if value:
            table = index_table(session, obj.entity)
            session.connection().execute(sa.update(table).where(key_column(table) == obj.id).values(initials=value))


def keep_initials(sessions: sessionmaker[Session]) -> None:
    """Make every ORM write through ``sessions`` fill the pinyin initials itself: after each
    flush, new leads/customers/contacts and those whose name changed get theirs. Call once
    where the session factory is made (``crm_desktop.bootstrap`` does it for the app);
    idempotent. With it, no record service needs ``index_record``; Core bulk inserts still need
    ``reindex_all``.
    """
    if not event.contains(sessions, "after_flush", _initials_after_flush):
        event.listen(sessions, "after_flush", _initials_after_flush)


def _source_columns(session: Session, idx: _Index) -> list[ColumnElement[Any]]:
    """The values the triggers of migration 0004 write, as SQL over the entity table."""
    model = idx.model
    sqlite = _dialect(session) == "sqlite"

    def digits(col: ColumnElement[str]) -> ColumnElement[str]:
        expr: ColumnElement[str] = func.coalesce(col, "")
        if not sqlite:
            return func.regexp_replace(expr, "[ ()+./-]", "", "g")
        for ch in PHONE_NOISE:
            expr = func.replace(expr, ch, "")
        return expr

    cols: list[ColumnElement[Any]] = [
        func.coalesce(model.name, ""),
        func.lower(func.coalesce(model.email, "")),
        digits(model.phone),
        digits(model.mobile),
    ]
    cols += [func.upper(func.trim(func.coalesce(getattr(model, c), ""))) for c in idx.extra]
    return cols


def _reindex(session: Session, idx: _Index, *, chunk: int) -> int:
    sqlite = _dialect(session) == "sqlite"
    table = index_table(session, idx.entity)
    model = idx.model
    temp = "search_tmp_initials"
    session.execute(sa.text(f"DROP TABLE IF EXISTS {temp}"))
    session.execute(sa.text(f"CREATE TEMPORARY TABLE {temp} (id integer PRIMARY KEY, initials text NOT NULL)"))
    tmp = sa.table(temp, sa.column("id", sa.Integer), sa.column("initials", sa.String))
    last = 0
    while True:  # slices by id: a million names are never in memory at once
        rows = session.execute(
            select(model.id, model.name).where(model.id > last).order_by(model.id).limit(chunk)
        ).all()
        if not rows:
            break
        last = rows[-1][0]
        values = [{"id": rid, "initials": v} for rid, name in rows if (v := initials(name or ""))]
        if values:
            session.execute(sa.insert(tmp), values)
    session.execute(sa.text(f"DELETE FROM {idx.table}" if sqlite else f"TRUNCATE {idx.table}"))
    source = (
        select(model.id, *_source_columns(session, idx), func.coalesce(tmp.c.initials, ""))
        .select_from(model)
        .outerjoin(tmp, tmp.c.id == model.id)
    )
    names = [key_column(table).name, *idx.text_columns, "initials"]
    session.execute(sa.insert(table).from_select(names, source))
    session.execute(sa.text(f"DROP TABLE {temp}"))
    if not sqlite:
        # Fresh statistics after a bulk load: without them PostgreSQL plans a search as a walk
        # over every customer (autovacuum may be off, or not have run yet).
        session.execute(sa.text(f"ANALYZE {idx.table}"))
        session.execute(sa.text(f"ANALYZE {model.__tablename__}"))
    return session.scalar(select(func.count()).select_from(model)) or 0


def reindex_all(db: Database, *, chunk: int = 10_000) -> dict[str, int]:
    """Rebuild the whole search index from the entity tables; returns rows per entity.

    For bulk inserts (demo data, imports) and repairs. One transaction per entity; it holds
    the SQLite write lock, or on PostgreSQL an exclusive lock on the search table (searches
    wait), meanwhile, and refreshes the planner's statistics of the entity tables. About 40 s
    per million customers on SQLite. Run it off the GUI thread.
    """
    counts: dict[str, int] = {}
    for entity, idx in INDEXES.items():
        with unit_of_work(db, None) as uow:
            counts[entity] = _reindex(uow.session, idx, chunk=chunk)
            if _dialect(uow.session) == "sqlite":
                # Fresh statistics after a bulk load (PostgreSQL's are taken in _reindex): without
                # them SQLite guesses that a scope's owner list is selective and sorts the whole
                # scope for every page instead of walking the sort column's index.
                uow.session.execute(sa.text(f"ANALYZE {idx.model.__tablename__}"))
    return counts


# --- searching ----------------------------------------------------------------------------


@dataclass(frozen=True)
class SearchHit:
    """One record found. Fields hidden from the actor by field permission are ""."""

    entity: str
    id: int
    name: str
    owner_name: str
    phone: str
    mobile: str
    email: str
    #: Which field the text was found in: name, initials, phone, mobile or email.
    matched: str


@dataclass(frozen=True)
class SearchResult:
    text: str
    #: entity → hits, newest record first; entities the actor may not view are absent.
    hits: Mapping[str, tuple[SearchHit, ...]] = field(default_factory=dict)
    #: Entities that had more hits than were returned.
    more: frozenset[str] = frozenset()

    @property
    def total(self) -> int:
        return sum(len(h) for h in self.hits.values())

    def all(self) -> list[SearchHit]:
        return [hit for entity in ENTITIES for hit in self.hits.get(entity, ())]


def normalize_term(text: str) -> str:
    """The search text as it is matched: checked (ValidationError naming "text": a NUL, or more
    than ``MAX_SEARCH`` characters), NFKC (full-width → half-width), trimmed, capped."""
    return unicodedata.normalize("NFKC", search_text(text, field="text")).strip()[:MAX_TERM]


def _terms(term: str, readable: Iterable[str]) -> dict[str, str]:
    """Column → text to look for in it, for the columns the actor may read."""
    readable = set(readable)
    terms: dict[str, str] = {}
    if "name" in readable:
        terms["name"] = term
        if looks_like_initials(term.lower()):
            terms["initials"] = term.lower()
    if "email" in readable:
        terms["email"] = term.lower()
    digits = phone_digits(term)
    if digits.isdigit():  # a phone number however it is typed: "0592-123 4567", "+86 138…"
        terms.update({c: digits for c in ("phone", "mobile") if c in readable})
    return terms


def _which(hit_values: Mapping[str, str], terms: Mapping[str, str]) -> str:
    for col in ("name", "phone", "mobile", "email", "initials"):
        term = terms.get(col)
        if term and term.lower() in (hit_values.get(col) or "").lower():
            return col
    return next(iter(terms))


def _short_condition(table: sa.TableClause, model: type[RecordMixin], terms: Mapping[str, str]) -> ColumnElement[bool]:
    """SQLite, terms under three characters: LIKE on the entity table's own columns."""
    conds = [
        getattr(model, col).like(f"%{escape_like(term)}%", escape=LIKE_ESCAPE)
        for col, term in terms.items() if col != "initials"
    ]
    if "initials" in terms:
        conds.append(model.id.in_(select(key_column(table)).where(_scan_like(table.c.initials, terms["initials"]))))
    return sa.or_(*conds)


def _search_entity(
    session: Session, actor: Actor, idx: _Index, term: str, limit: int
) -> tuple[tuple[SearchHit, ...], bool]:
    access = field_access(session, actor, idx.entity)
    readable = [c for c in SEARCHED if access.get(c) != Access.HIDDEN]
    terms = _terms(term, readable)
    if not terms:
        return (), False
    table = index_table(session, idx.entity)
    key = key_column(table)
    model = idx.model
    match = match_condition(session, table, terms)
    records = (
        select(model.id, model.name, model.phone, model.mobile, model.email, User.name)
        .outerjoin(User, User.id == model.owner_id)
        .where(visible_filter(model, actor))
        .order_by(model.id.desc())
    )
    if model is Customer:
        # Pool customers are in no list. (Written so that SQLite does not pick the pool_id
        # index for it: nearly every customer matches, and that plan sorts them all.)
        records = records.where(func.coalesce(Customer.pool_id, 0) == 0)
    rows: list[Any] = []
    inits: dict[int, str] = {}
    sqlite = _dialect(session) == "sqlite"
    if sqlite and all(len(t) >= TRIGRAM for t in terms.values()):
        # Walk the index newest first in growing slices and keep what the actor may see. The
        # planner, given one joined query, prefers to scan the entity table and sort (slow on
        # a million rows); the index alone is cheap to page through in rowid order.
        bound: int | None = None
        chunk = 4 * (limit + 1)
        while len(rows) <= limit:
            page = select(key, table.c.initials).where(match).order_by(key.desc()).limit(chunk)
            found = session.execute(page if bound is None else page.where(key < bound)).all()
            if not found:
                break
            inits.update((rid, i) for rid, i in found)
            rows += session.execute(records.where(model.id.in_([rid for rid, _ in found]))).all()
            if len(found) < chunk:
                break
            bound, chunk = found[-1][0], min(chunk * 4, 4096)
    elif sqlite:
        # Under three characters no trigram helps: scan. The entity table scans about three
        # times faster than an FTS5 table, and its owner index serves a narrow data scope;
        # only typed initials need the index (one pass over that column).
        rows = session.execute(records.where(_short_condition(table, model, terms)).limit(limit + 1)).all()
        inits = {r[0]: initials(r[1] or "") for r in rows}
    else:
        joined = records.join(table, key == model.id).where(match).add_columns(table.c.initials).limit(limit + 1)
        for *values, initials_value in session.execute(joined):
            rows.append(values)
            inits[values[0]] = initials_value
    hits = []
    for rid, name, phone, mobile, email, owner in rows[:limit]:
        values = {"name": name, "phone": phone_digits(phone), "mobile": phone_digits(mobile),
                  "email": email, "initials": inits.get(rid, "")}
        shown = {c: (v if c in readable else "") for c, v in (("name", name), ("phone", phone),
                                                               ("mobile", mobile), ("email", email))}
        hits.append(SearchHit(entity=idx.entity, id=rid, owner_name=owner or "",
                              matched=_which(values, terms), **shown))
    return tuple(hits), len(rows) > limit


def search(db: Database, actor: Actor, text: str, *, limit_per_entity: int = 20) -> SearchResult:
    """Leads, customers and contacts whose name, phone, mobile or e-mail contains ``text``,
    or whose name's pinyin initials contain it ("xmkj" → 厦门科技…).

    Only records the actor may see (``visible_filter``, not recycled, customers not in a pool)
    in modules where they hold the view permission; hidden fields are neither matched nor
    returned. Terms shorter than three characters work too (by a scan). An empty text gives
    an empty result; text with a NUL or longer than ``MAX_SEARCH`` characters raises
    ValidationError naming "text". Run it off the GUI thread.
    """
    term = normalize_term(text)
    if not term:
        return SearchResult(text=term)
    with read_only(db, actor) as uow:
        hits: dict[str, tuple[SearchHit, ...]] = {}
        more: set[str] = set()
        for entity, idx in INDEXES.items():
            if not uow.actor.can(entity, "view"):
                continue
            hits[entity], truncated = _search_entity(uow.session, uow.actor, idx, term, limit_per_entity)
            if truncated:
                more.add(entity)
        return SearchResult(text=term, hits=hits, more=frozenset(more))
