"""postern-sim for tests: start it, read its ready line, drive its control API.

test_sim.py uses this directly; end-to-end tests that put Postern in front of
simulated providers import it too (see docs/simulator.md).

    sim = Simulator(workdir).start()          # every service on a free port
                                              # (tests: the sim and sim_factory fixtures)
    sim.url("mailgun")                        # "http://127.0.0.1:40002"
    sim.faults("sendgrid", error_rate=1, error_status=503)
    sim.stats()["total"]["duplicate_ids"]
    sim.kill9(); sim.start()                  # same ports, counts kept with record=True
"""
import base64
import datetime
import hashlib
import hmac
import http.client
import json
import os
import re
import smtplib
import socket
import time

from managed_process import ManagedProcess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SIM_BIN = os.environ.get("POSTERN_SIM_BIN", os.path.join(ROOT, "build", "asan", "bin", "postern-sim"))
READY = re.compile(r"postern-sim ready: (.*)$")
SERVICES = ("mailgun", "sendgrid", "ses", "postmark", "smtp")

# The simulator's default credentials (override with the matching flags).
MAILGUN_KEY = "key-sim"
SENDGRID_KEY = "SG.sim-key"
SES_ACCESS_KEY_ID = "AKIDSIMULATOR"
SES_SECRET_ACCESS_KEY = "sim-secret-access-key"
SES_REGION = "us-east-1"
POSTMARK_TOKEN = "sim-server-token"


class SimError(AssertionError):
    pass


