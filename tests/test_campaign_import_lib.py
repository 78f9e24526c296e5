"""Odoo-free tests of crm_campaign_mgmt.lib (target import pipeline).

Every test writes real files (openpyxl, xlwt, csv) and reads them back.
"""

import csv
import datetime
import io

import openpyxl
import pytest
import xlwt

from crm_campaign_mgmt.lib.enrichment import (
    RegionResolver,
    company_segment,
    parse_amount,
)
from crm_campaign_mgmt.lib.error_file import ErrorFileWriter, error_file_name
from crm_campaign_mgmt.lib.mapping import (
    guess_mapping,
    match_field,
    missing_required,
    normalize_header,
)
from crm_campaign_mgmt.lib.pipeline import (
    STATUS_DUPLICATE,
    STATUS_INVALID,
    STATUS_OK,
    RowProcessor,
)
from crm_campaign_mgmt.lib.readers import (
    ImportFileError,
    cell_text,
    detect_encoding,
    open_table,
    sniff_delimiter,
)
from crm_campaign_mgmt.lib.validation import (
    check_email,
    check_phone,
    resolve_country,
)

HEADER = ["First Name", "Last Name", "E-mail", "Mobile No.", "Company", "Designation",
          "City", "State", "Country"]
ROWS = [
    ["Asha", "Rao", "Asha.Rao@Example.com", "9876543210", "Acme Pharma", "CTO",
     "Pune", "Maharashtra", "India"],
    ["Rahul", "Sen", "rahul@example.in", "+91 98300 12345", "Zincox", "Buyer",
     "Kolkata", "", "India"],
    ["Bad", "Email", "not-an-email", "9876500001", "X", "Y", "", "", ""],
    ["Short", "Phone", "short@example.com", "987654321", "X", "Y", "", "", ""],
    ["Dup", "Email", "asha.rao@example.com", "9876500002", "X", "Y", "", "", ""],
]


