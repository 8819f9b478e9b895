"""Every README code block that talks to SMSC, run as written against the emulator.

The README's tour is fragments: ``smsc`` is a client made elsewhere, ``await`` is at the
top level, and a few values (``pdf_bytes``, ``phones``...) are the reader's. So each ``##``
section runs like a notebook: its ``python`` blocks in order, each compiled with top-level
``await`` (``ast.PyCF_ALLOW_TOP_LEVEL_AWAIT``) and run in one namespace per section, which
starts with a short preamble (listed per section below, each name with why it is there).
A block that needs a name the preamble and the blocks before it do not define fails with
``NameError``, and a block's traceback names README.md and its line.

Blocks marked ``<!-- readme-test: NAME -->`` run in tests of their own
(``test_readme_frameworks.py``, ``test_readme_send.py``, ``test_callbacks_e2e.py``);
every other ``python`` block is either run here or listed in :data:`SKIPPED` with a
reason, and :func:`test_every_readme_block_is_run_or_skipped_for_a_reason` fails when one
is neither (a new block, or a heading renamed). Where a block's comments state a result
(``# MessageStatus.DELIVERED``), the test asserts it when that is cheap; every section
must end with no error 9 earned.

The emulator's calendar is its default (now, in Moscow time), as a reader's would be.
Sections whose rules pace calls (sender names, subclients) run in virtual time.
"""

from __future__ import annotations

import ast
import asyncio
import contextlib
import inspect
import io
import re
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

import smsc_async
from smsc_async import (
    DeliveryError,
    MessageStatus,
    SmscClient,
    TemplateAddStatus,
)
from smsc_async.testing import DEFAULT_LOGIN, Emulator, serving_in_thread

README = Path(__file__).resolve().parent.parent / "README.md"
_FENCE = re.compile(r"^```(\S*)\s*$")
_MARKER = re.compile(r"^<!-- readme-test: (\w+) -->$")
_HEADING = re.compile(r"^(#{2,3}) (.+)$")

# The ``##`` sections run here, as notebooks; their blocks talk to SMSC.
QUICKSTART = "Quickstart"
API_TOUR = "API tour"
RATE_LIMITS = "Rate limits: how smsc_async keeps SMSC from saying 9"
EMULATOR = "Test your code with the emulator"
ERRORS = "Errors"
RUN_SECTIONS = (QUICKSTART, API_TOUR, RATE_LIMITS, EMULATOR, ERRORS)

# Unmarked ``python`` blocks not run here, by (nearest heading, index among its unmarked
# python blocks), with the reason.
SKIPPED: dict[tuple[str, int], str] = {
    (
        "Delivery reports and replies",
        0,
    ): "the emulator posting callbacks to the reader's app on port 8000, not a call to SMSC; "
    "test_callbacks_e2e.py drives the same emulator calls against the marked recipes",
    (
        "Where the limits are kept: one process, many processes, many machines",
        0,
    ): "needs a Redis server at 127.0.0.1:6379; tests/redis covers RedisLimiter",
    (
        "Tracing and metrics (OpenTelemetry)",
        0,
    ): "builds a client and sends nothing; test_otel.py covers the providers",
}
# Fences that are not Python: shell sessions and diagrams.
NOT_PYTHON = frozenset({"sh", "console", ""})
# Between blocks of a virtual-time section, as between a reader's cells: a minute passes,
# so statuses move on (a message is delivered 6 s after its send).
PAUSE = 60.0


@attrs.frozen
class Block:
    """A fenced code block of the README."""

    lang: str
    code: str
    line: int  # of its first code line, 1-based
    section: str  # the ``##`` heading above it
    heading: str  # the nearest ``##`` or ``###`` heading above it
    marker: str | None  # its ``readme-test`` name, if marked
    index: int  # among the unmarked python blocks under ``heading``

    @property
    def key(self) -> tuple[str, int]:
        """How :data:`SKIPPED` and the sections' checks name it."""
        return (self.heading, self.index)


