"""A CSV file as a header and numbered rows, whatever tool wrote it.

Handles what real exports do: UTF-8 with or without a byte-order mark, or
Latin-1 / Windows-1252 from older Excel; commas, semicolons (Excel in much of
Europe) or tabs; notes above the header (LinkedIn's Connections.csv); quoted
cells across lines. A file that is not text, or whose quoting is broken, is
refused with a sentence that says where.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DELIMITERS = (",", ";", "\t")
MAX_BYTES = 512 * 1024 * 1024
# The csv module refuses cells over 128 KB by default, which a long note in an export can pass.
csv.field_size_limit(max(csv.field_size_limit(), 16 * 1024 * 1024))


class CsvRefused(ValueError):
    """The file cannot be read as a table; the message says why, for a person."""


@dataclass(frozen=True)
class CsvRow:
    line: int  # the line of the file the row starts on, counting from 1
    cells: list[str]


@dataclass(frozen=True)
class CsvTable:
    source: str
    header: list[str]
    header_line: int
    rows: list[CsvRow]
    delimiter: str
    encoding: str

    def describe(self) -> str:
        names = {",": "commas", ";": "semicolons", "\t": "tabs"}
        count = len(self.rows)
        return f"{count:,} row{'s' if count != 1 else ''}, separated by {names[self.delimiter]}, {self.encoding}"


def read_csv_file(path: str | Path, recognise: Callable[[list[str]], int]) -> CsvTable:
    """Read a CSV file; ``recognise`` scores a candidate header (how many columns it knows)."""
    path = Path(path)
    if not path.exists():
        raise CsvRefused(f"{path}: there is no such file.")
    if path.is_dir():
        raise CsvRefused(f"{path}: is a folder, not a CSV file.")
    try:
        if path.stat().st_size > MAX_BYTES:
            raise CsvRefused(f"{path}: is larger than 512 MB; split it into smaller files.")
        data = path.read_bytes()
    except OSError as error:
        raise CsvRefused(f"{path}: cannot be read ({error.strerror or error}).") from None
    return read_csv_bytes(data, path.name, recognise)


def read_csv_bytes(data: bytes, source: str, recognise: Callable[[list[str]], int]) -> CsvTable:
    if not data.strip():
        raise CsvRefused(f"{source}: the file is empty.")
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if utf16:  # Excel's "Unicode Text": UTF-16 with a byte-order mark
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError:
            raise CsvRefused(f"{source}: says it is UTF-16 text but is not; export the list as CSV again.") from None
    if b"\x00" in data[:65536]:
        raise CsvRefused(f"{source}: is not a text file; export the list as CSV and try again.")
    text, encoding = _decode(data)
    if utf16:
        encoding = "UTF-16"
    if not text.strip():
        raise CsvRefused(f"{source}: the file is empty.")
    delimiter = _choose_delimiter(text, recognise)
    try:
        rows = _parse(text, delimiter)
    except csv.Error as error:
        raise CsvRefused(f"{source}: {error}") from None
    index, _ = _find_header(rows, recognise)
    if index >= len(rows):
        raise CsvRefused(f"{source}: has no header row.")
    header_line, header = rows[index]
    header = [cell.strip() for cell in header]
    width = len(header)
    body = []
    for line, cells in rows[index + 1 :]:
        if not any(cell.strip() for cell in cells):
            continue
        while len(cells) > width and not cells[-1].strip():
            cells = cells[:-1]  # a trailing separator, as many exports write: no cell
        body.append(CsvRow(line, cells + [""] * (width - len(cells)) if len(cells) < width else cells))
    return CsvTable(source, header, header_line, body, delimiter, encoding)


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "UTF-8 with a byte-order mark"
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1"


def _choose_delimiter(text: str, recognise: Callable[[list[str]], int]) -> str:
    """The separator under which the top of the file names the most known columns (else the most cells)."""
    head = text[:65536]
    best, best_key = DELIMITERS[0], (-1, -1)
    for delimiter in DELIMITERS:
        rows = list(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter))[:30]
        known = max((recognise([c.strip() for c in row]) for row in rows), default=0)
        widest = max((len(row) for row in rows), default=0)
        if (known, widest) > best_key:
            best, best_key = delimiter, (known, widest)
    return best


def _parse(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """Every row with the line it starts on; a broken quote raises csv.Error naming its line."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as error:
        raise csv.Error(f"line {start}: the quoting is broken ({error}); check the quote marks on that line.") from None
    return rows


def _find_header(rows: list[tuple[int, list[str]]], recognise: Callable[[list[str]], int]) -> tuple[int, int]:
    """The first row of the first rows that names the most known columns (notes may come first)."""
    best_index, best_score = 0, -1
    for index, (_, cells) in enumerate(rows[:30]):
        score = recognise([cell.strip() for cell in cells])
        if score > best_score:
            best_index, best_score = index, score
    while best_score <= 0 and best_index < len(rows) and not any(c.strip() for c in rows[best_index][1]):
        best_index += 1
    return best_index, best_score
