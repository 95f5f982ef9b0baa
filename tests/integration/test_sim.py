"""postern-sim driven directly with http.client and smtplib (no Postern):
each API's success shape, auth failure, a wrong-shape error, the probes,
every fault mode, stats and duplicates, and --record across a kill -9."""
import base64
import os
import smtplib
import socket
import ssl
import subprocess
import time

import pytest

from simulator import (MAILGUN_KEY, POSTMARK_TOKEN, SENDGRID_KEY, basic, call, encode_multipart,
                       mailgun_send, postmark_send, refused, sendgrid_send, ses_call, ses_send, smtp_send)


SENDS = {"mailgun": mailgun_send, "sendgrid": sendgrid_send, "ses": ses_send, "postmark": postmark_send}


# -- start-up ----------------------------------------------------------------

def test_ready_line_lists_every_port_and_stops_cleanly(sim):
    names = set(sim.addresses)
    assert names == {"control", "mailgun", "sendgrid", "ses", "postmark", "smtp"}
    assert len({sim.port(n) for n in names}) == 6
    assert sim.control("GET", "/_sim/health") == (200, {"ok": True})
    assert sim.stop() == 0


def test_service_not_given_is_not_started(sim_factory):
    sim = sim_factory(services=("sendgrid",))
    assert set(sim.addresses) == {"control", "sendgrid"}
    assert list(sim.stats()["services"]) == ["sendgrid"]
    status, _ = sim.control("POST", "/_sim/faults/mailgun", {"down": True})
    assert status == 400


# -- each API ------------------------------------------------------------------

def test_mailgun(sim):
    r = mailgun_send(sim)
    assert r.status == 200, r
    body = r.json()
    assert body["message"] == "Queued. Thank you."
    assert body["id"].startswith("<") and body["id"].endswith("@mg.example.com>")

    bad_key = mailgun_send(sim, key="key-wrong")
    assert (bad_key.status, bad_key.body) == (401, b"Forbidden")

    no_from = mailgun_send(sim, fields=[("to", "user@example.org"), ("text", "x")])
    assert no_from.status == 400
    assert no_from.json() == {"message": "from parameter is missing"}

    probe = call(sim, "mailgun", "GET", "/v3/domains/mg.example.com",
                 headers={"Authorization": basic("api", MAILGUN_KEY)})
    assert probe.status == 200
    assert probe.json()["domain"]["state"] == "active"


def test_sendgrid(sim):
    r = sendgrid_send(sim)
    assert r.status == 202, r
    assert r.body == b""
    assert len(r.header("X-Message-Id")) == 22
    for h in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
        assert r.header(h), h

    bad_key = sendgrid_send(sim, key="SG.wrong")
    assert bad_key.status == 401
    assert bad_key.json() == {"errors": [{"message": "The provided authorization grant is invalid, expired, or revoked",
                                          "field": None, "help": None}]}

    misordered = sendgrid_send(sim, message={
        "personalizations": [{"to": [{"email": "user@example.org"}]}], "from": {"email": "app@example.com"},
        "subject": "s", "content": [{"type": "text/html", "value": "<b>x</b>"}, {"type": "text/plain", "value": "x"}]})
    assert misordered.status == 400
    error = misordered.json()["errors"][0]
    assert error["field"] == "content"
    assert "text/plain needs to be first" in error["message"]

    probe = call(sim, "sendgrid", "GET", "/v3/scopes", headers={"Authorization": f"Bearer {SENDGRID_KEY}"})
    assert probe.status == 200 and "mail.send" in probe.json()["scopes"]


def test_ses(sim):
    r = ses_send(sim)
    assert r.status == 200, r
    assert r.json()["MessageId"].endswith("-000000")

    bad_secret = ses_send(sim, secret="not-the-secret")
    assert bad_secret.status == 403
    assert bad_secret.header("x-amzn-ErrorType") == "SignatureDoesNotMatch"
    assert "signature we calculated does not match" in bad_secret.json()["message"]

    no_auth = call(sim, "ses", "POST", "/v2/email/outbound-emails", b"{}", {"Content-Type": "application/json"})
    assert no_auth.status == 403

    wrong_shape = ses_call(sim, "POST", "/v2/email/outbound-emails",
                           {"FromEmailAddress": "app@example.com",
                            "Destination": {"ToAddresses": ["user@example.org"]},
                            "Content": {"Simple": {"Subject": {"Data": "s"}}}})
    assert wrong_shape.status == 400
    assert wrong_shape.header("x-amzn-ErrorType") == "BadRequestException"
    assert "message" in wrong_shape.json()

    probe = ses_call(sim, "GET", "/v2/email/account")
    assert probe.status == 200, probe
    assert probe.json()["SendingEnabled"] is True
    assert probe.json()["SendQuota"]["SentLast24Hours"] == 1


