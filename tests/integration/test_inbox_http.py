"""Reading a test account's mail over HTTP against the real binary
(docs/inbox.md "Reading over HTTP"): mail sent with the account's
credentials over SMTP is listed, searched by each filter, read (its HTML
sanitised under a strict CSP), its attachment and source downloaded byte
for byte, marked read and unread, deleted; an account's own login reads
its mail and never another's; /message/<id> shows it."""
import base64
import email.policy
import smtplib
import ssl
import time
import urllib.parse
from email.message import EmailMessage

import pytest

from conftest import Api

TIMEOUT = 30
ATTACHMENT = bytes(range(256)) * 40  # every byte value: byte-exact or not
ATTACHMENT_NAME = "résumé \"final\".bin"
HTML = ('<p onclick="steal()">Hello <b>there</b></p><script>alert("owned")</script>'
        '<img src="http://tracker.example/pixel.gif"><img src="cid:logo@postern.test">')
SUBJECT = "Invoice <b>&</b> 42"


def create(api):
    r = api.post("/v1/test-accounts")
    assert r.status == 201, r
    return r.json()


def rich_message(account, subject=SUBJECT, to="customer@example.org"):
    m = EmailMessage(policy=email.policy.SMTP)
    m["From"] = f"Billing <{account['address']}>"
    m["To"] = f"Customer <{to}>"
    m["Cc"] = "audit@example.net"
    m["Subject"] = subject
    m["Message-ID"] = f"<{int(time.time() * 1e6)}@staging.test>"
    m.set_content("Your invoice is attached.\n")
    m.add_alternative(HTML, subtype="html")
    m.get_payload()[1].add_related(b"\x89PNG fake", maintype="image", subtype="png",
                                   cid="<logo@postern.test>")
    m.add_attachment(ATTACHMENT, maintype="application", subtype="octet-stream",
                     filename=ATTACHMENT_NAME)
    return m.as_bytes()


def plain_message(account, subject, body, to):
    return (f"From: {account['address']}\r\nTo: {to}\r\nSubject: {subject}\r\n\r\n{body}\r\n").encode()


