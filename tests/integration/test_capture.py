"""Caught mail against the real binary (docs/inbox.md "How mail is caught"):
mail sent with a test account's credentials goes through the gateway (it is
in /v1/messages, sent via capture) into that account's INBOX and nowhere
else, whatever the routing says; over quota it is refused at intake (552
5.2.2); with no provider configured, mail of the node is caught into the
catch-all account, and mail to test addresses into those accounts."""
import smtplib
import ssl
import time

import pytest

from conftest import simple_message
from simulator import MAILGUN_KEY

TIMEOUT = 30


def create(api, body=None):
    r = api.post("/v1/test-accounts", body)
    assert r.status == 201, r
    return r.json()


def raw_message(sender, to, subject, body="Hello from a staging system\r\n"):
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{subject.replace(' ', '-')}@staging.test>\r\n\r\n{body}").encode()


def send_as(postern, account, to, subject, body="Hello from a staging system\r\n"):
    """Submits over SMTP with STARTTLS then AUTH as the account, as Nodemailer
    does; returns the reply to DATA (code, text)."""
    return send_raw_as(postern, account, to, raw_message(account["address"], to, subject, body))


def send_raw_as(postern, account, to, message):
    """send_as() with the message's bytes as given."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the node's self-signed certificate
    with smtplib.SMTP("127.0.0.1", postern.smtp_port, timeout=TIMEOUT) as s:
        s.ehlo("staging.test")
        s.starttls(context=context)
        s.ehlo("staging.test")
        s.login(account["user"], account["password"])
        s.mail(account["address"])
        code, _ = s.rcpt(to)
        assert code == 250
        code, reply = s.data(message)
        return code, reply.decode()


def inbox(api, user, query=""):
    r = api.get(f"/v1/test-accounts/{user}/messages{query}")
    assert r.status == 200, r
    return r.json()


def wait_for_inbox(api, user, count, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        page = inbox(api, user)
        if len(page["data"]) >= count or time.monotonic() > deadline:
            return page["data"]
        time.sleep(0.1)


def message_id_of(reply):
    # "Ok: queued as ID [STATUS=new MSGID=ID]"
    return reply.split("queued as ", 1)[1].split()[0]


def wait_final(api, mid, timeout=20):
    return api.wait_status(mid, {"sent", "failed"}, timeout=timeout)


@pytest.fixture
def routed(postern_factory, sim_factory):
    """A node whose routing sends everything to a Mailgun (the simulator):
    caught mail must still never reach it."""
    sim = sim_factory(services=("mailgun",))
    config = (f'[[providers]]\nname = "mg"\ntype = "mailgun"\nbase_url = "{sim.url("mailgun")}"\n'
              f'api_key = "{MAILGUN_KEY}"\ndomain = "mg.example.com"\n')
    return postern_factory(config_text=config), sim


def test_mail_sent_as_an_account_is_caught_into_its_inbox_only(routed):
    postern, sim = routed
    api = postern.api()
    a, b = create(api), create(api)

    code, reply = send_as(postern, a, "customer@example.org", "Order 42 shipped")
    assert code == 250, reply
    mid = message_id_of(reply)

    # Through the gateway like any message: stored, attempted, sent via capture.
    status = wait_final(api, mid)
    assert status["status"] == "sent", status
    assert status["provider"] == "capture", status
    r = api.get(f"/v1/messages/{mid}")
    attempts = [e for e in r.json()["events"] if e["type"] in ("attempt", "sent")]
    assert attempts and all(e["provider"] == "capture" for e in attempts), r.json()

    got = wait_for_inbox(api, a["user"], 1)
    assert [(m["subject"], m["from"]) for m in got] == [("Order 42 shipped", a["address"])]
    assert got[0]["to"] == "customer@example.org" and got[0]["uid"] == 1 and got[0]["seen"] is False
    assert inbox(api, b["user"])["data"] == []  # B sees nothing of A's mail
    assert sim.messages(mid) is None and sim.accepted() == 0  # never relayed

    # Ordinary mail of the same node still goes out through the routing.
    r = api.send(simple_message(7))
    assert r.status == 202, r
    ordinary = r.json()["id"]
    assert wait_final(api, ordinary)["provider"] == "mg"
    assert sim.messages(ordinary) is not None
    assert len(inbox(api, a["user"])["data"]) == 1


def test_listing_pages_newest_first(postern):
    api = postern.api()
    a = create(api)
    for i in range(3):
        assert send_as(postern, a, "x@example.org", f"Note {i}")[0] == 250
    wait_for_inbox(api, a["user"], 3)
    first = inbox(api, a["user"], "?limit=2")
    assert [m["subject"] for m in first["data"]] == ["Note 2", "Note 1"]
    rest = inbox(api, a["user"], f"?limit=2&cursor={first['next_cursor']}")
    assert [m["subject"] for m in rest["data"]] == ["Note 0"] and rest["next_cursor"] is None
    r = api.get("/v1/test-accounts/nobody-here-0000/messages")
    assert r.status == 404 and r.json()["error"]["field"] == "user", r
    r = api.get(f"/v1/test-accounts/{a['user']}/messages?cursor=abc")
    assert r.status == 400 and r.json()["error"]["field"] == "cursor", r


def test_an_account_over_quota_is_refused_at_intake(postern):
    api = postern.api()
    small = create(api, {"quota": "3KiB"})
    body = ("x" * 98 + "\r\n") * 15  # 1500 bytes
    assert send_as(postern, small, "x@example.org", "First", body)[0] == 250
    assert len(wait_for_inbox(api, small["user"], 1)) == 1
    account = api.get(f"/v1/test-accounts/{small['user']}").json()
    assert account["used_bytes"] > 1500, account

    # The next one would not fit: refused for good before anything is stored.
    before = len(api.get("/v1/messages?limit=500").json()["data"])
    code, reply = send_as(postern, small, "x@example.org", "Second", body)
    assert (code, reply) == (552, "5.2.2 Mailbox full: the test account is over its quota")
    assert len(api.get("/v1/messages?limit=500").json()["data"]) == before
    assert len(inbox(api, small["user"])["data"]) == 1

    # Another account is not affected.
    other = create(api)
    assert send_as(postern, other, "x@example.org", "Elsewhere", body)[0] == 250


def test_catch_all_takes_the_nodes_mail_on_the_defaults(postern):
    api = postern.api()
    a = create(api)
    r = api.get("/v1/test-accounts/catch-all")
    assert r.status == 200 and r.json()["catch_all"] is True, r
    assert "catch-all" in "\n".join(postern.log_lines)  # its password is logged once

    # Over HTTP, with no credentials of any account: the catch-all has it.
    r = api.send(simple_message(1, subject="From the API"))
    assert r.status == 202, r
    assert wait_final(api, r.json()["id"])["provider"] == "capture"
    assert [m["subject"] for m in wait_for_inbox(api, "catch-all", 1)] == ["From the API"]

    # Mail to a test address lands in that account, not in the catch-all.
    r = api.send(simple_message(2, subject="To a test address", to=[a["address"]]))
    assert r.status == 202, r
    wait_final(api, r.json()["id"])
    assert [m["subject"] for m in wait_for_inbox(api, a["user"], 1)] == ["To a test address"]
    assert [m["subject"] for m in inbox(api, "catch-all")["data"]] == ["From the API"]
