"""A lean streaming reader of the first sheet of an .xlsx file (values only).

No Odoo here. openpyxl's read-only mode builds a dict and a coordinate tuple
per cell and a rich-text object per shared string; at 100,000 rows that alone
costs more than the whole import budget (2,000 rows/s). This reader yields
plain value lists, with openpyxl's own helpers for what matters (date
formats, Excel epochs). The sheet itself is scanned with regular expressions
over chunks of the decompressed XML (about three times faster than
``lxml.etree.iterparse``, which stays the path for sheets written with
namespace prefixes). :class:`~.readers.XlsxTable` uses it and falls back to
openpyxl for anything it does not understand; the tests check both give the
same rows.
"""

import posixpath
import re
import zipfile
from html import unescape

from lxml import etree
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from .xml_safety import SAFE_PARSER_OPTIONS, check_workbook_archive, safe_parser

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
ROW, CELL, VALUE, INLINE, TEXT, RUN, PHONETIC = (
    NS + "row", NS + "c", NS + "v", NS + "is", NS + "t", NS + "r", NS + "rPh")


# Regular expressions of the unprefixed SpreadsheetML a sheet is nearly always written in.
_ROW_END = b"</row>"
_ROW_RE = re.compile(rb"<row\b([^>]*?)(?:/>|>(.*?)</row>)", re.S)
_CELL_RE = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
# the shape every common writer uses: r first, then plain attributes, then at most a <v>
_PLAIN_CELL_RE = re.compile(
    rb'<c r="([A-Z]{1,3})\d+"((?: [a-z]+="[^"]*")*)\s*(?:/>|><v>([^<]*)</v></c>|>(.*?)</c>)', re.S)
_REF_RE = re.compile(rb'\br="\$?([A-Z]{1,3})\$?\d*"')
_ROW_NUMBER_RE = re.compile(rb'\br="(\d+)"')
_TYPE_RE = re.compile(rb'\bt="(\w+)"')
_STYLE_RE = re.compile(rb'\bs="(\d+)"')
_VALUE_RE = re.compile(rb"<v(?:\s[^>]*)?>(.*?)</v>|<v\s*/>", re.S)
_PHONETIC_RE = re.compile(rb"<rPh\b.*?</rPh>", re.S)
_TEXT_RE = re.compile(rb"<t(?:\s[^>]*)?>(.*?)</t>", re.S)
_CHUNK = 1 << 20


def _xml_text(raw):
    text = raw.decode("utf-8")
    return unescape(text) if "&" in text else text


class UnsupportedWorkbook(Exception):
    """The fast path cannot read this workbook; use openpyxl."""


_COLUMNS = {}  # memo: column letters -> 0-based index


def _column_index(ref):
    letters = ref.rstrip("0123456789")
    index = _COLUMNS.get(letters)
    if index is None:
        index = 0
        for char in letters:
            index = index * 26 + (ord(char) - 64)
        index -= 1
        _COLUMNS[letters] = index
    return index


_COLUMNS_BYTES = {}  # memo: column letters (bytes) -> 0-based index


def _column_index_bytes(letters):
    index = _COLUMNS_BYTES.get(letters)
    if index is None:
        index = _COLUMNS_BYTES[letters] = _column_index(letters.decode())
    return index


def _string_of(element):
    """Text of an <si> or <is>: plain <t>, or the <t> of its runs (no phonetic)."""
    parts = []
    for child in element:
        if child.tag == TEXT:
            parts.append(child.text or "")
        elif child.tag == RUN:
            text = child.find(TEXT)
            if text is not None:
                parts.append(text.text or "")
    return "".join(parts)


def _fromstring(data):
    # one parser per call: lxml parsers are not shared between threads
    return etree.fromstring(data, safe_parser())


