"""mutt (Debian 12's 2.2.12) reading the test inbox over IMAP against the
real binary, as a user would (docs/inbox.md, "Tested clients"): STARTTLS
verifying the node's self-signed certificate, the test account's login. A
multipart message with an attachment, an RFC 2047 Subject and From name and
a UTF-8 body is found with a server-side search of its body text and
opened; what mutt shows (the index line, the message as its pager decodes
it), the attachment it saves and the \\Seen it stores are asserted.

mutt reads mail only on a terminal: it runs in a pseudo-terminal of its
own, driven by `push` from its configuration (limit by a search, show the
message, open the attachment list, pipe the attachment, quit), bounded in
time."""
import base64
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import termios
import time

import pytest

from mail_clients import TIMEOUT, account_with_mail, client_env, imap_session, node_certificate, tool
from test_capture import send_raw_as, wait_for_inbox

pytestmark = tool("mutt")

SUBJECT = "Grüße aus Köln — Bericht"
SENDER = "Jürgen Müller"
BODY = "Hallo Anna,\n\nder Bericht für Straße 5 liegt bei. Schöne Grüße! ✓\n"
ATTACHMENT = bytes(range(256)) * 4 + b"%PDF-not-really\n"


def message(account):
    subject = "=?UTF-8?B?" + base64.b64encode(SUBJECT.encode()).decode() + "?="
    sender = "=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@example.com>"
    attachment = base64.encodebytes(ATTACHMENT).decode().replace("\n", "\r\n")
    return (f"From: {sender}\r\nTo: {account['address']}\r\nSubject: {subject}\r\n"
            "Date: Tue, 02 Jul 2024 10:00:00 +0200\r\nMessage-ID: <bericht-1@example.com>\r\n"
            "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
            "--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
            + BODY.replace("\n", "\r\n") +
            "--b1\r\nContent-Type: application/pdf; name=\"bericht.pdf\"\r\n"
            "Content-Disposition: attachment; filename=\"bericht.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + attachment + "--b1--\r\n").encode()


def run_on_terminal(command, env, timeout=TIMEOUT):
    """Runs `command` on a pseudo-terminal of 120x40 until it exits, at most
    `timeout` seconds (then its process group is killed and the test
    fails); returns (exit code, everything it wrote to the terminal)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(command, env=env, stdin=slave, stdout=slave, stderr=slave, start_new_session=True)
    os.close(slave)
    screen = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                raise AssertionError(f"{command[0]} did not finish within {timeout} s:\n"
                                     + screen.decode(errors="replace")[-3000:])
            ready, _, _ = select.select([master], [], [], min(left, 0.5))
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the terminal's last writer is gone
                    chunk = b""
                if not chunk:
                    break
                screen += chunk
        return proc.wait(timeout=10), screen.decode(errors="replace")
    finally:
        os.close(master)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def account(postern):
    """An account with the message, and a plain one beside it that mutt's
    search must leave out."""
    account = account_with_mail(postern, ("Lunch plans",))
    code, _ = send_raw_as(postern, account, account["address"], message(account))
    assert code == 250
    assert len(wait_for_inbox(postern.api(), account["user"], 2)) == 2
    return account


def test_mutt_shows_decoded_headers_body_and_the_attachment(postern, account, tmp_path):
    home = tmp_path / "home"
    env = client_env(home)
    env["TERM"] = "xterm"
    out = tmp_path / "out"
    out.mkdir()
    muttrc = home / ".muttrc"
    muttrc.write_text(f"""set folder="imap://{account["user"]}@localhost:{postern.imap_port}/"
set spoolfile="+INBOX"
set imap_user="{account["user"]}"
set imap_pass="{account["password"]}"
set ssl_starttls=yes
set ssl_force_tls=yes
set certificate_file="{node_certificate(postern)}"
set charset="utf-8"
set index_format="[%Z] %-20.20n | %s"
set status_format="shown %M of %m"
set wait_key=no
set quit=yes
set mark_old=no
# What the pager shows (headers and body decoded, a line per attachment)
# passes through display_filter first: keep a copy.
set display_filter="tee {out}/shown.txt"
# Find the message with a server-side search of its body (=b: UID SEARCH
# BODY, the UTF-8 text in a quoted string), show it, leave the pager, pipe
# the attachment decoded to a file, quit.
push "<limit>=b Straße<enter><display-message><exit><view-attachments><last-entry><pipe-entry>cat > {out}/attachment<enter><exit><quit>"
""")
    code, screen = run_on_terminal(["mutt", "-n", "-F", str(muttrc)], env)
    assert code == 0, screen[-3000:]

    # The index (drawn last, once the message was read): the search found
    # one of the two messages; its line has the sender's name and the
    # subject, decoded.
    assert "shown 1 of 2" in screen, screen[-3000:]
    assert f"[   ] {SENDER:<20} | {SUBJECT}" in screen, screen[-3000:]
    assert "Lunch plans" not in screen, screen[-3000:]
    shown = (out / "shown.txt").read_text(encoding="utf-8")
    assert f"From: {SENDER} <juergen@example.com>" in shown, shown
    assert f"Subject: {SUBJECT}" in shown, shown
    assert BODY in shown, shown
    assert "[-- Attachment #2: bericht.pdf --]" in shown, shown
    # The size of the part as sent (BODYSTRUCTURE's octets): 1,040 bytes in base64.
    assert "[-- Type: application/pdf, Encoding: base64, Size: 1.4K --]" in shown, shown
    assert (out / "attachment").read_bytes() == ATTACHMENT

    # Reading it set \\Seen, which mutt stored on the server as it left.
    client = imap_session(postern, account)
    assert client.select("INBOX") == ("OK", [b"2"])
    typ, data = client.uid("SEARCH", "SEEN")
    assert (typ, data) == ("OK", [b"2"]), data  # the Bericht, the second to arrive
    client.logout()
