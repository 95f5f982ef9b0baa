"""Each provider client against its simulator (postern-sim): success with
attachments and non-ASCII text, raw MIME, each failure class, and a large
message. The simulator checks auth and request shape like the real service,
so a request Postern builds wrong is refused here as it would be upstream."""
import base64
import datetime
import email
import email.policy
import json
import os
import time

import pytest

from conftest import metric, needs_simulator, simple_message
from test_smtp_relay import form_parts
from simulator import (MAILGUN_KEY, POSTMARK_TOKEN, SENDGRID_KEY, SES_ACCESS_KEY_ID, SES_REGION,
                       SES_SECRET_ACCESS_KEY)

pytestmark = needs_simulator

PROVIDERS = ["mailgun", "sendgrid", "ses", "postmark", "smtp"]
ATTACHMENT = bytes(range(256)) * 8
SUBJECT = "Grüße — 你好, Zoë"
TEXT = "Bonjour à tous — ça marche ✓\n"


def provider_toml(sim, kind, name="up"):
    head = f'[[providers]]\nname = "{name}"\ntype = "{kind}"\n'
    if kind == "mailgun":
        return head + f'base_url = "{sim.url(kind)}"\napi_key = "{MAILGUN_KEY}"\ndomain = "mg.example.com"\n'
    if kind == "sendgrid":
        return head + f'base_url = "{sim.url(kind)}"\napi_key = "{SENDGRID_KEY}"\n'
    if kind == "ses":
        return head + (f'endpoint = "{sim.url(kind)}"\nregion = "{SES_REGION}"\n'
                       f'access_key_id = "{SES_ACCESS_KEY_ID}"\nsecret_access_key = "{SES_SECRET_ACCESS_KEY}"\n')
    if kind == "postmark":
        return head + f'base_url = "{sim.url(kind)}"\napi_key = "{POSTMARK_TOKEN}"\n'
    return head + f'host = "127.0.0.1"\nport = {sim.port("smtp")}\ntls = "none"\n'


# Quick retries so that failure tests finish in seconds.
FAST_RETRY = "[delivery]\ninitial_backoff = \"200ms\"\nmax_backoff = \"1s\"\npoll_interval = \"50ms\"\n"


def gateway(postern_factory, sim, kind, extra=""):
    return postern_factory(config_text=FAST_RETRY + provider_toml(sim, kind) + extra)


def rich_message(i=0):
    return simple_message(i, **{
        "from": {"email": "app@example.com", "name": "Zoë App"},
        "subject": SUBJECT,
        "text": TEXT,
        "html": "<p>Bonjour à tous — ça marche ✓</p>",
        "attachments": [{"filename": "data.bin", "content": base64.b64encode(ATTACHMENT).decode(),
                         "content_type": "application/octet-stream"}],
        "tags": ["welcome"],
    })


def received(sim, kind, mid):
    """(subject, text, attachment bytes) of what the simulated `kind` got for
    Postern message `mid`, decoded from that provider's own wire format."""
    got = sim.messages(mid)
    assert got, f"the simulated {kind} never received {mid}"
    assert got["per_service"] == {kind: 1}, got["per_service"]
    receipt = got["receipts"][-1]
    body = base64.b64decode(receipt["body_base64"])
    if kind == "smtp":
        return from_mime(body)
    headers = {k.lower(): v for k, v in receipt["headers"]}
    if kind == "ses":
        return from_mime(base64.b64decode(json.loads(body)["Content"]["Raw"]["Data"]))
    if kind == "sendgrid":
        doc = json.loads(body)
        text = next(c["value"] for c in doc["content"] if c["type"] == "text/plain")
        subject = doc.get("subject") or doc["personalizations"][0].get("subject")
        return subject, text, base64.b64decode(doc["attachments"][0]["content"])
    if kind == "postmark":
        doc = json.loads(body)
        return doc["Subject"], doc["TextBody"], base64.b64decode(doc["Attachments"][0]["Content"])
    # mailgun: multipart/form-data, /messages (fields) or /messages.mime (a file)
    fields = {}
    for name, _filename, _ctype, content in form_parts(headers["content-type"], body):
        fields.setdefault(name, []).append(content)
    if "message" in fields:
        return from_mime(fields["message"][0])
    return fields["subject"][0].decode(), fields["text"][0].decode(), fields["attachment"][0]


