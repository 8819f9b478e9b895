"""``subclients provision FILE``, ``contacts import FILE`` and ``contacts export``."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest

from smsc_async import SendUnconfirmedError
from smsc_async.bulk import BulkReport, ItemResult, ItemStatus
from smsc_async.cli._jobs import write_report
from smsc_async.testing import Emulator
from tests.cli.conftest import cli, one_line_error

PASSWORD = "Str0ng-pass"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


# -- subclients provision -------------------------------------------------------------


def test_provision_from_csv_creates_pays_and_names_every_subclient(
    emulator: Emulator, tmp_path: Path
) -> None:
    """Every row is created, paid and named; the report beside the file says so; exit 0."""
    source = write(
        tmp_path / "shops.csv",
        f"user,password,payment,senders\nshop1,{PASSWORD},100,SHOPA1;SHOPB1\n"
        f"shop2,{PASSWORD},,\nshop3,{PASSWORD},25.50,SHOPC3\n",
    )
    result = cli("subclients", "provision", str(source))
    assert 0 == result.exit_code, result.output
    users = emulator.users.subclients
    assert {"shop1", "shop2", "shop3"} == set(users)
    assert [Decimal(100), Decimal(0), Decimal("25.50")] == [
        users[u].balance for u in ("shop1", "shop2", "shop3")
    ]
    assert {"SHOPA1", "SHOPB1"} == {e.sender for e in emulator.senders.names["shop1"].values()}
    report = json.loads((tmp_path / "shops.report.json").read_text(encoding="utf-8"))
    assert (3, 3, 0, 0) == (report["total"], report["done"], report["failed"], report["not_done"])
    assert ["create", "pay", "sender SHOPA1", "sender SHOPB1"] == report["items"][0]["steps"]
    assert users["shop1"].id == report["items"][0]["value"]["id"]
    assert PASSWORD not in result.output
    assert PASSWORD not in (tmp_path / "shops.report.json").read_text(encoding="utf-8")


def test_provision_from_json_applies_settings(emulator: Emulator, tmp_path: Path) -> None:
    """JSON records may carry settings; they reach the server with the creation."""
    records = [
        {
            "user": "shop9",
            "password": PASSWORD,
            "payment": 10,
            "senders": ["SHOP9"],
            "settings": {"fio": "Shop Nine", "test_mode": True},
        }
    ]
    source = write(tmp_path / "shops.json", json.dumps(records))
    report_file = tmp_path / "out" / "report.json"
    report_file.parent.mkdir()
    result = cli("subclients", "provision", str(source), "--report", str(report_file), "--json")
    assert 0 == result.exit_code, result.output
    kept = emulator.users.subclients["shop9"].settings
    assert {"fio": "Shop Nine", "fl2[27]": "1"}.items() <= kept.items()
    printed = json.loads(result.stdout)
    assert printed == json.loads(report_file.read_text(encoding="utf-8"))
    assert "done" == printed["items"][0]["status"]


def test_a_bad_item_fails_alone_with_its_reason_and_exit_1(
    emulator: Emulator, tmp_path: Path
) -> None:
    """A weak password fails its item before any request; the others are done; exit 1."""
    source = write(
        tmp_path / "shops.csv",
        f"user,password,payment\nshop1,{PASSWORD},10\nweak1,password,10\nshop3,{PASSWORD},10\n",
    )
    result = cli("subclients", "provision", str(source))
    line = one_line_error(result, 1)
    assert "1 of 3 items failed" in line
    assert "weak1" in result.stdout  # the failed items' table
    report = json.loads((tmp_path / "shops.report.json").read_text(encoding="utf-8"))
    statuses = [(i["item"], i["status"]) for i in report["items"]]
    assert [("shop1", "done"), ("weak1", "failed"), ("shop3", "done")] == statuses
    error = report["items"][1]["error"]
    assert ("ValidationError", ["password"]) == (error["type"], error["fields"])
    assert not any(x.params.get("user") == "weak1" for x in emulator.traffic)


def test_a_taken_login_is_reported_as_the_servers_refusal(
    emulator: Emulator, tmp_path: Path
) -> None:
    """A login that exists already fails its item with LoginTakenError after one request."""
    emulator.add_subclient("shop1", PASSWORD)
    source = write(tmp_path / "shops.csv", f"user,password\nshop1,{PASSWORD}\n")
    one_line_error(cli("subclients", "provision", str(source)), 1)
    report = json.loads((tmp_path / "shops.report.json").read_text(encoding="utf-8"))
    assert "LoginTakenError" == report["items"][0]["error"]["type"]


def test_a_lost_answer_is_maybe_applied_apart_from_failures_and_exit_3(
    emulator: Emulator, tmp_path: Path
) -> None:
    """A payment whose answer is lost: its own category, command named, not sent again; exit 3."""
    emulator.faults.reset("users.pay", after=True)  # the first payment: shop1's
    source = write(
        tmp_path / "shops.csv",
        f"user,password,payment\nshop1,{PASSWORD},10\nweak2,password,10\nshop3,{PASSWORD},10\n",
    )
    result = cli("subclients", "provision", str(source), "--concurrency", "1")
    line = one_line_error(result, 3)
    assert "1 of 3 items may have been applied" in line
    assert "1 of 3 items failed" in line
    report = json.loads((tmp_path / "shops.report.json").read_text(encoding="utf-8"))
    assert (1, 1, 1, 0) == (
        report["done"],
        report["failed"],
        report["maybe_applied"],
        report["not_done"],
    )
    assert ["maybe_applied", "failed", "done"] == [i["status"] for i in report["items"]]
    maybe = report["items"][0]
    assert (["create"], "MaybeAppliedError", "users.pay") == (
        maybe["steps"],
        maybe["error"]["type"],
        maybe["error"]["command"],
    )
    assert "Maybe applied" in result.stdout
    assert "users.pay" in result.stdout
    pays = [x for x in emulator.traffic if x.command == "users.pay"]
    assert ["shop1", "shop3"] == [x.params["user"] for x in pays]  # shop1's is not repeated
    assert Decimal(10) == emulator.users.subclients["shop1"].balance  # it did happen


def test_json_output_counts_maybe_applied(emulator: Emulator, tmp_path: Path) -> None:
    """``--json`` prints the report with its maybe_applied count and item status; exit 3."""
    emulator.faults.reset("senders.add", after=True)
    source = write(
        tmp_path / "shops.json",
        json.dumps([{"user": "shop1", "password": PASSWORD, "senders": ["SHOP1"]}]),
    )
    result = cli("subclients", "provision", str(source), "--json")
    assert 3 == result.exit_code, result.output
    printed = json.loads(result.stdout)
    assert (0, 1) == (printed["failed"], printed["maybe_applied"])
    assert ("maybe_applied", "senders.add") == (
        printed["items"][0]["status"],
        printed["items"][0]["error"]["command"],
    )


def test_an_unconfirmed_send_is_reported_with_its_id_and_phones(tmp_path: Path) -> None:
    """A SendUnconfirmedError's id and phones are in the report, for status to settle."""
    error = SendUnconfirmedError(
        "no answer", command="send.send", id="42", phones=("79990000001", "79990000002")
    )
    report = BulkReport(
        (
            ItemResult(0, "a", ItemStatus.MAYBE_APPLIED, error=error),
            ItemResult(1, "b", ItemStatus.DONE, value=1, steps=("send",)),
        )
    )
    document = write_report(tmp_path / "r.json", report, str)
    assert (1, 1, 0) == (document["done"], document["maybe_applied"], document["failed"])
    described = document["items"][0]["error"]
    assert ("SendUnconfirmedError", "send.send", "42", ["79990000001", "79990000002"]) == (
        described["type"],
        described["command"],
        described["id"],
        described["phones"],
    )
    assert document == json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("shops.txt", "user,password\n", "give a .csv or a .json file"),
        ("shops.csv", "", "empty, a header row is needed"),
        ("shops.csv", "user,password,colour\nshop1,x,red\n", "line 2: unknown field 'colour'"),
        ("shops.csv", "user,password\n,Str0ng-pass\n", "line 2: 'user' is missing"),
        ("shops.csv", "user,password\nshop1,a,b\n", "line 2: more cells than the header"),
        ("shops.json", "[{", "line 1: not JSON"),
        ("shops.json", '{"user": "shop1"}', "give a JSON array of objects"),
        ("shops.json", '["shop1"]', "item 1: give an object"),
        ("shops.json", '[{"user": "a", "password": "b", "settings": 3}]', "'settings' must be"),
        (
            "shops.json",
            '[{"user": "a", "password": "b", "settings": {"colour": 1}}]',
            "item 1: settings:",
        ),
    ],
)
def test_a_file_of_the_wrong_shape_stops_before_any_request(
    emulator: Emulator, tmp_path: Path, name: str, text: str, expected: str
) -> None:
    """A file that is not such a list: exit 2, one line saying where, nothing sent."""
    source = write(tmp_path / name, text)
    line = one_line_error(cli("subclients", "provision", str(source)), 2)
    assert expected in line
    assert [] == emulator.traffic
    assert not (tmp_path / "shops.report.json").exists()


