#!/usr/bin/python3
"""Failover benchmark: a release build of Postern delivering through three
simulated providers (postern-sim: Mailgun, SendGrid, Postmark APIs) while
wrk posts messages; one provider goes down (connections refused) a third of
the way into the load and comes back at two thirds.

Per run it reports:
  idle_detect_s   no traffic: provider down -> GET /v1/providers shows it out
                  of the active set (active probes; compare with the probe
                  interval)
  idle_recover_s  no traffic: provider back -> shown healthy again
  failover_s      under load: provider down -> the last attempt routed to it
                  (postern_provider_attempts_total of that provider, sampled
                  every 10 ms, stops rising)
  eject_s         under load: provider down -> shown out of the active set
  return_s        under load: provider back -> its first accepted message
  msg_per_s       messages delivered per second over the whole load (intake
                  to the simulators' receipt), with p99 time to delivery
  lost            accepted messages that no simulator received (must be 0)
  duplicates      messages received twice (bounded by what was in flight)
The medians and the targets go to bench/results/failover.json
(bench/results.py), from which bench/render.py renders BENCHMARKS.md.
Usage: bench/failover.py [BUILD_DIR] [--runs N] [--secs S] [--conns C]
"""
import argparse
import http.client
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROBE_INTERVAL_S = 1
SERVICES = ("mailgun", "sendgrid", "postmark")
VICTIM = "postmark"


def get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def provider_states(port):
    status, body = get(port, "/v1/providers")
    assert status == 200, body
    return {p["name"]: p["state"] for p in json.loads(body)["data"]}


def metric(port, sample):
    """The value of one /metrics sample, 0 when absent."""
    _, body = get(port, "/metrics")
    for line in body.decode().splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def attempts(port, provider, klass):
    return metric(port, f'postern_provider_attempts_total{{provider="{provider}",class="{klass}"}}')


