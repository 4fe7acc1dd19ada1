"""The ledger's refusals as exceptions, one class per thing a caller handles differently."""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional


class LedgerError(Exception):
    """AgentLedger refused a call (an RFC 7807 problem), or could not be reached after the retries."""

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        title: Optional[str] = None,
        detail: Optional[str] = None,
        type: Optional[str] = None,
        errors: Optional[Mapping[str, List[str]]] = None,
        retry_after: Optional[float] = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.detail = detail
        self.type = type
        self.errors: Dict[str, List[str]] = dict(errors or {})
        self.retry_after = retry_after


class ValidationError(LedgerError):
    """400: the report is invalid; ``errors`` maps each JSON path to what is wrong there (all mistakes at once)."""


class Unauthorized(LedgerError):
    """401 or 403: the API key is missing, wrong, or may not report for this agent."""


class NotFound(LedgerError):
    """404: no such execution (or agent)."""


class Conflict(LedgerError):
    """409: e.g. the run is already final, or this id was reported with a different body."""


class AgentDisabled(Conflict):
    """409 with problem type ``…/agent-disabled``: the agent is disabled in its settings; nothing was recorded."""


class PayloadTooLarge(LedgerError):
    """413: metadata (or a proposal's data) is over 64 KiB serialized."""


class Unavailable(LedgerError):
    """429/502/503/504 or a network error on every attempt: nothing is known to be recorded."""


def from_problem(status: int, problem: Mapping[str, Any], retry_after: Optional[float]) -> LedgerError:
    """The exception for an HTTP error answer and its problem+json body."""
    detail = problem.get("detail") if isinstance(problem.get("detail"), str) else None
    title = problem.get("title") if isinstance(problem.get("title"), str) else None
    type_ = problem.get("type") if isinstance(problem.get("type"), str) else None
    raw_errors = problem.get("errors")
    errors: Dict[str, List[str]] = {}
    if isinstance(raw_errors, dict):
        errors = {str(k): [str(m) for m in v] if isinstance(v, list) else [str(v)] for k, v in raw_errors.items()}
    message = f"{status} {title or 'error'}: {detail or ''}".strip()
    kwargs: Dict[str, Any] = dict(status=status, title=title, detail=detail, type=type_, errors=errors, retry_after=retry_after)
    if status == 400:
        return ValidationError(message, **kwargs)
    if status in (401, 403):
        return Unauthorized(message, **kwargs)
    if status == 404:
        return NotFound(message, **kwargs)
    if status == 409:
        if type_ is not None and type_.endswith("/agent-disabled"):
            return AgentDisabled(message, **kwargs)
        return Conflict(message, **kwargs)
    if status == 413:
        return PayloadTooLarge(message, **kwargs)
    if status in (429, 502, 503, 504):
        return Unavailable(message, **kwargs)
    return LedgerError(message, **kwargs)
