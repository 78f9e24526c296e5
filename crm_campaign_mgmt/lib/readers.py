"""Streaming readers for the target import: .xlsx, .xls and .csv.

No Odoo here. ``open_table(source, filename)`` returns a :class:`Table` whose
``header`` is the list of column labels (merged and two-row headers folded into
one label per column) and whose ``iter_rows()`` yields ``(row_number, values)``
for every non-blank data row, ``row_number`` being the 1-based row of the sheet
(or line of the CSV file) so error reports can point at it.
"""

import codecs
import csv
import datetime
import io
import os
import zipfile

from .mapping import match_field
from .xml_safety import UnsafeXmlError, check_workbook_archive

FORMAT_XLSX = "xlsx"
FORMAT_XLS = "xls"
FORMAT_CSV = "csv"

CSV_DELIMITERS = (",", ";", "\t", "|")
# rows looked at to find the header row
HEADER_SCAN_ROWS = 10
# undefined in cp1252: a file holding these bytes is latin-1
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


class ImportFileError(ValueError):
    """The file cannot be read (wrong format, corrupt, empty)."""


def detect_format(filename, head=b""):
    """Format from the file name, then from the first bytes."""
    ext = os.path.splitext(filename or "")[1].lower().lstrip(".")
    if ext in (FORMAT_XLSX, "xlsm"):
        return FORMAT_XLSX
    if ext == FORMAT_XLS:
        return FORMAT_XLS
    if ext in (FORMAT_CSV, "txt", "tsv"):
        return FORMAT_CSV
    if head.startswith(b"PK\x03\x04"):
        return FORMAT_XLSX
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return FORMAT_XLS
    return FORMAT_CSV


