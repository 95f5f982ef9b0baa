"""Cluster mode on loopback (docs/operations.md "Several nodes" and "A
cluster on one machine"): scripts/cluster-up.sh starts PostgreSQL 15,
postern-sim, three nodes on one database and HAProxy in front of them, and
scripts/cluster-down.sh stops them; the tests drive the cluster as its users
do, through HAProxy or one node's own listeners (with the PROXY header
HAProxy would send).

- a provider added through one node (POST /v1/providers) is known to every
  node and each of them sends mail through it;
- a test account made on one node is read over IMAP through another;
- under HTTP and SMTP load through HAProxy, one node killed with kill -9 and
  started again: every acknowledged message reaches the simulator, twice at
  most for what the dead node had leased (delivery.window bounds that), and
  none stays `sending` once the lease time has passed.

One cluster serves the module; at its end the scripts stop it, and every
log is checked for a sanitizer report.
"""
import http.client
import imaplib
import os
import re
import signal
import smtplib
import subprocess
import threading
import time
import uuid

import pytest

import pg_server
import simulator
from conftest import POSTERN_BIN, ROOT, Api, Threads, needs_simulator, requires, simple_message
from managed_process import sanitizer_report
from test_haproxy import HAPROXY, wait_until

pytestmark = [
    requires(pg_server.available(), f"PostgreSQL 15 is not installed ({pg_server.PG_BIN})"),
    requires(os.path.exists(HAPROXY), "haproxy is not installed (scripts/bootstrap.sh)"),
    needs_simulator,
]

NODES = 3
LEASE = 5  # delivery.lease, seconds: a dead node's mail is sent by the others after it
WINDOW = 16  # delivery.window: what a node has leased at once, so what a kill may send twice
UP = os.path.join(ROOT, "scripts", "cluster-up.sh")
DOWN = os.path.join(ROOT, "scripts", "cluster-down.sh")
# Messages tagged so go to a pool no configured provider serves: only a
# provider added at run time can send them.
NODE_TOML = """
[[routes]]
tag = "added"
pool = "added"
"""


def proxy_header(sock, port):
    """The PROXY v1 header HAProxy would send for this connection."""
    host, source_port = sock.getsockname()[:2]
    return f"PROXY TCP4 {host} 127.0.0.1 {source_port} {port}\r\n".encode()


class ProxiedHTTPConnection(http.client.HTTPConnection):
    """Straight to a node's listener, which wants the PROXY header first."""

    def connect(self):
        super().connect()
        self.sock.sendall(proxy_header(self.sock, self.port))


class ProxiedIMAP4(imaplib.IMAP4):
    def _create_socket(self, timeout):
        sock = super()._create_socket(timeout)
        sock.sendall(proxy_header(sock, self.port))
        return sock


class Cluster:
    """The processes of one scripts/cluster-up.sh run, in a directory of its own."""

    def __init__(self, workdir):
        self.dir = workdir
        self.env = dict(os.environ)
        toml = os.path.join(os.path.dirname(workdir), os.path.basename(workdir) + "-node.toml")
        with open(toml, "w") as f:
            f.write(NODE_TOML)
        self.toml = toml
        self.env.update({
            "POSTERN_CLUSTER_DIR": workdir,
            "BUILD": os.path.dirname(os.path.dirname(POSTERN_BIN)),
            "POSTERN_CLUSTER_NODE_TOML": toml,
            "POSTERN_PG_BIN": pg_server.PG_BIN,
            "HAPROXY": HAPROXY,
            # Every node inherits these keys (the environment wins over its file).
            "POSTERN_DELIVERY_LEASE": f"{LEASE}s",
            "POSTERN_DELIVERY_WINDOW": str(WINDOW),
            "POSTERN_SMTP_AUTH_WITHOUT_TLS": "true",
            "POSTERN_IMAP_AUTH_WITHOUT_TLS": "true",
            "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:halt_on_error=1",
        })
        self.ports = {}
        self.key = None

    def script(self, *argv, timeout=150):
        r = subprocess.run(list(argv), env=self.env, capture_output=True, text=True, timeout=timeout)
        assert r.returncode == 0, f"{' '.join(argv)} failed ({r.returncode}):\n{r.stdout}{r.stderr}"
        return r.stdout

    def up(self):
        out = self.script(UP, str(NODES))
        with open(os.path.join(self.dir, "cluster.env")) as f:
            self.ports = dict(line.strip().split("=", 1) for line in f if "=" in line and not line.startswith("#"))
        with open(os.path.join(self.dir, "admin-key")) as f:
            self.key = f.read().strip()
        assert self.key.startswith("pst_") and self.key in out, out
        return out

    def down(self):
        """Stops everything and checks that each process left no sanitizer report."""
        logs = [os.path.join(self.dir, "sim", "sim.log")] + [
            os.path.join(self.dir, f"node{i}", "serve.log") for i in range(1, NODES + 1)]
        try:
            self.script(DOWN)
            for path in filter(os.path.exists, logs):
                with open(path, errors="replace") as f:
                    report = sanitizer_report(f.read().splitlines())
                assert not report, f"{path}:\n" + "\n".join(report)
        finally:
            subprocess.run([DOWN, "--purge"], env=self.env, capture_output=True, timeout=150)
            os.unlink(self.toml)

    def port(self, name):
        return int(self.ports[name])

    def node_api(self, i, key=None):
        return Api(self.port(f"NODE{i}_HTTP_PORT"), key or self.key, connection=ProxiedHTTPConnection)

    def haproxy_api(self):
        return Api(self.port("HAPROXY_HTTP_PORT"), self.key)

    def sim(self):
        s = simulator.Simulator(os.path.join(self.dir, "sim"))
        s.addresses = {"control": ("127.0.0.1", self.port("SIM_CONTROL_PORT"))}
        return s

    def pid(self, name):
        with open(os.path.join(self.dir, f"{name}.pid")) as f:
            return int(f.read().split()[0])

    def kill9(self, name):
        pid = self.pid(name)
        os.kill(pid, signal.SIGKILL)

        def gone():  # reaped, or a zombie its new parent has not reaped yet
            try:
                with open(f"/proc/{pid}/stat") as f:
                    return f.read().rsplit(")", 1)[1].split()[0] == "Z"
            except FileNotFoundError:
                return True
        wait_until(f"{name} gone", gone)

    def log(self, name):
        with open(os.path.join(self.dir, name, "serve.log"), errors="replace") as f:
            return f.read()


