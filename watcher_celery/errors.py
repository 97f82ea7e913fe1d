"""The project's exception tree. HTTP status codes are assigned in ``api/errors.py`` only."""

from __future__ import annotations


class WatcherCeleryError(Exception):
    """Root of every error this project raises on purpose."""

    def __init__(self, message: str, **context: object) -> None:
        super().__init__(message)
        self.message = message
        for key, value in context.items():
            setattr(self, key, value)

    def __str__(self) -> str:
        return self.message


class Invalid(WatcherCeleryError):
    """Raised when a request or parameter is malformed or breaks a validation rule."""


class NotAcceptable(WatcherCeleryError):
    """Raised when a requested API microversion or field is outside what is supported."""


class NotAuthenticated(WatcherCeleryError):
    """Raised when a request needs a valid ``X-Auth-Token`` and has none."""


class Forbidden(WatcherCeleryError):
    """Raised when the caller's role may not do what the request asks (e.g. a reader writing)."""


class NotFound(WatcherCeleryError):
    """Raised when an object named by uuid or name does not exist (or is soft-deleted)."""

    def __init__(self, resource: str, ident: object, message: str | None = None) -> None:
        super().__init__(
            message or f"{resource} {ident} could not be found", resource=resource, ident=ident
        )


class Conflict(WatcherCeleryError):
    """Raised when a request collides with the current state of the data."""


class IllegalTransition(Conflict):
    """Raised when a state change is not in the object's transition table.

    Carries ``kind``, ``uuid``, ``from_state`` and ``to_state``.
    """

    def __init__(self, kind: str, uuid: str, from_state: str | None, to_state: str) -> None:
        super().__init__(
            f"State transition not allowed: ({from_state} -> {to_state})",
            kind=kind,
            uuid=uuid,
            from_state=from_state,
            to_state=to_state,
        )


class PluginError(WatcherCeleryError):
    """Raised when a plugin (strategy, goal, planner, action) is missing or misbehaves."""


class StrategyError(PluginError):
    """Raised when a strategy cannot produce a solution for an audit."""


class CloudError(WatcherCeleryError):
    """Raised when the cloud refuses or fails an operation."""


class ActionFailed(CloudError):
    """Raised when an action fails in one of its phases; ``phase`` names which one."""

    def __init__(self, message: str, phase: str = "execute") -> None:
        super().__init__(message, phase=phase)


class ActionSkipped(WatcherCeleryError):
    """Raised by an action's pre_condition when there is nothing to do."""


class ServiceUnavailable(WatcherCeleryError):
    """Raised when a request was valid but another service (broker, worker) cannot be reached."""


class DatasourceError(WatcherCeleryError):
    """Raised when a metrics backend cannot be reached or answers nonsense."""
