"""The checks subclient settings are built from: phones, e-mails, lists and sums of money."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest

from smsc_async._validation import (
    Checks,
    Text,
    check_login,
    check_wire,
    is_email,
    is_finite_seconds,
    is_phone,
    money,
    text_list,
)
from smsc_async.errors import ValidationError


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


# --- text kinds ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "good"),
    [
        ("Ann Doe", Text.NAME, True),
        ("Анна, ёж", Text.NAME, True),
        ("a\tb", Text.NAME, False),
        ("a\tb", Text.LINE, True),
        ("a\nb", Text.LINE, False),
        ("a\rb", Text.LINE, False),
        ("a\r\nb\tc", Text.LINES, True),
        ("a\x00b", Text.LINES, False),
        ("\x1b", Text.LINES, False),
        ("\x0c", Text.LINES, False),
        ("\x7f", Text.LINES, False),
        ("\x85", Text.LINES, False),
        ("\x9f", Text.LINE, False),
        ("\xa0", Text.NAME, True),  # a no-break space is text
        ("\ud800", Text.LINES, False),
        ("\udfff", Text.NAME, False),
        ("\U0001f600", Text.NAME, True),  # an emoji is one code point, encodable
    ],
)
def test_text_kinds_refuse_controls_and_surrogates(value: str, kind: Text, good: bool) -> None:
    """Every kind refuses NUL, C0 (but TAB/LF/CR by kind), DEL, C1 and lone surrogates."""
    check = Checks("x")
    result = check.text("f", value, max_len=100, kind=kind)
    assert (good, good) == (result == value, not check.errors)


@pytest.mark.parametrize(
    ("value", "kwargs", "message"),
    [
        (None, {"required": True}, "is required"),
        ("  ", {"required": True}, "must not be empty"),
        ("", {"blank": False}, "must not be empty"),
        (5, {}, "must be a string, got int"),
        ("x" * 11, {}, "has at most 10 characters, got 11"),
        ("a\nb", {}, "must not hold a line break (LF) (character 2)"),
        ("ab\x00", {}, "must not hold NUL (character 3)"),
        ("\ud83d", {}, "must not hold a lone surrogate (U+D83D, not encodable) (character 1)"),
        ("\x1b", {}, "must not hold a control character (U+001B) (character 1)"),
    ],
)
def test_text_refusals_say_what_is_wrong(value: Any, kwargs: dict[str, Any], message: str) -> None:
    """A refused text names the problem and where, never quoting the value."""
    check = Checks("x")
    assert check.text("f", value, max_len=10, **kwargs) is None
    assert ["f: " + message] == [str(e) for e in check.errors]


def test_text_of_none_passes_when_optional() -> None:
    """None is no value: nothing sent, nothing wrong."""
    check = Checks("x")
    assert (None, []) == (check.text("f", None, max_len=1), check.errors)


@pytest.mark.parametrize("value", ["a\x00@b.ru", "a@b.ru\n", "a@b.ru\r\n", "x" * 250 + "@b.ru"])
def test_emails_with_controls_or_too_long_are_refused(value: str) -> None:
    """An address with a control character, a line break or over 254 characters is none."""
    assert is_email(value) is False


@pytest.mark.parametrize("value", ["79991234567\n", "\n79991234567", "79991234567\x00"])
def test_phones_with_line_breaks_are_refused(value: str) -> None:
    """A line break around a number is not stripped away: the value is refused."""
    assert is_phone(value) is False


@pytest.mark.parametrize(
    ("value", "good"),
    [("sub1", True), ("u" * 64, True), ("u" * 65, False), ("a b", False), ("a\x00", False)],
)
def test_logins(value: str, good: bool) -> None:
    """A login: up to 64 characters, no whitespace, controls, ',' or ';'."""
    check = Checks("x")
    check_login(check, "user", value)
    assert good == (not check.errors)


# --- sums and numbers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "1E+999999999",
        Decimal("9E+999999"),
        "1" * 30 + ".005",
        "1" * 41,
        "1000000000000",
        -(10**12),
        "1.001",
        "0.0000000000000000000000000000001",
        "\u0661\u0662",  # Arabic-Indic digits: Decimal reads them, SMSC may not
        Decimal("-sNaN"),
    ],
)
def test_money_refuses_sums_that_overflow_or_lose_cents(value: Any) -> None:
    """Huge, over-precise, over-long or non-ASCII sums fail the field: never a decimal error."""
    check = Checks("x")
    assert (None, ["sum"]) == (
        money(check, "sum", value, negative=True),
        [e.field for e in check.errors],
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("999999999999.99", "999999999999.99"),
        ("-999999999999.99", "-999999999999.99"),
        ("1.50000000000000000000000000000000", "1.50"),
    ],
)
def test_money_takes_sums_up_to_the_limit(value: str, expected: str) -> None:
    """Sums just under a trillion, and zeros past the cents, are sent exactly."""
    check = Checks("x")
    assert (expected, []) == (money(check, "sum", value, negative=True), check.errors)


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0.1, Decimal("0.1")), (720, Decimal(720)), (Decimal("5.5"), Decimal("5.5"))],
)
def test_decimal_range_takes_numbers_in_range(value: Any, expected: Decimal) -> None:
    """ints, floats (by their shortest repr) and Decimals within the bounds pass."""
    check = Checks("x")
    assert (expected, []) == (
        check.decimal_range("p", value, Decimal("0.1"), Decimal(720)),
        check.errors,
    )


@pytest.mark.parametrize(
    "value", [math.nan, math.inf, -math.inf, Decimal("NaN"), Decimal("sNaN"), 0.09, "5", True]
)
def test_decimal_range_refuses_nan_infinity_and_non_numbers(value: Any) -> None:
    """NaN (quiet or signalling), infinities, out-of-range values and non-numbers fail."""
    check = Checks("x")
    assert check.decimal_range("p", value, Decimal("0.1"), Decimal(720)) is None
    assert ["p"] == [e.field for e in check.errors]


@pytest.mark.parametrize(
    ("value", "good"),
    [(1, True), (0.5, True), (0, True), (math.inf, False), (math.nan, False), (True, False)],
)
def test_finite_seconds(value: Any, good: bool) -> None:
    """Seconds are a finite int or float, never a bool."""
    assert good is is_finite_seconds(value)


# --- the command path's last check -----------------------------------------------------------


def test_check_wire_passes_clean_params_and_declared_line_breaks() -> None:
    """Plain values pass; line breaks pass only in the parameters declared multi-line."""
    check_wire("c", {"a": "x", "mes": "a\r\nb"}, frozenset({"mes"}))


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"a": "x\n", "mes": "ok"}, ("a",)),
        ({"a": "x", "mes": "a\x00"}, ("mes",)),
        ({"a": "\ud800", "b": "\r", "mes": "\udfff"}, ("a", "b", "mes")),
        ({"a": 5}, ("a",)),
    ],
)
def test_check_wire_names_every_parameter_that_cannot_be_sent(
    params: dict[str, Any], fields: tuple[str, ...]
) -> None:
    """NUL, surrogates, undeclared line breaks and non-strings raise, naming each parameter."""
    with pytest.raises(ValidationError) as caught:
        check_wire("c", params, frozenset({"mes"}))
    assert fields == caught.value.fields
