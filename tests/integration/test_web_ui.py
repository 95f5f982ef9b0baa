"""How the gateway serves the web UI (docs/ui.md), against the real binary
with a built UI of its own (a folder laid out as Vite leaves web/dist): the
entry page uncached, hashed assets cached for a year with their content
types, the UI's client routes answered with the entry page, missing files
and /v1 paths a JSON 404, no path reaching outside the folder, and a page
saying how to build the UI when there is none. The real UI in a browser is
tests/e2e."""
import gzip
import http.client
import os

from conftest import Api

INDEX = b"<!doctype html><title>Postern</title><script src=/assets/index-A1b2C3.js></script>"
DOCS = b"<!doctype html><title>Postern API</title>"
SCRIPT = b"console.log('ui')"
SECRET = b"NOT-FOR-THE-WEB"


def lay_out(tmp_path):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_bytes(INDEX)
    (dist / "docs.html").write_bytes(DOCS)
    (dist / "assets" / "index-A1b2C3.js").write_bytes(SCRIPT)
    (dist / "assets" / "index-D4e5F6.css").write_bytes(b"body{}")
    (tmp_path / "secret.txt").write_bytes(SECRET)
    os.symlink(tmp_path / "secret.txt", dist / "assets" / "link.js")
    return dist


def raw_get(port, target):
    """GET with the target sent exactly as given (http.client keeps it)."""
    return Api(port).get(target)


def test_the_ui_is_served_with_the_right_caching(postern_factory, tmp_path):
    dist = lay_out(tmp_path)
    p = postern_factory(env={"POSTERN_HTTP_UI_DIR": str(dist)})
    assert any("web UI: 4 files from" in line for line in p.log_lines), p.log_lines[-20:]
    api = p.api()

    index = api.get("/")
    assert index.status == 200 and index.body == INDEX
    assert index.header("Content-Type") == "text/html; charset=utf-8"
    assert index.header("Cache-Control") == "no-cache"

    script = api.get("/assets/index-A1b2C3.js")
    assert script.status == 200 and script.body == SCRIPT
    assert script.header("Content-Type") == "text/javascript; charset=utf-8"
    assert script.header("Cache-Control") == "public, max-age=31536000, immutable"
    css = api.get("/assets/index-D4e5F6.css")
    assert css.header("Content-Type") == "text/css; charset=utf-8"

    docs = api.get("/docs")
    assert docs.status == 200 and docs.body == DOCS

    assert api.request("HEAD", "/assets/index-A1b2C3.js").status == 200


def test_client_routes_get_the_entry_page_and_the_rest_a_json_404(postern_factory, tmp_path):
    p = postern_factory(env={"POSTERN_HTTP_UI_DIR": str(lay_out(tmp_path))})
    api = p.api()
    for path in ["/messages", "/messages/0ABCDEF", "/inbox/alice/3", "/providers/mg", "/keys"]:
        r = api.get(path)
        assert r.status == 200 and r.body == INDEX, path
    for path in ["/assets/index-000000.js", "/favicon.ico", "/v1/nothing", "/v1"]:
        r = api.get(path)
        assert r.status == 404, path
        assert r.json()["error"]["code"] == "not_found", path
    # Only GET: a POST to a client route is not the UI's.
    assert api.post("/messages", {}).status == 404
    # The API's own routes are untouched.
    assert api.get("/v1/messages").status == 200
    assert api.get("/openapi.json").json()["openapi"].startswith("3.1")


def test_no_path_reaches_outside_the_folder(postern_factory, tmp_path):
    p = postern_factory(env={"POSTERN_HTTP_UI_DIR": str(lay_out(tmp_path))})
    for target in ["/../secret.txt", "/assets/../../secret.txt", "/%2e%2e/secret.txt",
                   "/assets/%2e%2e/%2e%2e/secret.txt", "/..%2fsecret.txt", "/assets/link.js",
                   "//secret.txt", "/assets/../../../../etc/passwd", "/assets/..%5c..%5csecret.txt"]:
        r = raw_get(p.http_port, target)
        assert SECRET not in r.body, target
        assert b"root:" not in r.body, target
        assert r.status in (200, 400, 404), target
    assert raw_get(p.http_port, "/assets/link.js").status == 404  # links are not followed


