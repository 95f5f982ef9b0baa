"""Provider health against the real binary and postern-sim, as a user sees
it through GET /v1/providers, the event stream, each message's timeline and
the simulators' counts:

- a provider that goes down under load (its simulated API closes its port
  and drops its connections): real traffic ejects it before the probes see
  it, it comes back after its trial, and no message is lost;
- heartbeats: a relay registers by beating, lapses when the beats stop and
  returns when they start again; registration refused when turned off or
  not allowed;
- a flapping provider and one answering 429 with Retry-After: no loss,
  bounded attempts, no burst at the end of a Retry-After; one answering 429
  with no pause at all is ejected and kept out by its failing trials;
- an idle outage (no traffic at all) seen by active probes within two probe
  intervals, and its end seen the same way;
- each node's own view of each provider, shared through the store and
  listed under `nodes`: this node's row follows its state, and a node that
  ran on the store before is listed beside it.

Timings are read from the server's own clock where it gives one (the
`since` of a state, the `at` of events), so that polling does not add to
what is measured. The figures are printed (pytest -s shows them). Waits
for an event are generous; the bounds on what is measured allow for a
loaded 2-core box running ASan builds (docs/testing.md, "What is timed"):
the targets themselves (DESIGN.md) are measured by bench/failover.py."""
import threading
import time

from conftest import Threads, needs_simulator, simple_message
from test_routing import (FAST, Load, assert_delivered_once, attempts, parse_time, per_service, provider,
                          providers_toml, read_events, routing_section, wait_final, wait_state)

pytestmark = needs_simulator

PROBE_INTERVAL = 1.0  # seconds; routing_section()'s default probe_interval
# What a timer may fire late by on a loaded 2-core box running ASan builds.
LATE = 2.0
# Provider outage to traffic moved: the target is 1 s on real traffic
# (bench/failover.py measures it, release build); here it must come before
# the probes could have seen it alone, which the ejection's check shows.
FAILOVER_BOUND = 1.0 + LATE
# The idle outage test probes less often, so that "within two intervals"
# leaves room for a late timer: detection takes up to 1.25 intervals.
IDLE_PROBE_INTERVAL = 2.0
WAIT = 30  # seconds: the deadline of a wait for an event, never a measurement


def state_timeline(port, name, done, timeout=WAIT):
    """The provider_state events of `name` kept in the event history,
    [(Unix time, previous, state, check)], read until done(timeline)."""
    def of(events):
        return [(parse_time(d["at"]), d["previous"], d["state"], d["check"])
                for _, kind, d in events if kind == "provider_state" and d["provider"] == name]
    return of(read_events(port, lambda events: done(of(events)), timeout=timeout, headers={"Last-Event-ID": "0"}))


def first(timeline, state):
    return next((e for e in timeline if e[2] == state), None)


def send_and_wait(api, first_index, count):
    """Sends `count` messages one by one; returns their details once final."""
    ids = []
    for i in range(first_index, first_index + count):
        r = api.send(simple_message(i))
        assert r.status == 202, r
        ids.append(r.json()["id"])
    return wait_final(api, ids)


def most_in_window(times, width):
    """The most of `times` that fall within any span of `width` seconds."""
    times = sorted(times)
    best, lo = 0, 0
    for hi, t in enumerate(times):
        while t - times[lo] >= width:
            lo += 1
        best = max(best, hi - lo + 1)
    return best


# -- a provider going down under load -------------------------------------------------

