"""The IMAP server of the test inbox against the real binary, with Python's
imaplib (docs/inbox.md "Listener"): mail sent over SMTP with a test
account's credentials is read over IMAP after STARTTLS on the node's
self-signed certificate; flags set in one session are seen in another;
EXPUNGE; errors a client can cause (wrong password, overlong line, unknown
command), the wait after a failed login, the idle timeout before login, the
connection limit per address, and one account never seeing another's
mail."""
import imaplib
import socket
import ssl
import time

import pytest

from test_capture import create, send_as, wait_for_inbox

TIMEOUT = 10


def tls_context():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the node's self-signed certificate
    return context


def login(postern, account):
    client = imaplib.IMAP4("127.0.0.1", postern.imap_port, timeout=TIMEOUT)
    assert b"STARTTLS" in client.capability()[1][0]
    client.starttls(tls_context())
    assert b"STARTTLS" not in client.capability()[1][0]
    assert client.login(account["user"], account["password"])[0] == "OK"
    return client


def raw(port):
    """A plain socket past the greeting, for what imaplib will not send."""
    s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
    f = s.makefile("rb")
    greeting = f.readline()
    assert greeting.startswith(b"* OK"), greeting
    return s, f


@pytest.fixture
def mailbox(postern):
    """An account with two messages sent as it over SMTP."""
    assert postern.imap_port, "the ready line names no IMAP listener"
    api = postern.api()
    account = create(api)
    for subject in ("First note", "Second note"):
        code, _ = send_as(postern, account, "someone@example.com", subject)
        assert code == 250
    assert len(wait_for_inbox(api, account["user"], 2)) == 2
    return account


def test_read_flag_expunge_across_two_sessions(postern, mailbox):
    a = login(postern, mailbox)
    b = login(postern, mailbox)
    typ, data = a.select("INBOX")
    assert (typ, data) == ("OK", [b"2"])
    b.select("INBOX")

    typ, data = a.fetch("1:2", "(ENVELOPE)")
    assert typ == "OK"
    envelopes = b" ".join(d if isinstance(d, bytes) else d[0] for d in data)
    assert b'"First note"' in envelopes and b'"Second note"' in envelopes, data
    typ, data = a.fetch("1", "(BODY[])")
    assert typ == "OK"
    body = data[0][1]
    assert b"Subject: First note" in body and b"Hello from a staging system" in body

    typ, data = a.store("1", "+FLAGS", "(\\Seen)")
    assert typ == "OK" and b"\\Seen" in data[0], data

    typ, data = b.noop()
    assert typ == "OK"
    typ, data = b.fetch("1", "(FLAGS)")
    assert b"\\Seen" in data[0], data

    assert a.store("2", "+FLAGS", "(\\Deleted)")[0] == "OK"
    typ, data = a.expunge()
    assert (typ, data) == ("OK", [b"2"])
    b.noop()
    assert b.untagged_responses.get("EXPUNGE") == [b"2"] or b"2" in b.response("EXPUNGE")[1]
    for client in (a, b):
        assert client.logout()[0] == "BYE"


def test_idle_pushes_mail_as_it_arrives(postern, mailbox):
    client = login(postern, mailbox)
    assert client.select("INBOX") == ("OK", [b"2"])
    # imaplib of Python 3.11 has no IDLE: the command and its lines by hand.
    client.send(b"i1 IDLE\r\n")
    assert client.readline().startswith(b"+ "), "no continuation for IDLE"
    code, _ = send_as(postern, mailbox, "someone@example.com", "Third note")
    assert code == 250
    pushed = client.readline()  # within the poll interval; the socket's timeout bounds it
    assert pushed == b"* 3 EXISTS\r\n", pushed
    client.send(b"DONE\r\n")
    lines = [client.readline()]
    while not lines[-1].startswith(b"i1 "):
        lines.append(client.readline())
    assert lines[-1].startswith(b"i1 OK"), lines
    typ, data = client.fetch("3", "(ENVELOPE)")
    assert typ == "OK" and b'"Third note"' in data[0], data
    client.logout()


def test_a_wrong_password_is_refused_with_authenticationfailed(postern, mailbox):
    client = imaplib.IMAP4("127.0.0.1", postern.imap_port, timeout=TIMEOUT)
    client.starttls(tls_context())
    with pytest.raises(imaplib.IMAP4.error) as refused:
        client.login(mailbox["user"], "not-the-password")
    assert "[AUTHENTICATIONFAILED]" in str(refused.value)
    client.logout()


