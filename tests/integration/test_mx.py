"""The test inbox's MX listener against the real binary (docs/inbox.md "MX
listener"), with smtplib and swaks as the mail servers and staging systems
that deliver to it: mail to a test account's address lands in its INBOX
(read back over IMAP), one message to two accounts reaches both and is
stored once, every other domain is refused with 550 5.7.1 whoever sends it
(also after STARTTLS), an unknown user with 550 5.1.1, AUTH is neither
offered nor taken, a full account answers 552 5.2.2, and with a provider
configured nothing the MX took ever reaches it."""
import os
import shutil
import smtplib
import sqlite3
import subprocess

import pytest

from conftest import needs_simulator, requires, stored
from simulator import MAILGUN_KEY
from test_capture import create, inbox, message_id_of, wait_final, wait_for_inbox
from test_imap import login, tls_context

TIMEOUT = 30
DOMAIN = "inbox.example.test"
needs_swaks = requires(shutil.which("swaks") is not None, "swaks is not installed (scripts/bootstrap.sh)")


def mx_node(postern_factory, config_text=None):
    node = postern_factory(env={"POSTERN_INBOX_MX_LISTEN": "127.0.0.1:0",
                                # Any case: the domain is compared ignoring it.
                                "POSTERN_INBOX_DOMAIN": "Inbox.Example.TEST"},
                           config_text=config_text)
    assert node.mx_port, "the ready line names no MX listener"
    return node


@pytest.fixture
def node(postern_factory):
    return mx_node(postern_factory)


def mx(node):
    client = smtplib.SMTP("127.0.0.1", node.mx_port, timeout=TIMEOUT)
    client.ehlo("relay.provider.example")
    return client


def message(sender, to, subject, body="Your order has shipped.\r\n"):
    return (f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\n"
            f"Message-ID: <{subject.replace(' ', '-')}@provider.example>\r\n\r\n{body}").encode()


def imap_subjects(node, account):
    """The subjects in the account's INBOX, read over IMAP after STARTTLS."""
    client = login(node, account)
    try:
        typ, data = client.select("INBOX", readonly=True)
        assert typ == "OK", data
        typ, data = client.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        assert typ == "OK", data
        return sorted(part[1].decode().strip().removeprefix("Subject: ")
                      for part in data if isinstance(part, tuple))
    finally:
        client.logout()


def swaks(node, *args):
    return subprocess.run(["swaks", "--server", f"127.0.0.1:{node.mx_port}", "--helo", "relay.provider.example",
                           *args], capture_output=True, text=True, timeout=60)


def test_mail_to_an_account_lands_in_its_inbox(node):
    api = node.api()
    account, other = create(api), create(api)
    assert account["address"] == f"{account['user']}@{DOMAIN}"
    with mx(node) as s:
        assert s.has_extn("starttls") and not s.has_extn("auth")
        to = account["address"].upper()  # an address in any case reaches its account
        s.mail("alerts@provider.example")
        assert s.rcpt(to)[0] == 250
        code, reply = s.data(message("alerts@provider.example", to, "Order 42 shipped"))
    reply = reply.decode()
    assert code == 250 and "[STATUS=new MSGID=" in reply, reply
    mid = message_id_of(reply)

    # Caught through the gateway, as mail sent with an account's credentials.
    status = wait_final(api, mid)
    assert status["status"] == "sent" and status["provider"] == "capture", status
    assert imap_subjects(node, account) == ["Order 42 shipped"]
    got = wait_for_inbox(api, account["user"], 1)
    assert got[0]["from"] == "alerts@provider.example" and got[0]["subject"] == "Order 42 shipped"
    assert inbox(api, other["user"])["data"] == []
    assert inbox(api, "catch-all")["data"] == []


@needs_swaks
def test_one_message_to_two_accounts_reaches_both_stored_once(node):
    api = node.api()
    a, b, c = create(api), create(api), create(api)
    r = swaks(node, "--from", "staging@provider.example", "--to", f"{a['address']},{b['address']}",
              "--header", "Subject: For both", "--body", "one copy, two inboxes")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "[STATUS=new MSGID=" in r.stdout, r.stdout
    for account in (a, b):
        assert [m["subject"] for m in wait_for_inbox(api, account["user"], 1)] == ["For both"]
        assert imap_subjects(node, account) == ["For both"]
    assert inbox(api, c["user"])["data"] == [] and inbox(api, "catch-all")["data"] == []
    # One blob, referred to by both INBOXes.
    db = sqlite3.connect(f"file:{os.path.join(node.workdir, 'postern.db')}?mode=ro", uri=True)
    try:
        assert db.execute("SELECT count(*), max(refs) FROM inbox_blobs").fetchone() == (1, 2)
    finally:
        db.close()


