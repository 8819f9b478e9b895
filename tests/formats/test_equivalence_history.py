"""Every reply of get.php (history, inbox, statistics) and info.php, typed by hand, is one model.

The layouts follow the SDK's reading of spec §5 (UNVERIFIED where the docs show none): fmt=0
``key = value`` lines (``check_time`` and an upper-case ``ID`` in the history, as a real
reply has them), fmt=1 columns in the same order, fmt=2 one element per record, fmt=3 an
array of objects with ids, statuses and timestamps as numbers and money as strings. They
are typed here, not produced by smsc_async.testing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from smsc_async import (
    AccountStats,
    DeliveryError,
    Format,
    IncomingMessage,
    MessageStatus,
    MessageType,
    NotFoundError,
    OperatorInfo,
    ParseError,
    SentMessage,
)
from smsc_async._commands import Command
from smsc_async.errors import api_error_class
from smsc_async.formats import ErrorReply
from smsc_async.resources.history import GET_MESSAGES
from smsc_async.resources.inbox import GET_ANSWERS
from smsc_async.resources.operators import GET_OPERATOR
from smsc_async.resources.stats import GET_STAT
from tests._support import decode_as

Bodies = dict[Format, str]
L, C, X, J = Format.LINES, Format.CSV, Format.XML, Format.JSON
MSK = dt.timezone(dt.timedelta(hours=3))

HISTORY: Bodies = {
    L: "status = 1, check_time = 02.03.2026 10:15:30, last_timestamp = 1772435730, err = 0, "
    "send_date = 02.03.2026 10:15:02, send_timestamp = 1772435702, phone = 79990001122, "
    "cost = 3.80, sender_id = Shop, status_name = Delivered, message = Hello, world, "
    "country = Russia, operator = MTS, region = Moscow, mccmnc = 25001, type = 0, "
    "sms_cnt = 1, ID = 17, int_id = 100021\n"
    "status = 20, check_time = 02.03.2026 11:00:00, last_timestamp = 1772438400, err = 1, "
    "send_date = 02.03.2026 10:15:02, send_timestamp = 1772435702, phone = 79991112233, "
    "cost = 0, sender_id = , status_name = , message = Code: 1234, country = , "
    "operator = , region = , mccmnc = , type = 0, sms_cnt = 1, ID = order-5, "
    "int_id = 100020\n",
    C: "1,02.03.2026 10:15:30,1772435730,0,02.03.2026 10:15:02,1772435702,79990001122,3.80,"
    "Shop,Delivered,Hello, world,Russia,MTS,Moscow,25001,0,1,17,100021\n"
    "20,02.03.2026 11:00:00,1772438400,1,02.03.2026 10:15:02,1772435702,79991112233,0,,,"
    "Code: 1234,,,,,0,1,order-5,100020\n",
    X: "<list>\n<sms>\n<status>1</status>\n<last_date>02.03.2026 10:15:30</last_date>\n"
    "<last_timestamp>1772435730</last_timestamp>\n<err>0</err>\n"
    "<send_date>02.03.2026 10:15:02</send_date>\n<send_timestamp>1772435702</send_timestamp>\n"
    "<phone>79990001122</phone>\n<cost>3.80</cost>\n<sender_id>Shop</sender_id>\n"
    "<status_name>Delivered</status_name>\n<message>Hello, world</message>\n"
    "<country>Russia</country>\n<operator>MTS</operator>\n<region>Moscow</region>\n"
    "<mccmnc>25001</mccmnc>\n<type>0</type>\n<sms_cnt>1</sms_cnt>\n<id>17</id>\n"
    "<int_id>100021</int_id>\n</sms>\n"
    "<sms>\n<status>20</status>\n<last_date>02.03.2026 11:00:00</last_date>\n"
    "<last_timestamp>1772438400</last_timestamp>\n<err>1</err>\n"
    "<send_date>02.03.2026 10:15:02</send_date>\n<send_timestamp>1772435702</send_timestamp>\n"
    "<phone>79991112233</phone>\n<cost>0</cost>\n<sender_id></sender_id>\n"
    "<status_name></status_name>\n<message>Code: 1234</message>\n<country></country>\n"
    "<operator></operator>\n<region></region>\n<mccmnc></mccmnc>\n<type>0</type>\n"
    "<sms_cnt>1</sms_cnt>\n<id>order-5</id>\n<int_id>100020</int_id>\n</sms>\n</list>",
    J: '[{\n"status": 1,\n"last_date": "02.03.2026 10:15:30",\n"last_timestamp": 1772435730,\n'
    '"err": 0,\n"send_date": "02.03.2026 10:15:02",\n"send_timestamp": 1772435702,\n'
    '"phone": "79990001122",\n"cost": "3.80",\n"sender_id": "Shop",\n'
    '"status_name": "Delivered",\n"message": "Hello, world",\n"country": "Russia",\n'
    '"operator": "MTS",\n"region": "Moscow",\n"mccmnc": "25001",\n"type": 0,\n"sms_cnt": 1,\n'
    '"id": 17,\n"int_id": 100021\n},\n'
    '{\n"status": 20,\n"last_date": "02.03.2026 11:00:00",\n"last_timestamp": 1772438400,\n'
    '"err": 1,\n"send_date": "02.03.2026 10:15:02",\n"send_timestamp": 1772435702,\n'
    '"phone": "79991112233",\n"cost": "0",\n"sender_id": "",\n"status_name": "",\n'
    '"message": "Code: 1234",\n"country": "",\n"operator": "",\n"region": "",\n"mccmnc": "",\n'
    '"type": 0,\n"sms_cnt": 1,\n"id": "order-5",\n"int_id": 100020\n}]',
}
SENT = dt.datetime(2026, 3, 2, 10, 15, 2, tzinfo=MSK)
DELIVERED = SentMessage(
    int_id=100021,
    phone="79990001122",
    status=MessageStatus.DELIVERED,
    id="17",
    err=DeliveryError.NONE,
    last_date=dt.datetime(2026, 3, 2, 10, 15, 30, tzinfo=MSK),
    last_timestamp=1772435730,
    send_date=SENT,
    send_timestamp=1772435702,
    cost=Decimal("3.80"),
    sender_id="Shop",
    status_name="Delivered",
    message="Hello, world",
    country="Russia",
    operator="MTS",
    region="Moscow",
    mccmnc="25001",
    type=MessageType.SMS,
    sms_cnt=1,
)
FAILED = SentMessage(
    int_id=100020,
    phone="79991112233",
    status=MessageStatus.UNDELIVERABLE,
    id="order-5",
    err=DeliveryError.NO_SUBSCRIBER,
    last_date=dt.datetime(2026, 3, 2, 11, 0, tzinfo=MSK),
    last_timestamp=1772438400,
    send_date=SENT,
    send_timestamp=1772435702,
    cost=Decimal(0),
    message="Code: 1234",
    type=MessageType.SMS,
    sms_cnt=1,
)

INBOX: Bodies = {
    L: "id = 501, received = 02.03.2026 10:20:00, phone = 79990001122, message = Yes, thanks, "
    "to_phone = 79001234567, sent = 02.03.2026 10:19:58\n"
    "id = 502, received = 02.03.2026 10:21:00, phone = 79991112233, message = STOP, "
    "to_phone = , sent = 02.03.2026 10:21:00\n",
    C: "501,02.03.2026 10:20:00,79990001122,Yes, thanks,79001234567,02.03.2026 10:19:58\n"
    "502,02.03.2026 10:21:00,79991112233,STOP,,02.03.2026 10:21:00\n",
    X: "<list>\n<answer>\n<id>501</id>\n<received>02.03.2026 10:20:00</received>\n"
    "<phone>79990001122</phone>\n<message>Yes, thanks</message>\n"
    "<to_phone>79001234567</to_phone>\n<sent>02.03.2026 10:19:58</sent>\n</answer>\n"
    "<answer>\n<id>502</id>\n<received>02.03.2026 10:21:00</received>\n"
    "<phone>79991112233</phone>\n<message>STOP</message>\n<to_phone></to_phone>\n"
    "<sent>02.03.2026 10:21:00</sent>\n</answer>\n</list>",
    J: '[{\n"id": 501,\n"received": "02.03.2026 10:20:00",\n"phone": "79990001122",\n'
    '"message": "Yes, thanks",\n"to_phone": "79001234567",\n"sent": "02.03.2026 10:19:58"\n},\n'
    '{\n"id": 502,\n"received": "02.03.2026 10:21:00",\n"phone": "79991112233",\n'
    '"message": "STOP",\n"to_phone": "",\n"sent": "02.03.2026 10:21:00"\n}]',
}
ANSWERS = [
    IncomingMessage(
        501,
        "79990001122",
        "Yes, thanks",
        dt.datetime(2026, 3, 2, 10, 20, tzinfo=MSK),
        "79001234567",
        dt.datetime(2026, 3, 2, 10, 19, 58, tzinfo=MSK),
    ),
    IncomingMessage(
        502,
        "79991112233",
        "STOP",
        dt.datetime(2026, 3, 2, 10, 21, tzinfo=MSK),
        None,
        dt.datetime(2026, 3, 2, 10, 21, tzinfo=MSK),
    ),
]

STATS: Bodies = {
    L: "login = demo, cnt = 120, credit = 1000.00, debit = 456.00, currency = RUB\n"
    "login = shop1, cnt = 0, credit = 0.00, debit = 0.00, currency = RUB\n",
    C: "demo,120,1000.00,456.00,RUB\nshop1,0,0.00,0.00,RUB\n",
    X: "<list>\n<stat>\n<login>demo</login>\n<cnt>120</cnt>\n<credit>1000.00</credit>\n"
    "<debit>456.00</debit>\n<currency>RUB</currency>\n</stat>\n<stat>\n<login>shop1</login>\n"
    "<cnt>0</cnt>\n<credit>0.00</credit>\n<debit>0.00</debit>\n<currency>RUB</currency>\n"
    "</stat>\n</list>",
    J: '[{\n"login": "demo",\n"cnt": 120,\n"credit": "1000.00",\n"debit": "456.00",\n'
    '"currency": "RUB"\n},\n{\n"login": "shop1",\n"cnt": 0,\n"credit": "0.00",\n'
    '"debit": "0.00",\n"currency": "RUB"\n}]',
}
USAGE = [
    AccountStats("demo", 120, Decimal("1000.00"), Decimal("456.00"), "RUB"),
    AccountStats("shop1", 0, Decimal("0.00"), Decimal("0.00"), "RUB"),
]

OPERATOR: Bodies = {
    L: "country = Russia, operator = MTS, region = Moscow and Moscow Oblast, mcc = 250, "
    "mnc = 01, tz = 3",
    C: "Russia,MTS,Moscow and Moscow Oblast,250,01,3",
    X: "<result>\n<country>Russia</country>\n<operator>MTS</operator>\n"
    "<region>Moscow and Moscow Oblast</region>\n<mcc>250</mcc>\n<mnc>01</mnc>\n<tz>3</tz>\n"
    "</result>",
    J: '{\n"country": "Russia",\n"operator": "MTS",\n"region": "Moscow and Moscow Oblast",\n'
    '"mcc": 250,\n"mnc": "01",\n"tz": 3\n}',
}
MTS = OperatorInfo("MTS", "Russia", "Moscow and Moscow Oblast", "250", "01", 3)

NOT_FOUND: Bodies = {
    L: "ERROR = 3 (operator not found)",
    C: "0,-3",
    X: "<result>\n<error>operator not found</error>\n<error_code>3</error_code>\n</result>",
    J: '{\n"error": "operator not found",\n"error_code": 3\n}',
}

CASES: dict[str, tuple[Command[Any], Bodies, Any]] = {
    "history": (GET_MESSAGES, HISTORY, [DELIVERED, FAILED]),
    "inbox": (GET_ANSWERS, INBOX, ANSWERS),
    "stats": (GET_STAT, STATS, USAGE),
    "operator": (GET_OPERATOR, OPERATOR, MTS),
}


decode = decode_as


@pytest.mark.parametrize("case", list(CASES))
def test_each_format_decodes_to_the_expected_model(case: str, fmt: Format) -> None:
    """Each reply decodes to the model written out by hand."""
    command, bodies, expected = CASES[case]
    assert expected == decode(command, bodies[fmt], fmt)


@pytest.mark.parametrize("case", list(CASES))
def test_all_formats_decode_equal(case: str) -> None:
    """The four formats of one reply decode to equal models."""
    command, bodies, _ = CASES[case]
    decoded = [decode(command, bodies[fmt], fmt) for fmt in Format]
    assert [decoded[0]] * 4 == decoded


def test_operator_not_found_is_error_3_raised_as_not_found(fmt: Format) -> None:
    """Error 3 of info.php ("operator not found", spec §5.4) is read in every format as NotFound."""
    reply = decode(GET_OPERATOR, NOT_FOUND[fmt], fmt)
    assert isinstance(reply, ErrorReply)
    assert 3 == reply.code
    assert issubclass(api_error_class(reply.code, script="info.php"), NotFoundError)


def test_history_keyed_formats_read_a_text_with_key_like_commas() -> None:
    """A text holding ", word" stays whole in fmt=0, since only known keys cut the line."""
    body = HISTORY[L].splitlines()[0].replace("Hello, world", "Hi, see you, bye")
    (message,) = decode(GET_MESSAGES, body, L)
    assert "Hi, see you, bye" == message.message


def test_history_fmt1_gives_surplus_commas_to_the_text() -> None:
    """Several commas in the text of an fmt=1 line all stay in the text: its only free column."""
    body = HISTORY[C].splitlines()[0].replace("Hello, world", "a,b,,c")
    (message,) = decode(GET_MESSAGES, body, C)
    assert ("a,b,,c", 100021) == (message.message, message.int_id)


def test_history_fmt0_line_with_a_repeated_key_is_refused() -> None:
    """A text that repeats a known key (", region = x") makes the line ambiguous: ParseError."""
    body = HISTORY[L].splitlines()[0].replace("Hello, world", "Hi, region = Tver")
    with pytest.raises(ParseError, match="twice"):
        decode(GET_MESSAGES, body, L)


def test_history_unknown_fields_are_kept_in_extra() -> None:
    """A field the model does not know (a comment, say) lands in extra, not an error."""
    body = '[{"int_id": 5, "phone": "79990001122", "status": 1, "comment": "x", "flag": 256}]'
    (message,) = decode(GET_MESSAGES, body, J)
    assert {"comment": "x", "flag": "256"} == message.extra


def test_history_needs_the_global_id() -> None:
    """A history row without int_id cannot be paged by: ParseError, not a silent zero."""
    body = '[{"phone": "79990001122", "status": 1}]'
    with pytest.raises(ParseError, match="int_id"):
        decode(GET_MESSAGES, body, J)


def test_operator_mccmnc_joins_the_codes() -> None:
    """mccmnc is mcc and mnc together, None while either is missing."""
    assert ("25001", None) == (MTS.mccmnc, OperatorInfo("MTS", mcc="250").mccmnc)


def test_history_codes_decode_to_their_enums(fmt: Format) -> None:
    """Status, err and type are MessageStatus, DeliveryError and MessageType in every format."""
    messages = decode(GET_MESSAGES, HISTORY[fmt], fmt)
    assert [MessageStatus.DELIVERED, MessageStatus.UNDELIVERABLE] == [m.status for m in messages]
    assert all(isinstance(m.status, MessageStatus) for m in messages)
    assert all(isinstance(m.err, DeliveryError) for m in messages)
    assert all(isinstance(m.type, MessageType) for m in messages)


def test_history_keeps_codes_it_does_not_know() -> None:
    """A status, err or type code added by the server later is kept, by number, not refused."""
    body = '[{"int_id": 5, "phone": "79990001122", "status": 27, "err": 300, "type": 11}]'
    (message,) = decode(GET_MESSAGES, body, J)
    assert ("UNKNOWN_27", 300, 11) == (message.status.name, message.err, message.type)
