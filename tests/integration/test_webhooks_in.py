"""Provider event webhooks in (docs/events.md, "Webhooks in") against the real
binary: each provider's webhook, genuine and forged, signed here with real
keys as the provider signs (HMAC for Mailgun, ECDSA P-256 for SendGrid, RSA
with an X.509 certificate for SNS, HTTP Basic for Postmark). The SNS
certificate and SubscribeURL are served by a loopback HTTP server of the
test. A message is first sent through postern-sim, so that the events name
a message Postern sent, and its recipients' state is read back."""
import base64
import datetime
import hashlib
import hmac
import http.server
import json
import threading
import time
import uuid

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from conftest import metric, needs_simulator, simple_message
from test_providers import FAST_RETRY, provider_toml

pytestmark = needs_simulator

MAILGUN_SIGNING_KEY = "mg-webhook-signing-key-for-tests"
TOPIC = "arn:aws:sns:us-east-1:123456789012:ses-events"


def send_through(api, to):
    """Sends a message to `to` through the configured provider and waits
    for it to be sent; answers (postern id, provider message id)."""
    r = api.send(simple_message(0, to=to), headers={"Prefer": "wait=20"})
    assert r.status == 200, r
    mid = r.json()["id"]
    m = api.get(f"/v1/messages/{mid}").json()
    assert m["status"] == "sent", m
    assert m["provider_message_id"], m
    return mid, m["provider_message_id"]


def recipient_states(api, mid):
    m = api.get(f"/v1/messages/{mid}").json()
    return {r["address"]: r["state"] for r in m.get("recipients", [])}


def wait_state(api, mid, address, state, timeout=10):
    deadline = time.monotonic() + timeout
    states = {}
    while time.monotonic() < deadline:
        states = recipient_states(api, mid)
        if states.get(address) == state:
            return
        time.sleep(0.05)
    raise AssertionError(f"{address} of {mid} is not {state}: {states}")


def refused(postern, provider, reason):
    return metric(postern, f'postern_webhook_refused_total{{provider="{provider}",reason="{reason}"}}')


def post_webhook(api, provider, body, headers=None):
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    h = {"Content-Type": "application/json"}
    h.update(headers or {})
    return api.post(f"/v1/webhooks/{provider}", body, headers=h)


# -- Mailgun ------------------------------------------------------------------------

def mailgun_body(event, token=None, timestamp=None, key=MAILGUN_SIGNING_KEY):
    token = token or uuid.uuid4().hex + uuid.uuid4().hex[:18]
    ts = str(int(timestamp if timestamp is not None else time.time()))
    signature = hmac.new(key.encode(), (ts + token).encode(), hashlib.sha256).hexdigest()
    return {"signature": {"token": token, "timestamp": ts, "signature": signature}, "event-data": event}


def mailgun_event(kind, recipient, message_id, severity=None):
    e = {"id": uuid.uuid4().hex[:22], "timestamp": time.time(), "event": kind, "recipient": recipient,
         "message": {"headers": {"message-id": message_id.strip("<>")}},
         "delivery-status": {"code": 550 if kind == "failed" else 250, "message": "as reported"}}
    if severity:
        e["severity"] = severity
    return e


def test_mailgun_genuine_forged_replayed_and_old(postern_factory, sim):
    p = postern_factory(config_text=FAST_RETRY + provider_toml(sim, "mailgun", "mg") +
                        f'webhook_signing_key = "{MAILGUN_SIGNING_KEY}"\n')
    api = p.api()
    mid, provider_id = send_through(api, ["ann@example.org", "bob@example.org"])
    assert not provider_id.startswith("<"), "recorded without its angle brackets, as events name it"

    delivered = mailgun_body(mailgun_event("delivered", "ann@example.org", provider_id))
    r = post_webhook(api, "mg", delivered)
    assert r.status == 200, r
    assert r.json()["recorded"] == 1
    wait_state(api, mid, "ann@example.org", "delivered")
    r = post_webhook(api, "mg", mailgun_body(mailgun_event("failed", "bob@example.org", provider_id, "permanent")))
    assert r.status == 200, r
    wait_state(api, mid, "bob@example.org", "bounced")

    # The same signature again, even with other event data: refused, nothing changes.
    replay = dict(delivered, **{"event-data": mailgun_event("complained", "ann@example.org", provider_id)})
    r = post_webhook(api, "mg", replay)
    assert r.status == 406, r
    assert r.json()["error"]["code"] == "replayed"
    forged = mailgun_body(mailgun_event("complained", "ann@example.org", provider_id), key="not-the-key")
    r = post_webhook(api, "mg", forged)
    assert r.status == 406, r
    assert r.json()["error"]["code"] == "bad_signature"
    old = mailgun_body(mailgun_event("complained", "ann@example.org", provider_id), timestamp=time.time() - 660)
    r = post_webhook(api, "mg", old)
    assert r.status == 406, r
    assert r.json()["error"]["code"] == "stale_timestamp"
    assert recipient_states(api, mid)["ann@example.org"] == "delivered"
    assert refused(p, "mg", "replayed") == 1
    assert refused(p, "mg", "bad_signature") == 1
    assert not any("event-data" in line for line in p.log_lines), "a refused body was logged"


