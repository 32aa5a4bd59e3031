"""A CSV file as a header and numbered rows, whatever tool wrote it.

Handles what real exports do: UTF-8 with or without a byte-order mark, or
Latin-1 / Windows-1252 from older Excel; commas, semicolons (Excel in much of
Europe) or tabs; notes above the header (LinkedIn's Connections.csv); quoted
cells across lines. A file that is not text, whose quoting is broken, or whose
lines are not all in one encoding, is refused with a sentence that says where:
text is never stored garbled.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DELIMITERS = (",", ";", "\t")
MAX_BYTES = 512 * 1024 * 1024
MAX_CELL = 16 * 1024 * 1024
# The csv module refuses cells over 128 KB by default, which a long note in an export can pass.
csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL))


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
    nul = data.find(b"\x00")
    if 0 <= nul < 65536:
        raise CsvRefused(f"{source}: is not a text file; export the list as CSV and try again.")
    if nul >= 0:  # text with a NUL byte further on: damaged, and no database stores it as text
        line = data.count(b"\n", 0, nul) + 1
        raise CsvRefused(f"{source}: line {line} holds a NUL byte, so the file is damaged; export it again.")
    text, encoding = _decode(data, source)
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


def _decode(data: bytes, source: str) -> tuple[str, str]:
    """The file's text in the one encoding all of it is in; a file of mixed encodings is refused."""
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    try:
        return body.decode("utf-8"), "UTF-8 with a byte-order mark" if bom else "UTF-8"
    except UnicodeDecodeError:
        pass
    failing = _lines_not_utf8(body)
    if bom or _has_utf8_beyond_ascii(body):
        # Part of the file is UTF-8 and part is not: any one reading garbles some names.
        shown = ", ".join(str(line) for line in failing[:5])
        more = f" and {len(failing) - 5:,} more" if len(failing) > 5 else ""
        raise CsvRefused(
            f"{source}: is partly UTF-8 and partly another encoding "
            f"({'line' if len(failing) == 1 else 'lines'} {shown}{more} {'is' if len(failing) == 1 else 'are'} not UTF-8), "
            "so names would be garbled; save the whole file as UTF-8 and try again."
        )
    try:
        return body.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return body.decode("latin-1"), "Latin-1"


def _lines_not_utf8(data: bytes) -> list[int]:
    """The numbers of the lines (from 1) that are not valid UTF-8."""
    failing = []
    for number, line in enumerate(data.split(b"\n"), start=1):
        if not line.isascii():
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                failing.append(number)
    return failing


def _has_utf8_beyond_ascii(data: bytes) -> bool:
    """Whether some line holds non-ASCII text that reads as UTF-8 (Windows-1252 text almost never does)."""
    for line in data.split(b"\n"):
        if not line.isascii():
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                continue
            return True
    return False


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
        if "field larger than field limit" in str(error):
            raise csv.Error(
                f"line {start}: a cell runs on past {MAX_CELL // (1024 * 1024)} MB, which is almost always a quote "
                "mark that is never closed; check the quote marks from that line on."
            ) from None
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
