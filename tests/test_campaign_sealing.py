"""Encryption at rest of sensitive import columns (crm_campaign_mgmt/lib/sealing.py)."""

import pytest

from crm_campaign_mgmt.lib.sealing import Sealer, UnsealError, generate_secret


def test_round_trip_and_fresh_nonce():
    sealer = Sealer(generate_secret())
    values = {"ssn": "123-45-6789", "date_of_birth": "1985-04-12", "income": "1000000"}
    first, second = sealer.seal(values), sealer.seal(values)
    assert first != second  # a new nonce per token
    assert "123-45-6789" not in first
    assert sealer.unseal(first) == values == sealer.unseal(second)


def test_empty_values_give_no_token():
    sealer = Sealer(generate_secret())
    assert sealer.seal({"ssn": "", "income": None}) is None
    assert sealer.unseal(None) == {}


def test_wrong_key_or_tampering_does_not_open():
    token = Sealer(generate_secret()).seal({"ssn": "1"})
    with pytest.raises(UnsealError):
        Sealer(generate_secret()).unseal(token)
    sealer = Sealer(generate_secret())
    token = sealer.seal({"ssn": "1"})
    tampered = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    with pytest.raises(UnsealError):
        sealer.unseal(tampered)
    with pytest.raises(UnsealError):
        sealer.unseal("not-a-token")


def test_bad_secret_is_refused():
    with pytest.raises(ValueError):
        Sealer("short")