@pytest.fixture(scope="module")
def cluster():
    # Not under pytest's tmp_path: as root, PostgreSQL runs as postgres,
    # which must be able to enter the directory's parents.
    c = Cluster(f"/tmp/postern-cluster-test-{uuid.uuid4().hex[:8]}")
    try:
        c.up()
        yield c
    finally:
        c.down()


def metric(api, sample):
    r = api.get("/metrics")
    assert r.status == 200, r
    for line in r.body.decode().splitlines():
        if line.startswith(sample + " "):
            return float(line.split()[-1])
    return 0.0


def test_cluster_up_is_idempotent_and_explains_what_it_lacks(cluster, tmp_path):
    # Run again, it finds everything running and starts nothing.
    pids = {name: cluster.pid(name) for name in ("sim", "haproxy", "node1", "node2", "node3")}
    cluster.script(UP, str(NODES))
    assert {name: cluster.pid(name) for name in pids} == pids
    r = subprocess.run([UP, "2"], env=cluster.env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and "holds a cluster of 3 nodes, not 2" in r.stderr, r.stderr
    env = dict(cluster.env, BUILD=str(tmp_path), POSTERN_CLUSTER_DIR=str(tmp_path / "c"))
    r = subprocess.run([UP], env=env, capture_output=True, text=True, timeout=30)
    assert r.returncode == 1 and "run 'make release', or set BUILD" in r.stderr, r.stderr
    assert not (tmp_path / "c").exists()


# A provider added through one node reaches the running others by the
# store's notice of the change (docs/routing.md "Run-time changes"), not at
# their next start.
def test_a_provider_added_through_one_node_is_used_by_every_node(cluster):
    sim = cluster.sim()
    added = {"name": "sg-added", "type": "sendgrid", "pool": "added", "probe": False,
             "settings": {"base_url": f"http://127.0.0.1:{cluster.port('SIM_SENDGRID_PORT')}",
                          "api_key": simulator.SENDGRID_KEY}}
    r = cluster.node_api(1).post("/v1/providers", added)
    assert r.status == 201, r
    for i in range(1, NODES + 1):
        wait_until(f"node{i} knows sg-added",
                   lambda: cluster.node_api(i).get("/v1/providers/sg-added").status == 200, timeout=10)
    # Each node sends mail through it: a node that did not know it would
    # find pool "added" empty and defer. Any node may lease what another
    # took in (and the one that took it in hears of it last), so mail goes
    # in through every node, a round at a time, until each has sent some.
    attempts = 'postern_provider_attempts_total{provider="sg-added",class="ok"}'
    apis = [cluster.node_api(i) for i in range(1, NODES + 1)]
    for n in range(20):
        ids = []
        for i, api in enumerate(apis, 1):
            r = api.send(simple_message(n, subject=f"added via node{i}", tags=["added"]))
            assert r.status == 202, r
            ids.append(r.json()["id"])
        for message_id in ids:
            sent = apis[0].wait_status(message_id, ("sent",), timeout=30)
            assert sent["provider"] == "sg-added", sent
            assert "sendgrid" in sim.messages(message_id)["per_service"]
        if all(metric(api, attempts) > 0 for api in apis):
            break
    for i, api in enumerate(apis, 1):
        assert metric(api, attempts) > 0, f"node{i} never sent through sg-added"


def test_a_test_account_made_on_one_node_is_read_over_imap_through_another(cluster):
    r = cluster.node_api(1).post("/v1/test-accounts", {"api_key": True})
    assert r.status == 201, r
    account = r.json()
    bound = cluster.node_api(1, key=account["api_key"]["secret"])
    r = bound.send(simple_message(subject="caught on node1"))
    assert r.status == 202, r
    cluster.node_api(1).wait_status(r.json()["id"], ("sent",), timeout=30)
    with ProxiedIMAP4("127.0.0.1", cluster.port("NODE3_IMAP_PORT"), timeout=30) as imap:
        imap.login(account["user"], account["password"])
        typ, data = imap.select("INBOX")
        assert typ == "OK" and data == [b"1"], data
        typ, data = imap.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        assert typ == "OK" and b"Subject: caught on node1" in data[0][1], data


def http_load(api, acked, stop, failures):
    """Posts messages until `stop`; keeps the ids of the acknowledged ones.
    A refused or broken request is not acknowledged: counted, not fatal."""
    n = 0
    while not stop.is_set():
        n += 1
        try:
            r = api.send(simple_message(n, subject=f"http load {n}"), timeout=20)
        except OSError:
            r = None
        if r is not None and r.status == 202:
            acked.append(r.json()["id"])
        else:
            failures.append(r.status if r else "connection")
            time.sleep(0.05)


def smtp_load(port, key, acked, stop, failures):
    """SMTP sessions of up to 20 messages through HAProxy until `stop`."""
    n = 0
    while not stop.is_set():
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=20) as s:
                s.login("cluster-admin", key)
                for _ in range(20):
                    if stop.is_set():
                        break
                    n += 1
                    body = f"From: app@example.com\r\nTo: user{n}@example.org\r\nSubject: smtp load {n}\r\n\r\nHi\r\n"
                    s.mail("app@example.com")
                    s.rcpt(f"user{n}@example.org")
                    code, reply = s.data(body.encode())
                    if code != 250:
                        failures.append(code)
                        continue
                    acked.append(re.search(rb"queued as ([0-9a-z]{13})", reply).group(1).decode())
        except (OSError, smtplib.SMTPException) as e:
            failures.append(type(e).__name__)
            time.sleep(0.05)


