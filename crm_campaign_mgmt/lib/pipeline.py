"""Row processing of the target import: validate, normalise, enrich, dedupe.

No Odoo here. :class:`RowProcessor` turns the raw values of one data row into
a target dict (or a reason it is rejected); duplicates inside the file are
found by normalised email and E.164 phone. Duplicates against the database are
the caller's business (it knows the database), see :func:`dedupe_keys`.
"""

from .enrichment import RegionResolver, company_segment
from .mapping import FIELD_LABELS, SENSITIVE_FIELDS, is_sensitive_header
from .readers import cell_text
from .validation import check_email, check_phone, region_of_number, resolve_country

STATUS_OK = "ok"
STATUS_INVALID = "invalid"
STATUS_DUPLICATE = "duplicate"
# key of the sealed dict holding the sensitive-looking unmapped columns {label: value}
SENSITIVE_OTHER = "other"

TEXT_FIELDS = ("first_name", "last_name", "full_name", "company", "job_title", "street",
               "street2", "city", "state", "zip", "industry", "platform", "website",
               "employees")


def dedupe_keys(record):
    """The keys a target is a duplicate by: its email and its phone."""
    return record.get("email"), record.get("phone")


class RowProcessor:
    """Validate and normalise rows with a fixed column mapping.

    :param mapping: ``{column_index: field_key}``
    :param headers: column labels (unmapped columns are kept under their label)
    :param default_region: ISO code used when a row names no country
    :param country_codes: ``{lowercase name or code: ISO code}`` (e.g. from res.country)
    :param region_resolver: a :class:`RegionResolver` (default: Indian clusters)
    :param country_names: ``{ISO code: name}`` used in the reasons of phone errors
    :param keep_unmapped: keep the values of unmapped columns in ``record['extra']``

    Columns mapped to a sensitive field, and unmapped columns whose label looks
    sensitive (:func:`~.mapping.is_sensitive_header`: SSN, DOB, PAN, passport,
    IBAN, salary...) go to ``record['sensitive']`` (sealed by the caller), the
    latter under ``sensitive['other']``, whatever ``keep_unmapped`` says: never
    to ``record['extra']``, which is copied in clear to the lead.
    :attr:`sensitive_columns` lists their indexes (masked in the error file).
    """

    def __init__(self, mapping, headers=(), default_region="IN", country_codes=None,
                 region_resolver=None, keep_unmapped=True, segment_rules=None,
                 country_names=None):
        self.mapping = sorted(mapping.items())
        self.default_region = (default_region or "").upper() or None
        self.country_codes = country_codes or {}
        self.country_names = country_names or {}
        self.regions = region_resolver or RegionResolver()
        self.segment_rules = segment_rules or {}
        mapped = {index for index, _key in self.mapping}
        unmapped = [(i, label) for i, label in enumerate(headers) if i not in mapped]
        self.sensitive_other_columns = [(i, lab) for i, lab in unmapped if is_sensitive_header(lab)]
        sealed = {i for i, _label in self.sensitive_other_columns}
        self.extra_columns = (
            [(i, label) for i, label in unmapped if i not in sealed] if keep_unmapped else []
        )
        self.sensitive_columns = frozenset(
            sealed | {index for index, key in self.mapping if key in SENSITIVE_FIELDS})
        self.seen_emails = {}
        self.seen_phones = {}
        self.counts = {STATUS_OK: 0, STATUS_INVALID: 0, STATUS_DUPLICATE: 0}

    def process(self, row_number, values):
        """``(status, record_or_None, reason_or_None)`` for one data row."""
        data = {}
        for index, key in self.mapping:
            text = cell_text(values[index]) if index < len(values) else ""
            if text:
                data[key] = text
        errors = []
        email, error = check_email(data.get("email"))
        if error:
            errors.append(error)
        country_code = resolve_country(data.get("country"), self.country_codes)
        phone, error = check_phone(data.get("phone"), country_code or self.default_region,
                                   self.country_names)
        if error:
            errors.append(error)
        if errors:
            self.counts[STATUS_INVALID] += 1
            return STATUS_INVALID, None, "; ".join(errors)

        duplicate_of = self.seen_emails.get(email)
        by = FIELD_LABELS["email"]
        if duplicate_of is None:
            duplicate_of = self.seen_phones.get(phone)
            by = FIELD_LABELS["phone"]
        if duplicate_of is not None:
            self.counts[STATUS_DUPLICATE] += 1
            return STATUS_DUPLICATE, None, (
                f"Duplicate: same {by.lower()} as row {duplicate_of} of this file")
        self.seen_emails[email] = row_number
        self.seen_phones[phone] = row_number

        record = {key: data[key] for key in TEXT_FIELDS if key in data}
        record["row_number"] = row_number
        record["email"] = email
        record["phone"] = phone
        # no country column value: the country of an international number, else the default
        record["country_code"] = country_code or (
            region_of_number(phone) if data.get("phone", "").lstrip().startswith(("+", "00"))
            else None) or self.default_region
        first, last, full = (record.get("first_name"), record.get("last_name"),
                             record.get("full_name"))
        if full and not (first or last):
            first, _sep, last = full.partition(" ")
            record["first_name"] = first
            if last.strip():
                record["last_name"] = last.strip()
        elif not full and (first or last):
            record["full_name"] = " ".join(p for p in (first, last) if p)
        region, cluster = self.regions.resolve(
            data.get("state"), data.get("city"), data.get("street"), data.get("street2"))
        record["region"] = region
        record["region_cluster"] = cluster
        record["segment"] = company_segment(
            data.get("employees"), data.get("revenue"), **self.segment_rules)
        sensitive = {key: data[key] for key in SENSITIVE_FIELDS if key in data}
        if self.sensitive_other_columns:
            other = {}
            for index, label in self.sensitive_other_columns:
                text = cell_text(values[index]) if index < len(values) else ""
                if text:
                    other[label] = text
            if other:
                sensitive[SENSITIVE_OTHER] = other
        if sensitive:
            record["sensitive"] = sensitive
        if self.extra_columns:
            extra = {}
            for index, label in self.extra_columns:
                text = cell_text(values[index]) if index < len(values) else ""
                if text:
                    extra[label] = text
            if extra:
                record["extra"] = extra
        self.counts[STATUS_OK] += 1
        return STATUS_OK, record, None
