"""The README's FastAPI and aiohttp examples, run against the emulator so they cannot rot.

Each example is a code block of README.md marked ``<!-- readme-test: NAME -->``; it is
executed as a module of its own and driven over HTTP (FastAPI's ``TestClient``, aiohttp's
``TestServer``), with ``SMSC_*`` pointing at an emulator served on 127.0.0.1.
"""

from __future__ import annotations

import re
import sys
import types
import warnings
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient as AioClient
from aiohttp.test_utils import TestServer
from fastapi import Request
from starlette.exceptions import StarletteDeprecationWarning

from smsc_async import SmscClient, Tariffs, TariffZone, ValidationError
from smsc_async.testing import (
    DEFAULT_LOGIN,
    DEFAULT_PASSWORD,
    Emulator,
    serving,
    serving_in_thread,
)

with warnings.catch_warnings():
    # Starlette >= 1.x warns, at import, that its TestClient would rather run on httpx2 than
    # on httpx (which the SDK uses and this environment has): a library's own notice, not
    # something the README's example can change.
    warnings.filterwarnings(
        "ignore", "Using `httpx` with `starlette.testclient`", StarletteDeprecationWarning
    )
    from fastapi.testclient import TestClient

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(
    r"^<!-- readme-test: (\w+) -->\n```python\n(.*?)^```$", re.MULTILINE | re.DOTALL
)
# The modules the README's test examples import the apps from.
_MODULE_NAMES = {"fastapi_app": "sms_office", "aiohttp_app": "sms_office_aiohttp"}
EXPECTED_BLOCKS = ("fastapi_app", "aiohttp_app", "fastapi_test", "aiohttp_test")
TARIFFS = Tariffs(
    zones=(
        TariffZone("7", "Testland, Operator One", Decimal("0.42"), Decimal("0.50")),
        TariffZone("8", "Testland, Operator Two", Decimal("1.05"), Decimal("1.10")),
    )
)


def readme_blocks() -> dict[str, str]:
    """Every marked Python block of the README, by its marker's name."""
    found: dict[str, str] = {}
    for name, code in _BLOCK.findall(README.read_text(encoding="utf-8")):
        assert name not in found, f"two README blocks are marked {name!r}"
        found[name] = code
    return found


