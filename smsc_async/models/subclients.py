"""Models of the subclients family (``users.php``, seed 000, spec §A.1).

:class:`SubclientSettings` is what a reseller sets on a subclient; every field is optional
and ``None`` leaves the server's value alone. The ``fl[N]``, ``fl2[N]``, ``fl3[N]`` and
``mfl[N]`` flags are named booleans here: ``True`` sends ``1``, ``False`` sends ``0`` (so an
update can clear a flag). The wire name of each field is in its metadata (``"smsc"``).
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import attrs

from smsc_async.models._base import extra_field
from smsc_async.models.op_templates import TemplateAdded, TemplateTarget

__all__ = [
    "AccountType",
    "Currency",
    "HourRange",
    "Provisioned",
    "SubclientDayStats",
    "SubclientId",
    "SubclientSettings",
    "SubclientSpec",
    "SubclientStats",
    "Tariff",
    "TemplateSpec",
    "TimeZone",
]


class AccountType(enum.IntEnum):
    """How a subclient's tariff and balance relate to the main account's (``type``)."""

    INDEPENDENT = 0
    """Its own tariff and balance (the server's default)."""
    MAIN_TARIFF = 1
    """The main account's tariff, its own balance."""
    MAIN_ACCOUNT = 2
    """The main account's tariff and balance."""
    MAIN_BALANCE = 3
    """The main account's balance, its own tariff."""
    ADDITIONAL_LOGIN = 4
    """An additional login of the main account."""

    @property
    def independent_balance(self) -> bool:
        """Whether the subclient has a balance of its own (``reseller=1`` statistics)."""
        return self in (AccountType.INDEPENDENT, AccountType.MAIN_TARIFF)


class Tariff(enum.IntEnum):
    """The subclient's tariff plan (``tariff``); at most the main account's own plan."""

    PLAN_1 = 0
    """Plan 1 (payments from 1 rouble; the server's default)."""
    PLAN_2 = 1
    """Plan 2 (from 1,000 roubles)."""
    PLAN_3 = 2
    """Plan 3."""
    PLAN_4 = 3
    """Plan 4."""
    PLAN_5 = 4
    """Plan 5."""
    PLAN_6 = 5
    """Plan 6."""
    PLAN_7 = 6
    """Plan 7."""
    PLAN_8 = 7
    """Plan 8."""
    PLAN_9 = 8
    """Plan 9 (from 100,000 roubles)."""


class Currency(enum.IntEnum):
    """The currency the subclient is billed in (``curr``)."""

    RUB = 1
    """Russian rouble."""
    USD = 2
    """US dollar."""
    EUR = 3
    """Euro."""
    UAH = 4
    """Ukrainian hryvnia."""
    KZT = 5
    """Kazakhstani tenge."""


class TimeZone(enum.IntEnum):
    """The subclient's time zone (``tz``): GMT-12 is 0, GMT is 12, GMT+12 is 24."""

    GMT_MINUS_12 = 0
    """GMT-12."""
    GMT_MINUS_11 = 1
    """GMT-11."""
    GMT_MINUS_10 = 2
    """GMT-10."""
    GMT_MINUS_9 = 3
    """GMT-9."""
    GMT_MINUS_8 = 4
    """GMT-8."""
    GMT_MINUS_7 = 5
    """GMT-7."""
    GMT_MINUS_6 = 6
    """GMT-6."""
    GMT_MINUS_5 = 7
    """GMT-5."""
    GMT_MINUS_4 = 8
    """GMT-4."""
    GMT_MINUS_3 = 9
    """GMT-3."""
    GMT_MINUS_2 = 10
    """GMT-2."""
    GMT_MINUS_1 = 11
    """GMT-1."""
    GMT = 12
    """GMT+0."""
    GMT_PLUS_1 = 13
    """GMT+1."""
    GMT_PLUS_2 = 14
    """GMT+2."""
    GMT_PLUS_3 = 15
    """GMT+3 (Moscow)."""
    GMT_PLUS_4 = 16
    """GMT+4."""
    GMT_PLUS_5 = 17
    """GMT+5."""
    GMT_PLUS_6 = 18
    """GMT+6."""
    GMT_PLUS_7 = 19
    """GMT+7."""
    GMT_PLUS_8 = 20
    """GMT+8."""
    GMT_PLUS_9 = 21
    """GMT+9."""
    GMT_PLUS_10 = 22
    """GMT+10."""
    GMT_PLUS_11 = 23
    """GMT+11."""
    GMT_PLUS_12 = 24
    """GMT+12."""

    @classmethod
    def from_offset(cls, hours: int) -> TimeZone:
        """The zone ``hours`` from GMT, e.g. ``TimeZone.from_offset(3)`` for Moscow."""
        return cls(hours + 12)

    @property
    def offset(self) -> int:
        """Hours from GMT."""
        return int(self) - 12


@attrs.frozen
class HourRange:
    """Hours of the day from ``start`` to ``end`` (0-24), e.g. ``HourRange(9, 21)``.

    Sent as ``tmlim=9-21``, or as ``mh1``/``mh2`` for e-mail-to-SMS hours.
    """

    start: int
    end: int


def _wire(name: str) -> dict[str, Any]:
    return {"smsc": name}


@attrs.frozen
class SubclientSettings:
    """Every documented setting of a subclient (seed 000); ``None`` leaves it as it is.

    Account and contacts:

    Attributes:
        type: How its tariff and balance relate to the main account's.
        site_id: The site that owns the subclient.
        email: Main e-mail address.
        email2: Another address incoming messages are sent to.
        phone: Main phone number.
        phone2: Another number incoming messages are sent to.
        fio: Name of the person or company.
        props: The "other details" field.
        cntr: Contract.
        comment: The main account's comment on it (``notes`` on the wire; the subclient
            does not see it).
        tariff: Tariff plan (at most the main account's).
        mintrf: The minimum rate, whatever the payments.
        curr: Billing currency.
        tz: Time zone.
        sender: Default sender name.
        sender2: Backup sender name.
        nb: Balance at which a notification e-mail is sent.
        ktm: Days sent messages are kept in the history.
        fmts: Phone codes the subclient may send to.
        ph: Phone numbers or group numbers it may send to.

    Limits: ``dlim`` messages a day, ``plim`` a day to one number, ``tlim`` a day with one
    text to one number, ``ilim`` a day from one IP; ``tmlim`` the hours sending is allowed
    in; ``vld`` minutes a message is retried for an unavailable subscriber.

    Autoresponders: ``answ`` to incoming messages, ``answ_call`` to incoming calls.

    API: ``url`` receives delivery statuses and incoming messages.

    E-mail to SMS: ``mph`` numbers mail is sent to, ``mail_hours`` when (``mh1``/``mh2``),
    ``mlen`` the length a message is cut to (over 12: characters; 12 or less: SMS parts).

    The named flags follow, each documented where it is declared.
    """

    type: AccountType | None = attrs.field(default=None, kw_only=True, metadata=_wire("type"))
    site_id: int | None = attrs.field(default=None, kw_only=True, metadata=_wire("site_id"))
    email: str | None = attrs.field(default=None, kw_only=True, metadata=_wire("email"))
    email2: str | None = attrs.field(default=None, kw_only=True, metadata=_wire("email2"))
    phone: str | None = attrs.field(default=None, kw_only=True, metadata=_wire("phone"))
    phone2: str | None = attrs.field(default=None, kw_only=True, metadata=_wire("phone2"))
    fio: str | None = attrs.field(default=None, kw_only=True, metadata=_wire("fio"))
    props: str | None = attrs.field(default=None, kw_only=True, metadata=_wire("props"))
    cntr: str | None = attrs.field(default=None, kw_only=True, metadata=_wire("cntr"))
    comment: str | None = attrs.field(default=None, kw_only=True, metadata=_wire("notes"))
    tariff: Tariff | None = attrs.field(default=None, kw_only=True, metadata=_wire("tariff"))
    mintrf: Decimal | None = attrs.field(default=None, kw_only=True, metadata=_wire("mintrf"))
    curr: Currency | None = attrs.field(default=None, kw_only=True, metadata=_wire("curr"))
    tz: TimeZone | None = attrs.field(default=None, kw_only=True, metadata=_wire("tz"))
    sender: str | None = attrs.field(default=None, kw_only=True, metadata=_wire("sender"))
    sender2: str | None = attrs.field(default=None, kw_only=True, metadata=_wire("sender2"))
    nb: Decimal | None = attrs.field(default=None, kw_only=True, metadata=_wire("nb"))
    ktm: int | None = attrs.field(default=None, kw_only=True, metadata=_wire("ktm"))
    fmts: tuple[str, ...] | None = attrs.field(default=None, kw_only=True, metadata=_wire("fmts"))
    ph: tuple[str, ...] | None = attrs.field(default=None, kw_only=True, metadata=_wire("ph"))
    # limits and restrictions
    dlim: int | None = attrs.field(default=None, kw_only=True, metadata=_wire("dlim"))
    plim: int | None = attrs.field(default=None, kw_only=True, metadata=_wire("plim"))
    tlim: int | None = attrs.field(default=None, kw_only=True, metadata=_wire("tlim"))
    ilim: int | None = attrs.field(default=None, kw_only=True, metadata=_wire("ilim"))
    tmlim: HourRange | None = attrs.field(default=None, kw_only=True, metadata=_wire("tmlim"))
    vld: int | None = attrs.field(default=None, kw_only=True, metadata=_wire("vld"))
    # autoresponders and API
    answ: str | None = attrs.field(default=None, kw_only=True, metadata=_wire("answ"))
    answ_call: str | None = attrs.field(default=None, kw_only=True, metadata=_wire("answ_call"))
    url: str | None = attrs.field(default=None, kw_only=True, metadata=_wire("url"))
    # e-mail to SMS
    mph: tuple[str, ...] | None = attrs.field(default=None, kw_only=True, metadata=_wire("mph"))
    mail_hours: HourRange | None = attrs.field(
        default=None, kw_only=True, metadata=_wire("mh1/mh2")
    )
    mlen: int | None = attrs.field(default=None, kw_only=True, metadata=_wire("mlen"))

    # -- flags: incoming messages and contacts --------------------------------------------
    incoming_to_email: bool | None = attrs.field(
        default=None, kw_only=True, metadata=_wire("fl[9]")
    )
    """Send incoming SMS to e-mail."""
    incoming_to_phone: bool | None = attrs.field(
        default=None, kw_only=True, metadata=_wire("fl[8]")
    )
    """Send incoming SMS to the phone."""
    main_senders: bool | None = attrs.field(default=None, kw_only=True, metadata=_wire("fl[29]"))
    """May use the main account's sender names."""
    main_contacts: bool | None = attrs.field(default=None, kw_only=True, metadata=_wire("fl[26]"))
    """May use the main account's contact list."""
    main_templates: bool | None = attrs.field(default=None, kw_only=True, metadata=_wire("fl2[31]"))
    """May use the main account's templates."""
    # -- flags: routes and sender names ---------------------------------------------------
    guaranteed_routes: bool | None = attrs.field(
        default=None, kw_only=True, metadata=_wire("fl2[9]")
    )
    """May use more expensive routes for guaranteed delivery."""
    cheap_then_guaranteed: bool | None = attrs.field(
        default=None, kw_only=True, metadata=_wire("fl2[24]")
    )
    """Send through cheap routes first, repeat through expensive ones (not mass mailings)."""
    no_sender_replacement: bool | None = attrs.field(
        default=None, kw_only=True, metadata=_wire("fl2[12]")
    )
    """Never send with the sender name replaced automatically."""
    no_sender_in_text: bool | None = attrs.field(
        default=None, kw_only=True, metadata=_wire("fl2[13]")
    )
    """Do not add the sender name to the text when it is replaced."""
    no_mass_mailings: bool | None = attrs.field(
        default=None, kw_only=True, metadata=_wire("fl2[23]")
    )
    """Mass and advertising mailings are forbidden."""
    advanced_mode: bool | None = attrs.field(default=None, kw_only=True, metadata=_wire("fl2[8]"))
    """The personal account's advanced mode."""
    answering_machine_detection: bool | None = attrs.field(
        default=None, kw_only=True, metadata=_wire("fl[16]")
    )
    """Recognise answering machines in calls."""
    # -- flags: access --------------------------------------------------------------------
    no_new_ip_confirmation: bool | None = attrs.field(
        default=None, kw_only=True, metadata=_wire("fl3[20]")
    )
    """No confirmation of logins from new IP addresses."""
    settings_locked: bool | None = attrs.field(default=None, kw_only=True, metadata=_wire("fl[27]"))
    """The subclient may not change its settings."""
    payments_locked: bool | None = attrs.field(default=None, kw_only=True, metadata=_wire("fl[28]"))
    """The subclient may not make payments."""
    mailings_locked: bool | None = attrs.field(default=None, kw_only=True, metadata=_wire("fl[6]"))
    """Mailing lists are forbidden."""
    hide_messages: bool | None = attrs.field(default=None, kw_only=True, metadata=_wire("fl2[1]"))
    """Messages are hidden from the subclient."""
    blocked: bool | None = attrs.field(default=None, kw_only=True, metadata=_wire("fl2[10]"))
    """The subclient is blocked."""
    # -- flags: limits --------------------------------------------------------------------
    strict_hours: bool | None = attrs.field(default=None, kw_only=True, metadata=_wire("fl2[15]"))
    """Outside ``tmlim`` hours, refuse instead of postponing to the next day."""
    subscriber_time_zone: bool | None = attrs.field(
        default=None, kw_only=True, metadata=_wire("fl2[16]")
    )
    """``tmlim`` hours are the subscriber's local time."""
    # -- flags: autoresponders and API ----------------------------------------------------
    no_call_forwarding: bool | None = attrs.field(
        default=None, kw_only=True, metadata=_wire("fl2[4]")
    )
    """Calls are not forwarded (by e-mail, phone or handler)."""
    forward_statuses: bool | None = attrs.field(
        default=None, kw_only=True, metadata=_wire("fl[10]")
    )
    """Delivery statuses are posted to ``url``."""
    forward_incoming: bool | None = attrs.field(
        default=None, kw_only=True, metadata=_wire("fl[11]")
    )
    """Incoming SMS are posted to ``url``."""
    smpp: bool | None = attrs.field(default=None, kw_only=True, metadata=_wire("fl[2]"))
    """SMPP access (register the IP address with support first)."""
    smpp_incoming: bool | None = attrs.field(default=None, kw_only=True, metadata=_wire("fl[1]"))
    """Incoming SMS come through the SMPP connection."""
    track_parts: bool | None = attrs.field(default=None, kw_only=True, metadata=_wire("fl[23]"))
    """Track the status of each part of a long SMS."""
    test_mode: bool | None = attrs.field(default=None, kw_only=True, metadata=_wire("fl2[27]"))
    """Virtual sending, without payment."""
    delivery_control: bool | None = attrs.field(default=None, kw_only=True, metadata=_wire("fl[5]"))
    """Control of message delivery."""
    api_log: bool | None = attrs.field(default=None, kw_only=True, metadata=_wire("fl[30]"))
    """Keep a log of the 20 latest HTTP requests (for 10 minutes after the last)."""
    # -- flags: e-mail to SMS -------------------------------------------------------------
    email2sms_disabled: bool | None = attrs.field(
        default=None, kw_only=True, metadata=_wire("mfl[0]")
    )
    """E-mail to SMS is off."""
    email2sms_phones_in_body: bool | None = attrs.field(
        default=None, kw_only=True, metadata=_wire("mfl[5]")
    )
    """Phone numbers may be listed in the body of the mail."""
    email2sms_phones_in_address: bool | None = attrs.field(
        default=None, kw_only=True, metadata=_wire("mfl[6]")
    )
    """Phone numbers may be listed in the e-mail address."""
    email2sms_no_subject: bool | None = attrs.field(
        default=None, kw_only=True, metadata=_wire("mfl[1]")
    )
    """Forward the mail without its subject."""
    email2sms_no_text: bool | None = attrs.field(
        default=None, kw_only=True, metadata=_wire("mfl[2]")
    )
    """Forward the mail without its text."""
    email2sms_no_sender: bool | None = attrs.field(
        default=None, kw_only=True, metadata=_wire("mfl[3]")
    )
    """Forward the mail without its return address."""
    email2sms_translit: bool | None = attrs.field(
        default=None, kw_only=True, metadata=_wire("mfl[4]")
    )
    """Transliterate the mail's text."""


@attrs.frozen
class SubclientId:
    """The reply to creating a subclient.

    Attributes:
        id: Its id (``user_id``), when the server gives one; ``None`` for a bare ``OK``.
    """

    id: int | None = None


@attrs.frozen
class SubclientStats:
    """Statistics of one subclient over the requested period (``get_stat``).

    The documentation does not show this reply; the fields are the ones on SMSC's
    statistics page (UNVERIFIED), and anything else the server sends is kept in ``extra``.

    Attributes:
        login: The subclient's login.
        user_id: Its id.
        messages: Messages sent in the period.
        credit: Money paid in to it in the period.
        debit: Money it spent in the period.
        balance: Its balance now (subclients with a balance of their own).
        currency: The currency of the sums.
        extra: Fields the server sent that this model does not know.
    """

    login: str
    user_id: int | None = None
    messages: int | None = None
    credit: Decimal | None = None
    debit: Decimal | None = None
    balance: Decimal | None = None
    currency: str | None = None
    extra: Mapping[str, str] = extra_field()


@attrs.frozen
class SubclientDayStats:
    """One day of one subclient in detailed statistics (``get_stat_all``).

    The layout is UNVERIFIED, as for :class:`SubclientStats`.

    Attributes:
        login: The subclient's login.
        user_id: Its id.
        date: The day.
        messages: Messages sent that day.
        credit: Money paid in that day.
        debit: Money spent that day.
        currency: The currency of the sums.
        extra: Fields the server sent that this model does not know.
    """

    login: str
    date: dt.date
    user_id: int | None = None
    messages: int | None = None
    credit: Decimal | None = None
    debit: Decimal | None = None
    currency: str | None = None
    extra: Mapping[str, str] = extra_field()


def _tuple(value: Any) -> tuple[Any, ...]:
    """A sequence as a tuple; one bare item (a string, a spec) as a tuple of one."""
    if isinstance(value, str) or attrs.has(type(value)):
        return (value,)
    return tuple(value)


def _targets(value: Any) -> frozenset[Any]:
    return frozenset(_tuple(value))


@attrs.frozen
class TemplateSpec:
    """An operator template to register for a new subclient's sender name.

    Attributes:
        sender: The sender name (one of the subclient's).
        text: The template's text (``msg`` on the wire).
        targets: Operators and message kinds to register with.
    """

    sender: str
    text: str
    targets: frozenset[TemplateTarget] = attrs.field(converter=_targets)


@attrs.frozen
class SubclientSpec:
    """One subclient to provision: created, paid, given sender names and templates.

    Attributes:
        user: The new subclient's login.
        password: Its password (at least 8 characters, 3 of: letters, digits, upper and
            lower case, symbols). Never shown in a repr.
        settings: Its settings.
        payment: A sum to transfer to it from the main account.
        senders: Sender names to create for it.
        templates: Operator templates to register, with the subclient's own credentials.
    """

    user: str
    password: str = attrs.field(repr=False)
    settings: SubclientSettings | None = None
    payment: Decimal | int | str | None = None
    senders: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    templates: tuple[TemplateSpec, ...] = attrs.field(default=(), converter=_tuple)


@attrs.frozen
class Provisioned:
    """What provisioning made of one :class:`SubclientSpec`.

    Attributes:
        user: The subclient's login.
        id: Its id, when the server gave one.
        sender_ids: The id of each sender name created, by name.
        templates: The operators' answers, one tuple per :class:`TemplateSpec`.
    """

    user: str
    id: int | None = None
    sender_ids: Mapping[str, int] = attrs.field(factory=dict, hash=False)
    templates: tuple[tuple[TemplateAdded, ...], ...] = ()
