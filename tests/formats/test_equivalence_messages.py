"""Every reply of send.php, status.php and balance.php, typed by hand, is one model in all formats.

The layouts are spec §2.2, §2.4, §3.2 and §4, with the recorded replies where there are
some (fmt=3 send, status and balance; the fmt=1 docs examples; ``OK - 1 SMS, ID - 279``).
Where the docs show none (op=1 rows, fmt=0 status keys beyond ``check_time``, fmt=1 rows
about several messages, balance with ``cur=1`` in fmt=0/1) they follow the SDK's assumptions,
which the emulator shares. fmt=0 status lines carry dates and fmt=1 timestamps only, as the
docs show; the models fill in the other.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from smsc_async import (
    Balance,
    DeliveryError,
    Format,
    HlrInfo,
    InvalidNumberError,
    MessageCost,
    MessageStatus,
    MessageType,
    RateLimitError,
    Sent,
    SentPhone,
    StatusReport,
)
from smsc_async._commands import Command
from smsc_async.errors import InsufficientFundsError, api_error_class
from smsc_async.formats import ErrorReply
from smsc_async.resources.balance import GET_BALANCE
from smsc_async.resources.messages import (
    COST,
    SEND,
    SEND_WITH_BALANCE,
    SEND_WITH_COST,
    STATUS,
    STATUS_MANY,
)
from tests._support import decode_as

Bodies = dict[Format, str]
L, C, X, J = Format.LINES, Format.CSV, Format.XML, Format.JSON
MSK = dt.timezone(dt.timedelta(hours=3))

# -- send.php ------------------------------------------------------------------------------

SENT: Bodies = {
    L: "OK - 1 SMS, ID - 279",
    C: "279,1",
    X: "<result>\n<id>279</id>\n<cnt>1</cnt>\n</result>",
    J: '{\n"id": 279,\n"cnt": 1\n}',
}
SENT_COST: Bodies = {
    L: "OK - 2 SMS, ID - 12345, COST - 4.48",
    C: "12345,2,4.48",
    X: "<result>\n<id>12345</id>\n<cnt>2</cnt>\n<cost>4.48</cost>\n</result>",
    J: '{\n"cnt": 2,\n"id": 12345,\n"cost": "4.48"\n}',
}
SENT_BALANCE: Bodies = {
    L: "OK - 1 SMS, ID - 63, COST - 3.80, BALANCE - 286.55",
    C: "63,1,3.80,286.55",
    X: "<result>\n<id>63</id>\n<cnt>1</cnt>\n<cost>3.80</cost>\n<balance>286.55</balance>\n"
    "</result>",
    J: '{\n"id": 63,\n"cnt": 1,\n"cost": "3.80",\n"balance": "286.55"\n}',
}
SENT_TEXT_ID: Bodies = {
    L: "OK - 3 SMS, ID - order-17.a_b",
    C: "order-17.a_b,3",
    X: "<result>\n<id>order-17.a_b</id>\n<cnt>3</cnt>\n</result>",
    J: '{\n"id": "order-17.a_b",\n"cnt": 3\n}',
}
SENT_DETAILS: Bodies = {
    L: "OK - 2 SMS, ID - 5, COST - 2.80\n"
    "phone = 79991234567, mccmnc = 25001, cost = 1.40, status = -1, error = 0\n"
    "phone = 79990000000, mccmnc = 25099, cost = 1.40, status = 22, error = 249\n",
    C: "5,2,2.80\n79991234567,25001,1.40,-1,0\n79990000000,25099,1.40,22,249\n",
    X: "<result>\n<id>5</id>\n<cnt>2</cnt>\n<cost>2.80</cost>\n<phones>\n"
    "<item>\n<phone>79991234567</phone>\n<mccmnc>25001</mccmnc>\n<cost>1.40</cost>\n"
    "<status>-1</status>\n<error>0</error>\n</item>\n"
    "<item>\n<phone>79990000000</phone>\n<mccmnc>25099</mccmnc>\n<cost>1.40</cost>\n"
    "<status>22</status>\n<error>249</error>\n</item>\n</phones>\n</result>",
    J: '{\n"id": 5,\n"cnt": 2,\n"cost": "2.80",\n"phones": [{\n"phone": "79991234567",\n'
    '"mccmnc": "25001",\n"cost": "1.40",\n"status": "-1",\n"error": "0"\n},\n{\n'
    '"phone": "79990000000",\n"mccmnc": "25099",\n"cost": "1.40",\n"status": "22",\n'
    '"error": "249"\n}]\n}',
}
DETAILS = (
    SentPhone("79991234567", "25001", Decimal("1.40"), MessageStatus.WAITING, DeliveryError.NONE),
    SentPhone(
        "79990000000",
        "25099",
        Decimal("1.40"),
        MessageStatus.INVALID_NUMBER,
        DeliveryError.INVALID_NUMBER_FORMAT,
    ),
)
PRICE: Bodies = {
    L: "OK - 2 SMS, COST - 4.48",
    C: "4.48,2",
    X: "<result>\n<cnt>2</cnt>\n<cost>4.48</cost>\n</result>",
    J: '{\n"cnt": 2,\n"cost": 4.48\n}',
}

# -- status.php ----------------------------------------------------------------------------

CHANGED = dt.datetime(2016, 10, 18, 15, 34, 12, tzinfo=MSK)  # = 1476794052
SENT_AT = dt.datetime(2016, 10, 18, 15, 34, tzinfo=MSK)  # = 1476794040

STATUS_BASIC: Bodies = {
    L: "Status = 1, check_time = 18.10.2016 15:34:12, err = 0",
    C: "1,1476794052,0",
    X: "<sms>\n<status>1</status>\n<last_date>18.10.2016 15:34:12</last_date>\n"
    "<last_timestamp>1476794052</last_timestamp>\n</sms>",
    # Recorded from the real server: no "err" at all.
    J: '{\n"status": 1,\n"last_date": "18.10.2016 15:34:12",\n"last_timestamp": 1476794052\n}',
}
BASIC = StatusReport(MessageStatus.DELIVERED, CHANGED, 1476794052)
STATUS_DOCS_EXAMPLE: Bodies = {  # the docs' fmt=1 example has no err column
    L: "Status = 1, check_time = 18.10.2016 15:34:12",
    C: "1,1476794052",
    X: "<sms><status>1</status><last_timestamp>1476794052</last_timestamp></sms>",
    J: '{"status": 1, "last_timestamp": 1476794052}',
}
STATUS_FULL: Bodies = {
    L: "Status = 20, check_time = 18.10.2016 15:34:12, err = 1, "
    "send_date = 18.10.2016 15:34:00, phone = 79991234567, cost = 1.40, sender_id = SMSC.RU, "
    "status_name = Undeliverable, message = Hello, world, x + y = z",
    C: "20,1476794052,1,1476794040,79991234567,1.40,SMSC.RU,Undeliverable,Hello, world, x + y = z",
    X: "<sms>\n<status>20</status>\n<last_date>18.10.2016 15:34:12</last_date>\n"
    "<last_timestamp>1476794052</last_timestamp>\n<err>1</err>\n"
    "<send_date>18.10.2016 15:34:00</send_date>\n<send_timestamp>1476794040</send_timestamp>\n"
    "<phone>79991234567</phone>\n<cost>1.40</cost>\n<sender_id>SMSC.RU</sender_id>\n"
    "<status_name>Undeliverable</status_name>\n<message>Hello, world, x + y = z</message>\n"
    "</sms>",
    J: '{\n"status": 20,\n"last_date": "18.10.2016 15:34:12",\n"last_timestamp": 1476794052,\n'
    '"err": 1,\n"send_date": "18.10.2016 15:34:00",\n"send_timestamp": 1476794040,\n'
    '"phone": "79991234567",\n"cost": "1.40",\n"sender_id": "SMSC.RU",\n'
    '"status_name": "Undeliverable",\n"message": "Hello, world, x + y = z"\n}',
}
FULL = StatusReport(
    MessageStatus.UNDELIVERABLE,
    CHANGED,
    1476794052,
    DeliveryError.NO_SUBSCRIBER,
    phone="79991234567",
    send_date=SENT_AT,
    send_timestamp=1476794040,
    cost=Decimal("1.40"),
    sender_id="SMSC.RU",
    status_name="Undeliverable",
    message="Hello, world, x + y = z",
)
STATUS_LOCATION: Bodies = {
    L: "Status = 1, check_time = 18.10.2016 15:34:12, err = 0, "
    "send_date = 18.10.2016 15:34:00, phone = 79991234567, country = Russia, operator = MTS, "
    "region = Moscow, cost = 1.40, sender_id = Shop, status_name = Delivered, message = Hi",
    C: "1,1476794052,0,1476794040,79991234567,Russia,MTS,Moscow,1.40,Shop,Delivered,Hi",
    X: "<sms><status>1</status><last_date>18.10.2016 15:34:12</last_date>"
    "<last_timestamp>1476794052</last_timestamp><send_date>18.10.2016 15:34:00</send_date>"
    "<send_timestamp>1476794040</send_timestamp><phone>79991234567</phone>"
    "<country>Russia</country><operator>MTS</operator><region>Moscow</region>"
    "<cost>1.40</cost><sender_id>Shop</sender_id><status_name>Delivered</status_name>"
    "<message>Hi</message></sms>",
    J: '{"status": 1, "last_date": "18.10.2016 15:34:12", "last_timestamp": 1476794052, '
    '"send_date": "18.10.2016 15:34:00", "send_timestamp": 1476794040, '
    '"phone": "79991234567", "country": "Russia", "operator": "MTS", "region": "Moscow", '
    '"cost": "1.40", "sender_id": "Shop", "status_name": "Delivered", "message": "Hi"}',
}
LOCATION = StatusReport(
    MessageStatus.DELIVERED,
    CHANGED,
    1476794052,
    phone="79991234567",
    send_date=SENT_AT,
    send_timestamp=1476794040,
    cost=Decimal("1.40"),
    sender_id="Shop",
    status_name="Delivered",
    message="Hi",
    country="Russia",
    operator="MTS",
    region="Moscow",
)
_HLR_LINE = (
    "imsi = 250011234567890, msc = 79168880000, mcc = 250, mnc = 01, cn = Russia, net = MTS, "
    "rcn = , rnet = "
)
_HLR_XML = (
    "<imsi>250011234567890</imsi><msc>79168880000</msc><mcc>250</mcc><mnc>01</mnc>"
    "<cn>Russia</cn><net>MTS</net><rcn></rcn><rnet></rnet>"
)
_HLR_JSON = (
    '"imsi": "250011234567890", "msc": "79168880000", "mcc": "250", "mnc": "01", '
    '"cn": "Russia", "net": "MTS", "rcn": "", "rnet": ""'
)
HLR = HlrInfo("250011234567890", "79168880000", "250", "01", "Russia", "MTS")
STATUS_HLR: Bodies = {
    L: f"Status = 1, check_time = 18.10.2016 15:34:12, err = 0, {_HLR_LINE}",
    C: "1,1476794052,0,250011234567890,79168880000,250,01,Russia,MTS,,",
    X: f"<sms><status>1</status><last_date>18.10.2016 15:34:12</last_date>"
    f"<last_timestamp>1476794052</last_timestamp>{_HLR_XML}</sms>",
    J: f'{{"status": 1, "last_date": "18.10.2016 15:34:12", "last_timestamp": 1476794052, '
    f"{_HLR_JSON}}}",
}
STATUS_HLR_FULL: Bodies = {
    L: f"Status = 1, check_time = 18.10.2016 15:34:12, err = 0, {_HLR_LINE}, "
    "send_date = 18.10.2016 15:34:00, phone = 79991234567, cost = 0.20, sender_id = HLR, "
    "status_name = Delivered, message = ",
    C: "1,1476794052,0,250011234567890,79168880000,250,01,Russia,MTS,,,1476794040,79991234567,"
    "0.20,HLR,Delivered,",
    X: f"<sms><status>1</status><last_date>18.10.2016 15:34:12</last_date>"
    f"<last_timestamp>1476794052</last_timestamp>{_HLR_XML}"
    "<send_date>18.10.2016 15:34:00</send_date><send_timestamp>1476794040</send_timestamp>"
    "<phone>79991234567</phone><cost>0.20</cost><sender_id>HLR</sender_id>"
    "<status_name>Delivered</status_name><message></message></sms>",
    J: f'{{"status": 1, "last_date": "18.10.2016 15:34:12", "last_timestamp": 1476794052, '
    f'{_HLR_JSON}, "send_date": "18.10.2016 15:34:00", "send_timestamp": 1476794040, '
    '"phone": "79991234567", "cost": "0.20", "sender_id": "HLR", "status_name": "Delivered", '
    '"message": ""}',
}
HLR_FULL = StatusReport(
    MessageStatus.DELIVERED,
    CHANGED,
    1476794052,
    phone="79991234567",
    send_date=SENT_AT,
    send_timestamp=1476794040,
    cost=Decimal("0.20"),
    sender_id="HLR",
    status_name="Delivered",
    hlr=HLR,
)
STATUS_NOT_FOUND: Bodies = {
    L: "Status = -3",
    C: "-3",
    X: "<sms><status>-3</status></sms>",
    J: '{"status": -3}',
}

# Two messages and one SMSC does not know (the recorded fmt=3 reply, spec §3.2).
MANY_BASIC: Bodies = {
    L: "Status = 1, check_time = 15.08.2021 20:27:22, err = 0, ID = 182, phone = 89995190557\n"
    "Status = 25, check_time = 15.08.2021 20:02:03, err = 6, ID = 181, phone = 89995190557\n"
    "Status = -3, ID = 138, phone = 89995190557\n",
    C: "1,1629048442,0,182,89995190557\n25,1629046923,6,181,89995190557\n-3,138,89995190557\n",
    X: "<list>\n<sms><status>1</status><last_date>15.08.2021 20:27:22</last_date>"
    "<last_timestamp>1629048442</last_timestamp><id>182</id><phone>89995190557</phone></sms>\n"
    "<sms><status>25</status><last_date>15.08.2021 20:02:03</last_date>"
    "<last_timestamp>1629046923</last_timestamp><err>6</err><id>181</id>"
    "<phone>89995190557</phone></sms>\n"
    "<sms><status>-3</status><id>138</id><phone>89995190557</phone></sms>\n</list>",
    J: '[{"status": 1, "last_date": "15.08.2021 20:27:22", "last_timestamp": 1629048442, '
    '"id": 182, "phone": "89995190557"}, {"status": 25, "last_date": "15.08.2021 20:02:03", '
    '"last_timestamp": 1629046923, "err": 6, "id": 181, "phone": "89995190557"}, '
    '{"status": -3, "id": 138, "phone": "89995190557"}]',
}
MANY = [
    StatusReport(
        MessageStatus.DELIVERED,
        dt.datetime(2021, 8, 15, 20, 27, 22, tzinfo=MSK),
        1629048442,
        id="182",
        phone="89995190557",
    ),
    StatusReport(
        MessageStatus.UNAVAILABLE_NUMBER,
        dt.datetime(2021, 8, 15, 20, 2, 3, tzinfo=MSK),
        1629046923,
        DeliveryError.SUBSCRIBER_OFFLINE,
        id="181",
        phone="89995190557",
    ),
    StatusReport(MessageStatus.NOT_FOUND, id="138", phone="89995190557"),
]
MANY_FULL: Bodies = {
    L: "Status = 1, check_time = 18.10.2016 15:34:12, err = 0, send_date = 18.10.2016 15:34:00, "
    "phone = 79991234567, cost = 1.40, sender_id = Shop, status_name = Delivered, "
    "message = Hi, you, ID = 7\n"
    "Status = 1, check_time = 18.10.2016 15:34:12, err = 0, send_date = 18.10.2016 15:34:00, "
    "phone = 79990000000, cost = 1.40, sender_id = Shop, status_name = Delivered, "
    "message = Hi, ID = 7\n",
    C: "1,1476794052,0,1476794040,79991234567,1.40,Shop,Delivered,Hi, you,7\n"
    "1,1476794052,0,1476794040,79990000000,1.40,Shop,Delivered,Hi,7\n",
    X: "<list><sms><status>1</status><last_date>18.10.2016 15:34:12</last_date>"
    "<last_timestamp>1476794052</last_timestamp><send_date>18.10.2016 15:34:00</send_date>"
    "<send_timestamp>1476794040</send_timestamp><phone>79991234567</phone><cost>1.40</cost>"
    "<sender_id>Shop</sender_id><status_name>Delivered</status_name>"
    "<message>Hi, you</message><id>7</id></sms>"
    "<sms><status>1</status><last_date>18.10.2016 15:34:12</last_date>"
    "<last_timestamp>1476794052</last_timestamp><send_date>18.10.2016 15:34:00</send_date>"
    "<send_timestamp>1476794040</send_timestamp><phone>79990000000</phone><cost>1.40</cost>"
    "<sender_id>Shop</sender_id><status_name>Delivered</status_name>"
    "<message>Hi</message><id>7</id></sms></list>",
    J: '[{"status": 1, "last_date": "18.10.2016 15:34:12", "last_timestamp": 1476794052, '
    '"send_date": "18.10.2016 15:34:00", "send_timestamp": 1476794040, '
    '"phone": "79991234567", "cost": "1.40", "sender_id": "Shop", "status_name": "Delivered", '
    '"message": "Hi, you", "id": 7}, {"status": 1, "last_date": "18.10.2016 15:34:12", '
    '"last_timestamp": 1476794052, "send_date": "18.10.2016 15:34:00", '
    '"send_timestamp": 1476794040, "phone": "79990000000", "cost": "1.40", '
    '"sender_id": "Shop", "status_name": "Delivered", "message": "Hi", "id": 7}]',
}


def _full_many(phone: str, message: str) -> StatusReport:
    return StatusReport(
        MessageStatus.DELIVERED,
        CHANGED,
        1476794052,
        id="7",
        phone=phone,
        send_date=SENT_AT,
        send_timestamp=1476794040,
        cost=Decimal("1.40"),
        sender_id="Shop",
        status_name="Delivered",
        message=message,
    )


# -- balance.php ---------------------------------------------------------------------------

BALANCE: Bodies = {
    L: "250.80",
    C: "250.80",
    X: "<result>\n<balance>250.80</balance>\n</result>",
    J: '{\n"balance": "250.80"\n}',  # as recorded: a string, no indentation
}
BALANCE_CURRENCY: Bodies = {
    L: "250.80,RUR",
    C: "250.80,RUR",
    X: "<result><balance>250.80</balance><currency>RUR</currency></result>",
    J: '{"balance": "250.80", "currency": "RUR"}',
}
BALANCE_CREDIT: Bodies = {
    L: "250.80,1000.00,KZT",
    C: "250.80,1000.00,KZT",
    X: "<result><balance>250.80</balance><credit>1000.00</credit><currency>KZT</currency></result>",
    J: '{"balance": "250.80", "credit": "1000.00", "currency": "KZT"}',
}

CASES: dict[str, tuple[Command[Any], dict[str, str], Bodies, Any]] = {
    "send": (SEND, {}, SENT, Sent("279", 1)),
    "send-cost2": (SEND_WITH_COST, {"cost": "2"}, SENT_COST, Sent("12345", 2, Decimal("4.48"))),
    "send-cost3": (
        SEND_WITH_BALANCE,
        {"cost": "3"},
        SENT_BALANCE,
        Sent("63", 1, Decimal("3.80"), Decimal("286.55")),
    ),
    "send-text-id": (SEND, {}, SENT_TEXT_ID, Sent("order-17.a_b", 3)),
    "send-op": (
        SEND_WITH_COST,
        {"cost": "2", "op": "1"},
        SENT_DETAILS,
        Sent("5", 2, Decimal("2.80"), phones=DETAILS),
    ),
    "cost1": (COST, {"cost": "1"}, PRICE, MessageCost(Decimal("4.48"), 2)),
    "status": (STATUS, {}, STATUS_BASIC, BASIC),
    "status-docs-example": (STATUS, {}, STATUS_DOCS_EXAMPLE, BASIC),
    "status-all1": (STATUS, {"all": "1"}, STATUS_FULL, FULL),
    "status-all2": (STATUS, {"all": "2"}, STATUS_LOCATION, LOCATION),
    "status-hlr": (STATUS, {}, STATUS_HLR, StatusReport(MessageStatus(1), CHANGED, hlr=HLR)),
    "status-hlr-all1": (STATUS, {"all": "1"}, STATUS_HLR_FULL, HLR_FULL),
    "status-not-found": (STATUS, {}, STATUS_NOT_FOUND, StatusReport(MessageStatus.NOT_FOUND)),
    "status-many": (STATUS_MANY, {}, MANY_BASIC, MANY),
    "status-many-all1": (
        STATUS_MANY,
        {"all": "1"},
        MANY_FULL,
        [_full_many("79991234567", "Hi, you"), _full_many("79990000000", "Hi")],
    ),
    "balance": (GET_BALANCE, {}, BALANCE, Balance(Decimal("250.80"))),
    "balance-cur": (GET_BALANCE, {"cur": "1"}, BALANCE_CURRENCY, Balance(Decimal("250.80"), "RUR")),
    "balance-credit": (
        GET_BALANCE,
        {"cur": "1"},
        BALANCE_CREDIT,
        Balance(Decimal("250.80"), "KZT", Decimal("1000.00")),
    ),
}


def decode(command: Command[Any], params: dict[str, str], body: str, fmt: Format) -> Any:
    """Decode ``body`` as the reply in ``fmt`` to ``command`` with ``params``."""
    return decode_as(command, body, fmt, params)


@pytest.mark.parametrize("case", list(CASES))
def test_each_format_decodes_to_the_expected_model(case: str, fmt: Format) -> None:
    """Each reply decodes to the model written out by hand."""
    command, params, bodies, expected = CASES[case]
    assert expected == decode(command, params, bodies[fmt], fmt)


@pytest.mark.parametrize("case", list(CASES))
def test_all_formats_decode_equal(case: str) -> None:
    """The four formats of one reply decode to equal models."""
    command, params, bodies, _ = CASES[case]
    decoded = [decode(command, params, bodies[fmt], fmt) for fmt in Format]
    assert [decoded[0]] * 4 == decoded


ERRORS: dict[str, tuple[Bodies, int, str | None, type[Exception]]] = {
    "invalid-number-with-id": (
        {
            L: "ERROR = 7 (invalid number), ID - 541",
            C: "541,-7",
            X: "<result><error>invalid number</error><error_code>7</error_code><id>541</id>"
            "</result>",
            J: '{"error": "invalid number","error_code": 7,"id": 541}',
        },
        7,
        "541",
        InvalidNumberError,
    ),
    "no-money-with-text-id": (
        {
            L: "ERROR = 3 (no money), ID - order-17",
            C: "order-17,-3",
            X: "<result>\n<error>no money</error>\n<error_code>3</error_code>\n"
            "<id>order-17</id>\n</result>",
            J: '{\n"error": "no money",\n"error_code": 3,\n"id": "order-17"\n}',
        },
        3,
        "order-17",
        InsufficientFundsError,
    ),
    "duplicate-without-id": (
        {
            L: "ERROR = 9 (duplicate request, wait a minute)",
            C: "0,-9",
            X: "<result><error>duplicate request, wait a minute</error>"
            "<error_code>9</error_code></result>",
            J: '{"error": "duplicate request, wait a minute", "error_code": 9}',
        },
        9,
        None,
        RateLimitError,
    ),
}


@pytest.mark.parametrize("case", list(ERRORS))
def test_send_errors_carry_the_message_id_in_every_format(case: str, fmt: Format) -> None:
    """Errors 3, 6, 7, 8 name the message id, others none, and map to one class."""
    bodies, code, message_id, cls = ERRORS[case]
    error = decode(SEND, {}, bodies[fmt], fmt)
    assert isinstance(error, ErrorReply)
    assert (code, message_id, cls) == (error.code, error.id, api_error_class(code, "send.php"))


def test_a_message_type_and_an_unknown_code_are_kept() -> None:
    """A status row's type becomes MessageType, and a code SMSC adds later is kept."""
    body = '{"status": 77, "err": 300, "type": 10, "flag": 2, "last_timestamp": 0}'
    report = decode(STATUS, {"all": "1"}, body, J)
    assert (77, 300, MessageType.VIBER, {"flag": "2"}) == (
        report.status,
        report.err,
        report.type,
        dict(report.extra),
    )
    assert ("UNKNOWN_77", True, "unknown status 77") == (
        report.status.name,
        report.status.is_final,
        report.status.meaning,
    )
    assert (None, 0) == (report.last_date, report.last_timestamp)
