"""The Nodemailer drop-in, transport half (issue #27): the real `nodemailer`
package from npm (tests/nodemailer, pinned by its lockfile) sends to a node
on the `make run` defaults (no [tls] configured, its own data folder) as an
application would: STARTTLS against the node's self-signed certificate,
verified by pinning that certificate, then AUTH with an API key, then
DATA, whose reply gives getTestMessageUrl() the stored message's id.

createTestAccount() (POST /user) is another part of the drop-in and is
tested with it."""
import hashlib
import json
import os
import re
import shutil
import ssl
import subprocess

import pytest

from conftest import ROOT, requires, stored
from test_smtp import create_key, raw_of, split_received

pytestmark = requires(shutil.which("node") and shutil.which("npm"), "node and npm (scripts/bootstrap.sh)")

HARNESS = os.path.join(ROOT, "tests", "nodemailer")
FINGERPRINT = re.compile(r"self-signed certificate SHA-256 fingerprint ([0-9A-F:]{95})$")


@pytest.fixture(scope="module")
def nodemailer():
    """Installs the locked nodemailer once (quick when already there)."""
    subprocess.run([os.path.join(ROOT, "scripts", "npm-install-locked.sh"), HARNESS], check=True,
                   timeout=600)
    return os.path.join(HARNESS, "send.js")


def send(script, postern, user, password, ca, web, message, ok=True):
    """send.js's JSON answer; with ok=False, asserts that it failed and
    returns what it printed on stderr (nodemailer's error)."""
    settings = {"host": "127.0.0.1", "port": postern.smtp_port, "user": user, "pass": password,
                "ca": ca, "message": message}
    env = dict(os.environ, ETHEREAL_WEB=web)
    r = subprocess.run(["node", script], input=json.dumps(settings), env=env, capture_output=True, text=True,
                       timeout=90)
    if not ok:
        assert r.returncode != 0, r.stdout
        return r.stderr
    assert r.returncode == 0, f"send.js failed ({r.returncode}):\n{r.stderr}"
    return json.loads(r.stdout)


def certificate_of(postern):
    return os.path.join(postern.workdir, "tls", "self-signed.crt")


def logged_fingerprint(postern):
    found = [m.group(1) for line in postern.log_lines if (m := FINGERPRINT.search(line))]
    assert len(found) == 1, postern.logs()
    return found[0]


def fingerprint_of(pem_path):
    """What `openssl x509 -fingerprint -sha256` prints for the file."""
    with open(pem_path) as f:
        digest = hashlib.sha256(ssl.PEM_cert_to_DER_cert(f.read())).hexdigest().upper()
    return ":".join(digest[i:i + 2] for i in range(0, len(digest), 2))


def message(n):
    return {"from": "App <app@example.com>", "to": "Dev <dev@example.org>",
            "subject": f"Nodemailer {n}", "text": f"Sent by nodemailer, number {n}",
            "html": f"<p>Sent by <b>nodemailer</b>, number {n}</p>"}


def test_nodemailer_sends_over_starttls_with_auth_on_the_defaults(postern_factory, nodemailer):
    p = postern_factory()  # no configuration file: the defaults, on free ports
    ca = certificate_of(p)
    assert os.path.exists(ca), "no self-signed certificate in the data folder"
    assert oct(os.stat(os.path.join(p.workdir, "tls", "self-signed.key")).st_mode & 0o777) == "0o600"
    assert logged_fingerprint(p) == fingerprint_of(ca)
    secret = create_key(p, "staging-app", "send,read")
    web = f"http://127.0.0.1:{p.http_port}"

    info = send(nodemailer, p, "staging-app", secret, ca, web, message(1))

    m = re.fullmatch(r"250 2\.0\.0 Ok: queued as ([0-9a-z]{13}) \[STATUS=new MSGID=([0-9a-z]{13})\]",
                     info["response"])
    assert m and m.group(1) == m.group(2), info
    mid = m.group(2)
    assert info["url"] == f"{web}/message/{mid}"
    assert info["accepted"] == ["dev@example.org"]
    api = p.api(secret)
    assert [s["id"] for s in stored(api)] == [mid]
    got = api.get(f"/v1/messages/{mid}").json()
    assert got["subject"] == "Nodemailer 1" and got["from"] == "app@example.com"
    # RFC 3848: ESMTPSA is ESMTP with STARTTLS and AUTH.
    received, _ = split_received(raw_of(api, mid))
    assert b"by localhost (Postern) with ESMTPSA\r\n\t(using TLSv1." in received, received

    # The credentials are checked: a wrong password is refused at AUTH.
    refused = send(nodemailer, p, "staging-app", secret + "x", ca, web, message(2), ok=False)
    assert "EAUTH" in refused and "535 5.7.8" in refused, refused
    assert len(stored(api)) == 1


def test_the_certificate_is_kept_across_restarts(postern_factory, nodemailer):
    p = postern_factory()
    ca = certificate_of(p)
    with open(ca) as f:
        first_pem = f.read()
    first = logged_fingerprint(p)
    assert any("made a self-signed certificate" in line for line in p.log_lines), p.logs()
    secret = create_key(p, "app", "send,read")
    p.stop()

    p.start()
    assert logged_fingerprint(p) == first
    assert any("using the self-signed certificate" in line for line in p.log_lines), p.logs()
    with open(ca) as f:
        assert f.read() == first_pem
    # A client that pinned the first start's certificate still gets through.
    web = f"http://127.0.0.1:{p.http_port}"
    info = send(nodemailer, p, "app", secret, ca, web, message(2))
    mid = re.search(r"MSGID=([0-9a-z]{13})\]$", info["response"]).group(1)
    assert info["url"] == f"{web}/message/{mid}"
    assert p.api(secret).get(f"/v1/messages/{mid}").json()["subject"] == "Nodemailer 2"
