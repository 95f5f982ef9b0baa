"""HTTPS on the API (http.tls_listen, docs/operations.md "HTTPS"): the real
binary behind real TLS clients (openssl s_client, curl, Python's ssl).

- TLS 1.2 and 1.3 accepted, TLS 1.1 and a suite without forward secrecy
  refused by the server;
- curl --cacert sends a message and reads it back; a client trusting
  another CA refuses the server;
- several requests on one connection (keep-alive, as on plain HTTP);
- the certificate replaced and SIGHUP sent under a steady load of HTTPS
  requests: no request fails, a connection opened before keeps working,
  new connections see the new certificate;
- client certificates (http.tls_client_ca): a heartbeat with a good one is
  accepted without an API key, for its own provider only; without one it
  is 401; one from another CA is refused at the handshake;
- a client that connects and sends nothing is dropped after
  http.tls_handshake_timeout, and counted.

Certificates are made per test with the openssl command (a CA, a server
certificate for 127.0.0.1 and localhost, client certificates).
"""
import hashlib
import http.client
import imaplib
import json
import os
import re
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import threading
import time

import pytest

from conftest import Threads, metric, requires, simple_message
from mail_clients import node_certificate, run
from test_smtp import create_key

pytestmark = [requires(shutil.which("openssl") is not None, "openssl is not installed (scripts/bootstrap.sh)"),
              requires(shutil.which("curl") is not None, "curl is not installed (scripts/bootstrap.sh)")]

HANDSHAKE_TIMEOUT = 2.0  # http.tls_handshake_timeout in these tests, seconds
LATE = 5.0  # what a timer may fire late by on a loaded 2-core box running ASan builds
HTTPS_READY = re.compile(r"postern ready: .* https=([\d.]+):(\d+)")


# -- certificates -------------------------------------------------------------------

def openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


class Pki:
    """Certificates in `folder`, made with the openssl command (P-256)."""

    def __init__(self, folder):
        self.folder = folder
        os.makedirs(folder, exist_ok=True)

    def path(self, name):
        return os.path.join(self.folder, name)

    def ca(self, name):
        """A self-signed CA; returns (cert, key)."""
        cert, key = self.path(f"{name}.crt"), self.path(f"{name}.key")
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-subj", f"/CN={name}", "-days", "2", "-keyout", key, "-out", cert,
                "-addext", "basicConstraints=critical,CA:TRUE",
                "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        return cert, key

    def issue(self, ca, name, cn, usage):
        """A certificate `ca` signed for `cn` (serverAuth: for 127.0.0.1 and
        localhost; clientAuth: a client's); returns (cert, key)."""
        cert, key, csr, ext = (self.path(f"{name}.{e}") for e in ("crt", "key", "csr", "ext"))
        with open(ext, "w") as f:
            f.write(f"extendedKeyUsage={usage}\n")
            if usage == "serverAuth":
                f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
        openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-subj", f"/CN={cn}", "-keyout", key, "-out", csr)
        openssl("x509", "-req", "-in", csr, "-CA", ca[0], "-CAkey", ca[1], "-set_serial",
                str(int.from_bytes(os.urandom(8), "big")), "-days", "2", "-extfile", ext, "-out", cert)
        return cert, key


def fingerprint_of_file(cert):
    with open(cert) as f:
        return hashlib.sha256(ssl.PEM_cert_to_DER_cert(f.read())).hexdigest()


@pytest.fixture
def pki(tmp_path):
    p = Pki(str(tmp_path / "pki"))
    p.server_ca = p.ca("server-ca")
    p.other_ca = p.ca("other-ca")
    p.client_ca = p.ca("relays-ca")
    # Where the node reads its files; replaced in place on renewal.
    p.live = (p.path("live.crt"), p.path("live.key"))
    first = p.issue(p.server_ca, "server-1", "localhost", "serverAuth")
    shutil.copy(first[0], p.live[0])
    shutil.copy(first[1], p.live[1])
    return p


def https_config(pki, client_ca=True, extra=""):
    text = ("[http]\n"
            'tls_listen = "127.0.0.1:0"\n'
            f'tls_handshake_timeout = "{HANDSHAKE_TIMEOUT:g}s"\n')
    if client_ca:
        text += f'tls_client_ca = "{pki.client_ca[0]}"\n'
    text += f'[tls]\ncert = "{pki.live[0]}"\nkey = "{pki.live[1]}"\n'
    return text + extra


def https_port(postern):
    for line in postern.log_lines:
        m = HTTPS_READY.search(line)
        if m:
            return int(m.group(2))
    raise AssertionError("the ready line names no https listener:\n" + "\n".join(postern.log_lines[-20:]))


@pytest.fixture
def node(postern_factory, pki):
    p = postern_factory(config_text=https_config(pki, extra='[[providers]]\nname = "relay1"\ntype = "capture"\n'))
    p.https_port = https_port(p)
    return p


def curl(postern, pki, path, *args, cacert=None):
    """curl over HTTPS to the node, trusting `cacert` (the server CA by
    default); returns (exit code, status, body)."""
    command = ["curl", "-sS", "--max-time", "30", "--cacert", cacert or pki.server_ca[0],
               "-o", "-", "-w", "\n%{http_code}", *args, f"https://127.0.0.1:{postern.https_port}{path}"]
    r = run(command)
    body, _, status = r.stdout.rpartition("\n")
    return r.returncode, int(status or 0), body, r.stderr


def s_client(postern, pki, *args):
    return run(["openssl", "s_client", "-connect", f"127.0.0.1:{postern.https_port}", "-CAfile", pki.server_ca[0],
                "-verify_return_error", *args], input="")


def https_connection(postern, pki, timeout=30):
    context = ssl.create_default_context(cafile=pki.server_ca[0])
    return http.client.HTTPSConnection("127.0.0.1", postern.https_port, context=context, timeout=timeout)


# -- tests --------------------------------------------------------------------------

def test_tls_versions_and_ciphers(node, pki):
    for version, name in (("-tls1_2", "TLSv1.2"), ("-tls1_3", "TLSv1.3")):
        r = s_client(node, pki, version)
        assert r.returncode == 0, r.stdout + r.stderr
        assert f"Protocol  : {name}" in r.stdout or f"New, {name}" in r.stdout, r.stdout
        assert "Verify return code: 0 (ok)" in r.stdout, r.stdout
    # TLS 1.1 offered (the client's own floor lowered): the server refuses
    # it with a protocol_version alert.
    r = s_client(node, pki, "-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0")
    assert r.returncode != 0, r.stdout
    assert "alert protocol version" in r.stderr, r.stderr
    # A TLS 1.2 suite without forward secrecy is not in the list.
    r = s_client(node, pki, "-tls1_2", "-cipher", "AES128-SHA256")
    assert r.returncode != 0, r.stdout
    assert "handshake failure" in r.stderr, r.stderr


def test_curl_sends_and_reads_back(node, pki):
    key = create_key(node, "app", "send,read")
    auth = ["-H", f"Authorization: Bearer {key}"]
    message = simple_message(1, subject="over HTTPS")
    rc, status, body, err = curl(node, pki, "/v1/messages", *auth, "-H", "Content-Type: application/json",
                                 "--data-binary", json.dumps(message))
    assert rc == 0 and status == 202, (rc, status, body, err)
    message_id = json.loads(body)["id"]
    rc, status, body, err = curl(node, pki, f"/v1/messages/{message_id}", *auth)
    assert rc == 0 and status == 200, (rc, status, body, err)
    assert json.loads(body)["subject"] == "over HTTPS"
    # A client that trusts another CA refuses the server's certificate.
    rc, status, body, err = curl(node, pki, "/healthz", cacert=pki.other_ca[0])
    assert rc == 60, (rc, err)
    # The plain listener still serves.
    assert node.api().get("/healthz").status == 200


def test_keep_alive(node, pki):
    # curl: three URLs, one connection.
    url = f"https://127.0.0.1:{node.https_port}/healthz"
    r = run(["curl", "-sS", "-v", "--cacert", pki.server_ca[0], "-o", "/dev/null", url, url, url])
    assert r.returncode == 0, r.stderr
    assert r.stderr.count("Re-using existing connection") == 2, r.stderr
    # Python: ten requests, and the socket is the same one throughout
    # (http.client reconnects silently when the server closes).
    conn = https_connection(node, pki)
    try:
        sockets = set()
        for _ in range(10):
            conn.request("GET", "/healthz")
            r = conn.getresponse()
            r.read()
            assert r.status == 200 and r.getheader("Connection", "").lower() != "close"
            sockets.add(id(conn.sock))
        assert len(sockets) == 1
    finally:
        conn.close()


