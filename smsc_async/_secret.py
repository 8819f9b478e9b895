"""Secrets: a wrapper that never shows its value, and the redaction of credentials in text.

:class:`Secret` holds the password or API key of a client. Its ``repr`` and ``str`` are
``'***'``, so neither ``attrs.asdict(config)``, a log line, a debugger nor a traceback
captured with its frames' locals (what Sentry records) shows the value; only
:meth:`Secret.reveal` gives it, at the last moment (the transport building the body).

:func:`redact` is the one place every text taken from an answer goes through before it
lands in an exception (``ParseError``'s excerpt, an error page's or httpx's words, SMSC's
own error description). A page that echoes the request would otherwise put the password in
``str(exc)`` and on the command line's stderr. It masks the value of every credential field
(``psw``, ``pswc``, ``password``, ``apikey``, ... in any of the shapes a body may quote them)
and, as defence in depth, the literal value of every :class:`Secret` alive in the process.
"""

from __future__ import annotations

import hmac
import re
import weakref
from collections.abc import Callable
from typing import Any, Final, final
from urllib.parse import quote, quote_plus

__all__ = ["MASK", "Secret", "redact", "reveal"]

MASK: Final = "***"

# Literal values shorter than this are not masked wherever they appear in a text: they
# would garble every excerpt that happens to contain them, and guard little.
_MIN_LITERAL = 4

# Every Secret alive, under each form its value may take in a body (as is, URL-encoded).
# Weak: a value is forgotten with its Secret (one per value, see Secret.__new__). A plain
# dict rather than a WeakValueDictionary, as list() of a dict is one C call: a Secret made
# or dropped in another thread cannot break redact()'s iteration.
_LIVE: dict[str, weakref.ref[Secret]] = {}


def _forget(form: str) -> Callable[[weakref.ref[Secret]], None]:
    def forget(ref: weakref.ref[Secret]) -> None:
        if _LIVE.get(form) is ref:
            del _LIVE[form]

    return forget


@final
class Secret:
    """A password or API key that shows as ``'***'`` everywhere but :meth:`reveal`.

    Immutable; equal to another ``Secret`` of the same value (compared in constant time),
    never to a plain ``str``. Copies are the object itself. Pickling is allowed and
    carries the value: a pickle is a deliberate copy of the object, as :meth:`reveal` is
    a deliberate read (a config sent to a worker process must keep working); what this
    type prevents is the accidental text (``repr``, logs, tracebacks, JSON dumps, which
    refuse it). ``json.dumps(attrs.asdict(config))`` raises ``TypeError`` rather than
    writing the value.

    Args:
        value: The secret text.
    """

    __slots__ = ("__weakref__", "_value")
    _value: str

    def __new__(cls, value: str) -> Secret:
        if not isinstance(value, str):
            raise TypeError(f"a Secret holds a str, not {type(value).__name__}")
        # One Secret per value while it lives (it is immutable, so sharing is safe): the
        # registry below then holds one entry per value, dropped with its last holder.
        ref = _LIVE.get(value)
        known = ref() if ref is not None else None
        if known is not None and known.reveal() == value:  # not another's encoded form
            return known
        self = object.__new__(cls)
        object.__setattr__(self, "_value", value)
        if len(value) >= _MIN_LITERAL:
            for form in {value, quote_plus(value), quote(value, safe="")}:
                _LIVE[form] = weakref.ref(self, _forget(form))
        return self

    def reveal(self) -> str:
        """The secret itself: for the request body, and nothing else."""
        return self._value

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a Secret is immutable")

    def __repr__(self) -> str:
        return f"Secret({MASK!r})"

    def __str__(self) -> str:
        return MASK

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Secret):
            return NotImplemented
        return hmac.compare_digest(self._value.encode(), other._value.encode())

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __copy__(self) -> Secret:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self

    def __reduce__(self) -> tuple[type[Secret], tuple[str]]:
        return (Secret, (self._value,))


