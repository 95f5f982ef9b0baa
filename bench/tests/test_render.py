"""bench/render.py's short page: which rows it keeps and which it may cut."""
import os
import sys

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, BENCH)
import render  # noqa: E402
import results  # noqa: E402


def search_doc(p99s):
    """A message search run with one first page per filter, its p99 as given."""
    raw = [results.parse_line("run=1 seed messages=1000000 enqueue_s=1 deliver_s=1 failures=0")]
    raw += [results.parse_line(f"run=1 filter=q{i} page=first p50_ms=0.1 p99_ms={p99} max_ms=1 rows=50")
            for i, p99 in enumerate(p99s)]
    return results.document("message_search", raw, "x", {})


def table_rows(text):
    return [line for line in text.splitlines() if line.startswith("| q")]


def test_a_section_keeps_the_rows_nearest_their_target_in_the_runs_order():
    text = render.compact_section(search_doc([1, 30, 2, 40, 3, 20]))
    assert [r.split(" | ")[0] for r in table_rows(text)] == ["| q1", "| q3", "| q5"]
    assert f"Shown: {render.HEADLINE_ROWS} of its 6 rows, those nearest their target." in text


def test_a_row_missing_its_target_is_never_cut_and_heads_the_summary():
    doc = search_doc([1, 30, 2, 40, 3, 20, 60])
    assert "| q6 | first | 60 ms | p99 < 50 ms | **not met** |" in render.compact_section(doc)
    row = render.summary_row(doc)
    assert "| filter q6, page first | p99: 60 ms |" in row and row.endswith("| **not met** (6 of 7 rows) |")


def test_a_single_row_the_summary_shows_is_not_repeated():
    doc = search_doc([5])
    text = render.compact_section(doc)
    assert not table_rows(text) and "What bounds it:" in text
    assert "| filter q0, page first | p99: 5 ms |" in render.summary([doc])


def test_columns_are_those_the_targets_read():
    raw = [results.parse_line(line) for line in (
        "run=1 load=alone requests=500 p50=0.15ms p99=0.40ms legit_non2xx=0",
        "run=1 load=flood requests=500 p50=0.50ms p99=0.60ms legit_non2xx=0 flood_429=1000 flood_200=100",
        "run=1 load=after requests=500 p50=0.2ms p99=0.5ms legit_non2xx=0")]
    doc = results.document("limits", raw, "x", {"secs": "10", "flood": "1000"})
    short = render.short_doc(doc)
    assert [e["key"] for e in short["extras"]] == ["p99_vs_alone", "legit_non2xx"] and short["omit_postern"]
    assert "flood 429s" not in render.table(short) and "flood 429s" in render.section(doc)


def test_the_full_form_keeps_every_row_and_note():
    doc = search_doc([1, 30, 2, 40, 3, 20])
    doc["notes"].append("A note of the run.")
    text = render.full_page([doc])
    assert len(table_rows(text)) == 6 and "A note of the run." in text
    assert "A note of the run." not in render.page([doc])
