"""postern-sim's event webhooks (docs/simulator.md, "Webhooks") received by a
test HTTP server that checks each provider's signature itself, with the keys
the simulator publishes: the outcome each recipient pattern gives, the ids
the send call returned, SendGrid batches, the SNS subscription handshake,
delay, duplicates, order and retries."""
import base64
import hashlib
import hmac
import http.server
import json
import subprocess
import threading
import time
import urllib.request

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding

from simulator import basic, call, encode_multipart, MAILGUN_KEY, POSTMARK_TOKEN, SENDGRID_KEY, ses_call

RECIPIENTS = ["ann@example.org", "bounce-bob@example.org", "complain-cy@example.org"]
OUTCOMES = {"bounce": "bounce-*@*", "complain": "complain-*@*"}
PID = "0webhooksim42"


class Receiver:
    """A loopback HTTP server that records every request. `statuses` are
    answered first, in order; then 200. SNS SubscriptionConfirmations are
    confirmed by visiting their SubscribeURL when `confirm_sns`."""

    def __init__(self, statuses=(), confirm_sns=True):
        self.statuses = list(statuses)
        self.requests = []  # (monotonic time, path, headers, body bytes)
        self.lock = threading.Condition()
        self.confirm_sns = confirm_sns
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {k.lower(): v for k, v in self.headers.items()}
                with owner.lock:
                    owner.requests.append((time.monotonic(), self.path, headers, body))
                    status = owner.statuses.pop(0) if owner.statuses else 200
                    owner.lock.notify_all()
                if owner.confirm_sns and headers.get("x-amz-sns-message-type") == "SubscriptionConfirmation":
                    url = json.loads(body)["SubscribeURL"]
                    threading.Thread(target=lambda: urllib.request.urlopen(url, timeout=10).read()).start()
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path="/hook", userinfo=""):
        return f"http://{userinfo}127.0.0.1:{self.port}{path}"

    def wait(self, count, timeout=20):
        with self.lock:
            if not self.lock.wait_for(lambda: len(self.requests) >= count, timeout):
                raise AssertionError(f"{len(self.requests)} webhook requests, expected {count}")
            return list(self.requests)

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver():
    made = []

    def make(**kw):
        r = Receiver(**kw)
        made.append(r)
        return r

    yield make
    for r in made:
        r.close()


# -- each provider's signature, checked as a receiver checks it --------------

def mailgun_verified(body, key):
    s = body["signature"]
    expected = hmac.new(key.encode(), (s["timestamp"] + s["token"]).encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, s["signature"]), "Mailgun signature does not verify"
    assert abs(time.time() - int(s["timestamp"])) < 600
    assert len(s["token"]) == 50
    return body["event-data"]


def sendgrid_verified(headers, body, public_key_b64):
    key = serialization.load_der_public_key(base64.b64decode(public_key_b64))
    assert isinstance(key.curve, ec.SECP256R1)
    ts = headers["x-twilio-email-event-webhook-timestamp"]
    signature = base64.b64decode(headers["x-twilio-email-event-webhook-signature"])
    key.verify(signature, ts.encode() + body, ec.ECDSA(hashes.SHA256()))  # raises when forged
    return json.loads(body)


