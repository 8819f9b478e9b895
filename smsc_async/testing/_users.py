"""The subclients family in the emulator: ``users.php`` (seed 000, spec §A.1).

Subclients are accounts of their own: once created they sign in with their login and
password, and own their sender names and templates. The docs show no replies and no
statistics layout; what the emulator answers is the project's reading (see ``_render``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal

import attrs

from smsc_async import AccountType, SubclientDayStats, SubclientStats
from smsc_async.testing._calls import Call, Handler, Refusal, Render
from smsc_async.testing._contacts import ContactsFamily
from smsc_async.testing._op_templates import OpTemplatesFamily
from smsc_async.testing._render import (
    render_ok,
    render_subclient_day_stats,
    render_subclient_id,
    render_subclient_stats,
)
from smsc_async.testing._requests import Account
from smsc_async.testing._senders import SendersFamily

__all__ = ["SubclientEntry", "UsersFamily"]

# Documented ranges of the numeric settings (seed 000).
_RANGES = {"type": (0, 4), "tariff": (0, 8), "curr": (1, 5), "tz": (0, 24)}
# Parameters that are not settings: the command, who, how to answer, and the secrets.
_NOT_SETTINGS = frozenset(
    {"add", "chg", "user", "password", "pswc", "new_login", "type", "fmt", "charset"}
)
_SUM = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_PASSWORD_MIN = 8
_CURRENCY = "RUR"  # Assumption: as balance.php writes roubles (spec §4); mycur changes nothing


@attrs.define
class SubclientEntry:
    """A subclient as the server keeps it.

    Attributes:
        id: Its ``user_id``.
        login: Its login.
        password: Its password (never in a repr).
        parent: The login of the account it belongs to.
        type: How its tariff and balance relate to the parent's.
        settings: Every other parameter of its ``add`` and ``chg`` requests, as sent.
        balance: Its balance now.
        payments: Every payment (``pay``): the emulator's wall time and the sum.
        messages: Messages it sent (send.php counts one per recipient accepted).
    """

    id: int
    login: str
    password: str = attrs.field(repr=False)
    parent: str
    type: AccountType = AccountType.INDEPENDENT
    settings: dict[str, str] = attrs.field(factory=dict)
    balance: Decimal = Decimal(0)
    payments: list[tuple[dt.datetime, Decimal]] = attrs.field(factory=list)
    messages: int = 0

    def credit(self, first: dt.date, last: dt.date) -> Decimal:
        """The sum of payments made from day ``first`` to day ``last`` (inclusive)."""
        return sum((s for t, s in self.payments if first <= t.date() <= last), Decimal(0))


@attrs.define
class UsersFamily:
    """State: every subclient by login (logins are unique across the server).

    Attributes:
        accounts: The emulator's accounts (shared): subclients are registered there.
        senders: The sender-names family, whose names follow a renamed subclient.
        templates: The operator-templates family, likewise.
        contacts: The contacts family, likewise.
        subclients: Every subclient, by login.
    """

    accounts: dict[str, Account]
    senders: SendersFamily
    templates: OpTemplatesFamily
    contacts: ContactsFamily = attrs.field(factory=ContactsFamily)
    subclients: dict[str, SubclientEntry] = attrs.field(factory=dict)
    _next_id: int = 5000

    def handlers(self) -> dict[tuple[str, str], Handler]:
        """``(script, command) -> handler`` for the dispatcher."""
        return {
            ("users.php", "add"): self.add,
            ("users.php", "chg"): self.chg,
            ("users.php", "pay"): self.pay,
            ("users.php", "get_stat"): self.get_stat,
            ("users.php", "get_stat_all"): self.get_stat_all,
        }

    # -- set-up and lookups -------------------------------------------------------------

    def create(
        self,
        login: str,
        password: str,
        *,
        parent: str,
        type: AccountType = AccountType.INDEPENDENT,  # noqa: A002 - SMSC's own name
        balance: Decimal = Decimal(0),
        settings: Mapping[str, str] | None = None,
    ) -> SubclientEntry:
        """Create a subclient and its account, without the server's checks.

        Raises:
            ValueError: The login is taken already.
        """
        if self.taken(login):
            raise ValueError(f"login {login!r} exists already")
        self._next_id += 1
        entry = SubclientEntry(
            self._next_id, login, password, parent, type, dict(settings or {}), balance
        )
        self.subclients[login] = entry
        self.accounts[login] = Account(login, password)
        return entry

    def taken(self, login: str) -> bool:
        """Whether an account or a subclient has ``login``."""
        return login in self.accounts or login in self.subclients

    def is_subclient(self, parent: str, login: str) -> bool:
        """Whether ``login`` is a subclient of ``parent``."""
        entry = self.subclients.get(login)
        return entry is not None and entry.parent == parent

    def _own(self, call: Call, login: str | None) -> SubclientEntry:
        if not login:
            raise Refusal(1, "no user given")  # Assumption: the server's code for it
        entry = self.subclients.get(login)
        if entry is None or entry.parent != call.login:
            raise Refusal(3, "subclient not found")
        return entry

    def _rename(self, entry: SubclientEntry, new: str) -> None:
        """Move a subclient, its account, sender names, codes and templates to ``new``."""
        old = entry.login
        entry.login = new
        self.subclients[new] = self.subclients.pop(old)
        self.accounts[new] = attrs.evolve(self.accounts.pop(old), login=new)
        if old in self.senders.names:
            self.senders.names[new] = self.senders.names.pop(old)
        for owner, sender in [k for k in self.senders.codes if k[0] == old]:
            self.senders.codes[new, sender] = self.senders.codes.pop((owner, sender))
        self.templates.move(old, new)
        self.contacts.move(old, new)
        for child in self.subclients.values():
            if child.parent == old:
                child.parent = new

    # -- commands -----------------------------------------------------------------------

    def add(self, call: Call) -> Render:
        """Create a subclient; answers its id."""
        login, password = call.params.get("user", ""), call.params.get("password", "")
        if not login or not password:
            raise Refusal(1, "user and password are required")
        _check_password(password)
        _check_ranges(call.params)
        if self.taken(login):
            raise Refusal(5, "login already exists")
        entry = self.create(
            login,
            password,
            parent=call.login,
            type=AccountType(int(call.params.get("type", "0"))),
            settings=_settings(call.params),
        )
        new_id = entry.id
        return lambda fmt: render_subclient_id(fmt, new_id)

    def chg(self, call: Call) -> Render:
        """Change a subclient's settings, password or login (all checked before any change)."""
        entry = self._own(call, call.params.get("user"))
        new_login = call.params.get("new_login")
        if new_login and new_login != entry.login and self.taken(new_login):
            raise Refusal(5, "login already exists")
        password = call.params.get("password")
        if password is not None:
            _check_password(password)
        pswc = call.params.get("pswc")
        if pswc is not None and pswc != entry.password:
            raise Refusal(1, "wrong current password")
        _check_ranges(call.params)
        entry.settings.update(_settings(call.params))
        if "type" in call.params:
            entry.type = AccountType(int(call.params["type"]))
        if password is not None:
            entry.password = password
            self.accounts[entry.login] = attrs.evolve(self.accounts[entry.login], password=password)
        if new_login and new_login != entry.login:
            self._rename(entry, new_login)
        return render_ok

    def pay(self, call: Call) -> Render:
        """Move money to (or, with a negative sum, from) a subclient's balance."""
        entry = self._own(call, call.params.get("user"))
        raw = call.params.get("sum", "")
        if not _SUM.fullmatch(raw) or Decimal(raw) == 0:
            raise Refusal(1, "bad sum")
        amount = Decimal(raw)
        if entry.balance + amount < 0:
            raise Refusal(1, "not enough money")
        entry.balance += amount
        entry.payments.append((call.wall, amount))
        return render_ok

    def get_stat(self, call: Call) -> Render:
        """Statistics over a period: one subclient, or all on an own or on the main balance."""
        first, last = _period(call)
        login, raw_id = call.params.get("user"), call.params.get("user_id")
        if login:
            entries = [self._own(call, login)]
        elif raw_id:
            entries = [e for e in self._children(call) if str(e.id) == raw_id]
            if not entries:
                raise Refusal(3, "subclient not found")
        else:
            # reseller=1: subclients with a balance of their own; else those on the main one.
            # Assumption: additional logins (type 4) are in neither list.
            wanted = (
                {AccountType.INDEPENDENT, AccountType.MAIN_TARIFF}
                if call.flag("reseller")
                else {AccountType.MAIN_ACCOUNT, AccountType.MAIN_BALANCE}
            )
            entries = [e for e in self._children(call) if e.type in wanted]
        rows = [
            SubclientStats(
                e.login,
                e.id,
                e.messages,
                e.credit(first, last),
                Decimal(0),
                e.balance,
                _CURRENCY,
            )
            for e in sorted(entries, key=lambda e: e.id)
        ]
        return lambda fmt: render_subclient_stats(fmt, rows)

    def get_stat_all(self, call: Call) -> Render:
        """Per day, per subclient with a balance of its own: the days with payments."""
        first, last = _period(call)
        rows: list[SubclientDayStats] = []
        for entry in sorted(self._children(call), key=lambda e: e.id):
            if not entry.type.independent_balance:
                continue
            days = sorted({t.date() for t, _ in entry.payments if first <= t.date() <= last})
            rows += [
                SubclientDayStats(
                    entry.login,
                    day,
                    entry.id,
                    0,
                    entry.credit(day, day),
                    Decimal(0),
                    _CURRENCY,
                )
                for day in days
            ]
        return lambda fmt: render_subclient_day_stats(fmt, rows)

    def _children(self, call: Call) -> list[SubclientEntry]:
        return [e for e in self.subclients.values() if e.parent == call.login]


