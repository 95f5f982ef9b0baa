"""Test inbox accounts against the real binary: POST/GET/DELETE
/v1/test-accounts, Nodemailer's Ethereal endpoint POST /user, and
`postern test-accounts create|list|delete` beside a running server on the
same store."""
import json
import os
import re
import shutil
import subprocess

from conftest import ROOT, requires

NODEMAILER = os.path.join(ROOT, "tests", "nodemailer")

ACCOUNT_FIELDS = {"user", "address", "created_at", "last_used_at", "expires_at", "retention_seconds",
                  "quota_bytes", "used_bytes", "catch_all", "smtp", "imap", "pop3", "web"}
USER = re.compile(r"[a-z]+-[a-z]+-\d{4}")


def create(api, body=None):
    r = api.post("/v1/test-accounts", body)
    assert r.status == 201, r
    return r.json()


def cli_settings(stdout):
    """{name: value} of `test-accounts create`'s "name<TAB>value..." lines."""
    return {line.split("\t", 1)[0]: line.split("\t", 1)[1] for line in stdout.splitlines() if "\t" in line}


def test_create_answers_credentials_and_the_nodes_live_settings(postern):
    account = create(postern.api())
    assert set(account) == ACCOUNT_FIELDS | {"password"}
    assert USER.fullmatch(account["user"]), account
    assert account["address"] == account["user"] + "@inbox.postern.test"
    assert len(account["password"]) == 24
    assert account["retention_seconds"] == 7 * 24 * 3600
    assert account["quota_bytes"] == 100 * 1024 * 1024
    assert account["used_bytes"] == 0 and account["catch_all"] is False
    # The ports the listeners took (the test's configuration asks for port 0).
    assert account["smtp"] == {"host": "127.0.0.1", "port": postern.smtp_port, "secure": False, "live": True}
    assert account["imap"] == {"host": "127.0.0.1", "port": postern.imap_port, "secure": False, "live": True}
    assert account["pop3"] == {"host": "127.0.0.1", "port": postern.pop3_port, "secure": False, "live": True}
    assert account["web"] == f"http://127.0.0.1:{postern.http_port}"


def test_get_list_and_delete(postern):
    api = postern.api()
    first = create(api)
    second = create(api, {"retention": "1d", "quota": "1MiB"})

    r = api.get(f"/v1/test-accounts/{second['user']}")
    assert r.status == 200, r
    got = r.json()
    assert set(got) == ACCOUNT_FIELDS  # never the password again
    assert got["retention_seconds"] == 86400 and got["quota_bytes"] == 1024 * 1024
    assert got["address"] == second["address"]

    r = api.get("/v1/test-accounts?limit=1")
    assert r.status == 200, r
    assert [a["user"] for a in r.json()["data"]] == [second["user"]]  # newest first
    r = api.get(f"/v1/test-accounts?limit=1&cursor={r.json()['next_cursor']}")
    assert [a["user"] for a in r.json()["data"]] == [first["user"]]

    r = api.delete(f"/v1/test-accounts/{first['user']}")
    assert r.status == 204 and r.body == b"", r
    assert api.get(f"/v1/test-accounts/{first['user']}").status == 404
    # The catch-all account (docs/inbox.md "How mail is caught") is made at start: the oldest.
    assert [a["user"] for a in api.get("/v1/test-accounts").json()["data"]] == [second["user"], "catch-all"]


def test_errors_name_what_is_wrong(postern):
    api = postern.api()
    for method in ("GET", "DELETE"):
        r = api.request(method, "/v1/test-accounts/nobody-here-0000")
        assert r.status == 404, r
        assert r.json()["error"] == {"code": "not_found", "message": "no test account named 'nobody-here-0000'",
                                     "field": "user"}
    for body, field in (({"retention": "forever"}, "retention"), ({"retention": "8d"}, "retention"),
                        ({"retention": "10s"}, "retention"), ({"quota": 0}, "quota"),
                        ({"quota": "1GiB"}, "quota"), ({"quota": "plenty"}, "quota"),
                        ({"password": "mine"}, "password")):
        r = api.post("/v1/test-accounts", body)
        assert r.status == 400, (body, r)
        assert r.json()["error"]["field"] == field, (body, r)
    r = api.post("/v1/test-accounts", "{not json", headers={"Content-Type": "application/json"})
    assert r.status == 400 and r.json()["error"]["code"] == "invalid_json", r
    assert [a["user"] for a in api.get("/v1/test-accounts").json()["data"]] == ["catch-all"]


def test_ethereal_user_answers_what_nodemailer_reads(postern):
    r = postern.api().post("/user", {"requestor": "nodemailer", "version": "6.9.16"})
    assert r.status == 200, r
    body = r.json()
    assert set(body) == {"status", "user", "pass", "smtp", "imap", "pop3", "web"}
    assert body["status"] == "success"
    assert body["user"].endswith("@inbox.postern.test")  # the address, as Ethereal's user is
    assert body["smtp"] == {"host": "127.0.0.1", "port": postern.smtp_port, "secure": False}
    assert body["imap"] == {"host": "127.0.0.1", "port": postern.imap_port, "secure": False}
    assert body["pop3"] == {"host": "127.0.0.1", "port": postern.pop3_port, "secure": False}
    assert body["web"] == f"http://127.0.0.1:{postern.http_port}"
    # The account is a real one.
    local = body["user"].split("@")[0]
    assert postern.api().get(f"/v1/test-accounts/{local}").status == 200

    r = postern.api().post("/user", "{requestor", headers={"Content-Type": "application/json"})
    assert r.status == 400
    assert r.json() == {"status": "error", "error": "the body must be a JSON object"}