def reveal(value: str | Secret) -> str:
    """The plain text of a form value, a :class:`Secret` or not."""
    return value.reveal() if isinstance(value, Secret) else value


# The names of the fields that carry a secret: psw (and pswc, a subclient's current
# password; new_psw and the like, should a script name one so), password (a subclient's,
# users.php) and passwd, apikey / api_key / api-key, and anything called *secret*.
_KEY = r"[\w-]*(?:psw|passw(?:or)?d|api[_-]?key|secret)[\w-]*"
_TAG = r"<[^<>]*>"
# Between a field's name and its value, in the shapes a body can quote a request:
_SEP = rf"""
    (?:\\*["']|&quot;|&\#3[49];)?               # the closing quote of a quoted name
    (?:
        \s*(?:{_TAG}\s*)*                       # psw = v, psw: v, "psw": "v", psw=v, psw%3Dv,
        (?:=>?|:|%3[dD]|&\#61;|&\#x3[dD];)      #   <b>psw</b>: v
        \s*(?:{_TAG}\s*)*
      | (?:\s+[\w:-]+\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'<>]+))*?
        \s+value\s*=\s*                         # <input name="psw" ... value="v">
      | (?:\s[^<>]*)?>\s*(?:{_TAG}\s*)*         # <psw>v</psw>, <psw type="x">v
      | (?:\s*{_TAG})+\s*                       # <td>psw</td><td>v</td>
    )
"""
_VALUE = r"""
    (?P<q>["'])(?P<quoted>(?:\\.|(?!(?P=q))[^\r\n])*)             # "v" or 'v', maybe cut
  | &quot;(?P<entity>.*?)(?=&quot;|[\r\n]|\Z)                    # &quot;v&quot;
  | \\+["'](?P<escaped>.*?)(?=\\+["']|[\r\n]|\Z)  # \"v\" (JSON in a string, maybe repr'd)
  # Unquoted: up to the next form field (&name= or %26name%3D, as an encoded value has no
  # raw &), a tag or the end of the line. A line format's "psw = v, login = ..." loses the
  # rest of its line: the value may itself hold ", ", and showing less is the safe side.
  | (?P<bare>(?:(?!&[\w\[\].%-]*=|%26[\w\[\].%-]*%3[dD]|[<\r\n]).)*)
"""
_FIELD = re.compile(
    rf"(?P<name>(?<![\w-]){_KEY}{_SEP})(?:{_VALUE})", re.IGNORECASE | re.VERBOSE | re.DOTALL
)
_HINT = re.compile(r"psw|passw|api.?key|secret", re.IGNORECASE)


def _mask(match: re.Match[str]) -> str:
    text = match[0]
    for group in ("quoted", "entity", "escaped", "bare"):
        value = match[group]
        if value is not None:
            if not value.strip() or value == MASK:
                return text
            start, end = match.span(group)
            offset = match.start()
            return text[: start - offset] + MASK + text[end - offset :]
    return text  # pragma: no cover - one alternative always matches


def redact(text: str, *, fields: bool = True) -> str:
    """``text`` with the value of every credential field, and every live secret, masked.

    Used on every text from an answer (or from httpx) that an exception carries. Masks:
    ``psw=v&...`` (form-encoded, and URL-encoded again), ``"psw": "v"`` (JSON, also
    escaped inside a string), ``<psw>v</psw>`` and ``psw="v"`` (XML), ``psw = v`` (line
    formats), HTML echo pages (``name="psw" value="v"``, table cells, ``psw: v``), for
    ``psw``, ``pswc``, ``password``, ``apikey`` and other names of that kind; and the literal
    value (as is and URL-encoded) of every :class:`Secret` a client of this process holds.
    Applying it twice changes nothing more. With ``fields=False``, only the literal values
    are masked: for texts of our own making, where ``password: too short`` names a field.
    """
    if fields and _HINT.search(text) is not None:
        text = _FIELD.sub(_mask, text)
    for literal in list(_LIVE):
        if literal in text:
            text = text.replace(literal, MASK)
    return text