def test_provider_down_under_load_is_ejected_by_real_traffic_and_loses_nothing(postern_factory, sim):
    # A long ejection, so that no half-open trial reaches the dead provider
    # during the outage: every attempt it gets after it goes down is part of the
    # failover. Active probes end the ejection once it answers again.
    p = postern_factory(config_text=FAST + routing_section(base_ejection="5s", max_ejection="10s") + providers_toml(
        sim, [("mg", "mailgun"), ("sg", "sendgrid"), ("pm", "postmark")]))
    api = p.api()
    load = Load(p.http_port, rate=150).start()
    try:
        sim.wait_accepted(30, "mailgun", timeout=WAIT)
        t_down = time.time()
        sim.faults("mailgun", down=True)  # listener closed, open connections dropped: ECONNREFUSED from now on
        wait_state(api, "mg", {"ejected", "unhealthy"}, timeout=WAIT)
        # The probes confirm it, then it stays out until it answers again.
        wait_state(api, "mg", {"unhealthy"}, timeout=WAIT)
        stuck = per_service(sim)["mailgun"]
        t_up = time.time()
        sim.faults("mailgun", down=False)
        back = wait_state(api, "mg", {"healthy"}, timeout=WAIT)
        # And it takes mail again.
        sim.wait_accepted(stuck + 20, "mailgun", timeout=WAIT)
    finally:
        ids = load.stop()
    assert not load.errors, load.errors[:5]
    details = wait_final(api, ids)

    timeline = state_timeline(p.http_port, "mg", lambda tl: first(tl, "healthy") is not None)
    ejected, unhealthy, healthy = first(timeline, "ejected"), first(timeline, "unhealthy"), first(timeline, "healthy")
    assert ejected and unhealthy and healthy, timeline
    assert ejected[3] == "outlier" and unhealthy[3] == "probe", timeline
    assert timeline.index(ejected) < timeline.index(unhealthy), timeline  # real traffic saw it first
    to_ejection = ejected[0] - t_down
    # Attempts on mg after it went down: the failover burst (they failed and
    # went elsewhere). None after the ejection plus what was in flight.
    burst = [t for _, name, t, _ in attempts(details) if name == "mg" and t_down <= t < t_up]
    to_last_attempt = max(burst) - t_down if burst else 0.0
    to_recovery = parse_time(back["since"]) - t_up
    print(f"\nfailover: ejected {to_ejection * 1000:.0f} ms after it went down, last attempt on it "
          f"{to_last_attempt * 1000:.0f} ms after ({len(burst)} attempts failed over); probes saw it after "
          f"{(unhealthy[0] - t_down) * 1000:.0f} ms; healthy again {to_recovery * 1000:.0f} ms after it came back; "
          f"{len(ids)} messages")
    assert 0 <= to_ejection < FAILOVER_BOUND, timeline
    assert to_last_attempt < FAILOVER_BOUND, sorted(burst)
    # Back within the next probe, the confirming probe (a quarter interval
    # later) and the half-open trial: under two probe intervals.
    assert to_recovery < 2 * PROBE_INTERVAL + LATE, (back, timeline)
    assert [s for _, _, s, _ in timeline[timeline.index(unhealthy):]] == ["unhealthy", "half_open", "healthy"], timeline
    # Nothing lost: every message sent and received. A message the simulator
    # took just as it closed its connections is sent again elsewhere: at
    # most one copy per failed attempt.
    assert_delivered_once(sim, details, ids, max_duplicates=len(burst))


# -- heartbeats ---------------------------------------------------------------------

def relay_details(sim):
    """What a relay sends in its first beat: where to reach it."""
    return {"type": "smtp", "settings": {"host": "127.0.0.1", "port": sim.port("smtp"), "tls": "none"}}


class Beater:
    """Posts a heartbeat for `name` every `period` seconds until stopped."""

    def __init__(self, api, name, period=0.2):
        self.api, self.name, self.period = api, name, period
        self.statuses = []
        self.stopping = threading.Event()
        self.thread = Threads()

    def start(self):
        self.thread.start(self._run)
        return self

    def _run(self):
        while not self.stopping.wait(self.period):
            self.statuses.append(self.api.post(f"/v1/providers/{self.name}/heartbeat").status)

    def stop(self):
        self.stopping.set()
        self.thread.join(10)
        assert set(self.statuses) <= {200}, self.statuses


def routed_to(details):
    return {m["provider"] for m in details.values()}


def test_a_heartbeat_key_beats_and_can_do_nothing_else(postern_factory, sim):
    p = postern_factory(config_text=FAST + routing_section(heartbeat_allowed=["relay"]))
    admin = p.cli("keys", "create", "--name", "ops", "--scopes", "read,admin").stdout.strip()
    beat = p.cli("keys", "create", "--name", "relay-7", "--scopes", "heartbeat").stdout.strip()
    api = p.api()
    r = api.post("/v1/providers/relay/heartbeat", relay_details(sim), key=beat)
    assert r.status == 201, r
    for method, path, body in [("GET", "/v1/keys", None), ("POST", "/v1/keys", {"name": "x"}),
                               ("POST", "/v1/providers/relay/drain", None), ("GET", "/v1/providers", None),
                               ("POST", "/v1/messages", simple_message(1))]:
        r = api.request(method, path, body, key=beat)
        assert r.status == 403 and r.json()["error"]["code"] == "insufficient_scope", (path, r)
    r = api.get("/v1/keys", key=beat)
    assert r.json()["error"]["message"] == "this key lacks the 'admin' scope", r
    # An admin key beats too, as before the heartbeat scope existed.
    assert api.post("/v1/providers/relay/heartbeat", key=admin).status == 200
    assert [k["scopes"] for k in api.get("/v1/keys", key=admin).json()["data"] if k["name"] == "relay-7"] == \
        [["heartbeat"]]


