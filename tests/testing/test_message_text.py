"""What the emulator's send.php makes of texts, numbers, times and lifetimes."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from smsc_async.testing._message_text import (
    count_parts,
    number_info,
    parse_time,
    parse_valid,
    recipient,
    shorten_links,
    transliterate,
    truncate,
)

MSK = dt.timezone(dt.timedelta(hours=3))
NOW = dt.datetime(2026, 1, 1, 9, 0, tzinfo=MSK)


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("{" * 80, 1),  # extension characters take two places
        ("{" * 81, 2),
        ("я" * 70, 1),
        ("я" * 71, 2),
        ("я" * 134, 2),
        ("a" * 69 + "я", 1),  # one Cyrillic letter makes it all UCS-2
        ("a" * 70 + "я", 2),
    ],
)
def test_parts_follow_the_gsm_and_ucs2_limits(text: str, parts: int) -> None:
    assert parts == count_parts(text)


def test_other_kinds_count_one_message_and_a_call_counts_seconds() -> None:
    assert (1, 1, 1) == (count_parts("я" * 500, "viber"), count_parts("", "hlr"), count_parts("x"))
    assert 3 == count_parts("x" * 30, "call")
    assert 2 == count_parts("00" * 141, "bin", binary=2)


def test_maxsms_cuts_the_text_to_fit() -> None:
    assert "a" * 160 == truncate("a" * 400, 1)
    assert "я" * 134 == truncate("я" * 400, 2)
    assert "short" == truncate("short", 1)
    assert "{" * 80 == truncate("{" * 100, 1)


def test_translit_replaces_cyrillic_plainly_or_with_look_alikes() -> None:
    assert "Privet, Mir!" == transliterate("Привет, Мир!", 1)
    assert "mpaHc/Iumepa" == transliterate("транслитера", 2)
    assert "Привет" == transliterate("Привет", 0)


def test_tinyurl_replaces_each_link() -> None:
    codes = iter(["a1", "b2"])
    shortened = shorten_links("x http://a.ru/1 y https://b.ru/?q=2", lambda _: next(codes))
    assert "x https://smsc.ru/t/a1 y https://smsc.ru/t/b2" == shortened


@pytest.mark.parametrize(
    ("raw", "tz", "expected"),
    [
        ("", 0, NOW),
        ("0", 0, NOW),
        ("+90", 0, NOW + dt.timedelta(minutes=90)),
        ("0101261030", 0, NOW.replace(hour=10, minute=30)),
        ("01.01.26 10:30", 0, NOW.replace(hour=10, minute=30)),
        ("1.1.26 10:30", 2, NOW.replace(hour=8, minute=30)),  # 10:30 at MSK+2 is past: now
        ("01.01.26 14:30", 2, NOW.replace(hour=12, minute=30)),
        ("02.01.26 08:00", 0, NOW + dt.timedelta(hours=23)),
        ("31.12.25 23:00", 0, NOW),  # the past means now
        ("01767254400", 0, NOW + dt.timedelta(hours=2)),  # 0 and a unix time
        ("9-18", 0, NOW),  # inside the window: now
        ("10-12", 0, NOW.replace(hour=10)),  # later today
        ("6-8", 0, NOW.replace(day=2, hour=6)),  # tomorrow
        ("6-8", -4, NOW.replace(hour=10)),  # 06:00 at MSK-4 is 10:00 MSK
    ],
)
def test_time_forms(raw: str, tz: int, expected: dt.datetime) -> None:
    assert max(expected, NOW) == parse_time(raw, tz=tz, wall=NOW)


@pytest.mark.parametrize("raw", ["tomorrow", "+x", "32.01.26 10:00", "12-9", "0-25", "26.01.01"])
def test_unknown_times_are_refused(raw: str) -> None:
    with pytest.raises(ValueError, match=re.escape(raw)):
        parse_time(raw, tz=0, wall=NOW)


@pytest.mark.parametrize(
    ("raw", "hours", "minutes"), [("1", 1, 0), ("24", 24, 0), ("00:01", 0, 1), ("24:00", 24, 0)]
)
def test_valid_forms(raw: str, hours: int, minutes: int) -> None:
    assert dt.timedelta(hours=hours, minutes=minutes) == parse_valid(raw)


@pytest.mark.parametrize("raw", ["0", "25", "00:00", "24:01", "1:60", "1h"])
def test_valid_out_of_range_is_refused(raw: str) -> None:
    with pytest.raises(ValueError, match=re.escape(raw)):
        parse_valid(raw)


@pytest.mark.parametrize(
    ("raw", "kind", "expected"),
    [
        ("79161234567", "sms", "79161234567"),
        ("+7 (916) 123-45-67", "sms", "79161234567"),
        ("8 916 123 45 67", "sms", "79161234567"),  # corrected without a +
        ("9161234567", "sms", "79161234567"),
        ("+89161234567", "sms", "89161234567"),  # kept as it is with a +
        ("123456", "sms", None),  # too short
        ("7916123456789012", "sms", None),  # too long
        ("7916abc4567", "sms", None),
        ("Ivan@Example.com", "mail", "ivan@example.com"),
        ("ivan@", "mail", None),
    ],
)
def test_recipients_are_checked_and_corrected(raw: str, kind: str, expected: str | None) -> None:
    assert expected == recipient(raw, kind)


def test_numbers_have_a_country_operator_and_zone() -> None:
    info = number_info("79261234567")
    assert ("25002", "2") == (info.mccmnc, info.zone)
    assert ("40102", "3") == (number_info("77011234567").mccmnc, number_info("77011234567").zone)
    assert ("", None) == (number_info("4915112345678").mccmnc, number_info("4915112345678").zone)
