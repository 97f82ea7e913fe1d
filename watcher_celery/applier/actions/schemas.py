"""JSON-schema pieces the action types share."""

UUID = {
    "type": "string",
    "pattern": "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
}
NAME = {"type": "string", "minLength": 1}
OPTIONAL_NAME = {"type": ["string", "null"]}


def schema(required: list[str], **properties) -> dict:
    """An object schema with these properties, refusing unknown keys."""
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }
