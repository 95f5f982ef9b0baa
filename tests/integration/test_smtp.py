"""SMTP submission against the real binary with real clients (smtplib, swaks,
raw sockets where a client would refuse to misbehave): trusted submission,
STARTTLS, AUTH with API keys and SMTP users, and the refusals a client sees.

The helpers here are shared by the other test_smtp_*.py files (data and
extensions, limits and concurrency, relaying through postern-sim). Every test
asserts what a user sees: reply codes with their enhanced status, and what the
same node stores (GET /v1/messages/{id} and /raw)."""
import base64
import json
import re
import smtplib
import socket
import ssl
import subprocess
import time

import pytest

from conftest import metric, stored

TIMEOUT = 30  # every socket: no test can hang on a silent server

MESSAGE = ("From: App <app@example.com>\r\nTo: user@example.org\r\nBcc: hidden@example.org\r\n"
           "Subject: Hello over SMTP\r\n\r\nFirst line\r\n.starts with a dot\r\n")


# -- helpers shared by test_smtp_*.py ------------------------------------------

def smtp_port_of(postern):
    assert postern.smtp_port, "the ready line names no SMTP port"
    return postern.smtp_port


def queued_id(reply):
    if isinstance(reply, str):
        reply = reply.encode()
    m = re.search(rb"queued as ([0-9a-z]{13})", reply)
    assert m, reply
    return m.group(1).decode()


def send_raw(client, sender, recipients, message, mail_options=()):
    """MAIL/RCPT/DATA by hand with smtplib, so that the queue id in the reply is kept."""
    code, reply = client.mail(sender, list(mail_options))
    assert code == 250, reply
    for r in recipients:
        code, reply = client.rcpt(r)
        assert code == 250, reply
    code, reply = client.data(message.encode() if isinstance(message, str) else message)
    assert code == 250, reply
    assert reply.startswith(b"2.0.0 Ok: queued as "), reply
    return queued_id(reply)


def toml_config(**sections):
    """toml_config(smtp={"trusted_networks": []}) -> TOML text. Values are str,
    int, bool or lists of str (JSON spelling is valid TOML for these)."""
    out = []
    for section, keys in sections.items():
        out.append(f"[{section}]")
        out += [f"{k} = {json.dumps(v)}" for k, v in keys.items()]
    return "\n".join(out) + "\n"


def make_cert(tmp_path):
    """A self-signed P-256 certificate for localhost; returns (cert, key) paths."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    if not cert.exists():
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-nodes", "-subj", "/CN=localhost", "-days", "1", "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True, timeout=30)
    return str(cert), str(key)


def tls_config(tmp_path, trusted="[]", smtp=None, **sections):
    """TOML text with a fresh certificate, smtp.trusted_networks = `trusted`
    (TOML text), more [smtp] keys from `smtp`, and any other sections."""
    cert, key = make_cert(tmp_path)
    text = f"[smtp]\ntrusted_networks = {trusted}\n"
    text += "".join(f"{k} = {json.dumps(v)}\n" for k, v in (smtp or {}).items())
    text += f'[tls]\ncert = "{cert}"\nkey = "{key}"\n'
    return text + (toml_config(**sections) if sections else "")


def create_key(postern, name, scopes):
    """`postern keys create`: the secret is printed once, on its own line."""
    out = postern.cli("keys", "create", "--name", name, "--scopes", scopes).stdout
    return next(line for line in out.splitlines() if line.startswith("pst_"))


def create_user(postern, name, password, scopes):
    """`postern users create` with the password on stdin (not in the process list)."""
    postern.cli("users", "create", "--name", name, "--scopes", scopes, input=password + "\n")


def raw_of(api, message_id):
    r = api.get(f"/v1/messages/{message_id}/raw")
    assert r.status == 200, r
    assert r.header("content-type").startswith("message/rfc822")
    return r.body


def message_of(api, message_id):
    r = api.get(f"/v1/messages/{message_id}")
    assert r.status == 200, r
    return r.json()


def wait_sessions_closed(postern, timeout=10):
    """Until the server has ended every SMTP session (its gauge reads 0)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if metric(postern, "postern_smtp_sessions_active") == 0:
            return
        time.sleep(0.05)
    raise AssertionError("SMTP sessions still open: %s" % metric(postern, "postern_smtp_sessions_active"))


def split_received(raw):
    """(Received header bytes, the rest) of a stored message: Postern prepends
    its X-Postern-Id field, then exactly one Received field, folded over
    several lines."""
    assert re.match(rb"X-Postern-Id: [0-9a-z]+\r\nReceived: ", raw), raw[:200]
    raw = raw[raw.index(b"\r\n") + 2:]
    end = 0
    while True:
        end = raw.index(b"\r\n", end) + 2
        if raw[end:end + 1] not in (b" ", b"\t"):
            return raw[:end], raw[end:]


