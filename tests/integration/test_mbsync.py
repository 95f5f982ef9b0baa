"""mbsync (isync, Debian 12's 1.4.4) against the real binary, configured as
a user would (docs/inbox.md, "Tested clients"): STARTTLS, and implicit TLS
(imap.tls_listen), verifying the node's self-signed certificate, the test
account's login. Mail caught for the account arrives in the local Maildir
with its bytes; a folder made locally is created on the server with its
message; \\Seen set locally and \\Flagged set on the server cross over; a
message deleted on either side goes on the other."""
import os
import re

import pytest

from mail_clients import account_with_mail, caught, client_env, imap_session, node_certificate, run, tool
from test_capture import inbox

pytestmark = tool("mbsync")

INFO = re.compile(r":2,([A-Z]*)$")  # a Maildir file name's flags


class Mbsync:
    """One user's mbsync: its configuration, its Maildir, and runs of it."""

    def __init__(self, home, postern, account, ssl_type):
        port = postern.imaps_port if ssl_type == "IMAPS" else postern.imap_port
        self.env = client_env(home)
        self.maildir = os.path.join(home, "Mail")
        os.makedirs(self.maildir)  # mbsync creates folders, not the store's root
        self.config = os.path.join(home, ".mbsyncrc")
        with open(self.config, "w") as f:
            f.write(f"""IMAPAccount postern
Host localhost
Port {port}
User {account["user"]}
Pass {account["password"]}
SSLType {ssl_type}
CertificateFile {node_certificate(postern)}

IMAPStore postern-remote
Account postern

MaildirStore postern-local
Path {self.maildir}/
Inbox {self.maildir}/INBOX
SubFolders Verbatim

Channel postern
Far :postern-remote:
Near :postern-local:
Patterns *
Create Both
Expunge Both
SyncState *
""")

    def sync(self):
        r = run(["mbsync", "-c", self.config, "-V", "postern"], env=self.env)
        assert r.returncode == 0, f"mbsync failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
        return r

    def files(self, folder):
        """The messages of a local folder: file name -> path."""
        found = {}
        for sub in ("new", "cur"):
            d = os.path.join(self.maildir, folder, sub)
            for name in os.listdir(d) if os.path.isdir(d) else []:
                found[name] = os.path.join(d, name)
        return found

    def read(self, folder):
        """The local messages' bytes: Subject -> (path, bytes)."""
        out = {}
        for path in self.files(folder).values():
            with open(path, "rb") as f:
                data = f.read()
            subject = re.search(rb"^Subject: (.*)$", data, re.M).group(1).strip().decode()
            out[subject] = (path, data)
        return out


def set_local_flag(path, flag):
    """What a Maildir client does to mark a message: the flag letter in the
    file name's info, the file in cur/."""
    name = os.path.basename(path)
    m = INFO.search(name)
    base, flags = (name[:m.start()], m.group(1)) if m else (name, "")
    cur = os.path.join(os.path.dirname(os.path.dirname(path)), "cur")
    target = os.path.join(cur, f"{base}:2,{''.join(sorted(set(flags + flag)))}")
    os.rename(path, target)
    return target


def local_flags(path):
    m = INFO.search(os.path.basename(path))
    return m.group(1) if m else ""


