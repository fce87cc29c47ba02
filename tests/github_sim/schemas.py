"""GitHub's published schemas as validators: REST operations by method and path, webhooks by event and action.

REST: @octokit/openapi (GitHub's own OpenAPI 3.0 description), webhooks: @octokit/webhooks-schemas (JSON Schema
draft 7); the pinned versions are in tests/contract/fetch_schemas.py. Each operation's schema is turned into a
self-contained draft-7 schema and compiled (jsonschema-rs) once per process, on first use."""

from __future__ import annotations

import json
import os
import re
import threading
from functools import cache
from typing import Any

import jsonschema_rs

from tests.contract.fetch_schemas import fetch, path

Schema = dict[str, Any]
Validator = Any  # a jsonschema_rs validator (the package ships no type hints)


# --- OpenAPI 3.0 schema -> JSON Schema draft 7 ----------------------------------------------------------------
_SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf")


def to_json_schema(node: Any, refs: set[str]) -> Any:
    """One schema converted; names of the components it refers to are added to `refs`.

    - `nullable: true` becomes a "null" in `type` (or an anyOf with {"type": "null"} when there is no type).
    - `oneOf` becomes `anyOf`: GitHub's description uses oneOf for alternatives that overlap (an empty body
      matches both shapes of "set labels"), which GitHub itself accepts.
    - `$ref: #/components/schemas/X` becomes `#/definitions/X`."""
    if not isinstance(node, dict):
        return node
    out: Schema = {}
    for key, value in node.items():
        if key == "$ref":
            name = value.rsplit("/", 1)[-1]
            refs.add(name)
            out["$ref"] = f"#/definitions/{name}"
        elif key in ("properties", "patternProperties"):
            out[key] = {k: to_json_schema(v, refs) for k, v in value.items()}
        elif key in ("items", "additionalProperties", "not"):
            out[key] = to_json_schema(value, refs)
        elif key in _SUBSCHEMA_LISTS:
            out["anyOf" if key == "oneOf" or _erratum_either(key, value) else key] = [
                to_json_schema(v, refs) for v in value
            ]
        elif key in ("nullable", "example", "examples", "discriminator", "xml", "externalDocs", "deprecated"):
            continue
        else:
            out[key] = value
    if node.get("nullable") is True:
        if isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
            if "enum" in out and None not in out["enum"]:
                out["enum"] = [*out["enum"], None]
        else:
            out = {"anyOf": [out, {"type": "null"}]}
    return out


def _erratum_either(key: str, members: list[Any]) -> bool:
    """An erratum: some operations give an installation's `account` as allOf [Simple User, Enterprise], which no
    account can be; the `installation` component itself says anyOf, as GitHub answers."""
    titles = {m.get("title") for m in members if isinstance(m, dict)}
    return key == "allOf" and titles == {"Simple User", "Enterprise"}


# Adding and setting labels: the description's prose also allows the labels as a bare array ("Alternatively, you
# can pass ... an array of labels directly"), which PyGithub sends. Not empty, as the schema's own shapes require.
BARE_LABELS = ("issues/add-labels", "issues/set-labels")
BARE_LABELS_SCHEMA: Schema = {"type": "array", "minItems": 1, "items": {"type": "string"}}


