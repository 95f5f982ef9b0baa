"""Provider events end to end (issue 28, Tests): the real postern binary sends
through postern-sim, and postern-sim reports what happened with signed
webhooks as each provider does, duplicated and out of order, to Postern's
POST /v1/webhooks/{provider}. A message to three recipients ends with one
delivered, one bounced and one complained; the two join the suppression
list; the next send leaves them out and the provider is asked only for the
delivered one; a send to the two alone fails with class suppressed without
a provider call."""
import time

import pytest

from conftest import needs_simulator, simple_message
from test_providers import FAST_RETRY, provider_toml

pytestmark = needs_simulator

DELIVERED, BOUNCED, COMPLAINED = "ann@example.org", "bounce-bob@example.org", "complain-cy@example.org"
RECIPIENTS = [DELIVERED, BOUNCED, COMPLAINED]
MAILGUN_SIGNING_KEY = "mg-e2e-signing-key"
POSTMARK_USER, POSTMARK_PASSWORD = "hooks", "pm-e2e-secret"
# Everything a test waits for ends within this.
BOUND = 30


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