class Simulator(ManagedProcess):
    """One postern-sim process. start() binds every service in `services`
    (port 0 the first time, the same ports on later starts), so a test can
    kill -9 and start again without clients noticing a new address."""
    name = "postern-sim"
    error = SimError

    def __init__(self, workdir, services=SERVICES, args=(), record=False, env=None):
        self.workdir = workdir
        self.services = tuple(services)
        self.args = list(args)
        self.record_path = os.path.join(workdir, "sim-record.tsv") if record else None
        self.env = dict(os.environ)
        self.env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0:halt_on_error=1")
        self.env.update(env or {})
        self.proc = None
        self.log_lines = []
        self.addresses = {}  # name -> (host, port), "control" included

    # -- process ---------------------------------------------------------

    def command(self):
        cmd = [SIM_BIN, "--log-level", "info"]
        cmd += ["--control", self._listen("control")]
        for name in self.services:
            cmd += ["--" + name, self._listen(name)]
        if self.record_path:
            cmd += ["--record", self.record_path]
        return cmd + self.args

    def _listen(self, name):
        host, port = self.addresses.get(name, ("127.0.0.1", 0))
        return f"{host}:{port}"

    def start(self, timeout=60):
        def ready(m):
            self.addresses = parse_ready_line(m.group(1))
        return self.launch(self.command(), self.env, READY, ready, timeout)

    # -- addresses -------------------------------------------------------

    def port(self, name):
        return self.addresses[name][1]

    def host(self, name):
        return self.addresses[name][0]

    def url(self, name):
        host, port = self.addresses[name]
        return f"http://{host}:{port}"

    # -- control API -----------------------------------------------------

    def control(self, method, path, body=None, timeout=30):
        """Calls /_sim/...; returns (status, parsed JSON)."""
        conn = http.client.HTTPConnection(*self.addresses["control"], timeout=timeout)
        try:
            data = json.dumps(body).encode() if body is not None else None
            headers = {"Content-Type": "application/json"} if data is not None else {}
            conn.request(method, path, body=data, headers=headers)
            r = conn.getresponse()
            raw = r.read()
            return r.status, (json.loads(raw) if raw else None)
        finally:
            conn.close()

    def _ok(self, method, path, body=None):
        status, data = self.control(method, path, body)
        if status != 200:
            raise SimError(f"{method} {path}: {status} {data}")
        return data

    def stats(self, all_ids=False):
        return self._ok("GET", "/_sim/stats" + ("?ids=all" if all_ids else ""))

    def faults(self, service, **settings):
        """Merges settings into the service's faults (POST)."""
        return self._ok("POST", f"/_sim/faults/{service}", settings)

    def set_faults(self, service, **settings):
        """Replaces the service's faults (PUT): unnamed settings go back to none."""
        return self._ok("PUT", f"/_sim/faults/{service}", settings)

    def clear_faults(self, service):
        return self._ok("DELETE", f"/_sim/faults/{service}")

    def fault_state(self, service=None):
        return self._ok("GET", "/_sim/faults" + (f"/{service}" if service else ""))

    def reset(self):
        return self._ok("POST", "/_sim/reset")

    def webhooks(self, service, **settings):
        """Merges event-webhook settings into the service's (POST); answers
        its settings and counts."""
        return self._ok("POST", f"/_sim/webhooks/{service}", settings)

    def webhook_state(self, service):
        """Settings and counts of the service's webhooks (SendGrid's
        public_key, SES's subscription and signing_cert_url included)."""
        return self._ok("GET", f"/_sim/webhooks/{service}")

    def wait_webhooks(self, service, timeout=30, **counts):
        """Waits until each named count (acknowledged=3, ...) is reached."""
        deadline = time.time() + timeout
        state = {}
        while time.time() < deadline:
            state = self.webhook_state(service)
            if all(state["counts"].get(k, 0) >= v for k, v in counts.items()):
                return state
            time.sleep(0.05)
        raise SimError(f"{service} webhooks did not reach {counts}: {state}")

    def messages(self, postern_id):
        """What was received for this Postern id, or None if nothing was."""
        status, data = self.control("GET", f"/_sim/messages/{postern_id}")
        return data if status == 200 else None

    def accepted(self, service=None):
        s = self.stats()
        return s["total"]["accepted"] if service is None else s["services"][service]["accepted"]

    def wait_accepted(self, count, service=None, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.accepted(service) >= count:
                return
            time.sleep(0.05)
        raise SimError(f"accepted stayed below {count}: {self.stats()['total']}")


def parse_ready_line(text):
    """'control=127.0.0.1:1 mailgun=127.0.0.1:2' -> {'control': ('127.0.0.1', 1), ...}"""
    out = {}
    for item in text.split():
        name, _, address = item.partition("=")
        host, _, port = address.rpartition(":")
        out[name] = (host.strip("[]"), int(port))
    return out


def sigv4_headers(method, host, path, body, when=None, access_key_id=SES_ACCESS_KEY_ID,
                  secret=SES_SECRET_ACCESS_KEY, region=SES_REGION, content_type="application/json"):
    """Headers of a SigV4-signed SES request, for tests
    that call the simulated SES without Postern. `body` is bytes."""
    when = when or datetime.datetime.now(datetime.timezone.utc)
    amz_date = when.strftime("%Y%m%dT%H%M%SZ")
    date = amz_date[:8]
    headers = {"Host": host, "X-Amz-Date": amz_date}
    if body:
        headers["Content-Type"] = content_type
    names = sorted(k.lower() for k in headers)
    canonical_headers = "".join(f"{k.lower()}:{' '.join(str(v).split())}\n"
                                for k, v in sorted(headers.items(), key=lambda kv: kv[0].lower()))
    signed = ";".join(names)
    canonical = "\n".join([method, path, "", canonical_headers, signed, hashlib.sha256(body).hexdigest()])
    scope = f"{date}/{region}/ses/aws4_request"
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])

    def mac(key, msg):
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    key = mac(mac(mac(mac(("AWS4" + secret).encode(), date), region), "ses"), "aws4_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    headers["Authorization"] = (f"AWS4-HMAC-SHA256 Credential={access_key_id}/{scope}, "
                                f"SignedHeaders={signed}, Signature={signature}")
    return headers