def _check_password(password: str) -> None:
    """At least 8 characters, and 3 of: letters, digits, mixed case, symbols (seed 000)."""
    kinds = (
        any(c.isalpha() for c in password),
        any(c.isdigit() for c in password),
        any(c.isupper() for c in password) and any(c.islower() for c in password),
        any(not c.isalnum() for c in password),
    )
    if len(password) < _PASSWORD_MIN or sum(kinds) < 3:  # noqa: PLR2004 - 3 of the 4 kinds
        raise Refusal(1, "weak password")


def _check_ranges(params: Mapping[str, str]) -> None:
    for name, (low, high) in _RANGES.items():
        raw = params.get(name)
        if raw is not None and not (raw.isdigit() and low <= int(raw) <= high):
            raise Refusal(1, f"bad {name}")


def _settings(params: Mapping[str, str]) -> dict[str, str]:
    return {k: v for k, v in params.items() if k not in _NOT_SETTINGS}


def _date(call: Call, name: str) -> dt.date:
    try:
        return dt.datetime.strptime(call.params[name], "%d.%m.%Y").date()  # noqa: DTZ007 - a day
    except (KeyError, ValueError):
        raise Refusal(1, f"bad {name}") from None


def _period(call: Call) -> tuple[dt.date, dt.date]:
    """``start`` (required) to ``end`` (default: today, by the emulator's calendar)."""
    first = _date(call, "start")
    last = _date(call, "end") if call.params.get("end") else call.wall.date()
    return first, last
