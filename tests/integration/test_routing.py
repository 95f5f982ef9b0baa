"""Routing against the real binary and postern-sim: the providers and routing
APIs (with their scopes and field errors), routes choosing a pool, the event
stream, and a SIGHUP reload that adds a provider while a load runs.

The helpers at the top (load, attempts, configs) are shared with
test_health.py."""
import calendar
import http.client
import json
import signal
import threading
import time

import simulator
from conftest import Threads, needs_simulator, simple_message
from test_providers import provider_toml

pytestmark = needs_simulator

# Quick retries and short health timings so that each test ends in seconds.
FAST = ('[delivery]\ninitial_backoff = "200ms"\nmax_backoff = "1s"\npoll_interval = "50ms"\n'
        'max_hold = "5s"\n')


def routing_section(**keys):
    lines = ["[routing]"]
    defaults = {"probe_interval": "1s", "probe_timeout": "500ms", "probe_jitter": "100ms",
                "base_ejection": "500ms", "max_ejection": "2s", "trial_successes": 2}
    defaults.update(keys)
    for k, v in defaults.items():
        lines.append(f"{k} = {json.dumps(v)}")
    return "\n".join(lines) + "\n"


def providers_toml(sim, providers):
    """providers: [(name, kind, extra toml lines)]"""
    out = ""
    for name, kind, *extra in providers:
        out += provider_toml(sim, kind, name) + "".join(extra)
    return out


def parse_time(text):
    """RFC 3339 UTC with milliseconds -> Unix seconds."""
    base, _, frac = text.rstrip("Z").partition(".")
    return calendar.timegm(time.strptime(base, "%Y-%m-%dT%H:%M:%S")) + (float("0." + frac) if frac else 0.0)


class Load:
    """Sends messages from `threads` keep-alive connections at about `rate`
    per second until stopped; keeps the accepted ids and any refusal.
    stop() raises if a sender failed in another way."""

    def __init__(self, port, rate=150, threads=4, make=None):
        self.port, self.rate, self.threads = port, rate, threads
        self.make = make or (lambda i: simple_message(i))
        self.ids, self.errors = [], []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.workers = Threads()
        self.counter = 0

    def start(self):
        for _ in range(self.threads):
            self.workers.start(self._run)
        return self

    def _run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        period = self.threads / self.rate
        next_at = time.time()
        while not self.stopping.is_set():
            with self.lock:
                i = self.counter
                self.counter += 1
            try:
                conn.request("POST", "/v1/messages", body=json.dumps(self.make(i)),
                             headers={"Content-Type": "application/json"})
                r = conn.getresponse()
                data = r.read()
            except (OSError, http.client.HTTPException) as e:
                with self.lock:
                    self.errors.append(repr(e))
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            with self.lock:
                if r.status == 202:
                    self.ids.append(json.loads(data)["id"])
                else:
                    self.errors.append((r.status, data[:200]))
            next_at += period
            delay = next_at - time.time()
            if delay > 0:
                time.sleep(delay)
            else:
                next_at = time.time()

    def stop(self):
        self.stopping.set()
        self.workers.join(30)
        return self.ids


def wait_final(api, ids, timeout=60):
    """Every message reaches a final status; returns {id: detail}."""
    deadline = time.time() + timeout
    pending, done = set(ids), {}
    while pending and time.time() < deadline:
        for mid in list(pending):
            r = api.get(f"/v1/messages/{mid}")
            assert r.status == 200, r
            m = r.json()
            if m["status"] in ("sent", "failed", "cancelled", "quarantined"):
                done[mid] = m
                pending.discard(mid)
        if pending:
            time.sleep(0.2)
    assert not pending, f"{len(pending)} messages never reached a final status, e.g. {sorted(pending)[:3]}"
    return done


def attempts(details):
    """[(message id, provider, Unix time, event type)] of every attempt."""
    out = []
    for mid, m in details.items():
        for e in m["events"]:
            if e["type"] in ("sent", "deferred", "failed") and e.get("provider"):
                out.append((mid, e["provider"], parse_time(e["at"]), e["type"]))
    return out


def assert_delivered_once(sim, details, ids, max_duplicates=0):
    """Every accepted message was sent, and the simulator got each id, with
    at most `max_duplicates` extra copies overall."""
    assert all(details[i]["status"] == "sent" for i in ids), \
        [(i, details[i]["status"], details[i].get("last_error")) for i in ids if details[i]["status"] != "sent"][:5]
    stats = sim.stats(all_ids=True)["total"]
    assert stats["unique_ids"] >= len(ids)
    got = set(stats["ids"]) if isinstance(stats.get("ids"), list) else set(stats.get("ids", {}))
    missing = [i for i in ids if i not in got]
    assert not missing, f"never received: {missing[:5]}"
    assert stats["duplicate_messages"] <= max_duplicates, stats["duplicates"]


