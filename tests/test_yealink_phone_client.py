"""crm_yealink.lib.phone_client against a local server that behaves like a Yealink phone."""

import pytest

from crm_yealink.lib.phone_client import PhoneError, dial, dial_url
from crm_yealink.tests.fake_phone import FakePhone


def test_dial_url():
    assert dial_url("10.0.0.5", "+91 96949 23749", account="1001@pbx.example") == (
        "http://10.0.0.5/servlet?key=number=%2B919694923749&outgoing_uri=1001@pbx.example")
    assert dial_url("10.0.0.5", "0123", legacy=True, scheme="https").startswith(
        "https://10.0.0.5/cgi-bin/ConfigManApp.com?key=number=0123")
    with pytest.raises(PhoneError):
        dial_url("evil.example/x?y=", "0123")
    with pytest.raises(PhoneError) as err:
        dial_url("10.0.0.5", "abc")
    assert err.value.reason == "number"


def test_dial_with_basic_auth():
    with FakePhone(username="admin", password="pw") as phone:
        assert dial(phone.address, "+91 96949-23749", account="1001@pbx", username="admin", password="pw") \
            == "+919694923749"
        assert phone.dials == [("+919694923749", "1001@pbx")]
        assert dial(phone.address, "0123", username="admin", password="pw", legacy=True) == "0123"


@pytest.mark.parametrize("kwargs,reason", [
    ({"username": "admin", "password": "wrong"}, "auth"),
    ({"username": "", "password": ""}, "credentials"),
])
def test_dial_credentials(kwargs, reason):
    with FakePhone(username="admin", password="pw") as phone:
        with pytest.raises(PhoneError) as err:
            dial(phone.address, "0123456", **kwargs)
        assert err.value.reason == reason
        assert phone.dials == []


def test_dial_refused_and_timeout_and_unreachable():
    with FakePhone(refuse=True) as phone:
        with pytest.raises(PhoneError) as err:
            dial(phone.address, "0123456", username=phone.username, password=phone.password)
        assert err.value.reason == "refused" and "action_uri_limit_ip" in str(err.value)
    with FakePhone(delay=1.0) as phone:
        with pytest.raises(PhoneError) as err:
            dial(phone.address, "0123456", username=phone.username, password=phone.password, timeout=0.2)
        assert err.value.reason == "timeout"
        address = phone.address
    with pytest.raises(PhoneError) as err:
        dial(address, "0123456", username="a", password="b", timeout=1)
    assert err.value.reason == "unreachable"
