"""``smsc.op_templates``: targets, what add/get post and return, and checks before sending."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import respx

from smsc_async import (
    Format,
    MessageKind,
    Operator,
    OperatorTemplate,
    SmscClient,
    TemplateAdded,
    TemplateAddStatus,
    TemplateStatus,
    TemplateTarget,
    ValidationError,
)
from tests._support import LOGIN, PASSWORD, make_client, posted_form, reply

TemplatesCall = Callable[[SmscClient], Awaitable[object]]
Bodies = dict[Format, str]
L, C, X, J = Format.LINES, Format.CSV, Format.XML, Format.JSON

MSG = "Your code: %CODE%"

ROWS: Bodies = {
    L: "name = mts_srv, id = 17, status = 1\n"
    "name = bee_srv, id = , status = -1\n"
    "name = mega_srv, id = , status = -2\n",
    C: "mts_srv,17,1\nbee_srv,,-1\nmega_srv,,-2\n",
    X: "<templates>\n"
    "<template><name>mts_srv</name><id>17</id><status>1</status></template>\n"
    "<template><name>bee_srv</name><id></id><status>-1</status></template>\n"
    "<template><name>mega_srv</name><id></id><status>-2</status></template>\n"
    "</templates>",
    J: '[{"name": "mts_srv", "id": 17, "status": 1},\n'
    '{"name": "bee_srv", "id": null, "status": -1},\n'
    '{"name": "mega_srv", "id": null, "status": -2}]',
}
STATE_ROWS: Bodies = {
    L: "name = mts_srv, id = 17, status = 2\n"
    "name = tele2_trn, id = 18, status = 9\n"
    "name = viber_srv, id = , status = -1\n",
    C: "mts_srv,17,2\ntele2_trn,18,9\nviber_srv,,-1\n",
    X: "<templates>\n"
    "<template><name>mts_srv</name><id>17</id><status>2</status></template>\n"
    "<template><name>tele2_trn</name><id>18</id><status>9</status></template>\n"
    "<template><name>viber_srv</name><id></id><status>-1</status></template>\n"
    "</templates>",
    J: '[{"name": "mts_srv", "id": 17, "status": 2},\n'
    '{"name": "tele2_trn", "id": 18, "status": 9},\n'
    '{"name": "viber_srv", "id": null, "status": -1}]',
}


def expected_form(flag: str, /, **params: str) -> dict[str, str]:
    """The whole form an op_templates.php command posts with the test account (JSON)."""
    return {flag: "1", **params, "fmt": "3", "charset": "utf-8", "login": LOGIN, "psw": PASSWORD}


# --- TemplateTarget ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "operator", "kind"),
    [
        (TemplateTarget.MTS_SERVICE, Operator.MTS, MessageKind.SERVICE),
        (TemplateTarget.MTS_AUTH, Operator.MTS, MessageKind.AUTH),
        (TemplateTarget.MEGAFON_ADVERTISING, Operator.MEGAFON, MessageKind.ADVERTISING),
        (TemplateTarget.BEELINE_TRANSACTIONAL, Operator.BEELINE, MessageKind.TRANSACTIONAL),
        (TemplateTarget.TELE2_SERVICE, Operator.TELE2, MessageKind.SERVICE),
        (TemplateTarget.MOTIV_TRANSACTIONAL, Operator.MOTIV, MessageKind.TRANSACTIONAL),
        (TemplateTarget.SOCIAL, Operator.SOCIAL, None),
    ],
)
def test_target_names_its_operator_and_kind(
    target: TemplateTarget, operator: Operator, kind: MessageKind | None
) -> None:
    """Each target splits into its operator and message kind (none for social networks)."""
    assert (operator, kind) == (target.operator, target.kind)


def test_every_target_has_an_operator_and_a_kind_but_social() -> None:
    """Every target but SOCIAL has a kind; every target's operator is known."""
    assert [TemplateTarget.SOCIAL] == [t for t in TemplateTarget if t.kind is None]
    assert set(Operator) == {t.operator for t in TemplateTarget}


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        pytest.param(
            {"kinds": [MessageKind.SERVICE]},
            {"mts_srv", "mega_srv", "bee_srv", "tele2_srv", "motiv_srv"},
            id="every-service",
        ),
        pytest.param(
            {"operators": [Operator.MTS]}, {"mts_srv", "mts_auth", "mts_trn"}, id="every-mts"
        ),
        pytest.param(
            {"operators": [Operator.BEELINE, Operator.TELE2], "kinds": [MessageKind.TRANSACTIONAL]},
            {"bee_trn", "tele2_trn"},
            id="operators-and-kind",
        ),
        pytest.param({"kinds": [MessageKind.AUTH]}, {"mts_auth", "mega_auth"}, id="auth"),
        pytest.param({"operators": [Operator.SOCIAL]}, {"soc"}, id="social"),
        pytest.param(
            {"operators": [Operator.BEELINE], "kinds": [MessageKind.ADVERTISING]},
            set(),
            id="none-match",
        ),
        pytest.param({"operators": []}, set(), id="no-operators"),
        pytest.param({}, {t.value for t in TemplateTarget}, id="everything"),
    ],
)
def test_select_picks_targets_by_operator_and_kind(
    selection: dict[str, Any], expected: set[str]
) -> None:
    """select() returns every target of the given operators and kinds (None: any)."""
    assert expected == {t.value for t in TemplateTarget.select(**selection)}


