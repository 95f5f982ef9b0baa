"""Webhooks out against the real binary (docs/events.md "Webhooks out"):
endpoints made and refused over the API, every state change of mail sent
through the capture provider posted signed to a receiver that checks the
Standard Webhooks signature (webhook_endpoint.py), in order per message,
retried while the endpoint is down, the endpoint disabled when it keeps
failing and enabled again, the delivery log and redeliver, a hanging
endpoint that does not slow the mail, and a kill -9 mid-stream that loses
no event.
"""
import time

import pytest

from conftest import simple_message
from webhook_endpoint import WebhookEndpoint

# Retry steps in milliseconds (1 ms, 60 ms, 360 ms, 1.4 s, 3.6 s, 7.2 s...).
CONFIG = """
[[providers]]
name = "primary"
type = "capture"

[webhooks]
backoff_scale = 0.0002
timeout = "2s"
"""


@pytest.fixture
def receiver():
    endpoint = WebhookEndpoint()
    yield endpoint
    endpoint.stop()


def subscribe(api, endpoint, events=None):
    body = {"url": endpoint.url}
    if events is not None:
        body["events"] = events
    r = api.post("/v1/webhook-endpoints", body)
    assert r.status == 201, r
    endpoint.secret = r.json()["secret"]
    return r.json()["id"]


def send(api, i, **extra):
    r = api.send(simple_message(i, **extra))
    assert r.status == 202, r
    return r.json()["id"]


def all_sent(ids):
    """A wait_for predicate: every message in `ids` got accepted and sent."""
    def holds(got):
        seen = {(d.payload["data"]["message_id"], d.type) for d in got}
        return all((m, t) in seen for m in ids for t in ("message.accepted", "message.sent"))
    return holds


