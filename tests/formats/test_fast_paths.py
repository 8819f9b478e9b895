"""The decoders' fast paths give exactly what the careful paths give, or fail where they do."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

import attrs
import pytest
from defusedxml.ElementTree import fromstring

from smsc_async import Format, models
from smsc_async.formats import _xml, converter

MODELS = [getattr(models, name) for name in models.__all__ if attrs.has(getattr(models, name))]
TEXTS = ["", " ", "0", "1", "12", " 7 ", "-3", "1.5", "abc", "01.05.1990", "31.02.2026"]
TEXTS += ["01.05.1990 10:20:30", "1,2", "1;2 3", ",,4,", "7999,abc", "²", "1" * 70]
NUMBERS = [None, 0, 5, -2, True, Decimal("1.50"), Decimal("1e3"), [1, 2], {"a": "b"}]


def _outcome(fmt: Format, value: Any, tp: Any, *, detailed: bool) -> tuple[str, Any]:
    try:
        return ("ok", converter(fmt, detailed_validation=detailed).structure(value, tp))
    except Exception as exc:  # noqa: BLE001 - either way is an outcome to compare
        return ("error", type(exc).__name__ if not detailed else None)


@pytest.mark.parametrize("fmt", list(Format))
@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_the_fast_structuring_matches_the_detailed_one(fmt: Format, model: type) -> None:
    """Records of a model's own keys, with values of every kind: the same model, or both fail."""
    rng = random.Random(f"{model.__name__}-{int(fmt)}")  # noqa: S311 - repeatable, not secret
    values = TEXTS + (NUMBERS if fmt is Format.JSON else [None])
    names = [f.name for f in attrs.fields(model) if f.init and f.name != "extra"]
    for _ in range(300):
        record = {name: rng.choice(values) for name in names if rng.random() < 0.8}
        fast = _outcome(fmt, record, model, detailed=False)
        careful = _outcome(fmt, record, model, detailed=True)
        assert careful[0] == fast[0], record
        if fast[0] == "ok":
            assert careful[1] == fast[1], record


BODIES = [
    "<list><contact><id>1</id><name>A, b</name></contact><contact id='2'/></list>",
    '<r a="1" b="2"><x y="3">t</x>tail<!-- note --><?pi x?></r>',
    "<r>&amp;&lt;&#65;<![CDATA[a<b]]></r>",
    "<result><error>bad</error><error_code>9</error_code></result>",
    "<r><a><b>deep</b></a><c/></r>",
]


@pytest.mark.parametrize("body", BODIES)
def test_xml_without_namespaces_builds_the_defused_tree(body: str) -> None:
    """The lean handlers build the tree defusedxml's own fromstring builds."""
    assert ET.tostring(fromstring(body)) == ET.tostring(_xml._without_namespaces(body))


@pytest.mark.parametrize(
    "body",
    ['<r xmlns="urn:x"><id>1</id></r>', '<r xmlns:a="urn:a" a:k="v"/>', '<r xml:lang="en"/>'],
)
def test_namespaced_xml_goes_through_defusedxml_as_it_is(body: str) -> None:
    """A body using namespaces keeps the namespaced names fromstring gives them."""
    assert ET.tostring(fromstring(body)) == ET.tostring(_xml.parse(body))
    assert [e.attrib for e in fromstring(body).iter()] == [
        e.attrib for e in _xml.parse(body).iter()
    ]


@pytest.mark.parametrize(
    "body",
    [
        '<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>',
        '<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>',
        "<r>&e;</r>",
        "<r><a></r>",
    ],
)
def test_the_lean_parser_keeps_defusedxml_guards(body: str) -> None:
    """Entities, external references and malformed bodies fail as they do in fromstring."""
    with pytest.raises(Exception) as defused:  # noqa: PT011 - compared with the other below
        fromstring(body)
    with pytest.raises(Exception) as lean:  # noqa: PT011
        _xml._without_namespaces(body)
    assert type(defused.value) is type(lean.value)