def cell_text(value):
    """Text of a cell value: numbers without a spurious ``.0``, dates in ISO."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e17:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


def _is_blank(values):
    for value in values:
        if value is not None and (not isinstance(value, str) or value.strip()):
            return False
    return True


def _looks_like_header(texts):
    """A row of labels: text only, no email address, few digits."""
    filled = [t for t in texts if t]
    if not filled:
        return False
    for text in filled:
        if "@" in text or sum(ch.isdigit() for ch in text) > 3:
            return False
    return True


def _column_letter(index):
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def _label(*parts):
    return " ".join(p for p in parts if p)


def build_header(rows):
    """Find the header among the first non-blank rows and fold merged cells.

    :param rows: list of ``(row_number, values)`` of the first non-blank rows
    :return: ``(labels, header_rows)`` where ``header_rows`` is the number of
        leading rows of ``rows`` that belong to the header (1 or 2)
    """
    if not rows:
        raise ImportFileError("The file holds no rows.")
    texts = [[cell_text(v) for v in values] for _num, values in rows]

    def score(row_texts):
        return sum(1 for t in row_texts if t and match_field(t))

    best = max(range(len(texts)), key=lambda i: (score(texts[i]), -i))
    if not score(texts[best]):
        best = 0
    width = max(len(t) for t in texts[: best + 2])
    main = texts[best] + [""] * (width - len(texts[best]))

    group = sub = None
    header_rows = best + 1
    adjacent = lambda a, b: rows[b][0] == rows[a][0] + 1  # noqa: E731
    # a group row above (merged cells spanning several columns of the header)
    if best > 0 and adjacent(best - 1, best) and _looks_like_header(texts[best - 1]):
        group, sub = texts[best - 1], main
    # a sub-header row below (the header's merged cells split into columns)
    elif (
        best + 1 < len(texts)
        and adjacent(best, best + 1)
        and _looks_like_header(texts[best + 1])
        and any(
            t and (i >= len(main) or not main[i]) for i, t in enumerate(texts[best + 1])
        )
    ):
        group, sub = main, texts[best + 1]
        header_rows = best + 2
    if group is None:
        labels = list(main)
        # a label merged across columns: the columns to its right are blank
        last = ""
        for i, text in enumerate(labels):
            if text:
                last = text
            elif last:
                labels[i] = f"{last} ({_column_letter(i)})"
    else:
        group = group + [""] * (width - len(group))
        sub = sub + [""] * (width - len(sub))
        labels = []
        last_group = ""
        for i in range(width):
            if group[i]:
                last_group = group[i]
            g, s = last_group, sub[i]
            if s and g and s != g:
                combined = _label(g, s)
                # the sub label alone when it says what the column is
                labels.append(s if match_field(s) or not match_field(combined) else combined)
            else:
                labels.append(s or g)
    labels = [lab or f"Column {_column_letter(i)}" for i, lab in enumerate(labels)]
    return labels, header_rows


class Table:
    """A sheet or CSV file read as a header and a stream of data rows."""

    fmt = None

    def __init__(self):
        self.header = []
        self.header_row_numbers = []
        self.delimiter = ","
        self.encoding = "utf-8"
        self._pending = []

    # subclasses provide _raw_rows(): iterator of (row_number, values)
    def _raw_rows(self):
        raise NotImplementedError

    def _read_header(self):
        self._iter = self._raw_rows()
        scanned = []
        for number, values in self._iter:
            if _is_blank(values):
                continue
            scanned.append((number, list(values)))
            if len(scanned) >= HEADER_SCAN_ROWS:
                break
        self.header, header_rows = build_header(scanned)
        self.header_row_numbers = [n for n, _v in scanned[:header_rows]]
        self._pending = scanned[header_rows:]

    def iter_rows(self):
        """Data rows after the header, blank rows skipped, padded to the header."""
        width = len(self.header)
        for number, values in self._pending:
            yield number, self._fit(values, width)
        self._pending = []
        for number, values in self._iter:
            if _is_blank(values):
                continue
            yield number, self._fit(values, width)

    @staticmethod
    def _fit(values, width):
        values = list(values)
        if len(values) < width:
            values.extend([None] * (width - len(values)))
        elif len(values) > width:
            del values[width:]
        return values

    def estimate_rows(self):
        """Number of rows of the sheet (an upper bound of the data rows)."""
        return 0

    def close(self):
        pass


class XlsxTable(Table):
    """First sheet of an .xlsx file, streamed.

    ``engine="fast"`` (default) reads the XML with lxml (:mod:`.xlsx_fast`),
    about five times faster than openpyxl; ``engine="openpyxl"`` uses
    openpyxl's read-only mode with ``values_only``. The fast engine falls back
    to openpyxl for a workbook it does not understand.
    """

    fmt = FORMAT_XLSX

    def __init__(self, source, engine="fast"):
        super().__init__()
        self._handle = None
        self._wb = self._fast = None
        if isinstance(source, (str, os.PathLike)):
            # openpyxl checks the extension of a path; stored files have none
            source = self._handle = open(source, "rb")  # noqa: SIM115 - closed in close()
        self._source = source
        self.engine = engine
        self._check_parts(source)
        if engine == "fast":
            from .xlsx_fast import FastXlsxReader, UnsupportedWorkbook

            try:
                self._fast = FastXlsxReader(source, checked=True)
            except (UnsupportedWorkbook, SyntaxError, ValueError, KeyError):
                self.engine = "openpyxl"
                if hasattr(source, "seek"):
                    source.seek(0)
        if self._fast is None:
            self._open_openpyxl(source)
        try:
            self._read_header()
        except SyntaxError as error:  # lxml XMLSyntaxError
            self.close()
            raise ImportFileError(f"Not a readable .xlsx file: {error}") from error

    def _check_parts(self, source):
        """Refuse a workbook any part of which declares a DOCTYPE (XXE, entity bombs),
        whichever engine reads it (see :mod:`.xml_safety`)."""
        try:
            with zipfile.ZipFile(source) as archive:
                check_workbook_archive(archive)
        except UnsafeXmlError as error:
            self.close()
            raise ImportFileError(str(error)) from error
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            self.close()
            raise ImportFileError(f"Not a readable .xlsx file: {error}") from error
        if hasattr(source, "seek"):
            source.seek(0)

    def _open_openpyxl(self, source):
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            self._wb = openpyxl.load_workbook(source, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError,
                InvalidFileException) as error:
            self.close()
            raise ImportFileError(f"Not a readable .xlsx file: {error}") from error
        self._ws = self._wb.worksheets[0]

    def _raw_rows(self):
        if self._fast is not None:
            yield from self._fast.iter_rows()
            return
        ws = self._ws
        # read-only sheets number rows from min_row; values_only skips cell objects
        start = ws.min_row or 1
        for offset, values in enumerate(ws.iter_rows(values_only=True)):
            yield start + offset, values

    def estimate_rows(self):
        if self._fast is not None:
            rows = self._fast.dimension_rows()
            return rows if rows is not None else self._count_row_tags()
        try:
            dims = self._ws.calculate_dimension()
        except ValueError:
            dims = None
        if dims and ":" in dims:
            tail = dims.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            if tail.isdigit():
                return int(tail)
        return self._count_row_tags()

    def _count_row_tags(self):
        """Unsized sheet (written by a streaming writer): count ``<row`` tags."""
        try:
            archive = zipfile.ZipFile(self._source)
            name = self._fast.sheet_path if self._fast is not None else \
                "xl/worksheets/sheet1.xml"
            names = archive.namelist()
            if name not in names:
                sheets = sorted(n for n in names if n.startswith("xl/worksheets/sheet"))
                if not sheets:
                    return 0
                name = sheets[0]
            count, tail = 0, b""
            with archive.open(name) as stream:
                while chunk := stream.read(1 << 20):
                    count += (tail + chunk).count(b"<row")
                    tail = chunk[-4:]
            return count
        except (zipfile.BadZipFile, OSError):
            return 0

    def close(self):
        if self._fast is not None:
            self._fast.close()
        if self._wb is not None:
            self._wb.close()
        if self._handle is not None:
            self._handle.close()
            self._handle = None


class XlsTable(Table):
    fmt = FORMAT_XLS

    def __init__(self, source):
        super().__init__()
        import xlrd

        self._xlrd = xlrd
        try:
            if isinstance(source, (bytes, bytearray)):
                self._book = xlrd.open_workbook(file_contents=bytes(source), on_demand=True)
            elif hasattr(source, "read"):
                self._book = xlrd.open_workbook(file_contents=source.read(), on_demand=True)
            else:
                self._book = xlrd.open_workbook(source, on_demand=True)
        except (xlrd.XLRDError, OSError, AssertionError) as error:
            raise ImportFileError(f"Not a readable .xls file: {error}") from error
        self._sheet = self._book.sheet_by_index(0)
        self._read_header()

    def _raw_rows(self):
        xlrd = self._xlrd
        sheet, datemode = self._sheet, self._book.datemode
        for rowx in range(sheet.nrows):
            values = []
            for cell in sheet.row(rowx):
                if cell.ctype == xlrd.XL_CELL_DATE:
                    try:
                        values.append(xlrd.xldate_as_datetime(cell.value, datemode))
                    except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                        values.append(cell.value)
                elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
                    values.append(None)
                elif cell.ctype == xlrd.XL_CELL_ERROR:
                    values.append(None)
                else:
                    values.append(cell.value)
            yield rowx + 1, values

    def estimate_rows(self):
        return self._sheet.nrows

    def close(self):
        self._book.release_resources()


def detect_encoding(data):
    """utf-8-sig, utf-8, cp1252 or latin-1 for the bytes of a text file."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        utf8 = False
    else:
        utf8 = True
    if utf8:
        return "utf-8"
    high_controls = {b for b in data if 0x80 <= b <= 0x9F}
    if not high_controls or high_controls & _CP1252_UNDEFINED:
        # no byte where cp1252 and latin-1 differ (or cp1252 cannot decode it)
        return "latin-1"
    return "cp1252"


