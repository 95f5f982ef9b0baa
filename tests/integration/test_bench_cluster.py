"""bench/cluster.sh in its smoke size (one run of a second, 4 connections,
one node on SQLite beside 1 and 2 on PostgreSQL, on this build): the
benchmark starts its clusters, measures every cell, delivers all it
accepted, stops what it started and writes a results document that
bench/render.py renders. The figures themselves are the benchmark's
business (release build, bench/run_all.sh), not this test's."""
import glob
import json
import os
import subprocess
import sys

import pg_server
from conftest import POSTERN_BIN, ROOT, needs_simulator, requires
from test_haproxy import HAPROXY

pytestmark = [
    requires(pg_server.available(), f"PostgreSQL 15 is not installed ({pg_server.PG_BIN})"),
    requires(os.path.exists(HAPROXY), "haproxy is not installed (scripts/bootstrap.sh)"),
    requires(os.path.exists("/usr/bin/wrk"), "wrk is not installed (scripts/bootstrap.sh)"),
    needs_simulator,
]


def test_cluster_benchmark_smoke_run(tmp_path):
    before = set(glob.glob("/var/tmp/postern-cluster.*"))
    env = dict(os.environ, POSTERN_BENCH_RESULTS=str(tmp_path), HAPROXY=HAPROXY, POSTERN_PG_BIN=pg_server.PG_BIN,
               ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1")
    build = os.path.dirname(os.path.dirname(POSTERN_BIN))
    r = subprocess.run([os.path.join(ROOT, "bench", "cluster.sh"), build, "1", "1", "4", "1 2"], env=env,
                       capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stdout + r.stderr
    assert set(glob.glob("/var/tmp/postern-cluster.*")) == before  # its work directory is gone

    doc = json.loads((tmp_path / "cluster.json").read_text())
    cells = {(c["labels"]["store"], c["labels"]["nodes"]): c for c in doc["cells"]}
    assert sorted(cells) == [("PostgreSQL", 1), ("PostgreSQL", 2), ("SQLite", 1)], r.stdout
    for key, c in cells.items():
        assert c["postern"]["value"] > 0, (key, c)
        assert c["extras"]["e2e"]["value"] > 0, (key, c)
    assert cells[("PostgreSQL", 1)]["extras"]["commits"]["value"] > 0
    assert cells[("PostgreSQL", 1)]["ratio"]["value"] > 0
    assert cells[("PostgreSQL", 2)]["extras"]["vs_one"]["value"] > 0
    # Everything accepted was delivered, and nothing answered otherwise.
    assert "Answers not 2xx: 0; accepted messages the simulator had not received at the end " \
           "(two minutes after the load): 0." in doc["notes"][0], doc["notes"]

    rendered = subprocess.run([sys.executable, os.path.join(ROOT, "bench", "render.py")], env=env,
                              capture_output=True, text=True, timeout=60)
    assert rendered.returncode == 0, rendered.stderr
    assert "## Cluster" in (tmp_path / "BENCHMARKS.md").read_text()
