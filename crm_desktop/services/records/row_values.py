"""Reading list pages fast: a row's values converted when first read, statements run on the driver.

A list page is a hundred rows of twenty to thirty fields, and a list view shows some of them:
converting every value up front (SQLite hands back text dates, float money, JSON text) cost
more than the page's query on a million-row table. ``RowValues`` keeps the driver's row and
converts a field the first time it is read, with the converter SQLAlchemy itself would have
used for the column; what it returns is exactly what the eager path returned (Decimal money,
``datetime.date``, aware UTC datetimes). It is a read-only ``Mapping`` (RecordDTO.values),
equal to the dict of the same items.

``derived`` entries are computed from other fields on first read (a contract's outstanding
amount from its amount and received amount); ``CustomValues`` parses a row's custom JSON when
one of its values is read. ``DriverStatement`` runs a kept list statement on the DB-API
driver, compiled once.
Thread rule: any thread; a value converted twice by a race is the same value.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Dialect, Select
from sqlalchemy.exc import DBAPIError

Converter = Callable[[Any], Any]
Derived = Callable[[Mapping[str, Any]], Any]

#: Databases whose list pages are read as the driver's rows and converted when read: SQLite
#: hands back text and floats, and converting every value of a page cost more than its query.
#: (psycopg converts in C as it reads; SQLAlchemy's processors there need the cursor's types.)
RAW_ROW_DIALECTS = frozenset({"sqlite"})


def same(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class DriverStatement:
    """A statement compiled once for the DB-API driver: its SQL, the order of its parameters,
    the values bound when it was built (ids, limits) and SQLAlchemy's own bind processor for
    each (a keyset bound's datetime or Decimal becomes what the driver stores).

    Running a kept list statement through SQLAlchemy's execution path (compiled-cache lookup,
    parameter processing, result set-up) cost a fifth of a page's query on SQLite.
    """

    sql: str
    names: tuple[str, ...]
    values: Mapping[str, Any]
    processors: Mapping[str, Converter]
    #: The driver's base error class: its errors are raised as SQLAlchemy's, as elsewhere.
    driver_error: type[Exception]

    @classmethod
    def compile(cls, query: Select[Any], dialect: Dialect) -> DriverStatement | None:
        """None for what it does not handle (expanding IN lists, non-positional drivers):
        those run through SQLAlchemy."""
        compiled = query.compile(dialect=dialect)
        names = tuple(compiled.positiontup or ())
        if not dialect.positional or any(b.expanding or b.literal_execute for b in compiled.binds.values()):
            return None
        processors = {}
        for name in set(names):
            processor = compiled.binds[name].type.dialect_impl(dialect).bind_processor(dialect)
            if processor is not None:
                processors[name] = processor
        return cls(str(compiled), names, dict(compiled.params), processors, dialect.loaded_dbapi.Error)

    def run(self, dbapi_connection: Any, params: Mapping[str, Any]) -> list[Any]:
        """The rows of one execution with ``params`` over the values bound at build time."""
        values = []
        for name in self.names:
            value = params[name] if name in params else self.values[name]
            processor = self.processors.get(name)
            values.append(processor(value) if processor is not None and value is not None else value)
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(self.sql, values)
            return cursor.fetchall()  # type: ignore[no-any-return]
        except self.driver_error as exc:
            raise DBAPIError.instance(self.sql, values, exc, self.driver_error) from exc
        finally:
            cursor.close()


def converter(type_: Any, dialect: Dialect) -> Converter | None:
    """SQLAlchemy's own result processor for ``type_`` on ``dialect`` (None: no conversion)."""
    processor: Converter | None = type_.dialect_impl(dialect).result_processor(dialect, None)
    return processor




@dataclass(frozen=True)
class RowLayout:
    """Where each field is in the row and how its raw value becomes a Python value."""

    #: field name → (position in the row, converter or None when the driver's value is final)
    columns: Mapping[str, tuple[int, Converter | None]]
    derived: Mapping[str, Derived] = field(default_factory=dict)
    #: Every name, in order: the columns, then the derived ones.
    names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", (*self.columns, *(n for n in self.derived if n not in self.columns)))


class RowValues(Mapping[str, Any]):
    __slots__ = ("_row", "_layout", "_read")

    def __init__(self, row: Any, layout: RowLayout) -> None:
        self._row = row
        self._layout = layout
        self._read: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        read = self._read
        if name in read:
            return read[name]
        spot = self._layout.columns.get(name)
        if spot is not None:
            index, convert = spot
            raw = self._row[index]
            value = convert(raw) if convert is not None and raw is not None else raw
        elif name in self._layout.derived:
            value = self._layout.derived[name](self)
        else:
            raise KeyError(name)
        read[name] = value
        return value

    def __iter__(self) -> Iterator[str]:
        return iter(self._layout.names)

    def __len__(self) -> int:
        return len(self._layout.names)

    def __contains__(self, name: object) -> bool:
        return name in self._layout.columns or name in self._layout.derived

    def __repr__(self) -> str:
        return f"RowValues({dict(self)!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return dict, (dict(self),)  # a copy or a pickle is the plain dict of its values


class CustomValues(Mapping[str, Any]):
    """A list row's custom field values (field name → value), from the stored JSON, which is
    parsed the first time a value is read (the names are known without it)."""

    __slots__ = ("_stored", "_keys", "_parse", "_values")

    def __init__(self, stored: Any, keys: tuple[tuple[str, str], ...], parse: Converter) -> None:
        self._stored = stored
        self._keys = keys  # (field name, key inside the JSON)
        self._parse = parse
        self._values: dict[str, Any] | None = None

    def _load(self) -> dict[str, Any]:
        values = self._values
        if values is None:
            stored = self._stored
            data = (self._parse(stored) if stored is not None else None) or {}
            values = self._values = {name: data.get(key) for name, key in self._keys}
        return values

    def __getitem__(self, name: str) -> Any:
        return self._load()[name]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _key in self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        return f"CustomValues({self._load()!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return dict, (self._load(),)


__all__ = ["RAW_ROW_DIALECTS", "Converter", "CustomValues", "Derived", "DriverStatement", "RowLayout", "RowValues",
           "converter", "same"]