def _xlsx_bytes(rows, merges=()):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    for merge in merges:
        ws.merge_cells(merge)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _xls_bytes(rows, merged_header=None):
    wb = xlwt.Workbook()
    ws = wb.add_sheet("Targets")
    offset = 0
    if merged_header:
        # (label, first_col, last_col) spanning the row above the header
        for label, first, last in merged_header:
            ws.write_merge(0, 0, first, last, label)
        offset = 1
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value not in (None, ""):
                ws.write(r + offset, c, value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _csv_bytes(rows, delimiter=",", encoding="utf-8"):
    buf = io.StringIO(newline="")
    writer = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(rows)
    return buf.getvalue().encode(encoding)


def _run(table, **kwargs):
    mapping = guess_mapping(table.header)
    processor = RowProcessor(mapping, table.header, **kwargs)
    results = [(n, *processor.process(n, values)) for n, values in table.iter_rows()]
    return mapping, processor, results


# ---------------------------------------------------------------------------
# header mapping
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("header, field", [
    ("E-mail", "email"), ("Email ID", "email"), ("mail", "email"),
    ("Phone", "phone"), ("Mobile No.", "phone"), ("Tel", "phone"),
    ("Contact Number", "phone"), ("First Name", "first_name"), ("Surname", "last_name"),
    ("Full Name", "full_name"), ("Name", "full_name"), ("Company Name", "company"),
    ("Organisation", "company"), ("Job Title", "job_title"), ("Designation", "job_title"),
    ("Address", "street"), ("City", "city"), ("State", "state"), ("Country", "country"),
    ("Zip Code", "zip"), ("PIN code", "zip"), ("Industry", "industry"),
    ("Platform", "platform"), ("Lead Source", "platform"), ("Website", "website"),
    ("SSN", "ssn"), ("Date of Birth", "date_of_birth"), ("DOB", "date_of_birth"),
    ("Annual Turnover (INR)", "revenue"), ("Revenue", "revenue"), ("Income", "income"),
    ("NPV", "npv"), ("No. of Employees", "employees"), ("Notes", None),
])
def test_match_field(header, field):
    assert match_field(header) == field


def test_normalize_header():
    assert normalize_header("  E-Mail ID: ") == "e mail id"
    assert normalize_header("Désignation") == "designation"
    assert normalize_header("Phone #") == "phone no"


def test_guess_mapping_prefers_exact_and_assigns_each_field_once():
    headers = ["Email Opt Out", "Email", "Phone", "Mobile", "Company Name", "Notes"]
    mapping = guess_mapping(headers)
    assert mapping[1] == "email"
    assert mapping[2] == "phone"
    assert 0 not in mapping and 3 not in mapping and 5 not in mapping
    assert mapping[4] == "company"
    assert missing_required(mapping) == []
    assert missing_required({0: "email"}) == ["phone"]


# ---------------------------------------------------------------------------
# validation
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("value, ok", [
    ("a.b@example.com", True), ("A.B+tag@Example.CO.IN", True), ("mailto:x@y.io", True),
    ("plain", False), ("a@b", False), ("a..b@example.com", False), ("a b@example.com", False),
    ("a@example.c", False), ("", False),
])
def test_check_email(value, ok):
    email, error = check_email(value)
    assert (email is not None) == ok
    if ok:
        assert email == email.lower()
    else:
        assert error.startswith("Email:")


def test_phone_boundaries_10_and_15_digits():
    assert check_phone("9876543210", "IN") == ("+919876543210", None)
    assert check_phone("98765 43210", "IN")[0] == "+919876543210"
    assert check_phone("+91-98765-43210", None)[0] == "+919876543210"
    assert check_phone("0091 9876543210", None)[0] == "+919876543210"
    assert check_phone("9876543210.0", "IN")[0] == "+919876543210"
    # 15 digits with the country code: the E.164 maximum
    e164, error = check_phone("+49 30 12345678901", None)
    assert error is None and e164 == "+493012345678901" and len(e164) == 16


@pytest.mark.parametrize("value", ["987654321", "+49 30 123456789012", "12345", "abc"])
def test_phone_out_of_range_fails_with_reason(value):
    e164, error = check_phone(value, "IN")
    assert e164 is None
    assert error.startswith("Phone:") and "expected 10 to 15" in error


def test_phone_uses_row_region():
    assert check_phone("2125550101", "US")[0] == "+12125550101"
    assert check_phone("2125550101", None)[1].startswith("Phone:")


def test_resolve_country():
    assert resolve_country("India") == "IN"
    assert resolve_country("in") == "IN"
    assert resolve_country("+44") == "GB"
    assert resolve_country("Atlantis") is None
    assert resolve_country("Deutschland", {"deutschland": "DE"}) == "DE"


def test_cell_text():
    assert cell_text(9876543210.0) == "9876543210"
    assert cell_text(12.5) == "12.5"
    assert cell_text(datetime.datetime(1990, 5, 17)) == "1990-05-17"
    assert cell_text("  x ") == "x"
    assert cell_text(None) == ""


# ---------------------------------------------------------------------------
# readers
# ---------------------------------------------------------------------------


def test_xlsx_with_empty_rows_and_numeric_phones():
    rows = [HEADER, [], ROWS[0][:3] + [9876543210] + ROWS[0][4:], [None] * 9, ROWS[1]]
    table = open_table(_xlsx_bytes(rows), "targets.xlsx")
    assert table.fmt == "xlsx"
    assert table.header == HEADER
    mapping, processor, results = _run(table)
    assert [r[0] for r in results] == [3, 5]  # sheet row numbers, blank rows skipped
    assert all(r[1] == STATUS_OK for r in results)
    first = results[0][2]
    assert first["email"] == "asha.rao@example.com"
    assert first["phone"] == "+919876543210"
    assert first["full_name"] == "Asha Rao"
    assert first["region"] == "Maharashtra" and first["region_cluster"] == "West"
    # Kolkata -> West Bengal -> East, from the city when the state is blank
    assert results[1][2]["region"] == "West Bengal"
    assert results[1][2]["region_cluster"] == "East"
    assert table.estimate_rows() >= 5


def test_xlsx_merged_header_cells_two_rows():
    rows = [
        ["Contact", None, "Name", None, "Company"],
        ["Email", "Phone", "First", "Last", None],
        ["x@example.com", "9876543210", "Ann", "Lee", "Acme"],
    ]
    table = open_table(_xlsx_bytes(rows, merges=["A1:B1", "C1:D1", "E1:E2"]), "m.xlsx")
    assert table.header == ["Email", "Phone", "Name First", "Name Last", "Company"]
    mapping = guess_mapping(table.header)
    assert mapping == {0: "email", 1: "phone", 2: "first_name", 3: "last_name", 4: "company"}
    (number, values), = list(table.iter_rows())
    assert number == 3 and values[0] == "x@example.com"


def test_xlsx_merged_header_label_spanning_columns_and_title_row():
    rows = [
        ["Target list March"],
        [],
        ["Email", "Phone", None, "Name"],
        ["x@example.com", "9876543210", "9876543211", "Ann Lee"],
    ]
    table = open_table(_xlsx_bytes(rows, merges=["B3:C3"]), "m.xlsx")
    assert table.header == ["Email", "Phone", "Phone (C)", "Name"]
    mapping = guess_mapping(table.header)
    assert mapping[0] == "email" and mapping[1] == "phone" and mapping[3] == "full_name"
    assert [n for n, _v in table.iter_rows()] == [4]


def test_xls_with_merged_group_header():
    rows = [["Email", "Phone", "Name", "Date of Birth"],
            ["a@example.com", 9876543210.0, "Ann Lee", "1990-01-02"],
            [], ["b@example.com", "98765 43211", "Bob Roy", ""]]
    data = _xls_bytes(rows, merged_header=[("Contact", 0, 1), ("Person", 2, 3)])
    table = open_table(data, "legacy.xls")
    assert table.fmt == "xls"
    assert table.header == ["Email", "Phone", "Name", "Date of Birth"]
    _mapping, processor, results = _run(table)
    assert [r[1] for r in results] == [STATUS_OK, STATUS_OK]
    assert results[0][2]["phone"] == "+919876543210"
    assert results[0][2]["sensitive"] == {"date_of_birth": "1990-01-02"}
    assert [r[0] for r in results] == [3, 5]


def test_csv_semicolon_latin1():
    rows = [["Nom", "E-mail", "Téléphone", "Société", "Pays"],
            ["Zoë", "zoe@exemple.fr", "+33 1 23 45 67 89", "Crème SA", "France"],
            ["José", "jose@exemple.fr", "01 23 45 67 88", "Café; Ltd", "France"]]
    data = _csv_bytes(rows, delimiter=";", encoding="latin-1")
    table = open_table(data, "cibles.csv")
    assert (table.fmt, table.delimiter, table.encoding) == ("csv", ";", "latin-1")
    assert table.header[2] == "Téléphone"
    mapping = guess_mapping(table.header)
    # accents are folded: "Téléphone" is a telephone
    assert mapping == {1: "email", 2: "phone"}
    # "Pays" is no English synonym: the user maps it
    mapping[4] = "country"
    processor = RowProcessor(mapping, table.header)
    results = [processor.process(n, v) for n, v in table.iter_rows()]
    assert [r[0] for r in results] == [STATUS_OK, STATUS_OK]
    assert results[1][1]["phone"] == "+33123456788"  # France from the row, not IN
    assert results[1][1]["extra"] == {"Nom": "José", "Société": "Café; Ltd"}


def test_csv_encodings_and_delimiters():
    assert detect_encoding("é".encode()) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbfa") == "utf-8-sig"
    assert detect_encoding("é".encode("latin-1")) == "latin-1"
    assert detect_encoding("€ é".encode("cp1252")) == "cp1252"
    assert sniff_delimiter("a\tb\tc\n1\t2\t3\n") == "\t"
    assert sniff_delimiter("a|b\n1|2\n") == "|"
    assert sniff_delimiter('a,b;c\n"1,5";2\n') in (",", ";")
    table = open_table(_csv_bytes([["Email", "Phone"], ["a@b.co", "9876543210"]],
                                  encoding="utf-8-sig"), "x.csv")
    assert table.header == ["Email", "Phone"] and table.encoding == "utf-8-sig"


def test_unreadable_files():
    with pytest.raises(ImportFileError):
        open_table(b"not a zip", "x.xlsx")
    with pytest.raises(ImportFileError):
        open_table(b"   ", "x.csv")


# ---------------------------------------------------------------------------
# pipeline
# ---------------------------------------------------------------------------


def test_pipeline_counts_reasons_and_duplicates():
    table = open_table(_xlsx_bytes([HEADER] + ROWS), "t.xlsx")
    _mapping, processor, results = _run(table)
    statuses = [r[1] for r in results]
    assert statuses == [STATUS_OK, STATUS_OK, STATUS_INVALID, STATUS_INVALID,
                        STATUS_DUPLICATE]
    assert processor.counts == {STATUS_OK: 2, STATUS_INVALID: 2, STATUS_DUPLICATE: 1}
    assert "Email: 'not-an-email'" in results[2][3]
    assert "Phone: '987654321' has 9 digits" in results[3][3]
    assert results[4][3] == "Duplicate: same email as row 2 of this file"


def test_duplicate_by_phone_in_other_format():
    processor = RowProcessor({0: "email", 1: "phone"})
    assert processor.process(2, ["a@x.com", "+91 98765 43210"])[0] == STATUS_OK
    status, _rec, reason = processor.process(3, ["b@x.com", "098765-43210"])
    assert status == STATUS_DUPLICATE and "same phone as row 2" in reason


def test_both_errors_reported_and_required_values():
    processor = RowProcessor({0: "email", 1: "phone"})
    status, record, reason = processor.process(2, ["", "1234567890123456"])
    assert status == STATUS_INVALID and record is None
    assert reason == ("Email: missing; Phone: '1234567890123456' has 16 digits, "
                      "expected 10 to 15 (read as a number of IN (+91))")


def test_only_invalid_rows_file_and_error_file_xlsx():
    rows = [["Email", "Phone", "Note"], ["bad", "123", "n1"], ["x@y.com", "", "n2"]]
    table = open_table(_xlsx_bytes(rows), "bad.xlsx")
    _mapping, processor, results = _run(table)
    assert processor.counts[STATUS_OK] == 0 and processor.counts[STATUS_INVALID] == 2
    writer = ErrorFileWriter(table.fmt, table.header)
    values = dict(open_table(_xlsx_bytes(rows), "bad.xlsx").iter_rows())
    for number, _status, _rec, reason in results:
        writer.add(values[number], reason)
    data = writer.render()
    back = list(openpyxl.load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))
    assert back[0] == ("Email", "Phone", "Note", "Error")
    assert back[1][:3] == ("bad", "123", "n1") and back[1][3].startswith("Email:")
    assert back[2][3] == "Phone: missing"
    assert error_file_name("bad.xlsx", table.fmt) == "bad_errors.xlsx"


