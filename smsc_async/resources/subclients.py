"""The subclients family: ``users.php`` (seed 000, spec §A.1), and bulk provisioning."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal

from smsc_async._commands import Command, RetryClass
from smsc_async._types import Rule, Scope
from smsc_async._validation import (
    PASSWORD_MAX,
    Checks,
    Text,
    checking,
    money,
    smsc_date,
)
from smsc_async.bulk import DEFAULT_CONCURRENCY, BulkJob, PartlyDone, Progress
from smsc_async.errors import ValidationError
from smsc_async.formats import Column, ListOf, Ok, Row, Single
from smsc_async.models.op_templates import TemplateAddStatus
from smsc_async.models.subclients import (
    Provisioned,
    SubclientDayStats,
    SubclientId,
    SubclientSettings,
    SubclientSpec,
    SubclientStats,
    TemplateSpec,
)
from smsc_async.resources._base import Call, Resource, form
from smsc_async.resources._subclient_settings import check_login, check_password, settings_params
from smsc_async.resources.op_templates import OpTemplatesResource, check_template
from smsc_async.resources.senders import SendersResource, check_sender_name

__all__ = [
    "CREATE",
    "DETAILED_STATS",
    "PAY",
    "STATS",
    "UPDATE",
    "SubclientsResource",
]

# "not more than three requests within a minute to add a subclient or change the same
# subclient" (spec §A.1): one window per subclient login, shared by creations and changes.
# Assumption: a payment changes the subclient too, so it counts in the same window; that
# costs nothing when provisioning (one creation and one payment per subclient).
_PER_SUBCLIENT = Rule(3, scope=Scope.PARAM, param="user", group="users.add/chg")
# Statistics limits are not documented; like spec §B for unknown limits, 3 identical a minute.
_STATS_RULES = (Rule(3),)
# The auto-replies (to texts, to calls) are messages: multi-line; no other setting is.
_AUTO_REPLIES = frozenset({"answ", "answ_call"})

# Assumption (spec §A.1): creation answers the new id (``ID = <id>`` / ``<id>`` /
# ``<id>..</id>`` / ``{"id": ..}``) or a bare OK; both are read.
CREATE: Command[SubclientId] = Command(
    "users.add",
    "users.php",
    "add",
    Single(Row((Column("id"),)), or_ok=True),
    SubclientId,
    RetryClass.WRITE,
    rules=(_PER_SUBCLIENT,),
    multiline=_AUTO_REPLIES,
)
UPDATE: Command[None] = Command(
    "users.chg",
    "users.php",
    "chg",
    Ok(),
    None,
    RetryClass.WRITE,
    rules=(_PER_SUBCLIENT,),
    multiline=_AUTO_REPLIES,
)
PAY: Command[None] = Command(
    "users.pay", "users.php", "pay", Ok(), None, RetryClass.WRITE, rules=(_PER_SUBCLIENT,)
)
# Assumption: the statistics rows are not documented; fields as on the statistics page, in
# this order for fmt=1 (UNVERIFIED), anything else kept in ``extra``.
STATS: Command[list[SubclientStats]] = Command(
    "users.get_stat",
    "users.php",
    "get_stat",
    ListOf(
        Row(
            tuple(
                Column(name)
                for name in (
                    "login",
                    "user_id",
                    "messages",
                    "credit",
                    "debit",
                    "balance",
                    "currency",
                )
            )
        )
    ),
    list[SubclientStats],
    RetryClass.SAFE_READ,
    rules=_STATS_RULES,
)
DETAILED_STATS: Command[list[SubclientDayStats]] = Command(
    "users.get_stat_all",
    "users.php",
    "get_stat_all",
    ListOf(
        Row(
            tuple(
                Column(name)
                for name in ("login", "user_id", "date", "messages", "credit", "debit", "currency")
            )
        )
    ),
    list[SubclientDayStats],
    RetryClass.SAFE_READ,
    rules=_STATS_RULES,
)


def _period(
    check: Checks, start: dt.date | str, end: dt.date | str | None
) -> dict[str, str | None]:
    if start is None:
        check.fail("start", "is required (a date or 'dd.mm.yyyy')")
    first, last = smsc_date(check, "start", start), smsc_date(check, "end", end)
    if first and last and _day(last) < _day(first):
        check.fail("end", f"is before start ({last} < {first})")
    return {"start": first, "end": last}


def _day(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%d.%m.%Y").date()  # noqa: DTZ007 - a calendar date


def create_params(
    check: Checks, user: str, password: str, settings: SubclientSettings | None
) -> dict[str, str]:
    """Check a subclient to create; its parameters."""
    check_login(check, "user", user)
    check_password(check, "password", password)
    return {**form(user=user, password=password), **settings_params(check, settings)}


class SubclientsResource(Resource):
    """``smsc.subclients``: a reseller's subclients (``users.php``).

    SMSC accepts at most 3 creations or changes a minute for one subclient; calls are paced
    so, per subclient, while different subclients go ahead concurrently.
    """

    def __init__(
        self,
        call: Call,
        senders: SendersResource,
        templates_as: Callable[[str, str], OpTemplatesResource],
    ) -> None:
        super().__init__(call)
        self._senders = senders
        self._templates_as = templates_as

    async def create(
        self, user: str, password: str, settings: SubclientSettings | None = None
    ) -> int | None:
        """Create a subclient.

        Args:
            user: Its login.
            password: Its password: 8 characters or more, and 3 of: letters, digits, upper
                and lower case, symbols.
            settings: Its settings (``None``: the server's defaults).

        Returns:
            Its id, when the server answers with one (else ``None``).

        Raises:
            ValidationError: A bad argument, every bad field named; nothing was sent.
            LoginTakenError: The login exists already.
        """
        with checking(CREATE.name) as check:
            params = create_params(check, user, password, settings)
        return (await self._call(CREATE, params)).id

    async def update(
        self,
        user: str,
        settings: SubclientSettings | None = None,
        *,
        password: str | None = None,
        current_password: str | None = None,
        new_login: str | None = None,
    ) -> None:
        """Change a subclient's settings, password or login.

        Args:
            user: Its login.
            settings: The settings to change (fields left ``None`` stay as they are).
            password: A new password (same policy as :meth:`create`).
            current_password: Its current password (``pswc``), if the server asks for it.
            new_login: A new login.

        Raises:
            ValidationError: A bad argument, or nothing to change; nothing was sent.
            NotFoundError: No such subclient.
            LoginTakenError: ``new_login`` exists already.
        """
        with checking(UPDATE.name) as check:
            check_login(check, "user", user)
            params = form(user=user)
            if password is not None:
                check_password(check, "password", password)
            check.text("current_password", current_password, max_len=PASSWORD_MAX, kind=Text.NAME)
            if new_login is not None:
                check_login(check, "new_login", new_login)
            params.update(form(password=password, pswc=current_password, new_login=new_login))
            params.update(settings_params(check, settings))
            if len(set(params) - {"pswc"}) == 1 and not check.errors:
                check.fail("settings", "nothing to change: give settings, password or new_login")
        await self._call(UPDATE, params)

    async def pay(
        self, user: str, amount: Decimal | int | str, *, electronic_balance: bool = False
    ) -> None:
        """Transfer money from the main account to a subclient (``sum``).

        Args:
            user: Its login.
            amount: The sum (``sum``), in the main account's currency, at most two
                decimals, greater than zero.
            electronic_balance: Use the electronic balance (``balance2``).

        Raises:
            ValidationError: A bad argument (zero or negative, more than two decimals, not a
                number).
            NotFoundError: No such subclient.
        """
        with checking(PAY.name) as check:
            check_login(check, "user", user)
            # Seed 000 says sum is "the amount transferred to the client from the main
            # account": a transfer one way, so a sum is positive, as in SubclientSpec.payment
            # (one rule for both; the "change in the balance" heading names the command).
            rendered = money(check, "amount", amount, zero=False)
            check.flag("electronic_balance", electronic_balance)
        await self._call(PAY, form(user=user, sum=rendered, balance2=electronic_balance))

    async def stats(
        self,
        start: dt.date | str,
        end: dt.date | str | None = None,
        *,
        user: str | None = None,
        user_id: int | None = None,
        hide_deleted: bool = False,
        main_currency: bool = False,
        electronic_balance: bool = False,
        main_balance: bool = False,
    ) -> list[SubclientStats]:
        """Statistics over a period, of one subclient or of all of one kind.

        Give ``user`` or ``user_id`` for one subclient; neither for every subclient with an
        independent balance (``reseller=1``), or, with ``main_balance``, every subclient
        using the main account's balance (``reseller=0``).

        Args:
            start: First day (a date or ``"dd.mm.yyyy"``).
            end: Last day (``None``: up to now).
            user: One subclient, by login.
            user_id: One subclient, by id.
            hide_deleted: Leave deleted subclients out.
            main_currency: Sums in the main account's currency (``mycur``).
            electronic_balance: Statistics of the electronic balance (``balance2``).
            main_balance: Without ``user``/``user_id``: the subclients on the main account's
                balance (``reseller=0``) instead of those with their own (``reseller=1``).

        Raises:
            ValidationError: A bad date (e.g. ``31.02.2024``), ``end`` before ``start``,
                both ``user`` and ``user_id``, or ``main_balance`` with either.
        """
        with checking(STATS.name) as check:
            period = _period(check, start, end)
            if user is not None and user_id is not None:
                check.fail("user/user_id", "give user or user_id, not both")
            if user is not None:
                check_login(check, "user", user)
            check.int_range("user_id", user_id, 1, 2**63 - 1)
            check.flags(
                hide_deleted=hide_deleted,
                main_currency=main_currency,
                electronic_balance=electronic_balance,
                main_balance=main_balance,
            )
            one = user is not None or user_id is not None
            if main_balance is True and one:
                check.fail("main_balance", "selects all subclients: not with user or user_id")
        # Seed 000: reseller "0 or missing - sub-clients using the balance of the main
        # account, 1 - the subclient with independent balance"; 0 is sent, not left out, so
        # the request says which list it wants.
        reseller = None if one else ("0" if main_balance else "1")
        params = form(
            **period,
            user=user,
            user_id=user_id,
            reseller=reseller,
            hide_deleted=hide_deleted,
            mycur=main_currency,
            balance2=electronic_balance,
        )
        return await self._call(STATS, params)

    async def detailed_stats(
        self,
        start: dt.date | str,
        end: dt.date | str | None = None,
        *,
        hide_deleted: bool = False,
        main_currency: bool = False,
        electronic_balance: bool = False,
    ) -> list[SubclientDayStats]:
        """Detailed statistics, by day, of every subclient with a balance of its own.

        Raises:
            ValidationError: A bad date, or ``end`` before ``start``.
        """
        with checking(DETAILED_STATS.name) as check:
            period = _period(check, start, end)
            check.flags(
                hide_deleted=hide_deleted,
                main_currency=main_currency,
                electronic_balance=electronic_balance,
            )
        params = form(
            **period,
            reseller=True,
            hide_deleted=hide_deleted,
            mycur=main_currency,
            balance2=electronic_balance,
        )
        return await self._call(DETAILED_STATS, params)

    def provision(
        self,
        specs: Iterable[SubclientSpec],
        *,
        on_progress: Callable[[Progress[SubclientSpec, Provisioned]], object] | None = None,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> BulkJob[SubclientSpec, Provisioned]:
        """Provision many subclients concurrently: create, pay, sender names, templates.

        Every spec is checked first: a bad one fails with its :class:`ValidationError` and
        sends nothing; the rest go ahead. Each item's steps run in order, items run
        concurrently under the limiter (the 5 sender-name creations a minute usually set
        the pace). One item failing never stops the others; a login that exists already
        fails its item with :class:`LoginTakenError`, and nothing is retried blindly.
        Templates are registered with the subclient's own credentials; an item some of
        whose templates an operator refused (e.g. ``SENDER_NOT_ACCEPTED``) ends
        :attr:`~smsc_async.bulk.ItemStatus.PARTLY_DONE`, not done: ``report.partly_done``,
        its value the :class:`Provisioned`, its error saying what was refused.

        A step whose answer was lost after its request left (a creation, a payment, a
        sender name) ends its item as :attr:`~smsc_async.bulk.ItemStatus.MAYBE_APPLIED`,
        not failed: ``report.maybe_applied`` lists them, each with its
        :class:`~smsc_async.MaybeAppliedError` (``error.command`` names the step in doubt,
        the one after ``steps``). Check those at the server before provisioning them again;
        ``report.failed`` holds only items whose failed step did not happen.

        Args:
            specs: The subclients.
            on_progress: Called as each item finishes, in order, up to the total.
            concurrency: Items worked on at once.

        Returns:
            The running job: ``report = await job``; ``job.cancel()`` stops it and the
            report then says which items were done, failed, maybe applied, or not done
            (and how far each got).
        """
        items = list(specs)
        refused: dict[int, BaseException] = {}
        seen: set[str] = set()
        for index, spec in enumerate(items):
            if (problem := _refusal(spec, seen)) is not None:
                refused[index] = problem
        return BulkJob(
            items,
            self._provision_one,
            on_progress=on_progress,
            concurrency=concurrency,
            refused=refused,
        )

    async def _provision_one(self, spec: SubclientSpec, steps: list[str]) -> Provisioned:
        new_id = await self.create(spec.user, spec.password, spec.settings)
        steps.append("create")
        if spec.payment is not None:
            await self.pay(spec.user, spec.payment)
            steps.append("pay")
        sender_ids: dict[str, int] = {}
        for name in spec.senders:
            sender_ids[name] = await self._senders.add(name, user=spec.user)
            steps.append(f"sender {name}")
        answers = []
        refused: list[str] = []
        if spec.templates:
            templates = self._templates_as(spec.user, spec.password)
            for template in spec.templates:
                rows = await templates.add(template.sender, template.text, template.targets)
                answers.append(tuple(rows))
                # Assumption: a row not ADDED (sender name not accepted, not saved) is that
                # operator refusing the template; the other operators' rows still stand.
                no = [f"{r.name} {r.status.name}" for r in rows if r.status is not _ADDED]
                if no:
                    refused.append(f"template {template.sender!r} refused: {', '.join(no)}")
                else:
                    steps.append(f"template {template.sender}")
        made = Provisioned(spec.user, new_id, sender_ids, tuple(answers))
        if refused:
            # Not "done": the subclient exists, but the operators refused part of its set-up.
            raise PartlyDone("; ".join(refused), made)
        return made


_ADDED = TemplateAddStatus.ADDED


def _refusal(spec: object, seen: set[str]) -> ValidationError | None:
    try:
        _check_spec(spec, seen)
    except ValidationError as exc:
        return exc
    return None


def _check_spec(spec: object, seen: set[str]) -> None:
    """Every check a spec's requests would make, before any is sent."""
    with checking("subclients.provision") as check:
        if not isinstance(spec, SubclientSpec):
            check.fail("spec", f"must be a SubclientSpec, got {type(spec).__name__}")
            return
        create_params(check, spec.user, spec.password, spec.settings)
        if isinstance(spec.user, str):  # else refused above (and maybe unhashable)
            if spec.user in seen:
                check.fail("user", f"{spec.user!r} appears twice in this job")
            seen.add(spec.user)
        if spec.payment is not None:
            money(check, "payment", spec.payment, zero=False)
        for name in spec.senders:
            check_sender_name(check, "senders", name, required=True)
        for template in spec.templates:
            if isinstance(template, TemplateSpec):
                check_template(check, template.sender, template.text, template.targets)
            else:
                check.fail("templates", f"must hold TemplateSpec, got {type(template).__name__}")
