"""Sending over HTTP with an API key bound to a test account, against the real
binary (docs/inbox.md "Sending over HTTP"): POST /v1/messages with such a key,
JSON or raw, is caught into that account's INBOX (read over HTTP and IMAP)
and never relayed, though the routing sends everything to a provider; no
other account sees it; over the account's quota the answer is 507 and the
account keeps its mail; deleting the account stops its keys (401);
`postern keys create --test-account` makes such a key as documented; and
SMTP AUTH with the key's name and secret is caught for the account too."""
import imaplib
import re
import smtplib
import ssl
import time

import pytest

from conftest import simple_message, stored
from test_capture import create, inbox, routed, wait_final, wait_for_inbox  # noqa: F401 (fixture)

TIMEOUT = 30


def raw_message(subject, body="Hello from a staging system\r\n"):
    return (f"From: app@staging.test\r\nTo: customer@example.org\r\nSubject: {subject}\r\n"
            f"Message-ID: <{subject.replace(' ', '-')}@staging.test>\r\n\r\n{body}").encode()


def send_raw(api, key, subject, body="Hello from a staging system\r\n"):
    return api.post("/v1/messages", raw_message(subject, body), key=key,
                    headers={"Content-Type": "message/rfc822"})


def tls_context():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the node's self-signed certificate
    return context