def wait_until(condition, state, timeout=30):
    """Polls `condition` until true; fails with `state()` after `timeout` s."""
    deadline = time.time() + timeout
    while not condition():
        assert time.time() < deadline, f"still not so after {timeout} s: {state()}"
        time.sleep(0.05)


def provider(api, name):
    r = api.get(f"/v1/providers/{name}")
    assert r.status == 200, r
    return r.json()


def wait_state(api, name, states, timeout=30):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = provider(api, name)
        if last["state"] in states:
            return last
        time.sleep(0.05)
    raise AssertionError(f"{name} never reached {states}: {last['state']} ({last['reason']})")


def per_service(sim):
    return {name: s["accepted"] for name, s in sim.stats()["services"].items()}


# -- the management API ---------------------------------------------------------

def test_providers_api_lifecycle_and_scopes(postern_factory, sim):
    p = postern_factory(config_text=FAST + routing_section() + providers_toml(sim, [("mg", "mailgun")]))
    admin = p.cli("keys", "create", "--name", "ops", "--scopes", "send,read,admin").stdout.strip()
    reader = p.cli("keys", "create", "--name", "dash", "--scopes", "read").stdout.strip()
    api = p.api(admin)

    listed = api.get("/v1/providers").json()["data"]
    assert [x["name"] for x in listed] == ["mg"]
    mg = listed[0]
    assert mg["settings"]["api_key"] == "***" and mg["settings"]["domain"] == "mg.example.com"
    assert mg["source"] == "config" and mg["state"] == "healthy"

    body = {"name": "sg", "type": "sendgrid", "pool": "default", "weight": 3, "max_concurrency": 8,
            "rate_limit": 500, "settings": {"base_url": sim.url("sendgrid"), "api_key": simulator.SENDGRID_KEY}}
    assert api.post("/v1/providers", body, key=reader).status == 403
    r = api.post("/v1/providers", body)
    assert r.status == 201, r
    sg = r.json()
    assert (sg["source"], sg["weight"], sg["max_concurrency"], sg["rate_limit"]["rate"]) == ("api", 3, 8, 500)
    assert api.post("/v1/providers", body).status == 409

    # Factory errors name the field.
    bad = api.post("/v1/providers", {"name": "pm", "type": "postmark", "settings": {}})
    assert bad.status == 422 and bad.json()["error"]["field"] == "settings.api_key", bad
    bad = api.post("/v1/providers", {"name": "x", "type": "pigeon"})
    assert bad.status == 422 and bad.json()["error"]["field"] == "type", bad
    bad = api.post("/v1/providers", {"name": "x", "type": "smtp", "rate_limit": -1, "settings": {"host": "h"}})
    assert bad.status == 422 and bad.json()["error"]["field"] == "rate_limit", bad
    assert api.post("/v1/providers", "{oops").status == 400

    # Both take traffic now.
    ids = [api.send(simple_message(i)).json()["id"] for i in range(20)]
    wait_final(api, ids)
    split = per_service(sim)
    assert split["mailgun"] > 0 and split["sendgrid"] > 0, split

    # Change in place, then the manual states.
    r = api.request("PUT", "/v1/providers/sg", {"weight": 1, "priority": 5})
    assert r.status == 200 and (r.json()["weight"], r.json()["priority"]) == (1, 5), r
    assert api.request("PUT", "/v1/providers/sg", {"name": "other"}).status == 422
    assert api.request("PUT", "/v1/providers/nope", {"weight": 1}).status == 404
    assert api.post("/v1/providers/sg/pause").json()["state"] == "paused"
    assert api.post("/v1/providers/sg/resume").json()["state"] == "healthy"
    assert api.post("/v1/providers/sg/drain").json()["state"] in ("draining", "drained")
    before = per_service(sim)
    ids = [api.send(simple_message(100 + i)).json()["id"] for i in range(10)]
    wait_final(api, ids)
    after = per_service(sim)
    assert after["sendgrid"] == before["sendgrid"] and after["mailgun"] == before["mailgun"] + 10
    assert api.post("/v1/providers/sg/resume", key=reader).status == 403
    assert api.post("/v1/providers/sg/resume").status == 200

    # Read scope sees; delete drains then removes.
    assert api.get("/v1/providers/sg", key=reader).status == 200
    r = api.delete("/v1/providers/sg")
    assert r.status == 202, r
    wait_until(lambda: api.get("/v1/providers/sg").status == 404, lambda: api.get("/v1/providers/sg"))
    assert api.delete("/v1/providers/sg").status == 404
    assert p.stop() == 0


