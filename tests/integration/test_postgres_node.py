"""A node on PostgreSQL (store.backend = "postgres", docs/operations.md
"PostgreSQL backend"): `postern serve` on a private PostgreSQL takes mail over
HTTP and SMTP, delivers it to a simulated provider, serves it back through
the API, and the CLI works on the same database."""
import os
import re
import smtplib

from conftest import needs_postgres, needs_simulator
from simulator import MAILGUN_KEY

pytestmark = [needs_postgres, needs_simulator]

QUEUED = re.compile(r"queued as ([0-9a-z]{13})")


def provider_config(sim):
    return (f'[delivery]\ninitial_backoff = "200ms"\nmax_backoff = "1s"\npoll_interval = "100ms"\n'
            f'[[providers]]\nname = "mg"\ntype = "mailgun"\nbase_url = "{sim.url("mailgun")}"\n'
            f'api_key = "{MAILGUN_KEY}"\ndomain = "mg.example.com"\n')


def pg_env(url, node="pg-1"):
    return {"POSTERN_STORE_BACKEND": "postgres", "POSTERN_STORE_URL": url, "POSTERN_STORE_NODE": node}


def smtp_send(port, i):
    """One message over SMTP; answers Postern's id from the 250 reply."""
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as s:
        s.ehlo("client.example.com")
        s.mail("app@example.com")
        s.rcpt(f"smtp{i}@example.org")
        code, reply = s.data(f"From: app@example.com\r\nTo: smtp{i}@example.org\r\n"
                             f"Subject: over smtp {i}\r\n\r\nbody {i}\r\n".encode())
        assert code == 250, (code, reply)
        return QUEUED.search(reply.decode()).group(1)


def test_a_node_on_postgres_takes_delivers_and_serves_mail(postern_factory, sim, postgres_server,
                                                            postgres_url):
    node = postern_factory(env=pg_env(postgres_url), config_text=provider_config(sim))
    ready = [line for line in node.log_lines if "postern ready" in line][-1]
    assert "store=" in ready and "dbname=" in ready, ready
    database = postgres_url.rsplit("/", 1)[1]
    api = node.api()

    r = api.send({"from": "app@example.com", "to": ["http@example.org"], "subject": "over http",
                  "text": "hello from http"})
    assert r.status == 202, r
    http_id = r.json()["id"]
    smtp_id = smtp_send(node.smtp_port, 1)

    for message_id, subject in ((http_id, "over http"), (smtp_id, "over smtp 1")):
        detail = api.wait_status(message_id, {"sent"})
        assert detail["subject"] == subject, detail
        assert sim.messages(message_id) is not None, message_id
        # The row is PostgreSQL's, not a file's.
        assert postgres_server.psql(f"SELECT count(*) FROM messages WHERE subject = '{subject}'",
                                    database) == "1"
    raw = api.get(f"/v1/messages/{http_id}/raw")
    assert raw.status == 200 and b"hello from http" in raw.body, raw

    # The CLI opens the same database: a key made there is the node's at once.
    made = node.cli("keys", "create", "--name", "ci", "--scopes", "send,read")
    secret = made.stdout.strip().splitlines()[-1]
    assert "ci" in node.cli("keys", "list").stdout
    assert api.get(f"/v1/messages/{http_id}").status == 401
    assert node.api(secret).get(f"/v1/messages/{http_id}").json()["status"] == "sent"
    # Nothing of the node went to a SQLite file.
    assert not [f for f in files(node.workdir) if ".db" in f], files(node.workdir)


def files(folder):
    return [os.path.join(d, f) for d, _, names in os.walk(folder) for f in names]