def test_error_file_csv_keeps_delimiter_and_encoding():
    writer = ErrorFileWriter("csv", ["Nom", "E-mail"], delimiter=";", encoding="latin-1")
    writer.add(["Zoë", "bad"], "Email: 'bad' is not a valid email address")
    data = writer.render()
    text = data.decode("latin-1")
    assert text.splitlines()[0] == "Nom;E-mail;Error"
    assert text.splitlines()[1].startswith("Zoë;bad;")
    assert writer.count == 1 and writer.mimetype == "text/csv"


def test_error_file_xls_upload_becomes_xlsx():
    writer = ErrorFileWriter("xls", ["Email"])
    writer.add(["bad\x01"], "Email: bad")
    assert error_file_name("old.xls", "xls") == "old_errors.xlsx"
    wb = openpyxl.load_workbook(io.BytesIO(writer.render()))
    assert list(wb.active.iter_rows(values_only=True))[1] == ("bad", "Email: bad")


# ---------------------------------------------------------------------------
# enrichment
# ---------------------------------------------------------------------------


def test_region_resolver_default_and_configured():
    regions = RegionResolver()
    assert regions.resolve("West Bengal") == ("West Bengal", "East")
    assert regions.resolve("", "Andheri East, Mumbai") == ("Maharashtra", "West")
    assert regions.resolve(None, None, "12 MG Road, Bengaluru 560001") == ("Karnataka", "South")
    assert regions.resolve("Atlantis") == (None, None)
    custom = RegionResolver({"Metro": ["Mumbai", "Delhi"], "Rest": ["Nagpur"]}, city_states={})
    assert custom.resolve("Nagpur") == ("Nagpur", "Rest")
    assert custom.resolve("New Delhi") == ("Delhi", "Metro")


