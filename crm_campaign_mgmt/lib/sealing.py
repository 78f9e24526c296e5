"""Encryption at rest of the sensitive columns of an import (SSN, birth date, financials).

No Odoo here. One token per target holds the sensitive values as JSON, sealed
with AES-256-GCM (authenticated: a tampered token does not open). Each 256-bit
key is derived with HKDF-SHA256 from a secret, a url-safe base64 string of at
least 32 random bytes, and has a key id.

Tokens are ``g2:<key id>:<base64(nonce + ciphertext)>``: the key id says which
key of the :class:`Keyring` opens it, so keys can be rotated (new key first,
old ones kept to open old tokens until :meth:`Keyring.reseal` has re-sealed
them). Each token is bound to its record: the AES-GCM associated data is the
model, record id and field (:func:`associated_data`), so a token copied onto
another record, or another field, does not open. Tokens of the first version
(``g1:``, no key id, no associated data) still open with the legacy key.

A token that does not open raises :class:`UnsealError` with the reason: never
an empty dict that a later edit would write back over the lost values.
AES-GCM costs a few microseconds a row, which matters when 100,000 rows are
imported at once.
"""

import base64
import binascii
import json
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

TOKEN_PREFIX = "g2:"
LEGACY_PREFIX = "g1:"
LEGACY_KEY_ID = "legacy"
NONCE_SIZE = 12
_HKDF_INFO = b"crm_campaign_mgmt sensitive data v1"
_KEY_ID_RE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")


class UnsealError(ValueError):
    """The token is not one of ours, was tampered with, belongs to another record,
    or its key is unknown or wrong."""


class KeyConfigError(ValueError):
    """The key configuration cannot be read."""