def from_mime(raw):
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    text = msg.get_body(("plain",)).get_content()
    (attachment,) = list(msg.iter_attachments())
    return str(msg["Subject"]), text, attachment.get_content()


@pytest.mark.parametrize("kind", PROVIDERS)
def test_json_message_arrives_with_attachment_and_non_ascii(postern_factory, sim, kind):
    p = gateway(postern_factory, sim, kind)
    api = p.api()
    r = api.send(rich_message(1), headers={"Prefer": "wait=20"})
    assert r.status == 200, r
    mid = r.json()["id"]
    assert r.json()["provider"] == "up"
    subject, text, attachment = received(sim, kind, mid)
    assert subject == SUBJECT
    assert text.replace("\r\n", "\n") == TEXT
    assert attachment == ATTACHMENT
    m = api.get(f"/v1/messages/{mid}").json()
    assert m["provider_message_id"], m
    assert sim.stats()["services"][kind]["accepted"] == 1


@pytest.mark.parametrize("kind", PROVIDERS)
def test_raw_message_arrives(postern_factory, sim, kind):
    p = gateway(postern_factory, sim, kind)
    api = p.api()
    msg = email.message.EmailMessage()
    msg["From"] = "Zoë <app@example.com>"
    msg["To"] = "user@example.org"
    msg["Subject"] = SUBJECT
    msg.set_content(TEXT)
    msg.add_attachment(ATTACHMENT, maintype="application", subtype="octet-stream", filename="data.bin")
    raw = msg.as_bytes(policy=email.policy.SMTP)
    r = api.post("/v1/messages?wait=20", raw, headers={"Content-Type": "message/rfc822"})
    assert r.status == 200, r
    subject, text, attachment = received(sim, kind, r.json()["id"])
    assert (subject, text.replace("\r\n", "\n"), attachment) == (SUBJECT, TEXT, ATTACHMENT)


def classes_of(api, mid):
    return [(e["type"], e.get("class")) for e in api.get(f"/v1/messages/{mid}").json()["events"]]


@pytest.mark.parametrize("kind", PROVIDERS)
def test_server_errors_are_retried_until_the_provider_recovers(postern_factory, sim, kind):
    p = gateway(postern_factory, sim, kind)
    api = p.api()
    sim.faults(kind, error_rate=1, probes=False)
    mid = api.send(simple_message(1)).json()["id"]
    deadline = time.time() + 20
    while time.time() < deadline and len(classes_of(api, mid)) < 2:
        time.sleep(0.05)
    first = classes_of(api, mid)[1]
    assert first[0] == "deferred" and first[1] in ("transient", "provider_down"), classes_of(api, mid)
    sim.clear_faults(kind)
    m = api.wait_status(mid, {"sent"}, timeout=30)
    assert m["attempts"] >= 2
    assert sim.stats()["services"][kind]["unique_ids"] == 1


@pytest.mark.parametrize("kind", PROVIDERS)
def test_revoked_credentials_mean_the_provider_is_down(postern_factory, sim, kind):
    p = gateway(postern_factory, sim, kind)
    api = p.api()
    sim.faults(kind, auth_fail=True, probes=False)
    mid = api.send(simple_message(1)).json()["id"]
    deadline = time.time() + 20
    while time.time() < deadline and len(classes_of(api, mid)) < 2:
        time.sleep(0.05)
    assert classes_of(api, mid)[1] == ("deferred", "provider_down"), classes_of(api, mid)
    sim.clear_faults(kind)
    api.wait_status(mid, {"sent"}, timeout=40)


def event_time(event):
    """An event's `at` (RFC 3339, UTC) in Unix seconds."""
    return datetime.datetime.fromisoformat(event["at"]).timestamp()


def throttled_once(postern_factory, sim, kind, **faults):
    """A message whose first attempt is throttled (the faults are cleared
    once it is); returns its events once it is sent."""
    p = gateway(postern_factory, sim, kind)
    api = p.api()
    sim.faults(kind, throttle_rate=1, probes=False, **faults)
    mid = api.send(simple_message(1)).json()["id"]
    deadline = time.time() + 30
    while time.time() < deadline and len(classes_of(api, mid)) < 2:
        time.sleep(0.05)
    sim.clear_faults(kind)
    return api.wait_status(mid, {"sent"}, timeout=30)["events"]


