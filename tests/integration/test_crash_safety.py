"""kill -9 under load, again and again: every message that got a 202 is in
the store after a restart, intact, and goes on to be delivered."""
import http.client
import json
import random
import threading
import time

from conftest import Threads

SENDERS = 16
CYCLES = 4


def sender(port, tag, acked, killed):
    """Posts messages on one keep-alive connection until the server is
    killed. Every answer must be a 202; before the kill, so must every
    request be answered."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    seq = 0
    while not killed.is_set():
        seq += 1
        subject = f"{tag}-{seq}"
        text = f"body of {subject} " + "x" * random.randint(10, 3000)
        body = json.dumps({"from": "load@example.com", "to": [f"{tag}@example.org"], "subject": subject,
                           "text": text})
        try:
            conn.request("POST", "/v1/messages", body=body, headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
        except (OSError, http.client.HTTPException):
            if killed.is_set():
                return  # the server is gone: whatever was not answered does not count
            raise
        assert r.status == 202, f"{tag}: {r.status} {data[:200]!r}"
        acked.append((json.loads(data)["id"], subject, text))


def load_and_kill(node, cycle):
    """SENDERS threads post until a kill -9 at a random moment; returns the
    acknowledged messages. A refusal or an error before the kill fails."""
    acked, killed, senders = [], threading.Event(), Threads()
    for t in range(SENDERS):
        senders.start(sender, node.http_port, f"c{cycle}t{t}", acked, killed)
    time.sleep(random.uniform(0.8, 2.0))
    killed.set()
    node.kill9()
    senders.join(30)
    return acked


def test_kill9_loses_no_acknowledged_message(postern_factory):
    node = postern_factory()
    all_acked = []
    for cycle in range(CYCLES):
        acked = load_and_kill(node, cycle)
        assert acked, "the load generator got no answer before the kill"
        all_acked += acked
        node.start()
        api = node.api()
        for mid, subject, text in acked:
            r = api.get(f"/v1/messages/{mid}")
            assert r.status == 200, f"acknowledged message {mid} lost after kill -9 in cycle {cycle}"
            assert r.json()["subject"] == subject
    api = node.api()
    ids = [a[0] for a in all_acked]
    assert len(set(ids)) == len(ids)
    # Intact content, and every message delivered after the restarts.
    for mid, subject, text in random.sample(all_acked, min(200, len(all_acked))):
        raw = api.get(f"/v1/messages/{mid}/raw")
        assert raw.status == 200
        assert text.encode() in raw.body.replace(b"=\r\n", b"")
    deadline = time.time() + 60
    pending = set(ids)
    while pending and time.time() < deadline:
        cursor = None
        sent = set()
        while True:
            path = "/v1/messages?status=sent&limit=500" + (f"&cursor={cursor}" if cursor else "")
            body = api.get(path).json()
            sent |= {m["id"] for m in body["data"]}
            cursor = body["next_cursor"]
            if not cursor:
                break
        pending -= sent
        if pending:
            time.sleep(0.5)
    assert not pending, f"{len(pending)} acknowledged messages never delivered, e.g. {sorted(pending)[:5]}"
    counts = node.api().get("/metrics").body.decode()
    assert 'postern_queue_messages{status="sending"} 0' in counts
    assert node.stop() == 0
