"""``tariffs`` and ``senders list|add`` against a served emulator, and their user errors."""

from __future__ import annotations

import json
import socket

import pytest

from smsc_async import SenderStatus
from smsc_async.testing import DEFAULT_APIKEY, DEFAULT_PASSWORD, Emulator
from tests.cli.conftest import cli, one_line_error


def test_tariffs_prints_every_zone_of_the_account(emulator: Emulator) -> None:
    """The table names every zone and its API price, as the server keeps them."""
    result = cli("tariffs")
    assert 0 == result.exit_code, result.output
    for zone in emulator.tariffs.tariffs.zones:
        assert zone.name in result.stdout
        assert str(zone.api) in result.stdout
    assert ["get.get_price"] == [x.command for x in emulator.traffic]


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "lines"])
def test_tariffs_json_is_the_same_in_every_wire_format(emulator: Emulator, fmt: str) -> None:
    """``--json`` prints the price list, money as exact strings, whatever format is asked."""
    result = cli("tariffs", "--json", "--fmt", fmt)
    assert 0 == result.exit_code, result.output
    printed = json.loads(result.stdout)
    zones = emulator.tariffs.tariffs.zones
    assert [(z.zone, z.name, str(z.api)) for z in zones] == [
        (z["zone"], z["name"], z["api"]) for z in printed["zones"]
    ]
    assert {"fmt": str(["lines", "csv", "xml", "json"].index(fmt))}.items() <= dict(
        emulator.traffic[0].params
    ).items()


def test_an_api_key_from_the_environment_is_enough(emulator: Emulator) -> None:
    """With only ``SMSC_APIKEY`` set, the command signs in with the key."""
    result = cli(
        "tariffs",
        "--json",
        env={"SMSC_LOGIN": None, "SMSC_PASSWORD": None, "SMSC_APIKEY": DEFAULT_APIKEY},
    )
    assert 0 == result.exit_code, result.output
    assert "demo" == emulator.traffic[0].login


def test_retries_is_checked_like_any_option(emulator: Emulator) -> None:
    """``--retries -1`` is a usage error: exit 2, nothing sent."""
    result = cli("tariffs", "--retries", "-1")
    assert 2 == result.exit_code
    assert "'--retries'" in result.stderr
    assert [] == emulator.traffic


def test_options_win_over_the_environment(emulator: Emulator) -> None:
    """``--password`` replaces ``SMSC_PASSWORD``: a wrong one is refused by the server."""
    result = cli("tariffs", "--password", "not-the-password")
    line = one_line_error(result, 1)
    assert "Error: tariffs.get: SMSC error 2 (authorise error)" == line
    assert "not-the-password" not in result.output
    assert [2] == [x.error_code for x in emulator.traffic]


def test_no_credentials_is_a_user_error_and_sends_nothing(emulator: Emulator) -> None:
    """Without a login and password or an API key: exit 2, one line naming the variables."""
    result = cli("tariffs", env={"SMSC_LOGIN": None, "SMSC_PASSWORD": None})
    line = one_line_error(result, 2)
    assert "SMSC_LOGIN" in line
    assert "SMSC_APIKEY" in line
    assert [] == emulator.traffic


def test_a_key_and_a_login_together_are_a_user_error(emulator: Emulator) -> None:
    """An API key beside a login is ambiguous: exit 2, nothing sent."""
    result = cli("tariffs", env={"SMSC_APIKEY": DEFAULT_APIKEY})
    one_line_error(result, 2)
    assert [] == emulator.traffic


def test_a_base_url_that_is_no_url_is_a_user_error(emulator: Emulator) -> None:
    """``--base-url ftp://...``: exit 2, the option named."""
    line = one_line_error(cli("tariffs", "--base-url", "ftp://smsc.example/"), 2)
    assert "base_url" in line
    assert [] == emulator.traffic


def test_an_unreachable_server_is_one_line_and_exit_1(emulator: Emulator) -> None:
    """Nothing listening at the base URL, ``--retries 0``: exit 1 with the failure, at once."""
    del emulator
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    result = cli("tariffs", "--retries", "0", "--base-url", f"http://127.0.0.1:{port}/sys/")
    assert "ConnectError" in one_line_error(result, 1)


def test_help_names_the_variables_but_never_their_values(emulator: Emulator) -> None:
    """``--help`` lists the ``SMSC_*`` variables; the password set in them is not shown."""
    del emulator
    result = cli("tariffs", "--help")
    assert 0 == result.exit_code
    for name in ("SMSC_LOGIN", "SMSC_PASSWORD", "SMSC_APIKEY", "SMSC_BASE_URL"):
        assert name in result.stdout
    assert DEFAULT_PASSWORD not in result.stdout


def test_senders_add_creates_the_name_and_prints_its_id(emulator: Emulator) -> None:
    """``senders add SHOP1 --comment c``: the emulator keeps the name; its id is printed."""
    result = cli("senders", "add", "SHOP1", "--comment", "our shop")
    assert 0 == result.exit_code, result.output
    [entry] = emulator.senders.names["demo"].values()
    assert ("SHOP1", "our shop") == (entry.sender, entry.cmt)
    assert f"created sender name 'SHOP1': id {entry.id}\n" == result.stdout


def test_senders_add_json_for_scripts(emulator: Emulator) -> None:
    """``--json`` prints the name and its id as one object."""
    result = cli("senders", "add", "SHOP1", "--json")
    [entry] = emulator.senders.names["demo"].values()
    assert {"sender": "SHOP1", "id": entry.id} == json.loads(result.stdout)


def test_a_bad_sender_name_is_refused_before_sending(emulator: Emulator) -> None:
    """A name of 16 letters: exit 2, the reason in one line, no request."""
    line = one_line_error(cli("senders", "add", "SIXTEEN_LETTERS_"), 2)
    assert "sender" in line
    assert [] == emulator.traffic


def test_a_sender_name_whose_answer_is_lost_exits_3_and_is_not_repeated(
    emulator: Emulator,
) -> None:
    """``senders add`` cut off after sending: exit 3 (check first), not 1; sent once."""
    emulator.faults.reset("senders.add", after=True)
    line = one_line_error(cli("senders", "add", "SHOP1"), 3)
    assert "may have been applied" in line
    assert 1 == sum(x.command == "senders.add" for x in emulator.traffic)


def test_senders_list_shows_every_name_with_its_status(emulator: Emulator) -> None:
    """``senders list --all`` lists every name (all pages) with its moderation status."""
    for name in ("SHOP1", "SHOP2", "SHOP3"):
        assert 0 == cli("senders", "add", name).exit_code
    result = cli("senders", "list", "--all")
    assert 0 == result.exit_code, result.output
    assert "3 sender names" in result.stdout
    for name in ("SHOP1", "SHOP2", "SHOP3"):
        assert name in result.stdout
    assert "allowed" in result.stdout
    listed = json.loads(cli("senders", "list", "--all", "--json").stdout)
    assert {"SHOP1", "SHOP2", "SHOP3"} == {s["sender"] for s in listed}
    assert {SenderStatus.ALLOWED.value} == {s["status"] for s in listed}  # the enum's values


def test_senders_list_for_someone_else_is_refused_by_the_server(emulator: Emulator) -> None:
    """``--user`` naming no subclient of the account: SMSC's error 3, exit 1."""
    line = one_line_error(cli("senders", "list", "--user", "stranger"), 1)
    assert "SMSC error 3" in line
    assert [3] == [x.error_code for x in emulator.traffic]
