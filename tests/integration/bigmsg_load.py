"""Big messages at once through the real binary (issue 31, docs/operations.md
"Memory"): N SMTP sessions (smtplib) each sending a message of SMTP_BYTES
and M HTTP clients (http.client) each posting a message/rfc822 of
HTTP_BYTES, all at the same time, to a Postern that relays them to
postern-sim's SMTP relay; the server's RSS sampled from /proc throughout.
A client refused for want of budget (SMTP 452 4.3.1, HTTP 503 with
Retry-After) tries again, as a real client does, until its message is
acknowledged. Then every acknowledged message must reach the simulator byte
for byte: the simulator (--hash-bodies) keeps the SHA-256 of each body it
received, compared with the bytes Postern was given.

Used by test_bigmsg.py at a size that fits CI and by bench/bigmsg.sh at the
issue's (200 x 25 MB over SMTP, 200 x 10 MB over HTTP).

Memory of the clients: every message is one shared body, dot-stuffed once,
and a line of its own at the end; a client sends the parts one after the
other, so the clients hold one body, not one per message, and each hash is
the shared body's state copied and finished with the message's own line."""
import base64
import hashlib
import http.client
import json
import os
import re
import smtplib
import threading
import time

QUEUED = re.compile(rb"queued as ([0-9a-z]{13})")


