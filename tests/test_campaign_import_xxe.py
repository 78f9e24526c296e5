"""Odoo-free tests: an .xlsx upload declaring a DOCTYPE / entities is refused.

Security issue 7, item 1 (XXE): a workbook whose shared strings declared
``<!ENTITY x SYSTEM "file:///...">`` put the server file's content into the
mapping preview and the targets. Every XML part of the archive is checked
before any reader (fast reader or openpyxl) reads it.
"""

import io
import zipfile

import pytest

from crm_campaign_mgmt.lib.readers import ImportFileError, open_table
from crm_campaign_mgmt.lib.xlsx_fast import FastXlsxReader
from crm_campaign_mgmt.lib.xml_safety import UnsafeXmlError

SECRET = "top-secret-server-file-content"
HEADER = ["Email", "Phone", "Name"]


_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" '
        'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '</Types>'),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
        'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
        '</Relationships>'),
    "docProps/core.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
        'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        '<dc:creator>test</dc:creator></cp:coreProperties>'),
    "xl/workbook.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Targets" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/sharedStrings" Target="sharedStrings.xml"/>'
        '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/styles" Target="styles.xml"/>'
        '</Relationships>'),
    "xl/styles.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellXfs>'
        '</styleSheet>'),
    "xl/sharedStrings.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="5" '
        'uniqueCount="5"><si><t>Email</t></si><si><t>Phone</t></si><si><t>Name</t></si>'
        '<si><t>a@example.com</t></si><si><t>Ann Lee</t></si></sst>'),
    "xl/worksheets/sheet1.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<dimension ref="A1:C2"/><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
        '<c r="C1" t="s"><v>2</v></c></row>'
        '<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2"><v>9876543210</v></c>'
        '<c r="C2" t="s"><v>4</v></c></row>'
        '</sheetData></worksheet>'),
}


def _workbook():
    """A minimal .xlsx with shared strings, as Excel writes it."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in _PARTS.items():
            archive.writestr(name, content)
    return out.getvalue()


def _replace_part(data, name, transform):
    """A copy of the zip ``data`` whose member ``name`` is ``transform(old bytes)``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == name:
                content = transform(content)
            dst.writestr(info, content)
    return out.getvalue()


def _add_doctype(content, doctype):
    """Insert ``doctype`` after the XML declaration of a part."""
    if content.startswith(b"<?xml"):
        end = content.index(b"?>") + 2
        return content[:end] + doctype + content[end:]
    return doctype + content


@pytest.fixture
def secret_file(tmp_path):
    path = tmp_path / "hostname"
    path.write_text(SECRET)
    return path


def _xxe_shared_strings(secret_file):
    """The attack of the audit: the shared strings expand an external entity."""
    data = _workbook()
    doctype = f'<!DOCTYPE sst [<!ENTITY x SYSTEM "file://{secret_file}">]>'.encode()

    def transform(content):
        content = _add_doctype(content, doctype)
        return content.replace(b"<t>Ann Lee</t>", b"<t>&x;</t>")

    return _replace_part(data, "xl/sharedStrings.xml", transform)


def _all_text(table):
    texts = list(table.header)
    for _number, values in table.iter_rows():
        texts.extend(str(v) for v in values)
    return " ".join(texts)


@pytest.mark.parametrize("engine", ["fast", "openpyxl"])
def test_external_entity_in_shared_strings_is_refused(secret_file, engine):
    data = _xxe_shared_strings(secret_file)
    leaked = ""
    with pytest.raises(ImportFileError, match=r"xl/sharedStrings\.xml.*DOCTYPE") as caught:
        table = open_table(data, "targets.xlsx", xlsx_engine=engine)
        leaked = _all_text(table)  # only reached on the vulnerable code
    assert SECRET not in leaked
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize("part", [
    "[Content_Types].xml",
    "_rels/.rels",
    "xl/workbook.xml",
    "xl/_rels/workbook.xml.rels",
    "xl/styles.xml",
    "xl/worksheets/sheet1.xml",
    "docProps/core.xml",
])
def test_any_part_with_a_doctype_is_refused(secret_file, part):
    doctype = f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret_file}">]>'.encode()
    data = _replace_part(_workbook(), part, lambda c: _add_doctype(c, doctype))
    for engine in ("fast", "openpyxl"):
        with pytest.raises(ImportFileError) as caught:
            open_table(data, "targets.xlsx", xlsx_engine=engine)
        assert part in str(caught.value)


