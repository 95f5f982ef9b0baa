"""HEAD against the real binary (RFC 9110 §9.3.2): the header GET would
get, Content-Length included, and no content, for the web UI's files,
/openapi.json in each of its encodings and the API's GETs. http.client
compares HEAD's header with GET's on one keep-alive connection; a raw
socket checks that nothing follows it (http.client drops what it buffered
past a HEAD answer, so it would not notice stray content)."""
import http.client
import socket

from conftest import simple_message
from test_web_ui import lay_out

# Headers that describe the content and so must be GET's.
CONTENT_HEADERS = ("content-type", "content-length", "content-encoding", "etag", "cache-control", "vary",
                   "last-modified")


def head_bytes(port, target, headers=()):
    """Everything the server sends for one HEAD before it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        extra = "".join(f"{name}: {value}\r\n" for name, value in headers)
        s.sendall(f"HEAD {target} HTTP/1.1\r\nHost: t\r\n{extra}Connection: close\r\n\r\n".encode())
        out = b""
        while chunk := s.recv(65536):
            out += chunk
    return out


def described(response):
    return {k.lower(): v for k, v in response.getheaders() if k.lower() in CONTENT_HEADERS}


def test_head_answers_gets_header_without_the_content(postern_factory, tmp_path):
    p = postern_factory(env={"POSTERN_HTTP_UI_DIR": str(lay_out(tmp_path))})
    sent = p.api().send(simple_message())
    assert sent.status == 202, sent
    targets = [
        ("/", ()),
        ("/assets/index-A1b2C3.js", ()),
        ("/messages", ()),  # a client route: the entry page
        ("/openapi.json", ()),
        ("/openapi.json", (("Accept-Encoding", "gzip"),)),
        ("/openapi.json", (("Accept-Encoding", "br"),)),
        ("/v1/messages", ()),
        (f"/v1/messages/{sent.json()['id']}", ()),
        ("/v1/providers", ()),
        ("/v1/suppressions", ()),
        ("/v1/nothing", ()),  # a JSON 404 has a body on GET, none on HEAD
    ]
    conn = http.client.HTTPConnection("127.0.0.1", p.http_port, timeout=10)
    try:
        for target, headers in targets:
            # GET, HEAD, GET on one keep-alive connection.
            conn.request("GET", target, headers=dict(headers))
            get = conn.getresponse()
            body = get.read()
            assert body and int(get.getheader("Content-Length")) == len(body), target
            conn.request("HEAD", target, headers=dict(headers))
            head = conn.getresponse()
            assert head.read() == b"", target
            assert (head.status, described(head)) == (get.status, described(get)), target
            conn.request("GET", target, headers=dict(headers))
            again = conn.getresponse()
            assert again.status == get.status and again.read() == body, target

            raw = head_bytes(p.http_port, target, headers)
            assert raw.startswith(f"HTTP/1.1 {get.status} ".encode()), (target, raw[:200])
            assert raw.endswith(b"\r\n\r\n") and raw.count(b"\r\n\r\n") == 1, (target, raw[-200:])
            assert f"Content-Length: {len(body)}\r\n".encode() in raw, (target, raw)
    finally:
        conn.close()