RETRY_AFTER = 3  # seconds: longer than any back-off of FAST_RETRY, so a retry that ignores it shows


@pytest.mark.parametrize("kind", ["mailgun", "sendgrid", "postmark"])
def test_throttling_is_transient_and_honours_the_hint(postern_factory, sim, kind):
    events = throttled_once(postern_factory, sim, kind, retry_after=RETRY_AFTER)
    throttled, retry = events[1], events[2]
    assert (throttled["type"], throttled["class"]) == ("deferred", "transient"), events
    assert retry["type"] == "sent", events
    # No retry before the hint: Retry-After (whole seconds), or for SendGrid
    # X-RateLimit-Reset (a Unix second, so up to one second less).
    waited = event_time(retry) - event_time(throttled)
    assert waited >= RETRY_AFTER - 1, (waited, events)


def test_smtp_throttling_is_transient(postern_factory, sim):
    # A relay's 454 4.7.0 names no time: the usual back-off applies.
    events = throttled_once(postern_factory, sim, "smtp")
    assert (events[1]["type"], events[1]["class"]) == ("deferred", "transient"), events


@pytest.mark.parametrize("kind,reject", [("postmark", "inactive@example.org"), ("smtp", "inactive@example.org")])
def test_a_refused_recipient_fails_the_message_for_good(postern_factory, sim, kind, reject):
    p = gateway(postern_factory, sim, kind)
    api = p.api()
    sim.faults(kind, reject=[reject])
    r = api.send(simple_message(1, to=[reject]), headers={"Prefer": "wait=20"})
    assert r.status == 502, r
    m = api.get(f"/v1/messages/{r.json()['id']}").json()
    assert m["status"] == "failed"
    assert m["events"][-1]["class"] == "permanent"
    assert m["attempts"] == 1


def test_postmark_inactive_recipients_are_left_out_and_the_others_get_the_message(postern_factory, sim):
    # ErrorCode 406 is permanent per recipient (docs/providers.md, postmark): Postmark sent
    # nothing, and the retry goes to the active recipients alone.
    p = gateway(postern_factory, sim, "postmark")
    api = p.api()
    sim.faults("postmark", reject=["gone@example.org"])
    mid = api.send(simple_message(1, to=["ok@example.org", "gone@example.org"])).json()["id"]
    m = api.wait_status(mid, {"sent", "failed"}, timeout=30)
    assert m["status"] == "sent" and m["attempts"] == 2, m
    # Sent with a recipient refused: everyone is settled, the refused one
    # listed apart (a manual retry would go to it alone).
    assert m["settled_recipients"] == ["ok@example.org", "gone@example.org"], m
    assert m["refused_recipients"] == ["gone@example.org"], m
    assert m["events"][1]["code"] == "ErrorCode 406", m
    got = sim.messages(mid)
    sent = json.loads(base64.b64decode(got["receipts"][-1]["body_base64"]))
    assert sent["To"] == "ok@example.org", sent


def test_a_relay_with_a_recipient_limit_gets_the_message_in_several_transactions(postern_factory, sim_factory):
    """RFC 5321 §4.5.3.1.10: the relay answers 452 4.5.3 past 2 recipients;
    Postern sends to the accepted ones and the rest in the next transaction,
    and every recipient gets the same bytes once."""
    sim = sim_factory(services=("smtp",), args=["--smtp-max-recipients", "2"])
    p = gateway(postern_factory, sim, "smtp")
    recipients = [f"r{i}@example.org" for i in range(5)]
    r = p.api().send(simple_message(1, to=recipients), headers={"Prefer": "wait=20"})
    assert r.status == 200, r
    m = p.api().get(f"/v1/messages/{r.json()['id']}").json()
    assert m["status"] == "sent" and m["attempts"] == 1, m
    assert "in 3 transactions, the relay taking at most 2 recipients in one" in m["events"][-1]["detail"], m
    got = sim.messages(r.json()["id"])
    assert got["per_service"] == {"smtp": 3}, got["per_service"]
    envelopes = [receipt["envelope"]["rcpt_to"] for receipt in got["receipts"]]
    assert envelopes == [recipients[0:2], recipients[2:4], recipients[4:5]], envelopes
    assert len({receipt["body_base64"] for receipt in got["receipts"]}) == 1