def test_entity_bomb_is_refused():
    bomb = b'<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa">' + b"".join(
        b'<!ENTITY %s "%s">' % (chr(98 + i).encode(), (b"&%s;" % chr(97 + i).encode()) * 10)
        for i in range(8)) + b"]>"

    def transform(content):
        return _add_doctype(content, bomb).replace(b"<t>Ann Lee</t>", b"<t>&i;</t>")

    data = _replace_part(_workbook(), "xl/sharedStrings.xml", transform)
    with pytest.raises(ImportFileError, match="sharedStrings"):
        open_table(data, "targets.xlsx")


def test_utf16_part_with_a_doctype_is_refused(secret_file):
    def transform(content):
        text = content.decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
        end = text.index("?>") + 2
        text = text[:end] + f'<!DOCTYPE sst [<!ENTITY x SYSTEM "file://{secret_file}">]>' \
            + text[end:]
        return text.replace("<t>Ann Lee</t>", "<t>&x;</t>").encode("utf-16")

    data = _replace_part(_workbook(), "xl/sharedStrings.xml", transform)
    with pytest.raises(ImportFileError, match="sharedStrings"):
        open_table(data, "targets.xlsx")


def test_fast_reader_alone_refuses_and_names_the_part(secret_file):
    data = _xxe_shared_strings(secret_file)
    with pytest.raises(UnsafeXmlError) as caught:
        FastXlsxReader(io.BytesIO(data))
    assert caught.value.part == "xl/sharedStrings.xml"


def test_a_clean_workbook_still_reads():
    table = open_table(_workbook(), "targets.xlsx")
    assert table.header == HEADER
    assert [values for _n, values in table.iter_rows()] == [
        ["a@example.com", 9876543210, "Ann Lee"]]
    table = open_table(_workbook(), "targets.xlsx", xlsx_engine="openpyxl")
    assert table.header == HEADER
    assert [values for _n, values in table.iter_rows()] == [
        ["a@example.com", 9876543210, "Ann Lee"]]


def test_unreadable_file_given_by_path(tmp_path):
    path = tmp_path / "stored"
    path.write_bytes(b"this is no spreadsheet")
    with pytest.raises(ImportFileError, match="Not a readable .xlsx file"):
        open_table(str(path), "targets.xlsx")


def test_doctype_after_a_huge_comment_is_refused(secret_file):
    """lxml stops at a 10 MB text node; the part is still refused, not passed to openpyxl."""
    comment = b"<!--" + b"x" * (11 * 1024 * 1024) + b"-->"
    doctype = comment + f'<!DOCTYPE sst [<!ENTITY x SYSTEM "file://{secret_file}">]>'.encode()

    def transform(content):
        return _add_doctype(content, doctype).replace(b"<t>Ann Lee</t>", b"<t>&x;</t>")

    data = _replace_part(_workbook(), "xl/sharedStrings.xml", transform)
    for engine in ("fast", "openpyxl"):
        with pytest.raises(ImportFileError, match="sharedStrings"):
            open_table(data, "targets.xlsx", xlsx_engine=engine)


def test_binary_parts_are_left_alone():
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64
    data = _replace_part(_workbook(), "docProps/app.xml", lambda c: c)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
        dst.writestr("xl/media/image1.png", png)
    table = open_table(out.getvalue(), "targets.xlsx")
    assert table.header == HEADER
