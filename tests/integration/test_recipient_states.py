"""Each recipient's state in GET /v1/messages/{id} and the list of provider
reports that matched no message, against the real binary.

Without a provider's report a recipient shows what Postern knows at send
time (docs/events.md "Recipient states"). The reports themselves come only
through the provider webhooks: their tests (the receivers') drive the
provider-reported states, the timeline's report events and a non-empty
unmatched list end to end.
"""
from conftest import simple_message

CONFIG = """
[[providers]]
name = "primary"
type = "capture"

# Mail tagged hold waits: nobody serves the pool "held".
[[routes]]
tag = "hold"
pool = "held"
"""


def send(api, message):
    r = api.send(message)
    assert r.status == 202, r
    return r.json()["id"]


def test_a_sent_message_shows_each_recipient_sent_by_its_provider(postern_factory):
    api = postern_factory(config_text=CONFIG).api()
    mid = send(api, simple_message(1, cc=["copy@example.org"], bcc=["hidden@example.org"]))
    m = api.wait_status(mid, {"sent"})
    assert m["recipients"] == [
        {"address": a, "state": "sent", "at": None, "detail": None, "provider": "primary"}
        for a in ("user1@example.org", "copy@example.org", "hidden@example.org")
    ]
    assert m["suppressed_recipients"] == []
    # No report: the timeline holds the message's own events only.
    assert [e["type"] for e in m["events"]] == ["accepted", "sent"]
    assert all("recipient" not in e for e in m["events"])


def test_waiting_and_cancelled_messages_show_their_recipients_so(postern_factory):
    api = postern_factory(config_text=CONFIG).api()
    held = send(api, simple_message(2, tags=["hold"]))
    m = api.wait_status(held, {"deferred"})  # nobody serves its pool: it waits
    assert m["recipients"] == [
        {"address": "user2@example.org", "state": "queued", "at": None, "detail": None, "provider": None}]
    assert api.post(f"/v1/messages/{held}/cancel", "").status == 200
    m = api.get(f"/v1/messages/{held}").json()
    assert [r["state"] for r in m["recipients"]] == ["cancelled"]


def test_no_report_is_unmatched_on_a_new_node(postern_factory):
    api = postern_factory(config_text=CONFIG).api()
    r = api.get("/v1/provider-events/unmatched?limit=10")
    assert r.status == 200, r
    assert r.json() == {"data": [], "next_cursor": None}
    bad = api.get("/v1/provider-events/unmatched?cursor=yesterday")
    assert bad.status == 400
    assert bad.json()["error"]["field"] == "cursor"
    too_many = api.get("/v1/provider-events/unmatched?limit=501")
    assert too_many.status == 400
    assert too_many.json()["error"]["field"] == "limit"