def wait_until(check, timeout=30, what="condition"):
    """Polls an API read until `check()` returns a true value (bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def test_endpoints_are_made_listed_and_deleted_and_bad_ones_refused(postern_factory, receiver):
    api = postern_factory(config_text=CONFIG).api()
    r = api.post("/v1/webhook-endpoints", {"url": receiver.url, "events": ["message.sent"]})
    assert r.status == 201, r
    made = r.json()
    assert made["id"].startswith("ep_") and len(made["id"]) == 23
    assert made["secret"].startswith("whsec_")
    assert made["events"] == ["message.sent"] and made["enabled"] is True
    listed = api.get("/v1/webhook-endpoints").json()["data"]
    assert [e["id"] for e in listed] == [made["id"]]
    assert "secret" not in listed[0]
    one = api.get(f"/v1/webhook-endpoints/{made['id']}").json()
    assert one["url"] == receiver.url and "secret" not in one

    for body, field in [({"url": "ftp://example.com/x"}, "url"),
                        ({"url": "http:///no-host"}, "url"),
                        ({"events": ["message.sent"]}, "url"),
                        ({"url": receiver.url, "events": ["message.sent", "message.lost"]}, "events[1]")]:
        bad = api.post("/v1/webhook-endpoints", body)
        assert bad.status == 400, (body, bad)
        assert bad.json()["error"]["field"] == field, bad

    assert api.delete(f"/v1/webhook-endpoints/{made['id']}").status == 204
    assert api.get(f"/v1/webhook-endpoints/{made['id']}").status == 404
    assert api.get("/v1/webhook-endpoints").json()["data"] == []


def test_each_message_is_accepted_then_sent_in_order_and_signed(postern_factory, receiver):
    api = postern_factory(config_text=CONFIG).api()
    subscribe(api, receiver)
    ids = [send(api, i) for i in range(10)]
    got = receiver.wait_for(all_sent(ids))
    assert receiver.refused == []
    for m, types in receiver.by_message().items():
        assert types[:2] == ["message.accepted", "message.sent"], (m, types)
    sent = next(d for d in got if d.type == "message.sent")
    assert sent.payload["data"]["status"] == "sent"
    assert sent.payload["data"]["provider"] == "primary"
    # One webhook-id per event.
    assert len({d.webhook_id for d in got}) == len(got)


def test_an_endpoint_down_then_back_gets_the_backlog(postern_factory, receiver):
    api = postern_factory(config_text=CONFIG).api()
    endpoint_id = subscribe(api, receiver)
    receiver.down()
    ids = [send(api, i) for i in range(3)]
    for m in ids:
        api.wait_status(m, {"sent"})  # mail goes on without the endpoint

    # Each message's first event is retried; its second waits behind it.
    def retried():
        log = api.get(f"/v1/webhook-endpoints/{endpoint_id}/deliveries").json()["data"]
        heads = [d for d in log if d["type"] == "message.accepted"]
        return len(log) == 6 and len(heads) == 3 and all(d["attempts"] >= 2 for d in heads) and log
    log = wait_until(retried, what="retries of every message's first event")
    assert all(d["state"] == "pending" for d in log), log
    for d in log:
        if d["type"] == "message.accepted":
            assert d["last_status"] is None and "connection_refused" in d["last_error"], d
        else:
            assert d["attempts"] == 0, d
    assert api.get(f"/v1/webhook-endpoints/{endpoint_id}").json()["failing_since"] is not None

    receiver.up()
    receiver.wait_for(all_sent(ids))
    for types in receiver.by_message().values():
        assert types == ["message.accepted", "message.sent"]
    wait_until(lambda: api.get(f"/v1/webhook-endpoints/{endpoint_id}").json()["failing_since"] is None,
               what="failing_since cleared")


def test_a_dead_endpoint_is_disabled_with_a_reason_and_enable_resumes(postern_factory, receiver):
    api = postern_factory(config_text=CONFIG, env={"POSTERN_WEBHOOKS_DISABLE_AFTER": "500ms"}).api()
    endpoint_id = subscribe(api, receiver)
    receiver.down()
    first = send(api, 1)
    ep = wait_until(lambda: (e := api.get(f"/v1/webhook-endpoints/{endpoint_id}").json())["enabled"] is False
                    and e, what="the endpoint disabled")
    assert ep["disabled_reason"].startswith("failing since "), ep
    assert "connection_refused" in ep["disabled_reason"], ep
    assert ep["disabled_at"] is not None

    receiver.up()
    assert api.post(f"/v1/webhook-endpoints/{endpoint_id}/enable").status == 204
    # What waited goes, and what happens from now on too.
    second = send(api, 2)
    receiver.wait_for(all_sent([first, second]))
    assert api.get(f"/v1/webhook-endpoints/{endpoint_id}").json()["enabled"] is True


def test_the_delivery_log_shows_each_attempt_and_redeliver_sends_again(postern_factory, receiver):
    api = postern_factory(config_text=CONFIG).api()
    endpoint_id = subscribe(api, receiver)
    m = send(api, 1)
    receiver.wait_for(all_sent([m]))
    log = wait_until(lambda: (d := api.get(f"/v1/webhook-endpoints/{endpoint_id}/deliveries").json()["data"])
                     and all(x["state"] == "delivered" for x in d) and d, what="both delivered")
    assert [d["type"] for d in log] == ["message.sent", "message.accepted"]  # newest first
    for d in log:
        assert d["message_id"] == m and d["attempts"] == 1 and d["last_status"] == 204
        assert d["last_error"] is None and d["latency_ms"] is not None
    accepted = log[1]
    r = api.post(f"/v1/webhook-endpoints/{endpoint_id}/deliveries/{accepted['id']}/redeliver")
    assert r.status == 204, r
    got = receiver.wait_for(lambda g: len(g) == 3)
    assert got[2].webhook_id == accepted["event_id"] == got[0].webhook_id
    assert got[2].payload == got[0].payload
    page = api.get(f"/v1/webhook-endpoints/{endpoint_id}/deliveries?limit=1").json()
    assert len(page["data"]) == 1 and page["next_before"] == page["data"][0]["id"]
    assert api.post(f"/v1/webhook-endpoints/{endpoint_id}/deliveries/999999/redeliver").status == 404


def test_a_hanging_endpoint_does_not_delay_intake_or_delivery(postern_factory, receiver):
    api = postern_factory(config_text=CONFIG, env={"POSTERN_WEBHOOKS_TIMEOUT": "30s"}).api()
    subscribe(api, receiver)
    receiver.set_mode("hang")
    first = send(api, 0)
    receiver.wait_requests(1)  # the endpoint holds an attempt
    start = time.monotonic()
    ids = [send(api, i) for i in range(1, 21)]
    for m in [first] + ids:
        api.wait_status(m, {"sent"}, timeout=10)
    # Both sides share this loaded machine: generous, but far below the
    # endpoint's 30 s hold.
    assert time.monotonic() - start < 10
    receiver.set_mode("ok")
    receiver.wait_for(all_sent([first] + ids), timeout=60)


def test_kill9_mid_stream_loses_no_event_and_repeats_only_with_the_same_id(postern_factory, receiver, tmp_path):
    workdir = str(tmp_path / "crashing")
    node = postern_factory(config_text=CONFIG, workdir=workdir)
    api = node.api()
    subscribe(api, receiver)
    ids = [send(api, i) for i in range(40)]
    receiver.wait_for(lambda g: len(g) >= 10)
    node.kill9()
    node.start()
    api = node.api()
    got = receiver.wait_for(all_sent(ids), timeout=60)
    assert receiver.refused == []
    ids_of = {}
    for d in got:
        ids_of.setdefault((d.payload["data"]["message_id"], d.type), set()).add(d.webhook_id)
    for key, webhook_ids in ids_of.items():
        assert len(webhook_ids) == 1, (key, webhook_ids)
    for m, types in receiver.by_message().items():
        assert types.index("message.accepted") < types.index("message.sent"), (m, types)
