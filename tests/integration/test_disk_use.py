"""Disk that follows the live mail (issue 31): messages deferred for the
whole run, spread so that nearly every content segment holds one, while
20,000 others are delivered. Without compaction each of them would keep its
segment and the content files would hold the whole run; with it they stay
under twice the content of the messages still kept plus a fixed allowance,
sampled throughout. bench/disk_use.sh runs the same with 1,000,000."""
import base64
import os
import threading
import time

from conftest import metric, needs_simulator
from test_end_to_end import queue_counts, send_all, wait_for

pytestmark = needs_simulator

TOTAL = 20_000
STUCK_EVERY = 40  # one message in 40 is deferred by the relay for the whole run
SEGMENT = 64 * 1024  # store.segment_bytes
ALLOWANCE = 4 * SEGMENT  # the segment being written, the one just closed, and slack
# A purge lowers the messages kept before the reclaim that follows removes
# their files: a sample is set beside the most kept over this last while.
LAG = 10.0


def message(i):
    # Every message the same size: the content kept is then the messages kept times it.
    to = f"stuck{i:06d}@example.org" if i % STUCK_EVERY == STUCK_EVERY - 1 else f"user{i:06d}@example.org"
    return {"from": "disk@example.com", "to": [to], "subject": f"disk {i:06d}",
            "text": f"message {i:06d} " + "x" * 1000}


def content_bytes(node):
    content = os.path.join(node.workdir, "postern.db-content")
    total = 0
    for name in os.listdir(content):
        try:
            total += os.path.getsize(os.path.join(content, name))
        except FileNotFoundError:  # removed while listed
            pass
    return total


def config(sim):
    return (f'[store]\nsegment_bytes = "64KiB"\nretention = "1s"\n'
            f'[delivery]\nwindow = 256\ninitial_backoff = "1s"\nmax_backoff = "3s"\npoll_interval = "50ms"\n'
            f'[[providers]]\nname = "relay"\ntype = "smtp"\nhost = "127.0.0.1"\nport = {sim.port("smtp")}\n'
            f'tls = "none"\nhelo_name = "gw.test"\n')


class Sampler:
    """Samples (time, messages kept, content bytes on disk) until stopped."""

    def __init__(self, node):
        self.node, self.api, self.samples = node, node.api(), []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stopping.wait(0.2):
            kept = sum(queue_counts(self.api).values())
            self.samples.append((time.time(), kept, content_bytes(self.node)))

    def stop(self):
        self.stopping.set()
        self.thread.join(30)

    def over_bound(self, per_message):
        """The samples whose disk exceeds twice the content kept (the most
        over the last LAG seconds) plus the allowance."""
        over = []
        for t, _, disk in self.samples:
            kept = max(k for s, k, _ in self.samples if t - LAG <= s <= t)
            if disk > 2 * kept * per_message + ALLOWANCE:
                over.append((round(t - self.samples[0][0], 1), kept, disk))
        return over


def test_disk_follows_the_mail_still_queued_not_the_oldest_deferred(postern_factory, sim_factory):
    sim = sim_factory(services=("smtp",), args=["--fault", "smtp:defer=stuck*@*"], record=True)
    node = postern_factory(config_text=config(sim))
    api = node.api()
    # The first message alone in the first segment: its size is every message's.
    first = api.send(message(0))
    assert first.status == 202, first
    per_message = content_bytes(node)
    assert 1000 < per_message < 2000, per_message

    sampler = Sampler(node)
    try:
        acked = [first.json()["id"]]
        send_all(node.http_port, TOTAL - 1, acked, message=lambda i: message(i + 1)).join(600)
        stuck = TOTAL // STUCK_EVERY
        # Everything but the stuck ones goes out (and is purged a second later).
        wait_for(lambda: metric(node, "postern_store_purged_messages_total") >= TOTAL - stuck, 300,
                 "every deliverable message sent and purged")
        # Then the files shrink to about the stuck messages' content.
        wait_for(lambda: content_bytes(node) <= 2 * stuck * per_message + ALLOWANCE, 60,
                 "the content files to shrink to the deferred messages'")
    finally:
        sampler.stop()

    assert len(sampler.samples) > 20, sampler.samples
    over = sampler.over_bound(per_message)
    assert not over, f"{len(over)} of {len(sampler.samples)} samples over the bound (s, kept, bytes): {over[:10]}"
    peak = max(d for _, _, d in sampler.samples)
    assert peak < TOTAL * per_message / 4, f"peak {peak} bytes: the run's content was kept"
    assert metric(node, "postern_store_compacted_segments_total") > 0
    assert metric(node, "postern_store_compacted_bytes_total") >= stuck // 2 * per_message
    counts = queue_counts(api)
    assert pending(counts) == stuck, counts

    # The moved messages are whole: read back now, and once the relay
    # takes them, each arrives with the bytes it was sent with.
    deferred = api.get(f"/v1/messages?status=deferred&limit=50").json()["data"]
    assert deferred, counts
    for m in deferred:
        raw = api.get(f"/v1/messages/{m['id']}/raw")
        assert raw.status == 200 and marker(m).encode() in raw.body, raw
    sim.clear_faults("smtp")
    wait_for(lambda: pending(queue_counts(api)) == 0, 120, "the deferred messages sent")
    for m in deferred:
        receipts = sim.messages(m["id"])["receipts"]
        assert len(receipts) == 1, receipts
        assert marker(m).encode() in base64.b64decode(receipts[0]["body_base64"]), receipts


def pending(counts):
    return sum(counts.get(s, 0) for s in ("queued", "sending", "deferred"))


def marker(summary):
    """The text of the message the summary's subject numbers."""
    return "message " + summary["subject"].split()[-1] + " xxxx"