def encode_multipart(fields, boundary="postern-sim-test-boundary"):
    """multipart/form-data body: fields is a list of (name, value) or
    (name, (filename, content_type, bytes)). Returns (content_type, body)."""
    out = bytearray()
    for name, value in fields:
        out += f"--{boundary}\r\n".encode()
        if isinstance(value, tuple):
            filename, ctype, data = value
            out += (f'Content-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                    f"Content-Type: {ctype}\r\n\r\n").encode()
            out += data
        else:
            out += f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
            out += value.encode() if isinstance(value, str) else value
        out += b"\r\n"
    out += f"--{boundary}--\r\n".encode()
    return f"multipart/form-data; boundary={boundary}", bytes(out)


# -- direct clients of the simulated APIs (no Postern in between) ------------

class Reply:
    """A response read whole: status, lower-cased headers, body bytes."""

    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return f"<Reply {self.status} {self.body[:300]!r}>"


def call(sim, service, method, path, body=None, headers=None, timeout=10):
    """One request to a simulated HTTP API (a dict or list body goes as JSON)."""
    conn = http.client.HTTPConnection("127.0.0.1", sim.port(service), timeout=timeout)
    try:
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, r.read())
    finally:
        conn.close()


def basic(user, password):
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


# One valid send per API, carrying `postern_id` where that provider carries it.

def mailgun_send(sim, postern_id="0abcdefghjkmn", key=MAILGUN_KEY, fields=None, timeout=10):
    fields = fields if fields is not None else [
        ("from", "App <app@mg.example.com>"), ("to", "user@example.org"), ("subject", "Hi"),
        ("text", "Hello"), ("v:postern-id", postern_id)]
    ctype, body = encode_multipart(fields)
    return call(sim, "mailgun", "POST", "/v3/mg.example.com/messages", body,
                {"Authorization": basic("api", key), "Content-Type": ctype}, timeout=timeout)


def sendgrid_send(sim, postern_id="0abcdefghjkmn", key=SENDGRID_KEY, message=None):
    message = message or {
        "personalizations": [{"to": [{"email": "user@example.org"}]}],
        "from": {"email": "app@example.com"}, "subject": "Hi",
        "content": [{"type": "text/plain", "value": "Hello"}],
        "custom_args": {"postern_id": postern_id}}
    return call(sim, "sendgrid", "POST", "/v3/mail/send", message,
                {"Authorization": f"Bearer {key}", "Content-Type": "application/json"})


def ses_call(sim, method, path, payload=None, **sign):
    body = json.dumps(payload).encode() if payload is not None else b""
    headers = sigv4_headers(method, f"127.0.0.1:{sim.port('ses')}", path, body, **sign)
    return call(sim, "ses", method, path, body or None, headers)


def ses_send(sim, postern_id="0abcdefghjkmn", **sign):
    raw = b"From: app@example.com\r\nTo: user@example.org\r\nSubject: Hi\r\n\r\nHello\r\n"
    payload = {"Content": {"Raw": {"Data": base64.b64encode(raw).decode()}},
               "EmailTags": [{"Name": "postern_id", "Value": postern_id}]}
    return ses_call(sim, "POST", "/v2/email/outbound-emails", payload, **sign)


def postmark_send(sim, postern_id="0abcdefghjkmn", token=POSTMARK_TOKEN, message=None):
    message = message or {"From": "app@example.com", "To": "user@example.org", "Subject": "Hi",
                          "TextBody": "Hello", "Metadata": {"postern_id": postern_id}}
    return call(sim, "postmark", "POST", "/email", message,
                {"X-Postmark-Server-Token": token, "Accept": "application/json",
                 "Content-Type": "application/json"})


def smtp_send(sim, postern_id="0abcdefghjkmn", rcpt=("user@example.org",), login=None, timeout=10):
    data = f"From: app@example.com\r\nTo: user@example.org\r\nX-Postern-Id: {postern_id}\r\nSubject: Hi\r\n\r\nHello\r\n"
    with smtplib.SMTP("127.0.0.1", sim.port("smtp"), timeout=timeout) as s:
        s.ehlo("client.test")
        if login:
            s.login(*login)
        return s.sendmail("app@example.com", list(rcpt), data.encode())


def refused(sim, service):
    """True when the service's port refuses connections (the "down" fault)."""
    try:
        socket.create_connection(("127.0.0.1", sim.port(service)), timeout=2).close()
        return False
    except ConnectionRefusedError:
        return True