def test_a_failed_login_is_answered_after_the_delay_without_holding_others(postern_factory):
    delay = 3
    node = postern_factory(env={"POSTERN_IMAP_LOGIN_FAILURE_DELAY": f"{delay}s"})
    account = create(node.api())
    guesser, guesser_reads = raw(node.imap_port)  # loopback: LOGIN without TLS
    other, other_reads = raw(node.imap_port)
    start = time.monotonic()
    guesser.sendall(f'g1 LOGIN {account["user"]} "not-the-password"\r\n'.encode())
    # Another session is answered while the failure waits.
    other.sendall(b"o1 NOOP\r\n")
    assert other_reads.readline().startswith(b"o1 OK")
    answered_other = time.monotonic() - start
    line = guesser_reads.readline()
    failed_after = time.monotonic() - start
    assert line.startswith(b"g1 NO [AUTHENTICATIONFAILED]"), line
    assert failed_after >= delay, failed_after
    assert answered_other < failed_after, (answered_other, failed_after)
    # The session goes on: the right password still logs in.
    guesser.sendall(f'g2 LOGIN {account["user"]} "{account["password"]}"\r\n'.encode())
    line = guesser_reads.readline()
    assert line.startswith(b"g2 OK"), line
    for s in (guesser, other):
        s.close()


def test_overlong_line_and_unknown_command_get_bad(postern):
    s, f = raw(postern.imap_port)
    s.sendall(b"a1 NOOP " + b"x" * 9000 + b"\r\n")
    assert f.readline().startswith(b"a1 BAD Line too long"), "overlong line"
    s.sendall(b"a2 FROBNICATE\r\n")
    assert f.readline().startswith(b"a2 BAD"), "unknown command"
    s.sendall(b"a3 NOOP\r\n")
    assert f.readline().startswith(b"a3 OK")  # the session goes on
    s.close()


def test_another_accounts_mail_is_never_visible(postern, mailbox):
    other = create(postern.api())
    client = login(postern, other)
    typ, data = client.select("INBOX")
    assert (typ, data) == ("OK", [b"0"])
    typ, data = client.status("INBOX", "(MESSAGES)")
    assert data == [b'"INBOX" (MESSAGES 0)'] or data == [b"INBOX (MESSAGES 0)"], data
    client.logout()
    owner = login(postern, mailbox)
    assert owner.select("INBOX") == ("OK", [b"2"])
    owner.logout()


@pytest.fixture
def strict(postern_factory):
    return postern_factory(env={"POSTERN_IMAP_LOGIN_TIMEOUT": "1s",
                                "POSTERN_IMAP_MAX_CONNECTIONS_PER_ADDRESS": "2"})


def test_idle_before_login_ends_with_bye(strict):
    s, f = raw(strict.imap_port)
    start = time.monotonic()
    line = f.readline()
    assert line.startswith(b"* BYE Autologout"), line
    assert f.readline() == b""  # closed
    assert time.monotonic() - start < 5
    s.close()


def test_connections_over_the_limit_per_address_get_bye(strict):
    held = [raw(strict.imap_port) for _ in range(2)]
    s = socket.create_connection(("127.0.0.1", strict.imap_port), timeout=TIMEOUT)
    line = s.makefile("rb").readline()
    assert line.startswith(b"* BYE [UNAVAILABLE] Too many connections"), line
    s.close()
    for s, _ in held:
        s.close()


def test_sigterm_says_bye_to_open_sessions(postern):
    s, f = raw(postern.imap_port)
    s.sendall(b"a1 NOOP\r\n")
    assert f.readline().startswith(b"a1 OK")
    postern.proc.terminate()
    line = f.readline()
    assert line.startswith(b"* BYE [UNAVAILABLE] Server shutting down"), line
    s.close()


def test_implicit_tls_listener_greets_after_the_handshake(postern_factory):
    node = postern_factory(env={"POSTERN_IMAP_TLS_LISTEN": "127.0.0.1:0"})
    assert node.imaps_port, "the ready line names no imaps listener"
    account = create(node.api())
    client = imaplib.IMAP4_SSL("127.0.0.1", node.imaps_port, ssl_context=tls_context(), timeout=TIMEOUT)
    caps = client.capability()[1][0]
    assert b"STARTTLS" not in caps and b"AUTH=PLAIN" in caps, caps
    assert client.login(account["user"], account["password"])[0] == "OK"
    assert client.select("INBOX") == ("OK", [b"0"])
    client.logout()