def readme_blocks() -> list[Block]:
    """Every fenced block of README.md, in order."""
    blocks: list[Block] = []
    section = heading = ""
    marker: str | None = None
    counts: dict[str, int] = {}
    lines = README.read_text(encoding="utf-8").splitlines()
    number = 0
    while number < len(lines):
        text = lines[number]
        number += 1
        if found := _HEADING.match(text):
            heading = found[2]
            section = heading if found[1] == "##" else section
        elif found := _MARKER.match(text):
            marker = found[1]
            continue
        elif found := _FENCE.match(text):
            first, body = number + 1, []
            while not lines[number].startswith("```"):
                body.append(lines[number])
                number += 1
            number += 1
            lang = found[1]
            index = -1
            if lang == "python" and marker is None:
                index = counts.get(heading, 0)
                counts[heading] = index + 1
            code = "\n".join(body) + "\n"
            blocks.append(Block(lang, code, first, section, heading, marker, index))
        marker = None if text.strip() else marker
    return blocks


def section_blocks(section: str) -> list[Block]:
    """The unmarked python blocks of ``section`` that run here."""
    return [
        b
        for b in readme_blocks()
        if b.section == section and b.lang == "python" and b.marker is None
        if b.key not in SKIPPED
    ]


def _calls_asyncio_run(tree: ast.AST) -> bool:
    return any(
        isinstance(node, ast.Call) and ast.unparse(node.func) == "asyncio.run"
        for node in ast.walk(tree)
    )


