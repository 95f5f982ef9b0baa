"""The HTTP API driven through http.client against the real binary."""
import base64
import re

import pytest

from conftest import simple_message


def test_json_send_is_accepted_then_captured_with_a_timeline(postern):
    api = postern.api()
    r = api.send(simple_message(1, cc="Copy <cc@example.org>", bcc=["hidden@example.org"], tags=["welcome"],
                                metadata={"user": "42"}))
    assert r.status == 202, r
    body = r.json()
    assert body["status"] == "queued"
    assert re.fullmatch(r"[0-9a-z]{13}", body["id"])
    assert r.header("Location") == f"/v1/messages/{body['id']}"

    m = api.wait_status(body["id"], {"sent"})
    assert m["provider"] == "capture"
    assert m["to"] == ["user1@example.org"]
    assert m["cc"] == ["cc@example.org"]
    assert m["bcc"] == ["hidden@example.org"]
    assert m["subject"] == "Message 1"
    assert m["tags"] == ["welcome"]
    assert [e["type"] for e in m["events"]] == ["accepted", "sent"]
    assert m["events"][1]["provider"] == "capture"
    assert m["events"][1]["class"] == "ok"


def test_raw_message_round_trips_and_loses_its_bcc_header(postern):
    api = postern.api()
    raw = ("From: Sender <sender@example.com>\r\nTo: a@example.org\r\nBcc: secret@example.org\r\n"
           "Subject: =?UTF-8?B?SMOpbGxv?=\r\nMessage-ID: <raw-1@example.com>\r\n\r\nBody line\r\n")
    r = api.post("/v1/messages", raw, headers={"Content-Type": "message/rfc822"})
    assert r.status == 202, r
    mid = r.json()["id"]
    m = api.wait_status(mid, {"sent"})
    assert m["format"] == "mime"
    assert m["subject"] == "Héllo"
    assert sorted(m["to"] + m["bcc"]) == ["a@example.org", "secret@example.org"]
    raw_back = api.get(f"/v1/messages/{mid}/raw")
    assert raw_back.status == 200
    assert raw_back.header("Content-Type") == "message/rfc822"
    assert b"Bcc:" not in raw_back.body
    # The bytes as sent: a trace field naming the message on top, Bcc gone.
    assert raw_back.body == (f"X-Postern-Id: {mid}\r\n" + raw.replace("Bcc: secret@example.org\r\n", "")).encode()


def test_json_message_has_a_mime_form_with_attachment(postern):
    api = postern.api()
    r = api.send(simple_message(2, subject="Grüße", html="<p>hi</p>",
                                attachments=[{"filename": "a.txt", "content": base64.b64encode(b"attached").decode(),
                                              "content_type": "text/plain"}]))
    assert r.status == 202, r
    mid = r.json()["id"]
    raw = api.get(f"/v1/messages/{mid}/raw")
    assert raw.status == 200
    text = raw.body.decode()
    assert f"Message-ID: <{mid}@postern>" in text
    assert "Subject: =?" in text  # RFC 2047 encoded
    assert "multipart/mixed" in text and "multipart/alternative" in text
    assert base64.b64encode(b"attached").decode() in text


def test_idempotency_key_replays_the_first_answer_and_refuses_another_body(postern):
    api = postern.api()
    h = {"Idempotency-Key": "order-7"}
    first = api.send(simple_message(7), headers=h)
    again = api.send(simple_message(7), headers=h)
    assert first.status == again.status == 202
    assert first.json() == again.json()
    assert again.header("Idempotent-Replayed") == "true"
    other = api.send(simple_message(8), headers=h)
    assert other.status == 409
    assert other.json()["error"]["code"] == "idempotency_conflict"
    assert other.json()["error"]["field"] == "Idempotency-Key"
    listed = api.get("/v1/messages").json()["data"]
    assert [m["id"] for m in listed] == [first.json()["id"]]