def generate_secret():
    """A new secret (url-safe base64 of 32 random bytes)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


def associated_data(model, res_id, field):
    """What a token is bound to: the record and field it is stored on."""
    return f"{model}\x1f{int(res_id)}\x1f{field}".encode()


def parse_keys(spec):
    """``[(key id, secret)]`` from ``"id1:secret1,id2:secret2"`` (the first is current).

    :raise KeyConfigError: on a malformed entry, a bad key id or a duplicate id
    """
    keys, seen = [], set()
    for entry in (spec or "").replace("\n", ",").split(","):
        entry = entry.strip()
        if not entry:
            continue
        key_id, sep, secret = entry.partition(":")
        key_id, secret = key_id.strip(), secret.strip()
        if not sep or not secret:
            raise KeyConfigError(f"Key entry {key_id or entry[:8]!r} is not 'keyid:base64key'.")
        if not _KEY_ID_RE.match(key_id) or key_id == LEGACY_KEY_ID:
            raise KeyConfigError(
                f"Key id {key_id!r} must be 1 to 40 letters, digits, '_', '-' or '.' "
                f"(and not {LEGACY_KEY_ID!r}).")
        if key_id in seen:
            raise KeyConfigError(f"Key id {key_id!r} is given twice.")
        seen.add(key_id)
        keys.append((key_id, secret))
    return keys


def _derive(secret):
    raw = secret.encode() if isinstance(secret, str) else secret
    try:
        material = base64.urlsafe_b64decode(raw)
    except (binascii.Error, ValueError) as error:
        raise KeyConfigError("The sensitive-data key is not url-safe base64.") from error
    if len(material) < 32:
        raise KeyConfigError("The sensitive-data key must hold at least 32 bytes.")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(material)


class Sealer:
    """One key: seals and opens tokens of its key id.

    :param secret: url-safe base64 of at least 32 bytes
    :param key_id: written in every token this sealer makes
    """

    def __init__(self, secret, key_id="k1"):
        if not _KEY_ID_RE.match(key_id):
            raise KeyConfigError(f"Invalid key id {key_id!r}.")
        self.key_id = key_id
        self._aead = AESGCM(_derive(secret))

    def seal(self, values, aad=None):
        """Token for a dict of values bound to ``aad``; None when no value is set."""
        values = {k: v for k, v in (values or {}).items() if v}
        if not values:
            return None
        nonce = os.urandom(NONCE_SIZE)
        payload = json.dumps(values, separators=(",", ":"), default=str).encode()
        sealed = self._aead.encrypt(nonce, payload, aad)
        return f"{TOKEN_PREFIX}{self.key_id}:{base64.b64encode(nonce + sealed).decode()}"

    def open_blob(self, blob, aad=None):
        try:
            clear = self._aead.decrypt(blob[:NONCE_SIZE], blob[NONCE_SIZE:], aad)
            values = json.loads(clear)
        except (InvalidTag, ValueError) as error:
            raise UnsealError(
                f"the token does not open with key {self.key_id!r}: wrong key, tampered "
                "token, or a token copied from another record") from error
        if not isinstance(values, dict):
            raise UnsealError("the token does not hold a dict")
        return values

    def unseal(self, token, aad=None):
        """The dict sealed in ``token`` ({} for an empty token)."""
        return Keyring([self]).unseal(token, aad)


class Keyring:
    """The keys of an installation: the first seals, all open.

    :param sealers: :class:`Sealer` objects, the current one first
    :param legacy: a :class:`Sealer` for ``g1:`` tokens (no key id, no associated data)
    """

    def __init__(self, sealers, legacy=None):
        sealers = list(sealers)
        if not sealers:
            raise KeyConfigError("No sensitive-data key is configured.")
        self.current = sealers[0]
        self._by_id = {}
        for sealer in sealers:
            self._by_id.setdefault(sealer.key_id, sealer)
        self.legacy = legacy

    @classmethod
    def from_spec(cls, spec, legacy_secret=None, extra=()):
        """A keyring from ``"id:secret,..."`` (see :func:`parse_keys`), plus ``extra``
        ``(id, secret)`` pairs that only open tokens."""
        pairs = parse_keys(spec) + [pair for pair in extra if pair[1]]
        legacy = Sealer(legacy_secret, LEGACY_KEY_ID) if legacy_secret else None
        return cls([Sealer(secret, key_id) for key_id, secret in pairs], legacy)

    @property
    def current_id(self):
        return self.current.key_id

    @property
    def key_ids(self):
        return list(self._by_id)

    def seal(self, values, aad):
        return self.current.seal(values, aad)

    @staticmethod
    def key_id_of(token):
        """Key id of a token (``legacy`` for a first-version token, None if not a token)."""
        if not token:
            return None
        if token.startswith(LEGACY_PREFIX):
            return LEGACY_KEY_ID
        if token.startswith(TOKEN_PREFIX):
            return token[len(TOKEN_PREFIX):].partition(":")[0]
        return None

    def unseal(self, token, aad=None):
        """The dict sealed in ``token`` ({} for an empty token).

        :raise UnsealError: the token is malformed, its key is unknown, or it does
            not open (wrong key, tampered, bound to another record)
        """
        if not token:
            return {}
        if token.startswith(LEGACY_PREFIX):
            if self.legacy is None:
                raise UnsealError("a first-version token needs the legacy key, which is not set")
            sealer, body, aad = self.legacy, token[len(LEGACY_PREFIX):], None
        elif token.startswith(TOKEN_PREFIX):
            key_id, sep, body = token[len(TOKEN_PREFIX):].partition(":")
            sealer = self._by_id.get(key_id)
            if not sep:
                raise UnsealError("malformed token")
            if sealer is None:
                raise UnsealError(f"the token was sealed with key {key_id!r}, which is not "
                                  "configured")
        else:
            raise UnsealError("unknown token format")
        try:
            blob = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError) as error:
            raise UnsealError("malformed token") from error
        return sealer.open_blob(blob, aad)

    def needs_reseal(self, token):
        """True for a token not sealed with the current key."""
        return bool(token) and not token.startswith(f"{TOKEN_PREFIX}{self.current_id}:")

    def reseal(self, token, aad):
        """``token`` opened with its key and sealed again with the current key, bound to ``aad``."""
        return self.seal(self.unseal(token, aad), aad)
