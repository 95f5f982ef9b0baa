"""A provider behind a broken proxy, against the real binary: answers in
Latin-1, a Retry-After date in the year 9999. Postern must keep running (an
overflow there aborts this sanitized build), follow the answers' classes,
and keep serving the message's timeline as valid JSON, the provider's text
included."""
import http.server
import json
import threading

import pytest

from conftest import simple_message

LATIN1_PAGE = "<h1>Service indisponible — réessayez plus tard, café fermé</h1>".encode("latin-1", "replace")
REFUSAL = "Adresse refusée: destinataire inconnu (boîte pleine)".encode("latin-1")


class BrokenMailgun(http.server.BaseHTTPRequestHandler):
    """Healthy to probes; to sends, a 429 whose Retry-After is in the year
    9999, then 400s with a Latin-1 body."""
    sends = 0
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def answer(self, status, body, headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        self.answer(200, b'{"domain":{"name":"mg.example.com","state":"active","is_disabled":false}}',
                    [("Content-Type", "application/json")])

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with BrokenMailgun.lock:
            BrokenMailgun.sends += 1
            first = BrokenMailgun.sends == 1
        if first:
            self.answer(429, LATIN1_PAGE, [("Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT"),
                                           ("Content-Type", "text/html; charset=iso-8859-1")])
        else:
            self.answer(400, REFUSAL, [("Content-Type", "text/plain; charset=iso-8859-1")])


@pytest.fixture
def broken_mailgun():
    BrokenMailgun.sends = 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), BrokenMailgun)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_latin1_answers_and_a_far_future_retry_after(postern_factory, broken_mailgun):
    p = postern_factory(config_text=(
        '[delivery]\ninitial_backoff = "200ms"\nmax_backoff = "1s"\npoll_interval = "50ms"\n'
        f'[[providers]]\nname = "mg"\ntype = "mailgun"\nbase_url = "http://127.0.0.1:{broken_mailgun}"\n'
        'api_key = "key-test"\ndomain = "mg.example.com"\n'))
    api = p.api()
    r = api.send(simple_message(1))
    assert r.status == 202, r
    mid = r.json()["id"]
    final = api.wait_status(mid, {"failed"}, timeout=30)
    assert BrokenMailgun.sends == 2
    # The timeline is served as valid UTF-8 JSON (http.client hands bytes;
    # decode strictly, as any JSON client does).
    raw = api.get(f"/v1/messages/{mid}").body
    timeline = json.loads(raw.decode("utf-8", errors="strict"))
    details = [e.get("detail", "") for e in timeline["events"]]
    assert any("Service indisponible" in d and "\ufffd" in d for d in details), details
    assert any("Adresse refus\ufffde" in d for d in details), details
    assert final["status"] == "failed"
    assert p.proc.poll() is None, "postern died"
