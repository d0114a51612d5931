"""Writing .xlsx workbooks fast: each sheet's XML made in bulk by polars and streamed into the zip.

A workbook is a zip of XML parts. The rows of a sheet are made as XML by polars
string expressions, straight from the scored rows by the layout's column
expressions, a slice of rows at a time (the GIL released; a Python call per cell
wrote 5,000 rows a second), and streamed into the archive, so memory stays flat.
A benefit's cells are made only for the rows of its region (a row of one region
fills a few of the roster's benefit columns), and a slice's text goes to the
archive as the UTF-8 bytes polars holds, never as a Python string.
Only text that may hold markup (ids, the roster's own columns, problems) is
escaped; the layout's own words and numbers need not be. Text is written as inline strings: a cell that begins with = or +
is text, shown as typed and never evaluated, with no apostrophe to see. The
results sheet has a bold, frozen header row with a filter; amounts carry a
number format (thousands separators, or 万元).
"""

from __future__ import annotations

import zipfile
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Final

import polars as pl

from eligibility.batch.columns import REGION
from eligibility.batch.layouts import Column, Style

MAX_ROWS: Final = 1_048_576  # a sheet's rows, the header included
MAX_CELL_CHARACTERS: Final = 32_767  # Excel refuses a longer cell
SLICE_ROWS: Final = 25_000  # fewer slices pay less planning per expression; ~15 MB of XML each
_CONTROL: Final = r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]"  # not allowed in XML 1.0
_MAIN: Final = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS: Final = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_HEADER_STYLE: Final = 1
_STYLES: Final[dict[tuple[Style, str], int]] = {("integer", ""): 0, ("amount", "en"): 2, ("amount", "zh"): 3}


