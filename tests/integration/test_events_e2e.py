"""Provider events end to end (issue 28, Tests): the real postern binary sends
through postern-sim, and postern-sim reports what happened with signed
webhooks as each provider does, duplicated and out of order, to Postern's
POST /v1/webhooks/{provider}. A message to three recipients ends with one
delivered, one bounced and one complained; the two join the suppression
list; the next send leaves them out and the provider is asked only for the
delivered one; a send to the two alone fails with class suppressed without
a provider call. A subscribed Standard Webhooks endpoint receives every
state change of those messages once per webhook-id, also across a kill -9
of Postern while the provider's reports are arriving."""
import time

import pytest

from conftest import needs_simulator, simple_message
from test_providers import FAST_RETRY, provider_toml
from webhook_endpoint import WebhookEndpoint

pytestmark = needs_simulator

DELIVERED, BOUNCED, COMPLAINED = "ann@example.org", "bounce-bob@example.org", "complain-cy@example.org"
RECIPIENTS = [DELIVERED, BOUNCED, COMPLAINED]
MAILGUN_SIGNING_KEY = "mg-e2e-signing-key"
POSTMARK_USER, POSTMARK_PASSWORD = "hooks", "pm-e2e-secret"
# Everything a test waits for ends within this.
BOUND = 30
# Webhooks out retried in milliseconds rather than seconds (docs/events.md).
WEBHOOKS_OUT = '[webhooks]\nbackoff_scale = 0.0002\ntimeout = "2s"\n'


def webhook_settings(sim, kind):
    """(Postern's provider settings, the simulator's webhook settings) for
    this provider's webhooks with the same secrets on both sides."""
    if kind == "mailgun":
        return f'webhook_signing_key = "{MAILGUN_SIGNING_KEY}"\n', {"signing_key": MAILGUN_SIGNING_KEY}
    if kind == "sendgrid":
        return f'webhook_public_key = "{sim.webhook_state("sendgrid")["public_key"]}"\n', {}
    if kind == "ses":
        topic = sim.webhook_state("ses")["topic_arn"]
        # SignatureVersion 2 here; test_sim_webhooks.py covers 1 as well.
        return (f'webhook_topic_arn = "{topic}"\nwebhook_cert_hosts = "127.0.0.1"\n',
                {"signature_version": 2})
    return (f'webhook_username = "{POSTMARK_USER}"\nwebhook_password = "{POSTMARK_PASSWORD}"\n', {})


def hook_url(p, kind):
    userinfo = f"{POSTMARK_USER}:{POSTMARK_PASSWORD}@" if kind == "postmark" else ""
    return f"http://{userinfo}127.0.0.1:{p.http_port}/v1/webhooks/{kind}"


def wait_for(what, probe, timeout=BOUND):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        ok, last = probe()
        if ok:
            return last
        time.sleep(0.05)
    raise AssertionError(f"{what}: {last}")


def recipient_states(api, mid):
    m = api.get(f"/v1/messages/{mid}").json()
    return {r["address"]: r["state"] for r in m.get("recipients", [])}


def suppression_list(api):
    r = api.get("/v1/suppressions?limit=1000")
    assert r.status == 200, r
    return {e["address"]: e for e in r.json()["data"]}


def provider_recipients(sim, mid):
    got = sim.messages(mid)
    return [a for receipt in got["receipts"] for a in receipt["recipients"]] if got else []


