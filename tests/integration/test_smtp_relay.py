"""A message submitted over SMTP arrives intact at a simulated provider
(postern-sim, docs/simulator.md): through the SMTP relay provider and through
Mailgun's messages.mime endpoint, compared byte for byte with what the client
submitted. Helpers come from test_smtp.py.

What differs between the submitted bytes and what a provider receives, found
by these tests: Postern prepends its X-Postern-Id field and one Received
field, and removes Bcc fields; nothing else changes."""
import base64
import email.policy
import hashlib
import os
import re
import smtplib
from email.message import EmailMessage

import pytest

from test_smtp import TIMEOUT, raw_of, send_raw, smtp_port_of, split_received

from conftest import needs_simulator
from simulator import MAILGUN_KEY

pytestmark = needs_simulator

ATTACHMENT = bytes(range(256)) * 40 + os.urandom(30000)


def submitted_message():
    """A multipart message with an attachment, a Bcc, 8-bit text and a line
    that starts with a dot (stuffed on every SMTP hop, unstuffed at the end)."""
    msg = EmailMessage()
    msg["From"] = "App <app@example.com>"
    msg["To"] = "user@example.org"
    msg["Bcc"] = "hidden@example.org"
    msg["Subject"] = "Relayed intact"
    msg["Message-ID"] = "<relay-test@example.com>"
    msg.set_content("Grüße\n.a line that starts with a dot\n..and two\n", cte="8bit")
    msg.add_attachment(ATTACHMENT, maintype="application", subtype="octet-stream", filename="data.bin")
    data = msg.as_bytes(policy=email.policy.SMTP)
    assert b"\r\nBcc: hidden@example.org\r\n" in data and b"\r\n.a line" in data
    return data


def without_bcc(data):
    return data.replace(b"Bcc: hidden@example.org\r\n", b"", 1)


@pytest.fixture
def sim(sim_factory):
    return sim_factory(services=("smtp", "mailgun"))


def provider_config(sim, kind):
    if kind == "smtp":
        return (f'[[providers]]\nname = "relay"\ntype = "smtp"\nhost = "127.0.0.1"\nport = {sim.port("smtp")}\n'
                f'tls = "none"\nhelo_name = "gw.test"\n')
    return (f'[[providers]]\nname = "mg"\ntype = "mailgun"\nbase_url = "{sim.url("mailgun")}"\n'
            f'api_key = "{MAILGUN_KEY}"\ndomain = "mg.example.com"\n')


def submit(postern, data):
    with smtplib.SMTP("127.0.0.1", smtp_port_of(postern), timeout=TIMEOUT) as s:
        s.ehlo("client.test")
        return send_raw(s, "app@example.com", ["user@example.org", "hidden@example.org"], data,
                        mail_options=["BODY=8BITMIME"])


def form_parts(content_type, body):
    """multipart/form-data -> [(name, filename, content type, bytes)]."""
    boundary = re.search(r'boundary="?([^";]+)"?', content_type).group(1).encode()
    parts = []
    for chunk in body.split(b"--" + boundary)[1:]:
        if chunk.startswith(b"--"):
            break
        head, _, content = chunk[2:].partition(b"\r\n\r\n")
        assert content.endswith(b"\r\n")
        headers = head.decode()
        name = re.search(r'name="([^"]*)"', headers).group(1)
        filename = re.search(r'filename="([^"]*)"', headers)
        ctype = re.search(r"(?im)^content-type:\s*(.+)$", headers)
        parts.append((name, filename and filename.group(1), ctype and ctype.group(1).strip(), content[:-2]))
    return parts


def check_stored(postern, mid, data):
    """The stored bytes are X-Postern-Id, one Received field, then the submitted
    bytes without Bcc."""
    raw = raw_of(postern.api(), mid)
    received, rest = split_received(raw)
    assert rest == without_bcc(data)
    assert re.fullmatch(rb"Received: from client\.test \(\[127\.0\.0\.1\]\)\r\n\tby localhost \(Postern\) "
                        rb"with 8?ESMTP;\r\n\t[^\r\n]+\r\n", received), received
    return raw


def test_smtp_relay_receives_the_submitted_bytes(postern_factory, sim):
    p = postern_factory(config_text=provider_config(sim, "smtp"))
    data = submitted_message()
    mid = submit(p, data)
    m = p.api().wait_status(mid, {"sent", "failed"}, timeout=30)
    assert (m["status"], m["provider"]) == ("sent", "relay"), m
    raw = check_stored(p, mid, data)
    found = sim.messages(mid)  # the relay finds the id in X-Postern-Id
    assert found is not None and found["received"] == 1, found
    (r,) = found["receipts"]
    assert r["provider_message_id"] == m["provider_message_id"]
    assert r["envelope"] == {"helo": "gw.test", "auth_user": "", "tls": False, "mail_from": "app@example.com",
                             "rcpt_to": ["user@example.org", "hidden@example.org"]}
    relayed = base64.b64decode(r["body_base64"])
    # Byte for byte what Postern stored: the Received field it prepended, then
    # exactly the client's bytes minus the Bcc field (dot-stuffing undone).
    assert relayed == raw
    assert hashlib.sha256(relayed).digest() == hashlib.sha256(raw).digest()
    parsed = email.message_from_bytes(relayed, policy=email.policy.default)
    (attachment,) = list(parsed.iter_attachments())
    assert attachment.get_content() == ATTACHMENT
    assert "hidden@example.org" not in relayed.decode("utf-8", "replace")


def test_relay_identifies_the_postern_message(postern_factory, sim):
    p = postern_factory(config_text=provider_config(sim, "smtp"))
    mid = submit(p, submitted_message())
    assert p.api().wait_status(mid, {"sent", "failed"}, timeout=30)["status"] == "sent"
    found = sim.messages(mid)
    assert found is not None, "the simulated relay got no X-Postern-Id"
    body = base64.b64decode(found["receipts"][0]["body_base64"])
    assert body.startswith(f"X-Postern-Id: {mid}\r\nReceived: ".encode()), body[:200]


def test_mailgun_mime_receives_the_submitted_bytes(postern_factory, sim):
    p = postern_factory(config_text=provider_config(sim, "mailgun"))
    data = submitted_message()
    mid = submit(p, data)
    m = p.api().wait_status(mid, {"sent", "failed"}, timeout=30)
    assert (m["status"], m["provider"]) == ("sent", "mg"), m
    raw = check_stored(p, mid, data)
    found = sim.messages(mid)  # Mailgun carries the id in v:postern-id
    assert found is not None and found["received"] == 1, found
    (r,) = found["receipts"]
    assert (r["method"], r["target"]) == ("POST", "/v3/mg.example.com/messages.mime")
    headers = {k.lower(): v for k, v in (r["headers"].items() if isinstance(r["headers"], dict) else r["headers"])}
    parts = form_parts(headers["content-type"], base64.b64decode(r["body_base64"]))
    fields = [(name, value) for name, filename, _, value in parts if filename is None]
    # Mailgun takes recipients from the form only: the Bcc recipient is there.
    assert sorted(v for n, v in fields if n == "to") == [b"hidden@example.org", b"user@example.org"]
    assert ("v:postern-id", mid.encode()) in fields
    (message,) = [(f, ct, v) for n, f, ct, v in parts if n == "message"]
    assert message[1] == "message/rfc822"
    assert message[2] == raw  # the stored bytes, unchanged
    assert found["per_service"] == {"mailgun": 1}
