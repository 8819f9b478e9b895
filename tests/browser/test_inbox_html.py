"""The inbox page without a browser: served right, self-contained, and in step with the API.

These run in the default test run, so a page that stopped matching the JSON API (a route
renamed, an element id dropped) fails even where no Chromium is installed.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser

import httpx
import pytest

from smsc_async.testing import DEFAULT_LOGIN, Emulator

# The routes of the contract (issue 20) the page may use, by method.
CONTRACT_GET = {"state", "events", "stats", "messages"}
CONTRACT_POST = {"faults", "clock", "reset", "subclients", "contacts", "replies"}
# What app.js reads of GET state; a key the API dropped would leave a section blank.
STATE_KEYS = {
    "now",
    "version",
    "stats",
    "messages",
    "replies",
    "subclients",
    "senders",
    "contacts",
    "codes",
    "callbacks",
}
MESSAGE_KEYS = {
    "login",
    "id",
    "phone",
    "text",
    "sender",
    "kind",
    "parts",
    "cost",
    "status",
    "status_name",
    "sent",
    "changed",
}
# Anything that would fetch from another host: the machines the emulator runs on are offline.
REMOTE = re.compile(r"(?:https?:)?//[\w-]+(?:\.[\w-]+)+")
# A stylesheet needs neither imports nor url(): it could only point elsewhere.
CSS_FETCH = re.compile(r"@import|url\(", re.IGNORECASE)


class _Links(HTMLParser):
    """Collects src/href attributes and element ids of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("src", "href") and value is not None:
                self.urls.append(value)
            if name == "id" and value is not None:
                self.ids.add(value)


@pytest.fixture
def emulator() -> Emulator:
    return Emulator(minute=1.0)


@pytest.fixture
async def http(emulator: Emulator) -> AsyncIterator[httpx.AsyncClient]:
    """The emulator's ASGI app in process, as a loopback client sees it."""
    transport = httpx.ASGITransport(app=emulator, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        yield client


async def fetch(http: httpx.AsyncClient, path: str) -> httpx.Response:
    response = await http.get(path)
    assert 200 == response.status_code, path
    return response


def links_of(html: str) -> _Links:
    parser = _Links()
    parser.feed(html)
    return parser


async def test_the_page_and_its_assets_are_served_with_their_types(http: httpx.AsyncClient):
    page = await fetch(http, "/_emulator/")
    assert page.headers["content-type"].startswith("text/html")
    script = await fetch(http, "/_emulator/static/app.js")
    assert re.match(r"(text|application)/javascript", script.headers["content-type"])
    style = await fetch(http, "/_emulator/static/style.css")
    assert style.headers["content-type"].startswith("text/css")
    # Every asset the page names resolves, relative to the page, to one that is served.
    for url in links_of(page.text).urls:
        if url.startswith("#"):
            continue
        await fetch(http, str(httpx.URL("/_emulator/").join(url)))


async def test_the_page_loads_nothing_from_other_hosts(http: httpx.AsyncClient):
    page = (await fetch(http, "/_emulator/")).text
    for url in links_of(page).urls:
        assert not re.match(r"^([a-z][a-z0-9+.-]*:|//)", url, re.IGNORECASE), url
    for path in ("/_emulator/", "/_emulator/static/app.js", "/_emulator/static/style.css"):
        body = (await fetch(http, path)).text
        assert REMOTE.search(body) is None, (path, REMOTE.search(body))
    assert CSS_FETCH.search((await fetch(http, "/_emulator/static/style.css")).text) is None


async def test_static_names_cannot_reach_other_files(http: httpx.AsyncClient):
    for name in ("..%2F_emulator.py", "..%2F..%2F__init__.py", "missing.js"):
        response = await http.get(f"/_emulator/static/{name}")
        assert 404 == response.status_code, name
        assert "import" not in response.text


async def test_every_element_the_script_looks_up_is_on_the_page(http: httpx.AsyncClient):
    ids = links_of((await fetch(http, "/_emulator/")).text).ids
    script = (await fetch(http, "/_emulator/static/app.js")).text
    wanted = set(re.findall(r'(?:\$|fill)\("([\w-]+)"', script))
    assert {"messages", "message-filter", "reply-form", "stat-requests"} <= wanted
    assert set() == wanted - ids


async def test_the_script_uses_the_routes_of_the_contract(
    http: httpx.AsyncClient, emulator: Emulator
):
    script = (await fetch(http, "/_emulator/static/app.js")).text
    gets = set(re.findall(r'BASE \+ "([\w/]+)"', script))
    posts = set(re.findall(r'post\("([\w/]+)"', script))
    assert {"state", "events"} == gets
    assert {"replies", "clock"} == posts
    assert gets <= CONTRACT_GET
    assert posts <= CONTRACT_POST

    # ... and the API answers them as the page expects.
    emulator.outbox.receive(DEFAULT_LOGIN, "79991112233", "first")
    state = (await fetch(http, "/_emulator/state")).json()
    assert set() == STATE_KEYS - state.keys()
    answer = await http.post("/_emulator/replies", json={"phone": "79991112233", "text": "STOP"})
    assert 200 == answer.status_code
    assert answer.json()["ok"] is True
    assert ["first", "STOP"] == [a.text for a in emulator.outbox.answers]
    answer = await http.post("/_emulator/clock", json={"advance": 60})
    assert 200 == answer.status_code
    assert answer.json()["ok"] is True
    later = (await fetch(http, "/_emulator/state")).json()
    assert later["version"] > state["version"]
    assert ["STOP", "first"] == sorted(r["text"] for r in later["replies"])


async def test_a_message_has_every_field_the_table_shows(
    http: httpx.AsyncClient, emulator: Emulator
):
    async with emulator.client() as smsc:
        sent = await smsc.messages.send("79161234567", "Order 7 has shipped")
    [message] = (await fetch(http, "/_emulator/state")).json()["messages"]
    assert set() == MESSAGE_KEYS - message.keys()
    assert (sent.id, "79161234567", "Order 7 has shipped") == (
        str(message["id"]),
        message["phone"],
        message["text"],
    )
