"""The chaos soak (``benchmarks/soak.py``), 200 items a job, in virtual time, per format.

The engine lives with the benchmarks so ``nox -s soak`` runs the same code at 2,000 items;
it is imported from the repository root, which is on the tests' path (as for
``tests.cli.conftest``).
"""

from __future__ import annotations

import pytest

from benchmarks.soak import MUST_BE_ZERO, SEED, soak
from smsc_async import Format

pytestmark = pytest.mark.looptime

ITEMS = 200
KINDS = {
    "reset_before",
    "reset_after",
    "bad_gateway",
    "truncate",
    "slow_body",
    "spike",
    "foreign error 9",
}


async def test_every_item_tells_the_truth_under_faults(fmt: Format) -> None:
    """Under every fault: no duplicate, no self-caused 9, no stray exception, no false report."""
    result = await soak(ITEMS, fmt, SEED)
    assert KINDS <= set(result.injected)  # every fault was met: the soak is not vacuous
    assert [ITEMS, ITEMS] == [job.count("items") for job in result.jobs]
    assert [0, 0] == [job.count("not_done") for job in result.jobs]
    figures = {figure: result.total(figure) for figure in MUST_BE_ZERO}
    assert dict.fromkeys(MUST_BE_ZERO, 0) == figures, "\n".join(result.problems)
