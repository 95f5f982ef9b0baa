"""The abuse limits against the real binary (docs/operations.md "Abuse
limits"): 429 with Retry-After and a JSON body per API key and per client
address, SMTP's 450 4.7.1 per user, failed logins delayed more and more per
address and forgotten after a success, a refused connection read again only
after part of its Retry-After, the same time for an unknown user as
for a wrong password, keys that expire and are rotated with a grace period,
and a flood of 1,000 connections during which a legitimate client is served.
The flood's latency comparison is a benchmark (bench/limits.sh), not a
timed test."""
import asyncio
import os
import smtplib
import socket
import statistics
import sys
import threading
import time

import pytest

from conftest import ROOT, metric
from test_smtp import TIMEOUT, create_key, create_user, plain_response, smtp_port_of, toml_config

sys.path.insert(0, os.path.join(ROOT, "bench"))
from limits_load import hammer  # noqa: E402  (the benchmark's flooding connection)

LOOSE_AUTH = {"auth_failures_free": 1000}


def limits_config(limits, smtp=None):
    """Every test runs on 127.0.0.1: loopback is not exempt here."""
    return toml_config(limits={"exempt_loopback": False, **limits},
                       smtp={"trusted_networks": [], "auth_without_tls": True, **(smtp or {})})


def retry_after(r):
    value = r.header("retry-after")
    assert value is not None and value.isdigit(), r.headers
    return int(value)


def assert_429(r, code):
    assert r.status == 429, r
    assert r.json()["error"]["code"] == code, r
    assert retry_after(r) >= 1
    return retry_after(r)


# -- request rate and concurrency -------------------------------------------

def test_each_key_has_its_own_rate(postern_factory):
    p = postern_factory(config_text=limits_config({"key_requests_per_second": 0.2, "key_burst": 3}))
    busy = create_key(p, "busy", "read,admin")
    calm = create_key(p, "calm", "read")
    api = p.api(busy)
    assert [api.get("/v1/messages").status for _ in range(3)] == [200, 200, 200]
    r = api.get("/v1/messages")
    # One token every 5 s: the client is told when the next one is there.
    assert 1 <= assert_429(r, "rate_limited") <= 5
    assert "API key" in r.json()["error"]["message"]
    assert p.api(calm).get("/v1/messages").status == 200
    assert metric(p, 'postern_limits_refused_total{limit="key_rate"}') == 1


def test_a_refused_connection_reads_its_next_request_later(postern_factory):
    p = postern_factory(config_text=limits_config({"key_requests_per_second": 1, "key_burst": 2}))
    busy = p.api(create_key(p, "busy", "read"), keep_alive=True)
    calm = p.api(create_key(p, "calm", "read"), keep_alive=True)
    assert [busy.get("/v1/messages?limit=1").status for _ in range(2)] == [200, 200]
    assert assert_429(busy.get("/v1/messages?limit=1"), "rate_limited") == 1
    # The next request on that connection is read after half to all of the
    # second it was told to wait; another client is answered meanwhile.
    held = {}

    def ask_again():
        start = time.monotonic()
        held["status"] = busy.get("/v1/messages?limit=1").status
        held["took"] = time.monotonic() - start
    asking = threading.Thread(target=ask_again)
    asking.start()
    assert calm.get("/v1/messages?limit=1").status == 200
    assert asking.is_alive(), held
    asking.join(TIMEOUT)
    assert held["took"] >= 0.45, held
    assert held["status"] in (200, 429), held
    busy.close()
    calm.close()


def test_callers_without_a_key_are_limited_per_address(postern_factory):
    # No key exists: loopback callers are trusted, and (not exempt here)
    # limited by address.
    p = postern_factory(config_text=limits_config({"address_requests_per_second": 0.2, "address_burst": 2}))
    api = p.api()
    assert [api.get("/v1/messages").status for _ in range(2)] == [200, 200]
    assert_429(api.get("/v1/messages"), "rate_limited")
    # The operational endpoints are not limited.
    assert api.get("/healthz").status == 200


def test_concurrent_requests_per_key(postern_factory):
    p = postern_factory(config_text=limits_config({"key_concurrent": 1}))
    key = create_key(p, "watcher", "read")
    # The event stream is a request in flight for as long as it is open.
    with socket.create_connection(("127.0.0.1", p.http_port), timeout=TIMEOUT) as stream:
        stream.sendall(f"GET /v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {key}\r\n\r\n".encode())
        assert stream.makefile("rb").readline().startswith(b"HTTP/1.1 200"), "the stream did not start"
        r = p.api(key).get("/v1/messages")
        assert_429(r, "rate_limited")
        assert "in flight" in r.json()["error"]["message"]
    # Its place is given back when it ends: the server notices a closed
    # stream at its next write, a ping every 15 s at the latest.
    deadline = time.monotonic() + 45
    while (r := p.api(key).get("/v1/messages")).status == 429 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert r.status == 200, r


