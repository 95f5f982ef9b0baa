"""A node on PostgreSQL (store.backend = "postgres", docs/operations.md
"PostgreSQL backend"): `postern serve` on a private PostgreSQL takes mail over
HTTP and SMTP, delivers it to a simulated provider, serves it back through
the API, and the CLI works on the same database."""
import http.client
import json
import os
import re
import smtplib
import threading
import time

import pg_server
from conftest import Threads, needs_postgres, needs_simulator
from simulator import MAILGUN_KEY

pytestmark = [needs_postgres, needs_simulator]

QUEUED = re.compile(r"queued as ([0-9a-z]{13})")


def provider_config(sim):
    # A short lease: an attempt whose outcome could not be recorded while
    # PostgreSQL was away is sent again once its lease runs out.
    return (f'[delivery]\ninitial_backoff = "200ms"\nmax_backoff = "1s"\npoll_interval = "100ms"\n'
            f'lease = "5s"\n'
            f'[[providers]]\nname = "mg"\ntype = "mailgun"\nbase_url = "{sim.url("mailgun")}"\n'
            f'api_key = "{MAILGUN_KEY}"\ndomain = "mg.example.com"\n')


def pg_env(url, node="pg-1"):
    return {"POSTERN_STORE_BACKEND": "postgres", "POSTERN_STORE_URL": url, "POSTERN_STORE_NODE": node}