def test_heartbeat_registers_lapses_and_returns(postern_factory, sim):
    window = 1.0
    p = postern_factory(config_text=FAST + routing_section(heartbeat_window=f"{window:g}s",
                                                           heartbeat_allowed=["relay", "spare"])
                        + providers_toml(sim, [("mg", "mailgun")]))
    api = p.api()

    # The first beat registers the relay with its connection details.
    r = api.post("/v1/providers/relay/heartbeat", relay_details(sim))
    assert r.status == 201, r
    reply = r.json()
    assert reply["registered"] is True and reply["ttl_ms"] == window * 1000, reply
    assert (reply["provider"]["source"], reply["provider"]["type"], reply["provider"]["state"]) == \
        ("heartbeat", "smtp", "healthy"), reply
    assert {x["name"] for x in api.get("/v1/providers").json()["data"]} == {"mg", "relay"}
    beater = Beater(api, "relay").start()
    try:
        details = send_and_wait(api, 0, 20)
        assert routed_to(details) == {"mg", "relay"}, routed_to(details)
        assert per_service(sim)["smtp"] > 0
        # Two windows of beats: it stays in.
        time.sleep(2 * window)
        assert provider(api, "relay")["state"] == "healthy"
    finally:
        beater.stop()

    # Beats stop: out of the active set one window after the last beat.
    lapsed = wait_state(api, "relay", {"lapsed"}, timeout=WAIT)
    assert lapsed["check"] == "heartbeat", lapsed
    lapse_after = parse_time(lapsed["since"]) - parse_time(lapsed["heartbeat"]["last_at"])
    print(f"\nheartbeat: lapsed {lapse_after * 1000:.0f} ms after the last beat (window {window * 1000:.0f} ms)")
    # Never before the window ends (the server's clock on both sides).
    assert window - 0.05 <= lapse_after < window + LATE, lapsed
    pools = {x["name"]: x for x in api.get("/v1/routing").json()["pools"]}
    assert pools["default"]["active"] == 1, pools
    smtp_before = per_service(sim)["smtp"]
    details = send_and_wait(api, 100, 20)
    assert routed_to(details) == {"mg"} and per_service(sim)["smtp"] == smtp_before
    assert not [e for m in details.values() for e in m["events"] if e.get("provider") == "relay"]

    # Beats again: back at once, and it takes mail.
    r = api.post("/v1/providers/relay/heartbeat")
    assert r.status == 200 and r.json()["returned"] is True and r.json()["registered"] is False, r
    assert r.json()["provider"]["state"] == "healthy", r
    beater = Beater(api, "relay").start()
    try:
        details = send_and_wait(api, 200, 20)
        assert "relay" in routed_to(details) and per_service(sim)["smtp"] > smtp_before
    finally:
        beater.stop()

    # Refused: a name not in routing.heartbeat_allowed, and a first beat
    # without its connection details.
    r = api.post("/v1/providers/rogue/heartbeat", relay_details(sim))
    assert r.status == 403 and r.json()["error"]["code"] == "registration_refused", r
    assert api.get("/v1/providers/rogue").status == 404
    r = api.post("/v1/providers/spare/heartbeat")
    assert r.status == 422 and r.json()["error"]["field"] == "type", r
    assert api.get("/v1/providers/spare").status == 404
    assert p.stop() == 0


def test_heartbeat_registration_turned_off(postern_factory, sim):
    p = postern_factory(config_text=FAST + routing_section(heartbeat_registration=False)
                        + providers_toml(sim, [("mg", "mailgun")]))
    api = p.api()
    r = api.post("/v1/providers/relay/heartbeat", relay_details(sim))
    assert r.status == 403 and r.json()["error"]["code"] == "registration_refused", r
    assert "heartbeat_registration" in r.json()["error"]["message"], r
    assert [x["name"] for x in api.get("/v1/providers").json()["data"]] == ["mg"]
    # A configured provider may still beat, and is then watched.
    r = api.post("/v1/providers/mg/heartbeat", {"ttl": "5s"})
    assert r.status == 200 and r.json()["registered"] is False, r
    assert provider(api, "mg")["heartbeat"]["ttl_ms"] == 5000
    assert p.stop() == 0


# -- flapping and throttling ----------------------------------------------------------

