"""Reading a spreadsheet or text file into rows of cells (pure I/O; any thread).

.xlsx/.xlsm/.xls/.ods go through python-calamine (formulas give their cached values);
.csv/.txt are decoded as UTF-8 (with or without BOM), UTF-16 (a BOM: Excel's "Unicode text")
or GB18030 (a superset of GBK: what Chinese Excel saves), and their delimiter is sniffed.
Whatever cannot be read raises ``FileProblem`` with a message a person can act on; nothing
is ever half read.
"""
from __future__ import annotations

import codecs
import csv
import html
import io
import itertools
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from crm_desktop.i18n_markers import QT_TRANSLATE_NOOP

#: A sheet or file with more data rows is refused: split it (a million rows import in one go).
MAX_ROWS = 1_000_000
#: More columns than any real list has; a sheet claiming 16,384 is refused, not read.
MAX_COLUMNS = 500
#: Excel's own limit on the characters in a cell.
MAX_CELL = 32_767
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".xlsb")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class FileProblem(Exception):
    """The file as a whole cannot be imported; ``message`` is a template (context "errors")
    with ``{name}``-style placeholders filled from ``params``."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.params = params


@dataclass(frozen=True)
class Table:
    """One sheet's cells: ``rows[i][j]`` (ragged rows padded to ``width``)."""

    sheet: str
    rows: list[list[Any]]
    width: int

    @property
    def height(self) -> int:
        return len(self.rows)

    def head(self, count: int) -> list[list[Any]]:
        return self.rows[:count]

    def iter_rows(self, start: int = 0) -> Iterator[list[Any]]:
        return itertools.islice(self.rows, start, None)


def open_table(path: Path, *, sheet: str | None = None) -> Table | TextTable:
    """``read_table``, except that a csv/txt file is not read into memory: its rows are
    streamed (``TextTable``) — a million rows of cells would take most of a gigabyte."""
    _check_exists(path)
    if path.suffix.lower() in TEXT_SUFFIXES:
        return TextTable(path)
    return read_table(path, sheet=sheet)


def _check_exists(path: Path) -> None:
    if not path.exists():
        raise FileProblem(QT_TRANSLATE_NOOP("errors", "The file {file} does not exist."), file=str(path))
    if path.stat().st_size == 0:
        raise FileProblem(QT_TRANSLATE_NOOP("errors", "The file is empty."))


def sheet_names(path: Path) -> list[str]:
    """The sheets of a workbook (a text file has one, named after the file)."""
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return [path.stem]
    return list(_workbook(path).sheet_names)


def read_table(path: Path, *, sheet: str | None = None) -> Table:
    """The cells of ``sheet`` (default: the first sheet with data). FileProblem otherwise."""
    _check_exists(path)
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        text = TextTable(path)
        return Table(sheet=text.sheet, rows=list(text.iter_rows()), width=text.width)
    if suffix not in SPREADSHEET_SUFFIXES:
        raise FileProblem(QT_TRANSLATE_NOOP(
            "errors", "Choose an Excel, WPS or OpenDocument spreadsheet (.xlsx, .xls, .ods) or a .csv file."))
    return _read_sheet(path, sheet)


def _workbook(path: Path) -> Any:
    from python_calamine import (
        CalamineWorkbook,  # imported on first use: the app starts without it
    )

    head = path.read_bytes()[:8] if path.stat().st_size >= 8 else b""
    if path.suffix.lower() in (".xlsx", ".xlsm") and head == _OLE_MAGIC:
        # An encrypted xlsx is an OLE container holding the encrypted package.
        raise FileProblem(QT_TRANSLATE_NOOP(
            "errors", "The workbook is protected with a password: open it, remove the password and save it again."))
    if path.suffix.lower() in (".xlsx", ".xlsm") and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
        if "word/document.xml" in names:
            raise FileProblem(QT_TRANSLATE_NOOP("errors", "This is a Word document, not a spreadsheet."))
        if "xl/workbook.xml" not in names:
            raise FileProblem(QT_TRANSLATE_NOOP("errors", "The file is not an Excel workbook."))
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception:  # noqa: BLE001 - calamine raises its own error kinds for damaged files
        raise FileProblem(QT_TRANSLATE_NOOP(
            "errors", "The file is damaged or is not a spreadsheet: open it in Excel or WPS and save it again.")) from None