def smtp_send(port, i):
    """One message over SMTP; answers Postern's id from the 250 reply."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
        s.ehlo("client.example.com")
        s.mail("app@example.com")
        s.rcpt(f"smtp{i}@example.org")
        code, reply = s.data(f"From: app@example.com\r\nTo: smtp{i}@example.org\r\n"
                             f"Subject: over smtp {i}\r\n\r\nbody {i}\r\n".encode())
        assert code == 250, (code, reply)
        return QUEUED.search(reply.decode()).group(1)


def test_a_node_on_postgres_takes_delivers_and_serves_mail(postern_factory, sim, postgres_server,
                                                            postgres_url):
    node = postern_factory(env=pg_env(postgres_url), config_text=provider_config(sim))
    ready = [line for line in node.log_lines if "postern ready" in line][-1]
    assert "store=" in ready and "dbname=" in ready, ready
    database = postgres_url.rsplit("/", 1)[1]
    api = node.api()

    r = api.send({"from": "app@example.com", "to": ["http@example.org"], "subject": "over http",
                  "text": "hello from http"})
    assert r.status == 202, r
    http_id = r.json()["id"]
    smtp_id = smtp_send(node.smtp_port, 1)

    for message_id, subject in ((http_id, "over http"), (smtp_id, "over smtp 1")):
        detail = api.wait_status(message_id, {"sent"})
        assert detail["subject"] == subject, detail
        assert sim.messages(message_id) is not None, message_id
        # The row is PostgreSQL's, not a file's.
        assert postgres_server.psql(f"SELECT count(*) FROM messages WHERE subject = '{subject}'",
                                    database) == "1"
    raw = api.get(f"/v1/messages/{http_id}/raw")
    assert raw.status == 200 and b"hello from http" in raw.body, raw

    # The CLI opens the same database: a key made there is the node's at once.
    made = node.cli("keys", "create", "--name", "ci", "--scopes", "send,read")
    secret = made.stdout.strip().splitlines()[-1]
    assert "ci" in node.cli("keys", "list").stdout
    assert api.get(f"/v1/messages/{http_id}").status == 401
    assert node.api(secret).get(f"/v1/messages/{http_id}").json()["status"] == "sent"
    # Nothing of the node went to a SQLite file.
    assert not [f for f in files(node.workdir) if ".db" in f], files(node.workdir)


def files(folder):
    return [os.path.join(d, f) for d, _, names in os.walk(folder) for f in names]


class Load:
    """HTTP and SMTP clients sending without pause, each message on its own
    (an SMTP session each): what each answer was, and when. Acknowledged
    ids (202 with an id, SMTP 250) are kept; refusals must be the ones a
    client can act on: HTTP 503 with Retry-After and a JSON error, SMTP
    451 4.3.0 at the end of DATA."""

    def __init__(self, node, http_clients=3, smtp_clients=2):
        self.node = node
        self.lock = threading.Lock()
        self.acked = []      # (time, id)
        self.refused = []    # (time, "http" | "smtp")
        self.stopping = threading.Event()
        self.threads = Threads()
        for t in range(http_clients):
            self.threads.start(self._http, t)
        for t in range(smtp_clients):
            self.threads.start(self._smtp, t)

    def _http(self, t):
        conn = http.client.HTTPConnection("127.0.0.1", self.node.http_port, timeout=30)
        i = 0
        while not self.stopping.is_set():
            i += 1
            body = json.dumps({"from": "app@example.com", "to": [f"http{t}.{i}@example.org"],
                               "subject": f"http {t}.{i}", "text": f"message {t}.{i}"})
            conn.request("POST", "/v1/messages", body=body, headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            if r.status == 202:
                self._ack(json.loads(data)["id"])
                continue
            assert r.status == 503, (r.status, data)
            assert r.getheader("Retry-After"), r.getheaders()
            assert json.loads(data)["error"]["code"] == "unavailable", data
            self._refuse("http")
            time.sleep(0.05)

    def _smtp(self, t):
        i = 0
        while not self.stopping.is_set():
            i += 1
            with smtplib.SMTP("127.0.0.1", self.node.smtp_port, timeout=30) as s:
                s.ehlo("client.example.com")
                s.mail("app@example.com")
                code, reply = s.rcpt(f"smtp{t}.{i}@example.org")
                assert code == 250, (code, reply)
                code, reply = s.data(f"From: app@example.com\r\nTo: smtp{t}.{i}@example.org\r\n"
                                     f"Subject: smtp {t}.{i}\r\n\r\nbody {t}.{i}\r\n".encode())
            if code == 250:
                self._ack(QUEUED.search(reply.decode()).group(1))
                continue
            assert code == 451 and reply.startswith(b"4.3.0"), (code, reply)
            self._refuse("smtp")
            time.sleep(0.05)

    def _ack(self, message_id):
        with self.lock:
            self.acked.append((time.monotonic(), message_id))

    def _refuse(self, what):
        with self.lock:
            self.refused.append((time.monotonic(), what))

    def acked_count(self, since=0.0):
        with self.lock:
            return sum(1 for at, _ in self.acked if at >= since)

    def refused_kinds(self, since=0.0):
        with self.lock:
            return {what for at, what in self.refused if at >= since}

    def stop(self):
        self.stopping.set()
        self.threads.join(timeout=60)
        return [message_id for _, message_id in self.acked]


def wait_until(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} within {timeout} s")


def readyz(node):
    return node.api().get("/readyz").status


def assert_every_acknowledged_delivered(node, sim, acked):
    """Each acknowledged message is in the store (the API reads PostgreSQL)
    and reached the simulated provider."""
    assert len(set(acked)) == len(acked), "an id was acknowledged twice"
    api = node.api()
    for message_id in acked:
        api.wait_status(message_id, {"sent"}, timeout=60)
        assert sim.messages(message_id) is not None, message_id


def test_intake_refuses_while_postgres_is_away_and_resumes_alone(postern_factory, sim, postgres_server,
                                                                 postgres_url):
    node = postern_factory(env=pg_env(postgres_url), config_text=provider_config(sim))
    assert readyz(node) == 200
    load = Load(node)
    try:
        wait_until(lambda: load.acked_count() >= 30, 30, "mail acknowledged before the restart")
        postgres_server.stop()  # pg_ctl stop -m fast: every session cut
        time.sleep(0.3)  # answers to commits made before the stop have arrived
        away = time.monotonic()
        wait_until(lambda: load.refused_kinds(away) == {"http", "smtp"}, 20,
                   "HTTP 503 and SMTP 451 4.3.0 while PostgreSQL is away")
        wait_until(lambda: readyz(node) == 503, 10, "/readyz 503 while PostgreSQL is away")
        time.sleep(1)
        assert readyz(node) == 503
        # Nothing can commit now, so nothing may be acknowledged.
        assert load.acked_count(away) == 0
        back = time.monotonic()
        postgres_server.start_again()
        wait_until(lambda: readyz(node) == 200, 20, "/readyz 200 once PostgreSQL is back")
        outage = time.monotonic() - away
        wait_until(lambda: load.acked_count(back) >= 30, 30, "intake after PostgreSQL came back")
    finally:
        if not postgres_server.running:
            postgres_server.start_again()
        acked = load.stop()
    # The failed writes are logged once every 10 s at most, not once each,
    # and their end.
    logs = node.logs()
    failures = logs.count("store: cannot begin a transaction")
    assert 1 <= failures <= 2 + outage / 10, (failures, outage)
    assert "store: writes resumed after" in logs, logs[-4000:]
    assert_every_acknowledged_delivered(node, sim, acked)


def test_a_promoted_replica_takes_over_and_nothing_acknowledged_is_lost(postern_factory, sim):
    """A primary and its streaming replica of their own (not the session's
    server, which must stay a primary for the other tests); the node's url
    names both, and only a primary is taken."""
    primary = pg_server.PgServer().start()
    replica = None
    node = None
    try:
        database = primary.create_database()
        replica = primary.start_replica()
        url = (f"host=127.0.0.1,127.0.0.1 port={primary.port},{replica.port} dbname={database} "
               f"user={pg_server.USER} target_session_attrs=read-write")
        node = postern_factory(env=pg_env(url), config_text=provider_config(sim))
        load = Load(node)
        try:
            wait_until(lambda: load.acked_count() >= 30, 30, "mail acknowledged before the failover")
            # A fast shutdown sends the replica the whole WAL first, so what
            # the primary committed is on the replica when it is promoted.
            primary.stop()
            replica.promote()
            promoted = time.monotonic()
            wait_until(lambda: readyz(node) == 200, 30, "/readyz 200 on the promoted replica")
            wait_until(lambda: load.acked_count(promoted) >= 30, 30, "intake on the promoted replica")
        finally:
            acked = load.stop()
        assert_every_acknowledged_delivered(node, sim, acked)
        assert replica.psql("SELECT pg_is_in_recovery()", database) == "f"
    finally:
        if node:
            node.stop()  # before its servers go: it would wait for them
        if replica:
            replica.cleanup()
        primary.cleanup()