VALIDATION_CASES = [
    # (body, status, code, field)
    ("{not json", 400, "invalid_json", None),
    ({"to": "a@x.org", "text": "t"}, 422, "missing_field", "from"),
    ({"from": "a@x.org", "text": "t"}, 422, "missing_field", "to"),
    ({"from": "a@x.org", "to": "b@x.org"}, 422, "missing_field", "text"),
    ({"from": "not-an-address", "to": "b@x.org", "text": "t"}, 422, "invalid_address", "from"),
    ({"from": "a@x.org", "to": ["b@x.org", "c@"], "text": "t"}, 422, "invalid_address", "to[1]"),
    ({"from": "a@x.org", "to": "b@x.org", "text": 3}, 422, "invalid_type", "text"),
    ({"from": "a@x.org", "to": "b@x.org", "text": "t", "colour": "red"}, 422, "unknown_field", "colour"),
    ({"from": "a@x.org", "to": "b@x.org", "text": "t", "subject": "x\r\nBcc: e@x.org"}, 422, "invalid_value", "subject"),
    ({"from": "a@x.org", "to": "b@x.org", "text": "t", "headers": {"From": "e@x.org"}}, 422, "invalid_header",
     "headers.From"),
    ({"from": "a@x.org", "to": "b@x.org", "text": "t", "attachments": [{"filename": "f", "content": "%%%"}]}, 422,
     "invalid_base64", "attachments[0].content"),
    ({"from": "a@x.org", "to": "b@x.org", "text": "t", "tags": list("abcdefghijk")}, 422, "too_many_tags", "tags"),
    ({"from": "a@x.org", "to": [f"u{i}@x.org" for i in range(1001)], "text": "t"}, 422, "too_many_recipients", "to"),
]


@pytest.mark.parametrize("body,status,code,field", VALIDATION_CASES)
def test_every_validation_error_names_its_field(postern, body, status, code, field):
    r = postern.api().post("/v1/messages", body if isinstance(body, dict) else body,
                           headers={"Content-Type": "application/json"})
    assert r.status == status, r
    err = r.json()["error"]
    assert err["code"] == code
    assert err["field"] == field
    assert err["message"]


def test_content_type_size_and_routing_errors(postern_factory):
    p = postern_factory(env={"POSTERN_HTTP_MAX_BODY_BYTES": "4096", "POSTERN_MESSAGES_MAX_MESSAGE_BYTES": "2048"})
    api = p.api()
    r = api.post("/v1/messages", "hello", headers={"Content-Type": "text/plain"})
    assert (r.status, r.json()["error"]["code"], r.json()["error"]["field"]) == (415, "unsupported_media_type",
                                                                                 "Content-Type")
    r = api.send(simple_message(1, text="x" * 3000))
    assert (r.status, r.json()["error"]["code"]) == (413, "message_too_large")
    r = api.send(simple_message(1, text="x" * 8000))
    assert (r.status, r.json()["error"]["code"]) == (413, "payload_too_large")
    r = api.get("/v1/nothing")
    assert (r.status, r.json()["error"]["code"]) == (404, "not_found")
    r = api.request("PUT", "/v1/messages")
    assert r.status == 405 and "POST" in r.header("Allow")
    r = api.get("/v1/messages/zzzz")
    assert r.status == 404
    r = api.get("/v1/messages?status=lost")
    assert (r.status, r.json()["error"]["field"]) == (400, "status")


def test_keys_scopes_and_the_loopback_rule(postern):
    api = postern.api()
    assert api.send(simple_message(1)).status == 202  # no key yet: loopback is trusted

    sender = postern.cli("keys", "create", "--name", "app", "--scopes", "send").stdout.strip()
    reader = postern.cli("keys", "create", "--name", "dash", "--scopes", "read").stdout.strip()
    admin = postern.cli("keys", "create", "--name", "ops", "--scopes", "send,read,admin").stdout.strip()
    assert sender.startswith("pst_") and len(sender.splitlines()) == 1

    r = api.send(simple_message(2))
    assert r.status == 401 and r.json()["error"]["code"] == "missing_api_key"
    assert r.header("WWW-Authenticate") == "Bearer"
    r = api.send(simple_message(2), key="pst_wrong")
    assert r.status == 401 and r.json()["error"]["code"] == "invalid_api_key"
    assert api.send(simple_message(2), key=sender).status == 202
    r = api.get("/v1/messages", key=sender)
    assert r.status == 403 and r.json()["error"]["code"] == "insufficient_scope"
    assert api.get("/v1/messages", key=reader).status == 200
    assert api.send(simple_message(3), key=reader).status == 403
    assert api.get("/v1/keys", key=reader).status == 403

    keys = api.get("/v1/keys", key=admin).json()["data"]
    assert sorted(k["name"] for k in keys) == ["app", "dash", "ops"]
    assert all("secret" not in k for k in keys)
    created = api.post("/v1/keys", {"name": "ci", "scopes": ["send"]}, key=admin)
    assert created.status == 201
    assert api.send(simple_message(4), key=created.json()["secret"]).status == 202
    assert api.delete("/v1/keys/ci", key=admin).status == 204
    assert api.send(simple_message(5), key=created.json()["secret"]).status == 401
    assert api.post("/v1/keys", {"name": "ops"}, key=admin).status == 409
    assert api.get("/healthz").status == 200  # operational endpoints stay open


