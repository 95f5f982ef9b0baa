"""A webhooks-out receiver for the integration tests: a small HTTP server on
127.0.0.1 that checks every request's Standard Webhooks signature
(webhook-id, webhook-timestamp, webhook-signature; docs/events.md
"Webhooks out") with the endpoint's secret, and records what it received.

    endpoint = WebhookEndpoint()          # listening on 127.0.0.1, port chosen by the system
    r = api.post("/v1/webhook-endpoints", {"url": endpoint.url})
    endpoint.secret = r.json()["secret"]
    ...
    endpoint.wait_for(lambda got: len(got) >= 2)
    endpoint.stop()

Each accepted request is recorded as a Delivery (webhook_id, type, payload)
in `received`, in the order they arrived; a request whose signature does
not verify is answered 401 and recorded in `refused` (a test asserts it is
empty). `mode` says how it answers: "ok" (204), "fail" (500), "hang" (no
answer until the mode changes or the endpoint stops), "gone" (410); down()
closes the port (connections refused) and up() listens again on the same
port.
"""
import base64
import hashlib
import hmac
import http.server
import json
import threading
import time
from dataclasses import dataclass, field

# How far webhook-timestamp may be from now, as Standard Webhooks' libraries allow.
TOLERANCE_SECONDS = 300


@dataclass
class Delivery:
    webhook_id: str
    type: str
    payload: dict
    timestamp: int = 0
    received_at: float = field(default_factory=time.monotonic)


def signature_of(secret, webhook_id, timestamp, body):
    """The v1 signature Standard Webhooks defines (without the "v1," prefix)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def verify(secret, headers, body, now=None):
    """None when the request is genuine, else why not."""
    webhook_id = headers.get("webhook-id")
    stamp = headers.get("webhook-timestamp")
    signatures = headers.get("webhook-signature")
    if not (webhook_id and stamp and signatures):
        return "missing a webhook-* header"
    try:
        timestamp = int(stamp)
    except ValueError:
        return "webhook-timestamp is not a number"
    if abs((now or time.time()) - timestamp) > TOLERANCE_SECONDS:
        return "webhook-timestamp is too far from now"
    expected = "v1," + signature_of(secret, webhook_id, timestamp, body)
    if not any(hmac.compare_digest(expected, s) for s in signatures.split(" ")):
        return "no signature matches"
    return None


class WebhookEndpoint:
    def __init__(self, secret=None, mode="ok", port=0):
        self.secret = secret
        self.mode = mode
        self.received = []  # Delivery, in arrival order
        self.refused = []   # (headers, why) of requests that did not verify
        self.requests = 0   # every request that reached it, answered or not
        self._cv = threading.Condition()
        self._server = None
        self._thread = None
        self.port = port
        self.up()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}/hooks"

    def up(self):
        """Listens (again) on the endpoint's port."""
        endpoint = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                status = endpoint._take(self.headers, body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def down(self):
        """Stops listening: attempts are refused until up()."""
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        with self._cv:
            self._cv.notify_all()  # releases hanging requests

    def stop(self):
        self.set_mode("ok")
        self.down()

    def set_mode(self, mode):
        with self._cv:
            self.mode = mode
            self._cv.notify_all()

    def _take(self, headers, body):
        with self._cv:
            self.requests += 1
            self._cv.notify_all()
            # A hanging endpoint holds the request until told otherwise
            # (bounded: the sender's timeout gives up long before).
            self._cv.wait_for(lambda: self.mode != "hang" or self._server is None, timeout=120)
            mode = self.mode
        if mode == "fail":
            return 500
        if mode == "gone":
            return 410
        why = verify(self.secret, headers, body) if self.secret else "no secret set"
        with self._cv:
            if why:
                self.refused.append((dict(headers), why))
                self._cv.notify_all()
                return 401
            payload = json.loads(body)
            self.received.append(Delivery(headers["webhook-id"], payload["type"], payload,
                                          int(headers["webhook-timestamp"])))
            self._cv.notify_all()
        return 204

    def wait_for(self, predicate, timeout=30):
        """Waits until predicate(received) holds; returns a copy of received.
        Fails the test on timeout."""
        with self._cv:
            ok = self._cv.wait_for(lambda: predicate(self.received), timeout=timeout)
            got = list(self.received)
        assert ok, f"timed out; received {[(d.webhook_id, d.type) for d in got]}, refused {self.refused}"
        return got

    def wait_requests(self, n, timeout=30):
        with self._cv:
            assert self._cv.wait_for(lambda: self.requests >= n, timeout=timeout), \
                f"{self.requests} requests, expected {n}"

    def by_message(self):
        """{message id: [types in arrival order]} of what was received."""
        with self._cv:
            out = {}
            for d in self.received:
                out.setdefault(d.payload["data"]["message_id"], []).append(d.type)
            return out