def test_select_takes_any_iterable() -> None:
    """select() reads generators as well as lists, and returns a frozenset of targets."""
    selected = TemplateTarget.select(kinds=(k for k in [MessageKind.AUTH]))
    assert frozenset({TemplateTarget.MTS_AUTH, TemplateTarget.MEGAFON_AUTH}) == selected


# --- what add and get post ---------------------------------------------------------------

FORM_CASES = [
    pytest.param(
        lambda s: s.op_templates.add(
            "my_shop", MSG, {TemplateTarget.MTS_SERVICE, TemplateTarget.TELE2_TRANSACTIONAL}
        ),
        "add",
        {"sender": "my_shop", "msg": MSG, "mts_srv": "1", "tele2_trn": "1"},
        id="add-set",
    ),
    pytest.param(
        lambda s: s.op_templates.add("my_shop", MSG, ["bee_srv", "soc"]),
        "add",
        {"sender": "my_shop", "msg": MSG, "bee_srv": "1", "soc": "1"},
        id="add-strings",
    ),
    pytest.param(
        lambda s: s.op_templates.add("my_shop", MSG, TemplateTarget.MEGAFON_AUTH),
        "add",
        {"sender": "my_shop", "msg": MSG, "mega_auth": "1"},
        id="add-one-bare-target",
    ),
    pytest.param(
        lambda s: s.op_templates.add("my_shop", MSG, "mts_trn"),
        "add",
        {"sender": "my_shop", "msg": MSG, "mts_trn": "1"},
        id="add-one-bare-string",
    ),
    pytest.param(
        lambda s: s.op_templates.add(
            "79991234567", MSG, TemplateTarget.select(kinds=[MessageKind.SERVICE])
        ),
        "add",
        {
            "sender": "79991234567",
            "msg": MSG,
            "mts_srv": "1",
            "mega_srv": "1",
            "bee_srv": "1",
            "tele2_srv": "1",
            "motiv_srv": "1",
        },
        id="add-select-service",
    ),
    pytest.param(
        lambda s: s.op_templates.add(
            "my_shop", MSG, [TemplateTarget.MTS_SERVICE, "mts_srv", TemplateTarget.MTS_SERVICE]
        ),
        "add",
        {"sender": "my_shop", "msg": MSG, "mts_srv": "1"},
        id="add-repeated-target-once",
    ),
    pytest.param(
        lambda s: s.op_templates.get("my_shop", MSG),
        "get",
        {"sender": "my_shop", "msg": MSG},
        id="get",
    ),
]


@pytest.mark.parametrize(("call", "flag", "params"), FORM_CASES)
async def test_command_posts_exact_form(
    router: respx.MockRouter, call: TemplatesCall, flag: str, params: dict[str, str]
) -> None:
    """add() posts one flag per target beside sender and msg; get() posts sender and msg."""
    route = router.post("op_templates.php").mock(return_value=reply(ROWS[J]))
    async with make_client() as smsc:
        await call(smsc)
    assert 1 == route.call_count
    request = route.calls.last.request
    assert expected_form(flag, **params) == posted_form(request)
    assert "https://smsc.ru/sys/op_templates.php" == str(request.url)


# --- what they return --------------------------------------------------------------------


