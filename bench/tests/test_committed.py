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


def page_lines():
    with open(os.path.join(BENCH, "..", "BENCHMARKS.md")) as f:
        return f.read().splitlines()


def test_benchmarks_md_reads_in_two_minutes():
    # A reference, not a lab notebook: the rest is in the results and the notes.
    assert len(page_lines()) <= 120


@pytest.mark.parametrize("doc", committed(), ids=lambda d: d["benchmark"])
def test_every_benchmark_has_a_summary_row_a_section_and_a_bound(doc):
    lines = page_lines()
    link = f"| [{doc['title']}](#{render.anchor(doc['title'])}) |"
    rows = [line for line in lines if line.startswith(link)]
    assert len(rows) == 1, f"no summary row for {doc['benchmark']}"
    judged = [c for c in doc["cells"] if c.get("target")]
    if judged:
        assert rows[0].split(" | ")[-2] == render.nearest_first(doc["cells"])[0]["target"]["text"]
    assert f"## {doc['title']}" in lines
    assert any(line.startswith("What bounds it: " + render.BOUNDS[doc["benchmark"]]) for line in lines)


@pytest.mark.parametrize("doc", committed(), ids=lambda d: d["benchmark"])
def test_every_sections_notes_link_finds_its_heading(doc):
    with open(os.path.join(BENCH, "..", render.NOTES)) as f:
        anchors = {render.anchor(line.lstrip("#").strip()) for line in f if line.startswith("## ")}
    assert render.anchor(doc["title"]) in anchors, f"{render.NOTES} has no section '## {doc['title']}'"
