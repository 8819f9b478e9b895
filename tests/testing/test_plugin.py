"""The ``smsc_emulator`` fixture, from the pytest plugin smsc_async installs (``pytest11``)."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

import smsc_async.testing.pytest_plugin
from smsc_async.testing import DEFAULT_LOGIN, Emulator
from smsc_async.testing._tariffs import DEFAULT_TARIFFS

pytest_plugins = ["pytester"]

# An isolated pytest run: the fixture must come from the installed plugin alone.
INNER_CONFIG = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
"""

INNER_TESTS = """
import smsc_async.testing.pytest_plugin
from smsc_async.testing import Emulator

seen = []


def test_plugin_is_registered_as_smsc_async(request):
    plugin = request.config.pluginmanager.get_plugin("smsc_async")
    assert plugin is smsc_async.testing.pytest_plugin


async def test_first(smsc_emulator):
    assert isinstance(smsc_emulator, Emulator)
    async with smsc_emulator.client() as smsc:
        await smsc.senders.add("shop")
        assert (await smsc.tariffs.get()).zones
    seen.append(smsc_emulator)


def test_second_gets_a_fresh_one(smsc_emulator):
    assert [] == smsc_emulator.traffic
    assert {} == dict(smsc_emulator.senders.names)
    assert seen and seen[0] is not smsc_emulator
"""


def test_the_entry_point_names_the_plugin_smsc_async() -> None:
    """The ``pytest11`` entry point registers ``smsc_async.testing.pytest_plugin``."""
    plugins = {e.name: e.value for e in entry_points(group="pytest11")}
    assert "smsc_async.testing.pytest_plugin" == plugins.get("smsc_async")


def test_the_plugin_is_loaded_in_this_run(pytestconfig: pytest.Config) -> None:
    """This very run has the plugin registered under the name ``smsc_async``."""
    plugin = pytestconfig.pluginmanager.get_plugin("smsc_async")
    assert smsc_async.testing.pytest_plugin is plugin


def test_the_fixture_is_defined_by_the_plugin_not_a_conftest(
    request: pytest.FixtureRequest,
) -> None:
    """``smsc_emulator`` resolves to the plugin module's fixture."""
    definitions = request._fixturemanager.getfixturedefs("smsc_emulator", request.node)
    assert definitions is not None
    assert ["smsc_async.testing.pytest_plugin"] == [d.func.__module__ for d in definitions]


async def test_the_fixture_is_usable_as_documented(smsc_emulator: Emulator) -> None:
    """``async with smsc_emulator.client() as smsc: await smsc.tariffs.get()`` works."""
    assert isinstance(smsc_emulator, Emulator)
    assert [] == smsc_emulator.traffic
    async with smsc_emulator.client() as smsc:
        assert DEFAULT_TARIFFS == await smsc.tariffs.get()
    assert [(DEFAULT_LOGIN, "get.get_price")] == [
        (e.login, e.command) for e in smsc_emulator.traffic
    ]


def test_a_separate_run_gets_the_fixture_from_the_plugin(pytester: pytest.Pytester) -> None:
    """In a bare project, the plugin is registered and gives each test a fresh emulator."""
    pytester.makeini(INNER_CONFIG)
    pytester.makepyfile(test_inner=INNER_TESTS)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_without_the_plugin_there_is_no_fixture(pytester: pytest.Pytester) -> None:
    """Disabling the ``smsc_async`` plugin by name removes the fixture: no conftest supplies it."""
    pytester.makeini(INNER_CONFIG)
    pytester.makepyfile(test_inner="def test_it(smsc_emulator):\n    pass\n")
    result = pytester.runpytest_subprocess("-p", "no:smsc_async", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'smsc_emulator' not found*"])
