"""The README's commands, run as a new user runs them.

The commands are read from README.md (and `make run` through the Makefile),
so that a README edit that breaks one fails here. Each node runs in its own
directory with a configuration file that moves its listeners to free ports,
and is stopped with SIGTERM: it must exit cleanly (status 0, which under the
sanitizers also means no leak report).
"""
import http.client
import imaplib
import json
import os
import random
import re
import shlex
import socket
import subprocess
import time

import pytest

from conftest import POSTERN_BIN, READY, ROOT
from managed_process import ManagedProcess

README = os.path.join(ROOT, "README.md")


def readme():
    with open(README) as f:
        return f.read()


def inline_command(prefix):
    """The one inline code span of the README that starts with `prefix`."""
    spans = [s for s in re.findall(r"`([^`\n]+)`", readme()) if s.startswith(prefix)]
    assert len(spans) == 1, f"README.md should show `{prefix}...` once, found {spans}"
    return shlex.split(spans[0])


def shell_commands(program):
    """Commands of the README's sh blocks that start with `program`, each
    split into words (continuation lines joined), a pipe as its own word."""
    commands = []
    for block in re.findall(r"```sh\n(.*?)```", readme(), re.S):
        for line in block.replace("\\\n", " ").splitlines():
            words = shlex.split(line, comments=True)
            if words and os.path.basename(words[0]) == program:
                commands.append(words)
    assert commands, f"README.md shows no {program} command"
    return commands


def free_port():
    """A port free now, below the kernel's ephemeral range: a port the kernel
    hands out (bind to 0) may be handed again to another test's listener or
    to a client's connection before the node binds it."""
    low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
    while True:
        port = random.randrange(max(1024, low - 12000), low)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port


def clean_env():
    """The caller's environment without POSTERN_* settings, which would win
    over the configuration file under test."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTERN_")}
    env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0:halt_on_error=1"
    return env


class Node(ManagedProcess):
    """A postern started by a README command, in `workdir` (where the
    embedded default store path, ./data/postern.db, then lies)."""
    name = "postern"

    def __init__(self, workdir):
        self.workdir = workdir
        self.config = os.path.join(workdir, "postern.toml")
        self.choose_ports()
        self.ready_http = None

    def choose_ports(self):
        self.http_port = free_port()
        self.smtp_port = free_port()
        self.pop3_port = free_port()
        self.imap_port = free_port()
        with open(self.config, "w") as f:
            f.write(f'[http]\nlisten = "127.0.0.1:{self.http_port}"\n\n'
                    f'[smtp]\nlisten = "127.0.0.1:{self.smtp_port}"\n\n'
                    f'[pop3]\nlisten = "127.0.0.1:{self.pop3_port}"\n\n'
                    f'[imap]\nlisten = "127.0.0.1:{self.imap_port}"\n')

    def start(self, argv):
        def ready(m):
            self.ready_http = int(m.group(2))
        # launch() starts in the current directory, and the default store
        # path is relative to it.
        test_cwd = os.getcwd()
        os.chdir(self.workdir)
        try:
            # A port free when chosen can still be taken by a parallel test
            # before the node binds it: then new ports, a bounded few times.
            for attempt in range(3):
                try:
                    return self.launch(argv, clean_env(), READY, ready, 60)
                except AssertionError:
                    if attempt == 2 or "Address already in use" not in self.logs():
                        raise
                    self.proc.wait(10)
                    self.choose_ports()
        finally:
            os.chdir(test_cwd)

    def run(self, argv):
        return subprocess.run(argv, cwd=self.workdir, env=clean_env(), capture_output=True, text=True,
                              timeout=60)


def with_binary(words):
    """A README command with `postern` (or build/release/bin/postern) the
    binary under test."""
    assert os.path.basename(words[0]) == "postern", words
    return [POSTERN_BIN] + words[1:]


def with_config(words, config):
    """The README's postern.toml (alone or as CONFIG=postern.toml) as `config`."""
    return [w.replace("postern.toml", config) for w in words]