def column_letters(index: int) -> str:
    """The letters of the column at `index` (0 is A, 26 is AA)."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _escaped(text: pl.Expr) -> pl.Expr:
    return (
        text.str.slice(0, MAX_CELL_CHARACTERS)
        .str.replace_all(_CONTROL, "\ufffd")
        .str.replace_all("&", "&amp;", literal=True)
        .str.replace_all("<", "&lt;", literal=True)
        .str.replace_all(">", "&gt;", literal=True)
    )


def _text_xml(text: str) -> str:
    import re

    cleaned = re.sub(_CONTROL, "\ufffd", text[:MAX_CELL_CHARACTERS])
    return cleaned.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@dataclass
class Sheet:
    """A sheet being written: its name, columns and the rows written so far."""

    name: str
    columns: Sequence[Column]
    language: str
    stream: IO[bytes]
    rows: int = 0  # the header included


class WorkbookWriter:
    """Writes a workbook of sheets, one after another, each row by row in chunks. Call close() to finish."""

    def __init__(self, path: Path) -> None:
        self.archive = zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        # Compressing a slice (zlib releases the GIL) overlaps making the next one's XML.
        self._compressor = ThreadPoolExecutor(max_workers=1)
        self._pending: Future[int] | None = None
        self.sheets: list[tuple[str, int, int]] = []  # (name, rows, columns) of the finished sheets
        self.current: Sheet | None = None
        self.frozen: set[int] = set()

    def start(self, name: str, columns: Sequence[Column], language: str, sample: pl.DataFrame | None = None) -> None:
        """Begin a sheet with a bold, frozen header row of the columns' headings (widths from `sample`)."""
        assert self.current is None, "finish the sheet before starting another"
        number = len(self.sheets) + 1
        stream = self.archive.open(f"xl/worksheets/sheet{number}.xml", "w", force_zip64=True)
        widths = "".join(
            f'<col min="{index + 1}" max="{index + 1}" width="{_width(column, sample, index)}" customWidth="1"/>'
            for index, column in enumerate(columns)
        )
        header = "".join(
            f'<c r="{column_letters(index)}1" t="inlineStr" s="{_HEADER_STYLE}"><is><t>{_text_xml(column.heading)}</t></is></c>'
            for index, column in enumerate(columns)
        )
        stream.write(
            (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}">'
                '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
                'state="frozen"/></sheetView></sheetViews>'
                f'<cols>{widths}</cols><sheetData><row r="1">{header}</row>'
            ).encode()
        )
        self.current = Sheet(name, columns, language, stream, rows=1)

    def write(self, frame: pl.DataFrame) -> None:
        """Rows of the current sheet, each cell made from `frame` by its column's expressions (batch/layouts.py)."""
        sheet = self.current
        assert sheet is not None
        if sheet.rows + frame.height > MAX_ROWS:
            raise ValueError(f"more than {MAX_ROWS - 1:,} rows for one sheet")
        for start in range(0, frame.height, SLICE_ROWS):  # the XML of a slice at a time: memory stays small
            self._write_rows(sheet, frame.slice(start, SLICE_ROWS))

    def _write_rows(self, sheet: Sheet, frame: pl.DataFrame) -> None:
        if frame.height == 0:
            return
        first = sheet.rows + 1
        frame = frame.with_columns(pl.int_range(first, first + frame.height, dtype=pl.Int64).cast(pl.String).alias("r"))
        if REGION in frame.columns and any(column.region for column in sheet.columns):
            # A benefit's cells are made only for its region's rows: a row is a few of the columns, not all.
            parts = frame.with_row_index("order").partition_by(REGION, as_dict=True)
            rows = pl.concat([_rows_xml(sheet, part, key[0]) for key, part in parts.items()], how="vertical").sort(
                "order"
            )
        else:
            rows = _rows_xml(sheet, frame, None)
        data = rows.get_column("xml").str.join("").cast(pl.Binary).item()  # UTF-8 as polars holds it: no Python str
        self._wait()
        self._pending = self._compressor.submit(sheet.stream.write, data)
        sheet.rows += frame.height

    def _wait(self) -> None:
        """The slice being compressed, written (its error raised here)."""
        if self._pending is not None:
            pending, self._pending = self._pending, None
            pending.result()

    def finish(self, autofilter: bool = True) -> None:
        """Close the current sheet (with a filter over its rows)."""
        sheet = self.current
        assert sheet is not None
        last = f"{column_letters(len(sheet.columns) - 1)}{sheet.rows}"
        closing = "</sheetData>" + (f'<autoFilter ref="A1:{last}"/>' if autofilter else "") + "</worksheet>"
        self._wait()
        sheet.stream.write(closing.encode())
        sheet.stream.close()
        self.sheets.append((sheet.name, sheet.rows, len(sheet.columns)))
        if autofilter:
            self.frozen.add(len(self.sheets) - 1)
        self.current = None

    def close(self) -> None:
        """Write the workbook's other parts and close the archive."""
        assert self.current is None, "finish the last sheet first"
        sheets = "".join(
            f'<sheet name="{_text_xml(name)}" sheetId="{number}" r:id="rId{number}"/>'
            for number, (name, _, _) in enumerate(self.sheets, 1)
        )
        filters = "".join(
            f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
            f"'{_text_xml(name)}'!$A$1:${column_letters(columns - 1)}${rows}</definedName>"
            for index, (name, rows, columns) in enumerate(self.sheets)
            if index in self.frozen
        )
        parts = {
            "[Content_Types].xml": _content_types(len(self.sheets)),
            "_rels/.rels": _ROOT_RELATIONSHIPS,
            "xl/workbook.xml": (
                f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{_MAIN}" '
                f'xmlns:r="{_RELATIONSHIPS}"><sheets>{sheets}</sheets>'
                + (f"<definedNames>{filters}</definedNames>" if filters else "")
                + "</workbook>"
            ),
            "xl/_rels/workbook.xml.rels": _workbook_relationships(len(self.sheets)),
            "xl/styles.xml": _STYLESHEET,
        }
        for name, text in parts.items():
            self.archive.writestr(name, text)
        self.archive.close()
        self._compressor.shutdown()

    def abandon(self) -> None:
        """Stop without finishing (the caller removes the file)."""
        if self._pending is not None:
            self._pending.cancel()
            wait([self._pending])
        self._compressor.shutdown()
        try:
            if self.current is not None:
                self.current.stream.close()
            self.archive.close()
        except (OSError, ValueError):  # a full disk or an archive already broken: the file goes anyway
            pass


