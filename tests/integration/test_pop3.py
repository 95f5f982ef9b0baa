"""The POP3 server of the test inbox against the real binary, with Python's
poplib: the greeting, CAPA (RFC 2449), STLS on the self-signed certificate
of the defaults, response codes for failed logins and the failed-login
limit, errors for unknown and overlong commands; mail caught for a test
account read, and deleted at QUIT, by its login, and never by another's."""
import poplib
import socket
import ssl

import pytest

from test_capture import create, inbox, send_as, wait_for_inbox

TIMEOUT = 10


@pytest.fixture
def pop3(postern):
    assert postern.pop3_port, "the ready line names no POP3 listener"
    client = poplib.POP3("127.0.0.1", postern.pop3_port, timeout=TIMEOUT)
    yield client
    try:
        client.close()
    except OSError:
        pass


def test_greeting_and_capabilities(pop3):
    assert pop3.getwelcome() == b"+OK Postern POP3 server ready"
    caps = pop3.capa()
    for name in ("TOP", "UIDL", "USER", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING", "STLS"):
        assert name in caps, caps
    assert caps["EXPIRE"] == ["7", "USER"], caps
    assert caps["IMPLEMENTATION"] == ["Postern"], caps


def test_expire_before_login_is_the_nodes_retention(postern_factory):
    node = postern_factory(env={"POSTERN_INBOX_RETENTION": "3d"})
    client = poplib.POP3("127.0.0.1", node.pop3_port, timeout=TIMEOUT)
    try:
        assert client.capa()["EXPIRE"] == ["3", "USER"]
    finally:
        client.close()


def test_stls_then_capabilities_without_stls(pop3):
    context = ssl.create_default_context()
    # The defaults' certificate is self-signed: the test trusts it as a
    # client told so by its user would.
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    assert pop3.stls(context).startswith(b"+OK")
    assert isinstance(pop3.sock, ssl.SSLSocket)
    assert "STLS" not in pop3.capa()


def test_a_wrong_password_is_refused_with_the_auth_code(pop3):
    pop3.user("nobody-here-0000")
    with pytest.raises(poplib.error_proto) as refused:
        pop3.pass_("wrong")
    assert refused.value.args[0] == b"-ERR [AUTH] invalid user name or password"


def test_the_third_failed_login_closes_the_connection(pop3):
    for attempt in range(3):
        pop3.user("nobody-here-0000")
        with pytest.raises(poplib.error_proto) as refused:
            pop3.pass_("wrong")
    assert refused.value.args[0].endswith(b"too many failures, closing")
    assert pop3.file.readline() == b""


def test_commands_in_the_wrong_state_and_unknown_ones(pop3):
    for command, answer in [
        ("STAT", b"-ERR STAT is not valid before login, send USER and PASS first"),
        ("PASS x", b"-ERR send USER first"),
        ("XTND XLST", b"-ERR unknown command XTND"),
        ("APOP a b", b"-ERR APOP is not supported, use USER and PASS"),
    ]:
        with pytest.raises(poplib.error_proto) as refused:
            pop3._shortcmd(command)
        assert refused.value.args[0] == answer


def test_an_overlong_line_is_refused_and_the_session_goes_on(postern):
    with socket.create_connection(("127.0.0.1", postern.pop3_port), timeout=TIMEOUT) as s:
        f = s.makefile("rb")
        assert f.readline().startswith(b"+OK")
        s.sendall(b"USER " + b"x" * 5000 + b"\r\nNOOP\r\nQUIT\r\n")
        assert f.readline() == b"-ERR command line too long (RFC 2449: at most 255 octets)\r\n"
        assert f.readline() == b"-ERR NOOP is not valid before login, send USER and PASS first\r\n"
        assert f.readline() == b"+OK Postern POP3 server signing off\r\n"
        assert f.readline() == b""


def logged_in(postern, account):
    client = poplib.POP3("127.0.0.1", postern.pop3_port, timeout=TIMEOUT)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the defaults' self-signed certificate
    client.stls(context)
    client.user(account["user"])
    client.pass_(account["password"])
    return client


def test_caught_mail_is_read_and_deleted_over_pop3(postern):
    api = postern.api()
    owner, other = create(api), create(api)
    for subject in ("First note", "Second note"):
        code, _ = send_as(postern, owner, "someone@example.com", subject)
        assert code == 250
    assert len(wait_for_inbox(api, owner["user"], 2)) == 2

    stranger = logged_in(postern, other)
    assert stranger.stat()[0] == 0  # never another account's mail
    stranger.quit()

    client = logged_in(postern, owner)
    count, size = client.stat()
    assert count == 2 and size > 0
    listed = client.uidl()[1]
    assert len(listed) == 2 and len(set(u.split()[1] for u in listed)) == 2, listed
    lines = client.retr(1)[1]
    assert b"Subject: First note" in lines and b"Hello from a staging system" in lines, lines
    assert client.dele(1).startswith(b"+OK")
    client.quit()  # the deletion is carried out at QUIT (UPDATE state)

    remaining = inbox(api, owner["user"])["data"]
    assert [m["subject"] for m in remaining] == ["Second note"], remaining
    again = logged_in(postern, owner)
    assert again.stat()[0] == 1
    again.quit()