def test_routing_api_routes_choose_the_pool(postern_factory, sim):
    p = postern_factory(config_text=FAST + routing_section() + providers_toml(
        sim, [("mg", "mailgun"), ("pm", "postmark", 'pool = "bulk"\n'), ("sg", "sendgrid", 'pool = "receipts"\n')]))
    api = p.api()
    r = api.get("/v1/routing")
    assert r.status == 200
    view = r.json()
    assert view["strategy"] == "round_robin" and view["default_pool"] == "default"
    assert {x["name"]: x["providers"] for x in view["pools"]} == {"default": ["mg"], "bulk": ["pm"], "receipts": ["sg"]}
    assert view["health"]["probe_interval_ms"] == 1000

    assert api.request("PUT", "/v1/routing", {"strategy": "fastest"}).json()["error"]["field"] == "strategy"
    bad = api.request("PUT", "/v1/routing", {"routes": [{"pool": "bulk"}]})
    assert bad.status == 422 and bad.json()["error"]["field"] == "routes[0]", bad
    r = api.request("PUT", "/v1/routing", {"strategy": "weighted", "routes": [
        {"sender_domain": "*.news.example.com", "pool": "bulk"},
        {"tag": "receipt", "pool": "receipts"},
        {"metadata": {"tenant": "acme"}, "pool": "receipts"}]})
    assert r.status == 200, r
    assert r.json()["strategy"] == "weighted" and len(r.json()["routes"]) == 3

    ids = [api.send(simple_message(0, **{"from": "news@mail.news.example.com"})).json()["id"],
           api.send(simple_message(1, tags=["receipt"])).json()["id"],
           api.send(simple_message(2, metadata={"tenant": "acme"})).json()["id"],
           api.send(simple_message(3)).json()["id"]]
    details = wait_final(api, ids)
    assert [details[i]["provider"] for i in ids] == ["pm", "sg", "sg", "mg"]
    assert p.stop() == 0


def read_events(port, stop_after, timeout=30, headers=None, connected=None):
    """Reads the SSE stream until `stop_after(events)` is true; returns the
    parsed events [(id, type, data)]. `connected` (an Event) is set once
    the server answered: it has subscribed the stream by then."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", "/v1/events", headers=headers or {})
    r = conn.getresponse()
    assert r.status == 200 and r.getheader("Content-Type") == "text/event-stream"
    if connected:
        connected.set()
    events, block = [], {}
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = r.fp.readline().decode()
        if line in ("\n", "\r\n", ""):
            if "event" in block:
                events.append((int(block["id"]), block["event"], json.loads(block["data"])))
                if stop_after(events):
                    break
            block = {}
            if line == "":
                break
            continue
        if line.startswith(":"):
            continue
        k, _, v = line.rstrip("\n").partition(": ")
        block[k] = v
    conn.close()
    return events


def test_event_stream_carries_state_changes(postern_factory, sim):
    p = postern_factory(config_text=FAST + routing_section() + providers_toml(sim, [("mg", "mailgun"), ("sg", "sendgrid")]))
    api = p.api()
    got, connected, reader = [], threading.Event(), Threads()
    reader.start(lambda: got.extend(read_events(
        p.http_port, lambda ev: any(t == "provider_state" and d["state"] == "healthy" for _, t, d in ev),
        timeout=30, connected=connected)))
    assert connected.wait(30), "the event stream did not answer"
    api.post("/v1/providers/sg/pause")
    api.post("/v1/providers/sg/resume")
    reader.join(40)
    states = [(d["provider"], d["previous"], d["state"], d["check"]) for _, t, d in got if t == "provider_state"]
    assert ("sg", "healthy", "paused", "admin") in states and ("sg", "paused", "healthy", None) in states, got
    # Resuming with Last-Event-ID replays what came after it.
    first_id = got[0][0]
    replay = read_events(p.http_port, lambda ev: len(ev) >= 1, headers={"Last-Event-ID": str(first_id)})
    assert replay[0][0] == first_id + 1
    assert p.stop() == 0


def test_sighup_adds_a_provider_that_takes_traffic_under_load(postern_factory, sim):
    head = FAST + routing_section(strategy="round_robin")
    p = postern_factory(config_text=head + providers_toml(sim, [("mg", "mailgun")]))
    api = p.api()
    load = Load(p.http_port, rate=80).start()
    try:
        time.sleep(1.5)
        # A bad file first: refused, nothing changes.
        with open(p.config_path, "w") as f:
            f.write(head + providers_toml(sim, [("mg", "mailgun")]) + '[[providers]]\nname = "x"\ntype = "pigeon"\n')
        p.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: any("SIGHUP: the new configuration is not used" in line for line in p.log_lines),
                   p.logs)
        assert [x["name"] for x in api.get("/v1/providers").json()["data"]] == ["mg"]
        # Then a good one that adds SendGrid.
        with open(p.config_path, "w") as f:
            f.write(head + providers_toml(sim, [("mg", "mailgun"), ("sg", "sendgrid")]))
        before = per_service(sim)["sendgrid"]
        p.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: per_service(sim)["sendgrid"] > before + 10, lambda: per_service(sim))
        time.sleep(1)
    finally:
        ids = load.stop()
    assert not load.errors, load.errors[:5]
    details = wait_final(api, ids)
    assert_delivered_once(sim, details, ids)
    assert p.proc.poll() is None
    assert p.stop() == 0
