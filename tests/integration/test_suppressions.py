"""The suppression list against the real binary, with postern-sim as the
provider (docs/events.md, "Suppression list"): added by the API and the
CLI, a send to a suppressed address makes no provider call and its 202
names it, a message to suppressed addresses alone ends failed with class
suppressed, the domain compares without case and the local part with it,
CSV goes out and back in unchanged, and Postmark's inactive recipients
(ErrorCode 406) join the list."""
import smtplib
import time

from conftest import needs_simulator, simple_message
from test_providers import gateway

pytestmark = needs_simulator


def suppress(api, *addresses, reason="manual"):
    r = api.post("/v1/suppressions", [{"address": a, "reason": reason} for a in addresses])
    assert r.status == 201, r
    return r


def provider_recipients(sim, mid):
    """Every recipient the simulated provider was asked to send message `mid` to."""
    got = sim.messages(mid)
    if not got:
        return []
    out = []
    for receipt in got["receipts"]:
        out += receipt.get("envelope", {}).get("rcpt_to", [])
    return out


def test_a_suppressed_recipient_is_left_out_and_the_202_names_it(postern_factory, sim):
    p = gateway(postern_factory, sim, "smtp")
    api = p.api()
    suppress(api, "gone@example.org")
    r = api.send(simple_message(1, to=["ok@example.org", "gone@EXAMPLE.org"]))
    assert r.status == 202, r
    assert r.json()["suppressed"] == ["gone@EXAMPLE.org"], r
    m = api.wait_status(r.json()["id"], {"sent", "failed"})
    assert m["status"] == "sent", m
    assert provider_recipients(sim, r.json()["id"]) == ["ok@example.org"]


def test_a_message_to_suppressed_addresses_alone_fails_without_a_provider_call(postern_factory, sim):
    p = gateway(postern_factory, sim, "smtp")
    api = p.api()
    suppress(api, "a@example.org", "b@example.org")
    r = api.send(simple_message(1, to=["a@example.org", "B@example.org", "b@Example.ORG"]))
    assert r.status == 202, r
    # The local part compares with its case: B@example.org is not b@example.org.
    assert r.json()["suppressed"] == ["a@example.org", "b@Example.ORG"], r

    r = api.send(simple_message(2, to=["a@EXAMPLE.org"]))
    assert r.status == 202 and r.json()["suppressed"] == ["a@EXAMPLE.org"], r
    m = api.wait_status(r.json()["id"], {"sent", "failed"})
    assert m["status"] == "failed", m
    assert m["events"][-1]["class"] == "suppressed", m
    assert not m["events"][-1].get("provider"), m
    assert not provider_recipients(sim, r.json()["id"])

    # A sync send learns it at once.
    started = time.time()
    r = api.send(simple_message(3, to=["b@example.org"]), headers={"Prefer": "wait=20"})
    assert r.status == 502, r
    assert r.json()["status"] == "failed" and "suppression list" in r.json()["reason"], r
    assert time.time() - started < 10
    assert api.wait_status(r.json()["id"], {"sent", "failed"})["events"][-1]["class"] == "suppressed"


def test_cli_adds_lists_removes_and_the_server_sees_it(postern_factory, sim):
    p = gateway(postern_factory, sim, "smtp")
    api = p.api()
    p.cli("suppressions", "add", "cli@example.org", "--reason", "complained", "--detail", "by hand")
    listed = p.cli("suppressions", "list").stdout
    assert "cli@example.org\tcomplained\t" in listed, listed
    # The running server reloads the list within its refresh period (5 s).
    deadline = time.time() + 15
    suppressed = []
    while time.time() < deadline:
        r = api.send(simple_message(1, to=["cli@example.org", "other@example.org"]))
        suppressed = r.json()["suppressed"]
        if suppressed:
            break
        time.sleep(0.2)
    assert suppressed == ["cli@example.org"]
    assert api.get("/v1/suppressions/cli@EXAMPLE.org").json()["reason"] == "complained"
    p.cli("suppressions", "remove", "cli@example.org")
    assert "cli@example.org" not in p.cli("suppressions", "list").stdout
    bad = p.cli("suppressions", "add", "not-an-address", check=False)
    assert bad.returncode == 2 and "address" in bad.stderr, bad