class RawSmtp:
    """An SMTP client on a bare socket: sends exactly the bytes it is given."""

    def __init__(self, port, host="127.0.0.1", source=None, timeout=TIMEOUT):
        self.sock = socket.create_connection((host, port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        self.file = self.sock.makefile("rb")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self.file.close()
        finally:
            self.sock.close()

    def reply(self):
        """One reply (all lines of a multi-line one) as bytes; b"" at EOF."""
        lines = [self.file.readline()]
        while lines[-1][3:4] == b"-":
            lines.append(self.file.readline())
        return b"".join(lines)

    def replies(self, n):
        return [self.reply() for _ in range(n)]

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def cmd(self, line):
        self.send(line + "\r\n" if isinstance(line, str) else line + b"\r\n")
        return self.reply()

    def greet(self, name="client.test"):
        assert self.reply().startswith(b"220 "), "no greeting"
        ehlo = self.cmd(f"EHLO {name}")
        assert ehlo.startswith(b"250-"), ehlo
        return ehlo

    def starttls(self):
        assert self.cmd("STARTTLS").startswith(b"220 2.0.0"), "STARTTLS refused"
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        self.file.close()
        self.sock = context.wrap_socket(self.sock, server_hostname="localhost")
        self.file = self.sock.makefile("rb")

    def at_eof(self):
        """True when the server closed the connection (nothing more to read)."""
        try:
            return self.file.read(1) == b""
        except (ConnectionResetError, socket.timeout):
            return False


def plain_response(user, password):
    return base64.b64encode(f"\0{user}\0{password}".encode()).decode()


# -- trusted submission --------------------------------------------------------

def test_trusted_loopback_send_is_stored_and_delivered(postern):
    port = smtp_port_of(postern)
    with smtplib.SMTP("127.0.0.1", port, timeout=TIMEOUT) as s:
        code, caps = s.ehlo("client.test")
        assert code == 250
        for ext in (b"PIPELINING", b"SIZE 26214400", b"8BITMIME", b"ENHANCEDSTATUSCODES", b"SMTPUTF8", b"CHUNKING"):
            assert ext in caps
        assert b"STARTTLS" in caps  # no certificate configured: the self-signed one
        assert b"AUTH" not in caps  # never in clear text by default
        mid = send_raw(s, "app@example.com", ["user@example.org", "hidden@example.org"], MESSAGE)
    api = postern.api()
    m = api.wait_status(mid, {"sent"})
    assert m["subject"] == "Hello over SMTP"
    assert m["from"] == "app@example.com"
    assert m["to"] == ["user@example.org"] and m["bcc"] == ["hidden@example.org"]
    assert m["format"] == "mime"
    raw = raw_of(api, mid)
    received, rest = split_received(raw)
    # Two recipients: no "for <...>" clause (it would name the Bcc recipient).
    assert re.fullmatch(rb"Received: from client\.test \(\[127\.0\.0\.1\]\)\r\n\tby localhost \(Postern\) "
                        rb"with ESMTP;\r\n\t\w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d \+0000\r\n", received), received
    assert rest == MESSAGE.replace("Bcc: hidden@example.org\r\n", "").encode()
    assert m["size"] == len(received) + len(rest)  # as stored: X-Postern-Id is added on the way out


def test_helo_client_gets_smtp_in_received(postern):
    with RawSmtp(smtp_port_of(postern)) as c:
        assert c.reply().startswith(b"220 localhost ESMTP")
        assert c.cmd("HELO old.client").startswith(b"250 localhost")
        c.send("MAIL FROM:<app@example.com>\r\n")
        assert c.reply().startswith(b"250 2.1.0")
        assert c.cmd("RCPT TO:<user@example.org>").startswith(b"250 2.1.5")
        assert c.cmd("DATA").startswith(b"354 ")
        reply = c.cmd(b"Subject: helo\r\n\r\nbody\r\n.")
        assert reply.startswith(b"250 2.0.0 Ok: queued as "), reply
        assert c.cmd("QUIT").startswith(b"221 2.0.0")
    received, _ = split_received(raw_of(postern.api(), queued_id(reply)))
    assert b"from old.client ([127.0.0.1])" in received
    assert b"with SMTP\r\n\tfor <user@example.org>;" in received  # one recipient: named


def test_no_starttls_when_self_signed_is_off(postern_factory, tmp_path):
    """tls.self_signed = false with no files: plain SMTP, as before, and no
    certificate written into the data folder."""
    p = postern_factory(config_text=toml_config(tls={"self_signed": False}))
    with smtplib.SMTP("127.0.0.1", smtp_port_of(p), timeout=TIMEOUT) as s:
        code, caps = s.ehlo("client.test")
        assert code == 250 and b"STARTTLS" not in caps
        assert s.docmd("STARTTLS") == (454, b"4.7.0 TLS not available")
    assert not (tmp_path / "node0" / "tls").exists()


def test_untrusted_client_must_authenticate(postern_factory, tmp_path):
    p = postern_factory(config_text=tls_config(tmp_path))
    port = smtp_port_of(p)
    with smtplib.SMTP("127.0.0.1", port, timeout=TIMEOUT) as s:
        s.ehlo()
        assert not s.has_extn("auth")  # not before TLS
        assert s.mail("app@example.com") == (530, b"5.7.0 Authentication required")
        assert s.rcpt("user@example.org") == (530, b"5.7.0 Authentication required")
        assert s.docmd("DATA") == (530, b"5.7.0 Authentication required")
        s.starttls()
        s.ehlo()
        assert s.mail("app@example.com") == (530, b"5.7.0 Authentication required")  # TLS is not AUTH
    assert stored(p.api()) == []


def test_trusted_client_may_use_starttls_without_auth(postern_factory, tmp_path):
    p = postern_factory(config_text=tls_config(tmp_path, trusted='["127.0.0.0/8"]'))
    with smtplib.SMTP("127.0.0.1", smtp_port_of(p), timeout=TIMEOUT) as s:
        s.ehlo("client.test")
        assert s.has_extn("starttls")
        assert s.starttls()[0] == 220
        s.ehlo("client.test")
        assert not s.has_extn("starttls")
        assert s.has_extn("auth")
        assert s.docmd("STARTTLS") == (503, b"5.5.1 TLS already active")
        mid = send_raw(s, "app@example.com", ["user@example.org"], MESSAGE)
    received, _ = split_received(raw_of(p.api(), mid))
    assert b"with ESMTPS\r\n\t(using TLSv1.3 with cipher " in received


def test_starttls_forgets_pipelined_plaintext_commands(postern_factory, tmp_path):
    """RFC 3207 §5 (CVE-2011-0411): commands sent in clear after STARTTLS, in
    the same packet, must not be run inside the TLS session."""
    p = postern_factory(config_text=tls_config(tmp_path, trusted='["127.0.0.0/8"]'))
    with RawSmtp(smtp_port_of(p)) as c:
        c.greet()
        c.send("STARTTLS\r\nMAIL FROM:<injected@example.com>\r\n")
        assert c.reply().startswith(b"220 2.0.0")
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        c.file.close()
        c.sock = context.wrap_socket(c.sock, server_hostname="localhost")
        c.file = c.sock.makefile("rb")
        # If the injected MAIL had survived, this RCPT would be accepted.
        assert c.cmd("EHLO client.test").startswith(b"250-")
        assert c.cmd("RCPT TO:<user@example.org>").startswith(b"503 5.5.1")


# -- AUTH ---------------------------------------------------------------------

def credentials(p, kind):
    """(user, password) of a principal with send,read: an API key or an SMTP user."""
    if kind == "api_key":
        return "mailer", create_key(p, "mailer", "send,read")
    create_user(p, "u", "correct horse battery", "send,read")
    return "u", "correct horse battery"


def login(s, mechanism, user, password):
    s.user, s.password = user, password
    auth = {"PLAIN": s.auth_plain, "LOGIN": s.auth_login}[mechanism]
    return s.auth(mechanism, auth, initial_response_ok=mechanism == "PLAIN")


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
@pytest.mark.parametrize("kind", ["api_key", "smtp_user"])
def test_starttls_then_auth(postern_factory, tmp_path, mechanism, kind):
    p = postern_factory(config_text=tls_config(tmp_path))
    user, password = credentials(p, kind)
    # Any key closes the loopback door of the HTTP API: read with a key.
    reader = create_key(p, "reader", "read") if kind == "smtp_user" else password
    with smtplib.SMTP("127.0.0.1", smtp_port_of(p), timeout=TIMEOUT) as s:
        s.starttls()
        s.ehlo("client.test")
        assert s.esmtp_features["auth"].split() == ["PLAIN", "LOGIN"]
        assert login(s, mechanism, user, password) == (235, b"2.7.0 Authentication successful")
        # RFC 4954 §4: one AUTH per session.
        assert s.docmd("AUTH", "PLAIN " + plain_response(user, password)) == (503, b"5.5.1 Already authenticated")
        mid = send_raw(s, "app@example.com", ["user@example.org"], MESSAGE)
    api = p.api(reader)
    m = api.wait_status(mid, {"sent"})
    assert m["subject"] == "Hello over SMTP"
    received, _ = split_received(raw_of(api, mid))
    assert b"with ESMTPSA\r\n\t(using TLSv1.3" in received


@pytest.mark.parametrize("mechanism", ["PLAIN", "LOGIN"])
@pytest.mark.parametrize("kind", ["api_key", "smtp_user"])
def test_wrong_credentials_are_refused(postern_factory, tmp_path, mechanism, kind):
    p = postern_factory(config_text=tls_config(tmp_path))
    user, password = credentials(p, kind)
    with smtplib.SMTP("127.0.0.1", smtp_port_of(p), timeout=TIMEOUT) as s:
        s.starttls()
        s.ehlo()
        for u, pw in ((user, password + "x"), (user + "x", password), ("nobody", "")):
            with pytest.raises(smtplib.SMTPAuthenticationError) as e:
                login(s, mechanism, u, pw)
            assert (e.value.smtp_code, e.value.smtp_error) == (535, b"5.7.8 Authentication credentials invalid")
        assert s.mail("app@example.com") == (530, b"5.7.0 Authentication required")
        # A failure does not use up the session: the right credentials still work.
        assert login(s, mechanism, user, password)[0] == 235
    assert metric(p, "postern_smtp_auth_failures_total") == 3


def test_auth_before_starttls_is_refused(postern_factory, tmp_path):
    p = postern_factory(config_text=tls_config(tmp_path))
    secret = create_key(p, "mailer", "send")
    with smtplib.SMTP("127.0.0.1", smtp_port_of(p), timeout=TIMEOUT) as s:
        s.ehlo()
        assert not s.has_extn("auth")
        for mechanism in ("PLAIN " + plain_response("mailer", secret), "LOGIN"):
            assert s.docmd("AUTH", mechanism) == (
                538, b"5.7.11 Encryption required for requested authentication mechanism")
        assert s.mail("app@example.com") == (530, b"5.7.0 Authentication required")


def test_auth_without_tls_when_configured(postern_factory):
    p = postern_factory(config_text=toml_config(smtp={"trusted_networks": [], "auth_without_tls": True}))
    secret = create_key(p, "mailer", "send,read")
    with smtplib.SMTP("127.0.0.1", smtp_port_of(p), timeout=TIMEOUT) as s:
        s.ehlo()
        assert s.has_extn("auth")
        assert login(s, "PLAIN", "mailer", secret)[0] == 235
        mid = send_raw(s, "app@example.com", ["user@example.org"], MESSAGE)
    received, _ = split_received(raw_of(p.api(secret), mid))
    assert b"with ESMTPA\r\n\tfor <user@example.org>;" in received


def test_auth_exchange_cancel_and_bad_encoding(postern_factory, tmp_path):
    p = postern_factory(config_text=tls_config(tmp_path))
    with RawSmtp(smtp_port_of(p)) as c:
        c.greet()
        c.starttls()
        c.cmd("EHLO client.test")
        assert c.cmd("AUTH LOGIN") == b"334 VXNlcm5hbWU6\r\n"  # "Username:"
        assert c.cmd("*").startswith(b"501 5.7.0 Authentication cancelled")
        assert c.cmd("AUTH PLAIN").startswith(b"334 ")
        assert c.cmd("not base64!").startswith(b"501 5.5.2")
        assert c.cmd("AUTH CRAM-MD5").startswith(b"504 5.5.4")
        assert c.cmd("MAIL FROM:<a@example.com>").startswith(b"530 5.7.0")


@pytest.mark.parametrize("scopes", ["read", "admin"])
def test_key_without_send_scope_cannot_send(postern_factory, tmp_path, scopes):
    p = postern_factory(config_text=tls_config(tmp_path, trusted='["127.0.0.0/8"]'))
    secret = create_key(p, "reader", scopes)
    with smtplib.SMTP("127.0.0.1", smtp_port_of(p), timeout=TIMEOUT) as s:
        s.starttls()
        s.ehlo()
        # Authentication succeeds; the scope is checked where mail is submitted,
        # even from a trusted network (an authenticated client is judged by its key).
        assert login(s, "PLAIN", "reader", secret)[0] == 235
        assert s.mail("app@example.com") == (550, b"5.7.1 Not authorized to send mail")
        assert s.rcpt("user@example.org") == (550, b"5.7.1 Not authorized to send mail")
        assert s.docmd("DATA") == (550, b"5.7.1 Not authorized to send mail")
        s.send(b"BDAT 5 LAST\r\nhello")  # the chunk is read, then refused
        assert s.getreply() == (550, b"5.7.1 Not authorized to send mail")
    admin = create_key(p, "admin", "admin,read")
    assert stored(p.api(admin)) == []


def test_smtp_user_without_send_scope_cannot_send(postern_factory, tmp_path):
    p = postern_factory(config_text=tls_config(tmp_path))
    create_user(p, "watcher", "long enough password", "read")
    with smtplib.SMTP("127.0.0.1", smtp_port_of(p), timeout=TIMEOUT) as s:
        s.starttls()
        s.ehlo()
        assert login(s, "LOGIN", "watcher", "long enough password")[0] == 235
        assert s.mail("app@example.com") == (550, b"5.7.1 Not authorized to send mail")
