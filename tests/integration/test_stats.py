"""GET /v1/stats and the live events of /v1/events (docs/api.md "Statistics",
"Live events"): mail sent through two simulated providers shows in the
queue depth, the rates and the last hour's buckets; the stream sends the
figures every second to a client that asks for them (and only to one that
asks), with no id, and each message's status changes in batches."""
import time

from conftest import needs_simulator, simple_message
from test_event_ids import EventReader
from test_routing import FAST, providers_toml, routing_section

pytestmark = needs_simulator

N = 20


def node_with_traffic(postern_factory, sim):
    node = postern_factory(config_text=FAST + routing_section() +
                           providers_toml(sim, [("mg", "mailgun"), ("sg", "sendgrid")]))
    api = node.api()
    ids = []
    for i in range(N):
        r = api.send(simple_message(i))
        assert r.status == 202, r.body
        ids.append(r.json()["id"])
    for message_id in ids:
        api.wait_status(message_id, {"sent"})
    return node, api, ids


def settled_stats(api, timeout=5.0):
    """GET /v1/stats once its buckets count every message sent: a message
    shows "sent" in the store as its commit lands, and in the traffic
    figures a moment later, once the dispatcher has its answer."""
    deadline = time.monotonic() + timeout
    while True:
        r = api.get("/v1/stats")
        assert r.status == 200, r.body
        stats = r.json()
        if sum(b["sent"] for b in stats["history"]) >= N or time.monotonic() > deadline:
            return stats
        time.sleep(0.05)


def test_stats_show_the_queue_rates_and_each_providers_traffic(postern_factory, sim):
    node, api, _ = node_with_traffic(postern_factory, sim)
    stats = settled_stats(api)
    assert stats["bucket_seconds"] == 10 and stats["window_seconds"] == 3600
    assert stats["queue"]["sent"] == N
    assert stats["queue"]["queued"] == 0 and stats["queue"]["quarantined"] == 0
    assert set(stats["rates"]) == {"accepted", "sent", "failed", "attempts"}
    history = stats["history"]
    assert history, stats
    starts = [b["start"] for b in history]
    assert starts == sorted(starts) and len(set(starts)) == len(starts)
    assert sum(b["accepted"] for b in history) == N
    assert sum(b["sent"] for b in history) == N
    per_provider = {}
    for b in history:
        assert b["attempts"] == sum(p["attempts"] for p in b["providers"].values())
        if b["attempts"]:
            assert abs(sum(p["share"] for p in b["providers"].values()) - 1) < 1e-9
        for name, p in b["providers"].items():
            per_provider[name] = per_provider.get(name, 0) + p["attempts"]
            assert p["ok"] == p["attempts"] and p["success_rate"] == 1
            assert 0 < p["latency_p50_ms"] <= p["latency_p95_ms"] < 10_000
    # Round robin over the two: both carried the traffic.
    assert set(per_provider) == {"mg", "sg"} and sum(per_provider.values()) == N, per_provider
    # The same figures as /metrics' queue gauge.
    metrics = api.get("/metrics").body.decode()
    assert f'postern_queue_messages{{status="sent"}} {N}' in metrics


def test_live_events_come_every_second_only_to_clients_that_ask(postern_factory, sim):
    node, api, _ = node_with_traffic(postern_factory, sim)
    assert api.get("/v1/events?live=everything").json()["error"]["field"] == "live"
    plain = EventReader(node.http_port)  # routing events only
    live = EventReader(node.http_port, path="/v1/events?live=stats,message_status")
    got = live.wait_for(lambda ev: sum(1 for _, t, _ in ev if t == "stats") >= 3, timeout=15)
    stats = [(i, d) for i, t, d in got if t == "stats"]
    assert all(i is None and "id" not in d for i, d in stats)
    latest = stats[-1][1]
    assert latest["queue"]["sent"] == N
    assert latest["bucket_seconds"] == 10 and "start" in latest["bucket"]
    # A message sent now: its status change comes in a batch.
    r = api.send(simple_message(99))
    message_id = r.json()["id"]
    got = live.wait_for(lambda ev: any(t == "message_status" and
                                       {"id": message_id, "status": "sent"} in d["messages"]
                                       for _, t, d in ev), timeout=15)
    # The routing-only client saw none of it.
    assert all(i is not None for i, _, _ in plain.snapshot())
    assert node.stop() == 0
    assert live.ended.wait(30) and plain.ended.wait(30)
    plain.threads.check()
    live.threads.check()
