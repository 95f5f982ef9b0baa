"""SMTP session limits and concurrency against the real binary: idle and
session timeouts, the error limit, connection limits (global and per
address, trusted networks exempt), 200 sessions at once, and a slow client
that must not hold up the others. Helpers come from test_smtp.py."""
import smtplib
import threading
import time

import pytest

from conftest import Threads, metric, stored
from test_smtp import (TIMEOUT, RawSmtp, create_key, plain_response, queued_id, send_raw, smtp_port_of, toml_config,
                       wait_sessions_closed)

SIMPLE = b"From: a@example.com\r\nTo: b@example.org\r\nSubject: %s\r\n\r\nbody\r\n"


def expect_closed(c):
    assert c.at_eof(), "the server did not close the connection"


# -- timeouts --------------------------------------------------------------------

@pytest.fixture
def quick_timeouts(postern_factory):
    return postern_factory(config_text=toml_config(smtp={"idle_timeout": "1s", "session_timeout": "3s"}))


def test_idle_timeout_between_commands(quick_timeouts):
    with RawSmtp(smtp_port_of(quick_timeouts)) as c:
        assert c.reply().startswith(b"220 ")
        start = time.monotonic()  # before the last command: the server's idle time starts after it
        assert c.cmd("EHLO client.test").startswith(b"250-")
        reply = c.reply()  # nothing sent: the server speaks first, then closes
        waited = time.monotonic() - start
        assert reply == b"421 4.4.2 localhost Idle timeout, closing connection\r\n"
        # Not before the idle timeout; the upper bound is generous (docs/testing.md).
        assert 1.0 <= waited < 10, waited
        expect_closed(c)


def test_idle_timeout_mid_data_stores_nothing(quick_timeouts):
    with RawSmtp(smtp_port_of(quick_timeouts)) as c:
        c.greet()
        c.send(b"MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n")
        assert [r[:3] for r in c.replies(3)] == [b"250", b"250", b"354"]
        c.send(SIMPLE % b"stalled")  # and no end of data
        assert c.reply().startswith(b"421 4.4.2 ")
        expect_closed(c)
    assert stored(quick_timeouts.api()) == []
    assert metric(quick_timeouts, 'postern_smtp_messages_total{result="refused"}') == 1


def test_session_time_limit_ends_a_busy_session(quick_timeouts):
    start = time.monotonic()  # before the connection: the session's time starts after it
    with RawSmtp(smtp_port_of(quick_timeouts)) as c:
        c.greet()
        replies = []
        while time.monotonic() - start < 10:
            c.send(b"NOOP\r\n")
            replies.append(c.reply())
            if not replies[-1].startswith(b"250"):
                break
            time.sleep(0.3)  # never idle for a whole second
        assert replies[-1] == b"421 4.4.2 localhost Session time limit exceeded, closing connection\r\n"
        # Not before the session limit; the upper bound is generous (docs/testing.md).
        assert 3.0 <= time.monotonic() - start < 10
        expect_closed(c)


# -- errors ----------------------------------------------------------------------

def test_too_many_errors_ends_the_session(postern_factory):
    p = postern_factory(config_text=toml_config(smtp={"max_errors": 3}))
    with RawSmtp(smtp_port_of(p)) as c:
        c.greet()
        assert c.cmd("FOO").startswith(b"500 5.5.1")
        assert c.cmd("RCPT TO:<b@example.org>").startswith(b"503 5.5.1")
        assert c.cmd("NOOP").startswith(b"250")  # successes do not reset the count
        assert c.cmd("BAR").startswith(b"500 5.5.1")
        # The third 5xx: the 421 follows without waiting for another command.
        assert c.reply() == b"421 4.7.0 localhost Too many errors, closing connection\r\n"
        expect_closed(c)


def test_too_many_commands_without_a_message(postern):
    """NOOP, RSET, VRFY, HELP and EHLO count towards 100 between messages."""
    with RawSmtp(smtp_port_of(postern)) as c:
        c.greet()  # one EHLO
        c.send(b"NOOP\r\n" * 99 + b"NOOP\r\n")
        replies = c.replies(100)
        assert all(r.startswith(b"250 2.0.0") for r in replies[:99])
        assert replies[99].startswith(b"421 4.7.0 ")
        expect_closed(c)


# -- connection limits ---------------------------------------------------------------

def connect(port, source=None):
    c = RawSmtp(port, source=source)
    return c, c.reply()


def test_per_address_limit_for_untrusted_clients(postern_factory):
    # Trusted networks are exempt from the per-address limit: trust nobody and
    # authenticate instead (AUTH allowed in clear for the test's simplicity).
    p = postern_factory(config_text=toml_config(smtp={
        "trusted_networks": [], "auth_without_tls": True, "max_connections_per_address": 2}))
    secret = create_key(p, "mailer", "send,read")
    port = smtp_port_of(p)
    first, g1 = connect(port)
    second, g2 = connect(port)
    try:
        assert g1.startswith(b"220 ") and g2.startswith(b"220 ")
        third, g3 = connect(port)
        with third:
            assert g3 == b"421 4.7.0 localhost Too many connections, try again later\r\n"
            expect_closed(third)
        # Another client address has its own allowance.
        other, g4 = connect(port, source="127.0.0.2")
        with other:
            assert g4.startswith(b"220 ")
        # The admitted sessions work normally.
        ids = []
        for c in (first, second):
            c.cmd("EHLO client.test")
            assert c.cmd("AUTH PLAIN " + plain_response("mailer", secret)).startswith(b"235 2.7.0")
            c.send(b"MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n" + SIMPLE % b"limit" + b".\r\n")
            *_, done = c.replies(4)
            assert done.startswith(b"250 2.0.0 Ok: queued as "), done
            ids.append(queued_id(done))
    finally:
        first.close()
    # A slot freed is a slot available again.
    wait_for(lambda: metric(p, "postern_smtp_sessions_active") <= 1)
    again, g5 = connect(port)
    with again, second:
        assert g5.startswith(b"220 ")
    assert sorted(m["id"] for m in stored(p.api(secret))) == sorted(ids)
    assert metric(p, "postern_smtp_connections_refused_total") == 1