def test_company_segment():
    assert parse_amount("1,200") == 1200
    assert parse_amount("50-200") == 50
    assert parse_amount("12 Cr") == 120_000_000
    assert company_segment("5") == "micro"
    assert company_segment("120") == "medium"
    assert company_segment("5000+") == "enterprise"
    assert company_segment(None, "3.5M") == "micro"
    assert company_segment(None, "250 crore") == "large"
    assert company_segment(None, None) is None


def test_segment_and_sensitive_values_in_record():
    processor = RowProcessor({0: "email", 1: "phone", 2: "employees", 3: "ssn", 4: "revenue"})
    status, record, _reason = processor.process(
        2, ["a@x.com", "9876543210", "300", "123-45-6789", "5 Cr"])
    assert status == STATUS_OK
    assert record["segment"] == "large"
    assert record["sensitive"] == {"ssn": "123-45-6789", "revenue": "5 Cr"}
    assert "ssn" not in record


# ---------------------------------------------------------------------------
# the fast .xlsx engine reads what openpyxl reads
# ---------------------------------------------------------------------------


def test_fast_xlsx_engine_matches_openpyxl():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Email", "Phone", "Joined", "Amount", "Flag", "Formula", "Name"])
    ws.append(["a@x.com", 9876543210, datetime.datetime(2024, 5, 17), 12.5, True, None,
               "Zoë & <Co>"])
    ws["F2"] = "=1+1"
    ws.append([])
    ws["A5"] = "b@x.com"
    ws["G5"] = "sparse"
    ws["B5"] = "+91 98765 43210"
    data = io.BytesIO()
    wb.save(data)
    data = data.getvalue()
    fast = open_table(data, "f.xlsx")
    slow = open_table(data, "f.xlsx", xlsx_engine="openpyxl")
    assert fast.engine == "fast" and slow.engine == "openpyxl"
    assert fast.header == slow.header
    fast_rows, slow_rows = list(fast.iter_rows()), list(slow.iter_rows())
    assert [n for n, _v in fast_rows] == [n for n, _v in slow_rows] == [2, 5]
    for (_n, f_values), (_m, s_values) in zip(fast_rows, slow_rows):
        assert [cell_text(v) for v in f_values] == [cell_text(v) for v in s_values]
    assert fast_rows[0][1][2] == datetime.datetime(2024, 5, 17)
    assert fast_rows[0][1][6] == "Zoë & <Co>"
    assert fast.estimate_rows() == slow.estimate_rows() == 5


