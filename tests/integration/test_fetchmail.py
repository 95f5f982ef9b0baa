"""fetchmail (Debian 12's 6.4.37) over POP3 against the real binary,
configured as a user would (docs/inbox.md, "Tested clients"): STLS verifying
the node's self-signed certificate, the test account's login, each message
handed to an MDA that writes it to a file. Caught messages arrive byte for
byte (fetchmail hands an MDA LF line ends; lines that start with a dot and
a 998-octet line included), are kept on the server with `keep` and deleted
without it; a wrong password is fetchmail's authentication failure (exit
code 3)."""
import os
import stat

import pytest

from mail_clients import account_with_mail, caught, client_env, node_certificate, run, tool
from test_capture import inbox, send_as, wait_for_inbox

pytestmark = tool("fetchmail")

AUTHFAIL = 3  # fetchmail(1), EXIT CODES: "an error was encountered when attempting to authenticate"


class Fetchmail:
    """One user's fetchmail: its rc file, and an MDA that files each message
    it is given in `delivered`."""

    def __init__(self, home, postern, account, password=None):
        self.env = client_env(home)
        self.delivered = os.path.join(home, "delivered")
        os.makedirs(self.delivered)
        mda = os.path.join(home, "mda.sh")
        with open(mda, "w") as f:
            f.write(f'#!/bin/sh\nexec cat > "$(mktemp -p {self.delivered} msg.XXXXXX)"\n')
        os.chmod(mda, stat.S_IRWXU)
        self.rc = os.path.join(home, ".fetchmailrc")
        with open(self.rc, "w") as f:
            f.write(f"""set no syslog
poll localhost protocol POP3 port {postern.pop3_port}
  user "{account["user"]}" there with password "{password or account["password"]}" is "{os.environ.get("USER", "root")}" here
  sslproto "tls1.2+" sslcertck sslcertfile "{node_certificate(postern)}"
  no rewrite
  mda "{mda}"
""")
        os.chmod(self.rc, stat.S_IRUSR | stat.S_IWUSR)  # fetchmail refuses an rc file others can read

    def fetch(self, *options):
        return run(["fetchmail", "--fetchmailrc", self.rc, "--nodetach", "--invisible", "--verbose", *options],
                   env=self.env)

    def messages(self):
        out = []
        for name in sorted(os.listdir(self.delivered)):
            with open(os.path.join(self.delivered, name), "rb") as f:
                out.append(f.read())
        return out


# Lines POP3 must dot-stuff on the way (RFC 1939 §3) and fetchmail unstuff,
# and a line of SMTP's full 998 octets.
DOTTED = ".\r\n..\r\n.hidden\r\n" + "x" * 998 + "\r\nend\r\n"


@pytest.fixture
def account(postern):
    account = account_with_mail(postern, ("First note",))
    assert send_as(postern, account, "someone@example.com", "Dotted lines", body=DOTTED)[0] == 250
    assert len(wait_for_inbox(postern.api(), account["user"], 2)) == 2
    return account


def test_fetchmail_retrieves_keeps_then_deletes(postern, account, tmp_path):
    api = postern.api()
    expected = sorted(caught(postern, account).values())
    assert any(DOTTED.replace("\r\n", "\n").encode() in m for m in expected)
    user = Fetchmail(str(tmp_path / "home"), postern, account)

    r = user.fetch("--keep")
    assert r.returncode == 0, f"fetchmail failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    assert "localhost: upgrade to TLS succeeded." in r.stdout, r.stdout  # STLS, the certificate verified
    assert f"2 messages for {account['user']} at localhost" in r.stdout, r.stdout
    assert sorted(user.messages()) == expected
    assert len(inbox(api, account["user"])["data"]) == 2  # kept

    r = user.fetch("--fetchall", "--nokeep")
    assert r.returncode == 0, f"fetchmail failed ({r.returncode}):\n{r.stdout}\n{r.stderr}"
    assert sorted(user.messages()) == sorted(expected * 2)  # the kept ones, once more
    assert inbox(api, account["user"])["data"] == []  # deleted at QUIT

    r = user.fetch()
    assert r.returncode == 1, r.stderr  # 1: no mail
    assert "No mail for" in r.stdout, r.stdout


def test_a_wrong_password_is_fetchmails_authentication_failure(postern, account, tmp_path):
    user = Fetchmail(str(tmp_path / "home"), postern, account, password="not-the-password")
    r = user.fetch("--keep")
    assert r.returncode == AUTHFAIL, f"{r.returncode}:\n{r.stderr}"
    assert f"Authorization failure on {account['user']}@localhost" in r.stderr, r.stderr
    assert "[AUTH] invalid user name or password" in r.stderr, r.stderr  # the server's RESP-CODES text
    assert user.messages() == []
    assert len(inbox(postern.api(), account["user"])["data"]) == 2
