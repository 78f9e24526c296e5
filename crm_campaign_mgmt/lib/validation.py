"""Row validation of the target import: email syntax, phone to E.164.

No Odoo here. Reasons are plain English strings naming the field; the Odoo
side shows them as they are in the error file.
"""

import re

import phonenumbers

PHONE_MIN_DIGITS = 10
PHONE_MAX_DIGITS = 15

# local part: RFC 5322 atoms separated by single dots; domain: labels + TLD
_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)
_NON_DIGIT = re.compile(r"\D")
_MAILTO = re.compile(r"^mailto:", re.IGNORECASE)

# common country names and spellings; the Odoo side adds every res.country
COUNTRY_CODES = {
    "india": "IN", "bharat": "IN", "united states": "US", "usa": "US", "us": "US",
    "united states of america": "US", "america": "US", "united kingdom": "GB", "uk": "GB",
    "great britain": "GB", "england": "GB", "uae": "AE", "united arab emirates": "AE",
    "germany": "DE", "deutschland": "DE", "france": "FR", "singapore": "SG",
    "australia": "AU", "canada": "CA", "china": "CN", "japan": "JP", "nepal": "NP",
    "bangladesh": "BD", "sri lanka": "LK", "pakistan": "PK", "saudi arabia": "SA",
    "qatar": "QA", "kuwait": "KW", "oman": "OM", "bahrain": "BH", "malaysia": "MY",
    "indonesia": "ID", "thailand": "TH", "vietnam": "VN", "philippines": "PH",
    "south africa": "ZA", "nigeria": "NG", "kenya": "KE", "egypt": "EG",
    "netherlands": "NL", "belgium": "BE", "switzerland": "CH", "italy": "IT", "spain": "ES",
    "brazil": "BR", "mexico": "MX", "russia": "RU", "south korea": "KR", "korea": "KR",
}


def normalize_email(value):
    """Lowercase, trimmed, ``mailto:`` and angle brackets removed."""
    value = _MAILTO.sub("", (value or "").strip()).strip("<>").strip()
    return value.lower()


def check_email(value):
    """``(normalised_email, None)`` or ``(None, reason)``."""
    raw = (value or "").strip()
    if not raw:
        return None, "Email: missing"
    email = normalize_email(raw)
    if len(email) > 254 or not _EMAIL_RE.match(email):
        return None, f"Email: '{raw}' is not a valid email address"
    return email, None


def resolve_country(value, codes=None):
    """ISO code of a country name or code (``'India'``, ``'in'``, ``'+91'``) or None."""
    text = (value or "").strip()
    if not text:
        return None
    lower = text.lower()
    if codes and lower in codes:
        return codes[lower]
    if lower in COUNTRY_CODES:
        return COUNTRY_CODES[lower]
    if len(text) == 2 and text.isalpha():
        return text.upper()
    digits = text.lstrip("+").strip()
    if digits.isdigit():
        region = phonenumbers.region_code_for_country_code(int(digits))
        if region and region != "ZZ":
            return region
    return None


def country_label(region, names=None):
    """``India (+91)`` for ``IN``: how a reason names the country a number was read in."""
    if not region:
        return "no country"
    code = phonenumbers.country_code_for_region(region)
    name = (names or {}).get(region) or region
    return f"{name} (+{code})" if code else name


def region_of_number(e164):
    """ISO code of the country of an E.164 number (``None`` if not one country's)."""
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return None
    return region if region and region != "ZZ" else None


def check_phone(value, region=None, names=None):
    """``(e164, None)`` or ``(None, reason)``.

    The number must hold 10 to 15 digits (the national number with or without
    its country code); it is then read with ``phonenumbers`` in ``region``
    (the row's country, else the default region) and must be a possible number
    there. A number written with ``+`` or ``00`` carries its own country. A
    reason names the country the number was read in (``names``: ``{ISO code:
    country name}``).
    """
    raw = (value or "").strip()
    if not raw:
        return None, "Phone: missing"
    text = raw
    # Excel numbers read as text "9876543210.0"
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    digits = _NON_DIGIT.sub("", text)
    international = text.startswith("+")
    if not international and digits.startswith("00") and text.lstrip().startswith("00"):
        digits = digits[2:]
        text = "+" + digits
        international = True
    count = len(digits)
    read_in = "its own country code" if international else country_label(region, names)
    if count < PHONE_MIN_DIGITS or count > PHONE_MAX_DIGITS:
        return None, (
            f"Phone: '{raw}' has {count} digits, expected {PHONE_MIN_DIGITS} to "
            f"{PHONE_MAX_DIGITS} (read as a number of {read_in})"
        )
    try:
        number = phonenumbers.parse(text if international else digits,
                                    None if international else (region or None))
    except phonenumbers.NumberParseException:
        if not international and not region:
            return None, f"Phone: '{raw}' has no country code and no country to read it in"
        return None, f"Phone: '{raw}' is not a valid phone number of {read_in}"
    if not phonenumbers.is_possible_number(number):
        where = phonenumbers.region_code_for_number(number) or region
        return None, (f"Phone: '{raw}' is not a possible phone number of "
                      f"{country_label(where, names)}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), None