def test_a_missing_file_is_a_user_error(emulator: Emulator, tmp_path: Path) -> None:
    """A file that is not there: exit 2, the file named."""
    line = one_line_error(cli("subclients", "provision", str(tmp_path / "none.csv")), 2)
    assert "none.csv: cannot read it" in line
    assert [] == emulator.traffic


def test_a_report_that_cannot_be_written_stops_before_any_request(
    emulator: Emulator, tmp_path: Path
) -> None:
    """``--report`` into a missing folder: exit 2 before anything is sent (no lost outcome)."""
    source = write(tmp_path / "shops.csv", f"user,password\nshop1,{PASSWORD}\n")
    result = cli("subclients", "provision", str(source), "--report", str(tmp_path / "no" / "r"))
    assert "cannot write the report" in one_line_error(result, 2)
    assert [] == emulator.traffic


# -- contacts import and export -------------------------------------------------------


def test_import_adds_every_contact_and_reports_their_ids(
    emulator: Emulator, tmp_path: Path
) -> None:
    """Each row becomes a contact with its numbers, groups, birthday and text fields."""
    source = write(
        tmp_path / "book.csv",
        "phones,name,groups,birthday,tags\n"
        "79990000001;79990000002,Anna,,1990-05-01,vip\n"
        "79990000003,Boris,,01.02.1985,\n",
    )
    result = cli("contacts", "import", str(source))
    assert 0 == result.exit_code, result.output
    kept = {
        tuple(c.addresses): c
        for c in emulator.contacts.books["demo", "phones.php"].contacts.values()
    }
    anna = kept["79990000001", "79990000002"]
    assert ("Anna", "01.05.1990", "vip") == (anna.name, anna.birthday, anna.tags)
    assert "01.02.1985" == kept["79990000003",].birthday
    report = json.loads((tmp_path / "book.report.json").read_text(encoding="utf-8"))
    assert [anna.id, kept["79990000003",].id] == [i["value"] for i in report["items"]]