# -- SMTP messages per minute -----------------------------------------------

def test_smtp_user_messages_per_minute(postern_factory):
    p = postern_factory(config_text=limits_config({"smtp_messages_per_minute": 1, "smtp_burst": 2}))
    secret = create_key(p, "mailer", "send")
    with smtplib.SMTP("127.0.0.1", smtp_port_of(p), timeout=TIMEOUT) as s:
        s.ehlo("client.test")
        s.login("mailer", secret)
        for i in range(2):
            s.sendmail("a@example.com", ["b@example.org"], f"Subject: {i}\r\n\r\nbody\r\n")
        code, reply = s.mail("a@example.com")
        assert code == 450, reply
        assert reply.startswith(b"4.7.1 Too much mail from mailer; try again in "), reply
    assert metric(p, 'postern_limits_refused_total{limit="smtp_messages"}') == 1


# -- failed logins ------------------------------------------------------------

def test_http_auth_failure_delays_grow_and_reset(postern_factory):
    p = postern_factory(config_text=limits_config(
        {"auth_failures_free": 1, "auth_failure_delay": "1s", "auth_failure_max_delay": "4s"}))
    good = create_key(p, "admin", "read,admin")
    api = p.api()
    assert api.get("/v1/messages", key="pst_wrong1").status == 401
    assert api.get("/v1/messages", key="pst_wrong2").status == 401
    # The second failure shuts the address out for 1 s; even the right key waits.
    assert assert_429(api.get("/v1/messages", key=good), "too_many_failed_logins") == 1
    time.sleep(1.1)  # the delay under test
    assert api.get("/v1/messages", key="pst_wrong3").status == 401
    assert assert_429(api.get("/v1/messages", key="pst_wrong4"), "too_many_failed_logins") == 2
    time.sleep(2.1)
    # A success forgets the address: the next failure is a free one again.
    assert api.get("/v1/messages", key=good).status == 200
    assert api.get("/v1/messages", key="pst_wrong5").status == 401
    assert api.get("/v1/messages", key="pst_wrong6").status == 401
    assert assert_429(api.get("/v1/messages", key="pst_wrong7"), "too_many_failed_logins") == 1
    assert metric(p, 'postern_auth_failures_total{protocol="http"}') == 5
    assert metric(p, 'postern_auth_delayed_total{protocol="http"}') == 3
    logged = "\n".join(p.log_lines)
    assert "failed http login from 127.0.0.1" in logged
    assert "pst_wrong" not in logged and good not in logged  # never the secret


def test_smtp_auth_failure_delays(postern_factory):
    p = postern_factory(config_text=limits_config({"auth_failures_free": 1, "auth_failure_delay": "2s"}))
    create_user(p, "printer", "correct horse battery", "send")

    def attempt(password):
        with smtplib.SMTP("127.0.0.1", smtp_port_of(p), timeout=TIMEOUT) as s:
            s.ehlo("client.test")
            return s.docmd("AUTH", "PLAIN " + plain_response("printer", password))

    assert attempt("wrong one")[0] == 535
    assert attempt("wrong two")[0] == 535
    code, reply = attempt("correct horse battery")
    assert code == 454, reply
    assert reply.startswith(b"4.7.0 Too many failed logins from your address; try again in "), reply
    time.sleep(2.1)  # the delay under test
    assert attempt("correct horse battery")[0] == 235
    assert metric(p, 'postern_auth_failures_total{protocol="smtp"}') == 2
    assert "failed smtp login from 127.0.0.1 as user printer" in "\n".join(p.log_lines)


def auth_seconds(port, user, password):
    with smtplib.SMTP("127.0.0.1", port, timeout=TIMEOUT) as s:
        s.ehlo("client.test")
        start = time.perf_counter()
        code, _ = s.docmd("AUTH", "PLAIN " + plain_response(user, password))
        took = time.perf_counter() - start
    assert code == 535
    return took


@pytest.mark.parametrize("known", ["smtp_user", "api_key"])
def test_unknown_user_and_wrong_password_take_the_same_time(postern_factory, known):
    p = postern_factory(config_text=limits_config(LOOSE_AUTH))
    if known == "smtp_user":
        create_user(p, "printer", "correct horse battery", "send")
        name = "printer"
    else:
        create_key(p, "mailer", "send")
        name = "mailer"
    port = smtp_port_of(p)
    auth_seconds(port, "warm-up", "x")  # the first check makes the stand-in hash
    wrong, unknown = [], []
    for i in range(15):  # interleaved, so that load on the machine hits both alike
        wrong.append(auth_seconds(port, name, f"wrong password {i}"))
        unknown.append(auth_seconds(port, f"nobody{i}", f"wrong password {i}"))
    a, b = statistics.median(wrong), statistics.median(unknown)
    # Both do one Argon2id verification: medians within 30% of each other
    # (a fast path would be 10 to 100 times quicker).
    assert abs(a - b) < 0.3 * max(a, b), (wrong, unknown)


