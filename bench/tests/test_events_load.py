"""bench/events_load.py: the signed webhook requests bench/events.sh replays
are genuine (each provider's signature holds), each about a recipient of a
message sent through that provider, each event with its own id."""
import base64
import hashlib
import hmac
import json
import os
import sqlite3
import subprocess
import sys

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOAD = os.path.join(BENCH, "events_load.py")


def store(path):
    """The two tables events_load.py reads, as the store has them."""
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE messages (id INTEGER PRIMARY KEY, recipients TEXT NOT NULL)")
    db.execute("CREATE TABLE provider_message_ids (provider TEXT, provider_message_id TEXT, message_id INTEGER)")
    for i, provider in ((1, "mg"), (2, "sg"), (3, "mg")):
        db.execute("INSERT INTO messages VALUES (?, ?)", (i, f"0a{i}@example.org\n1b{i}@example.org"))
        db.execute("INSERT INTO provider_message_ids VALUES (?, ?, ?)", (provider, f"pid-{i}", i))
    db.commit()
    db.close()


def run(*args):
    return subprocess.run([sys.executable, LOAD, *map(str, args)], capture_output=True, text=True,
                          check=True).stdout


def requests(path):
    """The raw requests of a file: (head lines, body)."""
    data, out, pos = open(path, "rb").read(), [], 0
    while pos < len(data):
        nl = data.index(b"\n", pos)
        length = int(data[pos:nl])
        raw = data[nl + 1:nl + 1 + length]
        head, body = raw.split(b"\r\n\r\n", 1)
        lines = head.decode().split("\r\n")
        headers = dict(line.split(": ", 1) for line in lines[1:])
        assert int(headers["Content-Length"]) == len(body)
        out.append((lines[0], headers, body))
        pos = nl + 1 + length
    return out


def test_mailgun_requests_are_signed_and_each_has_its_own_token(tmp_path):
    store(tmp_path / "s.db")
    run("requests", "mg", tmp_path / "s.db", tmp_path / "mg", 100, "--host", "127.0.0.1:9", "--mailgun-key", "k")
    made = requests(tmp_path / "mg")
    assert len(made) == 100 and made[0][0] == "POST /v1/webhooks/mg HTTP/1.1"
    tokens, kinds = set(), set()
    for _, _, body in made:
        doc = json.loads(body)
        s = doc["signature"]
        assert s["signature"] == hmac.new(b"k", (s["timestamp"] + s["token"]).encode(), hashlib.sha256).hexdigest()
        tokens.add(s["token"])
        e = doc["event-data"]
        # Only messages sent through Mailgun, to their own recipients.
        assert (e["message"]["headers"]["message-id"], e["recipient"][1:]) in {
            ("pid-1", "1@example.org"), ("pid-3", "3@example.org")}
        kinds.add((e["event"], e.get("severity")))
    assert len(tokens) == 100
    # The mix of every hundred.
    assert kinds == {("delivered", None), ("failed", "temporary"), ("failed", "permanent"), ("complained", None)}


def test_sendgrid_batches_verify_with_the_public_key(tmp_path):
    store(tmp_path / "s.db")
    public = base64.b64decode(run("key", tmp_path).strip())
    key = serialization.load_der_public_key(public)
    run("requests", "sg", tmp_path / "s.db", tmp_path / "sg", 3, "--host", "127.0.0.1:9",
        "--sendgrid-key", tmp_path / "sendgrid.pem", "--batch", 100)
    made = requests(tmp_path / "sg")
    assert len(made) == 3
    ids = set()
    for _, headers, body in made:
        signature = base64.b64decode(headers["X-Twilio-Email-Event-Webhook-Signature"])
        key.verify(signature, headers["X-Twilio-Email-Event-Webhook-Timestamp"].encode() + body,
                   ec.ECDSA(hashes.SHA256()))
        events = json.loads(body)
        assert len(events) == 100
        for e in events:
            assert e["sg_message_id"].split(".")[0] == "pid-2" and e["email"] in ("a2@example.org", "b2@example.org")
            ids.add(e["sg_event_id"])
    assert len(ids) == 300


def test_the_intake_request_is_http_intakes_message(tmp_path):
    run("intake", "127.0.0.1:9", "key-1", tmp_path / "in")
    [(line, headers, body)] = requests(tmp_path / "in")
    assert line == "POST /v1/messages HTTP/1.1" and headers["Authorization"] == "Bearer key-1"
    assert 4000 < len(body) <= 4096 and json.loads(body)["to"] == ["user@example.org"]