async def test_add_returns_one_row_per_operator(router: respx.MockRouter, fmt: Format) -> None:
    """add() decodes every format into TemplateAdded rows; a missing id is None."""
    router.post("op_templates.php").mock(return_value=reply(ROWS[fmt]))
    async with make_client(fmt) as smsc:
        rows = await smsc.op_templates.add("my_shop", MSG, TemplateTarget.select())
    assert [
        TemplateAdded("mts_srv", TemplateAddStatus.ADDED, 17),
        TemplateAdded("bee_srv", TemplateAddStatus.SENDER_NOT_ACCEPTED),
        TemplateAdded("mega_srv", TemplateAddStatus.NOT_SAVED),
    ] == rows
    assert [
        TemplateTarget.MTS_SERVICE,
        TemplateTarget.BEELINE_SERVICE,
        TemplateTarget.MEGAFON_SERVICE,
    ] == [row.target for row in rows]


async def test_get_returns_states(router: respx.MockRouter, fmt: Format) -> None:
    """get() decodes every format; unknown statuses are kept, unknown names have no target."""
    router.post("op_templates.php").mock(return_value=reply(STATE_ROWS[fmt]))
    async with make_client(fmt) as smsc:
        rows = await smsc.op_templates.get("my_shop", MSG)
    assert [
        OperatorTemplate("mts_srv", TemplateStatus.ACCEPTED, 17),
        OperatorTemplate("tele2_trn", TemplateStatus(9), 18),
        OperatorTemplate("viber_srv", TemplateStatus.NOT_FOUND),
    ] == rows
    assert [9, "UNKNOWN_9"] == [rows[1].status, rows[1].status.name]
    assert [TemplateTarget.MTS_SERVICE, TemplateTarget.TELE2_TRANSACTIONAL, None] == [
        row.target for row in rows
    ]


# --- checks before sending ---------------------------------------------------------------


@pytest.fixture
async def smsc(router: respx.MockRouter) -> AsyncIterator[SmscClient]:
    """A client whose every request would reach the (route-less) respx router."""
    async with make_client() as client:
        yield client


BAD_CALLS = [
    pytest.param(lambda s: s.op_templates.add("my_shop", MSG, []), {"targets"}, id="no-target"),
    pytest.param(
        lambda s: s.op_templates.add("my_shop", MSG, TemplateTarget.select(operators=[])),
        {"targets"},
        id="empty-selection",
    ),
    pytest.param(
        lambda s: s.op_templates.add("my_shop", MSG, ["mts_srv", "beeline"]),
        {"targets"},
        id="unknown-string",
    ),
    pytest.param(
        lambda s: s.op_templates.add("my_shop", MSG, [Operator.MTS]),
        {"targets"},
        id="operator-not-target",
    ),
    pytest.param(lambda s: s.op_templates.add("my_shop", MSG, 5), {"targets"}, id="not-iterable"),
    pytest.param(lambda s: s.op_templates.add("my_shop", MSG, "mts"), {"targets"}, id="bare-bad"),
    pytest.param(
        lambda s: s.op_templates.add("my_shop", "", ["mts_srv"]), {"text"}, id="msg-empty"
    ),
    pytest.param(
        lambda s: s.op_templates.add("my_shop", "  \n", ["mts_srv"]), {"text"}, id="msg-blank"
    ),
    pytest.param(
        lambda s: s.op_templates.add("my_shop", None, ["mts_srv"]), {"text"}, id="msg-none"
    ),
    pytest.param(
        lambda s: s.op_templates.add("x" * 12, MSG, ["mts_srv"]), {"sender"}, id="sender-long"
    ),
    pytest.param(
        lambda s: s.op_templates.add("", "", []),
        {"sender", "text", "targets"},
        id="everything-at-once",
    ),
    pytest.param(lambda s: s.op_templates.get("", MSG), {"sender"}, id="get-sender"),
    pytest.param(lambda s: s.op_templates.get("my_shop", ""), {"text"}, id="get-msg"),
    pytest.param(lambda s: s.op_templates.get("", " "), {"sender", "text"}, id="get-both"),
]


@pytest.mark.parametrize(("call", "fields"), BAD_CALLS)
async def test_bad_argument_raises_before_sending(
    router: respx.MockRouter, smsc: SmscClient, call: TemplatesCall, fields: set[str]
) -> None:
    """A bad argument raises ValidationError naming every bad field, and nothing is sent."""
    route = router.post("op_templates.php").mock(return_value=reply(ROWS[J]))
    with pytest.raises(ValidationError) as caught:
        await call(smsc)
    assert fields == set(caught.value.fields)
    assert 0 == route.call_count