def submit(postern, account, raw, to):
    """Sends `raw` over SMTP with STARTTLS and AUTH as the account (as
    Nodemailer does); returns the gateway id from the reply to DATA."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # the node's self-signed certificate
    with smtplib.SMTP("127.0.0.1", postern.smtp_port, timeout=TIMEOUT) as s:
        s.starttls(context=context)
        s.login(account["user"], account["password"])
        s.mail(account["address"])
        assert s.rcpt(to)[0] == 250
        code, reply = s.data(raw)
        assert code == 250, reply
        return reply.decode().split("queued as ", 1)[1].split()[0]


def basic(account):
    token = base64.b64encode(f"{account['user']}:{account['password']}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def listing(api, user, query="", **kw):
    r = api.get(f"/v1/test-accounts/{user}/messages{query}", **kw)
    assert r.status == 200, r
    return r.json()


def wait_for(api, user, count, timeout=20):
    deadline = time.monotonic() + timeout
    while True:
        data = listing(api, user)["data"]
        if len(data) >= count or time.monotonic() > deadline:
            assert len(data) == count, data
            return data
        time.sleep(0.1)


def subjects(api, user, **query):
    page = listing(api, user, "?" + urllib.parse.urlencode(query))
    return [m["subject"] for m in page["data"]]


@pytest.fixture
def filled(postern):
    """A node with account A holding three messages (oldest first: two plain,
    then the rich one) and account B holding one: (api, A, B, the gateway
    ids of A's mail, the rich message's bytes)."""
    api = postern.api()
    a, b = create(api), create(api)
    rich = rich_message(a)
    ids = [submit(postern, a, plain_message(a, "Weekly report", "numbers are up", "boss@example.org"),
                  "boss@example.org"),
           submit(postern, a, plain_message(a, "Password reset", "use code 93141", "user@example.org"),
                  "user@example.org"),
           submit(postern, a, rich, "customer@example.org")]
    submit(postern, b, plain_message(b, "B's own", "private", "x@example.org"), "x@example.org")
    wait_for(api, a["user"], 3)
    wait_for(api, b["user"], 1)
    return api, a, b, ids, rich


def test_listing_is_newest_first_and_pages_by_cursor(filled):
    api, a, _, _, _ = filled
    first = listing(api, a["user"], "?limit=2")
    assert [m["subject"] for m in first["data"]] == [SUBJECT, "Password reset"]
    assert first["data"][0]["has_attachments"] is True
    assert first["data"][0]["url"] == f"/v1/test-accounts/{a['user']}/messages/{first['data'][0]['uid']}"
    second = listing(api, a["user"], f"?limit=2&cursor={first['next_cursor']}")
    assert [m["subject"] for m in second["data"]] == ["Weekly report"]
    assert second["next_cursor"] is None


def test_each_search_filter(filled):
    api, a, _, _, _ = filled
    assert subjects(api, a["user"], subject="RESET") == ["Password reset"]
    assert subjects(api, a["user"], text="93141") == ["Password reset"]
    assert subjects(api, a["user"], to="boss@") == ["Weekly report"]
    assert subjects(api, a["user"], to="audit@example.net") == [SUBJECT]  # Cc counts as to
    assert subjects(api, a["user"], **{"from": "Billing"}) == [SUBJECT]
    assert subjects(api, a["user"], text="nothing like this") == []
    now = int(time.time())
    assert len(subjects(api, a["user"], since=now - 600)) == 3
    assert subjects(api, a["user"], since=now + 600) == []
    assert subjects(api, a["user"], until=now - 600) == []
    assert len(subjects(api, a["user"], until="2999-01-01T00:00:00Z")) == 3
    assert len(subjects(api, a["user"], seen="false")) == 3
    assert subjects(api, a["user"], seen="true") == []


@pytest.mark.parametrize("query,field", [("?since=yesterday", "since"), ("?until=x", "until"),
                                         ("?seen=maybe", "seen"), ("?cursor=abc", "cursor"),
                                         ("?limit=0", "limit"), ("?subject=" + "a" * 1001, "subject")])
def test_bad_query_values_name_the_field(filled, query, field):
    api, a, _, _, _ = filled
    r = api.get(f"/v1/test-accounts/{a['user']}/messages{query}")
    assert r.status == 400, r
    assert r.json()["error"]["field"] == field


def test_reading_a_message(filled):
    api, a, _, _, _ = filled
    top = listing(api, a["user"])["data"][0]
    r = api.get(top["url"])
    assert r.status == 200, r
    m = r.json()
    assert m["subject"] == SUBJECT
    assert m["from"] == [{"name": "Billing", "address": a["address"]}]
    assert m["to"] == [{"name": "Customer", "address": "customer@example.org"}]
    assert m["cc"] == [{"name": "", "address": "audit@example.net"}]
    assert m["text"] == "Your invoice is attached.\n"
    assert m["seen"] is False
    assert "<script" not in m["html"] and "alert" not in m["html"] and "onclick" not in m["html"]
    assert "tracker.example" not in m["html"] and m["blocked_remote"] == 1
    assert "<b>there</b>" in m["html"]
    names = {x["filename"]: x for x in m["attachments"]}
    assert names[ATTACHMENT_NAME]["size"] == len(ATTACHMENT)
    assert any(h["name"] == "Subject" and h["value"] == SUBJECT for h in m["headers"])
    # The cid: image points at the inline part's download URL.
    logo = next(x for x in m["attachments"] if x["content_id"] == "logo@postern.test")
    assert f'src="{logo["url"]}"' in m["html"]


def test_html_is_sanitised_under_a_strict_policy(filled):
    api, a, _, _, _ = filled
    top = listing(api, a["user"])["data"][0]
    r = api.get(top["url"] + "/html")
    assert r.status == 200, r
    assert r.header("Content-Type").startswith("text/html")
    csp = r.header("Content-Security-Policy")
    assert "default-src 'none'" in csp and "sandbox" in csp and "https:" not in csp
    assert r.header("X-Content-Type-Options") == "nosniff"
    assert b"<script" not in r.body and b"alert(" not in r.body and b"tracker.example" not in r.body
    assert r.header("X-Blocked-Remote") == "1"
    remote = api.get(top["url"] + "/html?remote=1")
    assert remote.status == 200
    assert b"https://tracker.example/pixel.gif" in remote.body
    assert "img-src 'self' data: https:" in remote.header("Content-Security-Policy")
    assert b"<script" not in remote.body
    assert api.get(top["url"] + "/html?remote=yes").status == 400
    plain = listing(api, a["user"], "?subject=Weekly")["data"][0]
    assert api.get(plain["url"] + "/html").status == 404


def test_attachment_and_source_are_byte_exact(filled, postern):
    api, a, _, _, _ = filled
    top = listing(api, a["user"])["data"][0]
    m = api.get(top["url"]).json()
    part = next(x for x in m["attachments"] if x["filename"] == ATTACHMENT_NAME)
    r = api.get(part["url"])
    assert r.status == 200, r
    assert r.body == ATTACHMENT
    disposition = r.header("Content-Disposition")
    assert disposition.startswith('attachment; filename="r_sum_ _final_.bin"'), disposition
    assert "filename*=UTF-8''" + urllib.parse.quote(ATTACHMENT_NAME, safe="") in disposition
    assert api.get(top["url"] + "/attachments/9").status == 404
    raw = api.get(m["raw_url"])
    assert raw.status == 200 and raw.header("Content-Type") == "message/rfc822"
    # The stored copy is what was sent, after the fields the gateway adds on top.
    sent = filled[4]  # the rich message as submitted
    head, body = sent.split(b"\r\n\r\n", 1)
    assert raw.body.endswith(b"\r\n\r\n" + body)
    for line in head.split(b"\r\n"):
        if not line.startswith((b" ", b"\t")):
            assert line in raw.body


def test_seen_flag_round_trip(filled):
    api, a, _, _, _ = filled
    top = listing(api, a["user"])["data"][0]
    assert api.post(top["url"] + "/seen").status == 204
    assert api.get(top["url"]).json()["seen"] is True
    assert subjects(api, a["user"], seen="true") == [SUBJECT]
    assert api.delete(top["url"] + "/seen").status == 204
    assert api.get(top["url"]).json()["seen"] is False


def test_delete_one_then_all(filled):
    api, a, b, _, _ = filled
    top = listing(api, a["user"])["data"][0]
    assert api.delete(top["url"]).status == 204
    assert api.get(top["url"]).status == 404
    assert api.delete(top["url"]).status == 404
    assert len(listing(api, a["user"])["data"]) == 2
    r = api.delete(f"/v1/test-accounts/{a['user']}/messages")
    assert r.status == 200 and r.json() == {"deleted": 2}
    assert listing(api, a["user"])["data"] == []
    assert len(listing(api, b["user"])["data"]) == 1  # B's mail stays


def test_an_account_reads_its_own_mail_and_never_another(filled):
    api, a, b, _, _ = filled
    mine = listing(api, a["user"], headers=basic(a))
    assert len(mine["data"]) == 3
    url = mine["data"][0]["url"]
    assert api.get(url, headers=basic(a)).status == 200
    assert api.get(url + "/raw", headers=basic(a)).status == 200
    for path in ("", "/raw", "/html"):
        r = api.get(url + path, headers=basic(b))
        assert r.status == 403, r
        assert r.json()["error"]["field"] == "user"
    r = api.get(f"/v1/test-accounts/{a['user']}/messages", headers=basic(b))
    assert r.status == 403
    assert api.delete(url, headers=basic(b)).status == 403
    assert api.delete(f"/v1/test-accounts/{a['user']}/messages", headers=basic(b)).status == 403
    wrong = dict(a, password="not-the-password")
    r = api.get(url, headers=basic(wrong))
    assert r.status == 401 and r.json()["error"]["code"] == "invalid_credentials"
    assert r.header("WWW-Authenticate").startswith("Basic")
    # The address logs in as the user name does (Nodemailer's user is the address).
    assert api.get(url, headers=basic(dict(a, user=a["address"]))).status == 200
    # Basic logins reach only the inbox's routes: elsewhere they are no key.
    assert api.get("/v1/messages", headers=basic(a)).status == 200  # loopback, no key yet


def test_message_page(filled):
    api, a, b, ids, _ = filled
    r = api.get(f"/message/{ids[2]}")
    assert r.status == 200, r
    assert r.header("Content-Type").startswith("text/html")
    assert "default-src 'none'" in r.header("Content-Security-Policy")
    page = r.body.decode()
    assert "Invoice &lt;b&gt;&amp;&lt;/b&gt; 42" in page
    assert SUBJECT not in page
    assert "<script>alert" not in page
    assert f"/v1/test-accounts/{a['user']}/messages/" in page  # attachment and source links
    assert api.get(f"/message/{ids[2]}", headers=basic(a)).status == 200
    assert api.get(f"/message/{ids[2]}", headers=basic(b)).status == 404
    assert api.get("/message/0zzzzzzzzzzzz").status == 404
    assert api.get("/message/not-an-id").status == 404


def test_with_keys_the_reads_need_a_key_or_the_accounts_login(filled, postern):
    api, a, b, ids, _ = filled
    r = api.post("/v1/keys", {"name": "reader", "scopes": ["read"]})
    assert r.status == 201, r
    reader = Api(postern.http_port, key=r.json()["secret"])
    url = f"/v1/test-accounts/{a['user']}/messages"
    r = api.get(url)
    assert r.status == 401
    assert "Basic" in r.header("WWW-Authenticate")
    assert len(listing(reader, a["user"])["data"]) == 3
    assert len(listing(api, a["user"], headers=basic(a))["data"]) == 3
    assert api.get(f"/message/{ids[2]}").status == 401
    assert api.get(f"/message/{ids[2]}", headers=basic(a)).status == 200
    # Deleting takes the send scope (or the account's login).
    assert reader.delete(url).status == 403
    assert api.delete(url, headers=basic(a)).json() == {"deleted": 3}
