"""``meta/v1 Status`` objects: how the Kubernetes API server reports every failure."""

from __future__ import annotations

from typing import Any

__all__ = ["ApiStatusError", "status_object"]


def status_object(
    code: int, reason: str, message: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success" if code < 400 else "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details:
        body["details"] = details
    if code < 400:
        body.pop("reason")
    return body


class ApiStatusError(Exception):
    """Raised inside the simulator; the server answers with the matching Status object."""

    def __init__(
        self, code: int, reason: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def to_status(self) -> dict[str, Any]:
        return status_object(self.code, self.reason, self.message, self.details)

    @classmethod
    def not_found(cls, plural: str, name: str, group: str = "") -> ApiStatusError:
        resource = f"{plural}.{group}" if group else plural
        details = {"name": name, "kind": plural, **({"group": group} if group else {})}
        return cls(404, "NotFound", f'{resource} "{name}" not found', details)