def histogram_quantile(port, name, q):
    """Upper bound of the bucket holding quantile q of a Prometheus histogram."""
    _, body = get(port, "/metrics")
    buckets = []
    for line in body.decode().splitlines():
        m = re.match(name + r'_bucket\{.*le="([^"]+)"\} (\S+)$', line)
        if m:
            buckets.append((m.group(1), float(m.group(2))))
    total = buckets[-1][1] if buckets else 0
    for le, count in buckets:
        if total and count >= q * total:
            return le
    return "n/a"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, step=0.01):
    """Seconds until predicate() held, or None at timeout."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if predicate():
            return time.monotonic() - start
        time.sleep(step)
    return None


def last_rise(port, provider, watch_s):
    """Seconds from now to the last time the provider's attempt count rose,
    watched for watch_s (sampled every 10 ms)."""
    start = time.monotonic()
    previous, last = None, 0.0
    while time.monotonic() - start < watch_s:
        n = sum(attempts(port, provider, k) for k in ("ok", "transient", "provider_down", "permanent"))
        if previous is not None and n > previous:
            last = time.monotonic() - start
        previous = n
        time.sleep(0.01)
    return last


def start_postern(build, work, sim):
    import simulator
    port = free_port()
    names = {"mailgun": "mg", "sendgrid": "sg", "postmark": "pm"}
    config = (f'[http]\nlisten = "127.0.0.1:{port}"\n[store]\npath = "{work}/postern.db"\n[log]\nlevel = "info"\n'
              f'[delivery]\ninitial_backoff = "200ms"\nmax_backoff = "1s"\npoll_interval = "50ms"\n'
              f'[routing]\nprobe_interval = "{PROBE_INTERVAL_S}s"\nprobe_timeout = "500ms"\nprobe_jitter = "100ms"\n'
              f'base_ejection = "1s"\nmax_ejection = "4s"\n'
              f'[[providers]]\nname = "mg"\ntype = "mailgun"\nbase_url = "{sim.url("mailgun")}"\n'
              f'api_key = "{simulator.MAILGUN_KEY}"\ndomain = "mg.example.com"\n'
              f'[[providers]]\nname = "sg"\ntype = "sendgrid"\nbase_url = "{sim.url("sendgrid")}"\n'
              f'api_key = "{simulator.SENDGRID_KEY}"\n'
              f'[[providers]]\nname = "pm"\ntype = "postmark"\nbase_url = "{sim.url("postmark")}"\n'
              f'api_key = "{simulator.POSTMARK_TOKEN}"\n')
    with open(f"{work}/postern.toml", "w") as f:
        f.write(config)
    log = open(f"{work}/serve.log", "w+")
    proc = subprocess.Popen([f"{build}/bin/postern", "--config", f"{work}/postern.toml", "serve"],
                            stdout=subprocess.DEVNULL, stderr=log)
    if wait_until(lambda: "postern ready" in open(f"{work}/serve.log").read(), 30, 0.05) is None:
        proc.kill()
        raise SystemExit("postern did not start:\n" + open(f"{work}/serve.log").read())
    return proc, port, names


def queue(port, status):
    return metric(port, f'postern_queue_messages{{status="{status}"}}')


def one_run(build, secs, conns, run):
    import simulator
    work = tempfile.mkdtemp(prefix="postern-failover.", dir="/var/tmp")
    sim = simulator.Simulator(os.path.join(work, "sim"), services=SERVICES)
    os.makedirs(sim.workdir, exist_ok=True)
    sim.start()
    proc = None
    try:
        proc, port, names = start_postern(build, work, sim)
        victim = names[VICTIM]
        out_of_service = lambda: provider_states(port)[victim] not in ("healthy", "half_open")
        wait_until(lambda: all(s == "healthy" for s in provider_states(port).values()), 10)
        # Idle: only the probes can tell.
        sim.faults(VICTIM, down=True)
        idle_detect = wait_until(out_of_service, 10)
        sim.faults(VICTIM, down=False)
        idle_recover = wait_until(lambda: provider_states(port)[victim] == "healthy", 10)

        lua = os.path.join(work, "post.lua")
        body = json.dumps({"from": "bench@example.com", "to": ["user@example.org"], "subject": "failover",
                           "text": "x" * 1500})
        with open(lua, "w") as f:
            f.write(f'wrk.method="POST"\nwrk.body={json.dumps(body)}\nwrk.headers["Content-Type"]="application/json"\n')
        wrk = subprocess.Popen(["wrk", "-t2", f"-c{conns}", f"-d{int(secs)}s", "--latency", "-s", lua,
                                f"http://127.0.0.1:{port}/v1/messages"], stdout=subprocess.PIPE, text=True)
        start = time.monotonic()
        time.sleep(secs / 3)
        sim.faults(VICTIM, down=True)
        eject = [None]
        watcher = threading.Thread(target=lambda: eject.__setitem__(0, wait_until(out_of_service, secs / 3)))
        watcher.start()
        failover = last_rise(port, victim, secs / 3 - 0.5)
        watcher.join()
        ok_before = attempts(port, victim, "ok")
        sim.faults(VICTIM, down=False)
        back = wait_until(lambda: attempts(port, victim, "ok") > ok_before, secs / 3)
        wrk_out, _ = wrk.communicate(timeout=secs + 60)
        wait_until(lambda: all(queue(port, s) == 0 for s in ("queued", "sending", "deferred")), 120, 0.05)
        end = time.monotonic()
        sent, failed = queue(port, "sent"), queue(port, "failed")
        stats = sim.stats()["total"]
        d99 = histogram_quantile(port, "postern_delivery_seconds", 0.99)
        rps = re.search(r"Requests/sec:\s+(\S+)", wrk_out).group(1)
        line = (f"run={run} idle_detect_s={idle_detect:.2f} idle_recover_s={idle_recover:.2f} "
                f"failover_s={failover:.2f} eject_s={eject[0] if eject[0] is None else round(eject[0], 2)} "
                f"return_s={back if back is None else round(back, 2)} accepted_per_s={rps} "
                f"msg_per_s={sent / (end - start):.0f} delivery_p99_le={d99}s sent={sent:.0f} failed={failed:.0f} "
                f"lost={sent - stats['unique_ids']:.0f} duplicates={stats['duplicate_messages']}")
        print(line, flush=True)
        return line
    finally:
        if proc:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
        sim.stop()
        sim.kill9()
        shutil.rmtree(work, ignore_errors=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", nargs="?", default="build/release")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--secs", type=int, default=15)
    ap.add_argument("--conns", type=int, default=50)
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    os.environ["POSTERN_SIM_BIN"] = f"{build}/bin/postern-sim"
    sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
    print(f"# {time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())} {os.cpu_count()} cores, "
          f"probe interval {PROBE_INTERVAL_S}s, 3 providers, {VICTIM} down at 1/3 and back at 2/3 of {args.secs}s, "
          f"wrk -t2 -c{args.conns}, 1.6 KiB JSON messages")
    lines = [one_run(build, args.secs, args.conns, r) for r in range(1, args.runs + 1)]

    sys.path.insert(0, HERE)
    import render
    import results
    root = os.path.dirname(HERE)
    relative = lambda a: os.path.relpath(a, root) if a.startswith(root + os.sep) else a
    command = " ".join(["bench/failover.py"] + [relative(a) for a in sys.argv[1:]])
    doc = results.document("failover", [results.parse_line(l) for l in lines], command,
                           {"probe_interval_s": PROBE_INTERVAL_S})
    path = results.write(doc, os.environ.get("POSTERN_BENCH_RESULTS", results.RESULTS_DIR))
    print()
    print(render.section(doc))
    print(f"# written to {path}")


if __name__ == "__main__":
    main()