class Rest:
    """GitHub's REST description: operations found by method and path, validators compiled on first use."""

    def __init__(self, spec: Schema) -> None:
        self.spec = spec
        self.components: Schema = spec["components"]
        self.lock = threading.Lock()
        self.validators: dict[tuple[str, ...], Validator | None] = {}
        self.converted: dict[str, tuple[Any, set[str]]] = {}
        routes: list[tuple[int, str, re.Pattern[str], str]] = []
        for template in spec["paths"]:
            # A parameter matches one segment; a last {path}, {ref} or {branch} may span several.
            literal = len(re.sub(r"\{[^}]+\}", "", template))
            parts = [re.escape(p) for p in re.split(r"\{[^}]+\}", template)]
            routes.append((literal * 2 + 1, template, re.compile("^" + "[^/]+".join(parts) + "$"), "one"))
            if template.endswith(("{path}", "{ref}", "{basehead}", "{branch}", "{head}")):
                last = "^" + "[^/]+".join(parts[:-1]) + ".+$"
                routes.append((literal * 2, template, re.compile(last), "last"))
        routes.sort(key=lambda r: -r[0])
        self.routes = [(template, pattern) for _, template, pattern, _ in routes]
        self.methods = {
            t: {m.upper(): op for m, op in item.items() if m in _METHODS} for t, item in spec["paths"].items()
        }

    def operation(self, method: str, url_path: str) -> tuple[str, Schema] | None:
        """The (path template, operation) GitHub documents for this request, if any."""
        for template, pattern in self.routes:
            op = self.methods[template].get(method)
            if op is not None and pattern.match(url_path):
                return template, op
        return None

    def _definition(self, name: str, refs: set[str]) -> Any:
        if name not in self.converted:
            own: set[str] = set()
            self.converted[name] = (to_json_schema(self.components["schemas"][name], own), own)
        schema, needs = self.converted[name]
        refs |= needs
        return schema

    def compile(self, schema: Schema) -> Validator:
        """A validator for an OpenAPI schema, with the components it needs (transitively) as definitions."""
        refs: set[str] = set()
        root = to_json_schema(schema, refs)
        definitions: Schema = {}
        todo = list(refs)
        while todo:
            name = todo.pop()
            if name in definitions:
                continue
            more: set[str] = set()
            definitions[name] = self._definition(name, more)
            todo += [n for n in more if n not in definitions]
        document = {**root, "definitions": definitions} if isinstance(root, dict) else root
        return jsonschema_rs.Draft7Validator(document, validate_formats=True)

    def _resolve(self, node: Schema, kind: str) -> Schema:
        while "$ref" in node:  # responses and request bodies may be shared components
            node = self.components[kind][node["$ref"].rsplit("/", 1)[-1]]
        return node

    def validator(self, key: tuple[str, ...], schema: Schema | None) -> Validator | None:
        with self.lock:
            if key not in self.validators:
                self.validators[key] = None if schema is None else self.compile(schema)
            return self.validators[key]

    def request_schema(self, op: Schema) -> tuple[bool, Schema | None]:
        body = op.get("requestBody")
        if body is None:
            return False, None
        body = self._resolve(body, "requestBodies")
        schema = (body.get("content", {}).get("application/json") or {}).get("schema")
        if op.get("operationId") in BARE_LABELS and schema is not None:
            schema = {"anyOf": [schema, BARE_LABELS_SCHEMA]}
        return bool(body.get("required")), schema

    def response_schema(self, op: Schema, status: int) -> tuple[bool, Schema | None]:
        """(documented, schema) for the status; an undocumented error is checked as GitHub's basic error."""
        answer = op.get("responses", {}).get(str(status))
        if answer is None:
            if status >= 400:
                return True, {"$ref": "#/components/schemas/basic-error"}
            return False, None
        media = self._resolve(answer, "responses").get("content", {}).get("application/json")
        return True, (media or {}).get("schema")


_METHODS = ("get", "put", "post", "patch", "delete", "head", "options")


def errors(validator: Validator, instance: Any) -> list[str]:
    """The first few errors, each as "at /json/pointer: message"; [] when the instance is valid."""
    if validator.is_valid(instance):
        return []
    out: list[str] = []
    limit = int(os.environ.get("SIM_CONTRACT_ERRORS", "8"))
    for err in validator.iter_errors(instance):
        where = "/" + "/".join(str(p) for p in err.instance_path)
        out.append(f"at {where}: {err.message[:300]}")
        if len(out) >= limit:
            break
    return out


@cache
def rest() -> Rest:
    fetch()
    return Rest(json.loads(path("@octokit/openapi", "generated/api.github.com.json").read_bytes()))


@cache
def enterprise() -> Rest:
    """GitHub Enterprise Server's description, for the site-admin routes (`/admin/...`) only."""
    fetch()
    return Rest(json.loads(path("@octokit/openapi", "generated/ghes-3.19.json").read_bytes()))


def rest_for(url_path: str) -> Rest:
    """The description a request is checked against: GHES's for `/admin`, which api.github.com lacks."""
    return enterprise() if url_path.startswith("/admin/") else rest()


class Webhooks:
    """@octokit/webhooks-schemas: one definition per event and action, e.g. `pull_request$opened`."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.lock = threading.Lock()
        self.validators: dict[str, Validator] = {}

    def definition(self, event: str, action: str | None) -> str | None:
        definitions = self.schema["definitions"]
        # Events with actions are "<event>$<action>"; those without (push) are "<event>$event".
        name = f"{event}${action}" if action else f"{event}$event"
        return name if name in definitions else None

    def validator(self, name: str) -> Validator:
        with self.lock:
            if name not in self.validators:
                document = {"$ref": f"#/definitions/{name}", "definitions": self.schema["definitions"]}
                self.validators[name] = jsonschema_rs.Draft7Validator(document, validate_formats=True)
            return self.validators[name]


@cache
def webhooks() -> Webhooks:
    fetch()
    return Webhooks(json.loads(path("@octokit/webhooks-schemas", "schema.json").read_bytes()))
