"""Data model schemas: the query and the rows (``node_*`` always, ``server_*`` per instance)."""

from marshmallow import Schema, fields, validate

TYPES = ("compute",)


class DataModelQuerySchema(Schema):
    data_model_type = fields.String(
        load_default="compute", metadata={"description": "Only `compute` is supported."}
    )
    audit_uuid = fields.UUID(metadata={"description": "Apply this audit's scope."})


class DataModelRowSchema(Schema):
    """One (node, instance) placement; a node without instances has only the node_* keys."""

    node_uuid = fields.String(required=True)
    node_hostname = fields.String(required=True)
    node_status = fields.String(required=True, validate=validate.OneOf(("enabled", "disabled")))
    node_disabled_reason = fields.String(required=True, allow_none=True)
    node_state = fields.String(required=True, validate=validate.OneOf(("up", "down")))
    node_memory = fields.Integer(required=True)
    node_memory_mb_reserved = fields.Integer(required=True)
    node_disk = fields.Integer(required=True)
    node_disk_gb_reserved = fields.Integer(required=True)
    node_vcpus = fields.Integer(required=True)
    node_vcpu_reserved = fields.Integer(required=True)
    node_memory_ratio = fields.Float(required=True)
    node_vcpu_ratio = fields.Float(required=True)
    node_disk_ratio = fields.Float(required=True)
    server_uuid = fields.String()
    server_watcher_exclude = fields.Boolean()
    server_name = fields.String()
    server_state = fields.String()
    server_memory = fields.Integer()
    server_disk = fields.Integer()
    server_vcpus = fields.Integer()
    server_metadata = fields.Dict()
    server_project_id = fields.String()
    server_locked = fields.Boolean()
    server_pinned_az = fields.String(
        allow_none=True, metadata={"description": "API microversion 1.6 and later."}
    )
    server_flavor_extra_specs = fields.Dict(
        metadata={"description": "API microversion 1.6 and later."}
    )


class DataModelSchema(Schema):
    context = fields.List(fields.Nested(DataModelRowSchema), required=True)
