"""/v1/audit_templates: list, /detail, show, create, PATCH (JSON-patch) and DELETE."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView
from sqlalchemy.orm import Session, aliased, joinedload

from watcher_celery.api import listing, microversion, scope_schema, validation
from watcher_celery.api.audit_templates.schemas import (
    AuditTemplateCreateSchema,
    AuditTemplateQuerySchema,
    AuditTemplateSchema,
)
from watcher_celery.api.pagination import (
    SortKey,
    columns,
)
from watcher_celery.api.patch import PatchOperationSchema, apply, expect_types
from watcher_celery.api.smorest import Blueprint, created, get_or_404
from watcher_celery.api.unique import unique_name
from watcher_celery.db import AuditTemplate, Goal, Strategy, session_scope
from watcher_celery.errors import Conflict, Invalid

blp = Blueprint(
    "audit_templates", __name__, url_prefix="/v1/audit_templates", description="Audit templates"
)
_G, _S = aliased(Goal), aliased(Strategy)
SORTABLE = {
    **columns(AuditTemplate, "id", "uuid", "name", "created_at"),
    "goal_uuid": SortKey(_G.uuid, ((_G, _G.id == AuditTemplate.goal_id),)),
    "goal_name": SortKey(_G.name, ((_G, _G.id == AuditTemplate.goal_id),)),
    "strategy_uuid": SortKey(_S.uuid, ((_S, _S.id == AuditTemplate.strategy_id),), ""),
    "strategy_name": SortKey(_S.name, ((_S, _S.id == AuditTemplate.strategy_id),), ""),
}
PATCHABLE = ("name", "description", "goal", "strategy", "scope", "default_parameters")
TYPES = {
    "name": str,
    "description": (str, type(None)),
    "goal": (str, type(None)),
    "strategy": (str, type(None)),
    "default_parameters": (dict, type(None)),
}


def _require_1_7(data: dict[str, Any]) -> None:
    if data.get("default_parameters") is not None and not microversion.at_least(7):
        raise microversion.too_old("default_parameters", 7)


def _check_parameters(strategy: Strategy | None, given: dict[str, Any] | None) -> None:
    """Validate on a copy (defaults are not stored: the template keeps what was given)."""
    if given and strategy is None:
        raise Invalid("default_parameters need a strategy to validate them against")
    if given:
        validation.parameters(strategy, given)


listing.register(
    blp,
    "audit_templates",
    AuditTemplate,
    AuditTemplateSchema,
    SORTABLE,
    noun="audit templates (filters: goal, strategy)",
    query_schema=AuditTemplateQuerySchema,
    filters=listing.by_reference(
        AuditTemplate,
        goal=("goal_id", Goal, "Goal"),
        strategy=("strategy_id", Strategy, "Strategy"),
    ),
    load=(
        joinedload(AuditTemplate.goal).lazyload("*"),
        joinedload(AuditTemplate.strategy).lazyload("*"),
    ),
)


@blp.route("")
class AuditTemplateCreate(MethodView):
    @blp.arguments(AuditTemplateCreateSchema)
    @blp.documents(201, AuditTemplateSchema)
    def post(self, data):
        """Create an audit template."""
        _require_1_7(data)
        with session_scope() as session:
            goal, strategy = validation.goal_and_strategy(
                session, data["goal"], data.get("strategy")
            )
            _check_parameters(strategy, data.get("default_parameters"))
            template = AuditTemplate(
                name=data["name"],
                description=data.get("description"),
                goal_id=goal.id,
                strategy_id=strategy.id if strategy else None,
                scope=scope_schema.validate(data.get("scope")),
                default_parameters=data.get("default_parameters"),
            )
            with unique_name("audit_template", data["name"]):
                session.add(template)
                session.flush()
            body = AuditTemplateSchema.dump_one(template)
        return created(body, "audit_templates", template.uuid)


def _document(template: AuditTemplate) -> dict[str, Any]:
    return {
        "name": template.name,
        "description": template.description,
        "goal": template.goal.uuid,
        "strategy": template.strategy.uuid if template.strategy else None,
        "scope": template.scope,
        "default_parameters": template.default_parameters,
    }


def _update(session: Session, template: AuditTemplate, changes: dict[str, Any]) -> None:
    _require_1_7(changes)
    if "goal" in changes and changes["goal"] is None:
        raise Invalid("The goal of an audit template can not be removed")
    retargeted = "goal" in changes or "strategy" in changes
    if retargeted and template.default_parameters and "default_parameters" not in changes:
        raise Conflict(
            "Changing the goal or strategy of a template with default_parameters needs "
            "/default_parameters patched in the same request"
        )
    goal, strategy = validation.goal_and_strategy(
        session,
        changes.get("goal") or template.goal,
        changes["strategy"] if "strategy" in changes else template.strategy,
    )
    parameters = changes.get("default_parameters", template.default_parameters)
    _check_parameters(strategy, parameters)
    template.goal_id = goal.id
    template.strategy_id = strategy.id if strategy else None
    template.default_parameters = parameters
    if "scope" in changes:
        template.scope = scope_schema.validate(changes["scope"])
    if "name" in changes:
        if not changes["name"]:
            raise Invalid("An audit template needs a name")
        template.name = _bounded("name", changes["name"], 63)
    if "description" in changes:
        template.description = _bounded("description", changes["description"], 255)


def _bounded(key: str, value, length: int):
    """A string field of at most ``length`` characters: longer is a 400, never cut."""
    if value is not None and not isinstance(value, str):
        raise Invalid(f"Invalid value for /{key}: a string is expected")
    if value is not None and len(value) > length:
        raise Invalid(f"/{key} is at most {length} characters long")
    return value


@blp.route("/<ident>")
class AuditTemplateItem(MethodView):
    @blp.documents(200, AuditTemplateSchema)
    def get(self, ident):
        """Show one audit template by UUID or name."""
        with session_scope() as session:
            template = get_or_404(session, AuditTemplate, ident, "AuditTemplate")
            return AuditTemplateSchema.dump_one(template)

    @blp.arguments(PatchOperationSchema(many=True))
    @blp.documents(200, AuditTemplateSchema)
    def patch(self, operations, ident):
        """Update an audit template with a JSON-patch."""
        with session_scope() as session:
            template = get_or_404(session, AuditTemplate, ident, "AuditTemplate")
            document = _document(template)
            changes = apply(document, operations, refused=("goal_uuid", "strategy_uuid"))
            expect_types(changes, TYPES)
            unknown = set(changes) - set(PATCHABLE)
            if unknown:
                raise Invalid(f"Can not patch {', '.join(sorted(unknown))}")
            _update(session, template, changes)
            with unique_name("audit_template", template.name):
                session.flush()
            session.refresh(template)
            return AuditTemplateSchema.dump_one(template)

    @blp.response(204)
    def delete(self, ident):
        """Delete an audit template (soft: its name is free again)."""
        with session_scope() as session:
            get_or_404(session, AuditTemplate, ident, "AuditTemplate").soft_delete()
