"""The message log's search (GET /v1/messages: status, provider, recipient,
tag, since/until, keyset cursor), its refusals (400 naming the field), and
a sent message's content as a reader sees it (GET /v1/messages/{id}/content,
/html, /attachments/{part}), driven through http.client against the real
binary."""
import base64
from urllib.parse import quote

import pytest

from conftest import simple_message


def ids(api, query):
    r = api.get("/v1/messages?" + query)
    assert r.status == 200, r
    return [m["id"] for m in r.json()["data"]]


@pytest.fixture
def sent(postern):
    """Six messages, all sent through the capture provider, newest first."""
    api = postern.api()
    out = []
    specs = [
        (["Ann@Example.org"], ["welcome"]),
        (["bob@example.org", "ann@example.org"], ["welcome", "q3"]),
        (["carol@example.org"], ["receipt"]),
        (["ann@example.org.evil"], ["receipt"]),
        (["Ann@example.org"], []),
        (["dave@example.org"], ["welcome"]),
    ]
    for i, (to, tags) in enumerate(specs):
        r = api.send(simple_message(i, to=to, tags=tags))
        assert r.status == 202, r
        out.append(r.json()["id"])
    for mid in out:
        api.wait_status(mid, {"sent"})
    return api, list(reversed(out))


def test_each_filter_alone_and_together(sent):
    api, newest = sent
    m = list(reversed(newest))  # m[i]: the i-th message sent
    # The local part exactly, the domain in any case.
    assert ids(api, "recipient=" + quote("Ann@EXAMPLE.ORG")) == [m[4], m[0]]
    assert ids(api, "recipient=" + quote("ann@example.org")) == [m[1]]
    assert ids(api, "recipient=" + quote("bob@example.org")) == [m[1]]
    assert ids(api, "tag=welcome") == [m[5], m[1], m[0]]
    assert ids(api, "tag=q3") == [m[1]]
    assert ids(api, "tag=Welcome") == []
    assert ids(api, "provider=capture&limit=500") == newest
    assert ids(api, "provider=elsewhere") == []
    assert ids(api, "status=sent&tag=receipt") == [m[3], m[2]]
    assert ids(api, "status=failed&tag=receipt") == []
    assert ids(api, "status=sent&provider=capture&tag=welcome&recipient=" + quote("ann@example.org")) == [m[1]]
    # A time range: from the third message's time on, before the fifth's.
    third = api.get(f"/v1/messages/{m[2]}").json()["created_at"]
    fifth = api.get(f"/v1/messages/{m[4]}").json()["created_at"]
    window = ids(api, f"since={quote(third)}&until={quote(fifth)}")
    assert m[2] in window and m[3] in window and m[4] not in window and m[1] not in window
    assert ids(api, f"since={quote(third)}&until={quote(fifth)}&tag=receipt") == [m[3], m[2]]


def test_pages_follow_the_cursor_with_no_duplicate_and_no_gap(sent):
    api, newest = sent
    for query in ("limit=2", "limit=1&provider=capture", "limit=2&status=sent"):
        seen, cursor = [], None
        while True:
            r = api.get("/v1/messages?" + query + (f"&cursor={cursor}" if cursor else ""))
            assert r.status == 200, r
            body = r.json()
            seen += [m["id"] for m in body["data"]]
            # Mail that arrives meanwhile is newer than every page: it shifts none.
            assert api.send(simple_message(99, tags=["late"])).status == 202
            cursor = body["next_cursor"]
            if cursor is None:
                break
        assert seen[-len(newest):] == newest, query
        assert len(seen) == len(set(seen)), query


@pytest.mark.parametrize("query, field, code", [
    ("status=lost", "status", "invalid_value"),
    ("recipient=not-an-address", "recipient", "invalid_value"),
    ("recipient=", "recipient", "invalid_value"),
    ("tag=", "tag", "invalid_value"),
    ("tag=a%0Ab", "tag", "invalid_value"),
    ("provider=", "provider", "invalid_value"),
    ("provider=" + "p" * 999, "provider", "invalid_value"),
    ("since=yesterday", "since", "invalid_value"),
    ("until=2026-13-01T00:00:00Z", "until", "invalid_value"),
    ("since=2026-01-02T00:00:00Z&until=2026-01-01T00:00:00Z", "until", "invalid_value"),
    ("limit=0", "limit", "invalid_value"),
    ("limit=501", "limit", "invalid_value"),
    ("cursor=bogus", "cursor", "invalid_value"),
    ("tag=a&tag=b", "tag", "invalid_value"),
    ("colour=red", "colour", "unknown_parameter"),
])
def test_a_bad_parameter_is_refused_naming_it(postern, query, field, code):
    r = postern.api().get("/v1/messages?" + query)
    assert r.status == 400, r
    error = r.json()["error"]
    assert (error["field"], error["code"]) == (field, code), error
    assert error["message"]


def test_a_malformed_query_is_refused(postern):
    r = postern.api().get("/v1/messages?tag=%zz")
    assert r.status == 400, r
    assert r.json()["error"]["code"] == "invalid_query"


HTML = ('<p>Your <b>receipt</b> <img src="cid:logo"></p><script>alert(1)</script>'
        '<img src="https://tracker.example/p.gif">')


def test_a_sent_message_reads_as_its_reader_sees_it(postern):
    api = postern.api()
    logo = base64.b64encode(b"GIF89a-logo").decode()
    r = api.send(simple_message(7, subject="Receipt", html=HTML, attachments=[
        {"filename": "terms.txt", "content": base64.b64encode(b"TERMS").decode(), "content_type": "text/plain"},
        {"filename": "logo.gif", "content": logo, "content_type": "image/gif", "content_id": "logo"},
    ]))
    assert r.status == 202, r
    mid = r.json()["id"]
    api.wait_status(mid, {"sent"})
    c = api.get(f"/v1/messages/{mid}/content")
    assert c.status == 200, c
    body = c.json()
    assert body["id"] == mid
    assert body["subject"] == "Receipt"
    assert body["text"].strip() == "Hello number 7"
    assert "<b>receipt</b>" in body["html"]
    assert "script" not in body["html"] and "tracker.example" not in body["html"]
    assert body["blocked_remote"] == 1
    assert {"name": "Subject", "value": "Receipt"} in body["headers"]
    assert body["raw_url"] == f"/v1/messages/{mid}/raw"
    terms = next(a for a in body["attachments"] if a["filename"] == "terms.txt")
    got = api.get(terms["url"])
    assert got.status == 200 and got.body == b"TERMS"
    # The inline image points at its part, served by the same API.
    logo_part = next(a for a in body["attachments"] if a["filename"] == "logo.gif")
    assert logo_part["url"] in body["html"]
    page = api.get(body["html_url"])
    assert page.status == 200
    assert "default-src 'none'" in page.header("Content-Security-Policy")
    assert b"<script" not in page.body
    assert api.get(f"/v1/messages/{mid}/html?remote=2").status == 400
    missing = api.get(f"/v1/messages/{mid}/attachments/9")
    assert (missing.status, missing.json()["error"]["field"]) == (404, "part")
    unknown = api.get("/v1/messages/0zzzzzzzzzzzz/content")
    assert (unknown.status, unknown.json()["error"]["code"]) == (404, "not_found")
    plain = api.send(simple_message(8))
    api.wait_status(plain.json()["id"], {"sent"})
    assert api.get(f"/v1/messages/{plain.json()['id']}/html").status == 404