def test_fast_xlsx_engine_inline_strings_and_unsized_sheet():
    wb = openpyxl.Workbook(write_only=True)  # inline strings, no <dimension>
    ws = wb.create_sheet()
    ws.append(["Email", "Phone"])
    for i in range(30):
        ws.append([f"p{i}@x.com", f"98765{i:05d}"])
    data = io.BytesIO()
    wb.save(data)
    table = open_table(data.getvalue(), "w.xlsx")
    assert table.engine == "fast"
    rows = list(table.iter_rows())
    assert len(rows) == 30 and rows[0][1] == ["p0@x.com", "9876500000"]
    assert table.estimate_rows() == 31


def test_fast_xlsx_regex_scan_matches_lxml_across_chunks():
    """The regex scan of the sheet and the lxml parse agree, chunk boundaries included."""
    import xlsxwriter  # noqa: PLC0415 - ships with Odoo's requirements

    from crm_campaign_mgmt.lib.xlsx_fast import _CHUNK, FastXlsxReader  # noqa: PLC0415

    data = io.BytesIO()
    workbook = xlsxwriter.Workbook(data, {"in_memory": True})
    sheet = workbook.add_worksheet()
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    sheet.write_row(0, 0, ["Email", "Phone", "Joined", "Amount", "Formula", "Name"])
    rows = 12_000
    for i in range(rows):
        sheet.write_string(i + 1, 0, f"person{i}@example.com")
        sheet.write_number(i + 1, 1, 9800000000 + i)
        sheet.write_datetime(i + 1, 2, datetime.datetime(2024, 1, 1) + datetime.timedelta(days=i % 365),
                             date_format)
        if i % 7:
            sheet.write_number(i + 1, 3, i / 4)
        sheet.write_formula(i + 1, 4, f"=B{i + 2}*2", None, (9800000000 + i) * 2)
        sheet.write_string(i + 1, 5, f"Zoë & <Co> {i}" if i % 3 else "")
    workbook.close()
    reader = FastXlsxReader(io.BytesIO(data.getvalue()))
    with reader.archive.open(reader.sheet_path) as stream:
        assert len(stream.read()) > 2 * _CHUNK  # several chunks
    scanned = list(reader._iter_rows_regex())
    parsed = list(reader._iter_rows_lxml())
    assert len(scanned) == rows + 1
    assert scanned == parsed
    assert scanned[5][1][2] == datetime.datetime(2024, 1, 5)
    assert scanned[2][1][5] == "Zoë & <Co> 1"


