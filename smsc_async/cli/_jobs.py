"""Bulk commands from files: reading CSV or JSON records, progress, the per-item report.

A file's *shape* (unreadable, not a list, an unknown column) is the user's mistake and
stops the command before any request. A bad *value* in one record (a weak password, a
phone that is not a number) fails that item only, with the SDK's own reason, while the
other items go ahead: the report lists every item as done, failed, maybe applied or not
done. *Maybe applied* is its own category, never counted as failed: the answer to one of
the item's requests was lost after it left, so SMSC may have carried it out, and running
the item again blindly may do it twice (a second payment, a message sent twice). The
report names the command in doubt (and a message's id and phones, for ``status``); the
command then exits with 3 instead of 1.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import attrs
import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from smsc_async import SendUnconfirmedError, TransportError, ValidationError
from smsc_async.bulk import BulkJob, BulkReport, ItemResult, ItemStatus
from smsc_async.bulk import Progress as JobProgress
from smsc_async.cli._common import (
    MaybeAppliedFailure,
    SmscFailure,
    UserError,
    err_console,
    jsonable,
    out_console,
    print_json,
)

__all__ = [
    "Record",
    "finish",
    "prepare_report",
    "progress_bar",
    "read_records",
    "report_option",
    "split_list",
    "watch",
    "write_report",
]

S = TypeVar("S")
R = TypeVar("R")
Hook = Callable[[JobProgress[Any, Any]], None]
"""Told of a job's progress each time an item finishes."""
_SHOWN_FAILURES = 20  # each table lists this many items; the report has them all


@attrs.frozen
class Record:
    """One record of an input file, and where it stands, for error messages."""

    where: str
    fields: Mapping[str, Any]

    def fail(self, message: str) -> UserError:
        """The user error for this record."""
        return UserError(f"{self.where}: {message}")

    def check_keys(self, known: Sequence[str], required: Sequence[str]) -> None:
        """Refuse unknown and missing keys.

        Raises:
            UserError: Naming the first problem and what is allowed.
        """
        unknown = [k for k in self.fields if k not in known]
        if unknown:
            raise self.fail(f"unknown field {unknown[0]!r} (known: {', '.join(known)})")
        missing = [k for k in required if self.fields.get(k) in (None, "")]
        if missing:
            raise self.fail(f"{missing[0]!r} is missing")


def read_records(path: Path) -> list[Record]:
    """The records of a ``.csv`` file (a header, a record a row) or ``.json`` file (an array).

    Raises:
        UserError: The file cannot be read, or is not such a file.
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise UserError(f"{path}: give a .csv or a .json file")
    try:
        text = path.read_text(encoding="utf-8-sig")  # a BOM from spreadsheet exports is fine
    except OSError as exc:
        raise UserError(f"{path}: cannot read it ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise UserError(f"{path}: cannot read it (not UTF-8 text)") from None
    return _read_csv(path, text) if suffix == ".csv" else _read_json(path, text)


def _read_csv(path: Path, text: str) -> list[Record]:
    reader = csv.DictReader(text.splitlines())
    if not reader.fieldnames:
        raise UserError(f"{path}: empty, a header row is needed")
    records = []
    try:
        for row in reader:
            where = f"{path} line {reader.line_num}"
            if None in row:
                raise UserError(f"{where}: more cells than the header has columns")
            fields = {k.strip(): (v or "").strip() for k, v in row.items()}
            records.append(Record(where, {k: v for k, v in fields.items() if v != ""}))
    except csv.Error as exc:
        raise UserError(f"{path} line {reader.line_num}: {exc}") from None
    return records


def _read_json(path: Path, text: str) -> list[Record]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UserError(f"{path} line {exc.lineno}: not JSON ({exc.msg})") from None
    if not isinstance(data, list):
        raise UserError(f"{path}: give a JSON array of objects")
    records = []
    for number, item in enumerate(data, 1):
        where = f"{path} item {number}"
        if not isinstance(item, dict):
            raise UserError(f"{where}: give an object")
        records.append(Record(where, {k: v for k, v in item.items() if v is not None}))
    return records


def split_list(value: object) -> list[Any]:
    """A list field: a JSON array as it is, a CSV cell split at ``;`` or ``,``."""
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
    return [value]


def prepare_report(source: Path, given: Path | None) -> Path:
    """Where the report goes: as given, or beside the input as ``<name>.report.json``.

    It is checked writable before any request, so no outcome is lost for want of a place.

    Raises:
        UserError: The report cannot be written there.
    """
    path = given if given is not None else source.with_name(source.stem + ".report.json")
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise UserError(f"{path}: cannot write the report there ({exc.strerror})") from None
    return path


@contextmanager
def progress_bar(total: int, what: str) -> Iterator[Hook]:
    """A progress bar on standard error while the block runs; yields the job's hook."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[failed]} failed, {task.fields[maybe]} maybe applied"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=err_console()) as bar:
        task = bar.add_task(what, total=total, failed=0, maybe=0)

        def update(progress: JobProgress[Any, Any]) -> None:
            bar.update(
                task,
                completed=progress.finished,
                failed=progress.failed,
                maybe=progress.maybe_applied,
            )

        yield update