# -- expiry and rotation ----------------------------------------------------

def cli_secret(result):
    return next(line for line in result.stdout.splitlines() if line.startswith("pst_"))


def listed(p, name):
    line = next(line for line in p.cli("keys", "list").stdout.splitlines() if line.split("\t")[0] == name)
    return line.split("\t")


def test_key_expiry_and_rotation_from_the_cli(postern_factory):
    p = postern_factory(config_text=limits_config(LOOSE_AUTH))
    short = cli_secret(p.cli("keys", "create", "--name", "short", "--scopes", "read", "--expires-in", "2s"))
    expires = listed(p, "short")[4]
    assert expires != "never"
    assert p.api(short).get("/v1/messages").status == 200
    time.sleep(2.1)  # the expiry under test
    r = p.api(short).get("/v1/messages")
    assert r.status == 401, r
    assert r.json()["error"]["code"] == "expired_api_key"

    old = create_key(p, "app", "read")
    assert p.api(old).get("/v1/messages").status == 200
    new = cli_secret(p.cli("keys", "rotate", "app", "--grace", "2s"))
    assert new != old
    assert p.api(new).get("/v1/messages").status == 200
    assert p.api(old).get("/v1/messages").status == 200  # the grace period
    assert listed(p, "app")[6] != "-"
    time.sleep(2.1)
    r = p.api(old).get("/v1/messages")
    assert r.status == 401 and r.json()["error"]["code"] == "expired_api_key", r
    assert p.api(new).get("/v1/messages").status == 200
    # The last use is written every few seconds, and at stop.
    p.stop()
    assert listed(p, "app")[5].startswith("20")


def test_key_expiry_and_rotation_over_the_api(postern_factory):
    p = postern_factory(config_text=limits_config(LOOSE_AUTH))
    admin = p.api(create_key(p, "admin", "read,admin"))
    r = admin.post("/v1/keys", {"name": "temp", "scopes": ["read"], "expires_in": "1h"})
    assert r.status == 201, r
    assert r.json()["expires_at"].startswith("20")
    temp = r.json()["secret"]
    bad = admin.post("/v1/keys", {"name": "bad", "expires_in": "soon"})
    assert bad.status == 422 and bad.json()["error"]["field"] == "expires_in", bad
    r = admin.post("/v1/keys/temp/rotate", {"grace": "1h"})
    assert r.status == 200, r
    rotated = r.json()
    assert rotated["secret"] != temp and rotated["previous_secret_valid_until"].startswith("20")
    assert p.api(temp).get("/v1/messages").status == 200
    assert p.api(rotated["secret"]).get("/v1/messages").status == 200
    keys = {k["name"]: k for k in admin.get("/v1/keys").json()["data"]}
    assert keys["temp"]["expires_at"].startswith("20")
    assert keys["temp"]["previous_secret_valid_until"] == rotated["previous_secret_valid_until"]
    assert keys["admin"]["expires_at"] is None and keys["admin"]["previous_secret_valid_until"] is None
    # A grace of 0 ends the previous secret at once.
    r = admin.post("/v1/keys/temp/rotate", {"grace": "0"})
    assert r.status == 200
    assert p.api(rotated["secret"]).get("/v1/messages").json()["error"]["code"] == "expired_api_key"
    assert p.api(r.json()["secret"]).get("/v1/messages").status == 200
    assert admin.post("/v1/keys/missing/rotate", {}).status == 404


# -- a flood ------------------------------------------------------------------

FLOOD = 1000


def test_a_flood_of_1000_connections_is_refused_while_a_client_is_served(postern_factory):
    p = postern_factory(config_text=limits_config(
        {"key_requests_per_second": 200, "key_burst": 200, "key_concurrent": 16}))
    abuser = create_key(p, "abuser", "read")
    legit = p.api(create_key(p, "legit", "read"))

    async def main():
        stop = asyncio.Event()
        codes = {200: 0, 429: 0, "other": 0}
        tasks = [asyncio.create_task(hammer(p.http_port, abuser, stop, codes)) for _ in range(FLOOD)]
        loop = asyncio.get_running_loop()
        served = []
        try:
            # Until the flood is being refused, then a while longer.
            deadline = time.monotonic() + 60
            while codes[429] < 5000 and time.monotonic() < deadline:
                r = await loop.run_in_executor(None, lambda: legit.get("/v1/messages?limit=1"))
                served.append(r.status)
                # Within its key's rate (200/s), as a legitimate client is:
                # refused connections are held, so the flood takes seconds
                # to reach 5,000 refusals.
                await asyncio.sleep(0.01)
        finally:
            stop.set()
            await asyncio.wait_for(asyncio.gather(*tasks), 60)
        return codes, served

    codes, served = asyncio.run(main())
    assert codes[429] >= 5000, codes
    # Every connection got answers, none an error or a dropped connection.
    assert codes["other"] == 0, codes
    assert served and set(served) == {200}, served
