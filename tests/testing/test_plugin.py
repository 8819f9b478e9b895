"""The ``smsc_emulator`` fixture, from the pytest plugin smsc_async installs (``pytest11``)."""

from __future__ import annotations

from importlib.metadata import entry_points

import pytest

import smsc_async.pytest_plugin
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
import smsc_async.pytest_plugin
from smsc_async.testing import Emulator

seen = []


def test_plugin_is_registered_as_smsc_async(request):
    plugin = request.config.pluginmanager.get_plugin("smsc_async")
    assert plugin is smsc_async.pytest_plugin


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
    """The ``pytest11`` entry point registers ``smsc_async.pytest_plugin``."""
    plugins = {e.name: e.value for e in entry_points(group="pytest11")}
    assert "smsc_async.pytest_plugin" == plugins.get("smsc_async")


def test_the_plugin_is_loaded_in_this_run(pytestconfig: pytest.Config) -> None:
    """This very run has the plugin registered under the name ``smsc_async``."""
    plugin = pytestconfig.pluginmanager.get_plugin("smsc_async")
    assert smsc_async.pytest_plugin is plugin


def test_the_fixture_is_defined_by_the_plugin_not_a_conftest(
    request: pytest.FixtureRequest,
) -> None:
    """``smsc_emulator`` resolves to the plugin module's fixture."""
    definitions = request._fixturemanager.getfixturedefs("smsc_emulator", request.node)
    assert definitions is not None
    assert ["smsc_async.pytest_plugin"] == [d.func.__module__ for d in definitions]


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


def test_the_old_module_still_offers_the_fixture() -> None:
    """``smsc_async.testing.pytest_plugin`` (named in ``pytest_plugins`` lists) still has it."""
    assert smsc_async.pytest_plugin.smsc_emulator is smsc_async.testing.pytest_plugin.smsc_emulator


# Starlette made unimportable, as in an environment without the emulator extra.
NO_STARLETTE = "raise ImportError('No module named starlette (hidden by the test)')\n"


def _without_starlette(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    shim = pytester.mkdir("no_extra")
    (shim / "starlette").mkdir()
    (shim / "starlette" / "__init__.py").write_text(NO_STARLETTE)
    monkeypatch.setenv("PYTHONPATH", str(shim))
    pytester.makeini(INNER_CONFIG)


def test_an_unrelated_suite_runs_without_the_emulator_extra(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without Starlette, loading the plugin breaks nothing: an unrelated suite exits 0."""
    _without_starlette(pytester, monkeypatch)
    pytester.makepyfile(
        test_unrelated=(
            "import pytest\n\n"
            "def test_starlette_is_hidden():\n"
            "    with pytest.raises(ImportError):\n"
            "        import starlette  # noqa: F401\n\n"
            "def test_arithmetic():\n"
            "    assert 2 == 1 + 1\n"
        )
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    assert pytest.ExitCode.OK == result.ret
    result.assert_outcomes(passed=2)


def test_the_fixture_without_the_extra_names_the_extra(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without Starlette, only a test using ``smsc_emulator`` errors, saying what to install."""
    _without_starlette(pytester, monkeypatch)
    pytester.makepyfile(
        test_inner="def test_it(smsc_emulator):\n    pass\n\ndef test_other():\n    pass\n"
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    shown = result.stdout.str()
    assert "smsc_emulator fixture needs the emulator extra" in shown
    assert "pip install 'smsc_async[emulator]'" in shown
