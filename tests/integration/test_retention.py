"""Retention: mail that ended longer ago than store.retention is deleted, and
the content files that held it are removed, while the gateway keeps serving.
Without it the store grows until the disk is full."""
import os
import time

from conftest import metric, simple_message
from simulator import MAILGUN_KEY

RETENTION = "2s"


def segment_files(node):
    content = os.path.join(node.workdir, "postern.db-content")
    return sorted(f for f in os.listdir(content) if f.endswith(".seg"))


def wait_until_gone(node, api, ids, segments_left):
    """Waits until every message of `ids` answers 404 and the content files
    left are `segments_left`."""
    deadline = time.time() + 20
    while time.time() < deadline:
        gone = all(api.get(f"/v1/messages/{mid}").status == 404 for mid in ids)
        if gone and segment_files(node) == segments_left:
            return
        time.sleep(0.2)
    raise AssertionError(f"ended mail or its segment is still there: {segment_files(node)}")


def test_ended_mail_and_its_content_files_go_after_the_retention_period(postern_factory, sim_factory):
    # Mail goes out through a provider (the Mailgun simulator): mail the
    # capture provider takes is also filed into the catch-all inbox, whose
    # copies keep their content until the inbox's own retention
    # (docs/inbox.md, "Expiry").
    sim = sim_factory(services=("mailgun",))
    config = (f'[[providers]]\nname = "mg"\ntype = "mailgun"\nbase_url = "{sim.url("mailgun")}"\n'
              f'api_key = "{MAILGUN_KEY}"\ndomain = "mg.example.com"\n')
    # First run: keep everything (retention 0), deliver 30 messages.
    node = postern_factory(env={"POSTERN_STORE_RETENTION": "0"}, config_text=config)
    api = node.api()
    first = []
    for i in range(30):
        r = api.send(simple_message(i, text="x" * 2000))
        assert r.status == 202, r
        first.append(r.json()["id"])
    for mid in first:
        api.wait_status(mid, {"sent"})
    node.stop()
    assert segment_files(node) == ["0000000001.seg"]

    # Second run with a short retention: the old mail goes, and with it the
    # first segment once the running one holds everything still kept.
    node.env["POSTERN_STORE_RETENTION"] = RETENTION
    node.start()
    api = node.api()
    fresh = api.send(simple_message(99, text="sent after the restart")).json()["id"]
    api.wait_status(fresh, {"sent"})
    wait_until_gone(node, api, first, ["0000000002.seg"])
    assert api.get(f"/v1/messages/{first[0]}/raw").status == 404
    assert metric(node, "postern_store_purged_messages_total") >= 30
    assert metric(node, "postern_store_reclaimed_bytes_total") > 30 * 2000

    # The gateway goes on taking and delivering mail, and what it takes now
    # is readable until its own time is up.
    late = api.send(simple_message(100, text="still readable")).json()["id"]
    api.wait_status(late, {"sent"})
    raw = api.get(f"/v1/messages/{late}/raw")
    assert raw.status == 200 and b"still readable" in raw.body
    counts = metric(node, 'postern_queue_messages{status="sent"}', default=None)
    assert counts is not None and counts <= 2


def test_mail_that_stays_keeps_only_its_own_segment(postern_factory):
    # Each start of the server begins a new segment: the first holds a
    # message that stays queued (as a quarantined or long-deferred one
    # would), the second only mail that ended.
    node = postern_factory(env={"POSTERN_STORE_RETENTION": "0", "POSTERN_DELIVERY_ENABLED": "false"})
    api = node.api()
    staying = api.send(simple_message(1, text="still queued")).json()["id"]
    node.stop()
    node.start()
    api = node.api()
    ended = []
    for i in range(10):
        mid = api.send(simple_message(10 + i, text="y" * 2000)).json()["id"]
        assert api.post(f"/v1/messages/{mid}/cancel").status == 200
        ended.append(mid)
    node.stop()
    assert segment_files(node) == ["0000000001.seg", "0000000002.seg"]

    # With a retention, the ended mail and its segment go; the segment of the
    # message that stays is kept, and the message reads back whole.
    node.env["POSTERN_STORE_RETENTION"] = RETENTION
    node.start()
    api = node.api()
    fresh = api.send(simple_message(99, text="sent after the restart")).json()["id"]
    wait_until_gone(node, api, ended, ["0000000001.seg", "0000000003.seg"])
    for mid, text in ((staying, b"still queued"), (fresh, b"sent after the restart")):
        raw = api.get(f"/v1/messages/{mid}/raw")
        assert raw.status == 200 and text in raw.body, raw
    assert api.get(f"/v1/messages/{staying}").json()["status"] == "queued"


def test_queued_mail_is_kept_whatever_its_age(postern_factory):
    node = postern_factory(env={"POSTERN_STORE_RETENTION": RETENTION, "POSTERN_DELIVERY_ENABLED": "false"})
    api = node.api()
    mid = api.send(simple_message(1)).json()["id"]
    time.sleep(4)  # two retention periods, at least two sweeps
    r = api.get(f"/v1/messages/{mid}")
    assert r.status == 200 and r.json()["status"] == "queued"
    assert metric(node, "postern_store_purged_messages_total", default=None) == 0


def test_a_bad_retention_is_refused_naming_the_key(postern_factory):
    node = postern_factory(env={"POSTERN_STORE_RETENTION": "a month"}, start=False)
    r = node.cli("serve", check=False)
    assert r.returncode != 0
    assert "POSTERN_STORE_RETENTION" in r.stderr and "duration" in r.stderr, r.stderr