def test_more_recipients_than_the_provider_takes_go_in_parts(postern_factory, sim):
    # The relay is configured to take 2 recipients per message: 5 go in 3
    # parts, each the same bytes, and the message ends sent.
    p = postern_factory(config_text=FAST_RETRY + provider_toml(sim, "smtp") + "max_recipients = 2\n")
    recipients = [f"r{i}@example.org" for i in range(5)]
    r = p.api().send(simple_message(1, to=recipients), headers={"Prefer": "wait=20"})
    assert r.status == 200, r
    m = p.api().get(f"/v1/messages/{r.json()['id']}").json()
    # The first two parts spent no try: one attempt, as for a message sent whole.
    assert m["status"] == "sent" and m["attempts"] == 1, m
    assert [e["type"] for e in m["events"]] == ["accepted", "deferred", "deferred", "sent"], m
    assert metric(p, 'postern_delivery_outcomes_total{status="part"}') == 2
    assert metric(p, 'postern_delivery_outcomes_total{status="deferred"}') == 0
    assert m["events"][1]["detail"].startswith("sent to 2 of 5 recipients"), m
    assert m["settled_recipients"] == recipients[0:4], m
    got = sim.messages(r.json()["id"])
    envelopes = [receipt["envelope"]["rcpt_to"] for receipt in got["receipts"]]
    assert envelopes == [recipients[0:2], recipients[2:4], recipients[4:5]], envelopes
    assert len({receipt["body_base64"] for receipt in got["receipts"]}) == 1