def test_flapping_and_throttling_providers_lose_nothing_and_get_no_herd(postern_factory, sim):
    retry_after = 1  # seconds, the simulator's Retry-After
    p = postern_factory(config_text=FAST + routing_section() + providers_toml(
        sim, [("mg", "mailgun"), ("sg", "sendgrid"), ("pm", "postmark")]))
    api = p.api()
    # mg answers every send with 429 and Retry-After (its probe stays fine);
    # sg is down 1 s, up 1 s, over and over.
    sim.faults("mailgun", throttle_rate=1, retry_after=retry_after, probes=False)
    sim.faults("sendgrid", flap="1s/1s")
    load = Load(p.http_port, rate=100).start()
    try:
        time.sleep(6)
    finally:
        ids = load.stop()
        sim.faults("sendgrid", flap="off")
    assert not load.errors, load.errors[:5]
    details = wait_final(api, ids, timeout=60)
    tried = attempts(details)
    per_message = {}
    for mid, _, _, _ in tried:
        per_message[mid] = per_message.get(mid, 0) + 1
    throttled = sorted(t for _, name, t, _ in tried if name == "mg")
    flapping = [t for _, name, t, kind in tried if name == "sg" and kind != "sent"]
    # The sends already on their way when the first 429 came back could not
    # be held: they end within moments of it (a handful on a loaded box).
    # Every later one was sent after a Retry-After.
    after_first = [t for t in throttled if t >= throttled[0] + retry_after / 2]
    busiest = most_in_window(after_first, retry_after)
    print(f"\nflap + 429: {len(ids)} messages, {len(tried)} attempts, at most {max(per_message.values())} for one "
          f"message; {len(throttled)} attempts on the throttled provider, at most {busiest} within one Retry-After; "
          f"{len(flapping)} failed on the flapping one")
    # Throttled: every attempt on mg was a 429, and it asked for a pause.
    assert all(kind == "deferred" for _, name, _, kind in tried if name == "mg")
    stats = sim.stats()["services"]["mailgun"]
    assert stats["accepted"] == 0 and stats["rejected"].get("429", 0) == len(throttled), stats
    # The pause is honoured: nothing more reached it before the first
    # Retry-After ended (give or take the moment between the answer and
    # the time its event records).
    assert after_first and after_first[0] >= throttled[0] + retry_after - 0.1, throttled
    # No herd: once per Retry-After, give or take the sends already on
    # their way when the 429 came back (round robin over 100/s: ~1 in 30 ms).
    assert busiest <= 4, throttled
    # Bounded retries: a message fails over at once, so it needs at most
    # one attempt on each bad provider and one that works.
    assert max(per_message.values()) <= 4, sorted(per_message.items(), key=lambda kv: -kv[1])[:5]
    assert len(tried) < 1.5 * len(ids), (len(tried), len(ids))
    # Nothing lost; a copy the flapping simulator took as it dropped its
    # connections may be sent again.
    assert_delivered_once(sim, details, ids, max_duplicates=len(flapping))
    assert per_service(sim)["sendgrid"] > 0  # it took mail while up
    assert p.stop() == 0


def test_provider_throttling_without_a_pause_is_ejected_and_kept_out(postern_factory, sim):
    # Retry-After: 0 (as a SendGrid reset time within the current second
    # amounts to) pauses nothing: only the 429 pressure ejection protects
    # the provider, and its half-open trial must not let attempts through
    # one after another for ever.
    trial = 2
    p = postern_factory(config_text=FAST + routing_section(trial_successes=trial)
                        + providers_toml(sim, [("mg", "mailgun"), ("pm", "postmark")]))
    api = p.api()
    sim.faults("mailgun", throttle_rate=1, retry_after=0, probes=False)
    load = Load(p.http_port, rate=100).start()
    try:
        time.sleep(5)
    finally:
        ids = load.stop()
    assert not load.errors, load.errors[:5]
    details = wait_final(api, ids)
    mg = provider(api, "mg")
    timeline = state_timeline(p.http_port, "mg", lambda tl: first(tl, "ejected") is not None)
    ejected = first(timeline, "ejected")
    throttled = sorted(t for _, name, t, _ in attempts(details) if name == "mg")
    after = [t for t in throttled if t > ejected[0]]
    print(f"\n429 without a pause: {len(throttled)} attempts on the throttled provider, {len(after)} after its first "
          f"ejection, {mg['outlier']['ejections']} ejections; {len(ids)} messages")
    assert mg["outlier"]["ejections"] >= 2, mg  # ejected for the pressure, then each trial fails
    assert "429" in mg["reason"], mg
    # After the first ejection: `trial` refused attempts per trial, plus what
    # was on its way when it was ejected. Without the trial failing on 429s
    # it was ~30 a second here.
    assert len(after) <= trial * mg["outlier"]["ejections"] + 3, (after, timeline)
    assert_delivered_once(sim, details, ids)
    assert p.stop() == 0


# -- an idle outage seen by probes ----------------------------------------------------------

