"""What the tests that drive real mail clients from Debian (mbsync, fetchmail,
mutt) share: the node's certificate as a client is told to trust it, a
client run bounded in time (its process group killed at the deadline, so no
client outlives its test), and an IMAP session of the test's own to check
the server's side with imaplib."""
import imaplib
import os
import shutil
import signal
import ssl
import subprocess

from conftest import requires
from test_capture import create, inbox, send_as, wait_for_inbox

TIMEOUT = 60


def tool(name):
    """A mark for a test that runs the Debian program `name`."""
    return requires(shutil.which(name) is not None, f"{name} is not installed (scripts/bootstrap.sh)")


def node_certificate(postern):
    """The self-signed certificate the node made in its data folder
    (docs/inbox.md, "TLS on the defaults"): what a user gives a client to
    trust, so every client here verifies the server, none is told to skip."""
    path = os.path.join(postern.workdir, "tls", "self-signed.crt")
    assert os.path.exists(path), f"the node made no certificate at {path}"
    return path


def run(command, env=None, timeout=TIMEOUT, input=None):
    """Runs a client to its end, at most `timeout` seconds: then its whole
    process group is killed and the test fails. Returns the CompletedProcess
    (stdout and stderr as text)."""
    proc = subprocess.Popen(command, env=env, stdin=subprocess.PIPE if input else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace",
                            start_new_session=True)
    try:
        out, err = proc.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        raise AssertionError(f"{command[0]} did not finish within {timeout} s:\n{out}\n{err}")
    return subprocess.CompletedProcess(command, proc.returncode, out, err)


def client_env(home):
    """An environment whose HOME is the test's own folder: no client reads
    or writes the user's real configuration or state."""
    env = dict(os.environ)
    env.update({"HOME": str(home), "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"})
    os.makedirs(home, exist_ok=True)
    return env


def imap_session(postern, account):
    """imaplib over STARTTLS, verifying the node's certificate, logged in."""
    context = ssl.create_default_context(cafile=node_certificate(postern))
    client = imaplib.IMAP4("localhost", postern.imap_port, timeout=TIMEOUT)
    client.starttls(context)
    assert client.login(account["user"], account["password"])[0] == "OK"
    return client


def account_with_mail(postern, subjects):
    """A new test account with a message per subject sent as it over SMTP,
    all caught."""
    api = postern.api()
    account = create(api)
    for subject in subjects:
        assert send_as(postern, account, "someone@example.com", subject)[0] == 250
    assert len(wait_for_inbox(api, account["user"], len(subjects))) == len(subjects)
    return account


def caught(postern, account):
    """Subject -> the bytes of the account's caught messages as the HTTP API
    serves them, with LF line ends (as Maildir and an MDA get them)."""
    api = postern.api()
    out = {}
    for m in inbox(api, account["user"])["data"]:
        r = api.get(f"/v1/test-accounts/{account['user']}/messages/{m['uid']}/raw")
        assert r.status == 200, r
        out[m["subject"]] = r.body.replace(b"\r\n", b"\n")
    return out