def test_phone_reason_names_the_country_it_was_read_in():
    _phone, reason = check_phone("12345", "IN", {"IN": "India"})
    assert reason == "Phone: '12345' has 5 digits, expected 10 to 15 (read as a number of India (+91))"
    _phone, reason = check_phone("55512345678", "US", {"US": "United States"})
    assert "United States (+1)" in reason


def test_row_without_country_takes_the_country_of_its_international_number():
    processor = RowProcessor({0: "email", 1: "phone"}, ["Email", "Phone"], default_region="IN")
    _status, record, _reason = processor.process(2, ["a@example.com", "+44 20 7946 0958"])
    assert record["country_code"] == "GB"
    _status, record, _reason = processor.process(3, ["b@example.com", "98765 43210"])
    assert record["country_code"] == "IN" and record["phone"] == "+919876543210"


def test_csv_rows_in_file_counts_data_rows_like_excel():
    data = b'Email,Phone\na@example.com,9876543210\n\n"b@example.com","98765\n43211"\nc@example.com,9876543212\n'
    table = open_table(data, "list.csv")
    assert table.estimate_rows() - len(table.header_row_numbers) == 3


def test_checked_rows_reads_ahead_in_order_and_raises_the_readers_error():
    from crm_campaign_mgmt.lib.prefetch import checked_rows

    rows = [["Email", "Phone"]] + [[f"p{i}@example.com", f"98765{i:05d}"] for i in range(2500)]
    data = "\n".join(",".join(r) for r in rows).encode()
    table = open_table(data, "list.csv")
    processor = RowProcessor({0: "email", 1: "phone"}, table.header, default_region="IN")
    got = list(checked_rows(table, processor, chunk=100))
    assert [row[0] for row in got] == list(range(2, 2502))
    assert {row[2] for row in got} == {STATUS_OK}
    assert got[0][3]["phone"] == "+919876500000"

    class Broken:
        def iter_rows(self):
            yield 2, ["a@example.com", "9876500000"]
            raise ValueError("row 3 cannot be read")

    with pytest.raises(ValueError, match="row 3"):
        list(checked_rows(Broken(), processor, chunk=1))
    # a consumer that stops early stops the reader
    generator = checked_rows(open_table(data, "list.csv"), RowProcessor(
        {0: "email", 1: "phone"}, table.header, default_region="IN"), chunk=10, ahead=1)
    next(generator)
    generator.close()