def delivered_ids(sim):
    """{id: times received} over every simulated service."""
    stats = sim.stats(all_ids=True)
    counts = {}
    for service in stats["services"].values():
        for i in service.get("ids", []):
            counts[i] = counts.get(i, 0) + service.get("duplicates", {}).get(i, 1)
    return counts


def test_a_node_killed_under_load_loses_nothing_acknowledged(cluster):
    sim = cluster.sim()
    acked, failures, stop = [], [], threading.Event()
    threads = Threads()
    for _ in range(2):
        threads.start(http_load, cluster.haproxy_api(), acked, stop, failures)
    threads.start(smtp_load, cluster.port("HAPROXY_SMTP_PORT"), cluster.key, acked, stop, failures)
    def more_acknowledged(what, count):
        start = len(acked)
        try:
            wait_until(what, lambda: len(acked) >= start + count, timeout=30)
        except AssertionError as e:
            raise AssertionError(f"{e}; {len(acked) - start} acknowledged, refusals: {failures[-10:]}") from None
    try:
        more_acknowledged("load under way", 30)
        cluster.kill9("node2")
        killed_at = time.monotonic()
        more_acknowledged("load goes on without node2", 30)
        cluster.script(UP, str(NODES))  # starts node2 again, on its name and ports
        more_acknowledged("load goes on with node2 back", 20)
    finally:
        stop.set()
        threads.join(60)
    assert cluster.log("node2").count("--- started") == 2
    acknowledged = set(acked)
    assert len(acknowledged) == len(acked)  # ids are unique

    # Every acknowledged message reaches the simulator; the dead node's
    # leases come back after the lease time.
    def all_delivered():
        counts = delivered_ids(sim)
        return counts if acknowledged <= counts.keys() else None
    try:
        counts = wait_until("every acknowledged message delivered", all_delivered, timeout=60, step=0.5)
    except AssertionError:
        missing = acknowledged - delivered_ids(sim).keys()
        raise AssertionError(f"{len(missing)} of {len(acknowledged)} acknowledged messages not delivered, "
                             f"e.g. {sorted(missing)[:5]}") from None
    twice = {i: c for i, c in counts.items() if c > 1}
    assert sum(c - 1 for c in twice.values()) <= WINDOW, twice
    assert all(c == 2 for c in twice.values()), twice

    # Nothing left leased once the lease time has passed since the kill.
    time.sleep(max(0.0, killed_at + LEASE + 1 - time.monotonic()))
    api = cluster.haproxy_api()
    wait_until("no message left sending",
               lambda: api.get("/v1/messages?status=sending&limit=10").json()["data"] == [], timeout=LEASE * 3)
    print(f"acknowledged {len(acknowledged)}, sent twice {len(twice)}, refused or broken {len(failures)}")