def make_run_command(config):
    """What `make run CONFIG=...`, as the README shows it, runs: the Makefile
    is asked (make -n runs nothing) with RELEASE_DIR set to this build."""
    words = with_config(inline_command("make run "), config)
    release_dir = os.path.dirname(os.path.dirname(POSTERN_BIN))
    r = subprocess.run(words + ["-n", "-s", "-C", ROOT, f"RELEASE_DIR={release_dir}"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    runs = [line for line in r.stdout.splitlines() if line.startswith(POSTERN_BIN + " ")]
    assert len(runs) == 1, r.stdout
    return shlex.split(runs[0])


START_FORMS = {
    "serve --config": lambda config: with_config(with_binary(inline_command("postern serve ")), config),
    "--config serve": lambda config: [POSTERN_BIN, "--config", config, "serve"],
    "make run CONFIG": make_run_command,
}


def curl(words, port, key=None):
    """Runs a README curl command (-s, -X, -H, -d and a URL on localhost)
    with http.client against `port`; a pipe into another command gets the
    body on its stdin. Returns (status, output)."""
    pipe = words.index("|") if "|" in words else len(words)
    args, consumer = words[1:pipe], words[pipe + 1:]
    method, headers, body, url = "GET", {}, None, None
    i = 0
    while i < len(args):
        a = args[i]
        if a == "-s":
            pass
        elif a == "-X":
            i += 1
            method = args[i]
        elif a == "-H":
            i += 1
            name, value = args[i].split(":", 1)
            headers[name.strip()] = value.strip()
        elif a == "-d":
            i += 1
            body = args[i].encode()
            if method == "GET":
                method = "POST"
        else:
            assert url is None, f"unexpected curl argument {a!r}"
            url = a
        i += 1
    m = re.fullmatch(r"(?:http://)?localhost:8025(/.*)", url)
    assert m, f"README curl examples should target localhost:8025, found {url}"
    if key:
        headers["Authorization"] = f"Bearer {key}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method, m.group(1), body=body, headers=headers)
        r = conn.getresponse()
        status, data = r.status, r.read()
    finally:
        conn.close()
    if consumer:
        out = subprocess.run(consumer, input=data, capture_output=True, timeout=60)
        assert out.returncode == 0, f"{' '.join(consumer)} refused {data!r}: {out.stderr!r}"
        data = out.stdout
    return status, data.decode()


def stop_cleanly(node):
    assert node.stop() == 0, node.logs()


def test_the_readme_shows_the_commands_this_file_runs():
    # The two forms the Configuration section gives, and the make variable
    # the Makefile passes on as --config.
    assert inline_command("postern serve ") == ["postern", "serve", "--config", "postern.toml"]
    assert inline_command("make run ") == ["make", "run", "CONFIG=postern.toml"]


@pytest.mark.parametrize("form", START_FORMS)
def test_the_readme_starts_a_node_with_the_configuration_file(tmp_path, form):
    node = Node(str(tmp_path))
    node.start(START_FORMS[form](node.config))
    try:
        # The file's listen address, not the embedded default (8025).
        assert node.ready_http == node.http_port, node.logs()
        send, listing = shell_commands("curl")
        status, out = curl(send, node.http_port)
        assert status == 202, out
        status, out = curl(listing, node.http_port)
        assert status == 200, out
        assert '"subject": "Hi"' in out  # json.tool's layout, one field a line
        assert os.path.exists(os.path.join(node.workdir, "data", "postern.db"))
    finally:
        stop_cleanly(node)


def test_the_readme_key_closes_the_loopback_door(tmp_path):
    node = Node(str(tmp_path))
    node.start(START_FORMS["serve --config"](node.config))
    try:
        send, listing = shell_commands("curl")
        [create] = [c for c in shell_commands("postern") if c[1:3] == ["keys", "create"]]
        # As written: no --config, so the embedded default store, which is
        # the running node's (its file sets listeners only).
        r = node.run(with_binary(create))
        assert r.returncode == 0, r.stderr
        lines = r.stdout.splitlines()
        assert len(lines) == 1 and re.fullmatch(r"\S{20,}", lines[0]), r.stdout
        secret = lines[0]
        # One key exists: a loopback caller without it is refused, with it served.
        assert curl(send, node.http_port)[0] == 401
        assert curl(send, node.http_port, key=secret)[0] == 202
        status, out = curl(listing, node.http_port, key=secret)
        assert status == 200 and '"subject": "Hi"' in out, out
        # The same command with --config after its subcommand reads the same store.
        r = node.run(with_binary(["postern", "keys", "list", "--config", node.config]))
        assert r.returncode == 0 and "my-app" in r.stdout, r.stderr
    finally:
        stop_cleanly(node)


def test_the_readme_test_account_reads_its_mail_over_imap(tmp_path):
    node = Node(str(tmp_path))
    node.start(START_FORMS["serve --config"](node.config))
    try:
        [create] = [c for c in shell_commands("postern") if c[1:3] == ["test-accounts", "create"]]
        # As written: the embedded default store, the running node's.
        r = node.run(with_binary(create))
        assert r.returncode == 0, r.stderr
        fields = dict(line.split("\t", 1) for line in r.stdout.splitlines() if "\t" in line)
        assert {"user", "password", "smtp", "imap", "pop3", "web"} <= set(fields), r.stdout
        # Mail to the account's address is caught into its INBOX (the node
        # has no provider), and its login reads it over IMAP.
        send, _ = shell_commands("curl")
        body = json.dumps({"from": "app@example.com", "to": fields["address"], "subject": "Hi", "text": "Hello"})
        send = [w if w != send[send.index("-d") + 1] else body for w in send]
        assert curl(send, node.http_port)[0] == 202
        client = imaplib.IMAP4("127.0.0.1", node.imap_port, timeout=30)
        assert client.login(fields["user"], fields["password"])[0] == "OK"
        deadline = time.time() + 20
        while client.select("INBOX")[1] == [b"0"]:
            assert time.time() < deadline, "the message never reached the INBOX"
            time.sleep(0.2)
        typ, data = client.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        assert typ == "OK" and b"Subject: Hi" in data[0][1], data
        client.logout()
    finally:
        stop_cleanly(node)


@pytest.mark.parametrize("command", [["config"], ["keys", "list"], ["users", "list"]])
def test_config_is_taken_before_or_after_every_command(tmp_path, command):
    node = Node(str(tmp_path))
    before = node.run([POSTERN_BIN, "--config", node.config] + command)
    after = node.run([POSTERN_BIN] + command + ["--config", node.config])
    assert before.returncode == 0, before.stderr
    assert (after.returncode, after.stdout) == (0, before.stdout), after.stderr
    if command == ["config"]:
        assert f"http.listen = 127.0.0.1:{node.http_port}" in after.stdout
