"""Fixtures that run the real postern binary on loopback and talk to it.

Every server gets its own temporary directory and free ports (port 0), and
is stopped (SIGTERM, then SIGKILL) when the test ends.
"""
import json
import os
import re
import subprocess
import time
import http.client

import pytest

import simulator
from managed_process import ManagedProcess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
POSTERN_BIN = os.environ.get("POSTERN_BIN", os.path.join(ROOT, "build", "asan", "bin", "postern"))
READY = re.compile(r"postern ready: http=([\d.]+):(\d+)(?: smtp=([\d.]+):(\d+))?(?: smtps=([\d.]+):(\d+))?")


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        return self.headers.get(name.lower())

    def __repr__(self):
        return f"<Response {self.status} {self.body[:300]!r}>"


class Api:
    """A small HTTP client for the API (http.client, one connection per call
    unless keep_alive is used)."""

    def __init__(self, port, key=None, host="127.0.0.1"):
        self.port = port
        self.key = key
        self.host = host

    def request(self, method, path, body=None, headers=None, key=None, timeout=30):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            h = dict(headers or {})
            k = key if key is not None else self.key
            if k:
                h["Authorization"] = f"Bearer {k}"
            if isinstance(body, (dict, list)):
                body = json.dumps(body).encode()
                h.setdefault("Content-Type", "application/json")
            elif isinstance(body, str):
                body = body.encode()
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        finally:
            conn.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    def send(self, message, **kw):
        return self.post("/v1/messages", message, **kw)

    def wait_status(self, message_id, statuses, timeout=20):
        deadline = time.time() + timeout
        last = None
        while time.time() < deadline:
            r = self.get(f"/v1/messages/{message_id}")
            if r.status == 200:
                last = r.json()
                if last["status"] in statuses:
                    return last
            time.sleep(0.05)
        raise AssertionError(f"message {message_id} did not reach {statuses}: {last}")


class Postern(ManagedProcess):
    """One postern process."""
    name = "postern"

    def __init__(self, workdir, env=None, config_text=None):
        self.workdir = workdir
        self.env = dict(os.environ)
        self.env.update({
            "POSTERN_HTTP_LISTEN": "127.0.0.1:0",
            "POSTERN_SMTP_LISTEN": "127.0.0.1:0",
            "POSTERN_STORE_PATH": os.path.join(workdir, "postern.db"),
            "POSTERN_LOG_LEVEL": "info",
            # ASan: a leak report must fail the run, and reports must be readable.
            "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:halt_on_error=1",
        })
        self.env.update(env or {})
        self.config_path = None
        if config_text is not None:
            self.config_path = os.path.join(workdir, "postern.toml")
            with open(self.config_path, "w") as f:
                f.write(config_text)
        self.proc = None
        self.log_lines = []
        self.http_port = None
        self.smtp_port = None
        self.smtps_port = None

    def command(self, *args):
        cmd = [POSTERN_BIN]
        if self.config_path:
            cmd += ["--config", self.config_path]
        return cmd + list(args)

    def cli(self, *args, input=None, check=True):
        """Runs a postern CLI command against the same store."""
        r = subprocess.run(self.command(*args), env=self.env, input=input, capture_output=True, text=True,
                           timeout=60)
        if check and r.returncode != 0:
            raise AssertionError(f"postern {' '.join(args)} failed ({r.returncode}): {r.stderr}")
        return r

    def start(self, timeout=60):
        def ready(m):
            self.http_port = int(m.group(2))
            if m.group(4):
                self.smtp_port = int(m.group(4))
            if m.group(6):
                self.smtps_port = int(m.group(6))
        return self.launch(self.command("serve"), self.env, READY, ready, timeout)

    def api(self, key=None):
        return Api(self.http_port, key)


@pytest.fixture
def postern_factory(tmp_path):
    started = []

    def make(env=None, config_text=None, start=True, workdir=None):
        wd = workdir or str(tmp_path / f"node{len(started)}")
        os.makedirs(wd, exist_ok=True)
        p = Postern(wd, env=env, config_text=config_text)
        started.append(p)
        if start:
            p.start()
        return p

    yield make
    for p in started:
        try:
            p.kill9()
        except Exception:
            pass


@pytest.fixture
def postern(postern_factory):
    return postern_factory()


def simple_message(i=0, **extra):
    m = {
        "from": "App <app@example.com>",
        "to": [f"user{i}@example.org"],
        "subject": f"Message {i}",
        "text": f"Hello number {i}",
    }
    m.update(extra)
    return m


def metric(postern, name, default=0.0):
    """The value of one sample of /metrics ('name{labels}' exactly), `default` if absent."""
    body = postern.api().get("/metrics").body.decode()
    for line in body.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[-1])
    return default


def stored(api):
    """Every message the node holds (newest first)."""
    r = api.get("/v1/messages?limit=500")
    assert r.status == 200, r
    return r.json()["data"]


@pytest.fixture
def sim(tmp_path):
    """A running postern-sim (simulated providers) for the test. Tests kill
    and restart it: its exit code says nothing."""
    with simulator.running(str(tmp_path / "sim"), check_exit=False) as s:
        yield s
