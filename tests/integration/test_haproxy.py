"""Postern behind Debian's HAProxy (docs/operations.md "Behind HAProxy"), on
loopback: one node (SQLite) with the PROXY protocol on SMTP and HTTP, HAProxy
in front of it as deploy/haproxy.cfg sets it up (TCP mode with
send-proxy-v2 for SMTP, HTTP mode for the API, health checks on /readyz).

Loopback has many addresses: the client connects from 127.0.0.5 and
HAProxy reaches the node from 127.0.0.9 (`source`), so that what the node
reports tells the client from the proxy.

- mail sent with smtplib through HAProxy carries the client's address in
  its Received header; an HTTP login failure is logged with it;
- a proxied client on a loopback address is not trusted as loopback
  (smtp.trusted_networks has 127.0.0.0/8): it must authenticate;
- a connection straight to a PROXY protocol listener without the header
  is closed, logged and counted;
- draining: after SIGTERM, HAProxy's health check sees /readyz answer 503
  and takes the node out while the node still serves; only then does the
  node refuse connections;
- deploy/haproxy.cfg passes `haproxy -c` (its addresses made loopback ones),
  deploy/keepalived.conf `keepalived -t` and deploy/postern.service
  `systemd-analyze verify`, whose stop timeout leaves room for the drain.
"""
import os
import re
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import tempfile
import time
import http.client

import pytest

from conftest import POSTERN_BIN, ROOT, requires
from test_smtp import create_key, split_received

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
KEEPALIVED = shutil.which("keepalived") or "/usr/sbin/keepalived"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze") or "/usr/bin/systemd-analyze"
pytestmark = requires(os.path.exists(HAPROXY), "haproxy is not installed (scripts/bootstrap.sh)")

CLIENT = "127.0.0.5"  # the client's own address
PROXY_SOURCE = "127.0.0.9"  # HAProxy's address towards the node
WAIT = 20  # seconds: the bound of a wait for an event
DRAIN = 6  # [shutdown] drain_grace, seconds
MESSAGE = "From: app@example.com\r\nTo: user@example.org\r\nSubject: via HAProxy\r\n\r\nHello\r\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(what, condition, timeout=WAIT, step=0.05):
    """Polls condition() until it returns something true (returned), or fails naming `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"{what}: not within {timeout}s")


class HAProxy:
    """haproxy -db (foreground) with a configuration written from
    config(ports); its stats socket tells how it sees the servers. HAProxy
    cannot listen on port 0 and say which it got: a port taken meanwhile
    makes it exit at once, and the start is tried again with others."""

    def __init__(self, workdir, config):
        self.workdir = workdir
        self.config = config
        self.proc = None
        self.stats = os.path.join(workdir, "stats.sock")
        self.log = os.path.join(workdir, "haproxy.log")

    def start(self, tries=5):
        for _ in range(tries):
            self.http_port, self.smtp_port = free_port(), free_port()
            path = os.path.join(self.workdir, "haproxy.cfg")
            with open(path, "w") as f:
                f.write(self.config(self))
            with open(self.log, "w") as log:
                self.proc = subprocess.Popen([HAPROXY, "-db", "-f", path], stdout=log, stderr=subprocess.STDOUT)
            if self._listening():
                return self
            self.stop()
        raise AssertionError("haproxy did not start:\n" + open(self.log).read())

    def _listening(self):
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                socket.create_connection(("127.0.0.1", self.smtp_port), timeout=1).close()
                if os.path.exists(self.stats):
                    return True
            except OSError:
                pass
            time.sleep(0.05)
        return False

    def server_status(self, backend):
        """The status HAProxy's health check gives the backend's server ("UP", "DOWN", ...)."""
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(self.stats)
            s.sendall(b"show stat\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        lines = data.decode().splitlines()
        header = lines[0].lstrip("# ").split(",")
        for line in lines[1:]:
            row = dict(zip(header, line.split(",")))
            if row.get("pxname") == backend and row.get("svname") == "node1":
                return row["status"]
        raise AssertionError(f"no server node1 in {backend}: {data!r}")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def haproxy_config(node):
    """deploy/haproxy.cfg's setup for one node on loopback, with quick checks."""
    def write(h):
        return f"""
global
    stats socket {h.stats} mode 600 level admin
defaults
    timeout connect 5s
    timeout client 60s
    timeout server 60s
    default-server inter 300ms fall 1 rise 1 send-proxy-v2 check-send-proxy check port {node.http_port}
    option httpchk
    http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host postern
    http-check expect status 200
frontend http_in
    mode http
    bind 127.0.0.1:{h.http_port}
    default_backend postern_http
backend postern_http
    mode http
    balance roundrobin
    source {PROXY_SOURCE}
    server node1 127.0.0.1:{node.http_port}
frontend smtp_in
    mode tcp
    bind 127.0.0.1:{h.smtp_port}
    default_backend postern_smtp
backend postern_smtp
    mode tcp
    balance roundrobin
    source {PROXY_SOURCE}
    server node1 127.0.0.1:{node.smtp_port}
"""
    return write


