"""Providers and routing changed at run time survive a restart
(docs/routing.md "Run-time changes"): a provider added through the API, a
new strategy and weights, a paused provider, a relay registered by
heartbeat and removed providers are the same after a graceful restart and
after kill -9 right after the 2xx; mail goes through the added provider;
the registered relay lapses when it does not beat again; and the file wins
over a change once its entry for it changes."""
import time

from conftest import needs_simulator
from simulator import MAILGUN_KEY, POSTMARK_TOKEN
from test_health import relay_details, routed_to, send_and_wait
from test_routing import FAST, providers_toml, routing_section, wait_state

pytestmark = needs_simulator

WINDOW = 2.0  # the relay's heartbeat window (s)


def config(sim, extra_providers=()):
    return (FAST + routing_section(heartbeat_window=f"{WINDOW:g}s", heartbeat_allowed=["relay"])
            + providers_toml(sim, [("mg", "mailgun"), ("sg", "sendgrid"), ("ses1", "ses"),
                                   *extra_providers]))


def view(api):
    """What must survive: each provider's definition and operator state, and the routing."""
    providers = {p["name"]: (p["source"], p["type"], p["pool"], p["weight"], p["priority"], p["admin"])
                 for p in api.get("/v1/providers").json()["data"]}
    routing = api.get("/v1/routing").json()
    return providers, (routing["strategy"], routing["default_pool"], routing["routes"])


def change_at_run_time(api, sim):
    r = api.post("/v1/providers", {"name": "pm", "type": "postmark", "weight": 3,
                                   "settings": {"base_url": sim.url("postmark"), "api_key": POSTMARK_TOKEN}})
    assert r.status == 201, r
    r = api.post("/v1/providers", {"name": "short-lived", "type": "capture"})
    assert r.status == 201, r
    for method, path, body, status in [
            ("PUT", "/v1/routing", {"strategy": "weighted"}, 200),
            ("PUT", "/v1/providers/mg", {"weight": 5}, 200),
            ("POST", "/v1/providers/sg/pause", None, 200),
            ("DELETE", "/v1/providers/short-lived", None, 202),  # made at run time, removed
            ("DELETE", "/v1/providers/ses1", None, 202),         # the file's, removed
            ("POST", "/v1/providers/relay/heartbeat", relay_details(sim), 201)]:
        r = api.request(method, path, body)
        assert r.status == status, (method, path, r)


def expected_after_changes():
    return ({"mg": ("config", "mailgun", "default", 5, 1, "active"),
             "sg": ("config", "sendgrid", "default", 1, 1, "paused"),
             "pm": ("api", "postmark", "default", 3, 1, "active"),
             "relay": ("heartbeat", "smtp", "default", 1, 1, "active")},
            ("weighted", "default", []))