def test_postmark(sim_factory):
    sim = sim_factory(args=["--postmark-inactive", "bounced*@*"])
    r = postmark_send(sim)
    assert r.status == 200, r
    body = r.json()
    assert (body["To"], body["ErrorCode"], body["Message"]) == ("user@example.org", 0, "OK")
    assert body["SubmittedAt"] and len(body["MessageID"]) == 36

    bad_token = postmark_send(sim, token="wrong")
    assert bad_token.status == 401 and bad_token.json()["ErrorCode"] == 10

    bad_from = postmark_send(sim, message={"From": "nope", "To": "user@example.org", "TextBody": "x"})
    assert bad_from.status == 422 and bad_from.json()["ErrorCode"] == 300

    inactive = postmark_send(sim, message={"From": "app@example.com", "To": "bounced1@example.org",
                                           "TextBody": "x"})
    assert inactive.status == 422 and inactive.json()["ErrorCode"] == 406
    assert "bounced1@example.org" in inactive.json()["Message"]

    probe = call(sim, "postmark", "GET", "/server", headers={"X-Postmark-Server-Token": POSTMARK_TOKEN})
    assert probe.status == 200 and probe.json()["Name"] == "postern-sim"


def test_smtp_relay(sim_factory, tmp_path):
    cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=localhost"], check=True, capture_output=True)
    sim = sim_factory(args=["--smtp-user", "relay", "--smtp-password", "secret", "--smtp-reject", "unknown*@*",
                            "--tls-cert", cert, "--tls-key", key])
    with smtplib.SMTP("127.0.0.1", sim.port("smtp"), timeout=10) as s:
        s.ehlo("client.test")
        for ext in ("pipelining", "size", "8bitmime", "starttls", "auth"):
            assert s.has_extn(ext), ext
        assert "PLAIN" in s.esmtp_features["auth"] and "LOGIN" in s.esmtp_features["auth"]
        with pytest.raises(smtplib.SMTPSenderRefused) as no_auth:
            s.sendmail("app@example.com", ["user@example.org"], b"Subject: x\r\n\r\nx\r\n")
        assert no_auth.value.smtp_code == 530
        with pytest.raises(smtplib.SMTPAuthenticationError) as bad:
            s.login("relay", "wrong")
        assert bad.value.smtp_code == 535

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    data = b"From: app@example.com\r\nX-Postern-Id: 0smtpsmtpsmtp\r\nSubject: x\r\n\r\n.dot line\r\nend\r\n"
    with smtplib.SMTP("127.0.0.1", sim.port("smtp"), timeout=10) as s:
        s.starttls(context=context)
        s.ehlo("client.test")
        assert not s.has_extn("starttls")
        s.login("relay", "secret")
        refusals = s.sendmail("app@example.com", ["user@example.org", "unknown1@example.org"], data)
        assert refusals["unknown1@example.org"][0] == 550
        assert b"5.1.1" in refusals["unknown1@example.org"][1]
        code, text = s.noop()
        assert code == 250

    got = sim.messages("0smtpsmtpsmtp")
    receipt = got["receipts"][0]
    assert receipt["envelope"]["rcpt_to"] == ["user@example.org"]
    assert receipt["envelope"]["tls"] is True and receipt["envelope"]["auth_user"] == "relay"
    # smtplib dot-stuffed ".dot line"; the relay unstuffed it (RFC 5321 §4.5.2).
    assert base64.b64decode(receipt["body_base64"]) == data
    assert receipt["provider_message_id"]


def test_smtp_queued_reply(sim):
    with smtplib.SMTP("127.0.0.1", sim.port("smtp"), timeout=10) as s:
        s.ehlo("client.test")
        s.mail("app@example.com")
        s.rcpt("user@example.org")
        code, text = s.data(b"Subject: x\r\n\r\nhello\r\n")
        assert code == 250
        assert text.startswith(b"2.0.0 Ok: queued as "), text


# -- faults --------------------------------------------------------------------

@pytest.mark.parametrize("service", ["mailgun", "smtp"])
def test_down_refuses_connections_and_up_rebinds_the_same_port(sim, service):
    port = sim.port(service)
    sim.faults(service, down=True)
    assert refused(sim, service)
    assert sim.stats()["services"][service]["listening"] is False
    sim.faults(service, down=False)
    assert sim.port(service) == port
    assert not refused(sim, service)
    if service == "smtp":
        smtp_send(sim)
    else:
        assert mailgun_send(sim).status == 200


