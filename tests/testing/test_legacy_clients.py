"""The emulator answers what the existing synchronous SMSC clients send.

PyPI's ``smsc`` 0.1.1 (requests + furl) sends GET requests with ``login`` and ``psw`` in the
query string and ``fmt=3``: the client teams migrate from. It is driven, unchanged but for
its base URL, against an emulator served on 127.0.0.1 from a thread.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from smsc_async.testing import DEFAULT_LOGIN, DEFAULT_PASSWORD, Emulator, serving_in_thread

# smsc 0.1.1 calls logging.basicConfig(level=DEBUG) when imported: keep the suite's own.
_ROOT = logging.getLogger()
_KEPT = (list(_ROOT.handlers), _ROOT.level)
smsc_api = pytest.importorskip("smsc.api", reason="the legacy smsc client is a test dependency")
smsc_messages = pytest.importorskip("smsc.messages")
_ROOT.handlers[:], _ROOT.level = _KEPT

PHONE = "79161234567"


@pytest.fixture
def emulator() -> Emulator:
    # Minutes of ten: the message is still queued (handed over ten real seconds later) when
    # the test asks, so the status read is known.
    return Emulator(minute=600.0)


@pytest.fixture
def legacy(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The legacy client, pointed at the served emulator instead of https://smsc.ru/sys/."""
    with serving_in_thread(emulator) as base_url:
        monkeypatch.setattr(smsc_api.SMSC, "_url", base_url)
        monkeypatch.setenv("NO_PROXY", "127.0.0.1")  # requests honours proxies otherwise
        yield smsc_api.SMSC(login=DEFAULT_LOGIN, password=DEFAULT_PASSWORD, sender="")


def test_send_cost_status_and_balance_work_as_the_legacy_client_expects(
    legacy: Any, emulator: Emulator
) -> None:
    """send, get_cost, get_status and get_balance parse the emulator's answers."""
    client = legacy
    message = smsc_messages.SMSMessage(text="Привет from the old client")
    sent = client.send(to=PHONE, message=message)
    cost = client.get_cost(to=PHONE, message=message)
    [status] = client.get_status(to=PHONE, msg_id=str(sent.message_id))
    balance = client.get_balance()
    assert 1 == sent.count
    assert [PHONE] == [e.phone for e in emulator.outbox.entries]
    assert "Привет from the old client" == emulator.outbox.entries[0].text
    assert Decimal(str(sent.cost)) == emulator.outbox.entries[0].cost > 0
    assert Decimal(str(cost.cost)) == emulator.outbox.entries[0].cost
    assert (-1, "Ожидает отправки") == (status.status.status_id, status.status.name)
    assert Decimal(str(balance.balance)) == emulator.messages.balance_of(DEFAULT_LOGIN)
    commands = [(e.command, e.error_code) for e in emulator.traffic]
    assert [
        ("send.send", None),
        ("send.cost", None),
        ("status.status", None),
        ("balance.balance", None),
    ] == commands


def test_credentials_in_the_query_are_used_but_never_recorded(
    legacy: Any, emulator: Emulator
) -> None:
    """The password in the URL signs in, and is kept out of the emulator's traffic log."""
    client = legacy
    client.get_balance()
    [exchange] = emulator.traffic
    assert (DEFAULT_LOGIN, None) == (exchange.login, exchange.error_code)
    assert "psw" not in exchange.params
    assert DEFAULT_PASSWORD not in repr(exchange)


def test_a_wrong_password_is_error_2_in_the_legacy_clients_terms(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad password reaches the old client as SMSC's error 2, in its ``error`` field."""
    with serving_in_thread(emulator) as base_url:
        monkeypatch.setattr(smsc_api.SMSC, "_url", base_url)
        client = smsc_api.SMSC(login=DEFAULT_LOGIN, password="not-it", sender="")
        answer = client.send(to=PHONE, message=smsc_messages.SMSMessage(text="hi"))
    assert 2 == answer.error.code
    assert "not-it" not in str(answer.error)
    assert [("send.send", 2)] == [(e.command, e.error_code) for e in emulator.traffic]
    assert [] == emulator.outbox.entries
