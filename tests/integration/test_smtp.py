"""SMTP submission against the real binary with real clients (smtplib, swaks)."""
import re
import shutil
import smtplib
import socket
import subprocess

import pytest

MESSAGE = ("From: App <app@example.com>\r\nTo: user@example.org\r\nBcc: hidden@example.org\r\n"
           "Subject: Hello over SMTP\r\n\r\nFirst line\r\n.starts with a dot\r\n")


def smtp_port_of(postern):
    assert postern.smtp_port, "the ready line names no SMTP port"
    return postern.smtp_port


def queued_id(reply):
    m = re.search(rb"queued as ([0-9a-z]{13})", reply)
    assert m, reply
    return m.group(1).decode()


def send_raw(client, sender, recipients, message):
    """MAIL/RCPT/DATA by hand, so that the queue id in the reply is kept."""
    code, _ = client.mail(sender)
    assert code == 250
    for r in recipients:
        code, reply = client.rcpt(r)
        assert code == 250, reply
    code, reply = client.data(message.encode())
    assert code == 250, reply
    return queued_id(reply)


def tls_config(tmp_path, trusted="[]"):
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                    "-nodes", "-subj", "/CN=localhost", "-days", "1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return (f'[smtp]\nlisten = "127.0.0.1:0"\ntrusted_networks = {trusted}\n'
            f'[tls]\ncert = "{cert}"\nkey = "{key}"\n')


def test_trusted_loopback_send_is_stored_and_delivered(postern):
    port = smtp_port_of(postern)
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
        code, caps = s.ehlo("client.test")
        assert code == 250
        for ext in (b"PIPELINING", b"SIZE", b"8BITMIME", b"ENHANCEDSTATUSCODES", b"SMTPUTF8", b"CHUNKING"):
            assert ext in caps
        mid = send_raw(s, "app@example.com", ["user@example.org", "hidden@example.org"], MESSAGE)
    m = postern.api().wait_status(mid, {"sent"})
    assert m["subject"] == "Hello over SMTP"
    raw = postern.api().get(f"/v1/messages/{mid}/raw").body
    assert raw.startswith(b"Received: from client.test ([127.0.0.1])")
    assert b"Bcc:" not in raw
    assert raw.endswith(b"\r\n\r\nFirst line\r\n.starts with a dot\r\n")


def test_untrusted_client_must_authenticate(postern_factory, tmp_path):
    p = postern_factory(config_text=tls_config(tmp_path))
    port = smtp_port_of(p)
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
        s.ehlo()
        assert not s.has_extn("auth")  # not before TLS
        with pytest.raises(smtplib.SMTPSenderRefused) as e:
            s.sendmail("app@example.com", ["user@example.org"], MESSAGE)
        assert e.value.smtp_code == 530


def test_starttls_and_auth_with_an_api_key(postern_factory, tmp_path):
    p = postern_factory(config_text=tls_config(tmp_path))
    port = smtp_port_of(p)
    out = p.cli("keys", "create", "--name", "mailer", "--scopes", "send,read").stdout
    secret = next(line for line in out.splitlines() if line.startswith("pst_"))
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
        s.starttls()
        s.ehlo()
        assert s.has_extn("auth")
        with pytest.raises(smtplib.SMTPAuthenticationError):
            s.login("mailer", "wrong")
        s.login("mailer", secret)
        mid = send_raw(s, "app@example.com", ["user@example.org"], MESSAGE)
    assert p.api(secret).wait_status(mid, {"sent"})["subject"] == "Hello over SMTP"


def test_smuggling_payload_is_refused_whole(postern):
    port = smtp_port_of(postern)
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        f = sock.makefile("rb")

        def reply():
            lines = [f.readline()]
            while lines[-1][3:4] == b"-":
                lines.append(f.readline())
            return b"".join(lines)

        assert reply().startswith(b"220")
        sock.sendall(b"EHLO c\r\n")
        assert reply().startswith(b"250")
        sock.sendall(b"MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n")
        assert [reply()[:3] for _ in range(3)] == [b"250", b"250", b"354"]
        sock.sendall(b"From: a@example.com\r\n\r\nhi\n.\nMAIL FROM:<boss@example.com>\r\n"
                     b"RCPT TO:<victim@example.org>\r\nDATA\r\nFrom: boss@example.com\r\n\r\npay\r\n.\r\nQUIT\r\n")
        assert reply().startswith(b"554 5.6.11")
        assert reply().startswith(b"221")
    assert postern.api().get("/v1/messages").json()["data"] == []


@pytest.mark.skipif(shutil.which("swaks") is None, reason="swaks is not installed")
def test_swaks_with_pipelining_and_chunking(postern):
    port = smtp_port_of(postern)
    r = subprocess.run(["swaks", "--server", f"127.0.0.1:{port}", "--from", "app@example.com",
                        "--to", "user@example.org", "--pipeline", "--header", "Subject: swaks"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "queued as" in r.stdout