def test_certificate_reload_under_load(node, pki):
    old = fingerprint_of_file(pki.live[0])
    renewed = pki.issue(pki.server_ca, "server-2", "localhost", "serverAuth")
    new = fingerprint_of_file(renewed[0])
    stop = threading.Event()
    seen = {old: 0, new: 0}
    lock = threading.Lock()
    done = [0]

    def fresh_connections():
        """A new connection per request, each noting the certificate it saw."""
        while not stop.is_set():
            conn = https_connection(node, pki)
            try:
                conn.request("GET", "/v1/messages?limit=1")
                r = conn.getresponse()
                r.read()
                assert r.status == 200, r.status
                fp = hashlib.sha256(conn.sock.getpeercert(binary_form=True)).hexdigest()
            finally:
                conn.close()
            with lock:
                seen[fp] += 1
                done[0] += 1

    kept = {"requests": 0, "cert": None}

    def one_connection():
        """One keep-alive connection opened before the reload, used throughout."""
        conn = https_connection(node, pki)
        try:
            sock = None
            while not stop.is_set():
                conn.request("GET", "/healthz")
                r = conn.getresponse()
                r.read()
                assert r.status == 200, r.status
                sock = sock or conn.sock
                assert conn.sock is sock, "the connection was dropped"
                kept["cert"] = hashlib.sha256(conn.sock.getpeercert(binary_form=True)).hexdigest()
                kept["requests"] += 1
        finally:
            conn.close()

    threads = Threads()
    for _ in range(3):
        threads.start(fresh_connections)
    threads.start(one_connection)

    def wait_for(what, condition, timeout=30):
        deadline = time.monotonic() + timeout
        while not condition():
            threads.check()
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.05)

    try:
        wait_for("the load to run", lambda: done[0] >= 20 and kept["requests"] >= 5)
        # Renewal as certbot does it: the files replaced, then SIGHUP.
        os.replace(renewed[0], pki.live[0])
        os.replace(renewed[1], pki.live[1])
        node.proc.send_signal(signal.SIGHUP)
        wait_for("a connection with the new certificate", lambda: seen[new] > 0)
        at_switch, kept_at_switch = done[0], kept["requests"]
        wait_for("more load after the reload", lambda: done[0] >= at_switch + 20 and
                 kept["requests"] >= kept_at_switch + 5)
    finally:
        stop.set()
        threads.join()
    print(f"\nreload under load: {done[0]} connections ({seen[old]} old certificate, {seen[new]} new), "
          f"{kept['requests']} requests on the kept connection")
    assert kept["cert"] == old  # a connection keeps the certificate it started with
    assert any("SIGHUP: TLS certificate" in line and "reloaded" in line for line in node.log_lines)
    # Once the new one is served, every new connection gets it.
    conn = https_connection(node, pki)
    try:
        conn.request("GET", "/healthz")
        assert conn.getresponse().status == 200
        assert hashlib.sha256(conn.sock.getpeercert(binary_form=True)).hexdigest() == new
    finally:
        conn.close()


def test_a_bad_certificate_file_keeps_the_running_one(node, pki):
    with open(pki.live[0], "w") as f:
        f.write("not a certificate\n")
    node.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 30
    while not any("the TLS certificate is not reloaded" in line for line in node.log_lines):
        assert time.monotonic() < deadline, "no log line for the refused reload"
        time.sleep(0.05)
    rc, status, _, err = curl(node, pki, "/healthz")
    assert rc == 0 and status == 200, err


