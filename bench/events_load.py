#!/usr/bin/python3
"""The load of bench/events.sh, made before it is timed: the messages the
events are about, and the signed webhook requests themselves.

  events_load.py key DIR
      a P-256 key for SendGrid's signed Event Webhook: DIR/sendgrid.pem;
      prints the public half as the provider setting wants it (base64 DER).
  events_load.py messages PORT API_KEY COUNT RECIPIENTS
      posts COUNT messages of RECIPIENTS addresses each (unique addresses).
  events_load.py intake HOST API_KEY OUT
      the intake request of bench/http_intake.sh (4 KiB of JSON), raw.
  events_load.py requests PROVIDER STORE OUT COUNT --host H [--sendgrid-key PEM]
                          [--mailgun-key KEY] [--batch N]
      writes COUNT signed requests (raw HTTP/1.1, "<length>\\n<bytes>" each)
      for the provider named PROVIDER, each event about a recipient of a
      message Postern sent through it (read from the store: its provider
      message id and envelope), so that Postern ties every one to its
      message; every event has its own id (Mailgun token, sg_event_id).

The type mix is the same for both providers: 80% delivered, 10% deferred,
7% bounced (hard: suppressed), 3% complained (suppressed). The raw file is
what bench/wrk_requests.lua sends. Run with /usr/bin/python3
(python3-cryptography).
"""
import base64
import hashlib
import hmac
import http.client
import itertools
import json
import os
import random
import sqlite3
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

# (kind, share in 100): the mix each webhook cell replays.
MIX = [("delivered", 80), ("deferred", 10), ("bounced", 7), ("complained", 3)]
# Each hundred in the same order, mixed (a fixed seed: every run the same).
KINDS = [kind for kind, share in MIX for _ in range(share)]
random.Random(28).shuffle(KINDS)


def key(directory):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    private = ec.generate_private_key(ec.SECP256R1())
    with open(os.path.join(directory, "sendgrid.pem"), "wb") as f:
        f.write(private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    der = private.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    print(base64.b64encode(der).decode())


def messages(port, api_key, count, recipients):
    """Posts the messages over a few keep-alive connections; fails on any
    answer but 202."""
    def post_range(first, last):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        for i in range(first, last):
            body = json.dumps({"from": "bench@example.com",
                               "to": [f"r{i}.{j}@example.org" for j in range(recipients)],
                               "subject": f"events bench {i}", "text": "a message the events are about"})
            conn.request("POST", "/v1/messages", body, {"Content-Type": "application/json",
                                                        "Authorization": f"Bearer {api_key}"})
            r = conn.getresponse()
            answer = r.read()
            if r.status != 202:
                raise SystemExit(f"POST /v1/messages: {r.status} {answer[:200]!r}")
        conn.close()

    workers = 8
    step = (count + workers - 1) // workers
    with ThreadPoolExecutor(workers) as pool:
        for f in [pool.submit(post_range, w * step, min(count, (w + 1) * step)) for w in range(workers)]:
            f.result()


def sent_recipients(store, provider):
    """[(provider message id, recipient)] of the messages sent through PROVIDER."""
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=30)
    rows = db.execute("SELECT p.provider_message_id, m.recipients FROM provider_message_ids p "
                      "JOIN messages m ON m.id = p.message_id WHERE p.provider = ? ORDER BY p.message_id",
                      (provider,)).fetchall()
    db.close()
    # The envelope column: a line per recipient, its kind's digit first.
    pairs = [(pid, line[1:]) for pid, recipients in rows for line in recipients.split("\n") if line]
    if not pairs:
        raise SystemExit(f"no message sent through {provider} in {store}")
    return pairs


