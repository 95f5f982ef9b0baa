"""Configuration the binary refuses: a key that nothing implements yet, a
bad value, or a key that nothing reads, stops `postern serve` with status 2 and the key's name,
before anything listens (docs/configuration.md, Keys reserved for features
to come)."""
import json

import pytest

REFUSED = [
    # (file, environment, the name the message must give)
    ('[imap]\nmax_connections_per_address = 0\n', {}, "imap.max_connections_per_address"),
    ('[imap]\ntls_listen = "127.0.0.1:0"\n[tls]\nself_signed = false\n', {}, "imap.tls_listen"),
    ('[pop3]\nidle_timeout = "1m"\n', {}, "pop3.idle_timeout"),
    ("", {"POSTERN_IMAP_LISTEN": "nowhere"}, "imap.listen"),
    # PostgreSQL needs its url; SQLite's own keys would do nothing there, as the url with SQLite.
    ("", {"POSTERN_STORE_BACKEND": "postgres"}, "store.url"),
    ("", {"POSTERN_STORE_BACKEND": "postgres", "POSTERN_STORE_URL": "postgresql://postern@db/postern",
          "POSTERN_STORE_FSYNC": "false"}, "POSTERN_STORE_FSYNC"),
    ('[store]\nurl = "postgresql://postern@db/postern"\n', {}, "store.url"),
    ("", {"POSTERN_STORE_URL": "postgresql://postern@db/postern"}, "POSTERN_STORE_URL"),
    # The certificate serves SMTP, POP3 and IMAP; with none listening it would do nothing.
    ('[tls]\ncert = "cert.pem"\nkey = "key.pem"\n',
     {"POSTERN_SMTP_LISTEN": "", "POSTERN_POP3_LISTEN": "", "POSTERN_IMAP_LISTEN": ""}, "tls.cert"),
    ('[http]\nlisten_backlog = 10\n', {}, "http.listen_backlog"),
    # HTTPS needs a certificate; its other keys need HTTPS.
    ('[http]\ntls_listen = "127.0.0.1:0"\n[tls]\nself_signed = false\n', {}, "http.tls_listen"),
    ('[http]\ntls_client_ca = "relays.pem"\n', {}, "http.tls_client_ca"),
    ('[smtpd]\nlisten = "127.0.0.1:25"\n', {}, "smtpd"),
]


@pytest.mark.parametrize("config_text,env,key", REFUSED, ids=[r[2] for r in REFUSED])
def test_a_setting_that_would_do_nothing_stops_the_server_naming_it(postern_factory, config_text, env,
                                                                   key):
    node = postern_factory(env=env, config_text=config_text, start=False)
    r = node.cli("serve", check=False)
    assert r.returncode == 2, r.stderr
    assert "configuration error" in r.stderr and f"{key}:" in r.stderr, r.stderr
    assert "postern ready" not in r.stderr


def test_the_same_file_without_them_serves(postern_factory):
    node = postern_factory(config_text='[store]\nbackend = "sqlite"\n[tls]\n')
    assert node.api().get("/healthz").status == 200


def test_json_logs_are_one_json_object_a_line(postern_factory):
    """log.format = "json": every line a log shipper reads parses, with the
    message as a JSON string (quotes and all)."""
    node = postern_factory(config_text='[log]\nformat = "json"\n')
    assert node.api().get("/healthz").status == 200
    lines = [l for l in node.log_lines if l.strip()]
    records = [json.loads(l) for l in lines]
    assert records and all({"ts_ms", "level", "thread", "msg"} <= r.keys() for r in records), lines
    assert any(r["msg"].startswith("postern ready: http=127.0.0.1:") for r in records), lines
