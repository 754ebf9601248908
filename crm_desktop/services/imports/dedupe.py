"""Which imported rows are already in the file or in the database (the duplicate policy and the
duplicate-claim rule, 撞单), for a whole file at once.

The comparisons are those of ``services.records.duplicates`` — the same keys
(``normalize_company_name``, ``phone_key`` crosswise over phone and mobile, lower-cased e-mail,
upper-cased credit code) — but asked of the database once per file instead of once per row:
names through their indexes in chunks, phones, e-mails and credit codes through one scan
narrowed in SQL by the keys' last digits (a temporary table of keys), compared exactly in
Python. Records outside the importer's scope are found too (that is the rule's point); the
engine tells only their owner's name. Leads have no similar-name column: their similar names
are narrowed through the search index, one query per distinct key (``_similar_leads``).
"""
from __future__ import annotations

import unicodedata
from array import array
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_desktop.models import (
    Contact,
    Contract,
    Customer,
    Lead,
    Opportunity,
    Payment,
    Product,
    RecordMixin,
)
from crm_desktop.services.imports.prepare import PreparedRow
from crm_desktop.services.records.duplicates import (
    MIN_PHONE,
    narrow,
    normalize_company_name,
    phone_key,
)
from crm_desktop.services.records.registry import RECORD_SERVICES

CHUNK = 500
_TAIL = 7  # digits of a phone key used to narrow in SQL


@dataclass(frozen=True)
class Match:
    record_id: int
    field: str
    how: str  # exact · similar


def _name(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value or "")).strip()


def row_keys(entity: str, row: PreparedRow) -> list[tuple[str, str]]:
    """(field, key) pairs a row is compared on; equal keys mean "the same record" (worked out
    once per row: the normalized name is the costly part, and the insert reuses it)."""
    kept = row.extra.get("_keys")
    if kept is None:
        kept = row.extra["_keys"] = _row_keys(entity, row)
    return kept


def _row_keys(entity: str, row: PreparedRow) -> list[tuple[str, str]]:
    b = row.builtin
    keys: list[tuple[str, str]] = []
    if entity in ("customer", "lead"):
        if name := _name(b.get("name")):
            keys.append(("name", name))
            if norm := normalize_company_name(name):
                keys.append(("similar", norm))
                row.extra["_normalized"] = norm[:200]
        for f in ("phone", "mobile"):
            if len(k := phone_key(str(b.get(f) or ""))) >= MIN_PHONE:
                keys.append(("phone", k))
        if email := str(b.get("email") or "").strip().lower():
            keys.append(("email", email))
        if entity == "customer" and (code := _name(b.get("credit_code")).upper()):
            keys.append(("credit_code", code))
    elif entity == "product":
        if code := str(b.get("code") or "").strip():
            keys.append(("code", code))
    elif entity in ("contract", "payment"):
        if number := str(b.get("number") or "").strip():
            keys.append(("number", number))
    elif entity == "opportunity":
        if name := _name(b.get("name")):
            keys.append(("name", f"{row.extra.get('customer_id')}:{name}"))
    elif entity == "contact":
        if len(k := phone_key(str(b.get("mobile") or ""))) >= MIN_PHONE:
            keys.append(("phone", f"{row.extra.get('customer_id')}:{k}"))
        if email := str(b.get("email") or "").strip().lower():
            keys.append(("email", f"{row.extra.get('customer_id')}:{email}"))
    return list(dict.fromkeys(keys))