def imap_subjects(postern, account):
    """The subjects of the account's INBOX over IMAP (STARTTLS, LOGIN)."""
    client = imaplib.IMAP4("127.0.0.1", postern.imap_port, timeout=TIMEOUT)
    try:
        client.starttls(tls_context())
        assert client.login(account["user"], account["password"])[0] == "OK"
        assert client.select("INBOX")[0] == "OK"
        status, data = client.uid("FETCH", "1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        assert status == "OK", data
        return sorted(part[1].decode().strip().removeprefix("Subject: ")
                      for part in data if isinstance(part, tuple))
    finally:
        client.logout()


def cli_key(postern, name, user):
    """`postern keys create --name NAME --test-account USER`, as docs/inbox.md shows it."""
    out = postern.cli("keys", "create", "--name", name, "--test-account", user).stdout
    lines = out.splitlines()
    assert len(lines) == 1 and re.fullmatch(r"pst_\S{43}", lines[0]), out
    return lines[0]


def wait_refused(api, key, timeout=10):
    """The status of a send with `key` once it is refused, or the last one
    after `timeout`: another process's change reaches the server's key cache
    within its refresh period (2 s)."""
    deadline = time.monotonic() + timeout
    while True:
        r = api.send(simple_message(9), key=key)
        if r.status != 202 or time.monotonic() > deadline:
            return r
        time.sleep(0.1)


def test_a_bound_keys_mail_is_caught_into_its_account_and_never_relayed(routed):
    postern, sim = routed
    api = postern.api()
    a = create(api, {"api_key": True})
    b = create(api, {"api_key": True})
    key = a["api_key"]["secret"]
    assert a["api_key"]["name"] == a["user"] + ".key" and a["api_key"]["scopes"] == ["send"]
    assert "password" in a and a["smtp"]["port"] == postern.smtp_port  # the settings, beside it

    r = api.send(simple_message(1, subject="JSON over HTTP"), key=key)
    assert r.status == 202, r
    sent_json = r.json()["id"]
    r = send_raw(api, key, "Raw over HTTP")
    assert r.status == 202, r
    sent_raw = r.json()["id"]

    # Through the gateway like any message, sent via capture, never the provider.
    for mid in (sent_json, sent_raw):
        status = wait_final(api, mid)
        assert (status["status"], status["provider"]) == ("sent", "capture"), status
        assert sim.messages(mid) is None
    got = wait_for_inbox(api, a["user"], 2)
    assert sorted(m["subject"] for m in got) == ["JSON over HTTP", "Raw over HTTP"]
    assert imap_subjects(postern, a) == ["JSON over HTTP", "Raw over HTTP"]
    # B sees none of it, over HTTP or IMAP.
    assert inbox(api, b["user"])["data"] == []
    assert imap_subjects(postern, b) == []
    assert sim.accepted() == 0

    # The key may only send: the node's messages and keys are not its to read.
    assert api.get("/v1/messages", key=key).status == 403
    assert api.get(f"/v1/test-accounts/{a['user']}/messages", key=key).status == 403
    # An ordinary message of the same node still goes out through the routing.
    r = api.send(simple_message(7))
    assert r.status == 202, r
    assert wait_final(api, r.json()["id"])["provider"] == "mg"
    assert sim.accepted() == 1
    assert len(inbox(api, a["user"])["data"]) == 2


def test_over_its_quota_a_bound_key_gets_507_and_the_account_keeps_its_mail(postern):
    api = postern.api()
    small = create(api, {"quota": "3KiB", "api_key": True})
    key = small["api_key"]["secret"]
    body = ("x" * 98 + "\r\n") * 15  # 1500 bytes
    r = send_raw(api, key, "First", body)
    assert r.status == 202, r
    [first] = wait_for_inbox(api, small["user"], 1)
    before = len(stored(api))

    for refused in (send_raw(api, key, "Second", body),
                    api.send(simple_message(2, subject="Second", text=body), key=key)):
        assert refused.status == 507, refused
        error = refused.json()["error"]
        assert error["code"] == "quota_exceeded", error
        assert error["message"].startswith(
            f"test account '{small['user']}' is over its quota of 3072 bytes"), error
    # Nothing was stored, and what the account holds is untouched.
    assert len(stored(api)) == before
    assert [m["subject"] for m in inbox(api, small["user"])["data"]] == ["First"]
    r = api.get(f"/v1/test-accounts/{small['user']}/messages/{first['uid']}/raw")
    assert r.status == 200 and raw_message("First", body) in r.body, r


def test_deleting_the_account_makes_its_keys_answer_401(postern):
    api = postern.api()
    a = create(api, {"api_key": True})
    key = a["api_key"]["secret"]
    assert api.send(simple_message(1), key=key).status == 202
    assert api.delete(f"/v1/test-accounts/{a['user']}").status == 204
    r = api.send(simple_message(2), key=key)
    assert r.status == 401 and r.json()["error"]["code"] == "invalid_api_key", r

    # The same when another process (the CLI) deletes it.
    b = create(api)
    other = cli_key(postern, "staging-b", b["user"])
    assert api.send(simple_message(3), key=other).status == 202
    postern.cli("test-accounts", "delete", b["user"])
    assert wait_refused(api, other).status == 401
    assert "staging-b" not in postern.cli("keys", "list").stdout


def test_the_cli_binds_a_key_to_an_account(postern):
    api = postern.api()
    a, b = create(api), create(api)
    key = cli_key(postern, "staging", a["user"])
    listed = postern.cli("keys", "list").stdout.splitlines()
    # name and test account (columns 1 and 4; expiry and last use follow)
    assert [line.split("\t")[0:4:3] for line in listed] == [["staging", a["user"]]], listed
    assert listed[0].split("\t")[1] == "send"

    r = api.send(simple_message(1, subject="Sent with the CLI's key"), key=key)
    assert r.status == 202, r
    assert [m["subject"] for m in wait_for_inbox(api, a["user"], 1)] == ["Sent with the CLI's key"]
    assert inbox(api, b["user"])["data"] == []
    # A bound key leaves loopback callers trusted: it closes no door.
    assert api.get("/v1/messages").status == 200

    refused = postern.cli("keys", "create", "--name", "x", "--test-account", "nobody-here-0000",
                          check=False)
    assert refused.returncode == 2 and "--test-account" in refused.stderr, refused.stderr
    refused = postern.cli("keys", "create", "--name", "y", "--scopes", "send,read",
                          "--test-account", a["user"], check=False)
    assert refused.returncode == 2 and "send scope only" in refused.stderr, refused.stderr
    assert len(postern.cli("keys", "list").stdout.splitlines()) == 1


def test_smtp_auth_with_a_bound_key_is_caught_for_its_account_too(postern):
    api = postern.api()
    a, b = create(api, {"api_key": True}), create(api)
    with smtplib.SMTP("127.0.0.1", postern.smtp_port, timeout=TIMEOUT) as s:
        s.starttls(context=tls_context())
        s.login(a["api_key"]["name"], a["api_key"]["secret"])
        s.sendmail("app@staging.test", ["customer@example.org"], raw_message("Over SMTP with the key"))
    assert [m["subject"] for m in wait_for_inbox(api, a["user"], 1)] == ["Over SMTP with the key"]
    assert inbox(api, b["user"])["data"] == [] and inbox(api, "catch-all")["data"] == []


@pytest.mark.parametrize("body,field", [({"name": "k", "test_account": "nobody-here-0000"}, "test_account"),
                                        ({"name": "k", "test_account": 5}, "test_account")])
def test_the_admin_api_names_the_field_it_refuses(postern, body, field):
    r = postern.api().post("/v1/keys", body)
    assert r.status == 422 and r.json()["error"]["field"] == field, r
