"""The OpenAPI document against the running server: every documented example
is replayed, and each answer must be what the document says.

docs/openapi.yaml names its examples as test cases (its header says how): a
case's request is made of the parameter and request body examples of that
name, and its answer must be the response holding the response example of
that name: the same status, a documented media type, a body that validates
against the response's schema and, for an error, the example's code and
field. Every secured operation also has the cases missing_api_key,
invalid_api_key and insufficient_scope, tried with no key, an unknown key and
a key lacking the scopes its security names.

The cases run in document order against one server, whose configuration and
first messages are the objects the examples name.
"""
import gzip
import http.client
import json
import os
import re
import sys
import urllib.parse

import pytest
import yaml
from jsonschema import Draft202012Validator, RefResolver

from conftest import ROOT, Postern

sys.path.insert(0, os.path.join(ROOT, "cmake"))
from openapi_to_cpp import Yaml12Loader  # noqa: E402  (the build's reading of the file)

DOCUMENT_PATH = os.path.join(ROOT, "docs", "openapi.yaml")
METHODS = ("get", "put", "post", "delete", "patch")
AUTH_CASES = {"missing_api_key", "invalid_api_key", "insufficient_scope"}
ALL_SCOPES = ("send", "read", "admin", "heartbeat")

# What the examples name, as the server must hold it before the cases run.
CONFIG = """
[routing]
heartbeat_allowed = ["edge-relay", "new-relay"]

[[providers]]
name = "primary"
type = "capture"

[[providers]]
name = "backup"
type = "capture"

[[providers]]
name = "old-relay"
type = "capture"

# Mail tagged hold waits: nobody serves the pool "held".
[[routes]]
tag = "hold"
pool = "held"
"""
OPERATOR_SCOPES = ("send", "read", "admin")
KEYS_TO_DELETE = ("old-deploy",)
# The documented test account user names, each standing for a live account
# the server creates (names are generated, so the examples cannot be them).
TEST_ACCOUNTS = ("brave-otter-4821", "quiet-heron-0420")
# The documented webhook endpoint ids, each standing for a live endpoint the
# server creates (ids are generated).
WEBHOOK_ENDPOINTS = ("ep_documented0endpoint0", "ep_documented0endpoint1")
# The documented message ids and the state of the live message each stands for.
MESSAGE_IDS = {
    "0mb3xq7h2k4rs": "sent",
    "0mb3xq7h2k4rt": "held",
    "0mb3xq7h2k4rv": "cancelled",
}


def load_document():
    with open(DOCUMENT_PATH, encoding="utf-8") as f:
        return yaml.load(f, Loader=Yaml12Loader)


DOCUMENT = load_document()