class FirstRows:
    """key → the first sheet row that had it, for the keys of a whole file: a key is kept as
    its 64-bit hash in an open-addressing table of two arrays (12 bytes a slot), where a dict
    of the keys and rows takes about 130 bytes an entry — 400 MB for the three keys of each of
    a million rows. Two different keys with the same hash would count as one: about one chance
    in ten million on a million rows."""

    __slots__ = ("_count", "_hashes", "_mask", "_rows")

    def __init__(self, capacity: int = 1024) -> None:
        self._make(1 << max(10, (capacity * 4 // 3).bit_length()))

    def _make(self, size: int) -> None:
        self._hashes = array("q", bytes(8 * size))  # 0: an empty slot
        self._rows = array("i", bytes(4 * size))
        self._mask = size - 1
        self._count = 0

    def first(self, key: Hashable, row: int) -> int | None:
        """The row that had ``key`` first; None when none did (``row`` has it from now on)."""
        h = hash(key) or 1
        hashes, mask = self._hashes, self._mask
        slot = h & mask
        while True:
            have = hashes[slot]
            if have == h:
                return self._rows[slot]
            if not have:
                break
            slot = (slot + 1) & mask
        hashes[slot] = h
        self._rows[slot] = row
        self._count += 1
        if self._count * 4 > mask * 3:  # three quarters full: twice the size
            self._grow()
        return None

    def _grow(self) -> None:
        old_hashes, old_rows = self._hashes, self._rows
        self._make(2 * (self._mask + 1))
        hashes, rows, mask = self._hashes, self._rows, self._mask
        count = 0
        for h, r in zip(old_hashes, old_rows, strict=True):  # straight from the arrays: no list of millions
            if h:
                slot = h & mask
                while hashes[slot]:
                    slot = (slot + 1) & mask
                hashes[slot], rows[slot] = h, r
                count += 1
        self._count = count


def in_file(entity: str, rows: Sequence[PreparedRow], seen: FirstRows | None = None) -> dict[int, tuple[int, str]]:
    """row index → (sheet row of the earlier row it repeats, the field that matched).
    ``seen``: the keys of the file's earlier rows (planned in earlier segments); this
    segment's keys are added to it."""
    first = seen if seen is not None else FirstRows(3 * len(rows))
    repeats: dict[int, tuple[int, str]] = {}
    for row in rows:
        if row.action in ("fail", "skip"):  # skip: a contract's further line, not a record
            continue
        keys = row_keys(entity, row)
        # Equal names have equal similar-name keys: with one, the name's own key adds nothing
        # (the row repeats a name through its similar key, told as "name" all the same).
        similar = any(kind == "similar" for kind, _key in keys)
        for key in keys:
            if similar and key[0] == "name":
                continue
            earlier = first.first(key, row.sheet_row)
            if earlier is not None:
                repeats.setdefault(row.index, (earlier, "name" if key[0] == "similar" else key[0]))
    return repeats


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _digits(col: Any, dialect: str) -> Any:
    expr = func.coalesce(col, "")
    if dialect == "postgresql":
        return func.regexp_replace(expr, r"\D", "", "g")
    for ch in " -()+./":
        expr = func.replace(expr, ch, "")
    return expr


def _tail(expr: Any, dialect: str) -> Any:
    return func.right(expr, _TAIL) if dialect == "postgresql" else func.substr(expr, -_TAIL)


def _scan(session: Session, model: type[RecordMixin], columns: dict[str, str], keys: Iterable[str],
          *, also: tuple[str, ...] = (), ceiling: int | None = None) -> list[Any]:
    """Live rows of ``model`` whose column (name → kind: phone · lower · upper) narrows to
    one of ``keys`` (phone tails, e-mails, codes), through a temporary table of keys."""
    keys = sorted(set(keys))
    if not keys:
        return []
    dialect = session.get_bind().dialect.name
    session.execute(sa.text("DROP TABLE IF EXISTS import_tmp_keys"))
    session.execute(sa.text("CREATE TEMPORARY TABLE import_tmp_keys (k varchar(300) PRIMARY KEY)"))
    tmp = sa.table("import_tmp_keys", sa.column("k", sa.String))
    # Straight to the driver: SQLAlchemy's executemany would hold a dict per key and more.
    mark = "?" if session.get_bind().dialect.paramstyle == "qmark" else "%s"
    session.connection().exec_driver_sql(f"INSERT INTO import_tmp_keys (k) VALUES ({mark})", [(k,) for k in keys])
    inner = select(tmp.c.k).scalar_subquery()
    conds = []
    for name, kind in columns.items():
        col = getattr(model, name)
        if kind == "phone":
            conds.append(_tail(_digits(col, dialect), dialect).in_(inner))
        elif kind == "lower":
            conds.append(func.lower(func.trim(col)).in_(inner))
        else:
            conds.append(func.upper(func.trim(col)).in_(inner))
    found = session.execute(
        select(model.id, *(getattr(model, n) for n in (*columns, *also))).where(
            model.deleted_at.is_(None), sa.or_(*conds), *([model.id <= ceiling] if ceiling is not None else []))
    ).all()
    session.execute(sa.text("DROP TABLE import_tmp_keys"))
    return list(found)


def _similar_leads(session: Session, keys: Sequence[str], hit: Any) -> None:
    """Leads whose name has the same key as a row's (the duplicate-claim rule's "similar"):
    leads keep no normalized column, so each key is narrowed through the search index as the
    form's check does (``duplicates.narrow``) and compared in Python — one indexed query per
    distinct key, which a lead list (thousands of rows, not millions) affords."""
    for key in sorted(set(keys)):
        ids = narrow(session, "lead", {"name": key})
        if not ids:
            continue
        for rid, name in session.execute(select(Lead.id, Lead.name).where(Lead.id.in_(ids), Lead.deleted_at.is_(None))):
            if normalize_company_name(name) == key:
                hit(("similar", key), rid, "name", "similar")


def in_database(session: Session, entity: str, rows: Sequence[PreparedRow], *,
                ceiling: int | None = None) -> dict[int, list[Match]]:
    """row index → the live records of the same module it matches (any scope); ``ceiling``:
    only records with ids up to it (those there before the import wrote any)."""
    service = RECORD_SERVICES.get(entity)
    if ceiling is None and service is not None:
        ceiling = session.scalar(select(func.max(service.model.id))) or 0
    if ceiling == 0:
        return {}  # the first import into an empty table: nothing to match, no lookups to make
    top = ceiling if ceiling is not None else float("inf")
    # key → the row index wanting it, or the list of them when several do (a list per key
    # would hold a hundred megabytes on a million rows).
    wanted: dict[tuple[str, str], int | list[int]] = {}
    for row in rows:
        if row.action in ("fail", "skip"):
            continue
        for key in row_keys(entity, row):
            have = wanted.setdefault(key, row.index)
            if have != row.index:
                if isinstance(have, list):
                    have.append(row.index)
                else:
                    wanted[key] = [have, row.index]
    found: dict[int, dict[int, Match]] = {}

    def hit(key: tuple[str, str], rid: int, fld: str, how: str) -> None:
        got = wanted.get(key)
        if got is None or rid > top:
            return
        for index in got if isinstance(got, list) else (got,):
            current = found.setdefault(index, {})
            if rid not in current or (current[rid].how == "similar" and how == "exact"):
                current[rid] = Match(rid, fld, how)

    by_kind: dict[str, list[str]] = {}
    for kind, key in wanted:
        by_kind.setdefault(kind, []).append(key)

    if entity in ("customer", "lead"):
        model: type[RecordMixin] = Customer if entity == "customer" else Lead
        # The keys are NFKC forms ("(" for "（"); the column holds names as typed: ask for both.
        typed = {str(r.builtin.get("name") or "").strip() for r in rows if r.action != "fail"}
        for part in _chunks(sorted((typed | set(by_kind.get("name", []))) - {""})):
            for rid, name in session.execute(select(model.id, model.name).where(
                    model.name.in_(part), model.deleted_at.is_(None))):
                hit(("name", _name(name)), rid, "name", "exact")
        if entity == "customer":
            for part in _chunks(by_kind.get("similar", [])):
                for rid, norm in session.execute(select(Customer.id, Customer.normalized_name).where(
                        Customer.normalized_name.in_(part), Customer.deleted_at.is_(None))):
                    hit(("similar", norm), rid, "name", "similar")
        else:
            _similar_leads(session, by_kind.get("similar", []), hit)
        cols = {"phone": "phone", "mobile": "phone", "email": "lower"}
        if entity == "customer":
            cols["credit_code"] = "upper"
        narrow = [k[-_TAIL:] for k in by_kind.get("phone", [])] + by_kind.get("email", []) + by_kind.get("credit_code", [])
        for rid, *vals in _scan(session, model, cols, narrow, ceiling=ceiling):
            record = dict(zip(cols, vals, strict=True))
            for f in ("phone", "mobile"):
                if len(k := phone_key(record[f] or "")) >= MIN_PHONE:
                    hit(("phone", k), rid, f, "exact")
            if email := (record["email"] or "").strip().lower():
                hit(("email", email), rid, "email", "exact")
            if code := _name(record.get("credit_code")).upper():
                hit(("credit_code", code), rid, "credit_code", "exact")
    elif entity == "product":
        for part in _chunks(by_kind.get("code", [])):
            # Recycled products count: the code is unique among all of them.
            for rid, code in session.execute(select(Product.id, Product.code).where(Product.code.in_(part))):
                hit(("code", code), rid, "code", "exact")
    elif entity in ("contract", "payment"):
        model_n: Any = Contract if entity == "contract" else Payment
        for part in _chunks(by_kind.get("number", [])):
            for rid, number in session.execute(select(model_n.id, model_n.number).where(
                    model_n.number.in_(part), model_n.deleted_at.is_(None))):
                hit(("number", number), rid, "number", "exact")
    elif entity == "opportunity":
        names = sorted({k.split(":", 1)[1] for k in by_kind.get("name", [])})
        for part in _chunks(names):
            for rid, name, customer_id in session.execute(select(Opportunity.id, Opportunity.name, Opportunity.customer_id)
                                                          .where(Opportunity.name.in_(part), Opportunity.deleted_at.is_(None))):
                hit(("name", f"{customer_id}:{_name(name)}"), rid, "name", "exact")
    elif entity == "contact":
        narrow = [k.split(":", 1)[1][-_TAIL:] for k in by_kind.get("phone", [])]
        narrow += [k.split(":", 1)[1] for k in by_kind.get("email", [])]
        for rid, mobile, email, customer_id in _scan(
                session, Contact, {"mobile": "phone", "email": "lower"}, narrow, also=("customer_id",),
                ceiling=ceiling):
            if len(k := phone_key(mobile or "")) >= MIN_PHONE:
                hit(("phone", f"{customer_id}:{k}"), rid, "mobile", "exact")
            if e := (email or "").strip().lower():
                hit(("email", f"{customer_id}:{e}"), rid, "email", "exact")
    return {index: sorted(m.values(), key=lambda x: (x.how != "exact", x.record_id)) for index, m in found.items()}
