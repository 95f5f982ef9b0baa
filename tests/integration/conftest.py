"""Fixtures that run the real postern binary on loopback and talk to it.

Every server gets its own temporary directory and free ports (port 0), and
is stopped gracefully when the test ends, its clean exit asserted (see
`servers`). Threads a test starts go through `Threads`, so that their
failures fail the test; a test that needs a tool or a build target marks
itself with `requires` (a skip on a developer's machine, a failure in CI).
"""
import json
import os
import re
import subprocess
import threading
import time
import traceback
import http.client

import pytest

import pg_server
import simulator
from managed_process import ManagedProcess, sanitizer_report

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
POSTERN_BIN = os.environ.get("POSTERN_BIN", os.path.join(ROOT, "build", "asan", "bin", "postern"))
READY = re.compile(r"postern ready: http=([\d.]+):(\d+)(?: smtp=([\d.]+):(\d+))?(?: smtps=([\d.]+):(\d+))?"
                   r"(?: pop3=([\d.]+):(\d+))?(?: imap=([\d.]+):(\d+))?(?: imaps=([\d.]+):(\d+))?"
                   r"(?: mx=([\d.]+):(\d+))?")


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
    unless keep_alive: then one connection for every call, closed by close()).
    `connection` makes the connection: another http.client.HTTPConnection,
    e.g. one that opens with a PROXY header."""

    def __init__(self, port, key=None, host="127.0.0.1", connection=http.client.HTTPConnection,
                 keep_alive=False):
        self.port = port
        self.key = key
        self.host = host
        self.connection = connection
        self.keep_alive = keep_alive
        self.open = None  # the kept connection

    def close(self):
        if self.open:
            self.open.close()
            self.open = None

    def request(self, method, path, body=None, headers=None, key=None, timeout=30):
        conn = self.open or self.connection(self.host, self.port, timeout=timeout)
        if self.keep_alive:
            self.open = conn
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
        except Exception:
            self.close()  # a kept connection that failed is not used again
            raise
        finally:
            if not self.keep_alive:
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
            "POSTERN_POP3_LISTEN": "127.0.0.1:0",
            "POSTERN_IMAP_LISTEN": "127.0.0.1:0",
            "POSTERN_STORE_PATH": os.path.join(workdir, "postern.db"),
            "POSTERN_LOG_LEVEL": "info",
            # ASan: a leak report must fail the run, and reports must be readable.
            "ASAN_OPTIONS": "detect_leaks=1:abort_on_error=0:halt_on_error=1",
        })
        self.env.update(env or {})
        self.cwd = None
        if self.env.get("POSTERN_STORE_BACKEND") == "postgres":
            # store.path is SQLite's own (refused with PostgreSQL); the node's
            # local files (data/tls) go to data/ in its working directory.
            del self.env["POSTERN_STORE_PATH"]
            self.cwd = workdir
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
        self.pop3_port = None
        self.imap_port = None
        self.imaps_port = None
        self.mx_port = None  # the test inbox's MX listener (inbox.mx_listen)

    def command(self, *args):
        cmd = [POSTERN_BIN]
        if self.config_path:
            cmd += ["--config", self.config_path]
        return cmd + list(args)

    def cli(self, *args, input=None, check=True):
        """Runs a postern CLI command against the same store."""
        r = subprocess.run(self.command(*args), env=self.env, input=input, capture_output=True, text=True,
                           timeout=60, cwd=self.cwd)
        if check and r.returncode != 0:
            raise AssertionError(f"postern {' '.join(args)} failed ({r.returncode}): {r.stderr}")
        report = sanitizer_report(r.stderr.splitlines())
        assert not report, "\n".join([f"postern {' '.join(args)} reported:"] + report)
        return r

    def start(self, timeout=60):
        def ready(m):
            self.http_port = int(m.group(2))
            if m.group(4):
                self.smtp_port = int(m.group(4))
            if m.group(6):
                self.smtps_port = int(m.group(6))
            if m.group(8):
                self.pop3_port = int(m.group(8))
            if m.group(10):
                self.imap_port = int(m.group(10))
            if m.group(12):
                self.imaps_port = int(m.group(12))
            if m.group(14):
                self.mx_port = int(m.group(14))
        return self.launch(self.command("serve"), self.env, READY, ready, timeout)

    def api(self, key=None, keep_alive=False):
        return Api(self.http_port, key, keep_alive=keep_alive)


@pytest.fixture
def servers():
    """Adopts the servers (postern, postern-sim) a test starts: each is
    stopped at teardown with SIGTERM and a bounded wait, and its clean exit
    asserted (code 0, no sanitizer report, so a leak fails the test). A
    process the test killed with kill -9 on purpose is not checked; a test
    that restarts one after a kill has its last start stopped gracefully."""
    adopted = []
    yield adopted.append
    problems = []
    for p in reversed(adopted):  # postern before the simulators it sends to
        try:
            p.finish()
        except AssertionError as e:
            problems.append(str(e))
    assert not problems, "\n\n".join(problems)


@pytest.fixture
def postern_factory(tmp_path, servers):
    count = 0

    def make(env=None, config_text=None, start=True, workdir=None):
        nonlocal count
        wd = workdir or str(tmp_path / f"node{count}")
        count += 1
        os.makedirs(wd, exist_ok=True)
        p = Postern(wd, env=env, config_text=config_text)
        servers(p)
        if start:
            p.start()
        return p

    return make


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
def sim_factory(tmp_path, servers):
    """Starts postern-sim processes (simulator.Simulator's options), each in
    its own directory, stopped and checked at teardown like postern."""
    count = 0

    def make(start=True, **options):
        nonlocal count
        s = simulator.Simulator(str(tmp_path / f"sim{count}"), **options)
        count += 1
        os.makedirs(s.workdir, exist_ok=True)
        servers(s)
        return s.start() if start else s

    return make


@pytest.fixture
def sim(sim_factory):
    """A running postern-sim (simulated providers) for the test."""
    return sim_factory()


# -- threads ----------------------------------------------------------------------

class Threads:
    """Threads whose failures fail the test. An exception in a thread of its
    own never reaches the test (pytest.ini turns it into an error reported
    after the test, without the test's context), so each thread's exception
    is kept, and join() raises them in the test."""

    def __init__(self):
        self.threads, self.failures = [], []
        self._lock = threading.Lock()

    def start(self, target, *args):
        def run():
            try:
                target(*args)
            except BaseException as e:  # reported by join()
                with self._lock:
                    self.failures.append(e)

        t = threading.Thread(target=run, daemon=True)
        self.threads.append(t)
        t.start()
        return t

    def join(self, timeout=60):
        """Waits for every thread (`timeout` seconds in all); raises if one
        failed or is still running."""
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.0, deadline - time.monotonic()))
        self.check()
        running = sum(t.is_alive() for t in self.threads)
        assert not running, f"{running} of {len(self.threads)} threads still running after {timeout} s"

    def check(self):
        """Raises if a thread has failed so far."""
        with self._lock:
            failures = list(self.failures)
        if failures:
            details = "\n".join("".join(traceback.format_exception_only(type(e), e)).strip() for e in failures[:10])
            raise AssertionError(f"{len(failures)} of {len(self.threads)} threads failed:\n{details}") from failures[0]


# -- what a test needs ----------------------------------------------------------------

def under_ci():
    """CI services set CI=true (and .ci/run does), or POSTERN_CI=1: there every test runs."""
    return any(os.environ.get(name, "").lower() in ("true", "1", "yes") for name in ("CI", "POSTERN_CI"))


def missing(what):
    """The test cannot run here for want of `what`: skipped on a developer's
    machine, failed in CI, so that a missing tool or build target never
    leaves CI green with tests unrun."""
    if under_ci():
        pytest.fail(f"{what} (in CI every test runs: scripts/bootstrap.sh installs the tools, "
                    "the asan build makes the targets)", pytrace=False)
    pytest.skip(what)


def requires(available, what):
    """A mark for a test (or a module's pytestmark) that needs `what`;
    `available` says whether it is here. See missing()."""
    return pytest.mark.requires(available, what)


def pytest_runtest_setup(item):
    for mark in item.iter_markers("requires"):
        available, what = mark.args
        if not available:
            missing(what)


needs_simulator = requires(os.path.exists(simulator.SIM_BIN), f"postern-sim is not built ({simulator.SIM_BIN})")


needs_postgres = requires(pg_server.available(), f"PostgreSQL 15 is not installed ({pg_server.PG_BIN})")


@pytest.fixture(scope="session")
def postgres_server():
    """One private PostgreSQL for the session (pg_server.PgServer), stopped at
    its end; tests take a database each (postgres_url)."""
    if not pg_server.available():
        missing(f"PostgreSQL 15 is not installed ({pg_server.PG_BIN})")
    server = pg_server.PgServer().start()
    yield server
    server.cleanup()


@pytest.fixture
def postgres_url(postgres_server):
    """The postgresql:// URI of a new, empty database for this test."""
    return postgres_server.url(postgres_server.create_database())