NODE_CONFIG = f"""
[smtp]
proxy_protocol = true
proxy_from = ["{PROXY_SOURCE}", "127.0.0.1"]
[http]
proxy_protocol = true
[shutdown]
drain_grace = "{DRAIN}s"
"""


@pytest.fixture
def cluster(postern_factory, tmp_path):
    """One node and HAProxy in front of it: (node, haproxy, admin key)."""
    node = postern_factory(config_text=NODE_CONFIG)
    haproxy = HAProxy(str(tmp_path), haproxy_config(node)).start()
    try:
        wait_until("HAProxy sees the node up", lambda: haproxy.server_status("postern_http") == "UP")
        yield node, haproxy, create_key(node, "ops", "send,read,admin")
    finally:
        haproxy.stop()


def http_get(port, path, key=None, source=CLIENT):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=WAIT, source_address=(source, 0))
    try:
        conn.request("GET", path, headers={"Authorization": f"Bearer {key}"} if key else {})
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def proxied_request(port, request=b"", source="127.0.0.1"):
    """Straight to the node, behind a PROXY v1 header naming 192.0.2.7: the
    answer to an HTTP `request` (read to its end, Connection: close), or
    without one the SMTP greeting's first line."""
    with socket.create_connection(("127.0.0.1", port), timeout=WAIT, source_address=(source, 0)) as s:
        s.sendall(f"PROXY TCP4 192.0.2.7 127.0.0.1 40000 {port}\r\n".encode() + request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
            if not request and b"\r\n" in data:
                break
        return data


def closed_unanswered(s):
    """The node closed the connection without a byte (a reset when it left
    unread bytes behind)."""
    try:
        return s.recv(1024) == b""
    except ConnectionResetError:
        return True


def test_smtp_and_http_through_haproxy_see_the_client(cluster):
    node, haproxy, key = cluster
    with smtplib.SMTP("127.0.0.1", haproxy.smtp_port, timeout=WAIT, source_address=(CLIENT, 0)) as s:
        s.ehlo("client.test")
        # From loopback, and 127.0.0.0/8 is a trusted network: but the
        # client is on the proxy's host, not the node's.
        code, reply = s.mail("app@example.com")
        assert code == 530, reply
        s.starttls(context=ssl._create_unverified_context())
        s.ehlo("client.test")
        s.login("ops", key)
        s.mail("app@example.com")
        s.rcpt("user@example.org")
        code, reply = s.data(MESSAGE.encode())
        assert code == 250, reply
    message_id = re.search(rb"queued as ([0-9a-z]{13})", reply).group(1).decode()

    status, raw = http_get(haproxy.http_port, f"/v1/messages/{message_id}/raw", key)
    assert status == 200, raw
    received, _ = split_received(raw)
    assert f"from client.test ([{CLIENT}])".encode() in received, received
    assert PROXY_SOURCE.encode() not in raw

    # The HTTP side: a wrong key is logged with the client's address.
    status, _ = http_get(haproxy.http_port, "/v1/messages", "pst_wrong")
    assert status == 401
    wait_until("the failed login logged", lambda: any(
        f"failed http login from {CLIENT}" in line for line in node.log_lines))
    assert not any(f"login from {PROXY_SOURCE}" in line for line in node.log_lines)
    # Proxied from loopback, with no key: not the loopback caller the
    # local mail catcher trusts.
    status, body = http_get(haproxy.http_port, "/v1/messages")
    assert status == 401, body


def test_connection_without_header_is_closed(cluster):
    node, haproxy, key = cluster
    with socket.create_connection(("127.0.0.1", node.smtp_port), timeout=WAIT) as s:
        s.sendall(b"EHLO direct.client\r\n")
        assert closed_unanswered(s)  # no greeting
    # proxy_from: only HAProxy's addresses may send a header at all.
    with socket.create_connection(("127.0.0.1", node.smtp_port), timeout=WAIT,
                                  source_address=("127.0.0.6", 0)) as s:
        s.sendall(f"PROXY TCP4 192.0.2.7 127.0.0.1 40000 {node.smtp_port}\r\n".encode())
        assert closed_unanswered(s)
    # From an allowed sender, the header names the client the session sees.
    greeting = proxied_request(node.smtp_port)
    assert greeting.startswith(b"220 "), greeting
    wait_until("the refusals logged", lambda: sum(
        "connection closed: no valid PROXY protocol header" in line or "not in proxy_from" in line
        for line in node.log_lines) == 2)
    status, metrics = http_get(haproxy.http_port, "/metrics", key)
    assert status == 200
    text = metrics.decode()
    for reason in ("invalid", "not_allowed"):
        assert re.search(r'postern_proxy_protocol_refused_total\{(reason="%s",server="smtp"|server="smtp",reason="%s")\} 1'
                         % (reason, reason), text), text


def test_draining_node_leaves_haproxy_before_it_stops(cluster):
    node, haproxy, key = cluster
    node.proc.send_signal(signal.SIGTERM)
    signalled = time.monotonic()
    wait_until("the node drains", lambda: any("draining: /readyz answers 503" in line for line in node.log_lines))
    # The node answers /readyz with 503 and serves on: HAProxy's check
    # takes it out of every backend.
    answer = proxied_request(node.http_port, b"GET /readyz HTTP/1.1\r\nHost: n\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 503"), answer
    wait_until("HAProxy marks the draining node down",
               lambda: haproxy.server_status("postern_http").startswith("DOWN"), timeout=DRAIN)
    wait_until("HAProxy marks the draining node down for SMTP too",
               lambda: haproxy.server_status("postern_smtp").startswith("DOWN"), timeout=DRAIN)
    down_at = time.monotonic()
    assert node.proc.poll() is None
    greeting = proxied_request(node.smtp_port)
    assert greeting.startswith(b"220 "), greeting  # still serving

    def refused():
        try:
            socket.create_connection(("127.0.0.1", node.smtp_port), timeout=1).close()
            return False
        except ConnectionRefusedError:
            return True
    wait_until("the node stops taking connections", refused, timeout=DRAIN + WAIT)
    refused_at = time.monotonic()
    assert down_at < refused_at
    # The drain lasted its grace period, give or take a loaded machine.
    assert refused_at - signalled >= DRAIN - 0.5
    assert node.stop(timeout=WAIT) == 0


def test_deploy_haproxy_cfg_is_valid(tmp_path):
    """deploy/haproxy.cfg with its documentation addresses made loopback ones."""
    with open(os.path.join(ROOT, "deploy", "haproxy.cfg")) as f:
        text = f.read()
    for needed in ("send-proxy-v2", "uri /readyz", "balance roundrobin", "mode tcp", "mode http"):
        assert needed in text, needed
    # Every TCP backend's servers send the PROXY header (default-server).
    assert re.search(r"default-server .*send-proxy-v2 check-send-proxy", text)
    local = re.sub(r"\b192\.0\.2\.10\b|\b10\.0\.0\.1[123]\b", "127.0.0.1", text)
    path = tmp_path / "haproxy.cfg"
    path.write_text(local)
    r = subprocess.run([HAPROXY, "-c", "-f", str(path)], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Configuration file is valid" in r.stdout + r.stderr


@requires(os.path.exists(KEEPALIVED), "keepalived is not installed (scripts/bootstrap.sh)")
def test_deploy_keepalived_conf_is_valid():
    path = os.path.join(ROOT, "deploy", "keepalived.conf")
    r = subprocess.run([KEEPALIVED, "--config-test", "-f", path, "--log-console"], capture_output=True, text=True,
                       timeout=30)
    # keepalived names what it ignores or removes (a check script it cannot
    # run, an over-long password) without failing: none of that may appear.
    assert r.returncode == 0 and not (r.stdout + r.stderr).strip(), r.stdout + r.stderr


def unit_seconds(text, key):
    m = re.search(rf"^{key}=(\d+)s?$", text, re.M)
    assert m, key
    return int(m.group(1))


@requires(os.path.exists(SYSTEMD_ANALYZE), "systemd-analyze is not installed (scripts/bootstrap.sh)")
def test_deploy_postern_service_is_valid(tmp_path):
    with open(os.path.join(ROOT, "deploy", "postern.service")) as f:
        text = f.read()
    for needed in ("KillSignal=SIGTERM", "ProtectSystem=strict", "Restart=on-failure", "NoNewPrivileges=yes"):
        assert re.search(rf"^{needed}$", text, re.M), needed
    # Above the drain and stop graces that docs/operations.md sets.
    with open(os.path.join(ROOT, "docs", "operations.md")) as f:
        docs = f.read()
    drain = int(re.search(r'^drain_grace = "(\d+)s"', docs, re.M).group(1))
    stop = int(re.search(r'^stop_grace = "(\d+)s"', docs, re.M).group(1))
    assert unit_seconds(text, "TimeoutStopSec") > drain + stop
    unit = tmp_path / "postern.service"
    unit.write_text(text.replace("/usr/local/bin/postern", POSTERN_BIN))
    r = subprocess.run([SYSTEMD_ANALYZE, "verify", str(unit)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "postern.service" not in r.stderr, r.stdout + r.stderr