class FastXlsxReader:
    """The first sheet of an .xlsx file.

    Every part of the archive is checked first (:func:`.xml_safety.check_workbook_archive`):
    a part declaring a DOCTYPE raises :class:`.xml_safety.UnsafeXmlError`; the
    parsers themselves resolve no entity and use no network. ``checked=True``
    skips the check when the caller made it on the same archive.
    """

    def __init__(self, source, checked=False):
        try:
            self.archive = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError) as error:
            raise UnsupportedWorkbook(str(error)) from error
        if not checked:
            try:
                check_workbook_archive(self.archive)
            except BaseException:
                self.archive.close()
                raise
        names = set(self.archive.namelist())
        self.sheet_path, self.epoch = self._first_sheet(names)
        if self.sheet_path not in names:
            raise UnsupportedWorkbook(f"sheet {self.sheet_path} missing")
        self.strings = self._shared_strings(names)
        self.date_styles = self._date_styles(names)

    def _first_sheet(self, names):
        if "xl/workbook.xml" not in names:
            raise UnsupportedWorkbook("no xl/workbook.xml")
        root = _fromstring(self.archive.read("xl/workbook.xml"))
        epoch = CALENDAR_WINDOWS_1900
        props = root.find(NS + "workbookPr")
        if props is not None and props.get("date1904") in ("1", "true"):
            epoch = CALENDAR_MAC_1904
        sheet = root.find(f"{NS}sheets/{NS}sheet")
        if sheet is None:
            raise UnsupportedWorkbook("no sheet")
        rel_id = sheet.get(REL_NS + "id")
        target = "worksheets/sheet1.xml"
        if "xl/_rels/workbook.xml.rels" in names:
            rels = _fromstring(self.archive.read("xl/_rels/workbook.xml.rels"))
            for rel in rels.iter(PKG_REL_NS + "Relationship"):
                if rel.get("Id") == rel_id:
                    target = rel.get("Target")
                    break
        if target.startswith("/"):
            path = target.lstrip("/")
        else:
            path = posixpath.normpath(posixpath.join("xl", target))
        return path, epoch

    def _shared_strings(self, names):
        name = "xl/sharedStrings.xml"
        if name not in names:
            return []
        strings = []
        with self.archive.open(name) as stream:
            for _event, element in etree.iterparse(stream, tag=NS + "si", **SAFE_PARSER_OPTIONS):
                strings.append(_string_of(element))
                element.clear()
        return strings

    def _date_styles(self, names):
        if "xl/styles.xml" not in names:
            return frozenset()
        root = _fromstring(self.archive.read("xl/styles.xml"))
        formats = dict(BUILTIN_FORMATS)
        fmts = root.find(NS + "numFmts")
        if fmts is not None:
            for fmt in fmts.iter(NS + "numFmt"):
                formats[int(fmt.get("numFmtId"))] = fmt.get("formatCode") or ""
        dates = set()
        xfs = root.find(NS + "cellXfs")
        if xfs is not None:
            for index, xf in enumerate(xfs.iter(NS + "xf")):
                code = formats.get(int(xf.get("numFmtId") or 0))
                if code and is_date_format(code):
                    dates.add(str(index))
        return frozenset(dates)

    def dimension_rows(self):
        """Last row of the <dimension> element (None when absent)."""
        with self.archive.open(self.sheet_path) as stream:
            head = stream.read(4096)
        start = head.find(b"<dimension")
        if start < 0:
            return None
        end = head.find(b"/>", start)
        ref = head[start:end].split(b'ref="')[-1].split(b'"')[0].decode()
        last = ref.split(":")[-1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ$")
        return int(last) if last.isdigit() and ":" in ref else None

    def iter_rows(self):
        """``(row_number, values)`` for every <row> of the sheet."""
        with self.archive.open(self.sheet_path) as stream:
            head = stream.read(2048)
        if b"<worksheet" in head and b"<![CDATA[" not in head:
            return self._iter_rows_regex()
        return self._iter_rows_lxml()

    def _iter_rows_regex(self):
        expected = 0
        for row_attrs, body in self._iter_row_chunks():
            match = _ROW_NUMBER_RE.search(row_attrs)
            number = int(match.group(1)) if match else expected + 1
            expected = number
            yield number, self._row_values(body) if body else []

    def _iter_row_chunks(self):
        """``(attributes, body)`` of each <row>, reading the sheet a chunk at a time."""
        with self.archive.open(self.sheet_path) as stream:
            pending = b""
            while True:
                chunk = stream.read(_CHUNK)
                data = pending + chunk
                cut = data.rfind(_ROW_END) + len(_ROW_END) if chunk else len(data)
                if cut < len(_ROW_END):
                    cut = 0 if chunk else len(data)
                for match in _ROW_RE.finditer(data, 0, cut):
                    yield match.group(1), match.group(2)
                pending = data[cut:]
                if not chunk:
                    break

    def _row_values(self, body):
        cells = _PLAIN_CELL_RE.findall(body)
        if len(cells) != body.count(b"<c ") + body.count(b"<c>"):
            cells = [self._generic_cell(match) for match in _CELL_RE.finditer(body)]
        strings = self.strings
        values = []
        position = 0
        for letters, attrs, raw, inner in cells:
            index = _column_index_bytes(letters) if letters else position
            if index > position:
                values.extend([None] * (index - position))
            position = index + 1
            kind = _TYPE_RE.search(attrs).group(1) if b' t="' in attrs else None
            if inner:
                if kind == b"inlineStr":
                    inner = _PHONETIC_RE.sub(b"", inner)
                    values.append("".join(_xml_text(t) for t in _TEXT_RE.findall(inner)))
                    continue
                match = _VALUE_RE.search(inner)
                raw = match.group(1) if match else None
            if not raw:
                values.append(None)
            elif kind == b"s":
                values.append(strings[int(raw)])
            elif kind is None or kind == b"n":
                values.append(self._number(raw, attrs))
            elif kind == b"b":
                values.append(raw == b"1")
            elif kind == b"e":
                values.append(None)
            else:  # "str" formula result, "d" ISO date
                values.append(_xml_text(raw))
        return values

    @staticmethod
    def _generic_cell(match):
        """A cell of unusual shape, as ``(letters, attributes, value, inner xml)``."""
        attrs, inner = match.group(1), match.group(2) or b""
        ref = _REF_RE.search(attrs)
        return (ref.group(1) if ref else b"", b" " + attrs, b"", inner)

    def _number(self, raw, attrs):
        value = float(raw) if (b"." in raw or b"E" in raw or b"e" in raw) else int(raw)
        if self.date_styles and b' s="' in attrs:
            if _STYLE_RE.search(attrs).group(1).decode() in self.date_styles:
                try:
                    value = from_excel(value, self.epoch)
                except (OverflowError, ValueError):
                    value = None
        return value

    def _iter_rows_lxml(self):
        strings, dates, epoch = self.strings, self.date_styles, self.epoch
        expected = 0
        with self.archive.open(self.sheet_path) as stream:
            for _event, row in etree.iterparse(stream, tag=ROW, **SAFE_PARSER_OPTIONS):
                number = row.get("r")
                number = int(number) if number else expected + 1
                expected = number
                values = []
                position = 0
                for cell in row.iterchildren(CELL):
                    ref = cell.get("r")
                    index = _column_index(ref) if ref else position
                    if index > position:
                        values.extend([None] * (index - position))
                    position = index + 1
                    kind = cell.get("t")
                    if kind == "inlineStr":
                        inline = cell.find(INLINE)
                        values.append(_string_of(inline) if inline is not None else None)
                        continue
                    raw = cell.findtext(VALUE)
                    if raw is None or raw == "":
                        values.append(None)
                    elif kind == "s":
                        values.append(strings[int(raw)])
                    elif kind is None or kind == "n":
                        if "." in raw or "E" in raw or "e" in raw:
                            value = float(raw)
                        else:
                            value = int(raw)
                        if cell.get("s") in dates:
                            try:
                                value = from_excel(value, epoch)
                            except (OverflowError, ValueError):
                                value = None
                        values.append(value)
                    elif kind == "str":
                        values.append(raw)
                    elif kind == "b":
                        values.append(raw == "1")
                    elif kind == "e":
                        values.append(None)
                    else:  # "d": ISO date
                        values.append(raw)
                row.clear()
                while row.getprevious() is not None:
                    del row.getparent()[0]
                yield number, values

    def close(self):
        self.archive.close()