@pytest.mark.parametrize("kind", ["mailgun", "sendgrid", "ses", "postmark"])
def test_three_recipients_delivered_bounced_complained_then_suppressed(postern_factory, sim, kind):
    postern_side, sim_side = webhook_settings(sim, kind)
    p = postern_factory(config_text=FAST_RETRY + provider_toml(sim, kind, kind) + postern_side)
    api = p.api()
    sim.faults(kind, bounce="bounce-*@*", complain="complain-*@*")
    # Every request twice, each message's requests in reverse order, and no
    # delay: events may arrive before Postern has recorded the send's answer.
    sim.webhooks(kind, url=hook_url(p, kind), duplicates=1, order="reverse", delay=0,
                 retry_delay="100ms", **sim_side)
    if kind == "ses":
        # Postern confirms the SNS subscription by visiting its SubscribeURL.
        wait_for("SNS subscription confirmed",
                 lambda: (sim.webhook_state("ses")["subscription"]["confirmed"], sim.webhook_state("ses")))

    r = api.send(simple_message(0, to=RECIPIENTS))
    assert r.status == 202 and r.json()["suppressed"] == [], r
    first = r.json()["id"]
    expected = {DELIVERED: "delivered", BOUNCED: "bounced", COMPLAINED: "complained"}
    wait_for("recipient states", lambda: (recipient_states(api, first) == expected, recipient_states(api, first)))
    m = api.get(f"/v1/messages/{first}").json()
    assert m["status"] == "sent", m
    # Every request the simulator sent was answered; each event counted once.
    posts = 1 if kind == "sendgrid" else 3
    state = sim.wait_webhooks(kind, timeout=BOUND, requests=2 * posts)
    state = wait_for("every webhook answered", lambda: (
        (s := sim.webhook_state(kind))["counts"]["pending"] == 0 and
        s["counts"]["acknowledged"] + s["counts"]["gave_up"] >= 2 * posts, s))
    assert state["counts"]["duplicates"] == posts, state
    assert state["counts"]["transport_errors"] == 0, state
    assert recipient_states(api, first) == expected
    listed = suppression_list(api)
    assert set(listed) == {BOUNCED, COMPLAINED}, listed
    assert (listed[BOUNCED]["reason"], listed[COMPLAINED]["reason"]) == ("bounced", "complained"), listed

    # The next send to the three: the two are left out, one provider call
    # for the delivered recipient alone.
    accepted = sim.accepted(kind)
    r = api.send(simple_message(1, to=RECIPIENTS))
    assert r.status == 202, r
    assert r.json()["suppressed"] == [BOUNCED, COMPLAINED], r
    second = r.json()["id"]
    m = api.wait_status(second, {"sent", "failed"}, timeout=BOUND)
    assert m["status"] == "sent", m
    assert sim.accepted(kind) == accepted + 1
    assert provider_recipients(sim, second) == [DELIVERED]

    # A send to the two alone: failed, class suppressed, no provider call.
    r = api.send(simple_message(2, to=[BOUNCED, COMPLAINED]))
    assert r.status == 202 and r.json()["suppressed"] == [BOUNCED, COMPLAINED], r
    third = r.json()["id"]
    m = api.wait_status(third, {"sent", "failed"}, timeout=BOUND)
    assert m["status"] == "failed" and m["events"][-1]["class"] == "suppressed", m
    assert sim.messages(third) is None
    assert sim.accepted(kind) == accepted + 1


# -- webhooks out: every state change reaches a subscribed endpoint ---------

def event_key(d):
    data = d.payload["data"]
    return (data["message_id"], d.type, data.get("recipient"))


def expected_events(first, second, third):
    """What the endpoint must be told of: the first message's three
    outcomes; the second sent to the delivered recipient alone; the third
    failed, every recipient suppressed."""
    keys = {(first, "message.accepted", None), (first, "message.sent", None),
            (first, "recipient.delivered", DELIVERED), (first, "recipient.bounced", BOUNCED),
            (first, "recipient.complained", COMPLAINED),
            (second, "message.accepted", None), (second, "message.sent", None),
            (second, "recipient.delivered", DELIVERED),
            (third, "message.accepted", None), (third, "message.failed", None)}
    for m in (second, third):
        keys |= {(m, "recipient.suppressed", BOUNCED), (m, "recipient.suppressed", COMPLAINED)}
    return keys


