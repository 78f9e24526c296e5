"""Refuse XML parts that declare a DOCTYPE (external entities, entity bombs).

No Odoo here. An .xlsx upload is a zip of XML parts read by :mod:`.xlsx_fast`
(lxml) or by openpyxl (the standard library's expat). A part declaring
``<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>`` could make a
parser read a server file (XXE), fetch a URL, or expand an entity bomb. No
spreadsheet writer puts a DOCTYPE in a workbook, so every part of the archive
that parses as XML is checked *before* any reader touches it, and a part with a
DOCTYPE is refused: :func:`check_workbook_archive` raises
:class:`UnsafeXmlError` naming the part.

The check parses only the prolog of each part (up to the start of its root
element) with a parser that resolves no entity, loads no DTD and uses no
network; a part that is not XML (an image, a binary part) is left alone, as no
XML parser would read it either. :data:`SAFE_PARSER_OPTIONS` are the options
the fast reader's own parsers use on top of this check.
"""

from lxml import etree

# every lxml parser of an uploaded file: no entity resolved, no DTD, no network, no huge tree
SAFE_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
}
_CHUNK = 1 << 16
# a DTD declaration in the encodings an XML parser detects by itself
_DTD_MARKERS = tuple(
    marker.encode(encoding)
    for marker in ("<!DOCTYPE", "<!ENTITY", "<!doctype", "<!entity")
    for encoding in ("utf-8", "utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
)
_OVERLAP = max(len(marker) for marker in _DTD_MARKERS)


class UnsafeXmlError(Exception):
    """An XML part of an upload declares a DOCTYPE or entities; ``part`` names it."""

    def __init__(self, part, reason="declares a DOCTYPE or entities"):
        self.part = part
        super().__init__(
            f"The part {part} of the workbook {reason}, which spreadsheet files never do: "
            "the file is refused.")


def safe_parser(**options):
    """An lxml parser that resolves no entity (for ``etree.fromstring``)."""
    return etree.XMLParser(**dict(SAFE_PARSER_OPTIONS, **options))


def _prolog_has_dtd(stream):
    """True when the XML read from ``stream`` declares a DOCTYPE before its root element.

    None when the stream is not XML. Only the prolog is parsed (the parser stops
    at the root element's start), with no entity resolution.
    """
    parser = etree.XMLPullParser(events=("start",), **SAFE_PARSER_OPTIONS)
    seen = b""
    while True:
        chunk = stream.read(_CHUNK)
        try:
            if chunk:
                parser.feed(chunk)
            else:
                parser.close()
        except etree.XMLSyntaxError:
            # not XML for lxml (a binary part, or limits such as a huge comment before the
            # root, which a more lenient parser might still read): any DTD marker counts
            return _has_dtd_marker(seen[-_OVERLAP:] + chunk, stream) or None
        for _event, element in parser.read_events():
            docinfo = element.getroottree().docinfo
            return bool(docinfo.doctype or docinfo.internalDTD is not None
                        or docinfo.externalDTD is not None)
        if not chunk:
            return None
        seen = chunk


def _has_dtd_marker(data, stream):
    """True when ``data`` or the rest of ``stream`` holds a DOCTYPE / ENTITY declaration."""
    while True:
        if any(marker in data for marker in _DTD_MARKERS):
            return True
        chunk = stream.read(_CHUNK)
        if not chunk:
            return False
        data = data[-_OVERLAP:] + chunk


def check_xml_part(archive, name):
    """Raise :class:`UnsafeXmlError` if the member ``name`` of ``archive`` declares a DTD."""
    with archive.open(name) as stream:
        if _prolog_has_dtd(stream):
            raise UnsafeXmlError(name)


def check_workbook_archive(archive):
    """Check every member of an .xlsx zip (``zipfile.ZipFile``) before it is read.

    All members are checked, not only the ``.xml`` ones: relationships may
    point at parts of any name, and openpyxl reads parts by content type.
    """
    for info in archive.infolist():
        if not info.is_dir():
            check_xml_part(archive, info.filename)
