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


# ---------------------------------------------------------------------------
# security issue 7, item 14: key ids, rotation, binding to the record, loud failures
# ---------------------------------------------------------------------------

import base64  # noqa: E402

from crm_campaign_mgmt.lib.sealing import (  # noqa: E402
    KeyConfigError,
    Keyring,
    associated_data,
    parse_keys,
)

AAD_A = associated_data("crm.campaign.target", 7, "sensitive_data_enc")
AAD_B = associated_data("crm.campaign.target", 8, "sensitive_data_enc")


def _spec(*ids):
    return ",".join(f"{key_id}:{generate_secret()}" for key_id in ids)


def test_token_names_its_key_and_opens_with_a_later_keyring():
    spec_k1 = _spec("k1")
    token = Keyring.from_spec(spec_k1).seal({"ssn": "1"}, AAD_A)
    assert token.startswith("g2:k1:")
    rotated = Keyring.from_spec(_spec("k2") + "," + spec_k1)
    assert rotated.current_id == "k2"
    assert rotated.unseal(token, AAD_A) == {"ssn": "1"}
    assert rotated.needs_reseal(token)
    new = rotated.reseal(token, AAD_A)
    assert new.startswith("g2:k2:") and not rotated.needs_reseal(new)
    assert rotated.unseal(new, AAD_A) == {"ssn": "1"}


def test_unknown_key_id_fails_loudly():
    token = Keyring.from_spec(_spec("old")).seal({"ssn": "1"}, AAD_A)
    with pytest.raises(UnsealError, match="'old'.*not configured"):
        Keyring.from_spec(_spec("new")).unseal(token, AAD_A)


def test_token_is_bound_to_its_record_and_field():
    keyring = Keyring.from_spec(_spec("k1"))
    token = keyring.seal({"ssn": "1"}, AAD_A)
    with pytest.raises(UnsealError):
        keyring.unseal(token, AAD_B)
    with pytest.raises(UnsealError):
        keyring.unseal(token, associated_data("crm.campaign.target", 7, "other_field"))
    with pytest.raises(UnsealError):
        keyring.unseal(token, None)


def test_first_version_tokens_open_with_the_legacy_key_and_are_resealed():
    secret = generate_secret()
    legacy_body = Sealer(secret, "x").seal({"ssn": "1"}).split(":", 2)[2]
    legacy_token = "g1:" + legacy_body  # no key id, no associated data
    keyring = Keyring.from_spec(_spec("k1"), legacy_secret=secret)
    assert keyring.unseal(legacy_token, AAD_A) == {"ssn": "1"}
    new = keyring.reseal(legacy_token, AAD_A)
    assert new.startswith("g2:k1:")
    with pytest.raises(UnsealError, match="legacy key"):
        Keyring.from_spec(_spec("k1")).unseal(legacy_token, AAD_A)


def test_key_configuration_errors():
    assert [key_id for key_id, _s in parse_keys(_spec("a", "b"))] == ["a", "b"]
    for spec in ("nokeyid", "a:" + generate_secret() + ",a:" + generate_secret(),
                 "bad id:" + generate_secret(), "short:" + base64.urlsafe_b64encode(b"x").decode()):
        with pytest.raises(KeyConfigError):
            Keyring.from_spec(spec)
    with pytest.raises(KeyConfigError):
        Keyring.from_spec("")
