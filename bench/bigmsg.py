#!/usr/bin/python3
"""Big messages at once (issue 31; DESIGN.md: "memory with 200 SMTP sessions
x 25 MB and 200 HTTP clients x 10 MB at once: < 512 MB RSS, every
acknowledged message delivered byte-exact"). A release build of Postern
relays to postern-sim's SMTP relay (--hash-bodies); the load and the
byte-for-byte check are tests/integration/bigmsg_load.py's, the same code
test_bigmsg.py runs at a CI size. Prints one raw line for bench/results.py:
  peak_rss_mib  the most VmRSS sampled (every 50 ms) from the start of the
                load to the last message delivered
  idle_rss_mib  VmRSS of the idle server before the load
  seconds       from the first connection to the last acknowledgement
  refusals_*    452 4.3.1 and 503 answers the clients got and retried past
  acked, intact messages acknowledged, and delivered byte for byte (equal)
Usage: bench/bigmsg.py BUILD_DIR RAW_FILE [--smtp N] [--smtp-mib S] [--http M]
       [--http-mib H] [--inflight-mib B]
"""
import argparse
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
MiB = 1024 * 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("raw")
    ap.add_argument("--smtp", type=int, default=200)
    ap.add_argument("--smtp-mib", type=float, default=25)
    ap.add_argument("--http", type=int, default=200)
    ap.add_argument("--http-mib", type=float, default=10)
    ap.add_argument("--inflight-mib", type=int, default=128)
    a = ap.parse_args()
    build = os.path.abspath(a.build)
    os.environ["POSTERN_BIN"] = os.path.join(build, "bin", "postern")
    os.environ["POSTERN_SIM_BIN"] = os.path.join(build, "bin", "postern-sim")
    sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
    from bigmsg_load import Sampler, check_delivered, run_load, wait_sent
    from conftest import Postern
    from simulator import Simulator

    smtp_bytes, http_bytes = int(a.smtp_mib * MiB), int(a.http_mib * MiB)
    largest = max(smtp_bytes, http_bytes) + 64 * 1024
    inflight = max(a.inflight_mib * MiB, largest)
    work = tempfile.mkdtemp(prefix="postern-bigmsg.", dir="/var/tmp")
    sim = Simulator(os.path.join(work, "sim"), services=("smtp",),
                    args=("--hash-bodies", "--capture-bytes", "1MiB", "--smtp-max-size", f"{largest + MiB}"))
    os.makedirs(sim.workdir)
    sim.start()
    node = None
    try:
        os.makedirs(os.path.join(work, "node"))
        config = (f'[limits]\ninflight_bytes = {inflight}\n[messages]\nmax_message_bytes = {largest}\n'
                  f'[http]\nmax_body_bytes = {largest}\n'
                  f'[delivery]\npoll_interval = "50ms"\n'
                  f'[[providers]]\nname = "relay"\ntype = "smtp"\nhost = "127.0.0.1"\n'
                  f'port = {sim.port("smtp")}\ntls = "none"\nhelo_name = "gw.test"\n')
        node = Postern(os.path.join(work, "node"), config_text=config)
        node.start()
        idle = Sampler(node.proc.pid).rss()
        # One sampler from the load's start to the last delivery.
        with Sampler(node.proc.pid) as whole:
            outcome, _, seconds, bodies = run_load(node, a.smtp, smtp_bytes, a.http, http_bytes, timeout=3600)
            left = wait_sent(node.api(), [i for _, _, i in outcome.acked], 1800)
        intact = 0
        if not left:
            check_delivered(node, sim, outcome, bodies)  # raises on the first difference
            intact = len(outcome.acked)
        line = (f"smtp_sessions={a.smtp} smtp_mib={a.smtp_mib:g} http_clients={a.http} http_mib={a.http_mib:g} "
                f"inflight_mib={inflight / MiB:g} idle_rss_mib={idle / MiB:.0f} "
                f"peak_rss_mib={whole.peak() / MiB:.0f} seconds={seconds:.1f} "
                f"refusals_smtp={outcome.refusals['smtp']} refusals_http={outcome.refusals['http']} "
                f"acked={len(outcome.acked)} intact={intact} undelivered={len(left)}")
        print(line)
        with open(a.raw, "a") as f:
            f.write(line + "\n")
    finally:
        if node:
            node.finish()
        sim.finish()
        import shutil
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
