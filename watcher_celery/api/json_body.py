"""Reading a JSON request body without letting hostile input crash the request.

``json.loads`` raises ``RecursionError`` on a deeply nested document and ``ValueError`` on an
integer of more than 4,300 digits; both are the client's malformed input (400), never a 500.
Documents nested deeper than :data:`MAX_DEPTH` are refused before anything walks them
recursively (marshmallow, jsonschema, the JSON column).
"""

from __future__ import annotations

import json
from typing import Any

from watcher_celery.errors import Invalid

MAX_DEPTH = 32


def depth(document: Any) -> int:
    """Nesting depth of lists and objects, measured without recursion."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


def loads(data: bytes | str) -> Any:
    """Parse a request body; 400 for anything that is not JSON a person would send."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        document = json.loads(text)
    except RecursionError:
        raise Invalid(f"Invalid JSON body: nested deeper than {MAX_DEPTH} levels") from None
    except UnicodeDecodeError:
        raise Invalid("Invalid JSON body: not UTF-8") from None
    except ValueError as exc:  # JSONDecodeError, and integers beyond Python's digit limit
        raise Invalid(f"Invalid JSON body: {exc}") from None
    if depth(document) > MAX_DEPTH:
        raise Invalid(f"Invalid JSON body: nested deeper than {MAX_DEPTH} levels")
    return document