def test_import_fails_a_bad_contact_alone(emulator: Emulator, tmp_path: Path) -> None:
    """A number that is no number fails its row before any request; the rest are added."""
    source = write(
        tmp_path / "book.json",
        json.dumps([{"phones": "79990000001"}, {"phones": "call me", "name": "X"}]),
    )
    result = cli("contacts", "import", str(source))
    one_line_error(result, 1)
    report = json.loads((tmp_path / "book.report.json").read_text(encoding="utf-8"))
    assert ["done", "failed"] == [i["status"] for i in report["items"]]
    assert ["addresses"] == report["items"][1]["error"]["fields"]
    assert 1 == len(emulator.traffic)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name\nAnna\n", "'addresses' (or 'phones') is missing"),
        ("phones,addresses\n7999,7998\n", "give 'addresses' or 'phones', not both"),
        ("phones,nickname\n79990000001,A\n", "unknown field 'nickname'"),
    ],
)
def test_import_refuses_a_file_of_the_wrong_shape(
    emulator: Emulator, tmp_path: Path, text: str, expected: str
) -> None:
    """Rows without numbers or with unknown columns: exit 2 before any request."""
    source = write(tmp_path / "book.csv", text)
    assert expected in one_line_error(cli("contacts", "import", str(source)), 2)
    assert [] == emulator.traffic


def test_export_writes_the_columns_import_reads(emulator: Emulator) -> None:
    """CSV on standard output: a header, then one row per contact, commas kept whole."""
    emulator.contacts.add_contact(["79991112233"], name="Ivan, the first", birthday="01.05.1990")
    emulator.contacts.add_contact(["79994445566", "79997778899"], groups=[301, 302])
    result = cli("contacts", "export")
    assert 0 == result.exit_code, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [
        ("79991112233", "Ivan, the first", "", "01.05.1990"),
        ("79994445566;79997778899", "", "301;302", ""),
    ] == [(r["addresses"], r["name"], r["groups"], r["birthday"]) for r in rows]