def test_down_from_the_command_line(sim_factory):
    sim = sim_factory(args=["--fault", "sendgrid:down"])
    assert refused(sim, "sendgrid")
    assert sim.fault_state("sendgrid")["down"] is True
    sim.clear_faults("sendgrid")
    assert sendgrid_send(sim).status == 202


def test_throttle_carries_retry_after(sim):
    for service in SENDS:
        sim.faults(service, throttle_rate=1, retry_after=7)
    mg = mailgun_send(sim)
    assert mg.status == 429 and mg.header("Retry-After") == "7"
    assert "try again after" in mg.json()["message"]
    sg = sendgrid_send(sim)
    assert sg.status == 429 and sg.header("Retry-After") == "7"
    assert sg.header("X-RateLimit-Remaining") == "0"
    assert abs(int(sg.header("X-RateLimit-Reset")) - (time.time() + 7)) < 3
    ses = ses_send(sim)
    assert ses.status == 429 and ses.header("x-amzn-ErrorType") == "TooManyRequestsException"
    pm = postmark_send(sim)
    assert pm.status == 429 and pm.json()["ErrorCode"] == 429

    sim.faults("smtp", throttle_rate=1)
    with pytest.raises(smtplib.SMTPDataError) as e:
        smtp_send(sim)
    assert e.value.smtp_code == 454


def test_error_rate_and_status(sim):
    sim.faults("sendgrid", error_rate=1, error_status=502)
    for _ in range(3):
        assert sendgrid_send(sim).status == 502
    sim.faults("ses", error_rate=1)
    r = ses_send(sim)
    assert r.status == 503 and r.header("x-amzn-ErrorType") == "ServiceUnavailable"
    sim.faults("sendgrid", error_rate=0.5)
    statuses = [sendgrid_send(sim).status for _ in range(60)]
    assert 10 < statuses.count(502) < 50 and statuses.count(202) == 60 - statuses.count(502)
    stats = sim.stats()["services"]["sendgrid"]
    assert stats["rejected"]["502"] == 3 + statuses.count(502)


def test_hang_reads_the_request_and_never_answers(sim):
    sim.faults("mailgun", hang=True)
    with pytest.raises(socket.timeout):
        mailgun_send(sim, timeout=1)
    sim.faults("mailgun", hang=False)
    assert mailgun_send(sim).status == 200

    sim.faults("smtp", hang=True)  # probes too: not even a greeting
    with pytest.raises((socket.timeout, smtplib.SMTPServerDisconnected)):
        smtplib.SMTP("127.0.0.1", sim.port("smtp"), timeout=1)
    sim.faults("smtp", probes=False)  # sends only: the message is read, never answered
    with pytest.raises((socket.timeout, smtplib.SMTPServerDisconnected)):
        smtp_send(sim, timeout=1)
    assert sim.accepted("smtp") == 0


def test_latency(sim):
    # 2 s injected, so that "gone" can be told from "there" with room for
    # a loaded box under ASan (docs/testing.md "What is timed").
    sim.faults("postmark", latency="2s")
    started = time.monotonic()
    assert postmark_send(sim).status == 200
    assert time.monotonic() - started >= 2
    sim.faults("postmark", latency="0")
    started = time.monotonic()
    assert postmark_send(sim).status == 200
    assert time.monotonic() - started < 1.5


def test_flap_alternates(sim):
    sim.faults("ses", flap="1s/1s")
    seen = []
    deadline = time.monotonic() + 4.5
    while time.monotonic() < deadline:
        state = "down" if refused(sim, "ses") else "up"
        if not seen or seen[-1] != state:
            seen.append(state)
        time.sleep(0.05)
    assert seen[0] == "down", seen
    assert len(seen) >= 4, seen
    sim.faults("ses", flap="off")
    assert not refused(sim, "ses")
    assert ses_send(sim).status == 200


def test_auth_failure_switch_and_probes_flag(sim):
    sim.faults("mailgun", auth_fail=True)
    r = mailgun_send(sim)
    assert (r.status, r.body) == (401, b"Forbidden")
    probe = call(sim, "mailgun", "GET", "/v3/domains/mg.example.com",
                 headers={"Authorization": basic("api", MAILGUN_KEY)})
    assert probe.status == 401
    sim.faults("mailgun", probes=False)
    probe = call(sim, "mailgun", "GET", "/v3/domains/mg.example.com",
                 headers={"Authorization": basic("api", MAILGUN_KEY)})
    assert probe.status == 200
    assert mailgun_send(sim).status == 401

    sim.faults("postmark", auth_fail=True)
    assert postmark_send(sim).json()["ErrorCode"] == 10
    sim.faults("smtp", auth_fail=True)
    with pytest.raises(smtplib.SMTPSenderRefused) as e:
        smtp_send(sim)
    assert e.value.smtp_code == 530


