"""SMTP message transfer against the real binary: PIPELINING, CHUNKING (BDAT),
8BITMIME, SMTPUTF8, a 25 MB attachment, size and recipient limits, command
order, and what is stored (Received added, Bcc removed). Smuggling and
clients that vanish mid-message are in test_smtp_smuggling.py; helpers come
from test_smtp.py."""
import email
import email.policy
import hashlib
import os
import shutil
import smtplib
import subprocess
from email.message import EmailMessage

import pytest

from conftest import requires
from test_smtp import (TIMEOUT, RawSmtp, message_of, queued_id, raw_of, send_raw, smtp_port_of, split_received,
                       stored, toml_config)

SIMPLE = b"From: a@example.com\r\nTo: b@example.org\r\nSubject: %s\r\n\r\nbody\r\n"


def stored_body(api, message_id):
    """The stored message without the Received header Postern prepends."""
    return split_received(raw_of(api, message_id))[1]


# -- PIPELINING ----------------------------------------------------------------

@requires(shutil.which("swaks") is not None, "swaks is not installed (scripts/bootstrap.sh)")
def test_swaks_with_pipelining(postern):
    port = smtp_port_of(postern)
    r = subprocess.run(["swaks", "--server", f"127.0.0.1:{port}", "--from", "app@example.com",
                        "--to", "user@example.org,other@example.org", "--pipeline", "--header", "Subject: swaks",
                        "--body", "piped"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    # swaks marks pipelined groups; all three answers came back to one write.
    assert "<** " not in r.stdout, r.stdout
    out = r.stdout.splitlines()
    assert any("250 2.1.0" in line for line in out) and any("250 2.1.5" in line for line in out)
    mid = queued_id(next(line for line in out if "queued as" in line))
    m = postern.api().wait_status(mid, {"sent"})
    assert m["subject"] == "swaks" and sorted(m["to"]) == ["other@example.org", "user@example.org"]
    assert b"piped" in stored_body(postern.api(), mid)


def test_pipelined_transactions_in_one_write(postern):
    """RFC 2920: a client may send a whole group, and after the message its next
    transaction, without waiting; every reply comes back in order."""
    with RawSmtp(smtp_port_of(postern)) as c:
        assert c.reply().startswith(b"220 ")
        batch = b"EHLO client.test\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\n" \
                b"RCPT TO:<bad address>\r\nRCPT TO:<c@example.org>\r\nDATA\r\n"
        c.send(batch)
        replies = c.replies(6)
        assert replies[0].startswith(b"250-")
        assert [r[:9] for r in replies[1:]] == [b"250 2.1.0", b"250 2.1.5", b"501 5.1.3", b"250 2.1.5", b"354 End d"]
        c.send(SIMPLE % b"first" + b".\r\nRSET\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<d@example.org>\r\nDATA\r\n")
        first, rset, mail, rcpt, data = c.replies(5)
        assert first.startswith(b"250 2.0.0 Ok: queued as ")
        assert [rset[:9], mail[:9], rcpt[:9], data[:3]] == [b"250 2.0.0", b"250 2.1.0", b"250 2.1.5", b"354"]
        c.send(SIMPLE % b"second" + b".\r\nQUIT\r\n")
        second, bye = c.replies(2)
        assert second.startswith(b"250 2.0.0 Ok: queued as ") and bye.startswith(b"221 2.0.0")
    api = postern.api()
    one, two = message_of(api, queued_id(first)), message_of(api, queued_id(second))
    assert (one["subject"], sorted(one["bcc"])) == ("first", ["c@example.org"])  # not in To: a Bcc copy
    assert (two["subject"], two["bcc"]) == ("second", ["d@example.org"])
    assert [m["subject"] for m in stored(api)] == ["second", "first"]


# -- CHUNKING ------------------------------------------------------------------

def test_bdat_chunks_are_joined_exactly(postern):
    chunks = [b"From: a@example.com\r\nTo: b@example.org\r\nSubj", b"ect: chunked\r\n\r\n",
              b".a line starting with a dot is not stuffed in BDAT\r\n", b"\r\n.\r\n", b"tail\r\n"]
    with RawSmtp(smtp_port_of(postern)) as c:
        caps = c.greet()
        assert b"250-CHUNKING" in caps or b"250 CHUNKING" in caps
        assert c.cmd("MAIL FROM:<a@example.com>").startswith(b"250 2.1.0")
        assert c.cmd("RCPT TO:<b@example.org>").startswith(b"250 2.1.5")
        total = 0
        for chunk in chunks[:-1]:
            total += len(chunk)
            c.send(b"BDAT %d\r\n" % len(chunk) + chunk)
            assert c.reply() == b"250 2.0.0 %d octets received\r\n" % total
        c.send(b"BDAT %d LAST\r\n" % len(chunks[-1]) + chunks[-1])
        reply = c.reply()
        assert reply.startswith(b"250 2.0.0 Ok: queued as "), reply
        # RFC 3030 §3: DATA is not allowed once BDAT was used in a transaction.
        assert c.cmd("MAIL FROM:<a@example.com>").startswith(b"250")
        assert c.cmd("RCPT TO:<b@example.org>").startswith(b"250")
        c.send(b"BDAT 4\r\nSubj")
        assert c.reply().startswith(b"250 2.0.0 4 octets")
        assert c.cmd("DATA").startswith(b"503 5.5.1 DATA cannot follow BDAT")
        c.send(b"BDAT 0 LAST\r\n")
        assert c.reply().startswith(b"554 5.6.0")  # "Subj" is no header block
    api = postern.api()
    assert stored_body(api, queued_id(reply)) == b"".join(chunks)
    assert message_of(api, queued_id(reply))["subject"] == "chunked"
    assert len(stored(api)) == 1


def test_bdat_zero_last_and_binary_safe_chunk_boundaries(postern):
    """A chunk may end inside a CRLF or a header; BDAT 0 LAST ends the message."""
    body = SIMPLE % b"split crlf"
    with RawSmtp(smtp_port_of(postern)) as c:
        c.greet()
        c.cmd("MAIL FROM:<a@example.com>")
        c.cmd("RCPT TO:<b@example.org>")
        cut = body.index(b"\r\n") + 1  # between CR and LF
        c.send(b"BDAT %d\r\n" % cut + body[:cut] + b"BDAT %d\r\n" % (len(body) - cut) + body[cut:] + b"BDAT 0 LAST\r\n")
        r1, r2, r3 = c.replies(3)
        assert r1.startswith(b"250 2.0.0") and r2.startswith(b"250 2.0.0")
        assert r3.startswith(b"250 2.0.0 Ok: queued as "), r3
    assert stored_body(postern.api(), queued_id(r3)) == body


def test_bdat_without_transaction(postern):
    with RawSmtp(smtp_port_of(postern)) as c:
        c.greet()
        # The chunk is read and dropped (RFC 3030 §2): "MAIL" is not a command.
        c.send(b"BDAT 4 LAST\r\nMAILNOOP\r\n")
        assert c.reply().startswith(b"503 5.5.1 Send MAIL first")
        assert c.reply().startswith(b"250 2.0.0")
        c.cmd("MAIL FROM:<a@example.com>")
        c.send(b"BDAT 2\r\nhi")
        assert c.reply().startswith(b"554 5.5.1 No valid recipients")
        # A BDAT without a size: what follows cannot be framed, so the session ends.
        c.send(b"BDAT lots\r\n")
        assert c.reply().startswith(b"501 5.5.4")
        assert c.at_eof()


# -- 8BITMIME and SMTPUTF8 -----------------------------------------------------

def test_8bitmime_body_is_stored_byte_for_byte(postern):
    body = ("From: a@example.com\r\nTo: b@example.org\r\nSubject: 8bit\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            "Grüße, naïve café — 日本語 ✓\r\n").encode() + b"latin-1 too: \xe9\xe8\r\n"
    with smtplib.SMTP("127.0.0.1", smtp_port_of(postern), timeout=TIMEOUT) as s:
        s.ehlo()
        assert s.has_extn("8bitmime")
        mid = send_raw(s, "a@example.com", ["b@example.org"], body, mail_options=["BODY=8BITMIME"])
        # BODY=7BIT is accepted too; a value RFC 6152 does not define is not.
        assert s.mail("a@example.com", ["BODY=7BIT"])[0] == 250
        s.rset()
        assert s.mail("a@example.com", ["BODY=9BIT"]) == (555, b"5.5.4 Unsupported BODY type")
    assert stored_body(postern.api(), mid) == body


def test_smtputf8_addresses(postern):
    sender, rcpt = "jörg@exämple.com", "用户@例子.广告"
    body = (f"From: Jörg <{sender}>\r\nTo: {rcpt}\r\nSubject: Grüße\r\n\r\nhallo\r\n").encode()
    with RawSmtp(smtp_port_of(postern)) as c:
        caps = c.greet()
        assert b"SMTPUTF8" in caps
        # Without the parameter a UTF-8 address is refused, at MAIL and at RCPT.
        assert c.cmd(f"MAIL FROM:<{sender}>".encode()).startswith(b"553 5.6.7 ")
        assert c.cmd("MAIL FROM:<ascii@example.com>").startswith(b"250")
        assert c.cmd(f"RCPT TO:<{rcpt}>".encode()).startswith(b"553 5.6.7 ")
        assert c.cmd("RSET").startswith(b"250")
        assert c.cmd(f"MAIL FROM:<{sender}> SMTPUTF8 BODY=8BITMIME".encode()).startswith(b"250 2.1.0")
        assert c.cmd(f"RCPT TO:<{rcpt}>".encode()).startswith(b"250 2.1.5")
        assert c.cmd("DATA").startswith(b"354")
        reply = c.cmd(body + b".")
        assert reply.startswith(b"250 2.0.0 Ok: queued as "), reply
    api = postern.api()
    m = message_of(api, queued_id(reply))
    assert (m["from"], m["to"], m["subject"]) == (sender, [rcpt], "Grüße")
    received, rest = split_received(raw_of(api, queued_id(reply)))
    assert b"with UTF8SMTP" in received and f"for <{rcpt}>".encode() in received
    assert rest == body


# -- sizes ---------------------------------------------------------------------

def test_25_megabyte_attachment_round_trips(postern_factory):
    p = postern_factory(config_text=toml_config(messages={"max_message_bytes": "48MiB"}))
    payload = os.urandom(25 * 1000 * 1000)
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "a@example.com", "b@example.org", "big attachment"
    msg.set_content("see attached\n")
    msg.add_attachment(payload, maintype="application", subtype="octet-stream", filename="blob.bin")
    data = msg.as_bytes(policy=email.policy.SMTP)
    assert len(data) > 33 * 1000 * 1000  # base64 of 25 MB
    with smtplib.SMTP("127.0.0.1", smtp_port_of(p), timeout=60) as s:
        s.ehlo()
        assert s.esmtp_features["size"] == str(48 * 1024 * 1024)
        mid = send_raw(s, "a@example.com", ["b@example.org"], data, mail_options=[f"SIZE={len(data)}"])
    api = p.api()
    raw = raw_of(api, mid)
    received, rest = split_received(raw)
    assert rest == data
    assert message_of(api, mid)["size"] == len(received) + len(data)
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    (attachment,) = list(parsed.iter_attachments())
    assert attachment.get_filename() == "blob.bin"
    assert hashlib.sha256(attachment.get_content()).digest() == hashlib.sha256(payload).digest()


@pytest.fixture
def small_limits(postern_factory):
    return postern_factory(config_text=toml_config(messages={"max_message_bytes": "64KiB", "max_recipients": 3}))


def test_size_declared_at_mail_is_refused(small_limits):
    with smtplib.SMTP("127.0.0.1", smtp_port_of(small_limits), timeout=TIMEOUT) as s:
        s.ehlo()
        assert s.esmtp_features["size"] == "65536"
        assert s.mail("a@example.com", ["SIZE=65537"]) == (552, b"5.3.4 Message size exceeds fixed limit")
        assert s.mail("a@example.com", ["SIZE=65536"])[0] == 250


def test_oversize_data_is_refused_and_session_continues(small_limits):
    big = SIMPLE % b"big" + b"x" * 900 + b"\r\n"
    big = big * (70 * 1024 // len(big))
    with smtplib.SMTP("127.0.0.1", smtp_port_of(small_limits), timeout=TIMEOUT) as s:
        s.ehlo()
        # A client that declares less than it sends is caught by the count.
        s.mail("a@example.com", ["SIZE=1000"])
        s.rcpt("b@example.org")
        assert s.data(big) == (552, b"5.3.4 Message size exceeds fixed limit")
        mid = send_raw(s, "a@example.com", ["b@example.org"], SIMPLE % b"small")
    assert [m["id"] for m in stored(small_limits.api())] == [mid]


def test_oversize_bdat_is_refused(small_limits):
    with RawSmtp(smtp_port_of(small_limits)) as c:
        c.greet()
        c.cmd("MAIL FROM:<a@example.com>")
        c.cmd("RCPT TO:<b@example.org>")
        chunk = (b"x" * 998 + b"\r\n") * 40  # 40,000 octets
        c.send(b"BDAT %d\r\n" % len(chunk) + chunk)
        assert c.reply().startswith(b"250 2.0.0 40000 octets")
        c.send(b"BDAT %d LAST\r\n" % len(chunk) + chunk)
        assert c.reply().startswith(b"552 5.3.4 ")
        # The transaction is gone: a further chunk has nothing to join.
        c.send(b"BDAT 2 LAST\r\nhi")
        assert c.reply().startswith(b"503 5.5.1")
    assert stored(small_limits.api()) == []


def test_too_many_recipients(small_limits):
    with smtplib.SMTP("127.0.0.1", smtp_port_of(small_limits), timeout=TIMEOUT) as s:
        s.ehlo()
        s.mail("a@example.com")
        for i in range(3):
            assert s.rcpt(f"r{i}@example.org")[0] == 250
        assert s.rcpt("r3@example.org") == (452, b"4.5.3 Too many recipients")
        assert s.rcpt("r0@EXAMPLE.org")[0] == 250  # the same address again: one copy, no new slot
        code, reply = s.data(SIMPLE % b"three")
        assert code == 250
    m = message_of(small_limits.api(), queued_id(reply))
    assert sorted(m["to"] + m["bcc"]) == ["r0@example.org", "r1@example.org", "r2@example.org"]


def test_overlong_line_is_refused(postern):
    with smtplib.SMTP("127.0.0.1", smtp_port_of(postern), timeout=TIMEOUT) as s:
        s.ehlo()
        s.mail("a@example.com")
        s.rcpt("b@example.org")
        assert s.data(SIMPLE % b"long" + b"y" * 999 + b"\r\n") == (
            554, b"5.6.0 Message line longer than 998 octets; message refused")
        assert s.docmd("NOOP " + "z" * 600)[0] == 500  # command lines: 512 octets
    assert stored(postern.api()) == []


# -- command order -------------------------------------------------------------

def test_wrong_command_order(postern):
    with RawSmtp(smtp_port_of(postern)) as c:
        assert c.reply().startswith(b"220")
        assert c.cmd("MAIL FROM:<a@example.com>").startswith(b"503 5.5.1 Send EHLO or HELO first")
        c.cmd("EHLO client.test")
        assert c.cmd("RCPT TO:<b@example.org>").startswith(b"503 5.5.1 Send MAIL first")
        assert c.cmd("DATA").startswith(b"503 5.5.1 Send MAIL first")
        assert c.cmd("MAIL FROM:<a@example.com>").startswith(b"250")
        assert c.cmd("MAIL FROM:<a@example.com>").startswith(b"503 5.5.1 Nested MAIL command")
        assert c.cmd("DATA").startswith(b"554 5.5.1 No valid recipients")  # RFC 5321 §3.3
        assert c.cmd("AUTH PLAIN").startswith(b"503 5.5.1")  # inside a transaction
        assert c.cmd("RCPT TO:<b@example.org>").startswith(b"250")
        # EHLO resets the transaction (RFC 5321 §4.1.4).
        c.cmd("EHLO client.test")
        assert c.cmd("DATA").startswith(b"503 5.5.1 Send MAIL first")
        assert c.cmd("FOO").startswith(b"500 5.5.1")
        assert c.cmd("MAIL TO:<a@example.com>").startswith(b"501 ")
    assert stored(postern.api()) == []


# -- what is stored ------------------------------------------------------------------

def test_bcc_is_never_stored_but_stays_in_the_envelope(postern):
    message = (b"From: a@example.com\r\nTo: to@example.org\r\nCc: cc@example.org\r\n"
               b"BCC: First <secret1@example.org>,\r\n second <secret2@example.org>\r\n"
               b"Subject: blind\r\nbcc: secret3@example.org\r\n\r\nBcc: this line is body\r\n")
    rcpts = ["to@example.org", "cc@example.org", "secret1@example.org", "secret2@example.org",
             "secret3@example.org"]
    with smtplib.SMTP("127.0.0.1", smtp_port_of(postern), timeout=TIMEOUT) as s:
        s.ehlo()
        mid = send_raw(s, "a@example.com", rcpts, message)
    api = postern.api()
    m = api.wait_status(mid, {"sent"})
    assert (m["to"], m["cc"]) == (["to@example.org"], ["cc@example.org"])
    assert sorted(m["bcc"]) == ["secret1@example.org", "secret2@example.org", "secret3@example.org"]
    received, rest = split_received(raw_of(api, mid))
    assert rest == (b"From: a@example.com\r\nTo: to@example.org\r\nCc: cc@example.org\r\n"
                    b"Subject: blind\r\n\r\nBcc: this line is body\r\n")
    assert b"secret" not in received  # several recipients: no "for" clause


def test_received_header_on_each_message_and_unparseable_header(postern):
    with smtplib.SMTP("127.0.0.1", smtp_port_of(postern), timeout=TIMEOUT) as s:
        s.ehlo("first.client")
        ids = [send_raw(s, "a@example.com", ["b@example.org"], SIMPLE % b"n%d" % i) for i in range(3)]
        s.mail("a@example.com")
        s.rcpt("b@example.org")
        # A header block that is not one (a continuation line first) is refused.
        assert s.data(b" folded first\r\n\r\nbody\r\n") == (554, b"5.6.0 Message header cannot be parsed")
    api = postern.api()
    for mid in ids:
        raw = raw_of(api, mid)
        assert raw.count(b"Received: ") == 1
        assert raw.startswith(f"X-Postern-Id: {mid}\r\nReceived: from first.client ([127.0.0.1])".encode())
    assert len(stored(api)) == 3