def test_unknown_provider_and_provider_without_webhook_are_404(postern_factory, sim):
    p = postern_factory(config_text=FAST_RETRY + provider_toml(sim, "mailgun", "mg"))
    api = p.api()
    for name in ("mg", "nowhere"):
        r = post_webhook(api, name, mailgun_body(mailgun_event("delivered", "a@example.org", "x")))
        assert r.status == 404, r
        assert r.json()["error"]["field"] == "provider"


# -- SendGrid -----------------------------------------------------------------------

def sendgrid_headers(key, body, timestamp=None):
    ts = str(int(timestamp or time.time()))
    signature = key.sign(ts.encode() + body.encode(), ec.ECDSA(hashes.SHA256()))
    return {"X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
            "X-Twilio-Email-Event-Webhook-Timestamp": ts}


def public_der_base64(key):
    return base64.b64encode(key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()


def test_sendgrid_batch_duplicates_and_forgery(postern_factory, sim):
    key = ec.generate_private_key(ec.SECP256R1())
    p = postern_factory(config_text=FAST_RETRY + provider_toml(sim, "sendgrid", "sg") +
                        f'webhook_public_key = "{public_der_base64(key)}"\n')
    api = p.api()
    mid, provider_id = send_through(api, ["ann@example.org", "bob@example.org", "cy@example.org"])
    now = int(time.time())
    batch = json.dumps([
        {"email": "ann@example.org", "timestamp": now, "event": "delivered", "sg_event_id": "ev-a",
         "sg_message_id": f"{provider_id}.filter0001.1.0", "postern_id": mid},
        {"email": "bob@example.org", "timestamp": now, "event": "bounce", "type": "bounce", "sg_event_id": "ev-b",
         "sg_message_id": f"{provider_id}.filter0001.1.1", "reason": "550 no such user"},
        {"email": "cy@example.org", "timestamp": now, "event": "spamreport", "sg_event_id": "ev-c",
         "sg_message_id": f"{provider_id}.filter0001.1.2"},
        {"email": "ann@example.org", "timestamp": now, "event": "open", "sg_event_id": "ev-d"},
    ])
    r = post_webhook(api, "sg", batch, sendgrid_headers(key, batch))
    assert r.status == 200, r
    assert r.json() == {"recorded": 3, "unmatched": 0, "duplicates": 0, "ignored": 1}
    wait_state(api, mid, "ann@example.org", "delivered")
    wait_state(api, mid, "bob@example.org", "bounced")
    wait_state(api, mid, "cy@example.org", "complained")

    # SendGrid retries: the same events again are recorded once.
    r = post_webhook(api, "sg", batch, sendgrid_headers(key, batch, now + 5))
    assert r.status == 200, r
    assert r.json()["duplicates"] == 3

    other = ec.generate_private_key(ec.SECP256R1())
    r = post_webhook(api, "sg", batch, sendgrid_headers(other, batch))
    assert r.status == 401, r
    assert r.json()["error"]["code"] == "bad_signature"
    r = post_webhook(api, "sg", batch)
    assert r.status == 401, r
    assert r.json()["error"]["code"] == "missing_signature"
    assert metric(p, 'postern_webhook_events_total{provider="sg",type="bounced"}') == 1


# -- SES through SNS ------------------------------------------------------------------

class CertServer:
    """A loopback HTTP server with the SNS certificate and the SubscribeURL."""

    def __init__(self, pem):
        self.pem = pem
        self.requests = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                owner.requests.append(self.path)
                body = owner.pem if self.path.endswith(".pem") else b"<ConfirmSubscriptionResponse/>"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def sns_signer():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.test")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    server = CertServer(cert.public_bytes(serialization.Encoding.PEM))
    yield key, server
    server.close()


def sns_sign(key, message, version="2"):
    keys = (["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"] if message["Type"] == "Notification"
            else ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"])
    text = "".join(f"{k}\n{message[k]}\n" for k in keys if k in message)
    digest = hashes.SHA256() if version == "2" else hashes.SHA1()
    signed = dict(message, SignatureVersion=version)
    signed["Signature"] = base64.b64encode(key.sign(text.encode(), padding.PKCS1v15(), digest)).decode()
    return json.dumps(signed)


def test_ses_through_sns(postern_factory, sim, sns_signer):
    key, certs = sns_signer
    p = postern_factory(config_text=FAST_RETRY + provider_toml(sim, "ses", "ses") +
                        f'webhook_topic_arn = "{TOPIC}"\nwebhook_cert_hosts = "127.0.0.1"\n')
    api = p.api()
    sns_headers = {"Content-Type": "text/plain; charset=UTF-8", "x-amz-sns-message-type": "Notification"}
    cert_url = certs.url("/SimpleNotificationService-test.pem")

    # The subscription is confirmed by fetching SubscribeURL.
    confirmation = {"Type": "SubscriptionConfirmation", "MessageId": str(uuid.uuid4()), "Token": "2336412f37",
                    "TopicArn": TOPIC, "Message": "You have chosen to subscribe.\nVisit the SubscribeURL.",
                    "SubscribeURL": certs.url("/?Action=ConfirmSubscription&Token=2336412f37"),
                    "Timestamp": "2026-02-12T17:40:00.000Z", "SigningCertURL": cert_url}
    r = post_webhook(api, "ses", sns_sign(key, confirmation, "1"), sns_headers)
    assert r.status == 200, r
    assert "confirmed" in r.json()["note"]
    assert "/?Action=ConfirmSubscription&Token=2336412f37" in certs.requests

    mid, provider_id = send_through(api, ["ann@example.org", "bob@example.org"])
    ses_message = json.dumps({
        "notificationType": "Bounce",
        "bounce": {"bounceType": "Permanent", "bounceSubType": "General", "timestamp": "2026-02-12T17:44:00.000Z",
                   "bouncedRecipients": [{"emailAddress": "bob@example.org", "status": "5.1.1",
                                          "diagnosticCode": "smtp; 550 5.1.1 user unknown"}]},
        "mail": {"messageId": provider_id, "destination": ["ann@example.org", "bob@example.org"]}})
    notification = {"Type": "Notification", "MessageId": str(uuid.uuid4()), "TopicArn": TOPIC,
                    "Subject": "Amazon SES Email Event Notification", "Message": ses_message,
                    "Timestamp": "2026-02-12T17:44:01.000Z", "SigningCertURL": cert_url}
    r = post_webhook(api, "ses", sns_sign(key, notification), sns_headers)
    assert r.status == 200, r
    assert r.json()["recorded"] == 1
    wait_state(api, mid, "bob@example.org", "bounced")
    # SNS retries with the same MessageId: recorded once.
    r = post_webhook(api, "ses", sns_sign(key, notification), sns_headers)
    assert r.status == 200 and r.json()["duplicates"] == 1, r

    def refusal(message, status=401):
        r = post_webhook(api, "ses", sns_sign(key, message), sns_headers)
        assert r.status == status, r
        return r.json()["error"]["code"]

    assert refusal(dict(notification, TopicArn="arn:aws:sns:us-east-1:999999999999:other")) == "wrong_topic"
    assert refusal(dict(notification, SigningCertURL="https://evil.example/cert.pem")) == "cert_host_not_allowed"
    # Plain http only from a loopback host that webhook_cert_hosts lists.
    assert refusal(dict(notification, SigningCertURL=f"http://localhost:{certs.port}/c.pem")) == \
        "cert_host_not_allowed"
    forged = json.loads(sns_sign(key, notification))
    forged["Message"] = forged["Message"].replace("Permanent", "Transient")
    r = post_webhook(api, "ses", json.dumps(forged), sns_headers)
    assert r.status == 401 and r.json()["error"]["code"] == "bad_signature", r
    assert refused(p, "ses", "wrong_topic") == 1
    # The certificate was fetched once and then cached.
    assert sum(path.endswith(".pem") for path in certs.requests) == 1


# -- Postmark -------------------------------------------------------------------------

def basic(user, password):
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_postmark_basic_auth_and_duplicates(postern_factory, sim):
    p = postern_factory(config_text=FAST_RETRY + provider_toml(sim, "postmark", "pm") +
                        'webhook_username = "hooks"\nwebhook_password = "s3cret-hook-pass"\n')
    api = p.api()
    mid, provider_id = send_through(api, ["ann@example.org"])
    record = {"RecordType": "SpamComplaint", "ID": 42, "Type": "SpamComplaint", "TypeCode": 100001,
              "MessageID": provider_id, "Email": "ann@example.org", "BouncedAt": "2026-02-12T17:46:00Z",
              "Metadata": {"postern_id": mid}}
    for headers in (basic("hooks", "wrong"), basic("other", "s3cret-hook-pass"), {}):
        r = post_webhook(api, "pm", record, headers)
        assert r.status == 401, r
        assert r.json()["error"]["code"] == "bad_credentials"
    assert recipient_states(api, mid).get("ann@example.org") != "complained"
    r = post_webhook(api, "pm", record, basic("hooks", "s3cret-hook-pass"))
    assert r.status == 200 and r.json()["recorded"] == 1, r
    wait_state(api, mid, "ann@example.org", "complained")
    r = post_webhook(api, "pm", record, basic("hooks", "s3cret-hook-pass"))
    assert r.status == 200 and r.json()["duplicates"] == 1, r
    assert refused(p, "pm", "bad_credentials") == 3
