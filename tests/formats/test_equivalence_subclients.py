"""Subclient and operator-template replies, by hand in all four formats, decode to one model.

The bodies are the wire contract the SDK assumes for ``users.php`` (spec §A.1) and
``op_templates.php`` (spec §A.2), typed here rather than produced by smsc_async.testing.
Also: shapes that accept a bare OK, and the date and date-time structure hooks.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import pytest

from smsc_async import (
    Format,
    OperatorTemplate,
    ParseError,
    SubclientDayStats,
    SubclientId,
    SubclientStats,
    TemplateAdded,
    TemplateAddStatus,
    TemplateStatus,
)
from smsc_async._commands import Command
from smsc_async.formats import Column, ListOf, Row, Shape, Single, decode_reply
from smsc_async.resources import op_templates, subclients
from smsc_async.resources.senders import ADD as SENDERS_ADD

Bodies = dict[Format, str]
L, C, X, J = Format.LINES, Format.CSV, Format.XML, Format.JSON

OK_REPLY: Bodies = {L: "OK", C: "OK", X: "<result>OK</result>", J: '{\n"result": "OK"\n}'}
USER_ID: Bodies = {
    L: "ID = 123",
    C: "123",
    X: "<result>\n<id>123</id>\n</result>",
    J: '{\n"id": 123\n}',
}
STATS: Bodies = {
    L: "login = sub1, user_id = 5, messages = 0, credit = 100.00, debit = 0.00, "
    "balance = 100.00, currency = RUB\n"
    "login = sub2, user_id = 6, messages = 17, credit = 0.00, debit = 30.60, "
    "balance = -1.25, currency = KZT\n",
    C: "sub1,5,0,100.00,0.00,100.00,RUB\nsub2,6,17,0.00,30.60,-1.25,KZT\n",
    X: "<stats>\n"
    "<user>\n<login>sub1</login>\n<user_id>5</user_id>\n<messages>0</messages>\n"
    "<credit>100.00</credit>\n<debit>0.00</debit>\n<balance>100.00</balance>\n"
    "<currency>RUB</currency>\n</user>\n"
    "<user>\n<login>sub2</login>\n<user_id>6</user_id>\n<messages>17</messages>\n"
    "<credit>0.00</credit>\n<debit>30.60</debit>\n<balance>-1.25</balance>\n"
    "<currency>KZT</currency>\n</user>\n"
    "</stats>",
    J: '[{\n"login": "sub1",\n"user_id": 5,\n"messages": 0,\n"credit": "100.00",\n'
    '"debit": "0.00",\n"balance": "100.00",\n"currency": "RUB"\n},\n'
    '{\n"login": "sub2",\n"user_id": 6,\n"messages": 17,\n"credit": "0.00",\n'
    '"debit": "30.60",\n"balance": "-1.25",\n"currency": "KZT"\n}]',
}
DAY_STATS: Bodies = {
    L: "login = sub1, user_id = 5, date = 29.02.2024, messages = 3, credit = 100.00, "
    "debit = 4.50, currency = RUB\n",
    C: "sub1,5,29.02.2024,3,100.00,4.50,RUB\n",
    X: "<stats>\n<day>\n<login>sub1</login>\n<user_id>5</user_id>\n<date>29.02.2024</date>\n"
    "<messages>3</messages>\n<credit>100.00</credit>\n<debit>4.50</debit>\n"
    "<currency>RUB</currency>\n</day>\n</stats>",
    J: '[{\n"login": "sub1",\n"user_id": 5,\n"date": "29.02.2024",\n"messages": 3,\n'
    '"credit": "100.00",\n"debit": "4.50",\n"currency": "RUB"\n}]',
}
STATS_EMPTY: Bodies = {L: "", C: "", X: "<stats>\n</stats>", J: "[]"}
TEMPLATES: Bodies = {
    L: "name = mts_srv, id = 17, status = 1\nname = tele2_srv, id = , status = -1\n",
    C: "mts_srv,17,1\ntele2_srv,,-1\n",
    X: "<templates>\n"
    "<template>\n<name>mts_srv</name>\n<id>17</id>\n<status>1</status>\n</template>\n"
    "<template>\n<name>tele2_srv</name>\n<id></id>\n<status>-1</status>\n</template>\n"
    "</templates>",
    J: '[{\n"name": "mts_srv",\n"id": 17,\n"status": 1\n},\n'
    '{\n"name": "tele2_srv",\n"id": null,\n"status": -1\n}]',
}

CASES: dict[str, tuple[Command[Any], dict[str, str], Bodies, Any]] = {
    "users-add-id": (subclients.CREATE, {"user": "sub1"}, USER_ID, SubclientId(123)),
    "users-add-ok": (subclients.CREATE, {"user": "sub1"}, OK_REPLY, SubclientId(None)),
    "users-chg": (subclients.UPDATE, {"user": "sub1"}, OK_REPLY, None),
    "users-pay": (subclients.PAY, {"user": "sub1", "sum": "10"}, OK_REPLY, None),
    "users-get_stat": (
        subclients.STATS,
        {"start": "01.01.2024", "reseller": "1"},
        STATS,
        [
            SubclientStats(
                "sub1", 5, 0, Decimal("100.00"), Decimal("0.00"), Decimal("100.00"), "RUB"
            ),
            SubclientStats(
                "sub2", 6, 17, Decimal("0.00"), Decimal("30.60"), Decimal("-1.25"), "KZT"
            ),
        ],
    ),
    "users-get_stat-empty": (subclients.STATS, {"start": "01.01.2024"}, STATS_EMPTY, []),
    "users-get_stat_all": (
        subclients.DETAILED_STATS,
        {"start": "01.01.2024", "reseller": "1"},
        DAY_STATS,
        [
            SubclientDayStats(
                "sub1",
                dt.date(2024, 2, 29),
                user_id=5,
                messages=3,
                credit=Decimal("100.00"),
                debit=Decimal("4.50"),
                currency="RUB",
            )
        ],
    ),
    "users-get_stat_all-empty": (
        subclients.DETAILED_STATS,
        {"start": "01.01.2024"},
        STATS_EMPTY,
        [],
    ),
    "op_templates-add": (
        op_templates.ADD,
        {"sender": "my_shop", "msg": "x", "mts_srv": "1", "tele2_srv": "1"},
        TEMPLATES,
        [
            TemplateAdded("mts_srv", TemplateAddStatus.ADDED, 17),
            TemplateAdded("tele2_srv", TemplateAddStatus.SENDER_NOT_ACCEPTED, None),
        ],
    ),
    "op_templates-get": (
        op_templates.GET,
        {"sender": "my_shop", "msg": "x"},
        TEMPLATES,
        [
            OperatorTemplate("mts_srv", TemplateStatus.SENT_FOR_REGISTRATION, 17),
            OperatorTemplate("tele2_srv", TemplateStatus.NOT_FOUND, None),
        ],
    ),
}


def decode_body(
    body: str, fmt: Format, shape: Shape, result_type: Any, params: dict[str, str]
) -> Any:
    """Decode ``body`` in ``fmt`` as sent in UTF-8 with these request parameters."""
    return decode_reply(
        body.encode(),
        fmt=fmt,
        shape=shape,
        result_type=result_type,
        params={**params, "fmt": str(int(fmt))},
        header_charset="utf-8",
    )


def decode(case: str, fmt: Format) -> Any:
    """Decode the case's body in ``fmt`` with the command's flag and parameters."""
    command, params, bodies, _ = CASES[case]
    return decode_body(
        bodies[fmt], fmt, command.shape, command.result_type, {command.flag: "1", **params}
    )


@pytest.mark.parametrize("case", list(CASES))
def test_each_format_decodes_to_the_expected_model(case: str, fmt: Format) -> None:
    """Each reply of the wire contract decodes to the model written out by hand."""
    assert CASES[case][3] == decode(case, fmt)


@pytest.mark.parametrize("case", list(CASES))
def test_all_formats_decode_equal(case: str) -> None:
    """The four formats of one reply decode to equal models."""
    decoded = [decode(case, fmt) for fmt in Format]
    assert [decoded[0]] * 4 == decoded


def test_sums_keep_their_decimal_places() -> None:
    """Decoded sums keep the digits written on the wire, in every format."""
    for fmt in Format:
        first = decode("users-get_stat", fmt)[0]
        assert ["100.00", "0.00", "100.00"] == [
            str(first.credit),
            str(first.debit),
            str(first.balance),
        ], fmt


# --- shapes that accept a bare OK --------------------------------------------------------


@attrs.frozen
class Record:
    """A record every field of which is optional, for the bare-OK shape."""

    id: int | None = None
    name: str | None = None


OR_OK = Single(Row((Column("id"), Column("name"))), or_ok=True)


def test_single_or_ok_reads_a_bare_ok_as_an_empty_record(fmt: Format) -> None:
    """Single(row, or_ok=True) reads OK, <result>OK</result> or {"result": "OK"} as no fields."""
    assert Record() == decode_body(OK_REPLY[fmt], fmt, OR_OK, Record, {"add": "1"})


@pytest.mark.parametrize("body", [" OK\n", "OK\r\n"], ids=["padded", "crlf"])
@pytest.mark.parametrize("fmt_", [L, C], ids=["fmt0", "fmt1"])
def test_single_or_ok_allows_whitespace_around_ok(body: str, fmt_: Format) -> None:
    """A bare OK with whitespace or a line break around it is still a bare OK."""
    assert Record() == decode_body(body, fmt_, OR_OK, Record, {"add": "1"})


def test_single_or_ok_still_reads_a_record(fmt: Format) -> None:
    """With or_ok, an ordinary record is read as before."""
    bodies = {
        L: "id = 9, name = x",
        C: "9,x",
        X: "<result>\n<id>9</id>\n<name>x</name>\n</result>",
        J: '{"id": 9, "name": "x"}',
    }
    assert Record(9, "x") == decode_body(bodies[fmt], fmt, OR_OK, Record, {"add": "1"})


def test_single_without_or_ok_refuses_a_bare_ok(fmt: Format) -> None:
    """A plain Single (senders add) does not take a bare OK for its record."""
    with pytest.raises(ParseError):
        decode_body(OK_REPLY[fmt], fmt, SENDERS_ADD.shape, SENDERS_ADD.result_type, {"add": "1"})


@pytest.mark.parametrize(
    ("fmt_", "body"),
    [
        (L, "OKAY"),
        (C, "OK,1"),
        (J, '{"result": "OK", "id": "x"}'),
    ],
    ids=["fmt0-okay", "fmt1-ok-and-more", "fmt3-bad-id"],
)
def test_single_or_ok_refuses_what_is_not_a_bare_ok(fmt_: Format, body: str) -> None:
    """Only an exact OK is an empty record; other bodies are read as records (and may fail)."""
    with pytest.raises(ParseError):
        decode_body(body, fmt_, subclients.CREATE.shape, SubclientId, {"add": "1"})


# --- dates and date-times ----------------------------------------------------------------


@attrs.frozen
class Stamped:
    """A record with a date, a date-time and an optional date."""

    day: dt.date
    at: dt.datetime
    until: dt.date | None = None


STAMPS = ListOf(Row((Column("day"), Column("at"), Column("until"))))
MSK = dt.timezone(dt.timedelta(hours=3))


def stamps_body(fmt: Format, rows: list[tuple[str, str, str]]) -> str:
    """Rows of (day, at, until) in ``fmt``."""
    if fmt is L:
        return "".join(f"day = {d}, at = {a}, until = {u}\n" for d, a, u in rows)
    if fmt is C:
        return "".join(f"{d},{a},{u}\n" for d, a, u in rows)
    if fmt is X:
        items = "".join(
            f"<row><day>{d}</day><at>{a}</at><until>{u}</until></row>\n" for d, a, u in rows
        )
        return f"<rows>\n{items}</rows>"
    items = ",\n".join(f'{{"day": "{d}", "at": "{a}", "until": "{u}"}}' for d, a, u in rows)
    return f"[{items}]"


def test_dates_and_datetimes_decode_in_every_format(fmt: Format) -> None:
    """dd.mm.yyyy is a date; dd.mm.yyyy hh:mm[:ss] an aware date-time at UTC+3; '' is None."""
    body = stamps_body(
        fmt,
        [
            ("31.12.2023", "31.12.2023 23:59:58", ""),
            ("01.01.2024", "01.01.2024 00:05", "29.02.2024"),
        ],
    )
    rows = decode_body(body, fmt, STAMPS, list[Stamped], {"get": "1"})
    assert [
        Stamped(dt.date(2023, 12, 31), dt.datetime(2023, 12, 31, 23, 59, 58, tzinfo=MSK)),
        Stamped(
            dt.date(2024, 1, 1),
            dt.datetime(2024, 1, 1, 0, 5, tzinfo=MSK),
            dt.date(2024, 2, 29),
        ),
    ] == rows
    assert [dt.datetime(2023, 12, 31, 20, 59, 58, tzinfo=dt.timezone.utc)] == [rows[0].at]
    assert [dt.timedelta(hours=3)] * 2 == [r.at.utcoffset() for r in rows]
    assert [dt.date, dt.date] == [type(r.day) for r in rows]  # not datetime


@pytest.mark.parametrize(
    ("day", "at"),
    [
        ("31.02.2024", "01.01.2024 00:00"),
        ("2024-01-31", "01.01.2024 00:00"),
        ("31.01.24", "01.01.2024 00:00"),
        ("31.01.2024", "01.01.2024 24:00"),
        ("31.01.2024", "01.01.2024"),
        ("31.01.2024", "2024-01-01T00:00:00"),
        ("31.01.2024", "29.02.2023 10:00:00"),
    ],
    ids=["feb-31", "iso-date", "short-year", "hour-24", "date-for-datetime", "iso-dt", "feb-29"],
)
def test_bad_dates_are_parse_errors(fmt: Format, day: str, at: str) -> None:
    """An impossible or misformatted date or date-time fails the decode with ParseError."""
    with pytest.raises(ParseError):
        decode_body(stamps_body(fmt, [(day, at, "")]), fmt, STAMPS, list[Stamped], {"get": "1"})


def test_impossible_day_in_detailed_stats_is_a_parse_error(fmt: Format) -> None:
    """31.02.2024 in a get_stat_all reply fails the decode with ParseError in every format."""
    body = DAY_STATS[fmt].replace("29.02.2024", "31.02.2024")
    command = subclients.DETAILED_STATS
    with pytest.raises(ParseError):
        decode_body(body, fmt, command.shape, command.result_type, {"get_stat_all": "1"})


def test_json_number_for_a_date_is_a_parse_error() -> None:
    """fmt=3 giving a date as a number (not text) fails with ParseError."""
    body = '[{"day": 20240131, "at": "01.01.2024 00:00", "until": ""}]'
    with pytest.raises(ParseError):
        decode_body(body, J, STAMPS, list[Stamped], {"get": "1"})