def test_client_certificate_heartbeat(node, pki):
    create_key(node, "admin", "admin")  # loopback callers are no longer trusted
    relay = pki.issue(pki.client_ca, "relay1", "relay1", "clientAuth")
    stranger = pki.issue(pki.other_ca, "stranger", "relay1", "clientAuth")
    path = "/v1/providers/relay1/heartbeat"
    with_cert = ["--cert", relay[0], "--key", relay[1]]

    rc, status, body, err = curl(node, pki, path, "-X", "POST", *with_cert)
    assert rc == 0 and status == 200, (rc, status, body, err)
    assert json.loads(body)["provider"]["name"] == "relay1"
    # Without a certificate (and no key): 401.
    rc, status, body, err = curl(node, pki, path, "-X", "POST")
    assert rc == 0 and status == 401, (rc, status, body)
    assert json.loads(body)["error"]["code"] == "missing_api_key"
    # The certificate beats for its own provider only, and grants nothing else.
    rc, status, body, _ = curl(node, pki, "/v1/providers/other/heartbeat", "-X", "POST", *with_cert)
    assert status == 403 and json.loads(body)["error"]["field"] == "name", body
    rc, status, body, _ = curl(node, pki, "/v1/messages", *with_cert)
    assert status == 401, body
    # A certificate from a CA the node does not trust: no handshake.
    rc, status, body, err = curl(node, pki, path, "-X", "POST", "--cert", stranger[0], "--key", stranger[1])
    assert rc != 0 and status == 0, (rc, status, body, err)
    assert metric(node, 'postern_http_tls_handshake_failures_total{reason="error"}') >= 1


def test_client_certificates_are_not_asked_without_a_client_ca(postern_factory, pki):
    p = postern_factory(config_text=https_config(pki, client_ca=False))
    p.https_port = https_port(p)
    r = s_client(p, pki, "-tls1_2")
    assert r.returncode == 0, r.stderr
    assert "No client certificate CA names sent" in r.stdout, r.stdout


def test_silent_client_is_dropped_after_the_handshake_timeout(node, pki):
    before = metric(node, 'postern_http_tls_handshake_failures_total{reason="timeout"}')
    with socket.create_connection(("127.0.0.1", node.https_port), timeout=HANDSHAKE_TIMEOUT + LATE + 10) as s:
        start = time.monotonic()
        try:
            data = s.recv(1)
        except ConnectionResetError:
            data = b""
        elapsed = time.monotonic() - start
    assert data == b"", data
    print(f"\nsilent client dropped after {elapsed:.2f} s (timeout {HANDSHAKE_TIMEOUT:g} s)")
    assert HANDSHAKE_TIMEOUT - 0.2 <= elapsed <= HANDSHAKE_TIMEOUT + LATE, elapsed
    assert metric(node, 'postern_http_tls_handshake_failures_total{reason="timeout"}') == before + 1
    assert any("TLS handshake failed: timed out" in line for line in node.log_lines)


def starttls_fingerprints(node, pki):
    """The certificate SMTP's STARTTLS and IMAP's STARTTLS present now."""
    context = ssl.create_default_context(cafile=pki.server_ca[0])
    with smtplib.SMTP("127.0.0.1", node.smtp_port, timeout=30) as smtp:
        smtp.starttls(context=context)
        smtp_fp = hashlib.sha256(smtp.sock.getpeercert(binary_form=True)).hexdigest()
    imap = imaplib.IMAP4("127.0.0.1", node.imap_port, timeout=30)
    try:
        imap.starttls(ssl_context=context)
        imap_fp = hashlib.sha256(imap.sock.getpeercert(binary_form=True)).hexdigest()
    finally:
        imap.logout()
    return smtp_fp, imap_fp


def test_smtp_and_imap_reload_the_certificate_too(node, pki):
    """One mechanism: SIGHUP renews every TLS listener's certificate."""
    old = fingerprint_of_file(pki.live[0])
    assert starttls_fingerprints(node, pki) == (old, old)
    renewed = pki.issue(pki.server_ca, "server-2", "localhost", "serverAuth")
    new = fingerprint_of_file(renewed[0])
    os.replace(renewed[0], pki.live[0])
    os.replace(renewed[1], pki.live[1])
    node.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 30
    # Reloaded in order: https, smtp, pop3, imap.
    while not any("SIGHUP: TLS certificate" in line and "reloaded for imap" in line for line in node.log_lines):
        assert time.monotonic() < deadline, "\n".join(node.log_lines[-20:])
        time.sleep(0.05)
    assert starttls_fingerprints(node, pki) == (new, new)


def test_https_on_the_self_signed_certificate(postern_factory, pki):
    """No [tls] files: HTTPS presents the node's self-signed certificate,
    which a client trusts as docs/inbox.md ("TLS on the defaults") says."""
    p = postern_factory(config_text='[http]\ntls_listen = "127.0.0.1:0"\n')
    p.https_port = https_port(p)
    rc, status, _, err = curl(p, pki, "/healthz", cacert=node_certificate(p))
    assert rc == 0 and status == 200, err
