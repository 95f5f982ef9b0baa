"""The committed results carry the targets and verdicts bench/results.py
gives them today, and BENCHMARKS.md is what they render to: a hand edit of
either, or a change of the targets or the renderer without `make
bench-report`, fails here."""
import copy
import os
import sys

import pytest

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, BENCH)
import render  # noqa: E402
import results  # noqa: E402


def committed():
    return render.load_all(os.path.join(BENCH, "results"))


@pytest.mark.parametrize("doc", committed(), ids=lambda d: d["benchmark"])
def test_committed_results_carry_the_current_targets_and_verdicts(doc):
    assert doc["schema"] == results.SCHEMA
    for key in ("machine", "date", "commit", "command", "cells", "source"):
        assert doc[key], key
    assert doc["source"]["kind"] == "measured" or doc["source"]["from"]
    assert results.apply_targets(copy.deepcopy(doc)) == doc, "run: bench/results.py judge bench/results/*.json"


def test_benchmarks_md_is_what_the_committed_results_render_to():
    with open(os.path.join(BENCH, "..", "BENCHMARKS.md")) as f:
        assert f.read() == render.page(committed()), "run: make bench-report"