def test_export_json_is_a_list_of_contacts(emulator: Emulator) -> None:
    """``--json``: a JSON array of the contacts' fields, dates in ISO form."""
    emulator.contacts.add_contact(["79991112233"], name="Ivan", birthday="01.05.1990")
    printed = json.loads(cli("contacts", "export", "--json").stdout)
    assert [(["79991112233"], "Ivan", "1990-05-01")] == [
        (c["addresses"], c["name"], c["birthday"]) for c in printed
    ]
    assert [] == json.loads(cli("contacts", "export", "--json", "--mail").stdout)


def test_export_then_import_copies_a_book(emulator: Emulator, tmp_path: Path) -> None:
    """A book exported to a file and imported into an empty account is the same book."""
    emulator.contacts.add_contact(["79991112233"], name="Ivan, the first", tags="a b", myid="c-17")
    emulator.contacts.add_contact(["79994445566", "79997778899"], birthday="01.05.1990")
    before = [c.model() for c in emulator.contacts.books["demo", "phones.php"].contacts.values()]
    exported = tmp_path / "book.csv"
    result = cli("contacts", "export", "-o", str(exported))
    assert (0, "exported 2 contacts to") == (result.exit_code, result.stderr[:22])
    emulator.contacts.books.clear()
    assert 0 == cli("contacts", "import", str(exported)).exit_code
    after = [c.model() for c in emulator.contacts.books["demo", "phones.php"].contacts.values()]
    # The "id" column is the client's own id (myid): it comes back as it was.
    strip = [(c.addresses, c.name, c.birthday, c.tags, c.id) for c in before]
    assert strip == [(c.addresses, c.name, c.birthday, c.tags, c.id) for c in after]


def test_the_mail_book_takes_email_addresses(emulator: Emulator, tmp_path: Path) -> None:
    """``--mail``: the e-mail book (mails.php), whose column is ``emails``."""
    source = write(tmp_path / "mails.csv", "emails,name\nanna@shop.example,Anna\n")
    assert 0 == cli("contacts", "import", "--mail", str(source)).exit_code
    [entry] = emulator.contacts.books["demo", "mails.php"].contacts.values()
    assert ["anna@shop.example"] == entry.addresses
    printed = json.loads(cli("contacts", "export", "--mail", "--json").stdout)
    assert [["anna@shop.example"]] == [c["addresses"] for c in printed]


def test_export_with_a_bad_filter_sends_nothing(emulator: Emulator, tmp_path: Path) -> None:
    """``--group 0`` is no group id: exit 2 before any request or file."""
    output = tmp_path / "book.csv"
    one_line_error(cli("contacts", "export", "--group", "0", "-o", str(output)), 2)
    assert [] == emulator.traffic
    assert not output.exists()


def test_a_refused_template_is_partly_done_in_the_report_and_summary(
    emulator: Emulator, tmp_path: Path
) -> None:
    """A template the operator refuses (sender not accepted): partly done, not done; exit 1."""
    # Its sender name is not shop1's (the fixture approves the names it is given).
    template = {"sender": "OTHER1", "text": "Your code: %CODE%", "targets": ["mts_srv"]}
    records = [
        {"user": "shop1", "password": PASSWORD, "senders": ["SHOP1"], "templates": [template]},
        {"user": "shop2", "password": PASSWORD, "senders": ["SHOP2"]},
    ]
    source = write(tmp_path / "shops.json", json.dumps(records))
    result = cli("subclients", "provision", str(source))
    line = one_line_error(result, 1)
    assert "1 only partly done" in line
    assert "SENDER_NOT_ACCEPTED" in result.stdout  # the partly-done table's reason
    report = json.loads((tmp_path / "shops.report.json").read_text(encoding="utf-8"))
    assert (1, 1) == (report["done"], report["partly_done"])
    first = report["items"][0]
    assert ("partly_done", ["create", "sender SHOP1"]) == (first["status"], first["steps"])
    assert "template 'OTHER1' refused: mts_srv SENDER_NOT_ACCEPTED" == first["error"]["message"]