def resolve(node):
    """Follows $ref (local JSON pointers) until a node without one."""
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), ref
        node = DOCUMENT
        for part in ref[2:].split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def operations():
    for path, item in DOCUMENT["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def security_of(op):
    return op.get("security", DOCUMENT.get("security", []))


def is_secured(op):
    return any(requirement for requirement in security_of(op))


def granting_scopes(op):
    """Every scope that one of the operation's security alternatives names."""
    return {scope for requirement in security_of(op) for scopes in requirement.values() for scope in scopes}


def response_cases(op):
    """{case name: (status, response object, example value or None)}."""
    cases = {}
    for status, response in op["responses"].items():
        response = resolve(response)
        named = [(name, None) for name in response.get("x-postern-examples", [])]
        for media in response.get("content", {}).values():
            named += [(name, resolve(example).get("value")) for name, example in media.get("examples", {}).items()]
        for name, value in named:
            assert name not in cases, f"{op['operationId']}: example {name} is under two responses"
            cases[name] = (int(status), response, value)
    return cases


def parameters_of(op):
    return [resolve(p) for p in op.get("parameters", [])]


def first_example(examples):
    return resolve(next(iter(examples.values())))["value"]


def all_cases():
    for path, method, op in operations():
        for name in response_cases(op):
            yield pytest.param(path, method, op, name, id=f"{op['operationId']}:{name}")


class Server:
    """The server the cases run against, with its keys and live message ids."""

    def __init__(self, postern):
        self.postern = postern
        self.operator_key = None
        self.keys_by_scopes = {}
        self.message_ids = {}

    def key_without(self, scopes):
        """A key holding every scope but `scopes`, made once per set."""
        kept = tuple(s for s in ALL_SCOPES if s not in scopes)
        if kept not in self.keys_by_scopes:
            name = "lacks-" + "-".join(sorted(scopes))
            r = self.postern.api(self.operator_key).post("/v1/keys", {"name": name, "scopes": list(kept)})
            assert r.status == 201, r
            self.keys_by_scopes[kept] = r.json()["secret"]
        return self.keys_by_scopes[kept]


def create_key(postern, name, scopes):
    out = postern.cli("keys", "create", "--name", name, "--scopes", ",".join(scopes)).stdout
    secrets = [line for line in out.splitlines() if re.fullmatch(r"\S{20,}", line.strip())]
    assert len(secrets) == 1, out
    return secrets[0].strip()


def store_messages(api):
    """The messages the documented ids stand for; returns {documented id: live id}."""
    def send(**extra):
        r = api.send({"from": "app@example.com", "to": "a@example.org", "subject": "Hello",
                      "text": "plain body", **extra})
        assert r.status == 202, r
        return r.json()["id"]

    live = {"sent": send(), "held": send(tags=["hold"]), "cancelled": send(tags=["hold"])}
    api.wait_status(live["sent"], {"sent"})
    api.wait_status(live["held"], {"deferred"})
    api.wait_status(live["cancelled"], {"deferred"})
    r = api.post(f"/v1/messages/{live['cancelled']}/cancel")
    assert r.status == 200, r
    return {documented: live[state] for documented, state in MESSAGE_IDS.items()}


def create_test_accounts(api):
    """{documented user name: live user name}."""
    live = {}
    for documented in TEST_ACCOUNTS:
        r = api.post("/v1/test-accounts")
        assert r.status == 201, r
        live[documented] = r.json()["user"]
    return live


def create_webhook_endpoints(api):
    """{documented endpoint id: live endpoint id}."""
    live = {}
    for documented in WEBHOOK_ENDPOINTS:
        r = api.post("/v1/webhook-endpoints", {"url": "http://127.0.0.1:9/hook"})
        assert r.status == 201, r
        live[documented] = r.json()["id"]
    return live


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    workdir = str(tmp_path_factory.mktemp("openapi"))
    postern = Postern(workdir, config_text=CONFIG)
    s = Server(postern)
    s.operator_key = create_key(postern, "operator", OPERATOR_SCOPES)
    for name in KEYS_TO_DELETE:
        create_key(postern, name, ("send",))
    try:
        postern.start()
        s.message_ids = store_messages(postern.api(s.operator_key))
        # Path values stand for live objects alike, messages or accounts.
        s.message_ids.update(create_test_accounts(postern.api(s.operator_key)))
        s.message_ids.update(create_webhook_endpoints(postern.api(s.operator_key)))
        yield s
    finally:
        code = postern.stop()
    # A clean stop: no sanitizer report, no hang.
    assert code == 0, postern.logs()[-3000:]


def example_for(examples, case):
    """The value of example `case`; for a key check, any example (the key is
    checked before anything else), or None."""
    if case in examples:
        return resolve(examples[case])["value"]
    if case in AUTH_CASES and examples:
        return first_example(examples)
    return None


def with_parameters(server, path, op, case, headers):
    """The path with its parameters filled in and the query; headers are added to `headers`."""
    query = []
    for param in parameters_of(op):
        value = example_for(param.get("examples", {}), case)
        if value is None:
            assert param["in"] != "path", f"path parameter {param['name']} has no example {case}"
            continue
        if param["in"] == "path":
            value = server.message_ids.get(value, value)
            path = path.replace("{" + param["name"] + "}", urllib.parse.quote(str(value), safe=""))
        elif param["in"] == "query":
            query.append((param["name"], str(value)))
        elif param["in"] == "header":
            headers[param["name"]] = str(value)
    return path + ("?" + urllib.parse.urlencode(query) if query else "")


def body_for(op, case, headers):
    """The request body of the case (its Content-Type added to `headers`), or None."""
    content = op.get("requestBody", {}).get("content", {})
    # The media type that has the case, else (for a key check) the first with any example.
    for media_type, media in sorted(content.items(), key=lambda m: case not in m[1].get("examples", {})):
        value = example_for(media.get("examples", {}), case)
        if value is not None:
            headers["Content-Type"] = media_type
            return value.encode() if isinstance(value, str) else json.dumps(value).encode()
    assert case in AUTH_CASES or not op.get("requestBody", {}).get("required"), \
        f"the request body has no example {case}"
    return None


def authorization_for(server, op, case):
    if case == "missing_api_key" or not is_secured(op):
        return None
    if case == "invalid_api_key":
        return "Bearer pk_this_key_was_never_issued"
    if case == "insufficient_scope":
        return "Bearer " + server.key_without(granting_scopes(op))
    return "Bearer " + server.operator_key


def build_request(server, path, op, case):
    """(target: path and query, headers, body bytes or None) for one case."""
    headers = {}
    target = with_parameters(server, path, op, case, headers)
    body = body_for(op, case, headers)
    authorization = authorization_for(server, op, case)
    if authorization:
        headers["Authorization"] = authorization
    return target, headers, body


def exchange(port, method, target, headers, body, streamed):
    """(status, media type, body bytes); a stream is closed after its header."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(method.upper(), target, body=body, headers=headers)
        r = conn.getresponse()
        media_type = (r.getheader("Content-Type") or "").split(";")[0].strip().lower()
        data = b"" if streamed and r.status == 200 else r.read()
        return r.status, media_type, data
    finally:
        conn.close()


def validate(schema, instance, what):
    validator = Draft202012Validator(schema, resolver=RefResolver.from_schema(DOCUMENT))
    errors = sorted(validator.iter_errors(instance), key=lambda e: str(list(e.path)))
    assert not errors, f"{what} does not match its schema: " + "; ".join(
        f"{'/'.join(map(str, e.path))}: {e.message}" for e in errors[:5])


@pytest.mark.parametrize("path,method,op,case", list(all_cases()))
def test_every_documented_example_gets_its_documented_answer(server, path, method, op, case):
    status, response, example = response_cases(op)[case]
    target, headers, body = build_request(server, path, op, case)
    content = response.get("content", {})
    answered, media_type, data = exchange(server.postern.http_port, method, target, headers, body,
                                          streamed="text/event-stream" in content)
    where = f"{method.upper()} {target} ({case})"
    assert answered == status, f"{where}: answered {answered}, documented {status}: {data[:500]!r}"
    if not content:
        assert data == b"", f"{where}: a body where none is documented: {data[:200]!r}"
        return
    assert media_type in content, f"{where}: {media_type} is not among {list(content)}"
    if media_type != "application/json":
        return
    answer = json.loads(data)
    validate(content[media_type]["schema"], answer, f"{where}: the answer {answer}")
    # Ethereal's errors (POST /user) are {status, error: "text"}: no code or field.
    if isinstance(example, dict) and isinstance(example.get("error"), dict):
        got = {k: answer["error"][k] for k in ("code", "field")}
        assert got == {k: example["error"][k] for k in ("code", "field")}, f"{where}: {answer}"


@pytest.mark.parametrize("path,method,op", [pytest.param(*o, id=o[2]["operationId"]) for o in operations()])
def test_secured_operations_document_the_key_checks(path, method, op):
    documented = set(response_cases(op)) & AUTH_CASES
    assert documented == (AUTH_CASES if is_secured(op) else set())


def test_every_request_example_is_a_case():
    """A request example that names no response example would never be replayed."""
    for _, _, op in operations():
        cases = set(response_cases(op))
        named = set()
        for media in op.get("requestBody", {}).get("content", {}).values():
            named |= set(media.get("examples", {}))
        for param in op.get("parameters", []):
            if "$ref" not in param:  # shared parameters name the cases of several operations
                named |= set(param.get("examples", {}))
        assert named <= cases, f"{op['operationId']}: examples {sorted(named - cases)} name no answer"


def test_the_server_serves_the_document(server):
    r = server.postern.api().get("/openapi.json")
    assert r.status == 200 and r.header("Content-Type").startswith("application/json")
    assert r.json() == DOCUMENT


def test_the_document_is_gzip_compressed_for_a_client_that_accepts_it(server):
    api = server.postern.api()
    plain = api.get("/openapi.json", headers={"Accept-Encoding": "br, gzip;q=0"})
    assert plain.header("Content-Encoding") is None and plain.json() == DOCUMENT
    assert plain.header("Vary") == "Accept-Encoding"
    packed = api.get("/openapi.json", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.status == 200 and packed.header("Content-Encoding") == "gzip"
    assert packed.header("Vary") == "Accept-Encoding"
    assert int(packed.header("Content-Length")) == len(packed.body) < len(plain.body) / 3
    assert gzip.decompress(packed.body) == plain.body


def test_metadata_values_other_than_strings_are_refused_as_documented(server):
    """The document says metadata values are strings; the server refuses a number."""
    message = {"from": "app@example.com", "to": "a@example.org", "text": "Hi", "metadata": {"user_id": 42}}
    schema = {"$ref": "#/components/schemas/SendRequest"}
    with pytest.raises(AssertionError, match="user_id"):
        validate(schema, message, "a number in metadata")
    r = server.postern.api(server.operator_key).send(message)
    assert r.status == 422, r
    assert r.json()["error"]["code"] == "invalid_type"
    assert r.json()["error"]["field"] == "metadata.user_id"
    message["metadata"]["user_id"] = "42"
    validate(schema, message, "a string in metadata")
    assert server.postern.api(server.operator_key).send(message).status == 202