def load_block(name: str, monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """Run the README block ``name`` as a module (importable by its name while the test runs)."""
    module = types.ModuleType(_MODULE_NAMES.get(name, f"readme_{name}"))
    module.__file__ = f"{README}:{name}"
    monkeypatch.setitem(sys.modules, module.__name__, module)
    code = compile(readme_blocks()[name], module.__file__, "exec")
    exec(code, module.__dict__)  # noqa: S102 - the README's own code, run on purpose
    return module


@pytest.fixture
def emulator() -> Emulator:
    """An emulator with a price list of its own, so answers can be traced to it."""
    return Emulator(tariffs=TARIFFS, approve_senders=True)


@pytest.fixture
def created(monkeypatch: pytest.MonkeyPatch) -> list[SmscClient]:
    """Every client ``SmscClient.from_env`` makes while the test runs, in order."""
    made: list[SmscClient] = []
    original = SmscClient.from_env.__func__  # type: ignore[attr-defined]

    def spy(cls: type[SmscClient], *args: Any, **kwargs: Any) -> SmscClient:
        client: SmscClient = original(cls, *args, **kwargs)
        made.append(client)
        return client

    monkeypatch.setattr(SmscClient, "from_env", classmethod(spy))
    return made


def point_env_at(monkeypatch: pytest.MonkeyPatch, base_url: str, password: str) -> None:
    monkeypatch.setenv("SMSC_BASE_URL", base_url)
    monkeypatch.setenv("SMSC_LOGIN", DEFAULT_LOGIN)
    monkeypatch.setenv("SMSC_PASSWORD", password)
    monkeypatch.delenv("SMSC_APIKEY", raising=False)


def is_closed(smsc: SmscClient) -> bool:
    """Whether the client was closed (its connection pools with it)."""
    return smsc.closed


def commands(emulator: Emulator) -> list[tuple[str, int | None]]:
    """What reached the emulator: command and SMSC error code, in order."""
    return [(e.command, e.error_code) for e in emulator.traffic]


def expected_prices() -> list[dict[str, str]]:
    return [{"zone": z.zone, "name": z.name, "sms": str(z.api)} for z in TARIFFS.zones]


# -- the markers ---------------------------------------------------------------------------


def test_every_marked_readme_block_is_found() -> None:
    """README.md holds each runnable framework example, marked for these tests, exactly once."""
    assert set(EXPECTED_BLOCKS) <= readme_blocks().keys()


@pytest.mark.parametrize("name", EXPECTED_BLOCKS)
def test_each_marked_block_compiles_as_a_module(name: str) -> None:
    """Each marked block is complete Python that compiles on its own."""
    code = compile(readme_blocks()[name], name, "exec")
    assert code.co_filename == name


# -- FastAPI -------------------------------------------------------------------------------


@pytest.fixture
def fastapi_app(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    return load_block("fastapi_app", monkeypatch)


@pytest.fixture
def fastapi_env(
    emulator: Emulator, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., None]]:
    """The emulator served from a thread; call the result to point ``SMSC_*`` at it."""
    with serving_in_thread(emulator) as base_url:

        def point(password: str = DEFAULT_PASSWORD) -> None:
            point_env_at(monkeypatch, base_url, password)

        point()
        yield point


def test_fastapi_prices_come_from_the_emulator(
    emulator: Emulator, fastapi_app: types.ModuleType, fastapi_env: Callable[..., None]
) -> None:
    """GET /prices answers the emulator's price list, as Decimal strings, in one request."""
    with TestClient(fastapi_app.app) as http:
        response = http.get("/prices")
    assert (200, expected_prices()) == (response.status_code, response.json())
    assert [("get.get_price", None)] == commands(emulator)


def test_fastapi_one_client_serves_every_request_and_the_lifespan_closes_it(
    emulator: Emulator,
    fastapi_app: types.ModuleType,
    fastapi_env: Callable[..., None],
    created: list[SmscClient],
) -> None:
    """The lifespan makes one client, every request gets that one, and app shutdown closes it."""
    handed: list[SmscClient] = []

    def recording_get_smsc(request: Request) -> SmscClient:
        smsc: SmscClient = fastapi_app.get_smsc(request)
        handed.append(smsc)
        return smsc

    fastapi_app.app.dependency_overrides[fastapi_app.get_smsc] = recording_get_smsc
    with TestClient(fastapi_app.app) as http:
        statuses = [http.get("/prices").status_code, http.get("/contacts").status_code]
        open_while_serving = not is_closed(created[0])
    assert [200, 200] == statuses
    assert 1 == len(created)
    assert [created[0], created[0]] == handed
    assert created[0] is fastapi_app.app.state.smsc
    assert (True, True) == (open_while_serving, is_closed(created[0]))


def test_fastapi_created_sender_name_exists_at_the_emulator(
    emulator: Emulator, fastapi_app: types.ModuleType, fastapi_env: Callable[..., None]
) -> None:
    """POST /senders creates the name at the emulator and answers 201 with its id."""
    with TestClient(fastapi_app.app) as http:
        response = http.post("/senders", json={"sender": "MyShop", "comment": "from the API"})
    assert 201 == response.status_code
    new_id = response.json()["id"]
    entry = emulator.senders.names[DEFAULT_LOGIN][new_id]
    assert ("MyShop", "from the API") == (entry.sender, entry.cmt)
    assert [("senders.add", None)] == commands(emulator)
    assert {"sender": "MyShop", "cmt": "from the API"}.items() <= emulator.traffic[0].params.items()


def test_fastapi_contacts_are_listed_from_the_emulator(
    emulator: Emulator, fastapi_app: types.ModuleType, fastapi_env: Callable[..., None]
) -> None:
    """GET /contacts?search= lists the matching contacts of the emulator's phone book."""
    emulator.contacts.add_contact(["79991112233"], name="Ivan", myid="c-17")
    emulator.contacts.add_contact(["79994445566"], name="Maria")
    with TestClient(fastapi_app.app) as http:
        response = http.get("/contacts", params={"search": "ivan"})
    assert 200 == response.status_code
    # The contact's id is the client's own (myid), as text.
    assert [{"id": "c-17", "name": "Ivan", "phones": ["79991112233"]}] == response.json()


def test_fastapi_bad_sender_name_is_422_and_nothing_is_sent(
    emulator: Emulator, fastapi_app: types.ModuleType, fastapi_env: Callable[..., None]
) -> None:
    """A sender name SMSC would refuse is a 422 naming the field, and SMSC never hears of it."""
    with TestClient(fastapi_app.app) as http:
        response = http.post("/senders", json={"sender": "a-name-far-too-long"})
    assert (422, ["sender"]) == (response.status_code, response.json()["fields"])
    assert "senders.add" in response.json()["detail"]
    assert [] == commands(emulator)


def test_fastapi_error_9_is_503_with_retry_after_at_once(
    emulator: Emulator, fastapi_app: types.ModuleType, fastapi_env: Callable[..., None]
) -> None:
    """SMSC's error 9 is a 503 whose Retry-After is the minute the window needs, not a hang."""
    emulator.faults.error("senders.add", 9, "duplicate request, wait a minute", times=None)
    with TestClient(fastapi_app.app) as http:
        first = http.post("/senders", json={"sender": "MyShop"})
        again = http.post("/senders", json={"sender": "MyShop"})  # refused before sending
    assert (503, 503) == (first.status_code, again.status_code)
    # SMSC's windows are a minute long, plus the client's margin (1 s) and jitter.
    assert 61 <= int(first.headers["Retry-After"]) <= 62
    assert 0 < int(again.headers["Retry-After"]) <= int(first.headers["Retry-After"])
    assert [("senders.add", 9)] == commands(emulator)
    assert {} == emulator.senders.names[DEFAULT_LOGIN]


def test_fastapi_other_sdk_errors_are_502(
    emulator: Emulator, fastapi_app: types.ModuleType, fastapi_env: Callable[..., None]
) -> None:
    """Any other SmscError (here a wrong password, SMSC's error 2) is a 502 without the secret."""
    fastapi_env(password="not-the-password")
    with TestClient(fastapi_app.app) as http:
        response = http.get("/prices")
    assert 502 == response.status_code
    assert "authorise error" in response.json()["detail"]
    assert "not-the-password" not in response.text
    assert [("get.get_price", 2)] == commands(emulator)


def test_fastapi_app_without_credentials_fails_at_startup(
    fastapi_app: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no SMSC_* credentials the app refuses to start, naming the variables to set."""
    for name in ("SMSC_LOGIN", "SMSC_PASSWORD", "SMSC_APIKEY", "SMSC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with (
        pytest.raises(ValidationError, match="SMSC_LOGIN and SMSC_PASSWORD, or SMSC_APIKEY"),
        TestClient(fastapi_app.app),
    ):
        pass


def test_fastapi_readme_test_example_passes(
    fastapi_app: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's own FastAPI test, run against the README's app, passes."""
    example = load_block("fastapi_test", monkeypatch)
    example.test_prices_come_from_smsc(monkeypatch)


# -- aiohttp -------------------------------------------------------------------------------


@pytest.fixture
def aiohttp_app(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    return load_block("aiohttp_app", monkeypatch)


async def test_aiohttp_handlers_answer_from_the_emulator(
    emulator: Emulator,
    aiohttp_app: types.ModuleType,
    monkeypatch: pytest.MonkeyPatch,
    created: list[SmscClient],
) -> None:
    """GET /prices and POST /senders answer from the emulator through the app's one client."""
    async with serving(emulator) as base_url:
        point_env_at(monkeypatch, base_url, DEFAULT_PASSWORD)
        app = aiohttp_app.create_app()
        async with AioClient(TestServer(app)) as http:
            prices = await http.get("/prices")
            added = await http.post("/senders", json={"sender": "MyShop", "comment": "aio"})
            answers = (prices.status, await prices.json(), added.status, await added.json())
    new_id = answers[3]["id"]
    assert (200, expected_prices(), 201) == answers[:3]
    assert ("MyShop", "aio") == (
        emulator.senders.names[DEFAULT_LOGIN][new_id].sender,
        emulator.senders.names[DEFAULT_LOGIN][new_id].cmt,
    )
    assert [("get.get_price", None), ("senders.add", None)] == commands(emulator)
    assert [app[aiohttp_app.SMSC]] == created


async def test_aiohttp_cleanup_ctx_closes_the_client_at_shutdown(
    emulator: Emulator, aiohttp_app: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client made at start-up stays open while the app serves and is closed at cleanup."""
    async with serving(emulator) as base_url:
        point_env_at(monkeypatch, base_url, DEFAULT_PASSWORD)
        app = aiohttp_app.create_app()
        async with AioClient(TestServer(app)) as http:
            assert 200 == (await http.get("/prices")).status
            smsc = app[aiohttp_app.SMSC]
            open_while_serving = not is_closed(smsc)
    assert (True, True) == (open_while_serving, is_closed(smsc))


async def test_aiohttp_middleware_maps_sdk_errors_to_http(
    emulator: Emulator, aiohttp_app: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bad name is 422 (nothing sent), SMSC's error 9 is 503 with Retry-After, error 2 is 502."""
    emulator.faults.error("senders.add", 9, "duplicate request, wait a minute")
    emulator.faults.error("get.get_price", 2, "authorise error")
    async with serving(emulator) as base_url:
        point_env_at(monkeypatch, base_url, DEFAULT_PASSWORD)
        async with AioClient(TestServer(aiohttp_app.create_app())) as http:
            bad = await http.post("/senders", json={"sender": "a-name-far-too-long"})
            bad_body = await bad.json()
            busy = await http.post("/senders", json={"sender": "MyShop"})
            failed = await http.get("/prices")
    assert (422, ["sender"]) == (bad.status, bad_body["fields"])
    assert 503 == busy.status
    assert 61 <= int(busy.headers["Retry-After"]) <= 62
    assert 502 == failed.status
    assert [("senders.add", 9), ("get.get_price", 2)] == commands(emulator)


async def test_aiohttp_readme_test_example_passes(
    aiohttp_app: types.ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's own aiohttp test, run against the README's app, passes."""
    example = load_block("aiohttp_test", monkeypatch)
    await example.test_prices_come_from_smsc(monkeypatch)