def raw_request(host, path, body, headers):
    head = [f"POST {path} HTTP/1.1", f"Host: {host}", "Content-Type: application/json",
            f"Content-Length: {len(body)}"] + [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def mailgun_requests(pairs, count, host, path, signing_key):
    now = time.time()
    for n, (pid, recipient), kind in zip(range(count), itertools.cycle(pairs), itertools.cycle(KINDS)):
        event = {"id": uuid.uuid4().hex[:22], "timestamp": now, "recipient": recipient,
                 "message": {"headers": {"message-id": pid}},
                 "delivery-status": {"code": 250, "message": "OK"}}
        if kind == "delivered":
            event["event"] = "delivered"
        elif kind == "complained":
            event["event"] = "complained"
        else:
            event.update({"event": "failed", "severity": "permanent" if kind == "bounced" else "temporary",
                          "delivery-status": {"code": 550 if kind == "bounced" else 421,
                                              "message": "as the receiving server said"}})
        token = uuid.uuid4().hex + uuid.uuid4().hex[:18]
        ts = str(int(now))
        signature = hmac.new(signing_key.encode(), (ts + token).encode(), hashlib.sha256).hexdigest()
        body = json.dumps({"signature": {"token": token, "timestamp": ts, "signature": signature},
                           "event-data": event}).encode()
        yield raw_request(host, path, body, {})


def sendgrid_requests(pairs, count, host, path, key_file, batch):
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    with open(key_file, "rb") as f:
        private = serialization.load_pem_private_key(f.read(), None)
    now = int(time.time())
    targets, kinds = itertools.cycle(pairs), itertools.cycle(KINDS)
    for n in range(count):
        events = []
        for i in range(batch):
            (pid, recipient), kind = next(targets), next(kinds)
            e = {"email": recipient, "timestamp": now, "sg_event_id": uuid.uuid4().hex,
                 "sg_message_id": f"{pid}.filter0001.{n}.{i}", "smtp-id": f"<{pid}@sendgrid.net>"}
            if kind == "delivered":
                e.update(event="delivered", response="250 OK")
            elif kind == "deferred":
                e.update(event="deferred", response="421 try again later", attempt="1")
            elif kind == "bounced":
                e.update(event="bounce", type="bounce", status="5.1.1", reason="550 5.1.1 no such user")
            else:
                e.update(event="spamreport")
            events.append(e)
        body = json.dumps(events).encode()
        ts = str(int(time.time()))
        signature = private.sign(ts.encode() + body, ec.ECDSA(hashes.SHA256()))
        yield raw_request(host, path, body, {
            "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
            "X-Twilio-Email-Event-Webhook-Timestamp": ts})


def write_requests(out, made):
    with open(out + ".tmp", "wb") as f:
        for request in made:
            f.write(b"%d\n" % len(request))
            f.write(request)
    os.replace(out + ".tmp", out)


def intake(host, api_key, out):
    body = json.dumps({"from": "bench@example.com", "to": ["user@example.org"], "subject": "benchmark",
                       "text": "x" * 3990}).encode()
    assert 4000 < len(body) <= 4096, len(body)
    write_requests(out, [raw_request(host, "/v1/messages", body, {"Authorization": f"Bearer {api_key}"})])


def requests(argv):
    import argparse
    ap = argparse.ArgumentParser(prog="events_load.py requests")
    ap.add_argument("provider")
    ap.add_argument("store")
    ap.add_argument("out")
    ap.add_argument("count", type=int)
    ap.add_argument("--host", required=True)
    ap.add_argument("--mailgun-key")
    ap.add_argument("--sendgrid-key")
    ap.add_argument("--batch", type=int, default=100)
    args = ap.parse_args(argv)
    pairs = sent_recipients(args.store, args.provider)
    path = f"/v1/webhooks/{args.provider}"
    if args.mailgun_key:
        made = mailgun_requests(pairs, args.count, args.host, path, args.mailgun_key)
    else:
        made = sendgrid_requests(pairs, args.count, args.host, path, args.sendgrid_key, args.batch)
    write_requests(args.out, made)


def main(argv):
    if argv[:1] == ["key"]:
        return key(argv[1])
    if argv[:1] == ["messages"]:
        return messages(int(argv[1]), argv[2], int(argv[3]), int(argv[4]))
    if argv[:1] == ["intake"]:
        return intake(argv[1], argv[2], argv[3])
    if argv[:1] == ["requests"]:
        return requests(argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
