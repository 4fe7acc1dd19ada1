"""Report an agent's runs to AgentLedger over HTTP, with the standard library only."""

from __future__ import annotations

import email.utils
import http.client
import json
import math
import random
import socket
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timezone
from types import TracebackType
from typing import Any, Dict, Iterable, List, Mapping, Optional, Type, Union

from .errors import LedgerError, Unavailable, from_problem

__all__ = ["Ledger", "Run"]

Json = Dict[str, Any]

# The ledger keeps a stack trace of at most this much in a failed run's metadata (as its .NET client does).
_MAX_STACK_TRACE = 8 * 1024
_MAX_ERROR_MESSAGE = 32 * 1024
_MAX_ERROR_TYPE = 512
_RETRYABLE = (429, 502, 503, 504)


def _iso(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("times must be timezone-aware, e.g. datetime.now(timezone.utc): a naive time would be guessed into a zone")
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _clean(text: str, limit: int) -> str:
    """A failure must be recordable whatever the exception says: the ledger refuses control characters and over-long text."""
    kept = "".join(c if c in "\t\n\r" or (ord(c) >= 32 and ord(c) != 127) else " " for c in text[:limit])
    return kept.replace("\\u0000", "\\u 0000")


def _finite_metrics(metrics: Mapping[str, Union[int, float]]) -> Dict[str, float]:
    bad = [name for name, value in metrics.items() if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value)]
    if bad:
        raise ValueError(f"metrics must be finite numbers; not: {', '.join(sorted(bad))}")
    return {name: float(value) for name, value in metrics.items()}


