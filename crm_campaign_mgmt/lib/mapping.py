"""Header normalisation and the guess of which column holds which target field.

No Odoo here. Field keys are the ones the import pipeline knows
(:data:`FIELDS`); the Odoo side maps them onto ``crm.campaign.target`` fields.
"""

import re
import unicodedata

# (key, label, synonyms), in priority order for ties
FIELDS = [
    ("email", "Email", ["email", "e mail", "mail", "email id", "e mail id", "mail id",
                        "email address", "e mail address", "mail address"]),
    ("phone", "Phone", ["phone", "mobile", "tel", "telephone", "contact number", "contact no",
                        "phone number", "phone no", "mobile number", "mobile no", "cell",
                        "cell phone", "cellphone", "whatsapp", "whatsapp number", "ph no",
                        "tel no", "mob", "mob no", "landline"]),
    ("first_name", "First Name", ["first name", "firstname", "given name", "fname",
                                  "forename"]),
    ("last_name", "Last Name", ["last name", "lastname", "surname", "family name", "lname"]),
    ("full_name", "Full Name", ["full name", "name", "contact name", "contact person",
                                "person name", "client name", "customer name",
                                "delegate name", "lead name"]),
    ("company", "Company", ["company", "organisation", "organization", "company name",
                            "organisation name", "organization name", "firm", "account name",
                            "employer", "business name", "business"]),
    ("job_title", "Job Title", ["job title", "designation", "title", "position", "role",
                                "job", "job role", "job position"]),
    ("street", "Address", ["address", "street", "address line 1", "address 1",
                           "street address", "addr", "address1", "location"]),
    ("street2", "Address Line 2", ["address line 2", "address 2", "address2", "street 2"]),
    ("city", "City", ["city", "town", "city town"]),
    ("state", "State", ["state", "province", "region", "state province", "county"]),
    ("country", "Country", ["country", "nation", "country name", "country code"]),
    ("zip", "Zip", ["zip", "zip code", "zipcode", "postal code", "postcode", "pin",
                    "pincode", "pin code", "post code"]),
    ("industry", "Industry", ["industry", "sector", "vertical", "industry type"]),
    ("platform", "Platform Source", ["platform", "source", "lead source", "platform source",
                                     "channel", "portal", "source platform"]),
    ("website", "Website", ["website", "web", "url", "site", "web site", "homepage",
                            "company website"]),
    ("employees", "Company Size", ["company size", "employees", "no of employees",
                                   "number of employees", "headcount", "head count",
                                   "employee count", "staff", "size"]),
    # sensitive columns (stored encrypted)
    ("ssn", "SSN", ["ssn", "social security number", "social security no",
                    "social security", "national id", "aadhaar", "aadhar", "pan",
                    "pan number", "tax id"]),
    ("date_of_birth", "Date of Birth", ["date of birth", "dob", "birth date", "birthdate",
                                        "birthday", "d o b"]),
    ("revenue", "Turnover / Revenue", ["turnover", "revenue", "annual revenue",
                                       "annual turnover", "sales turnover", "sales volume"]),
    ("income", "Income", ["income", "annual income", "salary", "annual salary"]),
    ("npv", "NPV / Net Worth", ["npv", "net present value", "net worth", "networth"]),
]

FIELD_LABELS = {key: label for key, label, _syn in FIELDS}
SENSITIVE_FIELDS = ("ssn", "date_of_birth", "revenue", "income", "npv")
REQUIRED_FIELDS = ("email", "phone")
_PRIORITY = {key: index for index, (key, _label, _syn) in enumerate(FIELDS)}

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize_header(text):
    """Lowercase ASCII words: ``'  E-Mail ID:'`` -> ``'e mail id'``."""
    text = unicodedata.normalize("NFKD", str(text or ""))
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    # "No." / "#" for number
    text = text.replace("#", " no ")
    return _NON_ALNUM.sub(" ", text).strip()


_SYNONYMS = [
    (key, syn, frozenset(syn.split()))
    for key, _label, synonyms in FIELDS
    for syn in synonyms
]
_EXACT = {}
for _key, _syn, _tokens in _SYNONYMS:
    _EXACT.setdefault(_syn, _key)


def score_field(header):
    """``{field: score}`` for a header label; exact synonyms beat partial ones."""
    norm = normalize_header(header)
    if not norm:
        return {}
    scores = {}
    exact = _EXACT.get(norm)
    if exact:
        scores[exact] = 1000
    tokens = set(norm.split())
    for key, _syn, syn_tokens in _SYNONYMS:
        if syn_tokens <= tokens:
            # more matched words is better; extra unmatched words make it worse
            score = 10 * len(syn_tokens) - (len(tokens) - len(syn_tokens))
            if score > scores.get(key, 0):
                scores[key] = score
    return scores


def match_field(header):
    """The best field key for one header label, or None."""
    scores = score_field(header)
    if not scores:
        return None
    return max(scores, key=lambda k: (scores[k], -_PRIORITY[k]))


def guess_mapping(headers):
    """Guess ``{column_index: field_key}``; each field goes to one column at most.

    Candidates are assigned best score first, so ``Email`` wins over
    ``Email Opt Out`` for the email field.
    """
    candidates = []
    for index, header in enumerate(headers):
        for key, score in score_field(header).items():
            candidates.append((score, -_PRIORITY[key], -index, index, key))
    candidates.sort(reverse=True)
    mapping, taken = {}, set()
    for _score, _prio, _neg, index, key in candidates:
        if index in mapping or key in taken:
            continue
        mapping[index] = key
        taken.add(key)
    return dict(sorted(mapping.items()))


# words of a column label that make an unmapped column sensitive (sealed, never in clear)
_SENSITIVE_WORDS = frozenset((
    "ssn", "aadhaar", "aadhar", "uidai", "pan", "passport", "iban", "swift", "bic", "ifsc",
    "acct", "salary", "salaries", "income", "turnover", "revenue", "npv", "networth", "dob",
    "birthdate", "birthday", "birth", "ctc", "pension", "cvv", "tin", "itin", "nino", "sin",
))
_SENSITIVE_PAIRS = (
    frozenset(("social", "security")), frozenset(("national", "id")),
    frozenset(("tax", "id")), frozenset(("tax", "number")), frozenset(("tax", "no")),
    frozenset(("account", "no")), frozenset(("account", "number")),
    frozenset(("account", "num")), frozenset(("bank", "account")),
    frozenset(("sort", "code")), frozenset(("routing", "number")),
    frozenset(("card", "number")), frozenset(("card", "no")), frozenset(("credit", "card")),
    frozenset(("debit", "card")), frozenset(("net", "worth")), frozenset(("voter", "id")),
    frozenset(("driving", "licence")), frozenset(("driving", "license")),
)


def is_sensitive_header(header):
    """True for a column label that looks like personal or financial data: SSN, DOB,
    PAN, Aadhaar, passport, bank account / IBAN, salary / income / turnover..."""
    scores = score_field(header)
    if any(key in SENSITIVE_FIELDS for key in scores):
        return True
    tokens = set(normalize_header(header).split())
    if tokens & _SENSITIVE_WORDS:
        return True
    return any(pair <= tokens for pair in _SENSITIVE_PAIRS)


def missing_required(mapping):
    """Required field keys that no column maps to."""
    mapped = set(mapping.values())
    return [key for key in REQUIRED_FIELDS if key not in mapped]
