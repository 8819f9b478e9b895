"""Every documented reply shape, written by hand in all four formats, decodes to one model.

The bodies follow the layouts of seed 002 (sender names) and seed 003 (tariffs) line by
line, including SMSC's pretty JSON (one key per line, no indentation) and fmt=3 quoting the
operator statuses and id as strings with operators=1. They are typed here, not produced by
smsc_async.testing, so the decoders are checked against the documentation itself. For fmt=1
with operators=1 the docs give no layout: the SDK assumes fmt=0's key order.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from smsc_async import (
    Format,
    OperatorStatus,
    OperatorStatuses,
    OperatorTariff,
    Sender,
    SenderStatus,
    Tariffs,
    TariffZone,
)
from smsc_async._commands import Command
from smsc_async.formats import decode_reply
from smsc_async.models import SenderId
from smsc_async.resources.senders import ADD, CHANGE, CHECK_CODE, DELETE, LIST, SEND_CODE
from smsc_async.resources.tariffs import GET_PRICE

Bodies = dict[Format, str]
L, C, X, J = Format.LINES, Format.CSV, Format.XML, Format.JSON

# --- sender names (seed 002) -------------------------------------------------------------

SENDERS_ALL0: Bodies = {
    L: "name = my_shop, id = 5\nname = Shop, Ltd, id = 6\n",
    C: "my_shop,5\nShop, Ltd,6\n",
    X: '<list>\n<sender id="5">my_shop</sender>\n<sender id="6">Shop, Ltd</sender>\n</list>',
    J: '[{\n"sender": "my_shop",\n"id": 5\n},\n{\n"sender": "Shop, Ltd",\n"id": 6\n}]',
}
SENDERS_ALL1: Bodies = {
    L: "name = my_shop, status = 1, id = 5\nname = Shop, Ltd, status = 0, id = 6\n"
    "name = old, status = 2, id = 3\n",
    C: "my_shop,1,5\nShop, Ltd,0,6\nold,2,3\n",
    X: "<list>\n"
    '<sender status="1" id="5">my_shop</sender>\n'
    '<sender status="0" id="6">Shop, Ltd</sender>\n'
    '<sender status="2" id="3">old</sender>\n'
    "</list>",
    J: '[{\n"sender": "my_shop",\n"status": 1,\n"id": 5\n},\n'
    '{\n"sender": "Shop, Ltd",\n"status": 0,\n"id": 6\n},\n'
    '{\n"sender": "old",\n"status": 2,\n"id": 3\n}]',
}
# Per-operator statuses of the two names, in fmt=0's key order.
OPS_SHOP = {
    "mega_step": 2,
    "bee_step": 0,
    "motiv_step": 1,
    "mts_step": 3,
    "tele2_step": 4,
    "tele2": 5,
    "ua_reg": 8,
    "ua_int": 0,
    "mega_int": 1,
    "motiv_int": 3,
    "mts_int": 2,
}
OPS_DIGITAL = {
    "mega_step": 8,
    "bee_step": 5,
    "motiv_step": 4,
    "mts_step": 2,
    "tele2_step": 1,
    "tele2": 0,
    "ua_reg": 3,
    "ua_int": 2,
    "mega_int": 0,
    "motiv_int": 1,
    "mts_int": 4,
}
# fmt=2 and fmt=3 list them in the seed's own order, which differs from fmt=0's.
SEED_ORDER = (
    "mega_step",
    "mega_int",
    "bee_step",
    "motiv_step",
    "motiv_int",
    "mts_step",
    "mts_int",
    "tele2_step",
    "tele2",
    "ua_reg",
    "ua_int",
)


def _ops_lines(ops: dict[str, int]) -> str:
    return ", ".join(f"{key} = {value}" for key, value in ops.items())


def _ops_csv(ops: dict[str, int]) -> str:
    return ",".join(str(value) for value in ops.values())


def _ops_xml(ops: dict[str, int]) -> str:
    return " ".join(f'{key}="{ops[key]}"' for key in SEED_ORDER)


def _ops_json(ops: dict[str, int]) -> str:
    return "".join(f'"{key}": "{ops[key]}",\n' for key in SEED_ORDER)


SENDERS_OPERATORS: Bodies = {
    L: f"name = my_shop, {_ops_lines(OPS_SHOP)}, id = 5\n"
    f"name = 79991234567, {_ops_lines(OPS_DIGITAL)}, id = 8\n",
    C: f"my_shop,{_ops_csv(OPS_SHOP)},5\n79991234567,{_ops_csv(OPS_DIGITAL)},8\n",
    X: "<list>\n"
    f'<sender {_ops_xml(OPS_SHOP)} id="5">my_shop</sender>\n'
    f'<sender {_ops_xml(OPS_DIGITAL)} id="8">79991234567</sender>\n'
    "</list>",
    J: f'[{{\n"sender": "my_shop",\n{_ops_json(OPS_SHOP)}"id": "5"\n}},\n'
    f'{{\n"sender": "79991234567",\n{_ops_json(OPS_DIGITAL)}"id": "8"\n}}]',
}
SENDERS_ALL_OPERATORS: Bodies = {
    L: f"name = my_shop, status = 1, {_ops_lines(OPS_SHOP)}, id = 5\n"
    f"name = 79991234567, status = 0, {_ops_lines(OPS_DIGITAL)}, id = 8\n",
    C: f"my_shop,1,{_ops_csv(OPS_SHOP)},5\n79991234567,0,{_ops_csv(OPS_DIGITAL)},8\n",
    X: "<list>\n"
    f'<sender status="1" {_ops_xml(OPS_SHOP)} id="5">my_shop</sender>\n'
    f'<sender status="0" {_ops_xml(OPS_DIGITAL)} id="8">79991234567</sender>\n'
    "</list>",
    J: f'[{{\n"sender": "my_shop",\n"status": 1,\n{_ops_json(OPS_SHOP)}"id": "5"\n}},\n'
    f'{{\n"sender": "79991234567",\n"status": 0,\n{_ops_json(OPS_DIGITAL)}"id": "8"\n}}]',
}
SENDERS_EMPTY: Bodies = {L: "", C: "", X: "<list>\n</list>", J: "[]"}
ADD_REPLY: Bodies = {
    L: "ID = 1234",
    C: "1234",
    X: "<sender>\n<id>1234</id>\n</sender>",
    J: '{\n"sender": 1234\n}',
}
OK_REPLY: Bodies = {L: "OK", C: "OK", X: "<result>OK</result>", J: '{\n"result": "OK"\n}'}


def _statuses(ops: dict[str, int]) -> OperatorStatuses:
    return OperatorStatuses(**{key: OperatorStatus(value) for key, value in ops.items()})


SHOP_OPS = _statuses(OPS_SHOP)
DIGITAL_OPS = _statuses(OPS_DIGITAL)

# --- tariffs (seed 003) ------------------------------------------------------------------

TARIFFS_FULL: Bodies = {
    L: "zone = 1, name = Russia, MTS, api = 1.85, mass = 1.90, mms = 5.00, hlr = 0.20, "
    "call = 2.50\n"
    "zone = 2, name = Kazakhstan, Kcell, Almaty, api = 4.70, mass = 4.80, mms = , hlr = , "
    "call = \n"
    "zone = 3, name = Germany, api = 6.00, mass = 6.10, mms = , hlr = 0.30, call = \n"
    "\n"
    "mccmnc = 25001, cost = 1.60\n"
    "mccmnc = 25099, cost = 1.75\n"
    "\n"
    "mail = 0.05\n",
    C: "1,Russia, MTS,1.85,1.90,5.00,0.20,2.50\n"
    "2,Kazakhstan, Kcell, Almaty,4.70,4.80,,,\n"
    "3,Germany,6.00,6.10,,0.30,\n"
    "\n"
    "25001,1.60\n"
    "25099,1.75\n"
    "\n"
    "0.05\n",
    X: "<price>\n<zones>\n"
    '<zone name="Russia, MTS" api="1.85" mass="1.90" mms="5.00" hlr="0.20" call="2.50">'
    "1</zone>\n"
    '<zone name="Kazakhstan, Kcell, Almaty" api="4.70" mass="4.80" mms="" hlr="" call="">'
    "2</zone>\n"
    '<zone name="Germany" api="6.00" mass="6.10" mms="" hlr="0.30" call="">3</zone>\n'
    "</zones>\n<codes>\n"
    '<mccmnc cost="1.60">25001</mccmnc>\n'
    '<mccmnc cost="1.75">25099</mccmnc>\n'
    "</codes>\n<mail>0.05</mail>\n</price>",
    J: '{\n"zones": [{\n'
    '"zone": "1",\n"name": "Russia, MTS",\n"api": "1.85",\n"mass": "1.90",\n'
    '"mms": "5.00",\n"hlr": "0.20",\n"call": "2.50"\n},\n{\n'
    '"zone": "2",\n"name": "Kazakhstan, Kcell, Almaty",\n"api": "4.70",\n"mass": "4.80",\n'
    '"mms": "",\n"hlr": "",\n"call": ""\n},\n{\n'
    '"zone": "3",\n"name": "Germany",\n"api": "6.00",\n"mass": "6.10",\n'
    '"mms": "",\n"hlr": "0.30",\n"call": ""\n}],\n'
    '"codes": [{\n"mccmnc": "25001",\n"cost": "1.60"\n},\n{\n'
    '"mccmnc": "25099",\n"cost": "1.75"\n}],\n'
    '"mail": "0.05"\n}',
}
TARIFFS_ZONES_ONLY: Bodies = {
    L: "zone = 1, name = Russia, MTS, api = 1.85, mass = 1.90, mms = 5.00, hlr = , call = \n",
    C: "1,Russia, MTS,1.85,1.90,5.00,,\n",
    X: '<price>\n<zones>\n<zone name="Russia, MTS" api="1.85" mass="1.90" mms="5.00" hlr="" '
    'call="">1</zone>\n</zones>\n</price>',
    J: '{\n"zones": [{\n"zone": "1",\n"name": "Russia, MTS",\n"api": "1.85",\n'
    '"mass": "1.90",\n"mms": "5.00",\n"hlr": "",\n"call": ""\n}]\n}',
}

ZONE_RUSSIA = TariffZone(
    zone="1",
    name="Russia, MTS",
    api=Decimal("1.85"),
    mass=Decimal("1.90"),
    mms=Decimal("5.00"),
    hlr=Decimal("0.20"),
    call=Decimal("2.50"),
)

CASES: dict[str, tuple[Command[Any], dict[str, str], Bodies, Any]] = {
    "senders-all0": (LIST, {}, SENDERS_ALL0, [Sender("my_shop", 5), Sender("Shop, Ltd", 6)]),
    "senders-all1": (
        LIST,
        {"all": "1"},
        SENDERS_ALL1,
        [
            Sender("my_shop", 5, SenderStatus.ALLOWED),
            Sender("Shop, Ltd", 6, SenderStatus.MODERATION),
            Sender("old", 3, SenderStatus.DISABLED),
        ],
    ),
    "senders-operators": (
        LIST,
        {"operators": "1"},
        SENDERS_OPERATORS,
        [
            Sender("my_shop", 5, operators=SHOP_OPS),
            Sender("79991234567", 8, operators=DIGITAL_OPS),
        ],
    ),
    "senders-all-operators": (
        LIST,
        {"all": "1", "operators": "1"},
        SENDERS_ALL_OPERATORS,
        [
            Sender("my_shop", 5, SenderStatus.ALLOWED, SHOP_OPS),
            Sender("79991234567", 8, SenderStatus.MODERATION, DIGITAL_OPS),
        ],
    ),
    "senders-empty": (LIST, {}, SENDERS_EMPTY, []),
    "senders-add": (ADD, {"sender": "my_shop"}, ADD_REPLY, SenderId(1234)),
    "senders-chg": (CHANGE, {"sender": "my_shop"}, OK_REPLY, None),
    "senders-del": (DELETE, {"id": "5"}, OK_REPLY, None),
    "senders-send_code": (SEND_CODE, {"sender": "79999999999"}, OK_REPLY, None),
    "senders-check_code": (CHECK_CODE, {"code": "338824"}, OK_REPLY, None),
    "tariffs-full": (
        GET_PRICE,
        {},
        TARIFFS_FULL,
        Tariffs(
            zones=(
                ZONE_RUSSIA,
                TariffZone("2", "Kazakhstan, Kcell, Almaty", Decimal("4.70"), Decimal("4.80")),
                TariffZone("3", "Germany", Decimal("6.00"), Decimal("6.10"), hlr=Decimal("0.30")),
            ),
            codes=(
                OperatorTariff("25001", Decimal("1.60")),
                OperatorTariff("25099", Decimal("1.75")),
            ),
            mail=Decimal("0.05"),
        ),
    ),
    "tariffs-zones-only": (
        GET_PRICE,
        {},
        TARIFFS_ZONES_ONLY,
        Tariffs(
            zones=(TariffZone("1", "Russia, MTS", Decimal("1.85"), Decimal("1.90"), Decimal(5)),)
        ),
    ),
}


def decode(case: str, fmt: Format) -> Any:
    """Decode the case's body in ``fmt``, sent as UTF-8 with the request's parameters."""
    command, params, bodies, _ = CASES[case]
    return decode_reply(
        bodies[fmt].encode(),
        fmt=fmt,
        shape=command.shape,
        result_type=command.result_type,
        params={command.flag: "1", **params, "fmt": str(int(fmt))},
        header_charset="utf-8",
    )


@pytest.mark.parametrize("case", list(CASES))
def test_each_format_decodes_to_the_expected_model(case: str, fmt: Format) -> None:
    """Each documented reply decodes to the model written out by hand."""
    expected = CASES[case][3]
    assert expected == decode(case, fmt)


@pytest.mark.parametrize("case", list(CASES))
def test_all_formats_decode_equal(case: str) -> None:
    """The four formats of one reply decode to equal models."""
    decoded = [decode(case, fmt) for fmt in Format]
    assert [decoded[0]] * 4 == decoded


def test_operator_prices_keep_their_decimal_places() -> None:
    """Decoded prices keep the digits written on the wire, in every format."""
    for fmt in Format:
        tariffs = decode("tariffs-full", fmt)
        assert ["1.85", "1.90", "5.00", "0.20", "2.50"] == [
            str(tariffs.zones[0].api),
            str(tariffs.zones[0].mass),
            str(tariffs.zones[0].mms),
            str(tariffs.zones[0].hlr),
            str(tariffs.zones[0].call),
        ], fmt
