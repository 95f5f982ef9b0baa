#!/usr/bin/python3
"""Turns docs/openapi.yaml into a C++ source that serves it as compact JSON,
and that JSON gzip-compressed (a fifth of its size) for a client that
accepts it.

Usage: openapi_to_cpp.py DOCUMENT.yaml OUTPUT.cpp

Run by the build (src/http/CMakeLists.txt) whenever the document changes, so
that the binary always serves the document the linter checked. Anything YAML
can say and JSON cannot (dates, binary, keys that are not strings) stops the
build with the path of the offending value.
"""
import gzip
import json
import re
import sys

import yaml


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML follows YAML 1.1, where yes, no, on and off are booleans; the
    linter (and every JSON tool) follows YAML 1.2, where they are strings.
    Only true and false are booleans here, so both read the same document."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def check_json_compatible(value, path="$"):
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise SystemExit(f"openapi: {path}: key {key!r} is not a string")
            check_json_compatible(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            check_json_compatible(item, f"{path}[{i}]")
    elif not (value is None or isinstance(value, (str, bool, int, float))):
        raise SystemExit(f"openapi: {path}: {type(value).__name__} {value!r} has no JSON form; quote it")


def byte_lines(data, per_line=20):
    return "".join("    " + ", ".join(str(b) for b in data[i:i + per_line]) + ",\n"
                   for i in range(0, len(data), per_line))


def main(source, output):
    with open(source, encoding="utf-8") as f:
        document = yaml.load(f, Loader=Yaml12Loader)
    if not isinstance(document, dict) or "openapi" not in document:
        raise SystemExit(f"openapi: {source} is not an OpenAPI document")
    check_json_compatible(document)
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=True)
    # mtime 0: the same document gives the same bytes.
    compressed = gzip.compress(text.encode("ascii"), 9, mtime=0)
    delimiter = "openapi"
    if f"){delimiter}\"" in text:
        raise SystemExit(f"openapi: the document contains the raw string delimiter ){delimiter}\"")
    with open(output, "w", encoding="utf-8") as f:
        f.write("// Generated from docs/openapi.yaml by cmake/openapi_to_cpp.py; do not edit.\n"
                "#include \"http/openapi.h\"\n\n"
                "namespace postern::http {\n\n"
                "std::string_view openapi_document() {\n"
                f"  return R\"{delimiter}({text}){delimiter}\";\n"
                "}\n\n"
                "std::string_view openapi_document_gzip() {\n"
                f"  static const unsigned char kBytes[] = {{\n{byte_lines(compressed)}}};\n"
                "  return {reinterpret_cast<const char*>(kBytes), sizeof kBytes};\n"
                "}\n\n"
                "}  // namespace postern::http\n")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