def test_smtp_accepts_a_suppressed_rcpt_and_drops_it(postern_factory, sim):
    p = gateway(postern_factory, sim, "smtp")
    suppress(p.api(), "gone@example.org")
    with smtplib.SMTP("127.0.0.1", p.smtp_port, timeout=10) as s:
        refused = s.sendmail("app@example.com", ["ok@example.org", "gone@example.org"],
                             b"From: app@example.com\r\nTo: ok@example.org\r\nSubject: hi\r\n\r\nbody\r\n")
    assert refused == {}
    deadline = time.time() + 20
    while time.time() < deadline:
        sent = [m for m in p.api().get("/v1/messages").json()["data"] if m["status"] == "sent"]
        if sent:
            break
        time.sleep(0.05)
    assert sent, "the message was not sent"
    assert provider_recipients(sim, sent[0]["id"]) == ["ok@example.org"]


def test_csv_round_trip_through_the_api_and_the_cli(postern_factory, sim, tmp_path):
    p = gateway(postern_factory, sim, "smtp")
    api = p.api()
    csv = ("address,reason,detail\r\n"
           "one@example.org,bounced,\"550 5.1.1, no such user\"\r\n"
           "o'brien+tag@example.org,manual,\"say \"\"no\"\"\"\r\n"
           "two@example.org,complained,\r\n")
    r = api.post("/v1/suppressions", csv, headers={"Content-Type": "text/csv"})
    assert r.status == 201 and r.json() == {"added": 3, "unchanged": 0}, r
    exported = api.get("/v1/suppressions.csv")
    assert exported.status == 200 and exported.header("content-type").startswith("text/csv")
    body = exported.body.decode()
    assert body.startswith("address,reason,provider,message_id,detail,created_at\r\n"), body
    assert api.get("/v1/suppressions", headers={"Accept": "text/csv"}).body.decode() == body
    path = tmp_path / "list.csv"
    p.cli("suppressions", "export", str(path))
    assert path.read_bytes() == exported.body

    # Into a fresh node by the CLI, and out again: the same file.
    fresh = gateway(postern_factory, sim, "smtp")
    out = fresh.cli("suppressions", "import", str(path))
    assert "imported 3 entries: 3 new" in out.stderr, out.stderr
    assert fresh.api().get("/v1/suppressions.csv").body == exported.body

    broken = api.post("/v1/suppressions", "address\r\nfine@example.org\r\nbroken\r\n",
                      headers={"Content-Type": "text/csv"})
    assert broken.status == 422 and broken.json()["error"]["field"] == "row 3, address", broken
    assert api.get("/v1/suppressions/fine@example.org").status == 404


def test_postmark_inactive_recipients_join_the_list(postern_factory, sim):
    p = gateway(postern_factory, sim, "postmark")
    api = p.api()
    sim.faults("postmark", reject=["gone@example.org"])
    mid = api.send(simple_message(1, to=["ok@example.org", "gone@example.org"])).json()["id"]
    assert api.wait_status(mid, {"sent", "failed"}, timeout=30)["status"] == "sent"
    entry = api.get("/v1/suppressions/gone@example.org")
    assert entry.status == 200, entry
    assert entry.json()["reason"] == "inactive" and entry.json()["provider"] == "up", entry.json()
    assert entry.json()["message_id"] == mid
    # The next message to it makes no call to Postmark.
    r = api.send(simple_message(2, to=["gone@example.org"]))
    assert r.json()["suppressed"] == ["gone@example.org"], r
    m = api.wait_status(r.json()["id"], {"sent", "failed"})
    assert m["status"] == "failed" and m["events"][-1]["class"] == "suppressed", m
    assert not (sim.messages(r.json()["id"]) or {}).get("receipts")


def test_the_list_searched_by_the_start_of_the_address_and_paged(postern_factory):
    p = postern_factory(config_text="")
    api = p.api()
    suppress(api, "ann@example.org", "Ann@Example.ORG", "ann@b.example", "anna@example.org", "bob@example.org")

    def keys(query):
        r = api.get(f"/v1/suppressions?{query}")
        assert r.status == 200, r
        return [e["address"] for e in r.json()["data"]], r.json()["next_after"]

    # The domain compares without case, the local part with it; an address
    # equal to the prefix comes first.
    assert keys("prefix=ann%40EXAMPLE.org") == (["ann@example.org"], None)
    assert keys("prefix=ann") == (["ann@b.example", "ann@example.org", "anna@example.org"], None)
    assert keys("prefix=Ann") == (["Ann@Example.ORG"], None)
    assert keys("prefix=zed") == ([], None)
    # Paged as without it: the cursor of a full page, then the rest.
    first, after = keys("prefix=ann&limit=2")
    assert first == ["ann@b.example", "ann@example.org"] and after == "ann@example.org"
    assert keys(f"prefix=ann&limit=2&after={after}") == (["anna@example.org"], None)
    assert keys("prefix=ann@example.org&limit=1") == (["ann@example.org"], "ann@example.org")
    assert keys("prefix=ann@example.org&limit=1&after=ann@example.org") == ([], None)
