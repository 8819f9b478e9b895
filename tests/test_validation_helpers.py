"""The checks subclient settings are built from: phones, e-mails, lists and sums of money."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from smsc_async._validation import Checks, is_email, is_phone, money, text_list


@pytest.mark.parametrize(
    "value",
    ["79991234567", "+79991234567", "+7 (999) 123-45-67", " 79991234567 ", "1234567", "1" * 15],
)
def test_phone_numbers_accepted(value: str) -> None:
    """International numbers, with + and the usual separators, 7 to 15 digits, are phones."""
    assert is_phone(value) is True


@pytest.mark.parametrize(
    "value",
    [
        "123456",
        "1" * 16,
        "+7 999 abc 45 67",
        "",
        "+",
        "(999) 1234567",
        "7999+1234567",
        79991234567,
        None,
        "\u0667" * 11,
    ],
)
def test_phone_numbers_refused(value: Any) -> None:
    """Too few or too many digits, letters, a misplaced + or a non-string are not phones."""
    assert is_phone(value) is False


@pytest.mark.parametrize("value", ["a@b.cd", "info@shop.ru", "first.last+tag@mail.example.com"])
def test_emails_accepted(value: str) -> None:
    """Addresses with a local part, one @ and a dotted domain are e-mails."""
    assert is_email(value) is True


@pytest.mark.parametrize(
    "value", ["info@shop", "shop.ru", "a@@b.ru", "a b@c.ru", "a@b.ru,c@d.ru", "a@b.ru;", "", 5]
)
def test_emails_refused(value: Any) -> None:
    """No dotted domain, no or two @, spaces, list separators or a non-string: not e-mails."""
    assert is_email(value) is False


def _digits(value: object) -> bool:
    return isinstance(value, str) and value.strip().isdigit()


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["7"], "7"),
        (("7", "380", "375"), "7,380,375"),
        ([" 7 ", "380"], "7,380"),
        (iter(["1", "2"]), "1,2"),
    ],
)
def test_text_list_joins_with_commas(values: Any, expected: str) -> None:
    """Good items are joined with commas (stripped), from any iterable but a string."""
    check = Checks("x")
    assert (expected, []) == (text_list(check, "codes", values, "codes", _digits), check.errors)


@pytest.mark.parametrize(
    "values", ["7", ["7", "x"], [], 7, [7]], ids=["bare-string", "bad-item", "empty", "int", "ints"]
)
def test_text_list_refusals_name_the_field(values: Any) -> None:
    """A bare string, a bad item, no items or a non-iterable fail the named field once."""
    check = Checks("x")
    text_list(check, "codes", values, "codes", _digits)
    assert ["codes"] == [e.field for e in check.errors]


def test_text_list_of_none_is_nothing() -> None:
    """None is left out without complaint."""
    check = Checks("x")
    assert (None, []) == (text_list(check, "codes", None, "codes", _digits), check.errors)


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (Decimal("12.50"), {}, "12.50"),
        ("12.5", {}, "12.5"),
        (" 7 ", {}, "7"),
        (100, {}, "100"),
        ("1E+2", {}, "100"),
        ("0.01", {}, "0.01"),
        (0, {}, "0"),
        ("-5.25", {"negative": True}, "-5.25"),
        (None, {}, None),
    ],
)
def test_money_renders_sums(value: Any, kwargs: dict[str, bool], expected: str | None) -> None:
    """A sum with two decimals at most is rendered in plain notation, as given."""
    check = Checks("x")
    assert (expected, []) == (money(check, "sum", value, **kwargs), check.errors)


@pytest.mark.parametrize(
    ("value", "kwargs"),
    [
        ("0.001", {}),
        ("abc", {}),
        ("", {}),
        (1.5, {}),
        (True, {}),
        ("NaN", {}),
        ("-Infinity", {"negative": True}),
        ("-1", {}),
        (0, {"zero": False}),
        ("0.00", {"zero": False}),
    ],
)
def test_money_refusals(value: Any, kwargs: dict[str, bool]) -> None:
    """Too many decimals, no number, a float, a bool, NaN, infinities, and refused signs fail."""
    check = Checks("x")
    assert (None, ["sum"]) == (
        money(check, "sum", value, **kwargs),
        [e.field for e in check.errors],
    )