def server_view(client, mailbox):
    """Subject -> (uid, flags without \\Recent) of a mailbox, over imaplib."""
    typ, data = client.select(mailbox)
    assert typ == "OK", data
    if data == [b"0"]:
        return {}
    typ, data = client.uid("FETCH", "1:*", "(FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert typ == "OK", data
    view = {}
    for item in data:
        if not isinstance(item, tuple):
            continue
        meta, header = item
        uid = int(re.search(rb"UID (\d+)", meta).group(1))
        flags = [f for f in re.search(rb"FLAGS \(([^)]*)\)", meta).group(1).decode().split()
                 if f != "\\Recent"]  # session-dependent: not the mailbox's state
        subject = header.decode().split(":", 1)[1].strip()
        view[subject] = (uid, flags)
    return view


def lf(data):
    return data.replace(b"\r\n", b"\n")


def without_tuid(data):
    """A message as mbsync stores it, less the X-TUID header it adds to
    every message it copies (its way to find the copy again)."""
    return re.sub(rb"^X-TUID: [A-Za-z0-9+/]+\n", b"", data, count=1, flags=re.M)


@pytest.fixture
def postern(postern_factory):
    """A node with both IMAP listeners: STARTTLS on imap.listen, implicit
    TLS on imap.tls_listen."""
    return postern_factory(env={"POSTERN_IMAP_TLS_LISTEN": "127.0.0.1:0"})


@pytest.fixture
def account(postern):
    return account_with_mail(postern, ("First note", "Second note", "Third note"))


@pytest.mark.parametrize("ssl_type", ["STARTTLS", "IMAPS"])
def test_mbsync_syncs_the_inbox_and_a_new_folder_both_ways(postern, account, tmp_path, ssl_type):
    api = postern.api()
    user = Mbsync(str(tmp_path / "home"), postern, account, ssl_type)
    user.sync()

    # Caught mail is in the local INBOX, byte for byte (Maildir keeps LF line
    # ends; mbsync adds its X-TUID header).
    local = user.read("INBOX")
    assert sorted(local) == ["First note", "Second note", "Third note"], local
    for subject, data in caught(postern, account).items():
        assert without_tuid(local[subject][1]) == data, subject

    # A folder made locally, with a message in it, goes to the server.
    projects = os.path.join(user.maildir, "Projects")
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(projects, sub))
    plan = (b"From: Me <me@example.com>\nTo: team@example.com\nSubject: Plan for Q3\n"
            b"Message-ID: <plan-q3@example.com>\nDate: Mon, 01 Jul 2024 09:00:00 +0000\n\nShip it.\n")
    with open(os.path.join(projects, "new", "1719824400.1.laptop"), "wb") as f:
        f.write(plan)
    # \Seen set locally on the first message; \Flagged set on the server on the second.
    set_local_flag(local["First note"][0], "S")
    server = imap_session(postern, account)
    view = server_view(server, "INBOX")
    assert server.uid("STORE", str(view["Second note"][0]), "+FLAGS", "(\\Flagged)")[0] == "OK"
    user.sync()

    typ, listed = server.list()
    assert typ == "OK" and any(line.endswith(b' "/" Projects') or line.endswith(b' "/" "Projects"')
                               for line in listed), listed
    remote_projects = server_view(server, "Projects")
    assert list(remote_projects) == ["Plan for Q3"], remote_projects
    typ, data = server.uid("FETCH", str(remote_projects["Plan for Q3"][0]), "(BODY.PEEK[])")
    assert typ == "OK" and without_tuid(lf(data[0][1])) == plan, data
    view = server_view(server, "INBOX")
    assert "\\Seen" in view["First note"][1], view
    local = user.read("INBOX")
    assert "F" in local_flags(local["Second note"][0]), local["Second note"][0]

    # Deleted locally (the file removed) and on the server (expunged): both go.
    os.remove(local["Third note"][0])
    assert server.select("INBOX")[0] == "OK"
    assert server.uid("STORE", str(view["First note"][0]), "+FLAGS", "(\\Deleted)")[0] == "OK"
    assert server.expunge()[0] == "OK"
    user.sync()

    assert sorted(server_view(server, "INBOX")) == ["Second note"]
    assert sorted(user.read("INBOX")) == ["Second note"]
    assert [m["subject"] for m in inbox(api, account["user"])["data"]] == ["Second note"]
    # A second run finds nothing left to do: both sides agree.
    before = (user.files("INBOX"), user.files("Projects"), server_view(server, "INBOX"),
              server_view(server, "Projects"))
    user.sync()
    assert (user.files("INBOX"), user.files("Projects"), server_view(server, "INBOX"),
            server_view(server, "Projects")) == before
    server.logout()
