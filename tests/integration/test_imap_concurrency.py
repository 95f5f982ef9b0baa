"""50 IMAP sessions on one mailbox while mail arrives over SMTP, against the
real binary (issue #27, "Concurrency"): every session SELECTs INBOX before
the first message is sent, ten of them STORE flags while 200 messages
arrive, ten wait in IDLE until all are pushed to them, and the others NOOP
until they have seen them all. Then every session's view (UID FETCH 1:*
(FLAGS)) is the same and equals the server's truth (a fresh session's), and
every flag a session set is seen by all."""
import re
import smtplib
import ssl
import threading
import time

import pytest

from conftest import Threads
from mail_clients import TIMEOUT, imap_session, node_certificate
from test_capture import create, inbox, raw_message

SESSIONS = 50
MESSAGES = 200
SENDERS = 4
SETTERS = range(0, SESSIONS, 5)  # these sessions STORE flags while mail arrives
IDLERS = range(1, SESSIONS, 5)  # these wait in IDLE for the mail to be pushed, as mail clients do
FETCHED = re.compile(rb"UID (\d+) FLAGS \(([^)]*)\)|FLAGS \(([^)]*)\) UID (\d+)")


@pytest.fixture
def node(postern_factory):
    # 50 sessions plus the test's own come from one address: more than the
    # default limit per address (20) lets in.
    return postern_factory(env={"POSTERN_IMAP_MAX_CONNECTIONS_PER_ADDRESS": "60"})


def send(postern, account, first, count):
    """`count` messages over one SMTP session with the account's login."""
    context = ssl.create_default_context(cafile=node_certificate(postern))
    with smtplib.SMTP("localhost", postern.smtp_port, timeout=TIMEOUT) as s:
        s.starttls(context=context)
        s.login(account["user"], account["password"])
        for i in range(first, first + count):
            subject = f"Arrival {i}"
            s.sendmail(account["address"], [account["address"]],
                       raw_message(account["address"], account["address"], subject))


def exists(client, known):
    """The message count after the untagged EXISTS responses seen so far."""
    _, data = client.response("EXISTS")
    return int(data[-1]) if data and data[-1] is not None else known


def idle_until(client, wanted):
    """IDLE until the EXISTS pushed reach `wanted`, then DONE; returns the
    count. By hand: imaplib of Python 3.11 has no IDLE. Each read is bounded
    by the socket's timeout."""
    client.send(b"i1 IDLE\r\n")
    count, idling = 0, False
    while not idling or count < wanted:
        line = client.readline()
        assert line, f"the connection closed during IDLE, at {count} messages"
        idling = idling or line.startswith(b"+ ")
        m = re.match(rb"\* (\d+) EXISTS", line)
        count = int(m.group(1)) if m else count
    client.send(b"DONE\r\n")
    while not line.startswith(b"i1 "):
        line = client.readline()
        assert line, "the connection closed after DONE"
    assert line.startswith(b"i1 OK"), line
    return count


def view(client):
    """UID -> flags of the selected mailbox, as this session sees it."""
    assert client.noop()[0] == "OK"
    client.response("FETCH")  # drop unsolicited FLAGS updates: only this FETCH's answer counts
    typ, data = client.uid("FETCH", "1:*", "(FLAGS)")
    assert typ == "OK", data
    out = {}
    for line in data:
        m = FETCHED.search(line)
        assert m, line
        uid, flags = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        out[int(uid)] = frozenset(f for f in flags.decode().split() if f != "\\Recent")
    return out


def test_fifty_sessions_converge_while_mail_arrives(node):
    api = node.api()
    account = create(api)
    sessions = [None] * SESSIONS
    selected = threading.Barrier(SESSIONS + 1, timeout=120)
    sent = threading.Event()
    stored = threading.Barrier(SESSIONS, timeout=120)  # every STORE done before the views are compared
    views = [None] * SESSIONS
    flags_set = [[] for _ in range(SESSIONS)]  # (sequence number, flag) each session set

    def session(i):
        try:
            run_session(i)
        except BaseException:
            selected.abort()  # the others stop waiting for this one
            stored.abort()
            raise

    def run_session(i):
        client = imap_session(node, account)
        sessions[i] = client
        typ, data = client.select("INBOX")
        assert (typ, data) == ("OK", [b"0"]), (typ, data)
        selected.wait()
        if i in IDLERS:
            assert idle_until(client, MESSAGES) == MESSAGES
            stored.wait()
            views[i] = view(client)
            return
        count, stores = 0, 0
        deadline = time.monotonic() + 120
        # Poll with NOOP until every message is in this view; the setters
        # STORE on the newest message they know as they go.
        while count < MESSAGES or (i in SETTERS and stores < 5):
            assert time.monotonic() < deadline, f"session {i} saw {count} of {MESSAGES} messages"
            assert client.noop()[0] == "OK"
            count = exists(client, count)
            if i in SETTERS and count and stores < 5 and (count > stores * 40 or sent.is_set()):
                flag = ("\\Flagged", "\\Seen", "\\Answered", f"kw{i}", "$Label1")[stores]
                typ, data = client.store(str(count), "+FLAGS", f"({flag})")
                assert typ == "OK" and flag.encode() in b" ".join(d for d in data if d), (flag, data)
                flags_set[i].append((count, flag))
                stores += 1
            if not sent.is_set():
                time.sleep(0.02)  # pacing, so that 50 pollers leave the sender its share
        stored.wait()
        views[i] = view(client)

    threads = Threads()
    for i in range(SESSIONS):
        threads.start(session, i)
    try:
        selected.wait()
    except threading.BrokenBarrierError:
        threads.join(60)  # a session failed before SELECT: its error, not the barrier's
        raise
    senders = Threads()
    per = MESSAGES // SENDERS
    for k in range(SENDERS):
        senders.start(send, node, account, k * per, per)
    senders.join(180)
    sent.set()
    threads.join(180)

    truth_client = imap_session(node, account)
    assert truth_client.select("INBOX")[0] == "OK"
    truth = view(truth_client)
    truth_client.logout()
    assert len(truth) == MESSAGES, sorted(truth)
    # The HTTP API reads the same store: the same UIDs, the same \\Seen.
    listed = inbox(api, account["user"], f"?limit={MESSAGES}")["data"]
    assert {m["uid"]: m["seen"] for m in listed} == {uid: "\\Seen" in flags for uid, flags in truth.items()}
    for i, seen in enumerate(views):
        assert seen == truth, f"session {i} differs from the server: " + str(
            {u: (seen.get(u), truth.get(u)) for u in set(seen) | set(truth) if seen.get(u) != truth.get(u)})
    uids = sorted(truth)  # no expunges: sequence number n is the n-th UID
    for i in SETTERS:
        assert len(flags_set[i]) == 5, (i, flags_set[i])
        for number, flag in flags_set[i]:
            assert flag in truth[uids[number - 1]], (i, number, flag, truth[uids[number - 1]])
    for client in sessions:
        assert client.logout()[0] == "BYE"