def wait_gone(api, name, timeout=10):
    """A removed provider leaves once idle (at the next health tick)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if api.get(f"/v1/providers/{name}").status == 404:
            return
        time.sleep(0.05)
    raise AssertionError(f"{name} is still listed")


def test_run_time_changes_survive_graceful_and_kill9_restarts(postern_factory, sim):
    p = postern_factory(config_text=config(sim))
    api = p.api()
    change_at_run_time(api, sim)
    for name in ("short-lived", "ses1"):
        wait_gone(api, name)
    before = view(api)
    assert before == expected_after_changes(), before

    # Graceful restart: the same providers, strategy, weights and states.
    p.stop()
    p.start()
    api = p.api()
    assert view(api) == before
    assert "2 run-time providers restored" in p.logs(), p.logs()

    # Mail goes through the added provider (weighted: mg 5, pm 3, relay 1),
    # never through the paused one.
    details = send_and_wait(api, 0, 18)
    assert "pm" in routed_to(details) and "sg" not in routed_to(details), routed_to(details)
    assert {m["status"] for m in details.values()} == {"sent"}

    # The relay was not beating across the restart: it lapses one window
    # after the start, as the usual heartbeat expiry has it, and comes back
    # with its next beat.
    lapsed = wait_state(api, "relay", {"lapsed"}, timeout=WINDOW + 10)
    assert lapsed["check"] == "heartbeat", lapsed
    r = api.post("/v1/providers/relay/heartbeat")
    assert r.status == 200 and r.json()["returned"] is True, r

    # A change acknowledged right before kill -9 is there after it.
    r = api.request("PUT", "/v1/providers/pm", {"weight": 4})
    assert r.status == 200, r
    r = api.request("PUT", "/v1/routing", {"strategy": "priority"})
    assert r.status == 200, r
    p.kill9()
    p.start()
    api = p.api()
    providers, routing = view(api)
    want_providers, want_routing = expected_after_changes()
    want_providers["pm"] = ("api", "postmark", "default", 4, 1, "active")
    assert providers == want_providers
    assert routing == ("priority",) + want_routing[1:]
    for name in ("short-lived", "ses1"):
        assert api.get(f"/v1/providers/{name}").status == 404

    # Resumed and back to the file's weight: nothing is kept for mg and sg.
    assert api.post("/v1/providers/sg/resume").status == 200
    assert api.request("PUT", "/v1/providers/mg", {"weight": 1}).status == 200
    kept = p.cli("routing", "list").stdout
    assert "provider\tmg\t" not in kept and "provider\tsg\t" not in kept, kept
    assert "provider\tpm\tapi\tactive" in kept and POSTMARK_TOKEN not in kept, kept


def test_the_file_wins_once_its_entry_changes(postern_factory, sim):
    p = postern_factory(config_text=config(sim))
    api = p.api()
    change_at_run_time(api, sim)
    wait_gone(api, "ses1")
    p.stop()

    # The operator edits mg's and ses1's entries and the strategy: the file
    # wins there; sg stays paused (an operator state) and pm stays.
    text = config(sim).replace('domain = "mg.example.com"\n', 'domain = "mg.example.com"\nweight = 2\n')
    text = text.replace('name = "ses1"\ntype = "ses"\n', 'name = "ses1"\ntype = "ses"\npriority = 3\n')
    text = text.replace("[routing]\n", '[routing]\nstrategy = "priority"\n')
    with open(p.config_path, "w") as f:
        f.write(text)
    p.start()
    api = p.api()
    providers, routing = view(api)
    assert providers["mg"] == ("config", "mailgun", "default", 2, 1, "active"), providers
    assert providers["ses1"] == ("config", "ses", "default", 1, 3, "active"), providers
    assert providers["sg"][-1] == "paused" and providers["pm"][0] == "api", providers
    assert routing[0] == "priority", routing
    assert "routing: provider mg changed in the file: its run-time changes are dropped" in p.logs()

    # `postern routing reset` drops the rest: the next start is the file alone.
    out = p.cli("routing", "reset").stdout
    assert out.startswith("dropped "), out
    p.stop()
    p.start()
    providers, routing = view(p.api())
    assert set(providers) == {"mg", "sg", "ses1"}, providers
    assert providers["sg"][-1] == "active", providers


def mailgun_path(api, sim):
    """Sends one message and answers the path the simulated Mailgun took it on."""
    details = send_and_wait(api, 0, 1)
    (mid, m), = details.items()
    assert m["status"] == "sent" and m["provider"] == "mg", m
    return sim.messages(mid)["receipts"][0]["target"]


def test_patch_merges_settings_and_the_change_survives_a_restart(postern_factory, sim):
    """PATCH changes the settings given and keeps the others, the masked
    credential included (the UI edits a provider this way)."""
    p = postern_factory(config_text=FAST + routing_section() + providers_toml(sim, [("mg", "mailgun")]))
    api = p.api()
    assert "/v3/mg.example.com/messages" in mailgun_path(api, sim)

    r = api.request("PATCH", "/v1/providers/mg", {"settings": {"domain": "other.example.com"}, "priority": 2})
    assert r.status == 200, r
    assert r.json()["settings"]["domain"] == "other.example.com" and r.json()["settings"]["api_key"] == "***", r
    assert r.json()["priority"] == 2, r
    # The simulator takes only its own key: the kept one.
    assert "/v3/other.example.com/messages" in mailgun_path(api, sim)

    # A setting removed (null) that the provider needs, or settings that are
    # not an object, change nothing and name the field.
    r = api.request("PATCH", "/v1/providers/mg", {"settings": {"domain": None}})
    assert r.status == 422 and r.json()["error"]["field"] == "settings.domain", r
    r = api.request("PATCH", "/v1/providers/mg", {"settings": ["domain"]})
    assert r.status == 422 and r.json()["error"]["field"] == "settings", r
    r = api.request("PATCH", "/v1/providers/nowhere", {"weight": 2})
    assert r.status == 404, r
    assert api.get("/v1/providers/mg").json()["settings"]["domain"] == "other.example.com"

    p.stop()
    p.start()
    api = p.api()
    got = api.get("/v1/providers/mg").json()
    assert (got["settings"]["domain"], got["priority"]) == ("other.example.com", 2), got
    assert "/v3/other.example.com/messages" in mailgun_path(api, sim)
    # Only what changed is kept, not the credential the file gives.
    kept = p.cli("routing", "list").stdout
    assert "provider\tmg\t" in kept and MAILGUN_KEY not in kept, kept