report_option = click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the per-item report [default: FILE's name + .report.json].",
)


async def watch(
    start: Callable[[Hook], BulkJob[S, R]],
    *,
    total: int,
    what: str,
    report: Path,
    name: Callable[[S], str],
) -> tuple[BulkReport[S, R], dict[str, Any]]:
    """Run the job ``start(hook)`` makes under a progress bar; its report, and as written.

    The report is written however the job ends: interrupted too, whatever was done is
    written down.
    """
    with progress_bar(total, what) as hook:
        job = start(hook)
        try:
            done = await job
        finally:
            document = write_report(report, job.report, name)
    return done, document


def _error(error: BaseException | None) -> dict[str, Any] | None:
    if error is None:
        return None
    described: dict[str, Any] = {"type": type(error).__name__, "message": str(error)}
    if isinstance(error, ValidationError):
        described["fields"] = list(error.fields)
    if isinstance(error, TransportError):
        described["command"] = error.command  # for a maybe-applied item: the step in doubt
    if isinstance(error, SendUnconfirmedError):
        # What `status` needs to settle whether the message went out.
        described["id"] = error.id
        described["phones"] = list(error.phones)
    return described


def _entry(result: ItemResult[S, R], name: Callable[[S], str]) -> dict[str, Any]:
    return {
        "index": result.index,
        "item": name(result.item),
        "status": result.status.value,
        "steps": list(result.steps),
        "value": jsonable(result.value),
        "error": _error(result.error),
    }


def write_report(path: Path, report: BulkReport[S, R], name: Callable[[S], str]) -> dict[str, Any]:
    """Write every item's outcome to ``path`` as JSON; the document written.

    Items are named by ``name`` (a login, a phone number), never by what they carry
    (passwords stay out of the report).
    """
    document = {
        "total": len(report),
        "done": len(report.done),
        "partly_done": len(report.partly_done),
        "failed": len(report.failed),
        "maybe_applied": len(report.maybe_applied),
        "not_done": len(report.not_done),
        "cancelled": report.cancelled,
        "items": [_entry(result, name) for result in report],
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return document


def _listed(entries: list[dict[str, Any]], title: str, path: Path) -> None:
    """A table of items (at most :data:`_SHOWN_FAILURES`): steps done, step, and reason."""
    if not entries:
        return
    reasons = Table("item", "steps done", "command", "reason", title=title)
    for entry in entries[:_SHOWN_FAILURES]:
        error = entry["error"]
        reason = error["message"]
        if "phones" in error:
            reason += f" (phones {', '.join(error['phones'])})"
        reasons.add_row(entry["item"], ", ".join(entry["steps"]), error.get("command", ""), reason)
    console = out_console()
    console.print(reasons)
    if len(entries) > _SHOWN_FAILURES:
        console.print(f"... and {len(entries) - _SHOWN_FAILURES} more in {path}")


def finish(
    report: BulkReport[S, R], document: dict[str, Any], path: Path, *, as_json: bool
) -> None:
    """Print the outcome; exit with 3 when an item may have been applied, 1 when not done.

    Raises:
        MaybeAppliedFailure: Some items may have been applied (check them at the server
            before running them again); others may have failed too.
        SmscFailure: Some items failed or were not done (the report says which and why).
    """
    if as_json:
        print_json(document)
    else:
        counts = Table(
            "done", "partly done", "failed", "maybe applied", "not done", "report", title="Outcome"
        )
        keys = ("done", "partly_done", "failed", "maybe_applied", "not_done")
        counts.add_row(
            *(str(document[k]) for k in keys),
            str(path),
        )
        out_console().print(counts)

        def having(status: ItemStatus) -> list[dict[str, Any]]:
            return [e for e in document["items"] if e["status"] == status.value]

        _listed(having(ItemStatus.PARTLY_DONE), "Partly done (the rest refused)", path)
        _listed(having(ItemStatus.FAILED), "Failed items", path)
        _listed(
            having(ItemStatus.MAYBE_APPLIED),
            "Maybe applied (check at SMSC before running again)",
            path,
        )
    if len(report.done) == len(report):
        return
    summary = (
        f"{len(report.failed)} of {len(report)} items failed and {len(report.not_done)} "
        f"were not done"
    )
    if report.partly_done:
        summary += f", {len(report.partly_done)} only partly done"
    if report.maybe_applied:
        raise MaybeAppliedFailure(
            f"{len(report.maybe_applied)} of {len(report)} items may have been applied "
            f"(check them before running them again), {summary}; see {path}"
        )
    raise SmscFailure(f"{summary}; see {path}")
