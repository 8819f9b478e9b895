"""The server's anti-flood and IP-ban rules, enforced with exact sliding windows.

This is the emulator's own reading of spec §B, written apart from the SDK's command
declarations so that tests of the SDK's limiter check it against an independent referee.
Times are event-loop seconds; every window and ban length is given in *minutes* and scaled
by the emulator's ``minute`` setting (60.0 for real time, less for demos).
"""

from __future__ import annotations

import enum
from collections import defaultdict, deque
from collections.abc import Iterable, Mapping

import attrs

from smsc_async.testing._outbox import message_pairs, phone_key

__all__ = ["Ban", "RuleBook", "ServerRule", "Violation", "Window"]

CONCURRENCY_LIMIT = 15
"""15 or more simultaneous requests under one login are refused with error 9."""

# Parameters that do not make two requests different: credentials, format and charset.
# Assumption: the server compares what a request asks for, not how it wants the answer.
_NOT_IDENTITY = frozenset({"login", "psw", "apikey", "fmt", "charset"})


class Window(enum.Enum):
    """Which requests one rule counts together (per login)."""

    IDENTICAL = "identical"
    """Same script, command and parameters."""
    COMMAND = "command"
    """Every request of the command."""
    PARAM = "param"
    """Requests of the command with the same value of one parameter (e.g. per subclient)."""
    MESSAGE = "message"
    """Requests count once towards each message they name: the pairs of their ``phone`` and
    ``id`` lists (``status.php``; see :func:`~smsc_async.testing._outbox.message_pairs`)."""


@attrs.frozen
class ServerRule:
    """More than ``limit`` matching requests within ``minutes`` earn error 9.

    Attributes:
        script: E.g. ``"senders.php"``.
        command: The command flag, e.g. ``"add"``.
        limit: Requests accepted within the window.
        minutes: The window's length, in emulated minutes.
        window: Which requests count together.
        param: The parameter of a :attr:`Window.PARAM` window.
        also: Other commands of the same script counted in the same window (e.g. ``chg``
            with ``add`` for ``users.php``).
        ignore: Parameters that do not make two requests different in a
            :attr:`Window.IDENTICAL` window (besides credentials, format and charset).
    """

    script: str
    command: str
    limit: int
    minutes: float = 1.0
    window: Window = Window.IDENTICAL
    param: str | None = None
    also: tuple[str, ...] = ()
    ignore: frozenset[str] = frozenset()

    def covers(self, script: str, command: str) -> bool:
        """Whether requests of ``command`` of ``script`` count in this rule's windows."""
        return script == self.script and (command == self.command or command in self.also)

    def describe(self) -> str:
        """E.g. ``'senders.add: 5 per command per 1 min'``, ``'users.add/chg: 3 per user ...'``."""
        what = {
            Window.IDENTICAL: "identical",
            Window.COMMAND: "per command",
            Window.PARAM: f"per {self.param}",
            Window.MESSAGE: "per message",
        }[self.window]
        commands = "/".join((self.command, *self.also))
        name = f"{self.script.removesuffix('.php')}.{commands}"
        return f"{name}: {self.limit} {what} per {self.minutes:g} min"


_BOOK_COMMANDS = (
    "chg",
    "del",
    "get",
    "move_group",
    "add_group",
    "chg_group",
    "del_group",
    "get_group",
    "add_black",
    "del_black",
    "get_black",
)

# spec §B, for the families the emulator implements.
DOCUMENTED_RULES: tuple[ServerRule, ...] = (
    ServerRule("get.php", "get_price", 3),
    ServerRule("senders.php", "get", 3),
    ServerRule("senders.php", "add", 5, window=Window.COMMAND),
    # "not more than three requests within a minute to add a subclient or change the same
    # subcl[ient]" (the sentence is cut off): read as 3 add/chg a minute per subclient.
    ServerRule("users.php", "add", 3, window=Window.PARAM, param="user", also=("chg",)),
    ServerRule("op_templates.php", "add", 10),
    ServerRule("op_templates.php", "get", 10),
    # "more than three identical requests for operations with groups, contacts, or blacklist
    # entries within a minute" (seed 004): every command of both scripts.
    *(ServerRule(script, "add", 3, also=_BOOK_COMMANDS) for script in ("phones.php", "mails.php")),
    # send.php, status.php and balance.php have no command flag: the emulator names their
    # commands ``send``/``cost`` (cost=1), ``status``/``del`` (del=1) and ``balance``.
    # Assumption: the strictest plausible reading of "identical": the same text to the same
    # numbers is a repeat whatever its ``id`` (the caller's label for the message, not a new
    # request). The SDK's own send rule ignores ``id`` the same way, so the two agree.
    ServerRule("send.php", "send", 1, ignore=frozenset({"id"})),
    ServerRule("send.php", "cost", 5),
    # Assumption: a deletion (del=1) is a status.php request about the message too, and
    # counts in its window (the SDK counts it there as well).
    ServerRule("status.php", "status", 5, window=Window.MESSAGE, also=("del",)),
    ServerRule("balance.php", "balance", 10, window=Window.COMMAND),
    # UNVERIFIED (spec §B): get.php's other commands are limited, by how much is not known;
    # read as 3 identical requests a minute, like get_price.
    ServerRule("get.php", "get_messages", 3),
    ServerRule("get.php", "get_answers", 3),
    ServerRule("get.php", "get_stat", 3),
    # "more than three identical requests or any 100 requests for operator info within a
    # minute" (spec §5.4).
    ServerRule("info.php", "get_operator", 3),
    ServerRule("info.php", "get_operator", 100, window=Window.COMMAND),
    # UNVERIFIED (spec §B): templates.php is limited, by how much is not known; read as 3
    # identical requests a minute.
    ServerRule("templates.php", "add", 3, also=("chg", "del", "get")),
    # "Sending more than one identical request for actions with mailing lists within a
    # minute" (jobs_answer docs page): every command of jobs.php.
    ServerRule("jobs.php", "add", 1, also=("get", "get_all", "cancel", "del")),
)