def test_without_a_built_ui_the_page_says_how_to_build_it(postern_factory, tmp_path):
    missing = str(tmp_path / "nowhere")
    p = postern_factory(env={"POSTERN_HTTP_UI_DIR": missing})
    assert any("web UI: not built" in line for line in p.log_lines)
    for path in ["/", "/docs", "/messages/0ABC"]:
        r = p.api().get(path)
        assert r.status == 200, path
        assert b"The web UI is not built" in r.body and missing.encode() in r.body, path
        assert b"make run" in r.body and b"/openapi.json" in r.body, path


def test_compressed_forms_are_sent_as_accept_encoding_allows(postern_factory, tmp_path):
    """The build writes name.gz and name.br beside each large file
    (web/vite-precompress.ts); the gateway sends the one the request
    accepts, with Content-Encoding, Vary and its own length and ETag, and
    answers a revalidation with a 304 on the same connection."""
    dist = lay_out(tmp_path)
    script = b"export const screens = ['dashboard', 'compose', 'messages'];\n" * 200
    (dist / "assets" / "app-Z9y8X7.js").write_bytes(script)
    gz = gzip.compress(script, 9)
    (dist / "assets" / "app-Z9y8X7.js.gz").write_bytes(gz)
    # Sent as it is: the gateway never decodes a form.
    br = b"BROTLI-FORM"
    (dist / "assets" / "app-Z9y8X7.js.br").write_bytes(br)
    p = postern_factory(env={"POSTERN_HTTP_UI_DIR": str(dist)})

    conn = http.client.HTTPConnection("127.0.0.1", p.http_port, timeout=30)
    try:
        def get(headers):
            conn.request("GET", "/assets/app-Z9y8X7.js", headers=headers)
            r = conn.getresponse()
            return r, r.read()

        r, body = get({"Accept-Encoding": "gzip, deflate"})
        assert r.status == 200
        assert r.getheader("Content-Encoding") == "gzip"
        assert r.getheader("Vary") == "Accept-Encoding"
        assert r.getheader("Content-Type") == "text/javascript; charset=utf-8"
        assert int(r.getheader("Content-Length")) == len(gz) == len(body)
        assert gzip.decompress(body) == script
        gz_etag = r.getheader("ETag")
        last_modified = r.getheader("Last-Modified")
        assert gz_etag.startswith('"') and last_modified.endswith(" GMT")

        r, body = get({"Accept-Encoding": "gzip, deflate, br"})
        assert r.getheader("Content-Encoding") == "br" and body == br
        assert r.getheader("ETag") != gz_etag

        for accept in ["gzip;q=0", "identity", "deflate", "br;q=0, gzip;q=0.5, identity", ""]:
            r, body = get({"Accept-Encoding": accept})
            assert r.status == 200 and body == script, accept
            assert r.getheader("Content-Encoding") is None, accept
            assert r.getheader("Vary") == "Accept-Encoding", accept
        r, body = get({})  # http.client sends Accept-Encoding: identity
        assert body == script and r.getheader("Content-Encoding") is None

        # A cache revalidating its gzip copy: 304, no body, the connection
        # still good for the next request.
        r, body = get({"Accept-Encoding": "gzip", "If-None-Match": gz_etag})
        assert r.status == 304 and body == b""
        assert r.getheader("ETag") == gz_etag and r.getheader("Vary") == "Accept-Encoding"
        assert r.getheader("Content-Length") is None
        r, body = get({"Accept-Encoding": "gzip", "If-Modified-Since": last_modified})
        assert r.status == 304 and body == b""
        # The tag of the gzip form is not the plain file's.
        r, body = get({"Accept-Encoding": "identity", "If-None-Match": gz_etag})
        assert r.status == 200 and body == script
    finally:
        conn.close()

    # The forms are not files of their own; a small file has none.
    api = p.api()
    assert api.get("/assets/app-Z9y8X7.js.gz").status == 404
    small = api.get("/assets/index-A1b2C3.js", headers={"Accept-Encoding": "gzip"})
    assert small.body == SCRIPT and small.header("Content-Encoding") is None
