"""A list row's field values, each converted to its Python type when first read.

A list page is a hundred rows of twenty to thirty fields, and a list view shows some of them:
converting every value up front (SQLite hands back text dates, float money, JSON text) cost
more than the page's query on a million-row table. ``RowValues`` keeps the driver's row and
converts a field the first time it is read, with the converter SQLAlchemy itself would have
used for the column; what it returns is exactly what the eager path returned (Decimal money,
``datetime.date``, aware UTC datetimes). It is a read-only ``Mapping`` (RecordDTO.values),
equal to the dict of the same items.

``derived`` entries are computed from other fields on first read (a contract's outstanding
amount from its amount and received amount).
Thread rule: any thread; a value converted twice by a race is the same value.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

Converter = Callable[[Any], Any]
Derived = Callable[[Mapping[str, Any]], Any]


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


__all__ = ["Converter", "CustomValues", "Derived", "RowLayout", "RowValues"]
