"""What the emulator's ``send.php`` makes of a message's text, number and time (spec §2.1).

Pure functions: parts counting, ``maxsms``, ``translit``, ``tinyurl``, the forms of
``time`` and ``valid``, and what a number is (valid or not, country, operator, mccmnc).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable

import attrs

__all__ = [
    "STATUS_NAMES",
    "NumberInfo",
    "count_parts",
    "number_info",
    "parse_time",
    "parse_valid",
    "recipient",
    "shorten_links",
    "transliterate",
    "truncate",
]

# The GSM 03.38 default alphabet; the extension table's characters take two places.
_GSM = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENSION = frozenset("^{}\\[~]|€\f")
# Single SMS / per part of a long one (spec §2.1): 160/153 GSM, 70/67 UCS-2, 140/134 bytes.
_GSM_LIMITS = (160, 153)
_UCS2_LIMITS = (70, 67)
_BINARY_LIMITS = (140, 134)
_CALL_CHARS_PER_SECOND = 12  # Assumption: a voice call reads about 12 characters a second

STATUS_NAMES: dict[int, str] = {
    -3: "Сообщение не найдено",
    -2: "Остановлено",
    -1: "Ожидает отправки",
    0: "Передано оператору",
    1: "Доставлено",
    2: "Прочитано",
    3: "Просрочено",
    4: "Нажата ссылка",
    20: "Невозможно доставить",
    22: "Неверный номер",
    23: "Запрещено",
    24: "Недостаточно средств",
    25: "Недоступный номер",
}
"""Status names as ``status_name`` gives them (spec §3.3)."""


def _gsm_length(text: str) -> int | None:
    """Places ``text`` takes in the GSM alphabet, or ``None`` if it needs UCS-2."""
    length = 0
    for char in text:
        if char in _GSM:
            length += 1
        elif char in _GSM_EXTENSION:
            length += 2
        else:
            return None
    return length


def _limits(text: str, *, binary: int = 0) -> tuple[int, tuple[int, int]]:
    if binary:
        # bin=1: the text's characters are the bytes; bin=2: hex, two digits a byte.
        size = len(text) // 2 if binary == 2 else len(text)  # noqa: PLR2004
        return size, _BINARY_LIMITS
    gsm = _gsm_length(text)
    return (gsm, _GSM_LIMITS) if gsm is not None else (len(text), _UCS2_LIMITS)


def count_parts(text: str, kind: str = "sms", *, binary: int = 0) -> int:
    """SMS parts ``text`` is sent in (seconds for a ``call``; 1 for the other kinds)."""
    if kind == "call":
        return max(1, math.ceil(len(text) / _CALL_CHARS_PER_SECOND))
    if kind not in ("sms", "flash", "bin", "push"):
        return 1  # Assumption: hlr, ping, mms, mail and viber count as one message
    size, (single, part) = _limits(text, binary=binary)
    return 1 if size <= single else math.ceil(size / part)


def truncate(text: str, maxsms: int) -> str:
    """``text`` cut to fit in ``maxsms`` parts (``maxsms``, spec §2.1)."""
    size, (single, part) = _limits(text)
    if count_parts(text) <= maxsms:
        return text
    room = single if maxsms == 1 else maxsms * part
    if size == len(text):
        return text[:room]
    kept, used = [], 0  # GSM with two-place characters: count places, not characters
    for char in text:
        used += 2 if char in _GSM_EXTENSION else 1
        if used > room:
            break
        kept.append(char)
    return "".join(kept)


_CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя"


def _table(latin: str) -> dict[str, str]:
    return dict(zip(_CYRILLIC, latin.split(), strict=True))


_TRANSLIT = {
    # translit=1: plain transliteration.
    1: _table("a b v g d e yo zh z i j k l m n o p r s t u f h c ch sh shch \" y ' e yu ya"),
    # translit=2: Latin look-alikes ("mpaHc/Ium"). Assumption: this table; the docs give
    # only the example word.
    2: _table("a 6 B r g e e }|{ 3 u u k /I M H o n p c m y qp x LI 4 LLI LLL b bI b -) I-O 9I"),
}


def transliterate(text: str, mode: int) -> str:
    """``text`` with Cyrillic letters replaced (``translit=1`` or ``2``; 0 leaves it)."""
    table = _TRANSLIT.get(mode)
    if table is None:
        return text
    out = []
    for char in text:
        latin = table.get(char.lower())
        if latin is None:
            out.append(char)
        elif char.isupper() and mode == 1:
            out.append(latin.capitalize())
        else:
            out.append(latin)
    return "".join(out)


_LINK = re.compile(r"https?://\S+")


def shorten_links(text: str, code: Callable[[str], str]) -> str:
    """``text`` with each link replaced by a short one (``tinyurl=1``).

    Assumption: short links look like ``https://smsc.ru/t/<code>``; ``code`` names a link.
    """
    return _LINK.sub(lambda m: f"https://smsc.ru/t/{code(m.group(0))}", text)


_SHORT_DATE = re.compile(r"(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)")
_DOTTED_DATE = re.compile(r"(\d\d?)\.(\d\d?)\.(\d\d) (\d\d?):(\d\d)")
_HOURS = re.compile(r"(\d\d?)-(\d\d?)")


def parse_time(raw: str, *, tz: int, wall: dt.datetime) -> dt.datetime:
    """When a message with ``time=raw`` goes (Moscow time; ``wall`` is now).

    Forms (spec §2.1): ``DDMMYYhhmm``, ``DD.MM.YY hh:mm``, ``h1-h2`` (between those hours,
    now or at the next ``h1``), ``0<unix time>``, ``+m`` (minutes from now), ``0``. Dates
    and hours are in Moscow time plus ``tz`` hours. A time in the past means now.

    Raises:
        ValueError: Not one of the forms (error 5).
    """
    raw = raw.strip()
    local = dt.timedelta(hours=tz)
    when: dt.datetime
    if raw in ("", "0"):
        return wall
    if raw.startswith("+"):
        if not raw[1:].isdigit():
            raise ValueError(raw)
        return wall + dt.timedelta(minutes=int(raw[1:]))
    if (match := _SHORT_DATE.fullmatch(raw)) or (match := _DOTTED_DATE.fullmatch(raw)):
        day, month, year, hour, minute = (int(g) for g in match.groups())
        try:
            when = dt.datetime(2000 + year, month, day, hour, minute, tzinfo=wall.tzinfo) - local
        except ValueError:
            raise ValueError(raw) from None
    elif raw.startswith("0") and raw.isdigit():  # after DDMMYYhhmm: ten digits, maybe a 0
        when = dt.datetime.fromtimestamp(int(raw), tz=wall.tzinfo)
    elif match := _HOURS.fullmatch(raw):
        first, last = int(match.group(1)), int(match.group(2))
        if not 0 <= first < last <= 24:  # noqa: PLR2004
            raise ValueError(raw)
        there = wall + local
        if first <= there.hour < last:
            return wall
        start = there.replace(hour=first, minute=0, second=0, microsecond=0)
        if start <= there:
            start += dt.timedelta(days=1)
        return start - local
    else:
        raise ValueError(raw)
    return max(when, wall)


def parse_valid(raw: str) -> dt.timedelta:
    """A message's lifetime from ``valid``: hours 1-24, or ``hh:mm`` from 00:01 to 24:00.

    Raises:
        ValueError: Out of range or in no known form (error 1).
    """
    if raw.isdigit() and 1 <= int(raw) <= 24:  # noqa: PLR2004
        return dt.timedelta(hours=int(raw))
    if match := re.fullmatch(r"(\d\d?):(\d\d)", raw):
        life = dt.timedelta(hours=int(match.group(1)), minutes=int(match.group(2)))
        if int(match.group(2)) < 60 and dt.timedelta(minutes=1) <= life <= dt.timedelta(hours=24):  # noqa: PLR2004
            return life
    raise ValueError(raw)


@attrs.frozen
class NumberInfo:
    """What the emulator knows of a number: where it is and its tariff zone."""

    country: str = ""
    operator: str = ""
    region: str = ""
    mccmnc: str = ""
    zone: str | None = None


# Assumption: a few sample numbering ranges, enough for prices and status replies; the
# zones are those of the emulator's sample price list.
_RANGES: tuple[tuple[str, NumberInfo], ...] = (
    ("791", NumberInfo("Россия", "МТС", "Москва", "25001", "1")),
    ("798", NumberInfo("Россия", "МТС", "Санкт-Петербург", "25001", "1")),
    ("792", NumberInfo("Россия", "Мегафон", "Москва", "25002", "2")),
    ("793", NumberInfo("Россия", "Мегафон", "Новосибирская обл.", "25002", "2")),
    ("790", NumberInfo("Россия", "Билайн", "Москва", "25099")),
    ("796", NumberInfo("Россия", "Билайн", "Москва", "25099")),
    # Assumption: 7999 is shared by several operators in Russia's numbering; the sample
    # gives it one, so the README's (and tests') 7999... numbers have an operator
    # (info.php) while their prices stay the catch-all's.
    ("7999", NumberInfo("Россия", "Yota", "Москва", "25011")),
    ("77", NumberInfo("Казахстан", "Kcell", "", "40102", "3")),
    ("7", NumberInfo("Россия")),
)


def number_info(phone: str) -> NumberInfo:
    """Country, operator, region, mccmnc and tariff zone of a (corrected) number."""
    return next((info for prefix, info in _RANGES if phone.startswith(prefix)), NumberInfo())


_MAIL = re.compile(r"[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+")


def recipient(raw: str, kind: str) -> str | None:
    """The recipient ``raw`` names, corrected, or ``None`` if it is not valid (error 7).

    A phone has 7 to 15 digits; ``+``, spaces, dashes and brackets are ignored. Without a
    ``+`` a Russian number written nationally is corrected (``8 900...`` -> ``7900...``);
    with one it is kept as it is (spec §2.1). For ``mail`` it is an e-mail address.
    """
    raw = raw.strip()
    if kind == "mail":
        return raw.lower() if _MAIL.fullmatch(raw) else None
    if re.fullmatch(r"\+?[0-9 ()-]+", raw) is None:
        return None
    digits = re.sub(r"[^0-9]", "", raw)
    if not 7 <= len(digits) <= 15:  # noqa: PLR2004
        return None
    if not raw.startswith("+"):
        if len(digits) == 11 and digits.startswith("8"):  # noqa: PLR2004
            digits = "7" + digits[1:]
        elif len(digits) == 10 and digits.startswith("9"):  # noqa: PLR2004
            digits = "7" + digits
    return digits