def test_idle_outage_seen_by_probes_within_two_intervals(postern_factory, sim):
    p = postern_factory(config_text=FAST + routing_section(probe_interval=f"{IDLE_PROBE_INTERVAL:g}s")
                        + providers_toml(sim, [("mg", "mailgun"), ("sg", "sendgrid")]))
    api = p.api()
    # Probed at start, and fine.
    deadline = time.time() + WAIT
    while provider(api, "mg")["probe"]["last_at"] is None:
        assert time.time() < deadline, provider(api, "mg")
        time.sleep(0.05)
    assert provider(api, "mg")["state"] == "healthy"
    time.sleep(0.3)  # somewhere in the middle of an interval

    t_down = time.time()
    sim.faults("mailgun", down=True)
    down = wait_state(api, "mg", {"unhealthy"}, timeout=WAIT)
    detected = parse_time(down["since"]) - t_down
    assert down["check"] == "probe" and down["probe"]["healthy"] is False, down
    listed = {x["name"]: x for x in api.get("/v1/providers").json()["data"]}
    assert (listed["mg"]["state"], listed["mg"]["check"]) == ("unhealthy", "probe"), listed["mg"]
    # Nothing was sent: the probes alone saw it. Mail now goes straight to
    # the healthy provider, without a failed attempt first.
    assert sim.stats()["total"]["accepted"] == 0
    details = send_and_wait(api, 0, 5)
    assert all([e.get("provider") for e in m["events"] if e.get("provider")] == ["sg"] for m in details.values()), \
        details

    t_up = time.time()
    sim.faults("mailgun", down=False)
    up = wait_state(api, "mg", {"healthy"}, timeout=WAIT)
    recovered = parse_time(up["since"]) - t_up
    print(f"\nidle outage: probes saw it after {detected * 1000:.0f} ms, its end after {recovered * 1000:.0f} ms "
          f"(probe interval {IDLE_PROBE_INTERVAL * 1000:.0f} ms)")
    assert 0 < detected < 2 * IDLE_PROBE_INTERVAL, down
    assert 0 < recovered < 2 * IDLE_PROBE_INTERVAL, up
    details = send_and_wait(api, 100, 10)
    assert routed_to(details) == {"mg", "sg"}, routed_to(details)
    assert p.stop() == 0


# -- each node's view, shared through the store --------------------------------------------

def nodes_of(api, name):
    return {n["node"]: n for n in provider(api, name)["nodes"]}


def wait_node_state(api, name, node, state, timeout=WAIT):
    deadline = time.time() + timeout
    seen = None
    while time.time() < deadline:
        seen = nodes_of(api, name).get(node)
        if seen and seen["state"] == state:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"{node} never showed {name} {state}: {seen}")


def test_each_nodes_view_of_a_provider_is_listed_under_nodes(postern_factory, sim, tmp_path):
    config = (FAST + routing_section() + providers_toml(sim, [("mg", "mailgun"), ("sg", "sendgrid")]))
    workdir = str(tmp_path / "shared")
    first = postern_factory(config_text='[store]\nnode = "node-one"\n' + config, workdir=workdir)
    api = first.api()
    one = wait_node_state(api, "mg", "node-one", "healthy")
    assert one["stale"] is False and one["reason"] == provider(api, "mg")["reason"], one
    assert parse_time(one["updated_at"]) >= parse_time(one["since"]), one
    assert set(one) >= {"node", "state", "reason", "since", "updated_at", "stale", "latency_ms",
                        "success_rate"}, one
    listed = {x["name"]: x for x in api.get("/v1/providers").json()["data"]}
    assert [n["node"] for n in listed["sg"]["nodes"]] == ["node-one"], listed["sg"]

    # Its outage is written as soon as this node sees it, with the same
    # state, reason and time as the node's own verdict.
    sim.faults("mailgun", down=True)
    down = wait_state(api, "mg", {"unhealthy"})
    row = wait_node_state(api, "mg", "node-one", "unhealthy")
    assert (row["reason"], row["since"]) == (down["reason"], down["since"]), (row, down)
    assert first.stop() == 0

    # Another node on the same store, where the provider is fine: it lists
    # its own view beside the first node's last one.
    sim.faults("mailgun", down=False)
    second = postern_factory(config_text='[store]\nnode = "node-two"\n' + config, workdir=workdir)
    api = second.api()
    two = wait_node_state(api, "mg", "node-two", "healthy")
    assert two["stale"] is False, two
    both = nodes_of(api, "mg")
    assert sorted(both) == ["node-one", "node-two"], both
    assert both["node-one"]["state"] == "unhealthy", both
    assert second.stop() == 0
