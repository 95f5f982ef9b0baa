"""End to end through simulated providers: 10,000 messages over HTTP, two
providers, one killed (kill -9 of its simulator: connections refused) in mid
stream and restarted later, and a third added over the API while mail flows.
Every accepted message is delivered; duplicates are counted by the
simulators and bounded by what was in flight at the kill."""
import http.client
import json
import threading
import time

from conftest import Threads, needs_simulator
from simulator import MAILGUN_KEY, POSTMARK_TOKEN, SENDGRID_KEY

pytestmark = needs_simulator

TOTAL = 10_000
FIRST = TOTAL * 7 // 10  # sent before the provider returns, the rest after
SENDERS = 16
WINDOW = 256  # delivery.window: the most attempts in flight, so the most duplicates a crash can cause


def start_sim(sim_factory, service):
    return sim_factory(services=(service,), record=True)


def config(mailgun, sendgrid):
    return (f'[delivery]\nwindow = {WINDOW}\ninitial_backoff = "200ms"\nmax_backoff = "2s"\npoll_interval = "50ms"\n'
            f'[[providers]]\nname = "mg"\ntype = "mailgun"\nbase_url = "{mailgun.url("mailgun")}"\n'
            f'api_key = "{MAILGUN_KEY}"\ndomain = "mg.example.com"\n'
            f'[[providers]]\nname = "sg"\ntype = "sendgrid"\nbase_url = "{sendgrid.url("sendgrid")}"\n'
            f'api_key = "{SENDGRID_KEY}"\n')


def e2e_message(i):
    return {"from": "e2e@example.com", "to": [f"user{i}@example.org"], "subject": f"e2e {i}", "text": f"message {i}"}


def send_all(port, total, acked, message=e2e_message):
    """SENDERS threads, one keep-alive connection each, `total` messages
    (the i-th is message(i)); returns the Threads, whose join() fails if
    any message was refused."""
    counter = iter(range(total))
    lock = threading.Lock()

    def worker(t):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            body = json.dumps(message(i))
            conn.request("POST", "/v1/messages", body=body, headers={"Content-Type": "application/json"})
            r = conn.getresponse()
            data = r.read()
            assert r.status == 202, data
            with lock:
                acked.append(json.loads(data)["id"])

    senders = Threads()
    for t in range(SENDERS):
        senders.start(worker, t)
    return senders


def queue_counts(api):
    counts = {}
    for line in api.get("/metrics").body.decode().splitlines():
        if line.startswith("postern_queue_messages{"):
            status = line.split('"')[1]
            counts[status] = int(float(line.rsplit(" ", 1)[1]))
    return counts


def wait_for(predicate, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_ten_thousand_messages_survive_a_provider_killed_and_restarted(postern_factory, sim_factory):
    mailgun, sendgrid = start_sim(sim_factory, "mailgun"), start_sim(sim_factory, "sendgrid")
    node = postern_factory(config_text=config(mailgun, sendgrid))
    api = node.api()
    acked = []
    first = send_all(node.http_port, FIRST, acked)
    wait_for(lambda: len(acked) >= TOTAL * 3 // 10, 120, "30% of the messages accepted")
    mailgun.kill9()
    first.join(240)
    # Every message of the first batch was accepted although a provider died.
    assert len(acked) == FIRST
    mailgun.start()  # same port; its counts come back from its record file
    before_return = mailgun.accepted()
    # A third provider, added at run time, joins the pool.
    postmark = start_sim(sim_factory, "postmark")
    added = api.post("/v1/providers", {"name": "pm", "type": "postmark", "settings": {
        "base_url": postmark.url("postmark"), "api_key": POSTMARK_TOKEN}})
    assert added.status == 201, added
    send_all(node.http_port, TOTAL - FIRST, acked).join(240)
    assert len(acked) == TOTAL
    wait_for(lambda: queue_counts(api).get("sent", 0) == TOTAL, 180, "every message sent")
    # Everything left may have gone elsewhere while the returning provider
    # sat out its ejection: a little more traffic must reach it again,
    # and the added provider must take its share.
    deadline = time.time() + 60
    while mailgun.accepted() == before_return or postmark.accepted() == 0:
        assert time.time() < deadline, (f"no traffic to the restarted provider ({mailgun.accepted()}) "
                                        f"or the added one ({postmark.accepted()})")
        send_all(node.http_port, 50, acked).join(60)
        time.sleep(0.5)
    wait_for(lambda: queue_counts(api).get("sent", 0) == len(acked), 60, "every message sent")

    mg = mailgun.stats(all_ids=True)["services"]["mailgun"]
    sg = sendgrid.stats(all_ids=True)["services"]["sendgrid"]
    pm = postmark.stats(all_ids=True)["services"]["postmark"]
    delivered = set(mg["ids"]) | set(sg["ids"]) | set(pm["ids"])
    assert delivered == set(acked), f"{len(set(acked) - delivered)} accepted messages never reached a provider"
    # A message the dead simulator took just before the kill, whose answer
    # was lost, is sent again elsewhere: at most the attempts in flight.
    duplicates = (mg["accepted"] + sg["accepted"] + pm["accepted"]) - len(delivered)
    assert 0 <= duplicates <= WINDOW, f"{duplicates} duplicates for a window of {WINDOW}"
    # Every provider carried traffic, the restarted one again after its return.
    assert mg["unique_ids"] > 0 and sg["unique_ids"] > 0 and pm["unique_ids"] > 0
    events = [e for m in api.get("/v1/messages?limit=500").json()["data"][:50]
              for e in api.get(f"/v1/messages/{m['id']}").json()["events"]]
    assert {e.get("provider") for e in events if e["type"] == "sent"} <= {"mg", "sg", "pm"}
    assert node.stop() == 0