def sns_verified(body):
    m = json.loads(body)
    keys = (["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"] if m["Type"] == "Notification"
            else ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"])
    text = "".join(f"{k}\n{m[k]}\n" for k in keys if k in m)
    assert m["SigningCertURL"].startswith("http://127.0.0.1:")
    pem = urllib.request.urlopen(m["SigningCertURL"], timeout=10).read()
    cert = x509.load_pem_x509_certificate(pem)
    digest = {"1": hashes.SHA1(), "2": hashes.SHA256()}[m["SignatureVersion"]]
    cert.public_key().verify(base64.b64decode(m["Signature"]), text.encode(), padding.PKCS1v15(), digest)
    return m


# -- sending three-recipient messages straight to the simulated APIs ---------

def send_three(sim, service):
    """Sends one message to RECIPIENTS; answers the provider's message id."""
    if service == "mailgun":
        ctype, body = encode_multipart([("from", "app@mg.example.com"), ("to", ", ".join(RECIPIENTS)),
                                        ("subject", "Hi"), ("text", "Hello"), ("v:postern-id", PID)])
        r = call(sim, "mailgun", "POST", "/v3/mg.example.com/messages", body,
                 {"Authorization": basic("api", MAILGUN_KEY), "Content-Type": ctype})
        return r.json()["id"]
    if service == "sendgrid":
        r = call(sim, "sendgrid", "POST", "/v3/mail/send", {
            "personalizations": [{"to": [{"email": a} for a in RECIPIENTS]}],
            "from": {"email": "app@example.com"}, "subject": "Hi",
            "content": [{"type": "text/plain", "value": "Hello"}], "custom_args": {"postern_id": PID}},
            {"Authorization": f"Bearer {SENDGRID_KEY}", "Content-Type": "application/json"})
        return r.header("X-Message-Id")
    if service == "ses":
        raw = f"From: app@example.com\r\nTo: {', '.join(RECIPIENTS)}\r\nSubject: Hi\r\n\r\nHello\r\n".encode()
        r = ses_call(sim, "POST", "/v2/email/outbound-emails", {
            "Content": {"Raw": {"Data": base64.b64encode(raw).decode()}},
            "Destination": {"ToAddresses": RECIPIENTS},
            "EmailTags": [{"Name": "postern_id", "Value": PID}]})
        return r.json()["MessageId"]
    r = call(sim, "postmark", "POST", "/email", {
        "From": "app@example.com", "To": ", ".join(RECIPIENTS), "Subject": "Hi", "TextBody": "Hello",
        "Metadata": {"postern_id": PID}},
        {"X-Postmark-Server-Token": POSTMARK_TOKEN, "Accept": "application/json",
         "Content-Type": "application/json"})
    return r.json()["MessageID"]


def outcomes_of(service, requests, sim_state, provider_id):
    """{recipient: outcome} from the received requests, each verified;
    checks that every event names the message as the provider does."""
    out = {}
    for _, _, headers, body in requests:
        if service == "mailgun":
            e = mailgun_verified(json.loads(body), "sim-webhook-signing-key")
            assert e["message"]["headers"]["message-id"] == provider_id.strip("<>")
            assert e["user-variables"]["postern-id"] == PID
            kind = {"delivered": "delivered", "complained": "complained"}.get(e["event"])
            if e["event"] == "failed":
                kind = "bounced" if e["severity"] == "permanent" else "deferred"
            out[e["recipient"]] = kind
        elif service == "sendgrid":
            for e in sendgrid_verified(headers, body, sim_state["public_key"]):
                assert e["sg_message_id"].split(".")[0] == provider_id
                assert e["postern_id"] == PID
                out[e["email"]] = {"delivered": "delivered", "bounce": "bounced",
                                   "spamreport": "complained"}[e["event"]]
        elif service == "ses":
            m = sns_verified(body)
            if m["Type"] != "Notification":
                continue
            assert headers["x-amz-sns-message-type"] == "Notification"
            assert m["TopicArn"] == sim_state["topic_arn"]
            n = json.loads(m["Message"])
            assert n["mail"]["messageId"] == provider_id
            assert n["mail"]["tags"]["postern_id"] == [PID]
            kind = n["notificationType"]
            who = {"Delivery": lambda: n["delivery"]["recipients"],
                   "Bounce": lambda: [r["emailAddress"] for r in n["bounce"]["bouncedRecipients"]],
                   "Complaint": lambda: [r["emailAddress"] for r in n["complaint"]["complainedRecipients"]]}[kind]()
            for address in who:
                out[address] = {"Delivery": "delivered", "Bounce": "bounced", "Complaint": "complained"}[kind]
                if kind == "Bounce":
                    assert n["bounce"]["bounceType"] == "Permanent"
        else:
            assert headers["authorization"] == basic("hooks", "pm-secret")
            r = json.loads(body)
            assert r["MessageID"] == provider_id
            assert r["Metadata"] == {"postern_id": PID}
            if r["RecordType"] == "Delivery":
                out[r["Recipient"]] = "delivered"
            else:
                out[r["Email"]] = {"Bounce": "bounced", "SpamComplaint": "complained"}[r["RecordType"]]
                if r["RecordType"] == "Bounce":
                    assert (r["Type"], r["TypeCode"]) == ("HardBounce", 1)
    return out


EXPECTED = {"ann@example.org": "delivered", "bounce-bob@example.org": "bounced",
            "complain-cy@example.org": "complained"}


@pytest.mark.parametrize("service", ["mailgun", "sendgrid", "ses", "postmark"])
def test_each_provider_sends_signed_events_per_recipient(sim, receiver, service):
    hook = receiver()
    sim.faults(service, **OUTCOMES)
    url = hook.url(userinfo="hooks:pm-secret@") if service == "postmark" else hook.url()
    state = sim.webhooks(service, url=url)
    if service == "ses":
        # SNS asks first; nothing is sent before the SubscribeURL is visited.
        sub = hook.wait(1)[0]
        assert json.loads(sub[3])["Type"] == "SubscriptionConfirmation"
        sns_verified(sub[3])
        deadline = time.time() + 10
        while not sim.webhook_state("ses")["subscription"]["confirmed"]:
            assert time.time() < deadline, "the subscription was not confirmed"
            time.sleep(0.05)
    before = len(hook.requests)
    provider_id = send_three(sim, service)
    posts = 1 if service == "sendgrid" else 3
    requests = hook.wait(before + posts)[before:]
    state = sim.wait_webhooks(service, acknowledged=posts + before)
    assert outcomes_of(service, requests, state, provider_id) == EXPECTED
    assert state["counts"]["events"] == 3


def test_sendgrid_batches_and_key_from_file(sim_factory, receiver, tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    pem = tmp_path / "sg.pem"
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    sim = sim_factory(services=("sendgrid",), args=["--sendgrid-webhook-key", str(pem)])
    hook = receiver()
    mine = base64.b64encode(key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
    state = sim.webhooks("sendgrid", url=hook.url(), batch=2)
    assert state["public_key"] == mine
    provider_id = send_three(sim, "sendgrid")
    requests = hook.wait(2)
    batches = [sendgrid_verified(h, body, mine) for _, _, h, body in requests]
    assert [len(b) for b in batches] == [2, 1]
    events = [e for b in batches for e in b]
    assert [e["email"] for e in events] == RECIPIENTS
    assert len({e["sg_event_id"] for e in events}) == 3
    assert len({e["sg_message_id"] for e in events}) == 3
    assert all(e["sg_message_id"].startswith(provider_id + ".") for e in events)


def test_bad_sendgrid_key_file_is_refused(tmp_path):
    from simulator import SIM_BIN
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key")
    r = subprocess.run([SIM_BIN, "--sendgrid", "127.0.0.1:0", "--sendgrid-webhook-key", str(bad)],
                       capture_output=True, text=True, timeout=30)
    assert r.returncode != 0
    assert "SendGrid webhook key" in r.stderr


def test_sns_signature_version_2_and_topic(sim, receiver):
    hook = receiver()
    topic = "arn:aws:sns:eu-west-1:111122223333:my-events"
    sim.webhooks("ses", url=hook.url(), signature_version=2, topic_arn=topic)
    hook.wait(1)
    sim.wait_webhooks("ses", acknowledged=1)
    deadline = time.time() + 10
    while not sim.webhook_state("ses")["subscription"]["confirmed"]:
        assert time.time() < deadline
        time.sleep(0.05)
    send_three(sim, "ses")
    for _, _, headers, body in hook.wait(4):
        m = sns_verified(body)
        assert m["SignatureVersion"] == "2" and m["TopicArn"] == topic
        assert headers["x-amz-sns-topic-arn"] == topic


def test_sns_holds_notifications_until_confirmed(sim, receiver):
    hook = receiver(confirm_sns=False)
    sim.webhooks("ses", url=hook.url())
    sub = json.loads(hook.wait(1)[0][3])
    send_three(sim, "ses")
    state = sim.wait_webhooks("ses", events=3)
    assert state["counts"]["pending"] == 3 and len(hook.requests) == 1
    assert not state["subscription"]["confirmed"]
    # A wrong token confirms nothing.
    wrong = sub["SubscribeURL"].replace(sub["Token"], "0" * 64)
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(wrong, timeout=10)
    urllib.request.urlopen(sub["SubscribeURL"], timeout=10).read()
    hook.wait(4)
    assert sim.webhook_state("ses")["subscription"]["confirmed"]


def test_delay_duplicates_and_reverse_order(sim, receiver):
    hook = receiver()
    sim.faults("mailgun", **OUTCOMES)
    sim.webhooks("mailgun", url=hook.url(), delay="400ms", duplicates=1, order="reverse")
    sent = time.monotonic()
    send_three(sim, "mailgun")
    requests = hook.wait(6)
    assert requests[0][0] - sent >= 0.4, "the first event left before the delay"
    events = [json.loads(body) for _, _, _, body in requests]
    assert [e["event-data"]["recipient"] for e in events] == [
        r for r in reversed(RECIPIENTS) for _ in range(2)]
    # A duplicate is the same request again: same token, same signature.
    for first, second in zip(events[::2], events[1::2]):
        assert first == second
    state = sim.wait_webhooks("mailgun", acknowledged=6)
    assert state["counts"]["duplicates"] == 3


def test_shuffled_order_keeps_every_event(sim, receiver):
    hook = receiver()
    sim.webhooks("postmark", url=hook.url(), order="shuffle")
    for _ in range(4):
        send_three(sim, "postmark")
    requests = hook.wait(12)
    recipients = [json.loads(body)["Recipient"] for _, _, _, body in requests]
    assert sorted(recipients) == sorted(RECIPIENTS * 4)


def test_held_requests_leave_together_mixing_messages(sim, receiver):
    hook = receiver()
    sim.webhooks("postmark", url=hook.url(), hold=6, order="reverse")
    first = send_three(sim, "postmark")
    state = sim.wait_webhooks("postmark", held=3)
    assert state["counts"]["held"] == 3 and not hook.requests
    second = send_three(sim, "postmark")
    records = [json.loads(body) for _, _, _, body in hook.wait(6)]
    assert [(r["MessageID"], r["Recipient"]) for r in records] == \
        [(m, a) for m in (second, first) for a in reversed(RECIPIENTS)]
    # A lower hold lets the held ones go.
    send_three(sim, "postmark")
    sim.wait_webhooks("postmark", held=3)
    sim.webhooks("postmark", hold=0)
    hook.wait(9)


def test_retries_on_failure_and_the_providers_exceptions(sim, receiver):
    # A bounce answered 503 twice is retried until the 200.
    hook = receiver(statuses=[503, 503])
    sim.faults("mailgun", bounce="*")
    sim.webhooks("mailgun", url=hook.url(), retry_delay="50ms")
    send_three_to_one(sim, "bounce-bob@example.org")
    requests = hook.wait(3)
    assert len({body for _, _, _, body in requests}) == 1, "a retry is the same request"
    state = sim.wait_webhooks("mailgun", acknowledged=1)
    assert state["counts"]["retries"] == 2
    assert state["counts"]["answers"] == {"503": 2, "200": 1}

    # Mailgun: 406 is never retried; delivered notifications are not retried.
    sim.reset()
    hook2 = receiver(statuses=[406, 500])
    sim.set_faults("mailgun")
    sim.faults("mailgun", complain="complain-*@*")
    sim.webhooks("mailgun", url=hook2.url())
    send_three_to_one(sim, "complain-cy@example.org")
    send_three_to_one(sim, "ann@example.org")
    state = sim.wait_webhooks("mailgun", gave_up=2)
    assert len(hook2.requests) == 2 and state["counts"]["retries"] == 0


def send_three_to_one(sim, to):
    ctype, body = encode_multipart([("from", "app@mg.example.com"), ("to", to), ("subject", "Hi"),
                                    ("text", "Hello"), ("v:postern-id", PID)])
    r = call(sim, "mailgun", "POST", "/v3/mg.example.com/messages", body,
             {"Authorization": basic("api", MAILGUN_KEY), "Content-Type": ctype})
    assert r.status == 200, r
    return r.json()["id"]


def test_settings_are_checked_and_listed(sim):
    status, body = sim.control("POST", "/_sim/webhooks/mailgun", {"order": "sideways"})
    assert status == 400 and "order" in body["error"]
    status, body = sim.control("POST", "/_sim/webhooks/mailgun", {"nonsense": 1})
    assert status == 400 and "nonsense" in body["error"]
    status, _ = sim.control("POST", "/_sim/webhooks/smtp", {"url": "http://127.0.0.1:1/"})
    assert status == 404
    listing = sim.control("GET", "/_sim/webhooks")[1]
    assert set(listing) == {"mailgun", "sendgrid", "ses", "postmark"}
    assert listing["mailgun"]["url"] == ""
    sim.webhooks("mailgun", url="http://127.0.0.1:9/x", delay=20)
    status, body = sim.control("PUT", "/_sim/webhooks/mailgun", {"retries": 1})
    assert status == 200 and body["url"] == "" and body["retries"] == 1 and body["delay"] == "0ms"


def test_webhook_flag_sets_the_start_settings(sim_factory):
    sim = sim_factory(services=("mailgun",),
                      args=["--webhook", "mailgun:url=http://127.0.0.1:9/h,signing_key=k1,duplicates=0.5"])
    state = sim.webhook_state("mailgun")
    assert (state["url"], state["signing_key"], state["duplicates"]) == ("http://127.0.0.1:9/h", "k1", 0.5)