def wait_until(condition, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline and not condition():
        time.sleep(0.05)


def send_through_relay(postern_factory, sim, to):
    """One message through the simulated relay: (api, id, a function reading the message)."""
    api = gateway(postern_factory, sim, "smtp").api()
    r = api.send(simple_message(1, to=to))
    assert r.status == 202, r
    mid = r.json()["id"]
    return api, mid, lambda: api.get(f"/v1/messages/{mid}").json()


def test_relay_deferring_one_recipient_holds_back_only_that_one(postern_factory, sim_factory):
    # Greylisting at the relay: the other recipients get the message at
    # once, the retries go to the deferred one alone, and nobody gets it twice.
    sim = sim_factory(services=("smtp",), args=["--fault", "smtp:defer=grey@*"])
    recipients = ["r0@example.org", "grey@example.org", "r2@example.org"]
    api, mid, message = send_through_relay(postern_factory, sim, recipients)
    wait_until(lambda: message()["attempts"] >= 3)
    m = message()
    assert m["status"] in ("deferred", "sending") and m["attempts"] >= 3, m
    assert m["settled_recipients"] == ["r0@example.org", "r2@example.org"], m
    first = next(e for e in m["events"] if e["type"] == "deferred")
    assert first["code"] == "450 4.2.0", first
    assert first["detail"].startswith("sent to 2 of 3 recipients"), first
    assert "deferred recipients: grey@example.org (450 4.2.0" in first["detail"], first
    # Later attempts asked for the deferred recipient alone, and sent nothing.
    assert all("r0@example.org" not in e["detail"] for e in m["events"][2:] if e["type"] == "deferred"), m
    got = sim.messages(mid)
    assert [x["envelope"]["rcpt_to"] for x in got["receipts"]] == [["r0@example.org", "r2@example.org"]], got

    sim.clear_faults("smtp")
    wait_until(lambda: message()["status"] == "sent")
    assert message()["status"] == "sent", message()
    got = sim.messages(mid)
    envelopes = [x["envelope"]["rcpt_to"] for x in got["receipts"]]
    assert envelopes == [["r0@example.org", "r2@example.org"], ["grey@example.org"]], envelopes
    assert len({x["body_base64"] for x in got["receipts"]}) == 1


def test_a_manual_retry_after_a_refusal_skips_the_recipients_that_have_the_message(postern_factory, sim_factory):
    # One recipient greylisted, then refused for good: the message fails
    # although the other recipient has it. The operator fixes the address
    # at the far end and retries: only the refused recipient gets it.
    sim = sim_factory(services=("smtp",), args=["--fault", "smtp:defer=late@*"])
    api, mid, message = send_through_relay(postern_factory, sim, ["r0@example.org", "late@example.org"])
    wait_until(lambda: message()["settled_recipients"] == ["r0@example.org"])
    sim.set_faults("smtp", reject=["late@*"])
    wait_until(lambda: message()["status"] == "failed")
    m = message()
    assert m["status"] == "failed", m
    assert m["settled_recipients"] == ["r0@example.org", "late@example.org"], m
    assert m["refused_recipients"] == ["late@example.org"], m
    assert "550 5.1.1" in m["last_error"], m

    sim.clear_faults("smtp")
    assert api.post(f"/v1/messages/{mid}/retry").status == 200
    wait_until(lambda: message()["status"] == "sent")
    m = message()
    assert m["status"] == "sent", m
    assert m["refused_recipients"] == [], m
    envelopes = [x["envelope"]["rcpt_to"] for x in sim.messages(mid)["receipts"]]
    assert envelopes == [["r0@example.org"], ["late@example.org"]], envelopes


def test_a_relay_refusing_some_recipients_sends_to_the_others_and_a_retry_reaches_the_refused(
        postern_factory, sim_factory):
    # 550 to one RCPT, 250 to the other, in the same transaction: the
    # message is sent, the refused recipient is listed, and the operator's
    # retry (the address fixed at the far end) reaches that one alone.
    sim = sim_factory(services=("smtp",), args=["--fault", "smtp:reject=bad@*"])
    api, mid, message = send_through_relay(postern_factory, sim, ["r0@example.org", "bad@example.org"])
    wait_until(lambda: message()["status"] == "sent")
    m = message()
    assert m["status"] == "sent", m
    assert m["refused_recipients"] == ["bad@example.org"], m
    assert m["settled_recipients"] == ["r0@example.org", "bad@example.org"], m
    sent = [e for e in m["events"] if e["type"] == "sent"]
    assert "refused recipients: bad@example.org (550 5.1.1" in sent[0]["detail"], sent

    sim.clear_faults("smtp")
    assert api.post(f"/v1/messages/{mid}/retry").status == 200
    wait_until(lambda: len([e for e in message()["events"] if e["type"] == "sent"]) >= 2)
    m = message()
    assert m["status"] == "sent" and m["refused_recipients"] == [], m
    envelopes = [x["envelope"]["rcpt_to"] for x in sim.messages(mid)["receipts"]]
    assert envelopes == [["r0@example.org"], ["bad@example.org"]], envelopes
    # Everyone has it now: nothing is left to retry.
    again = api.post(f"/v1/messages/{mid}/retry")
    assert again.status == 409 and again.json()["error"]["code"] == "invalid_state", again


def test_ses_refuses_an_unverified_sender_for_good(postern_factory, sim_factory):
    sim = sim_factory(services=("ses",), args=["--ses-verified", "verified.example"])
    p = gateway(postern_factory, sim, "ses")
    r = p.api().send(simple_message(1), headers={"Prefer": "wait=20"})  # from app@example.com
    assert r.status == 502, r
    m = p.api().get(f"/v1/messages/{r.json()['id']}").json()
    assert m["events"][-1]["code"].startswith("MessageRejected") or "MessageRejected" in m["last_error"], m


@pytest.mark.parametrize("kind,size", [("postmark", 9 * 1024 * 1024), ("smtp", 20 * 1024 * 1024)])
def test_a_large_message_near_the_providers_limit(postern_factory, sim, kind, size):
    p = gateway(postern_factory, sim, kind, extra='[messages]\nmax_message_bytes = "30MiB"\n')
    # base64 grows content by a third; Postmark's 10 MB counts after encoding.
    payload = os.urandom(size * 3 // 4 if kind == "postmark" else size)
    msg = simple_message(1, attachments=[{"filename": "big.bin", "content": base64.b64encode(payload).decode()}])
    r = p.api().send(msg, headers={"Prefer": "wait=60"}, timeout=120)
    assert r.status == 200, r
    _, _, attachment = received(sim, kind, r.json()["id"])
    assert attachment == payload