# -- stats, messages, record ---------------------------------------------------

def test_stats_count_ids_and_duplicates(sim):
    assert mailgun_send(sim, "0aaaaaaaaaaaa").status == 200
    assert mailgun_send(sim, "0aaaaaaaaaaaa").status == 200
    assert mailgun_send(sim, "0bbbbbbbbbbbb").status == 200
    assert sendgrid_send(sim, "0bbbbbbbbbbbb").status == 202
    smtp_send(sim, "0cccccccccccc")
    assert sendgrid_send(sim, key="wrong").status == 401
    assert call(sim, "postmark", "POST", "/email", {"From": "a@example.com", "To": "b@example.org",
                                                     "TextBody": "x"},
                {"X-Postern-Server-Token": "x"}).status == 401
    assert postmark_send(sim, message={"From": "a@example.com", "To": "b@example.org", "TextBody": "x"}).status == 200

    stats = sim.stats()
    mg = stats["services"]["mailgun"]
    assert (mg["accepted"], mg["unique_ids"], mg["duplicate_ids"]) == (3, 2, 1)
    assert mg["duplicates"] == {"0aaaaaaaaaaaa": 2}
    assert sorted(mg["ids"]) == ["0aaaaaaaaaaaa", "0bbbbbbbbbbbb"]
    assert stats["services"]["sendgrid"]["rejected"] == {"401": 1}
    assert stats["services"]["postmark"]["unidentified"] == 1
    total = stats["total"]
    assert total["accepted"] == 6
    assert total["unique_ids"] == 3
    assert total["duplicates"] == {"0aaaaaaaaaaaa": 2, "0bbbbbbbbbbbb": 2}

    sim.reset()
    assert sim.stats()["total"]["accepted"] == 0


def test_messages_are_kept_byte_for_byte(sim):
    ctype, body = encode_multipart([("from", "a@mg.example.com"), ("to", "b@example.org"), ("text", "héllo"),
                                    ("v:postern-id", "0dddddddddddd"),
                                    ("attachment", ("a.bin", "application/octet-stream", bytes(range(256))))])
    r = call(sim, "mailgun", "POST", "/v3/mg.example.com/messages", body,
             {"Authorization": basic("api", MAILGUN_KEY), "Content-Type": ctype})
    assert r.status == 200
    got = sim.messages("0dddddddddddd")
    assert got["received"] == 1 and got["per_service"] == {"mailgun": 1}
    receipt = got["receipts"][0]
    assert receipt["method"] == "POST" and receipt["target"] == "/v3/mg.example.com/messages"
    assert base64.b64decode(receipt["body_base64"]) == body
    assert ["Content-Type", ctype] in receipt["headers"]
    assert receipt["provider_message_id"] == r.json()["id"]
    assert sim.messages("0zzzzzzzzzzzz") is None


def test_record_survives_kill9(sim_factory):
    sim = sim_factory(services=("mailgun", "sendgrid"), record=True)
    for i in range(5):
        assert mailgun_send(sim, f"0aaaaaaaaaaa{i}").status == 200
    assert mailgun_send(sim, "0aaaaaaaaaaa0").status == 200
    assert sendgrid_send(sim, "0aaaaaaaaaaa1").status == 202
    ports = (sim.port("mailgun"), sim.port("sendgrid"))
    sim.kill9()

    sim.start()
    assert (sim.port("mailgun"), sim.port("sendgrid")) == ports
    stats = sim.stats()
    assert stats["services"]["mailgun"]["accepted"] == 6
    assert stats["services"]["mailgun"]["duplicates"] == {"0aaaaaaaaaaa0": 2}
    assert stats["total"]["duplicates"] == {"0aaaaaaaaaaa0": 2, "0aaaaaaaaaaa1": 2}
    with open(sim.record_path) as f:
        lines = [line.rstrip("\n").split("\t") for line in f]
    assert len(lines) == 7
    assert lines[0][0] == "mailgun" and lines[0][1] == "0aaaaaaaaaaa0" and lines[0][2].endswith("@mg.example.com>")

    assert mailgun_send(sim, "0aaaaaaaaaaa9").status == 200
    assert sim.accepted("mailgun") == 7
    sim.reset()
    assert os.path.getsize(sim.record_path) == 0
