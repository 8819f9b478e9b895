"""OpenTelemetry: a span per call, a CLIENT span per request, metrics; nothing without the API.

The providers are the OTel SDK's, with its in-memory exporter and reader, handed to each
client (``tracer_provider=``, ``meter_provider=``): the global ones can be set once per
process only. Virtual time (looptime) lets rule windows pass at once.
"""

from __future__ import annotations

import ast
import asyncio
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from smsc_async import (
    AuthError,
    DeadlineTooShortError,
    LoginPausedError,
    NotFoundError,
    Rule,
    Scope,
    SmscClient,
    TransportError,
    __version__,
    _otel,
)
from smsc_async.testing import DEFAULT_APIKEY, Emulator

pytestmark = pytest.mark.looptime

PACKAGE = Path(__file__).parent.parent / "smsc_async"
URL = "http://smsc.emulator/sys/senders.php"
HTTP = {
    "http.request.method": "POST",
    "server.address": "smsc.emulator",
    "server.port": 80,
    "url.full": URL,
    "smsc.command": "senders.get",
}


class Telemetry:
    """SDK providers for one test, and what they recorded."""

    def __init__(self) -> None:
        self.exporter = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])

    def client(self, emulator: Emulator, **options: Any) -> SmscClient:
        return emulator.client(
            tracer_provider=self.tracer_provider, meter_provider=self.meter_provider, **options
        )

    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def calls(self) -> list[ReadableSpan]:
        return [s for s in self.spans() if s.kind is SpanKind.INTERNAL]

    def requests(self) -> list[ReadableSpan]:
        return [s for s in self.spans() if s.kind is SpanKind.CLIENT]

    def points(self) -> dict[str, list[tuple[dict[str, Any], Any]]]:
        """Each metric's data points: (attributes, sum or value or count)."""
        found: dict[str, list[tuple[dict[str, Any], Any]]] = {}
        data = self.reader.get_metrics_data()
        for resource in data.resource_metrics if data else ():
            for scope in resource.scope_metrics:
                assert ("smsc_async", __version__) == (scope.scope.name, scope.scope.version)
                for metric in scope.metrics:
                    found[metric.name] = [
                        (dict(p.attributes or {}), _value(p)) for p in metric.data.data_points
                    ]
        return found

    def counted(self, name: str) -> dict[tuple[tuple[str, Any], ...], Any]:
        return {tuple(sorted(a.items())): v for a, v in self.points().get(name, [])}


def _value(point: Any) -> Any:
    """A counter's sum, or how many values a histogram took."""
    return point.count if hasattr(point, "count") else point.value


@pytest.fixture
def otel() -> Iterator[Telemetry]:
    telemetry = Telemetry()
    yield telemetry
    telemetry.tracer_provider.shutdown()
    telemetry.meter_provider.shutdown()