def test_pagination_filters_and_cursor(postern):
    api = postern.api()
    ids = []
    for i in range(25):
        r = api.send(simple_message(i))
        assert r.status == 202
        ids.append(r.json()["id"])
    for mid in ids:
        api.wait_status(mid, {"sent"})
    seen, cursor = [], None
    while True:
        path = "/v1/messages?limit=10" + (f"&cursor={cursor}" if cursor else "")
        page = api.get(path).json()
        seen += [m["id"] for m in page["data"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(ids))
    assert len(api.get("/v1/messages?status=sent&limit=500").json()["data"]) == 25
    assert api.get("/v1/messages?status=queued").json()["data"] == []
    future = api.get("/v1/messages?since=2999-01-01T00:00:00Z").json()["data"]
    assert future == []
    assert len(api.get("/v1/messages?until=2999-01-01T00:00:00Z&limit=500").json()["data"]) == 25
    assert api.get("/v1/messages?limit=0").status == 400
    assert api.get("/v1/messages?cursor=bogus").status == 400


def test_sync_send_waits_for_the_outcome(postern):
    api = postern.api()
    r = api.send(simple_message(1), headers={"Prefer": "wait=10"})
    assert r.status == 200, r
    assert r.json()["status"] == "sent"
    assert r.json()["provider"] == "capture"
    r = api.post("/v1/messages?wait=10", simple_message(2))
    assert r.status == 200 and r.json()["status"] == "sent"
    assert api.post("/v1/messages?wait=soon", simple_message(3)).status == 400


def test_cancel_and_retry_when_delivery_is_paused(postern_factory):
    p = postern_factory(env={"POSTERN_DELIVERY_ENABLED": "false"})
    api = p.api()
    mid = api.send(simple_message(1)).json()["id"]
    r = api.post(f"/v1/messages/{mid}/retry")
    assert r.status == 409 and r.json()["error"]["code"] == "invalid_state"
    r = api.post(f"/v1/messages/{mid}/cancel")
    assert r.status == 200 and r.json()["status"] == "cancelled"
    assert api.post(f"/v1/messages/{mid}/cancel").status == 409
    r = api.post(f"/v1/messages/{mid}/retry")
    assert r.status == 200 and r.json()["status"] == "queued"
    events = [e["type"] for e in api.get(f"/v1/messages/{mid}").json()["events"]]
    assert events == ["accepted", "cancelled", "retried"]
    r = api.send(simple_message(2), headers={"Prefer": "wait=1"})
    assert r.status == 202 and r.json()["status"] == "pending"


def test_operational_endpoints(postern):
    api = postern.api()
    assert api.get("/healthz").json() == {"status": "ok"}
    assert api.get("/readyz").json() == {"status": "ready"}
    api.send(simple_message(1))
    metrics = api.get("/metrics")
    assert metrics.header("Content-Type").startswith("text/plain")
    text = metrics.body.decode()
    for name in ["postern_http_requests_total", "postern_http_request_seconds_bucket",
                 "postern_store_commit_batch_size_bucket", "postern_store_commit_seconds_bucket",
                 "postern_queue_messages{status=\"queued\"}", "postern_messages_accepted_total"]:
        assert name in text, name
    doc = api.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    assert "/v1/messages" in doc["paths"]
    docs = api.get("/docs")
    assert docs.status == 200 and b"openapi.json" in docs.body


def test_sigterm_shuts_down_cleanly(postern):
    api = postern.api()
    assert api.send(simple_message(1)).status == 202
    assert postern.stop() == 0
    assert "postern stopped" in postern.logs()
