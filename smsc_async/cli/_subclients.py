"""``smsc-async subclients provision FILE``: many subclients at once, from CSV or JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from smsc_async import Provisioned, SmscClient, SubclientSettings, SubclientSpec, TemplateSpec
from smsc_async.bulk import BulkReport
from smsc_async.cli._common import Account, account_options, run
from smsc_async.cli._jobs import (
    Record,
    finish,
    prepare_report,
    read_records,
    report_option,
    split_list,
    watch,
)

__all__ = ["subclients"]

_FIELDS = ("user", "password", "payment", "senders", "settings", "templates")
_TEMPLATE_FIELDS = {"sender", "text", "targets"}
_REQUIRED = ("user", "password")


def spec_of(record: Record) -> SubclientSpec:
    """The spec a record describes (its values are checked later, item by item).

    Raises:
        UserError: An unknown or missing field, or settings that are not settings.
    """
    record.check_keys(_FIELDS, _REQUIRED)
    fields = record.fields
    settings = fields.get("settings")
    if settings is not None and not isinstance(settings, dict):
        raise record.fail("'settings' must be an object of SubclientSettings fields")
    try:
        made = None if settings is None else SubclientSettings(**settings)
    except TypeError as exc:  # an unknown keyword: attrs names it
        raise record.fail(f"settings: {exc}") from None
    payment = fields.get("payment")
    templates = fields.get("templates", [])
    if not isinstance(templates, list) or not all(
        isinstance(t, dict) and set(t) == _TEMPLATE_FIELDS for t in templates
    ):
        raise record.fail(
            "'templates' must be a JSON array of objects with sender, text and targets"
        )
    try:
        made_templates = tuple(
            TemplateSpec(str(t["sender"]), str(t["text"]), split_list(t["targets"]))
            for t in templates
        )
    except ValueError as exc:  # an unknown target: its enum names it
        raise record.fail(f"templates: {exc}") from None
    return SubclientSpec(
        str(fields["user"]),
        str(fields["password"]),
        settings=made,
        payment=payment if payment is None or isinstance(payment, int | str) else str(payment),
        senders=tuple(str(s) for s in split_list(fields.get("senders", []))),
        templates=made_templates,
    )


@click.group()
def subclients() -> None:
    """Subclients of a reseller account."""


@subclients.command()
@account_options
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@report_option
@click.option(
    "--concurrency",
    type=click.IntRange(1, 1000),
    default=64,
    show_default=True,
    help="Subclients worked on at once (the limiter keeps SMSC's rules whatever this is).",
)
def provision(
    *, account: Account, as_json: bool, file: Path, report: Path | None, concurrency: int
) -> None:
    """Create, pay and name the subclients listed in FILE (.csv or .json).

    Each record has a user and a password, and optionally a payment and sender names (a
    JSON array, or a CSV cell with names separated by ';'); JSON records may carry
    "settings", an object of SubclientSettings fields, and "templates", an array of
    operator templates ({"sender", "text", "targets": ["mts_srv", ...]}). Every subclient
    goes through create, pay, its sender names, then its templates; they run
    concurrently, paced by SMSC's rules (5 sender names a minute set the pace). The
    report lists every item: done, failed with its reason, partly done (created, but an
    operator refused a template: the reason says which), maybe applied (a step's answer
    was lost: it may have happened, so check it before provisioning that subclient
    again), or not done. Exits with 3 when any item may have been applied, else with 1
    when any item is not (fully) done.
    """
    specs = [spec_of(record) for record in read_records(file)]
    out = prepare_report(file, report)

    def name(spec: SubclientSpec) -> str:
        return spec.user

    async def work(smsc: SmscClient) -> tuple[BulkReport[Any, Provisioned], dict[str, Any]]:
        return await watch(
            lambda hook: smsc.subclients.provision(
                specs, on_progress=hook, concurrency=concurrency
            ),
            total=len(specs),
            what="provisioning",
            report=out,
            name=name,
        )

    finish(*run(account, work), out, as_json=as_json)