@pytest.mark.parametrize("kind", ["mailgun", "sendgrid", "ses", "postmark"])
def test_every_state_change_reaches_a_subscribed_endpoint_across_a_kill9(postern_factory, sim, kind, tmp_path):
    postern_side, sim_side = webhook_settings(sim, kind)
    node = postern_factory(config_text=FAST_RETRY + provider_toml(sim, kind, kind) + postern_side + WEBHOOKS_OUT,
                           workdir=str(tmp_path / "node"))
    # The same port after the restart: the simulator's webhooks keep their URL.
    node.env["POSTERN_HTTP_LISTEN"] = f"127.0.0.1:{node.http_port}"
    api = node.api()
    endpoint = WebhookEndpoint()
    try:
        r = api.post("/v1/webhook-endpoints", {"url": endpoint.url})
        assert r.status == 201, r
        endpoint.secret, endpoint_id = r.json()["secret"], r.json()["id"]
        sim.faults(kind, bounce="bounce-*@*", complain="complain-*@*")
        # The provider's reports are held (hold) until Postern has been
        # killed; each request goes twice, shuffled, and is retried while
        # Postern is down.
        sim.webhooks(kind, url=hook_url(node, kind), duplicates=1, order="shuffle", delay="500ms",
                     hold=1000, retries=8, retry_delay="250ms", **sim_side)
        if kind == "ses":
            wait_for("SNS subscription confirmed",
                     lambda: (sim.webhook_state("ses")["subscription"]["confirmed"], None))
        r = api.send(simple_message(0, to=RECIPIENTS))
        assert r.status == 202, r
        first = r.json()["id"]
        endpoint.wait_for(lambda got: (first, "message.sent", None) in {event_key(d) for d in got})
        wait_for("the reports held", lambda: ((c := sim.webhook_state(kind)["counts"])["events"] >= 3, c))
        node.kill9()
        if kind == "mailgun":
            # Mailgun never retries a `delivered` event (as the real one): one
            # that found Postern down would be lost, so its reports leave once
            # Postern is back.
            node.start()
            sim.webhooks(kind, hold=0)
        else:
            sim.webhooks(kind, hold=0)
            wait_for("a report refused while Postern is down",
                     lambda: ((c := sim.webhook_state(kind)["counts"])["transport_errors"] >= 1, c))
            node.start()
        api = node.api()
        expected = {DELIVERED: "delivered", BOUNCED: "bounced", COMPLAINED: "complained"}
        wait_for("recipient states", lambda: (recipient_states(api, first) == expected,
                                              recipient_states(api, first)))
        r = api.send(simple_message(1, to=RECIPIENTS))
        assert r.status == 202 and r.json()["suppressed"] == [BOUNCED, COMPLAINED], r
        second = r.json()["id"]
        r = api.send(simple_message(2, to=[BOUNCED, COMPLAINED]))
        assert r.status == 202, r
        third = r.json()["id"]
        want = expected_events(first, second, third)
        endpoint.wait_for(lambda got: want <= {event_key(d) for d in got}, timeout=BOUND)
        # Let every report settle (answered, or given up by the simulator),
        # and every webhook out be delivered, so that nothing late escapes
        # the checks below.
        wait_for("every report settled", lambda: (
            (c := sim.webhook_state(kind)["counts"])["pending"] == 0 and
            c["acknowledged"] + c["gave_up"] == c["requests"] - c["retries"], c))
        log = wait_for("every webhook out delivered", lambda: (
            (d := api.get(f"/v1/webhook-endpoints/{endpoint_id}/deliveries?limit=100").json()["data"])
            and all(x["state"] == "delivered" for x in d), d))
        got = endpoint.wait_for(lambda got: True)
        assert endpoint.refused == []
        # One delivery per change: nothing told of twice as two events.
        logged = [(x["message_id"], x["type"], x["recipient"]) for x in log]
        assert len(logged) == len(want) and set(logged) == want, log
        assert {event_key(d) for d in got} == want
        # Repeats (a kill -9 may resend what was not yet acknowledged) carry
        # the same webhook-id; each change has one.
        ids_of = {}
        for d in got:
            ids_of.setdefault(event_key(d), set()).add(d.webhook_id)
        assert all(len(ids) == 1 for ids in ids_of.values()), ids_of
        assert len({d.webhook_id for d in got}) == len(want)
        failed = next(d for d in got if event_key(d) == (third, "message.failed", None))
        assert (failed.payload["data"]["status"], failed.payload["data"]["class"]) == ("failed", "suppressed")
    finally:
        endpoint.stop()