@attrs.frozen
class Violation:
    """A request the server refused with error 9 (or would have, for a rule)."""

    time: float
    login: str
    command: str
    rule: str
    ip: str


@attrs.frozen
class Ban:
    """An IP block (error 4 to every request from ``ip`` until ``until``)."""

    ip: str
    start: float
    until: float
    reason: str


@attrs.define
class RuleBook:
    """The referee: windows, in-flight counts, authorisation and send-error bans."""

    minute: float = 60.0
    rules: tuple[ServerRule, ...] = DOCUMENTED_RULES
    violations: list[Violation] = attrs.field(factory=list)
    bans: list[Ban] = attrs.field(factory=list)
    in_flight: dict[str, int] = attrs.field(factory=lambda: defaultdict(int))
    peak_in_flight: dict[str, int] = attrs.field(factory=lambda: defaultdict(int))
    _windows: dict[tuple[object, ...], deque[float]] = attrs.field(
        factory=lambda: defaultdict(deque)
    )
    _auth_errors: dict[str, deque[float]] = attrs.field(factory=lambda: defaultdict(deque))
    _send_errors: dict[str, deque[float]] = attrs.field(factory=lambda: defaultdict(deque))

    # -- IP bans ------------------------------------------------------------------------

    def banned(self, ip: str, now: float) -> Ban | None:
        """The ban in force for ``ip`` at ``now``, if any."""
        for ban in reversed(self.bans):
            if ban.ip == ip and ban.start <= now < ban.until:
                return ban
        return None

    def auth_failed(self, ip: str, now: float) -> None:
        """Count an authorisation error; the 5th within 30 minutes blocks the IP for 30."""
        self._count_towards_ban(
            self._auth_errors[ip],
            now,
            ip,
            limit=5,
            minutes=30,
            reason="5 authorisation errors in 30 minutes",
        )

    def send_answered(self, ip: str, now: float, *, error: bool) -> None:
        """Track erroneous sends in a row; 100 within 10 minutes block the IP for 10."""
        errors = self._send_errors[ip]
        if not error:
            errors.clear()
            return
        self._count_towards_ban(
            errors, now, ip, limit=100, minutes=10, reason="100 erroneous sends in a row"
        )

    def _count_towards_ban(
        self, log: deque[float], now: float, ip: str, *, limit: int, minutes: float, reason: str
    ) -> None:
        span = minutes * self.minute
        log.append(now)
        while log and log[0] <= now - span:
            log.popleft()
        if len(log) >= limit:
            log.clear()
            self.bans.append(Ban(ip, now, now + span, reason))

    # -- concurrency --------------------------------------------------------------------

    def enter(self, login: str) -> bool:
        """Count a request in flight; ``False`` if it makes 15 or more (error 9)."""
        self.in_flight[login] += 1
        count = self.in_flight[login]
        self.peak_in_flight[login] = max(self.peak_in_flight[login], count)
        return count < CONCURRENCY_LIMIT

    def leave(self, login: str) -> None:
        """The request is finished at the server."""
        self.in_flight[login] -= 1

    # -- windows ------------------------------------------------------------------------

    def admit(
        self, login: str, script: str, command: str, params: Mapping[str, str], now: float
    ) -> ServerRule | None:
        """Apply the windowed rules; record the request if all admit it, else the rule hit.

        Only accepted requests count towards later windows (the server "does not accept
        more than N"; the refused ones were not accepted).
        """
        logs = []
        for rule in self._matching(script, command):
            for key in self._keys(rule, login, params):
                log = self._windows[key]
                while log and log[0] <= now - rule.minutes * self.minute:
                    log.popleft()
                if len(log) >= rule.limit:
                    return rule
                logs.append(log)
        for log in logs:
            log.append(now)
        return None

    def _matching(self, script: str, command: str) -> Iterable[ServerRule]:
        return (r for r in self.rules if r.covers(script, command))

    @staticmethod
    def _keys(rule: ServerRule, login: str, params: Mapping[str, str]) -> set[tuple[object, ...]]:
        """The windows a request counts in for ``rule`` (one, or one per message named)."""
        base: tuple[object, ...] = (rule, login)
        if rule.window is Window.COMMAND:
            return {base}
        if rule.window is Window.PARAM:
            return {(*base, params.get(rule.param or "", ""))}
        if rule.window is Window.MESSAGE:
            pairs = message_pairs(params.get("phone", ""), params.get("id", ""))
            return {(*base, phone_key(phone), id_) for phone, id_ in pairs or [("", "")]}
        skip = _NOT_IDENTITY | rule.ignore
        return {(*base, tuple(sorted((k, v) for k, v in params.items() if k not in skip)))}

    def record(self, violation: Violation) -> None:
        """Keep a refused request on the record."""
        self.violations.append(violation)