@needs_swaks
def test_every_other_domain_is_refused_whoever_sends(node):
    api = node.api()
    account = create(api)
    denied = "5.7.1 Relaying denied"
    outside = ("victim@example.org", f"{account['user']}@{DOMAIN}.evil.example", f"x@sub.{DOMAIN}")
    for sender in ("spammer@example.org", account["address"], ""):  # also one of the inbox domain
        with mx(node) as s:  # from loopback: trusted on the submission port, not here
            assert s.mail(sender)[0] == 250
            for to in outside:
                code, text = s.rcpt(to)
                assert code == 550 and text.decode().startswith(denied), (sender, to, text)
            assert s.docmd("DATA")[0] == 554  # no valid recipients
    # After STARTTLS just the same.
    with mx(node) as s:
        s.starttls(context=tls_context())
        s.ehlo("relay.provider.example")
        assert not s.has_extn("auth") and not s.has_extn("starttls")
        s.mail(account["address"])
        code, text = s.rcpt("victim@example.org")
        assert code == 550 and text.decode().startswith(denied), text
        # A good recipient beside it still gets the message; the other never does.
        assert s.rcpt(account["address"])[0] == 250
        assert s.data(message(account["address"], "victim@example.org", "Mixed"))[0] == 250
    r = swaks(node, "--tls", "--from", account["address"], "--to", "victim@example.org")
    assert r.returncode != 0 and "550 5.7.1 Relaying denied" in r.stdout, r.stdout + r.stderr
    assert "STARTTLS" in r.stdout and "<~* 550 5.7.1" in r.stdout, r.stdout  # refused over TLS

    assert [m["subject"] for m in wait_for_inbox(api, account["user"], 1)] == ["Mixed"]
    messages = stored(api)
    assert len(messages) == 1
    m = api.get(f"/v1/messages/{messages[0]['id']}").json()
    assert m["to"] + m["cc"] + m["bcc"] == [account["address"]]  # the envelope: the refused one is not in it


def test_an_unknown_user_is_refused(node):
    with mx(node) as s:
        s.mail("alerts@provider.example")
        code, text = s.rcpt(f"nobody-here@{DOMAIN}")
        assert code == 550 and text.decode().startswith("5.1.1 "), text
    assert stored(node.api()) == []


@needs_swaks
def test_auth_is_neither_offered_nor_taken(node):
    account = create(node.api())
    with mx(node) as s:
        assert not s.has_extn("auth")
        code, text = s.docmd("AUTH", "PLAIN AHVzZXIAcGFzcw==")
        assert code == 502 and text.decode().startswith("5.5.1 "), text
        s.starttls(context=tls_context())
        s.ehlo("relay.provider.example")
        assert not s.has_extn("auth")
        with pytest.raises(smtplib.SMTPNotSupportedError):
            s.login(account["user"], account["password"])
        code, _ = s.docmd("AUTH", "LOGIN")
        assert code == 502
    r = swaks(node, "--tls", "--auth", "PLAIN", "--auth-user", account["user"], "--auth-password",
              account["password"], "--to", account["address"])
    assert r.returncode != 0, r.stdout


def test_a_full_account_answers_552(node):
    api = node.api()
    small = create(api, {"quota": 2000})
    roomy = create(api)
    big = message("alerts@provider.example", small["address"], "Too big", ("x" * 78 + "\r\n") * 40)
    with mx(node) as s:
        s.mail("alerts@provider.example")
        assert s.rcpt(small["address"])[0] == 250
        assert s.rcpt(roomy["address"])[0] == 250
        code, text = s.data(big)
        assert code == 552 and text.decode().startswith("5.2.2 "), text
        # Nothing stored, for either; a message that fits still goes in.
        s.mail("alerts@provider.example")
        s.rcpt(small["address"])
        assert s.data(message("alerts@provider.example", small["address"], "Fits"))[0] == 250
    assert [m["subject"] for m in wait_for_inbox(api, small["user"], 1)] == ["Fits"]
    assert inbox(api, roomy["user"])["data"] == []
    assert len(stored(api)) == 1


@needs_simulator
def test_never_relayed_with_providers_and_routes(postern_factory, sim_factory):
    sim = sim_factory(services=("mailgun",))
    config = (f'[[providers]]\nname = "mg"\ntype = "mailgun"\nbase_url = "{sim.url("mailgun")}"\n'
              f'api_key = "{MAILGUN_KEY}"\ndomain = "mg.example.com"\npool = "outbound"\n'
              '[routing]\ndefault_pool = "outbound"\n'
              f'[[routes]]\nsender_domain = "{DOMAIN}"\npool = "outbound"\n')
    node = mx_node(postern_factory, config_text=config)
    api = node.api()
    account = create(api)
    with mx(node) as s:
        s.mail(f"someone@{DOMAIN}")  # a sender the routes send through Mailgun
        assert s.rcpt(account["address"])[0] == 250
        code, reply = s.data(message(f"someone@{DOMAIN}", account["address"], "Via the MX"))
    assert code == 250
    mid = message_id_of(reply.decode())
    assert wait_final(api, mid)["provider"] == "capture"
    assert [m["subject"] for m in wait_for_inbox(api, account["user"], 1)] == ["Via the MX"]
    assert sim.messages(mid) is None and sim.accepted() == 0

    # The routing does send the node's other mail to the simulator.
    r = api.send({"from": f"app@{DOMAIN}", "to": ["customer@example.org"], "subject": "Out", "text": "x"})
    assert r.status == 202, r
    assert wait_final(api, r.json()["id"])["provider"] == "mg"
    assert sim.accepted() == 1