def _rows_xml(sheet: Sheet, frame: pl.DataFrame, region: str | None) -> pl.DataFrame:
    """The XML of `frame`'s rows (and their "order" when it has one), cells of the columns `region`'s rows fill."""
    columns = [(index, column) for index, column in enumerate(sheet.columns) if column.region in (None, region)]
    # Each cell's text and number worked out once; then the XML, each cell one concatenation (chained `+` builds
    # every intermediate string).
    values = frame.select(
        *(name for name in ("r", "order") if name in frame.columns),
        *(column.text.alias(f"t{index}") for index, column in columns),
        *(column.number.alias(f"n{index}") for index, column in columns if column.number is not None),
    )
    row = pl.col("r")
    xml: list[pl.Expr] = []
    for index, column in columns:
        value = pl.col(f"t{index}")
        reference = pl.lit(f'<c r="{column_letters(index)}')
        opening = '" t="inlineStr"><is><t>' if column.trusted else '" t="inlineStr"><is><t xml:space="preserve">'
        text = value if column.trusted else _escaped(value)
        cell = pl.concat_str([reference, row, pl.lit(opening), text, pl.lit("</t></is></c>")])
        if column.number is None:
            xml.append(pl.when(value != "").then(cell))
            continue
        style = _STYLES.get((column.style, sheet.language if column.style == "amount" else ""), 0)
        number = pl.col(f"n{index}")
        as_number = pl.concat_str([reference, row, pl.lit(f'" s="{style}"><v>'), number, pl.lit("</v></c>")])
        xml.append(pl.when(number.is_not_null()).then(as_number).when(value != "").then(cell))
    return values.select(
        *(["order"] if "order" in values.columns else []),
        pl.concat_str([pl.lit('<row r="'), row, pl.lit('">'), *xml, pl.lit("</row>")], ignore_nulls=True).alias("xml"),
    )


def _width(column: Column, sample: pl.DataFrame | None, index: int) -> int:
    """A column's width: its heading's and its longest sampled text's (a Chinese character counts two)."""
    longest = _display_width(column.heading)
    if sample is not None and sample.height and index < sample.width:
        values = sample.get_column(sample.columns[index]).drop_nulls().head(200).to_list()
        longest = max([longest, *(_display_width(str(value)) for value in values)])
    return max(min(longest + 2, 60), column.width if column.heading else 8)


def _display_width(text: str) -> int:
    return sum(2 if ord(character) > 0x2E7F else 1 for character in text)


def _content_types(sheets: int) -> str:
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{number}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for number in range(1, sheets + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{overrides}</Types>"
    )


def _workbook_relationships(sheets: int) -> str:
    worksheet = f"{_RELATIONSHIPS}/worksheet"
    links = "".join(
        f'<Relationship Id="rId{number}" Type="{worksheet}" Target="worksheets/sheet{number}.xml"/>'
        for number in range(1, sheets + 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'{links}<Relationship Id="rId{sheets + 1}" Type="{_RELATIONSHIPS}/styles" Target="styles.xml"/>'
        "</Relationships>"
    )


_ROOT_RELATIONSHIPS: Final = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
# Cell formats: 0 plain, 1 bold (headings), 2 thousands separators (#,##0: yuan), 3 万元 (General"万元").
_STYLESHEET: Final = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="General&quot;万元&quot;"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="3" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