def test_scopes_once_keys_exist(postern):
    sender = postern.cli("keys", "create", "--name", "app", "--scopes", "send").stdout.strip()
    admin = postern.cli("keys", "create", "--name", "ops", "--scopes", "admin").stdout.strip()
    assert postern.api().post("/v1/test-accounts").status == 401
    account = create(postern.api(sender))
    assert postern.api(sender).post("/user", {"requestor": "nodemailer"}).status == 200
    assert postern.api(sender).get("/v1/test-accounts").status == 403
    assert postern.api(sender).delete(f"/v1/test-accounts/{account['user']}").status == 403
    assert postern.api(admin).get("/v1/test-accounts").status == 200
    assert postern.api(admin).delete(f"/v1/test-accounts/{account['user']}").status == 204


def test_cli_creates_lists_and_deletes_beside_the_server(postern):
    r = postern.cli("test-accounts", "create", "--retention", "2d", "--quota", "5MiB")
    settings = cli_settings(r.stdout)
    assert USER.fullmatch(settings["user"]), r.stdout
    assert len(settings["password"]) == 24
    assert settings["address"] == settings["user"] + "@inbox.postern.test"
    assert settings["smtp"] == "127.0.0.1:0\tsecure=false"  # offline: as configured
    assert settings["imap"] == "127.0.0.1:0\tsecure=false"  # offline: as configured
    assert settings["retention"] == "172800s" and settings["quota"] == "5242880 bytes"
    assert "shown once" in r.stderr

    # The server sees it at once, and it is the same account.
    got = postern.api().get(f"/v1/test-accounts/{settings['user']}")
    assert got.status == 200, got
    assert got.json()["retention_seconds"] == 172800 and got.json()["quota_bytes"] == 5 * 1024 * 1024

    created_over_http = create(postern.api())
    listed = postern.cli("test-accounts", "list").stdout.splitlines()
    assert [line.split("\t")[0] for line in listed] == [created_over_http["user"], settings["user"], "catch-all"]
    assert listed[1].split("\t")[1] == settings["address"]
    assert listed[1].split("\t")[4] == "0/5242880"

    postern.cli("test-accounts", "delete", settings["user"])
    assert postern.api().get(f"/v1/test-accounts/{settings['user']}").status == 404
    r = postern.cli("test-accounts", "delete", settings["user"], check=False)
    assert r.returncode == 1
    assert f"no test account named '{settings['user']}'" in r.stderr


def test_cli_refuses_bad_terms_naming_the_option(postern_factory):
    node = postern_factory(start=False)
    for args, option in ((["--retention", "8d"], "--retention"), (["--quota", "lots"], "--quota")):
        r = node.cli("test-accounts", "create", *args, check=False)
        assert r.returncode == 2, r.stderr
        assert r.stderr.startswith(f"postern: {option}:"), r.stderr
        assert r.stdout == ""


def test_inbox_configuration(postern_factory):
    node = postern_factory(config_text='[inbox]\ndomain = "Mail.Example.TEST"\nretention = "1d"\nquota = "1MiB"\n')
    account = create(node.api())
    assert account["address"] == account["user"] + "@mail.example.test"
    assert account["retention_seconds"] == 86400 and account["quota_bytes"] == 1024 * 1024
    r = node.api().post("/v1/test-accounts", {"retention": "2d"})
    assert r.status == 400 and r.json()["error"]["field"] == "retention"

    for text, key in (('[inbox]\nmx_listen = "port 25"\n', "inbox.mx_listen"),
                      ('[inbox]\ndomain = "not a domain"\n', "inbox.domain")):
        bad = postern_factory(config_text=text, start=False)
        r = bad.cli("config", check=False)
        assert r.returncode == 2, r
        assert f": {key}: " in r.stderr, r.stderr


@requires(shutil.which("node") and shutil.which("npm"), "node and npm (scripts/bootstrap.sh)")
def test_nodemailer_create_test_account(postern):
    """The real nodemailer package's createTestAccount() against the node."""
    subprocess.run([os.path.join(ROOT, "scripts", "npm-install-locked.sh"), NODEMAILER], check=True, timeout=600)
    script = os.path.join(NODEMAILER, "create_account.js")
    env = dict(os.environ, ETHEREAL_API=f"http://127.0.0.1:{postern.http_port}")
    r = subprocess.run(["node", script], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    account = json.loads(r.stdout)
    assert account["user"] == account["again"]  # cached by Nodemailer: one account
    local = account["user"].split("@")[0]
    assert USER.fullmatch(local) and account["user"] == f"{local}@inbox.postern.test"
    assert set(account) == {"user", "pass", "smtp", "imap", "pop3", "web", "again"}
    assert account["smtp"] == {"host": "127.0.0.1", "port": postern.smtp_port, "secure": False}
    assert account["web"] == f"http://127.0.0.1:{postern.http_port}"
    assert postern.api().get(f"/v1/test-accounts/{local}").status == 200

    # Once a key exists, Nodemailer needs ETHEREAL_API_KEY, and reads no body but a 2xx one.
    key = postern.cli("keys", "create", "--name", "app", "--scopes", "send").stdout.strip()
    r = subprocess.run(["node", script], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 1 and "Invalid status code 401" in r.stderr, r
    r = subprocess.run(["node", script], env=dict(env, ETHEREAL_API_KEY=key), capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
