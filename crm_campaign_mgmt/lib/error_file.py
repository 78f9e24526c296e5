"""The error file of an import: the rejected rows as uploaded, plus "Error".

Sensitive columns (``masked_columns``: SSN, date of birth, PAN, IBAN...) are
written as :data:`MASK`, never in clear: the error file is a downloadable
attachment kept after the import. A text cell that would be a formula
(``=...``) stays text in an .xlsx error file.

No Odoo here. Same format as the upload: .xlsx stays .xlsx, .xls becomes .xlsx
(nothing writes .xls any more), .csv keeps its delimiter and encoding.
Rows are streamed (write-only workbook, text buffer): a file of 100,000
rejected rows does not sit in memory as cell objects.
"""

import csv
import datetime
import io
import os
import re

from .readers import FORMAT_CSV, FORMAT_XLS, FORMAT_XLSX

ERROR_COLUMN = "Error"
MASK = "[hidden]"
# control characters openpyxl refuses in cells
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def error_file_name(filename, fmt):
    base = os.path.splitext(os.path.basename(filename or "import"))[0] or "import"
    ext = "csv" if fmt == FORMAT_CSV else "xlsx"
    return f"{base}_errors.{ext}"


class ErrorFileWriter:
    """Collects rejected rows and renders the error file.

    :param fmt: format of the upload (``xlsx``, ``xls`` or ``csv``)
    :param header: column labels of the upload
    :param delimiter: CSV delimiter of the upload
    :param encoding: CSV encoding of the upload
    :param masked_columns: indexes of the columns written as :data:`MASK`
    """

    def __init__(self, fmt, header, delimiter=",", encoding="utf-8", masked_columns=()):
        self.fmt = FORMAT_XLSX if fmt == FORMAT_XLS else fmt
        self.header = list(header) + [ERROR_COLUMN]
        self.width = len(header)
        self.masked = sorted(i for i in masked_columns if 0 <= i < self.width)
        self.count = 0
        if self.fmt == FORMAT_CSV:
            self.encoding = encoding or "utf-8"
            self._buffer = io.StringIO(newline="")
            self._csv = csv.writer(self._buffer, delimiter=delimiter or ",",
                                   lineterminator="\r\n")
            self._csv.writerow(self.header)
        else:
            self._ws = None  # the workbook is made on first use

    @staticmethod
    def _xlsx_value(value):
        if isinstance(value, str):
            return _ILLEGAL.sub("", value)
        if isinstance(value, (int, float, datetime.date, datetime.datetime)) or value is None:
            return value
        return str(value)

    @classmethod
    def _xlsx_cell(cls, sheet, value):
        value = cls._xlsx_value(value)
        if isinstance(value, str) and value.startswith("="):
            # openpyxl writes a string starting with "=" as a formula: keep it text
            from openpyxl.cell import WriteOnlyCell

            cell = WriteOnlyCell(sheet, value)
            cell.data_type = "s"
            return cell
        return value

    def add(self, values, reason):
        values = list(values[: self.width]) + [None] * (self.width - len(values))
        for index in self.masked:
            if values[index] not in (None, ""):
                values[index] = MASK
        self.count += 1
        if self.fmt == FORMAT_CSV:
            self._csv.writerow(["" if v is None else v for v in values] + [reason])
        else:
            sheet = self._sheet()
            sheet.append([self._xlsx_cell(sheet, v) for v in values] + [reason])

    def _sheet(self):
        if self._ws is None:
            import openpyxl

            self._wb = openpyxl.Workbook(write_only=True)
            self._ws = self._wb.create_sheet("Errors")
            self._ws.append(self.header)
        return self._ws

    def discard(self):
        """Drop the rows (the import stopped before the end): the temporary sheet of a
        write-only workbook is closed now rather than by the garbage collector."""
        if self.fmt != FORMAT_CSV and self._ws is not None:
            if not self._ws.closed:
                self._ws.close()
            self._ws = None

    def render(self):
        """The file's bytes (call once)."""
        if self.fmt == FORMAT_CSV:
            return self._buffer.getvalue().encode(self.encoding, errors="replace")
        self._sheet()
        out = io.BytesIO()
        self._wb.save(out)
        return out.getvalue()

    @property
    def mimetype(self):
        if self.fmt == FORMAT_CSV:
            return "text/csv"
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