def _dict(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


async def test_a_call_is_a_span_and_its_request_a_client_span_below_it(otel: Telemetry) -> None:
    """One call: ``smsc senders.get`` (INTERNAL) with one ``POST`` (CLIENT) child."""
    emulator = Emulator()
    async with otel.client(emulator) as smsc:
        assert [] == await smsc.senders.list()
    (call,) = otel.calls()
    (request,) = otel.requests()
    assert "smsc senders.get" == call.name
    assert {
        "smsc.command": "senders.get",
        "smsc.attempts": 1,
        "smsc.limiter.wait_s": 0.0,
        "smsc.outcome": "ok",
    } == _dict(call)
    assert StatusCode.UNSET is call.status.status_code
    assert call.parent is None
    assert "POST" == request.name
    assert {**HTTP, "http.response.status_code": 200} == _dict(request)
    assert StatusCode.UNSET is request.status.status_code
    assert request.parent is not None
    assert call.context is not None
    assert call.context.span_id == request.parent.span_id
    assert ("smsc_async", __version__) == (
        call.instrumentation_scope.name,  # type: ignore[union-attr]
        call.instrumentation_scope.version,  # type: ignore[union-attr]
    )
    points = otel.points()
    assert [({"smsc.command": "senders.get", "server.address": "smsc.emulator"}, 0)] == [
        (a, v) for a, v in points["smsc.requests.in_flight"]
    ]
    duration = {**HTTP, "http.response.status_code": 200}
    del duration["url.full"], duration["smsc.command"]
    assert [(duration, 1)] == points["http.client.request.duration"]
    assert "smsc.error9" not in points
    assert "smsc.retries" not in points


async def test_error_9_then_a_retry_is_two_requests_under_one_call(otel: Telemetry) -> None:
    """SMSC says 9 once: attempts=2, two CLIENT children (one a resend), 1 error 9, 1 retry."""
    emulator = Emulator(minute=2.0)
    emulator.faults.error("senders.get", 9, "anti-flood")
    async with otel.client(emulator) as smsc:
        await smsc.senders.list()
    (call,) = otel.calls()
    first, second = sorted(otel.requests(), key=lambda s: s.start_time or 0)
    assert 2 == _dict(call)["smsc.attempts"]
    assert "ok" == _dict(call)["smsc.outcome"]
    assert "smsc.error_code" not in _dict(call)
    assert {**HTTP, "http.response.status_code": 200} == _dict(first)
    assert {**HTTP, "http.response.status_code": 200, "http.request.resend_count": 1} == _dict(
        second
    )
    assert call.context is not None
    assert {call.context.span_id} == {s.parent.span_id for s in (first, second) if s.parent}
    (retry,) = [e for e in call.events if e.name == "smsc.retry"]
    assert {"smsc.attempt": 1, "smsc.retry.reason": "rate_limited"} == {
        k: v for k, v in (retry.attributes or {}).items() if k != "smsc.retry.wait_s"
    }
    assert {(("smsc.command", "senders.get"), ("smsc.error9.cause", "window")): 1} == otel.counted(
        "smsc.error9"
    )
    assert {
        (("smsc.command", "senders.get"), ("smsc.retry.reason", "rate_limited")): 1
    } == otel.counted("smsc.retries")


async def test_an_smsc_error_ends_the_call_span_in_error_with_its_code(otel: Telemetry) -> None:
    """SMSC's error 3: status ERROR, error.type and smsc.error_code; the request itself was OK."""
    emulator = Emulator()
    emulator.faults.error("senders.get", 3, "not found")
    async with otel.client(emulator, retries=0) as smsc:
        with pytest.raises(NotFoundError):
            await smsc.senders.list()
    (call,) = otel.calls()
    (request,) = otel.requests()
    assert {
        "smsc.command": "senders.get",
        "smsc.attempts": 1,
        "smsc.limiter.wait_s": 0.0,
        "smsc.outcome": "NotFoundError",
        "smsc.error_code": 3,
        "error.type": "NotFoundError",
    } == _dict(call)
    assert (StatusCode.ERROR, "NotFoundError") == (
        call.status.status_code,
        call.status.description,
    )
    # The exception by its type alone: its message may name the account.
    assert [("exception", {"exception.type": "NotFoundError"})] == [
        (e.name, dict(e.attributes or {})) for e in call.events
    ]
    assert {**HTTP, "http.response.status_code": 200} == _dict(request)
    assert StatusCode.UNSET is request.status.status_code


@pytest.mark.parametrize(
    ("fault", "expected"),
    [
        ("bad_gateway", {"http.response.status_code": 502, "error.type": "502"}),
        ("reset_before", {"error.type": "TransportError"}),
    ],
)
async def test_a_transport_failure_sets_error_type_on_the_request_span(
    otel: Telemetry, fault: str, expected: dict[str, Any]
) -> None:
    """An error page: its status is the error.type; a dropped connection: the error's class."""
    emulator = Emulator()
    if fault == "bad_gateway":
        emulator.faults.bad_gateway()
    else:
        emulator.faults.reset(after=False)
    async with otel.client(emulator, retries=0) as smsc:
        with pytest.raises(TransportError):
            await smsc.senders.list()
    (call,) = otel.calls()
    (request,) = otel.requests()
    assert {**HTTP, **expected} == _dict(request)
    assert (StatusCode.ERROR, expected["error.type"]) == (
        request.status.status_code,
        request.status.description,
    )
    assert "TransportError" == _dict(call)["error.type"]
    assert "smsc.error_code" not in _dict(call)
    durations = otel.points()["http.client.request.duration"]
    assert [expected["error.type"]] == [a["error.type"] for a, _ in durations]


async def test_a_coalesced_read_is_a_span_that_sent_nothing(otel: Telemetry) -> None:
    """Three identical reads at once: one request, below the call that sent it; two joined."""
    emulator = Emulator(latency=1.0)
    async with otel.client(emulator) as smsc:
        await asyncio.gather(*(smsc.senders.list() for _ in range(3)))
    calls = otel.calls()
    (request,) = otel.requests()
    assert 3 == len(calls)
    (sender,) = [c for c in calls if _dict(c)["smsc.attempts"] == 1]
    joined = [c for c in calls if c is not sender]
    assert [(0, True, "ok")] * 2 == [
        (_dict(c)["smsc.attempts"], _dict(c)["smsc.coalesced"], _dict(c)["smsc.outcome"])
        for c in joined
    ]
    assert "smsc.coalesced" not in _dict(sender)
    assert sender.context is not None
    assert request.parent is not None
    assert sender.context.span_id == request.parent.span_id


async def test_a_wait_for_the_limits_is_timed_on_the_span_and_in_a_histogram(
    otel: Telemetry,
) -> None:
    """Two calls of a one-a-minute command: the second waits, and says for which limit."""
    emulator = Emulator(minute=2.0)
    rule = Rule(1, 60.0, Scope.COMMAND)
    async with otel.client(emulator, rules={"senders.get": [rule]}) as smsc:
        await smsc.senders.list(cnt=1)
        await smsc.senders.list(cnt=2)
    first, second = sorted(otel.calls(), key=lambda s: s.start_time or 0)
    assert 0.0 == _dict(first)["smsc.limiter.wait_s"]
    waited = _dict(second)["smsc.limiter.wait_s"]
    assert waited > 1.0
    label = "senders.get: 1 command per 2 s"
    assert [
        ("smsc.limiter.wait", {"smsc.limiter.reason": label, "smsc.limiter.wait_s": waited})
    ] == [(e.name, dict(e.attributes or {})) for e in second.events]
    assert [({"smsc.command": "senders.get", "smsc.limiter.reason": label}, 1)] == otel.points()[
        "smsc.limiter.wait"
    ]


async def test_a_call_the_client_refused_itself_sent_nothing_and_no_9_is_counted(
    otel: Telemetry,
) -> None:
    """DeadlineTooShortError is the client's own: attempts=0, no SMSC code, no error 9 counted."""
    emulator = Emulator()
    rule = Rule(1, 60.0, Scope.COMMAND)
    async with otel.client(emulator, rules={"senders.get": [rule]}) as smsc:
        await smsc.senders.list(cnt=1)
        with pytest.raises(DeadlineTooShortError):
            await smsc.with_options(deadline=1.0).senders.list(cnt=2)
    refused = sorted(otel.calls(), key=lambda s: s.start_time or 0)[-1]
    assert 0 == _dict(refused)["smsc.attempts"]
    assert "DeadlineTooShortError" == _dict(refused)["error.type"]
    assert "smsc.error_code" not in _dict(refused)
    assert 1 == len(otel.requests())
    assert "smsc.error9" not in otel.points()


async def test_views_and_clients_share_the_providers_instruments(
    otel: Telemetry, caplog: pytest.LogCaptureFixture
) -> None:
    """Clients and views on one meter provider report through one set of instruments."""
    emulator = Emulator()
    emulator.add_subclient("shop1", "shop1-password")
    async with otel.client(emulator) as smsc, otel.client(emulator) as other:
        await smsc.senders.list()
        await other.senders.list(cnt=2)
        view = smsc.with_credentials(login="shop1", password="shop1-password")
        await view.senders.list()
    assert smsc._telemetry is view._path._telemetry is smsc._path._telemetry
    assert smsc._telemetry._m is other._telemetry._m  # type: ignore[attr-defined]
    assert 3 == len(otel.calls()) == len(otel.requests())
    assert [] == [r for r in caplog.records if r.levelno >= logging.WARNING]


# -- nothing secret, ever ------------------------------------------------------------------

LOGIN = "zq-tenant-login"
PASSWORD = "Zq-S3cret-Passw0rd"


def _texts(otel: Telemetry) -> list[str]:
    """Every text the spans and metrics hold: names, attribute keys and values, statuses."""
    texts: list[str] = []

    def add(attributes: Any) -> None:
        for key, value in dict(attributes or {}).items():
            texts.extend([str(key), str(value)])

    for span in otel.spans():
        texts.extend([span.name, span.status.description or ""])
        add(span.attributes)
        for event in span.events:
            texts.append(event.name)
            add(event.attributes)
        for link in span.links:
            add(link.attributes)
    for name, points in otel.points().items():
        texts.append(name)
        for attributes, _ in points:
            add(attributes)
    return texts


async def test_no_attribute_anywhere_holds_a_credential_or_the_login(otel: Telemetry) -> None:
    """Successes, waits, shared reads, retries, SMSC and transport errors, a pause: no secret.

    The forced errors even quote the password, as a page echoing the request would.
    """
    emulator = Emulator(minute=2.0, latency=0.5)
    emulator.add_subclient(LOGIN, PASSWORD)
    rules = {"senders.get": [Rule(1, 60.0, Scope.COMMAND)]}
    faults = emulator.faults
    async with otel.client(emulator, login=LOGIN, password=PASSWORD, rules=rules) as smsc:
        await smsc.tariffs.get()
        await asyncio.gather(*(smsc.senders.list() for _ in range(2)))
        await smsc.senders.list(cnt=2)  # waits for the window
        faults.error("senders.get", 9, f"psw={PASSWORD} login={LOGIN}")
        await smsc.senders.list(cnt=3)
        faults.error("senders.get", 3, f"psw={PASSWORD} login={LOGIN}")
        with pytest.raises(NotFoundError):
            await smsc.senders.list(cnt=4)
        faults.bad_gateway(times=4)
        with pytest.raises(TransportError):
            await smsc.senders.list(cnt=5)
    async with otel.client(emulator, apikey=DEFAULT_APIKEY) as smsc:
        await smsc.tariffs.get()
    async with otel.client(emulator, login=LOGIN, password="wrong-" + PASSWORD) as smsc:
        for _ in range(5):
            with pytest.raises((AuthError, LoginPausedError)):
                await smsc.tariffs.get()
    texts = _texts(otel)
    assert len(otel.spans()) > 15
    assert {"smsc.limiter.wait", "smsc.retry", "exception"} <= set(texts)
    assert {"LoginPausedError", "AuthError", "502"} <= set(texts)
    for secret in (PASSWORD, DEFAULT_APIKEY, LOGIN):
        assert [] == [t for t in texts if secret in t]


# -- without OpenTelemetry -----------------------------------------------------------------

_BLOCKED = """
import asyncio, json, sys

class Blocker:
    '''No opentelemetry here: every attempt to find it fails, and is noted.'''
    asked = []

    def find_spec(self, name, path=None, target=None):
        if name == "opentelemetry" or name.startswith("opentelemetry."):
            self.asked.append(name)
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, Blocker())
SHIM

from smsc_async import _otel
from smsc_async.testing import Emulator

async def main():
    async with Emulator().client() as smsc:
        assert smsc._path._telemetry is _otel.NOOP
        return (await smsc.tariffs.get()) is not None

print(json.dumps({
    "ok": asyncio.run(main()),
    "loaded": sorted(m for m in sys.modules if m.split(".")[0] == "opentelemetry"
                     and sys.modules[m] is not None),
    "asked": Blocker.asked,
}))
"""


def _run(script: str) -> Any:
    done = subprocess.run(  # noqa: S603 - our own child script
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("shim", "asked"),
    [("", ["opentelemetry"]), ("sys.modules['opentelemetry'] = None", [])],
    ids=["meta-path-blocker", "sys-modules-none"],
)
def test_without_opentelemetry_the_client_works_and_imports_none_of_it(
    shim: str, asked: list[str]
) -> None:
    """With opentelemetry unimportable a client calls as usual; only find_spec asked for it."""
    result = _run(_BLOCKED.replace("SHIM", shim))
    assert {"ok": True, "loaded": [], "asked": asked} == result


_INSTALLED = """
import asyncio, json, logging, sys

warnings = []
handler = logging.Handler(logging.WARNING)
handler.emit = lambda record: warnings.append(record.getMessage())
logging.getLogger().addHandler(handler)

def loaded():
    return sorted(m for m in sys.modules if m.split(".")[0] == "opentelemetry")

import smsc_async
from smsc_async.testing import Emulator
after_import = loaded()
client = Emulator().client()
after_client = loaded()

from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

# The SDK set after the first client was made, as an application may do; a second after.
exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)
reader = InMemoryMetricReader()
metrics.set_meter_provider(MeterProvider(metric_readers=[reader]))
later = Emulator().client()

async def main():
    async with client as smsc, later:
        await smsc.tariffs.get()
        await later.senders.list()

asyncio.run(main())
data = reader.get_metrics_data()
counted = {
    m.name: sum(getattr(p, "value", 0) or getattr(p, "count", 0) for p in m.data.data_points)
    for r in data.resource_metrics for s in r.scope_metrics for m in s.metrics
}
print(json.dumps({
    "after_import": after_import,
    "sdk_after_client": [m for m in after_client if m.startswith("opentelemetry.sdk")],
    "api_after_client": "opentelemetry.trace" in after_client,
    "spans": sorted(s.name for s in exporter.get_finished_spans()),
    "requests_timed": counted.get("http.client.request.duration"),
    "warnings": warnings,
}))
"""


def test_import_loads_no_opentelemetry_and_a_client_only_its_api() -> None:
    """``import smsc_async`` loads none of it; a client the API only (never the SDK).

    The global providers are OpenTelemetry's proxies: an SDK the application installs after
    making a client still receives its spans and metrics, and a client made after that
    reports through the same instruments, with no warning logged.
    """
    result = _run(_INSTALLED)
    assert {
        "after_import": [],
        "sdk_after_client": [],
        "api_after_client": True,
        "spans": ["POST", "POST", "smsc senders.get", "smsc tariffs.get"],
        "requests_timed": 2,
        "warnings": [],
    } == result


def test_only_the_telemetry_module_imports_opentelemetry_at_run_time() -> None:
    """_otel.py imports opentelemetry (lazily); _client.py names its types for checkers only."""
    users = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            if any(n.split(".")[0] == "opentelemetry" for n in names):
                users.append(str(path.relative_to(PACKAGE)))
    assert {"_otel.py", "_client.py"} == set(users)
    client = (PACKAGE / "_client.py").read_text(encoding="utf-8")
    type_only = client.split("if TYPE_CHECKING:\n", 1)[1].split("\n\n", 1)[0]
    assert 2 == type_only.count("from opentelemetry.")
    otel = (PACKAGE / "_otel.py").read_text(encoding="utf-8")
    module_level = [line for line in otel.splitlines() if line.startswith(("import ", "from "))]
    assert [] == [line for line in module_level if "opentelemetry" in line]


def test_the_no_op_hands_back_what_it_was_given() -> None:
    """Without OpenTelemetry the hooks cost a method call: the awaitable comes back as is."""

    class Reply:
        status_code = 200

    async def run() -> Reply:
        return Reply()

    coroutine = run()
    assert coroutine is _otel.NOOP.call("tariffs.get", coroutine)
    assert coroutine is _otel.NOOP.request("tariffs.get", "get.php", coroutine)
    assert 200 == asyncio.run(coroutine).status_code
