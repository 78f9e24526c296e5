"""Encryption at rest of the sensitive columns of an import (SSN, birth date, financials).

No Odoo here. One token per target holds the sensitive values as JSON, sealed
with AES-256-GCM (authenticated: a tampered token does not open). The 256-bit
key is derived with HKDF-SHA256 from the installation's secret, a url-safe
base64 string of 32 random bytes. AES-GCM costs a few microseconds a row,
which matters when 100,000 rows are imported at once.
"""

import base64
import binascii
import json
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

TOKEN_PREFIX = "g1:"
NONCE_SIZE = 12
_HKDF_INFO = b"crm_campaign_mgmt sensitive data v1"


class UnsealError(ValueError):
    """The token is not one of ours, was tampered with, or the key is wrong."""


def generate_secret():
    """A new installation secret (url-safe base64 of 32 random bytes)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode()


class Sealer:
    def __init__(self, secret):
        raw = secret.encode() if isinstance(secret, str) else secret
        try:
            material = base64.urlsafe_b64decode(raw)
        except (binascii.Error, ValueError) as error:
            raise ValueError("The sensitive-data key is not url-safe base64.") from error
        if len(material) < 32:
            raise ValueError("The sensitive-data key must hold at least 32 bytes.")
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(material)
        self._aead = AESGCM(key)

    def seal(self, values):
        """Token for a dict of values; None when no value is set."""
        values = {k: v for k, v in (values or {}).items() if v}
        if not values:
            return None
        nonce = os.urandom(NONCE_SIZE)
        payload = json.dumps(values, separators=(",", ":"), default=str).encode()
        sealed = self._aead.encrypt(nonce, payload, None)
        return TOKEN_PREFIX + base64.b64encode(nonce + sealed).decode()

    def unseal(self, token):
        """The dict sealed in ``token`` ({} for an empty token)."""
        if not token:
            return {}
        if not token.startswith(TOKEN_PREFIX):
            raise UnsealError("unknown token format")
        try:
            blob = base64.b64decode(token[len(TOKEN_PREFIX):], validate=True)
            clear = self._aead.decrypt(blob[:NONCE_SIZE], blob[NONCE_SIZE:], None)
            return json.loads(clear)
        except (binascii.Error, InvalidTag, ValueError) as error:
            raise UnsealError("the token cannot be opened with this key") from error
