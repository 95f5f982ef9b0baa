"""GET /v1/events across restarts of the node (docs/api.md "Events"): a
client connected to the stream sees the node go away (SIGTERM or kill -9),
reconnects with the Last-Event-ID it had to the restarted node, and gets,
after a `stream_reset`, every event the new start made before it
reconnected; ids only ever increase and none repeats."""
import http.client
import json
import threading
import time

import pytest

from conftest import Threads, needs_simulator
from test_routing import FAST, providers_toml, routing_section

pytestmark = needs_simulator

SEQUENCE_BITS = 32


class EventReader:
    """An SSE client over http.client on its own thread: keeps every event
    [(id, type, data)] until the server ends the stream (or drops it). A
    live-only event (path with ?live=) has no id: None."""

    def __init__(self, port, last_event_id=None, path="/v1/events"):
        self.events, self.lock = [], threading.Lock()
        self.connected, self.ended = threading.Event(), threading.Event()
        self.threads = Threads()
        self.threads.start(self._run, port, last_event_id, path)
        assert self.connected.wait(30), "the event stream did not answer"

    def _run(self, port, last_event_id, path):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request("GET", path,
                         headers={"Last-Event-ID": str(last_event_id)} if last_event_id else {})
            r = conn.getresponse()
            assert r.status == 200 and r.getheader("Content-Type") == "text/event-stream"
            self.connected.set()
            block = {}
            while True:
                try:
                    line = r.fp.readline().decode()
                except (ConnectionError, OSError):
                    return  # kill -9: the connection is reset
                if line in ("\n", ""):
                    if "event" in block:
                        with self.lock:
                            event_id = int(block["id"]) if "id" in block else None
                            self.events.append((event_id, block["event"], json.loads(block["data"])))
                    block = {}
                    if line == "":
                        return
                elif not line.startswith(":"):
                    k, _, v = line.rstrip("\n").partition(": ")
                    block[k] = v
        finally:
            conn.close()
            self.ended.set()

    def wait_for(self, condition, timeout=30):
        deadline = time.time() + timeout
        while True:
            with self.lock:
                got = list(self.events)
            if condition(got):
                return got
            assert time.time() < deadline, f"events so far: {got}"
            self.ended.wait(0.05)

    def snapshot(self):
        with self.lock:
            return list(self.events)


def paused_and_resumed(events, provider="sg"):
    """`provider` went to paused, and back to healthy after that."""
    states = [d["state"] for _, t, d in events if t == "provider_state" and d["provider"] == provider]
    return "paused" in states and "healthy" in states[states.index("paused"):]


def pause_and_resume(api, provider="sg"):
    assert api.post(f"/v1/providers/{provider}/pause").status == 200
    assert api.post(f"/v1/providers/{provider}/resume").status == 200


@pytest.mark.parametrize("how", ["sigterm", "kill9"])
def test_ids_increase_across_a_restart_and_nothing_made_since_is_missed(postern_factory, sim, how):
    node = postern_factory(config_text=FAST + routing_section() +
                           providers_toml(sim, [("mg", "mailgun"), ("sg", "sendgrid")]))
    reader = EventReader(node.http_port)
    pause_and_resume(node.api())
    reader.wait_for(paused_and_resumed)
    if how == "kill9":
        node.kill9()
    else:
        assert node.stop() == 0
    assert reader.ended.wait(30), "the stream outlived the node"
    before = reader.snapshot()
    last_seen = before[-1][0]

    node.start()
    # Events the new start makes before the client is back: its providers
    # joining, and a pause and a resume.
    pause_and_resume(node.api())
    again = EventReader(node.http_port, last_event_id=last_seen)
    after = again.wait_for(paused_and_resumed)

    reset, replayed = after[0], after[1:]
    assert reset[1] == "stream_reset" and reset[2]["reason"] == "other_boot", after
    boot = reset[0] >> SEQUENCE_BITS
    assert boot > last_seen >> SEQUENCE_BITS
    assert reset[0] == boot << SEQUENCE_BITS  # the start of the new boot
    ids = [i for i, _, _ in before + after]
    assert ids == sorted(ids) and len(set(ids)) == len(ids), ids
    # No gap: the new boot's events from its first, every one, in order.
    assert [i - (boot << SEQUENCE_BITS) for i, _, _ in replayed] == list(range(1, len(replayed) + 1))
    added = {d["provider"] for _, t, d in replayed if t == "provider_added"}
    assert added == {"mg", "sg"}, replayed
    # The stream goes on live after the replay.
    pause_and_resume(node.api(), "mg")
    live = again.wait_for(lambda ev: paused_and_resumed(ev, "mg"))
    live_ids = [i for i, _, _ in live]
    assert live_ids == sorted(live_ids) and len(set(live_ids)) == len(live_ids)
    assert node.stop() == 0
    assert again.ended.wait(30)