def sniff_delimiter(sample):
    """The delimiter among , ; TAB | giving the most columns consistently."""
    lines = [line for line in sample.splitlines() if line.strip()][:30]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last sampled line may be cut
    best, best_score = ",", 0
    for delimiter in CSV_DELIMITERS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=delimiter)]
        except csv.Error:
            continue
        if not counts:
            continue
        mode = max(set(counts), key=counts.count)
        if mode < 2:
            continue
        score = counts.count(mode) * mode
        if score > best_score:
            best, best_score = delimiter, score
    return best


class CsvTable(Table):
    fmt = FORMAT_CSV

    def __init__(self, source):
        super().__init__()
        if isinstance(source, (bytes, bytearray)):
            data = bytes(source)
        elif hasattr(source, "read"):
            data = source.read()
        else:
            with open(source, "rb") as stream:
                data = stream.read()
        if not data.strip():
            raise ImportFileError("The file is empty.")
        self.encoding = detect_encoding(data)
        self._text = data.decode(self.encoding)
        self.delimiter = sniff_delimiter(self._text[:65536])
        self._read_header()

    def _raw_rows(self):
        reader = csv.reader(io.StringIO(self._text, newline=""), delimiter=self.delimiter)
        for values in reader:
            yield reader.line_num, values

    def estimate_rows(self):
        """The rows holding a value (header included), as counted for Excel: a
        trailing newline, blank lines and line breaks inside quoted cells are not
        rows."""
        return sum(1 for _number, values in self._raw_rows()
                   if any(value.strip() for value in values))

    def close(self):
        self._text = ""


def open_table(source, filename, xlsx_engine="fast"):
    """Open an uploaded file.

    :param source: a path, a binary file object or the file's bytes
    :param filename: the uploaded file name (its extension decides the format)
    :param xlsx_engine: ``fast`` (lxml) or ``openpyxl`` for .xlsx files
    """
    head = b""
    if isinstance(source, (bytes, bytearray)):
        head = bytes(source[:8])
    fmt = detect_format(filename, head)
    if fmt == FORMAT_XLSX:
        if isinstance(source, (bytes, bytearray)):
            source = io.BytesIO(source)
        return XlsxTable(source, engine=xlsx_engine)
    if fmt == FORMAT_XLS:
        return XlsTable(source)
    return CsvTable(source)