def test_trusted_clients_are_exempt_from_the_per_address_limit(postern_factory):
    p = postern_factory(config_text=toml_config(smtp={"max_connections_per_address": 2}))
    clients = [connect(smtp_port_of(p)) for _ in range(6)]
    try:
        assert all(g.startswith(b"220 ") for _, g in clients)
    finally:
        for c, _ in clients:
            c.close()


def test_global_connection_limit(postern_factory):
    p = postern_factory(config_text=toml_config(smtp={"max_connections": 3}))
    port = smtp_port_of(p)
    clients = [connect(port) for _ in range(3)]
    try:
        assert all(g.startswith(b"220 ") for _, g in clients)
        extra, g = connect(port)
        with extra:
            assert g == b"421 4.7.0 localhost Too many connections, try again later\r\n"
            expect_closed(extra)
        assert metric(p, "postern_smtp_connections_refused_total") == 1
        # The sessions inside the limit are served.
        c = clients[0][0]
        c.cmd("EHLO client.test")
        c.send(b"MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n" + SIMPLE % b"inside" + b".\r\n")
        assert c.replies(4)[-1].startswith(b"250 2.0.0 Ok: queued as ")
    finally:
        for c, _ in clients:
            c.close()
    wait_sessions_closed(p)
    late, g = connect(port)
    with late:
        assert g.startswith(b"220 ")


def wait_for(condition, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError("condition not met in %ss" % timeout)


# -- concurrency -----------------------------------------------------------------

def test_200_concurrent_sessions_all_get_250(postern):
    port = smtp_port_of(postern)
    n = 200
    connected = threading.Barrier(n + 1, timeout=TIMEOUT)
    go = threading.Barrier(n + 1, timeout=TIMEOUT)
    results, errors = {}, []

    def client(i):
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=TIMEOUT) as s:
                s.ehlo(f"client{i}.test")
                connected.wait()
                go.wait()
                results[i] = send_raw(s, "a@example.com", [f"r{i}@example.org"], SIMPLE % b"c%d" % i)
        except Exception as e:  # reported below; a broken barrier must not hang the others
            errors.append(f"{i}: {e!r}")
            connected.abort()
            go.abort()

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    try:
        connected.wait()
        assert metric(postern, "postern_smtp_sessions_active") == n  # all open at once
    finally:
        go.wait()
    for t in threads:
        t.join(TIMEOUT)
    assert not errors, errors[:5]
    assert len(results) == n
    messages = stored(postern.api())
    assert sorted(m["id"] for m in messages) == sorted(results.values())
    assert sorted(m["subject"] for m in messages) == sorted(f"c{i}" for i in range(n))


def test_slow_client_does_not_hold_up_others(postern):
    """One client sends a byte every 100 ms; meanwhile others are served at
    full speed, and the slow one is served too in the end."""
    port = smtp_port_of(postern)
    script = [b"EHLO slow.test\r\n", b"MAIL FROM:<s@example.com>\r\n", b"RCPT TO:<b@example.org>\r\n",
              b"DATA\r\n", SIMPLE % b"slow" + b".\r\n"]
    slow, dribbling = {}, threading.Event()

    def dribble():
        with RawSmtp(port) as c:
            slow["greeting"] = c.reply()
            for line in script:
                for b in line:
                    c.send(bytes([b]))
                    dribbling.set()
                    time.sleep(0.1)
                slow.setdefault("replies", []).append(c.reply())
            slow["done"] = time.monotonic()

    threads = Threads()
    t = threads.start(dribble)
    assert dribbling.wait(TIMEOUT), "the slow client never started"  # it is inside its EHLO
    start = time.monotonic()
    ids, worst = [], 0.0
    for i in range(20):
        t0 = time.monotonic()
        with smtplib.SMTP("127.0.0.1", port, timeout=TIMEOUT) as s:
            s.ehlo()
            ids.append(send_raw(s, "a@example.com", ["b@example.org"], SIMPLE % b"fast%d" % i))
        worst = max(worst, time.monotonic() - t0)
    fast_done = time.monotonic()
    # The proof: all were served while the slow client still dribbled (it
    # takes ~15 s). A session normally takes a few ms; the bound on the
    # slowest is generous for a loaded box (docs/testing.md).
    assert t.is_alive(), "the slow client finished first: the test proves nothing"
    assert worst < 5.0, worst
    threads.join(40)
    assert slow["done"] > fast_done > start
    assert slow["replies"][-1].startswith(b"250 2.0.0 Ok: queued as "), slow
    assert len(stored(postern.api())) == 21