def _read_sheet(path: Path, sheet: str | None) -> Table:
    book = _workbook(path)
    names = list(book.sheet_names)
    if not names:
        raise FileProblem(QT_TRANSLATE_NOOP("errors", "The workbook has no sheets."))
    if sheet is not None and sheet not in names:
        raise FileProblem(QT_TRANSLATE_NOOP("errors", "The workbook has no sheet called {sheet}."), sheet=sheet)
    try:
        extents = _xlsx_extents(path) if path.suffix.lower() in (".xlsx", ".xlsm") else {}
        for name in [sheet] if sheet is not None else names:
            # calamine allocates the sheet's whole used range: check what the file claims first.
            claimed_rows, claimed_columns = extents.get(name, (0, 0))
            if claimed_columns > MAX_COLUMNS:
                raise FileProblem(QT_TRANSLATE_NOOP(
                    "errors", "The sheet {sheet} has {columns} columns; at most 500 can be imported."),
                    sheet=name, columns=claimed_columns)
            if claimed_rows > MAX_ROWS + 50:
                raise FileProblem(QT_TRANSLATE_NOOP(
                    "errors", "The sheet {sheet} has {rows} rows; at most 1,000,000 can be imported at once: split it."),
                    sheet=name, rows=claimed_rows)
            data = book.get_sheet_by_name(name)
            if data.width > MAX_COLUMNS:
                raise FileProblem(QT_TRANSLATE_NOOP(
                    "errors", "The sheet {sheet} has {columns} columns; at most 500 can be imported."),
                    sheet=name, columns=data.width)
            if data.height > MAX_ROWS + 50:
                raise FileProblem(QT_TRANSLATE_NOOP(
                    "errors", "The sheet {sheet} has {rows} rows; at most 1,000,000 can be imported at once: split it."),
                    sheet=name, rows=data.height)
            rows = _trim(_limited(data.iter_rows(), name))
            if rows or sheet is not None:
                return _table(name, rows)
    except FileProblem:
        raise
    except Exception:  # noqa: BLE001 - a sheet calamine cannot decode
        raise FileProblem(QT_TRANSLATE_NOOP(
            "errors", "The file is damaged or is not a spreadsheet: open it in Excel or WPS and save it again.")) from None
    return _table(names[0], [])


