"""Reading CSV text that people paste or upload (framework imports, rosters).

Spreadsheets write \r\n, \n or (old Macs) a bare \r between rows; all three
are accepted. What the csv module cannot read (NUL bytes, a field over its
size limit) raises CsvUnreadable naming the line, never a server error.
"""
from __future__ import annotations

import csv
import io


class CsvUnreadable(ValueError):
    pass


def read_rows(text: str) -> tuple[list[str], list[dict]]:
    """(header names, rows as dicts); the rows are numbered from line 2."""
    # newline=None: StringIO turns \r\n and bare \r into \n as it takes the text.
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=None))
    try:
        header = list(reader.fieldnames or [])
        rows = list(reader)
    except csv.Error as exc:
        raise CsvUnreadable(f"line {reader.line_num}: the CSV cannot be read ({exc})") from None
    return header, rows
