"""What must never reach the store: SMTP smuggling with bare CR or LF (every
known end-of-data look-alike, over DATA and BDAT), bare line ends in
commands, and a message cut off by a client that disconnects (FIN or RST)
mid-DATA or mid-BDAT. Each case checks GET /v1/messages: nothing stored, or
only the legitimate message. Helpers come from test_smtp.py."""
import smtplib
import socket
import struct

import pytest

from conftest import metric, stored
from test_smtp import TIMEOUT, RawSmtp, raw_of, send_raw, smtp_port_of, wait_sessions_closed

SIMPLE = b"From: a@example.com\r\nTo: b@example.org\r\nSubject: %s\r\n\r\nbody\r\n"


# -- smuggling -------------------------------------------------------------------

# Every end-of-data look-alike with a bare CR or LF (SMTP smuggling, 2023):
# none may end the message, and the message that holds one is refused whole.
ENDINGS = [b"\n.\n", b"\n.\r\n", b"\r.\r", b"\r.\r\n", b"\r.\n", b"\r\n.\n", b"\r\n.\r", b"\n.\r",
           b"\r\n\x00.\r\n", b"\r\n.\r\r\n"]


@pytest.mark.parametrize("ending", ENDINGS, ids=[e.decode().encode("unicode_escape").decode() for e in ENDINGS])
def test_smuggling_is_refused_whole(postern, ending):
    smuggled = (b"MAIL FROM:<boss@example.com>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n"
                b"From: boss@example.com\r\nSubject: smuggled\r\n\r\npay\r\n.\r\n")
    with RawSmtp(smtp_port_of(postern)) as c:
        c.greet()
        c.send(b"MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n")
        assert [r[:3] for r in c.replies(3)] == [b"250", b"250", b"354"]
        c.send(b"From: a@example.com\r\nSubject: carrier\r\n\r\nhi" + ending + smuggled)
        c.send(b"RSET\r\n")
        reply = c.reply()
        # "\x00" is no line ending: that message is well-formed and ends at the
        # smuggled ".\r\n"; its only effect is one ordinary message.
        if b"\x00" in ending:
            assert reply.startswith(b"250 2.0.0 Ok: queued as "), reply
            assert c.reply().startswith(b"250 2.0.0")  # RSET
        else:
            assert reply == b"554 5.6.11 Bare <CR> or <LF> in message data; message refused\r\n"
            # The smuggled commands were data: what follows is the next reply.
            assert c.reply().startswith(b"250 2.0.0")  # RSET
        legit = b"From: a@example.com\r\nSubject: legit\r\n\r\nok\r\n.\r\n"
        c.send(b"MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n" + legit)
        *_, last = c.replies(4)
        assert last.startswith(b"250 2.0.0 Ok: queued as "), last
        assert c.cmd("QUIT").startswith(b"221")
    subjects = [m["subject"] for m in stored(postern.api())]
    assert "smuggled" not in subjects
    assert subjects == (["legit", "carrier"] if b"\x00" in ending else ["legit"])
    for m in stored(postern.api()):
        assert m["to"] + m["bcc"] == ["b@example.org"]
        assert b"victim" not in raw_of(postern.api(), m["id"]) or m["subject"] == "carrier"


def test_bare_newline_in_commands_is_refused(postern):
    with RawSmtp(smtp_port_of(postern)) as c:
        c.greet()
        c.send(b"MAIL FROM:<a@example.com>\nRCPT TO:<b@example.org>\r\n")
        assert c.reply().startswith(b"500 5.5.2 Bare")
        assert c.reply().startswith(b"503 5.5.1")  # the MAIL did not happen
        c.send(b"NOOP\rMAIL FROM:<a@example.com>\r\n")
        assert c.reply().startswith(b"500 5.5.2 Bare")


# -- a client that goes away -----------------------------------------------------

@pytest.mark.parametrize("how", ["fin", "rst"])
@pytest.mark.parametrize("phase", ["data", "bdat"])
def test_disconnect_mid_message_stores_nothing(postern, how, phase):
    api = postern.api()
    before = len(stored(api))
    refused = metric(postern, 'postern_smtp_messages_total{result="refused"}')
    c = RawSmtp(smtp_port_of(postern))
    c.greet()
    c.cmd("MAIL FROM:<a@example.com>")
    c.cmd("RCPT TO:<b@example.org>")
    if phase == "data":
        assert c.cmd("DATA").startswith(b"354")
        c.send(SIMPLE % b"half" + b"more and more\r\n" * 1000)  # no final dot
    else:
        c.send(b"BDAT 100000 LAST\r\n" + SIMPLE % b"half")  # fewer octets than announced
    if how == "rst":
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()
    wait_sessions_closed(postern)
    assert len(stored(api)) == before
    assert metric(postern, 'postern_smtp_messages_total{result="refused"}') == refused + 1
    # The server is fine afterwards.
    with smtplib.SMTP("127.0.0.1", smtp_port_of(postern), timeout=TIMEOUT) as s:
        s.ehlo()
        mid = send_raw(s, "a@example.com", ["b@example.org"], SIMPLE % b"after")
    assert [m["id"] for m in stored(api)] == [mid]


def test_bdat_bare_newline_is_refused_whole(postern):
    with RawSmtp(smtp_port_of(postern)) as c:
        c.greet()
        c.cmd("MAIL FROM:<a@example.com>")
        c.cmd("RCPT TO:<b@example.org>")
        chunk = b"From: a@example.com\r\n\r\nhi\n.\nMAIL FROM:<x@example.com>\r\n"
        c.send(b"BDAT %d LAST\r\n" % len(chunk) + chunk)
        assert c.reply().startswith(b"554 5.6.11 ")
        assert c.cmd("QUIT").startswith(b"221")
    assert stored(postern.api()) == []
