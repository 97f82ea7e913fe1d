"""Checking a live answer against the API's own OpenAPI document, with jsonschema."""

from __future__ import annotations

from typing import Any

import jsonschema


def _as_json_schema(node: Any, components: dict[str, Any]) -> Any:
    """OpenAPI 3.0 schema → JSON schema: ``$ref`` inlined, ``nullable`` as a null type."""
    if isinstance(node, list):
        return [_as_json_schema(item, components) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _as_json_schema(components[node["$ref"].rsplit("/", 1)[-1]], components)
    out = {k: _as_json_schema(v, components) for k, v in node.items() if k != "nullable"}
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def check_answer(spec: dict[str, Any], path: str, status: int, body: Any) -> None:
    """Raise if ``body`` is not what ``GET path`` documents for ``status``."""
    response = spec["paths"][path]["get"]["responses"][str(status)]
    schema = response["content"]["application/json"]["schema"]
    jsonschema.validate(body, _as_json_schema(schema, spec["components"]["schemas"]))