class Ledger:
    """
    A connection to AgentLedger at ``base_url`` (e.g. ``http://127.0.0.1:5080``).

    Every call is retried on 429, 502, 503, 504 and network errors, waiting as ``Retry-After`` asks
    (else exponential back-off with jitter). Retrying is safe: each run carries an id chosen here,
    and the ledger answers a repeated report or completion with what it stored instead of
    recording it twice.
    """

    def __init__(
        self,
        base_url: str,
        api_key: Optional[str] = None,
        *,
        timeout: float = 10.0,
        max_attempts: int = 6,
        initial_delay: float = 0.5,
        max_delay: float = 30.0,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ValueError("base_url must be an absolute http(s) URL, e.g. http://127.0.0.1:5080")
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.initial_delay = initial_delay
        self.max_delay = max_delay

    # --- runs -----------------------------------------------------------------------------------

    def run(
        self,
        agent_name: str,
        *,
        heartbeat_seconds: Optional[int] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        started_at: Optional[datetime] = None,
        id: Optional[str] = None,
    ) -> "Run":
        """
        A run to use with ``with``: the start is reported on entering (status ``running``), and
        leaving reports success, or failure when an exception escapes (which is re-raised).
        With ``heartbeat_seconds`` (5 … 3600) a background thread renews the run's lease; if the
        process dies, the ledger marks the run ``abandoned`` after two missed beats.
        """
        return Run(self, agent_name, heartbeat_seconds=heartbeat_seconds, metadata=metadata, started_at=started_at, id=id)

    def report(
        self,
        agent_name: str,
        *,
        started_at: datetime,
        completed_at: datetime,
        status: str,
        error_type: Optional[str] = None,
        error_message: Optional[str] = None,
        proposals: Optional[Iterable[Mapping[str, Any]]] = None,
        proposals_created: Optional[int] = None,
        resources_processed: Optional[int] = None,
        metrics: Optional[Mapping[str, Union[int, float]]] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        trigger: Optional[str] = None,
        id: Optional[str] = None,
    ) -> Json:
        """
        Records a finished run in one call (also to back-fill history) and returns the execution.
        Pass ``id`` to be able to repeat the same report later (e.g. after a restart) without
        recording it twice; by default a new id is chosen per call and reused by its retries.
        """
        body: Json = {
            "id": id or str(uuid.uuid4()),
            "agent_name": agent_name,
            "started_at": _iso(started_at),
            "completed_at": _iso(completed_at),
            "status": status,
        }
        optional: Json = {
            "trigger": trigger,
            "error_type": error_type,
            "error_message": error_message,
            "proposals": [dict(p) for p in proposals] if proposals is not None else None,
            "proposals_created": proposals_created,
            "resources_processed": resources_processed,
            "metrics": _finite_metrics(metrics) if metrics is not None else None,
            "metadata": dict(metadata) if metadata is not None else None,
        }
        body.update({k: v for k, v in optional.items() if v is not None})
        return self.request("POST", "/api/executions", body)

    def execution(self, id: str) -> Json:
        """One execution as the ledger holds it."""
        return self.request("GET", f"/api/executions/{urllib.parse.quote(id)}")

    # --- transport ------------------------------------------------------------------------------

    def request(self, method: str, path: str, body: Optional[Mapping[str, Any]] = None) -> Json:
        """One API call with the retries described on the class; raises a :class:`LedgerError` subclass when refused."""
        # Serialized once: every attempt sends the same bytes, which is what makes a retry idempotent.
        data = json.dumps(body, allow_nan=False, separators=(",", ":")).encode("utf-8") if body is not None else None
        last: Optional[LedgerError] = None
        for attempt in range(1, self.max_attempts + 1):
            retry_after: Optional[float] = None
            try:
                return self._send(method, path, data)
            except LedgerError as refused:
                if refused.status not in _RETRYABLE:
                    raise
                last, retry_after = refused, refused.retry_after
            except (urllib.error.URLError, http.client.HTTPException, ConnectionError, socket.timeout, TimeoutError) as e:
                last = Unavailable(f"AgentLedger at {self.base_url} could not be reached: {e}")
            if attempt < self.max_attempts:
                time.sleep(self._delay(attempt, retry_after))
        assert last is not None
        raise last

    def _send(self, method: str, path: str, data: Optional[bytes]) -> Json:
        headers = {"Accept": "application/json", "User-Agent": "agentledger-python/0.1"}
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        if data is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        request = urllib.request.Request(self.base_url + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                text = response.read().decode("utf-8")
                return json.loads(text) if text else {}
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", errors="replace")
            try:
                problem = json.loads(text) if text else {}
            except ValueError:
                problem = {"detail": text[:500]}
            if not isinstance(problem, dict):
                problem = {"detail": text[:500]}
            raise from_problem(error.code, problem, self._retry_after(error.headers.get("Retry-After"))) from None

    @staticmethod
    def _retry_after(value: Optional[str]) -> Optional[float]:
        if not value:
            return None
        try:
            return max(0.0, float(value))
        except ValueError:
            pass
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())

    def _delay(self, attempt: int, retry_after: Optional[float]) -> float:
        if retry_after is not None:
            return min(retry_after, self.max_delay)
        exponential = min(self.initial_delay * (2 ** (attempt - 1)), self.max_delay)
        # Jitter, so agents that failed together do not all come back at the same instant.
        return exponential * (0.5 + random.random() / 2)


class Run:
    """
    One run of an agent, reported when the ``with`` block is entered and completed when it is left.
    Collect what it produces on it: :meth:`add_proposal`, ``metrics``, ``resources_processed``,
    ``metadata``. The ``execution`` attribute holds the ledger's latest answer.
    """

    def __init__(
        self,
        ledger: Ledger,
        agent_name: str,
        *,
        heartbeat_seconds: Optional[int] = None,
        metadata: Optional[Mapping[str, Any]] = None,
        started_at: Optional[datetime] = None,
        id: Optional[str] = None,
    ) -> None:
        if heartbeat_seconds is not None and not 5 <= heartbeat_seconds <= 3600:
            raise ValueError("heartbeat_seconds must be from 5 to 3600")
        self.ledger = ledger
        self.agent_name = agent_name
        self.id = id or str(uuid.uuid4())
        self.heartbeat_seconds = heartbeat_seconds
        self.started_at = started_at or datetime.now(timezone.utc)
        self.metadata: Dict[str, Any] = dict(metadata or {})
        self.metrics: Dict[str, Union[int, float]] = {}
        self.resources_processed: int = 0
        self.proposals_created: Optional[int] = None
        self.proposals: List[Json] = []
        self.execution: Optional[Json] = None
        self.heartbeat_error: Optional[BaseException] = None
        self._start_metadata = dict(self.metadata)
        self._stop = threading.Event()
        self._beater: Optional[threading.Thread] = None
        self._lock = threading.Lock()

    def add_proposal(
        self,
        *,
        type: str,
        title: str,
        explanation: Optional[str] = None,
        inputs_used: Optional[Iterable[str]] = None,
        data: Optional[Mapping[str, Any]] = None,
    ) -> None:
        """Adds a proposal for people to review; sent when the run succeeds (a failed run proposes nothing)."""
        proposal: Json = {"type": type, "title": title}
        if explanation is not None:
            proposal["explanation"] = explanation
        if inputs_used is not None:
            proposal["inputs_used"] = list(inputs_used)
        if data is not None:
            proposal["data"] = dict(data)
        with self._lock:
            self.proposals.append(proposal)

    def heartbeat(self, metadata: Optional[Mapping[str, Any]] = None) -> Json:
        """Renews the run's lease now, merging ``metadata`` (top-level keys) into the run's."""
        body = {"metadata": dict(metadata)} if metadata else {}
        self.execution = self.ledger.request("POST", f"/api/executions/{self.id}/heartbeat", body)
        return self.execution

    def __enter__(self) -> "Run":
        body: Json = {"id": self.id, "agent_name": self.agent_name, "started_at": _iso(self.started_at)}
        if self.heartbeat_seconds is not None:
            body["heartbeat_seconds"] = self.heartbeat_seconds
        if self.metadata:
            body["metadata"] = self.metadata
        self.execution = self.ledger.request("POST", "/api/executions", body)
        if self.heartbeat_seconds is not None:
            self._beater = threading.Thread(target=self._beat, name=f"agentledger-heartbeat-{self.id}", daemon=True)
            self._beater.start()
        return self

    def __exit__(self, kind: Optional[Type[BaseException]], error: Optional[BaseException], trace: Optional[TracebackType]) -> bool:
        self._stop.set()
        if self._beater is not None:
            # A beat stuck in its retries must not hold up the completion.
            self._beater.join(timeout=self.ledger.timeout)
        if error is None:
            try:
                body = self._success()
            except ValueError as invalid:
                # The run is still closed (as failed) rather than left open, and the caller learns why.
                self._complete(self._failure("failed", invalid, invalid.__traceback__))
                raise
            self._complete(body)
        elif isinstance(error, Exception):
            self._complete(self._failure("failed", error, trace))
        else:
            # KeyboardInterrupt, SystemExit: stopped from outside, not the agent's fault.
            self._complete(self._failure("cancelled", error, trace))
        return False  # an exception of the block is re-raised

    def _success(self) -> Json:
        body: Json = {"status": "success", "completed_at": _iso(datetime.now(timezone.utc)), "resources_processed": self.resources_processed}
        with self._lock:
            if self.proposals:
                body["proposals"] = list(self.proposals)
        if self.proposals_created is not None:
            body["proposals_created"] = self.proposals_created
        if self.metrics:
            body["metrics"] = _finite_metrics(self.metrics)
        if self.metadata != self._start_metadata:
            body["metadata"] = self.metadata
        return body

    def _failure(self, status: str, error: BaseException, trace: Optional[TracebackType]) -> Json:
        stack = "".join(traceback.format_exception(type(error), error, trace))
        metadata = dict(self.metadata)
        metadata["stack_trace"] = _clean(stack[-_MAX_STACK_TRACE:], _MAX_STACK_TRACE)
        body: Json = {
            "status": status,
            "completed_at": _iso(datetime.now(timezone.utc)),
            "error_type": _clean(type(error).__name__, _MAX_ERROR_TYPE),
            "error_message": _clean(str(error), _MAX_ERROR_MESSAGE),
            "resources_processed": self.resources_processed,
            "metadata": metadata,
        }
        try:
            if self.metrics:
                body["metrics"] = _finite_metrics(self.metrics)
        except ValueError:
            pass  # the failure matters more than its numbers
        return body

    def _complete(self, body: Json) -> None:
        self.execution = self.ledger.request("POST", f"/api/executions/{self.id}/complete", body)

    def _beat(self) -> None:
        assert self.heartbeat_seconds is not None
        while not self._stop.wait(self.heartbeat_seconds):
            try:
                self.ledger.request("POST", f"/api/executions/{self.id}/heartbeat", {})
            except LedgerError as e:
                # A refused beat (e.g. 409: the run was closed) ends the beating; the completion will say more.
                self.heartbeat_error = e
                if e.status is not None and e.status not in (429, 502, 503, 504):
                    return