# A cell reference's column letters and its row number (two scans: each finds few distinct values).
_CELL_COLUMN = re.compile(rb'<c r="([A-Z]{1,3})\d{1,7}"')
_CELL_ROW = re.compile(rb'<c r="[A-Z]{1,3}(\d{1,7})"')
_DIMENSION = re.compile(rb'<dimension ref="(?:[A-Z]+\d+:)?([A-Z]{1,3})(\d{1,7})"')
_SHEET = re.compile(r'<sheet\b[^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL = re.compile(r'<Relationship\b[^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"|'
                  r'<Relationship\b[^>]*?Target="([^"]*)"[^>]*?Id="([^"]*)"')


def _column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _xlsx_extents(path: Path) -> dict[str, tuple[int, int]]:
    """sheet name → (rows, columns) the sheet's XML claims: its <dimension>, or when it has
    none the farthest cell reference (a streamed scan; no cell values are kept)."""
    found: dict[str, tuple[int, int]] = {}
    try:
        with zipfile.ZipFile(path) as z:
            workbook = z.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            targets = {m[0] or m[3]: m[1] or m[2] for m in _REL.findall(rels)}
            names = set(z.namelist())
            for name, rid in _SHEET.findall(workbook):
                target = targets.get(rid, "").lstrip("/")
                member = target if target.startswith("xl/") else f"xl/{target}"
                if member not in names:
                    continue
                with z.open(member) as f:
                    head = f.read(4096)
                    dim = _DIMENSION.search(head)
                    if dim is not None:
                        found[html.unescape(name)] = (int(dim.group(2)), _column_number(dim.group(1)))
                        continue
                    # The distinct column letters and row numbers, collected by C (findall,
                    # set): a Python step per cell took longer than calamine's whole read.
                    letters: set[bytes] = set()
                    numbers: set[bytes] = set()
                    tail = b""
                    block = head
                    while block:
                        chunk = tail + block
                        letters.update(_CELL_COLUMN.findall(chunk))
                        numbers.update(_CELL_ROW.findall(chunk))
                        tail = chunk[-32:]
                        block = f.read(1 << 20)
                    found[html.unescape(name)] = (max(map(int, numbers), default=0),
                                                  max(map(_column_number, letters), default=0))
    except (KeyError, zipfile.BadZipFile, OSError, ValueError):
        return {}
    return found


def _limited(rows: Iterator[list[Any]], sheet: str) -> Iterator[list[Any]]:
    for count, row in enumerate(rows):
        if count > MAX_ROWS + 50:  # a few title rows above a million records are fine
            raise FileProblem(QT_TRANSLATE_NOOP(
                "errors", "The sheet {sheet} has more than 1,000,000 rows: split it into smaller files."), sheet=sheet)
        yield row


def _trim(rows: Iterator[list[Any]]) -> list[list[Any]]:
    """Rows with trailing empty rows dropped (formatting often reaches far below the data)."""
    kept = [[None if c == "" else c for c in row] for row in rows]
    while kept and all(c is None for c in kept[-1]):
        kept.pop()
    return kept


def _table(name: str, rows: list[list[Any]]) -> Table:
    width = max((len(r) for r in rows), default=0)
    if width > MAX_COLUMNS:
        raise FileProblem(QT_TRANSLATE_NOOP(
            "errors", "The sheet {sheet} has {columns} columns; at most 500 can be imported."),
            sheet=name, columns=width)
    for r in rows:
        if len(r) < width:
            r.extend([None] * (width - len(r)))
    return Table(sheet=name, rows=rows, width=width)


# --- text files -----------------------------------------------------------------------


NUL_BYTES = QT_TRANSLATE_NOOP("errors", "The file contains NUL characters: it is not a text file, or it is damaged.")
MIXED_ENCODINGS = QT_TRANSLATE_NOOP(
    "errors", "The file mixes text encodings, or is not a text file: save it again as UTF-8 csv.")


def _partly_utf8(data: bytes) -> bool:
    """Whether text that is not valid UTF-8 still holds much valid UTF-8 Chinese: a file
    pasted together from a UTF-8 and a GBK file. (GBK text forms a valid three-byte UTF-8
    character only by rare accident.)"""
    # Counted in C (a Python step per byte took seconds on a million-row file).
    high = len(data) - len(data.translate(None, _HIGH_BYTES))
    if not high:
        return False
    text = data.decode("utf-8", errors="ignore")
    valid = len(text) - len(_FROM_0800.sub("", text))  # characters from U+0800 on
    return valid * 3 >= high * 0.2


_HIGH_BYTES = bytes(range(0x80, 0x100))
_FROM_0800 = re.compile("[\u0800-\U0010ffff]")


#: Bytes read at a time from a text file (its encoding is checked block by block).
_BLOCK = 1 << 20


def _text_encoding(path: Path) -> str:
    """The codec a csv/txt file is read with, after checking the whole file as ``decode``
    does (one streamed pass: the file is never held in memory)."""
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16"
    else:
        codec = "utf-8-sig" if head.startswith(b"\xef\xbb\xbf") else "utf-8"
        if _has_nul(path):
            raise FileProblem(NUL_BYTES)
        if codec == "utf-8" and not _decodes(path, "utf-8"):
            if _partly_utf8_file(path):
                raise FileProblem(MIXED_ENCODINGS)
            codec = "gb18030"
    if not _decodes(path, codec, check=True):
        raise FileProblem(MIXED_ENCODINGS)
    return codec


def _blocks(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as f:
        yield from iter(lambda: f.read(_BLOCK), b"")


def _has_nul(path: Path) -> bool:
    return any(b"\x00" in block for block in _blocks(path))


def _decodes(path: Path, codec: str, *, check: bool = False) -> bool:
    """Whether the file decodes strictly with ``codec``; ``check``: and FileProblem for a
    byte-order mark in the middle or a NUL character in the text."""
    decoder = codecs.getincrementaldecoder(codec)("strict")
    blocks = itertools.chain(_blocks(path), [b""])
    try:
        for block in blocks:
            text = decoder.decode(block, final=not block)
            if check:
                if "\ufeff" in text:  # the codec has taken the leading one off
                    raise FileProblem(QT_TRANSLATE_NOOP(
                        "errors", "The file joins several files with different encodings (a byte-order mark in "
                                  "the middle): save it again as one file."))
                if "\x00" in text:
                    raise FileProblem(NUL_BYTES)
    except UnicodeDecodeError:
        return False
    return True


def _partly_utf8_file(path: Path) -> bool:
    """``_partly_utf8`` over a whole file, block by block."""
    high = valid = 0
    decoder = codecs.getincrementaldecoder("utf-8")("ignore")
    for block in itertools.chain(_blocks(path), [b""]):
        high += len(block) - len(block.translate(None, _HIGH_BYTES))
        text = decoder.decode(block, final=not block)
        valid += len(text) - len(_FROM_0800.sub("", text))
    return bool(high) and valid * 3 >= high * 0.2


class TextTable:
    """A csv/txt file as a stream of rows: checked whole when opened (encoding, csv syntax,
    row and column counts), its rows read again on each ``iter_rows`` — never all in memory.
    Rows are as ``read_table`` gives them: empty cells None, padded to ``width``, trailing
    empty rows dropped (``height``)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.sheet = self.path.stem
        self.codec = _text_encoding(self.path)
        with self._open() as f:
            sample = f.read(65536)
        try:
            self.dialect: Any = csv.Sniffer().sniff(sample, delimiters=",\t;|")
        except csv.Error:
            self.dialect = csv.excel_tab if sample.count("\t") > sample.count(",") else csv.excel
        csv.field_size_limit(max(csv.field_size_limit(), 4 * MAX_CELL * 40))
        height = width = widest = 0
        try:
            with self._open() as f:
                for i, row in enumerate(_limited(csv.reader(f, self.dialect), self.sheet)):
                    widest = max(widest, len(row))
                    if any(row):  # "" is an empty cell: trailing rows of them are dropped
                        height, width = i + 1, widest
        except csv.Error:
            raise FileProblem(QT_TRANSLATE_NOOP("errors", "The text file is not a valid csv file.")) from None
        if width > MAX_COLUMNS:
            raise FileProblem(QT_TRANSLATE_NOOP(
                "errors", "The sheet {sheet} has {columns} columns; at most 500 can be imported."),
                sheet=self.sheet, columns=width)
        self.height, self.width = height, width

    def _open(self) -> io.TextIOWrapper:
        return open(self.path, encoding=self.codec, newline="")

    def state(self) -> dict[str, Any]:
        """What ``from_state`` needs to read the same rows again without checking the file again
        (plain values: for another process)."""
        d = self.dialect
        return {"path": str(self.path), "codec": self.codec, "height": self.height, "width": self.width,
                "dialect": {k: getattr(d, k) for k in ("delimiter", "doublequote", "escapechar", "lineterminator",
                                                       "quotechar", "quoting", "skipinitialspace")}}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> TextTable:
        table = cls.__new__(cls)
        table.path = Path(state["path"])
        table.sheet = table.path.stem
        table.codec, table.height, table.width = state["codec"], state["height"], state["width"]
        table.dialect = type("dialect", (csv.Dialect,), dict(state["dialect"]))
        return table

    def head(self, count: int) -> list[list[Any]]:
        return list(itertools.islice(self.iter_rows(), count))

    def iter_rows(self, start: int = 0) -> Iterator[list[Any]]:
        """The rows from ``start`` on (the file is read again from its beginning)."""
        width, height = self.width, self.height
        pad = [None] * width
        with self._open() as f:
            for row in itertools.islice(csv.reader(f, self.dialect), start, height):
                cells = [c or None for c in row]  # "" is an empty cell (as in a sheet)
                if len(cells) < width:
                    cells += pad[:width - len(cells)]
                yield cells
