"""Odoo-free tests: sensitive columns of an import never in clear (security issue 7, item 4).

The error file masks them, and unmapped columns that look sensitive are handed
to the caller for sealing instead of the clear ``extra`` (copied to the lead).
"""

import io

import openpyxl
import pytest

from crm_campaign_mgmt.lib.error_file import MASK, ErrorFileWriter
from crm_campaign_mgmt.lib.mapping import guess_mapping, is_sensitive_header
from crm_campaign_mgmt.lib.pipeline import SENSITIVE_OTHER, STATUS_INVALID, STATUS_OK, RowProcessor

HEADER = ["Email", "Phone", "Name", "SSN", "PAN", "Passport No", "IBAN", "Bank Account Number",
          "Notes", "Account Name"]
ROW = ["a@example.com", "9876543210", "Ann Lee", "123-45-6789", "ABCDE1234F", "P1234567",
       "DE89370400440532013000", "0012345678", "met at expo", "Acme"]


@pytest.mark.parametrize("header", [
    "SSN", "Social Security No.", "DOB", "Date of Birth", "PAN", "PAN Number", "Aadhaar No",
    "Passport No", "IBAN", "Bank Account Number", "Account No.", "Salary", "Annual Turnover",
    "Net Worth", "Credit Card Number", "National ID", "Tax ID", "IFSC Code",
])
def test_sensitive_headers(header):
    assert is_sensitive_header(header)


@pytest.mark.parametrize("header", [
    "Email", "Phone", "Name", "Notes", "Company", "Account Name", "City", "Designation",
    "Website", "Industry", "No. of Employees",
])
def test_ordinary_headers(header):
    assert not is_sensitive_header(header)


def test_sensitive_unmapped_columns_are_sealed_not_extra():
    mapping = guess_mapping(HEADER)
    processor = RowProcessor(mapping, HEADER, default_region="IN")
    status, record, _reason = processor.process(2, ROW)
    assert status == STATUS_OK
    assert record["extra"] == {"Notes": "met at expo"}
    assert record["sensitive"]["ssn"] == "123-45-6789"
    assert record["sensitive"][SENSITIVE_OTHER] == {
        "PAN": "ABCDE1234F", "Passport No": "P1234567", "IBAN": "DE89370400440532013000",
        "Bank Account Number": "0012345678"}
    assert processor.sensitive_columns == {3, 4, 5, 6, 7}


def test_sensitive_columns_sealed_even_when_other_columns_are_dropped():
    processor = RowProcessor(guess_mapping(HEADER), HEADER, keep_unmapped=False)
    _status, record, _reason = processor.process(2, ROW)
    assert "extra" not in record
    assert record["sensitive"][SENSITIVE_OTHER]["Passport No"] == "P1234567"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_error_file_masks_sensitive_columns(fmt):
    processor = RowProcessor(guess_mapping(HEADER), HEADER)
    bad = ["not-an-email"] + ROW[1:]
    status, _record, reason = processor.process(2, bad)
    assert status == STATUS_INVALID
    writer = ErrorFileWriter(fmt, HEADER, masked_columns=processor.sensitive_columns)
    writer.add(bad, reason)
    writer.add(["=HYPERLINK(\"http://x\")", "1"], "formula")
    data = writer.render()
    if fmt == "csv":
        text = data.decode()
    else:
        ws = openpyxl.load_workbook(io.BytesIO(data)).active
        rows = list(ws.iter_rows(values_only=True))
        text = " ".join(str(v) for row in rows for v in row)
        assert rows[1][3] == MASK
        assert ws["A3"].data_type == "s"  # a formula of the upload stays text
    for clear in ("123-45-6789", "ABCDE1234F", "P1234567", "DE89370400440532013000",
                  "0012345678"):
        assert clear not in text
    assert "not-an-email" in text and "met at expo" in text and "Acme" in text


def test_discarded_error_file_closes_quietly():
    writer = ErrorFileWriter("xlsx", HEADER)
    writer.add(ROW, "x")
    writer.discard()
    writer.discard()