async def run_block(block: Block, namespace: dict[str, Any], out: io.StringIO | None = None) -> str:
    """Run ``block`` in ``namespace`` as written; what it printed (into ``out`` as it goes).

    With top-level ``await`` it is awaited on this loop. One that calls ``asyncio.run``
    (the Quickstart's script) cannot run inside a loop: it runs in a thread, as a script
    would. Anything else runs in place.
    """
    # Padded with blank lines so tracebacks give the block's line in README.md.
    source = "\n" * (block.line - 1) + block.code
    code = compile(source, str(README), "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    out = io.StringIO() if out is None else out
    with contextlib.redirect_stdout(out):
        if code.co_flags & inspect.CO_COROUTINE:
            await eval(code, namespace)  # noqa: S307 - the README's own code, run on purpose
        elif _calls_asyncio_run(ast.parse(source)):
            await asyncio.to_thread(exec, code, namespace)
        else:
            exec(code, namespace)  # noqa: S102 - the README's own code, run on purpose
    return out.getvalue()


Check = Callable[[dict[str, Any], str], Awaitable[None] | None]


async def run_section(
    section: str,
    namespace: dict[str, Any],
    checks: dict[tuple[str, int], Check],
    *,
    before: dict[tuple[str, int], Check] | None = None,
    pause: float = 0.0,
    runners: dict[tuple[str, int], Callable[[Block], Awaitable[str]]] | None = None,
) -> None:
    """Run ``section``'s blocks in order in ``namespace``.

    ``before[key]`` runs before the block (set-up a reader would have done by then),
    ``runners[key]`` runs it instead of :func:`run_block` (for a block that never ends),
    ``checks[key]`` gets the namespace and what the block printed. A key that names no
    block fails the test: a heading was renamed, or a block moved.
    """
    blocks = section_blocks(section)
    assert blocks, f"README.md has no python blocks under {section!r} any more"
    known = {b.key for b in blocks}
    for table in (checks, before or {}, runners or {}):
        assert set(table) <= known, f"no such README blocks: {set(table) - known}"
    for number, block in enumerate(blocks):
        if number and pause:
            await asyncio.sleep(pause)
        if (prepare := (before or {}).get(block.key)) is not None:
            await _maybe_await(prepare(namespace, ""))
        runner = (runners or {}).get(block.key)
        output = await (runner(block) if runner else run_block(block, namespace))
        if (check := checks.get(block.key)) is not None:
            await _maybe_await(check(namespace, output))


async def _maybe_await(result: Awaitable[None] | None) -> None:
    if result is not None:
        await result


@contextlib.contextmanager
def clients_to(
    monkeypatch: pytest.MonkeyPatch, factory: Callable[..., SmscClient]
) -> Iterator[None]:
    """``from smsc_async import SmscClient`` gives ``factory`` while the block runs.

    For blocks that build their own client (``SmscClient(login="alex", password="...")``):
    everything they pass is used as given, and the client talks to the emulator.
    """
    with monkeypatch.context() as patch:
        patch.setattr(smsc_async, "SmscClient", factory)
        yield


def no_error_9(emulator: Emulator) -> None:
    """No README example earns SMSC's anti-flood refusal."""
    assert emulator.violations == []
    assert [e for e in emulator.traffic if e.error_code == 9] == []


# -- the map of the README ------------------------------------------------------------------


def test_every_readme_block_is_run_or_skipped_for_a_reason() -> None:
    """A block added, moved or renamed in the README is run here or skipped on purpose."""
    blocks = readme_blocks()
    python = [b for b in blocks if b.lang == "python" and b.marker is None]
    unknown_langs = {b.lang for b in blocks if b.lang != "python"} - NOT_PYTHON
    assert not unknown_langs, (
        f"README blocks in a language this test does not know: {unknown_langs}"
    )
    orphans = [
        (b.line, b.key) for b in python if b.section not in RUN_SECTIONS and b.key not in SKIPPED
    ]
    assert orphans == [], "README python blocks neither run nor listed in SKIPPED"
    stale = set(SKIPPED) - {b.key for b in python}
    assert stale == set(), "SKIPPED names blocks the README no longer has"
    for section in RUN_SECTIONS:
        assert section_blocks(section), f"no python blocks to run under {section!r}"
    # The marked blocks run in their own tests; these are the names those tests expect.
    marked = {b.marker for b in blocks if b.marker is not None}
    assert marked == {
        "fastapi_app",
        "aiohttp_app",
        "fastapi_test",
        "aiohttp_test",
        "fastapi_callbacks",
        "aiohttp_callbacks",
        "send_test",
    }


# -- Quickstart -----------------------------------------------------------------------------


async def test_quickstart_runs_against_the_served_emulator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The Quickstart script and the aiohttp stack's block, over HTTP on 127.0.0.1.

    Real time: nothing here is paced. The script calls ``asyncio.run`` itself, so it runs
    in a thread (as a script), and ``http="aiohttp"`` wants a URL rather than a transport:
    the emulator is served.
    """
    emulator = Emulator()
    # The blocks sign in as "alex" with the password "...": the reader's account.
    emulator.add_account("alex", "...")
    # Nothing is provided: the blocks import and build what they use.
    namespace: dict[str, Any] = {}

    def script_printed_the_zones(ns: dict[str, Any], output: str) -> None:
        del ns
        assert output.splitlines() == [
            f"{zone.zone} {zone.name} {zone.api}" for zone in emulator.tariffs.tariffs.zones
        ]
        names = [e.sender for e in emulator.senders.names["alex"].values()]
        assert names == ["my_shop"]

    def balance_asked_over_aiohttp(ns: dict[str, Any], output: str) -> None:
        del ns, output
        assert emulator.traffic[-1].command == "balance.balance"
        assert emulator.traffic[-1].login == "alex"

    with serving_in_thread(emulator) as base_url:

        def pointed(**kwargs: Any) -> SmscClient:
            return SmscClient(**{"base_url": base_url, **kwargs})

        with clients_to(monkeypatch, pointed):
            await run_section(
                QUICKSTART,
                namespace,
                {
                    (QUICKSTART, 0): script_printed_the_zones,
                    ("HTTP stacks: httpx, aiohttp or httpx2", 0): balance_asked_over_aiohttp,
                },
            )
    no_error_9(emulator)


# -- API tour -------------------------------------------------------------------------------

PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.mark.looptime
async def test_the_api_tour_runs_as_written() -> None:
    """Tariffs to Operators, one block after another, on one emulator and one client."""
    emulator = Emulator()
    smsc = emulator.client()
    namespace: dict[str, Any] = {
        # The client every block of the tour uses (the Quickstart shows how to make one).
        "smsc": smsc,
        # Imported by the Quickstart; "Incoming messages" sleeps with it.
        "asyncio": asyncio,
        # The reader's trademark certificate ("Sender names", "Sending messages"): a few
        # bytes of PDF; the emulator checks a document's type by its name and its size.
        "pdf_bytes": PDF_BYTES,
        # "Send safety" sends "your" text to "your" numbers under "your" order id: two of
        # the tour's numbers (the "Delivery status" block asks about 79991112233 and
        # 79994445566 by the id of this send), a text of its own and an unused id.
        "phones": ["79991112233", "79994445566"],
        "text": "Order 43 is confirmed",
        "order_id": "order-43",
        # "Sender names" asks a person for the code texted to a digital name: here the
        # emulator, which keeps the codes it "texts", answers.
        "input": lambda prompt: _code_for(emulator, prompt),
    }
    checks: dict[tuple[str, int], Check] = {
        ("Tariffs", 0): lambda ns, _: _tariffs(ns, emulator),
        ("Sender names", 0): lambda ns, _: _senders(ns, emulator),
        ("Subclients", 0): lambda ns, _: _subclients(ns, emulator),
        ("Provisioning many subclients at once", 0): _provisioned,
        ("Operator templates", 0): _op_templates,
        ("Contacts, groups and the blacklist", 0): _contacts,
        ("Sending messages", 0): _sent,
        ("Send safety", 0): _send_safety,
        ("Price", 0): _price,
        ("Delivery status", 0): lambda ns, _: _status(ns, emulator),
        ("Balance", 0): _balance,
        ("Message templates", 0): lambda ns, _: _templates(emulator),
        ("Mailings", 0): lambda ns, _: _mailings(ns, emulator),
        ("History of sent messages", 0): _history,
        ("Incoming messages", 0): lambda ns, out: _inbox(ns, out, emulator),
        ("Statistics", 0): _stats,
        ("Operators", 0): _operator,
    }

    async def poll_for_a_while(block: Block) -> str:
        # The polling loop never ends: replies arrive before it starts and 90 s into it,
        # and after 150 s (virtual) it is stopped as an app's shutdown would stop it.
        emulator.outbox.receive(DEFAULT_LOGIN, "79991112233", "Yes")
        loop = asyncio.get_running_loop()
        loop.call_later(90, emulator.outbox.receive, DEFAULT_LOGIN, "79994445566", "STOP")
        out = io.StringIO()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(run_block(block, namespace, out), timeout=150)
        return out.getvalue()

    async with smsc:
        await run_section(
            API_TOUR,
            namespace,
            checks,
            pause=PAUSE,
            runners={("Incoming messages", 0): poll_for_a_while},
        )
    no_error_9(emulator)


def _code_for(emulator: Emulator, prompt: str) -> str:
    """What the owner of the number in ``prompt`` reads in the SMS: the emulator's code."""
    number = re.search(r"\d{11}", prompt)
    assert number is not None, f"the prompt names no number: {prompt!r}"
    code = emulator.senders.code(number[0])
    assert code is not None, f"no code was sent to {number[0]}"
    return code


def _tariffs(ns: dict[str, Any], emulator: Emulator) -> None:
    assert ns["tariffs"] == emulator.tariffs.tariffs
    assert isinstance(ns["tariffs"].mail, Decimal)


def _senders(ns: dict[str, Any], emulator: Emulator) -> None:
    names = emulator.senders.names[DEFAULT_LOGIN]
    assert all(e.sender != "my_shop" for e in names.values())  # deleted at the end
    assert emulator.senders.code("79999999999") is None  # the code was checked: used up
    assert isinstance(ns["new_id"], int)


def _subclients(ns: dict[str, Any], emulator: Emulator) -> None:
    assert isinstance(ns["new_id"], int)
    assert emulator.users.subclients["shop-1"].balance == Decimal("500.00")


def _provisioned(ns: dict[str, Any], output: str) -> None:
    report = ns["report"]
    assert report.failed == ()  # so the loop printed nothing but progress
    # The tour's sender names are in moderation, so every template is refused: each
    # subclient is made, named and paid, but only partly done (issue 21).
    assert len(report.partly_done) == 300
    assert all("SENDER_NOT_ACCEPTED" in str(item.error) for item in report.partly_done)
    assert all(item.steps[-1].startswith("sender") for item in report.partly_done)
    assert output.splitlines()[-1] == "300 / 300"


def _op_templates(ns: dict[str, Any], output: str) -> None:
    del output
    row = ns["rows"][0]
    assert row.name == "mts_auth"
    assert row.status in (TemplateAddStatus.ADDED, TemplateAddStatus.SENDER_NOT_ACCEPTED)


def _contacts(ns: dict[str, Any], output: str) -> None:
    del output
    # The tour renames the group it made, and gives it a number.
    (vip,) = [g for g in ns["groups"] if g.name == "VIP clients"]
    assert (vip.id, vip.number) == (ns["vip"], 5)
    assert ns["contact"].addresses == ("79990001122",)  # the numbers after change_addresses


def _sent(ns: dict[str, Any], output: str) -> None:
    del output
    sent = ns["sent"]
    assert sent.id == "order-42"
    assert [p.phone for p in sent.phones] == ["79991112233"]  # details=True


def _send_safety(ns: dict[str, Any], output: str) -> None:
    del output
    assert ns["sent"].id == ns["order_id"]
    assert "missing" not in ns  # its answer came: nothing to reconcile


def _price(ns: dict[str, Any], output: str) -> None:
    del output
    assert ns["price"].cnt == 2


def _status(ns: dict[str, Any], emulator: Emulator) -> None:
    report = ns["report"]
    assert report.status is MessageStatus.DELIVERED
    assert report.err is DeliveryError.NONE
    assert [r.status for r in ns["reports"]] == [MessageStatus.DELIVERED] * 2
    assert emulator.outbox.find(DEFAULT_LOGIN, ns["sent"].id, "79991112233") is None  # deleted


def _balance(ns: dict[str, Any], output: str) -> None:
    del output
    assert ns["balance"].currency == "RUR"


def _templates(emulator: Emulator) -> None:
    assert emulator.templates.templates[DEFAULT_LOGIN] == {}  # added, changed, deleted


def _mailings(ns: dict[str, Any], emulator: Emulator) -> None:
    assert isinstance(ns["created"].cost, Decimal)
    assert [m.id for m in ns["everything"]] == [ns["created"].id]
    assert emulator.mailings.mailings[DEFAULT_LOGIN] == {}  # cancelled, then deleted


def _history(ns: dict[str, Any], output: str) -> None:
    del output
    assert ns["page"]  # the messages the tour sent today, newest first
    assert ns["page"][0].int_id > ns["page"][-1].int_id
    assert ns["message"].message  # iterate found a message to 79991112233


def _inbox(ns: dict[str, Any], output: str, emulator: Emulator) -> None:
    printed = [line.split(" ")[:2] for line in output.splitlines()]  # phone, message, received
    assert printed == [["79991112233", "Yes"], ["79994445566", "STOP"]]
    assert ns["last_seen"] == emulator.outbox.answers[-1].id  # the reply that came while it polled


def _stats(ns: dict[str, Any], output: str) -> None:
    del output
    assert isinstance(ns["rows"], list)


def _operator(ns: dict[str, Any], output: str) -> None:
    del output
    info = ns["info"]
    assert (info.operator, info.mccmnc) == ("Yota", "25011")


# -- Rate limits ----------------------------------------------------------------------------


@pytest.mark.looptime
async def test_twelve_sender_names_go_five_a_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rate-limit example: 5 now, 5 a minute later, 2 a minute after that; no 9."""
    emulator = Emulator()
    # The block signs in as "alex" with the password "...": the reader's account.
    emulator.add_account("alex", "...")
    # Imported by the Quickstart; the block gathers with it.
    namespace: dict[str, Any] = {"asyncio": asyncio}

    def paced(ns: dict[str, Any], output: str) -> None:
        assert len(set(ns["ids"])) == 12
        adds = [e.start for e in emulator.traffic if e.command == "senders.add"]
        minutes = [int((start - adds[0]) // 60) for start in adds]
        assert [minutes.count(m) for m in range(3)] == [5, 5, 2]
        assert "senders.add waited" in output  # the on_event hook saw the waits

    with clients_to(monkeypatch, emulator.client):
        await run_section(RATE_LIMITS, namespace, {(RATE_LIMITS, 0): paced})
    no_error_9(emulator)


# -- Test your code with the emulator --------------------------------------------------------


@pytest.mark.looptime
async def test_the_emulator_section_runs_as_written() -> None:
    """The fixture's example test, the emulator's knobs, and steering its state."""
    # The emulator the blocks build is their own; this one serves the sent message below.
    namespace: dict[str, Any] = {}

    async def example_test_passes(ns: dict[str, Any], output: str) -> None:
        del output
        await ns["test_my_service_reads_prices"](Emulator())  # as the fixture would call it

    async def planned_faults_then_a_send(ns: dict[str, Any], output: str) -> None:
        del output
        emulator: Emulator = ns["emulator"]
        assert emulator.minute == 1.0
        assert [p.kind.name for p in emulator.faults.plans] == [
            "ERROR",
            "BAD_GATEWAY",
            "RESET_AFTER",
            "TRUNCATE",
            "SLOW_BODY",
        ]
        assert emulator.users.subclients["shop1"].balance == 0
        # The next block steers a message "your" test sent, ``sent``: that test's requests
        # would have met the faults planned above, so they are cleared before it sends.
        emulator.faults.clear()
        async with emulator.client() as smsc:
            ns["sent"] = await smsc.messages.send(["79991112233", "79994445566"], "Hi")

    def steered(ns: dict[str, Any], output: str) -> None:
        del output
        emulator: Emulator = ns["emulator"]
        entry = emulator.outbox.find(DEFAULT_LOGIN, ns["sent"].id, "79991112233")
        assert entry is not None
        assert entry.status == 3
        assert emulator.outbox.answers[-1].text == "STOP"

    await run_section(
        EMULATOR,
        namespace,
        {(EMULATOR, 0): example_test_passes, (EMULATOR, 2): steered},
        before={(EMULATOR, 2): planned_faults_then_a_send},
    )
    no_error_9(namespace["emulator"])


# -- Errors ---------------------------------------------------------------------------------


async def test_the_errors_example_names_every_bad_argument() -> None:
    """Nothing is sent, and the exception lists both bad arguments."""
    emulator = Emulator()
    async with emulator.client() as smsc:
        # The client the block uses (the Quickstart shows how to make one).
        namespace: dict[str, Any] = {"smsc": smsc}

        def printed_the_fields(ns: dict[str, Any], output: str) -> None:
            del ns
            assert output == "('from_date', 'cnt')\n"
            assert emulator.traffic == []

        await run_section(ERRORS, namespace, {(ERRORS, 0): printed_the_fields})