class Sampler:
    """Samples VmRSS of `pid` every `interval` seconds until stopped."""

    def __init__(self, pid, interval=0.05):
        self.pid, self.interval = pid, interval
        self.samples = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def rss(self):
        with open(f"/proc/{self.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def run(self):
        while not self.stopping.is_set():
            self.samples.append(self.rss())
            self.stopping.wait(self.interval)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(10)

    def peak(self):
        return max(self.samples, default=0)


class Body:
    """A message of about `size` bytes: a header, base64 lines (some starting
    with a dot, stuffed on the wire) shared by every message of this size,
    and a last line naming the message."""

    def __init__(self, size, kind):
        head = (f"From: Load <load@example.com>\r\nTo: user@example.org\r\n"
                f"Subject: big {kind} message\r\nMIME-Version: 1.0\r\n"
                f"Content-Type: text/plain; charset=us-ascii\r\n\r\n").encode()
        lines = []
        chunk = base64.b64encode(os.urandom(57 * 1024))  # 76-char lines once split
        n = len(head)
        i = 0
        while n < size:
            line = chunk[(i * 76) % (len(chunk) - 76):][:76]
            if i % 1000 == 0:
                line = b"." + line  # transparency: stuffed by the client, unstuffed by the server
            lines.append(line + b"\r\n")
            n += len(line) + 2
            i += 1
        self.shared = head + b"".join(lines)
        self.stuffed = self.shared.replace(b"\r\n.", b"\r\n..")
        self.base = hashlib.sha256(self.shared)

    @staticmethod
    def tail(tag):
        return f"end of message {tag}\r\n".encode()

    def digest(self, tag, prefix=b""):
        """SHA-256 of prefix + this message (the prefix: what Postern adds in front)."""
        if prefix:
            h = hashlib.sha256(prefix)
            h.update(self.shared)
        else:
            h = self.base.copy()
        h.update(self.tail(tag))
        return h.hexdigest()

    def size(self, tag):
        return len(self.shared) + len(self.tail(tag))


class Outcome:
    def __init__(self):
        self.lock = threading.Lock()
        self.acked = []  # (protocol, tag, postern id)
        self.refusals = {"smtp": 0, "http": 0}

    def ack(self, protocol, tag, postern_id):
        with self.lock:
            self.acked.append((protocol, tag, postern_id))

    def refused(self, protocol):
        with self.lock:
            self.refusals[protocol] += 1


def smtp_client(port, body, tag, outcome, deadline):
    """One message, a session per try: after a 452 the client quits and
    tries again a moment later, as an MTA does. (RSET and again in one
    session meets the server's limit of commands without a message, 100,
    when the budget stays spent for long, as with 25 MB messages.)"""
    while True:
        assert time.monotonic() < deadline, f"smtp {tag}: not acknowledged in time"
        with smtplib.SMTP("127.0.0.1", port, timeout=120) as s:
            s.ehlo("load.test")
            assert s.has_extn("size"), "the server does not offer SIZE"
            code, reply = s.mail("load@example.com", [f"SIZE={body.size(tag)}"])
            assert code == 250, reply
            code, reply = s.rcpt("user@example.org")
            assert code == 250, reply
            # DATA by hand: the shared body is sent as it is, stuffed once.
            s.putcmd("data")
            code, reply = s.getreply()
            if code == 354:
                s.send(body.stuffed)
                s.send(body.tail(tag) + b".\r\n")
                code, reply = s.getreply()
            if code == 250:
                outcome.ack("smtp", tag, QUEUED.search(reply).group(1).decode())
                return
            assert code == 452 and reply.startswith(b"4.3.1"), (code, reply)
            outcome.refused("smtp")
        time.sleep(0.2)  # back-off before trying again, as an MTA would


def http_client(port, body, tag, outcome, deadline):
    """One client: posts the message, again after Retry-After while refused."""
    while True:
        assert time.monotonic() < deadline, f"http {tag}: not acknowledged in time"
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            conn.putrequest("POST", "/v1/messages")
            conn.putheader("Content-Type", "message/rfc822")
            conn.putheader("Content-Length", str(body.size(tag)))
            conn.endheaders()
            try:
                conn.send(body.shared)
                conn.send(body.tail(tag))
            except (BrokenPipeError, ConnectionResetError):
                pass  # refused before the body was read: the answer is waiting
            r = conn.getresponse()
            data = r.read()
        finally:
            conn.close()
        if r.status == 202:
            outcome.ack("http", tag, json.loads(data)["id"])
            return
        assert r.status == 503, (r.status, data[:300])
        assert json.loads(data)["error"]["code"] == "inflight_budget_exhausted", data
        retry_after = r.getheader("Retry-After")
        assert retry_after and int(retry_after) > 0, r.getheaders()
        outcome.refused("http")
        time.sleep(min(int(retry_after), 1) / 4)


def run_load(postern, smtp_sessions, smtp_bytes, http_clients, http_bytes, timeout=600):
    """Runs the clients at once; returns (Outcome, Sampler, seconds, bodies)."""
    smtp_body = Body(smtp_bytes, "smtp") if smtp_sessions else None
    http_body = Body(http_bytes, "http") if http_clients else None
    outcome = Outcome()
    deadline = time.monotonic() + timeout
    threads, failures = [], []

    def guarded(target, *args):
        try:
            target(*args)
        except BaseException as e:  # reported below, in the caller's thread
            failures.append(e)

    with Sampler(postern.proc.pid) as sampler:
        started = time.monotonic()
        for i in range(smtp_sessions):
            threads.append(threading.Thread(target=guarded, daemon=True,
                                            args=(smtp_client, postern.smtp_port, smtp_body, f"s{i}",
                                                  outcome, deadline)))
        for i in range(http_clients):
            threads.append(threading.Thread(target=guarded, daemon=True,
                                            args=(http_client, postern.http_port, http_body, f"h{i}",
                                                  outcome, deadline)))
        for t in threads:
            t.start()
        for t in threads:
            t.join(max(0.0, deadline - time.monotonic()))
        seconds = time.monotonic() - started
        if failures:
            raise failures[0]
        assert not any(t.is_alive() for t in threads), "clients still running at the deadline"
    return outcome, sampler, seconds, {"smtp": smtp_body, "http": http_body}


def wait_sent(api, ids, timeout):
    """Waits until every id is sent; returns the ones that are not."""
    deadline = time.monotonic() + timeout
    left = set(ids)
    while left and time.monotonic() < deadline:
        for i in list(left):
            r = api.get(f"/v1/messages/{i}")
            assert r.status == 200, r
            status = r.json()["status"]
            assert status in ("queued", "sending", "deferred", "sent"), r.json()
            if status == "sent":
                left.discard(i)
        if left:
            time.sleep(0.2)
    return left


def check_delivered(postern, sim, outcome, bodies):
    """Every acknowledged message reached the simulator byte for byte: the
    simulator's SHA-256 of what it got against the bytes Postern was given,
    behind what Postern adds in front: its X-Postern-Id field, and over SMTP
    the Received field, read back from the API (/raw shows the message as a
    provider gets it)."""
    api = postern.api()
    for protocol, tag, postern_id in outcome.acked:
        body = bodies[protocol]
        prefix = f"X-Postern-Id: {postern_id}\r\n".encode()
        if protocol == "smtp":
            r = api.get(f"/v1/messages/{postern_id}/raw", timeout=120)
            assert r.status == 200, r
            raw = r.body
            original = len(raw) - body.size(tag)
            assert raw.startswith(prefix + b"Received: "), raw[:200]
            assert hashlib.sha256(raw[original:]).hexdigest() == body.digest(tag), \
                f"{postern_id}: stored content differs from what the client sent"
            prefix = raw[:original]
        got = sim.messages(postern_id)
        assert got, f"{postern_id} ({protocol} {tag}) never reached the simulator"
        assert got["body_sha256"] == [body.digest(tag, prefix)], \
            f"{postern_id} ({protocol} {tag}) arrived altered or more than once: {got['body_sha256']}"
