"""
AgentLedger's Python client: report an agent's runs from any Python ≥ 3.9 program, with the
standard library only.

    from agentledger import Ledger
    ledger = Ledger("http://127.0.0.1:5080", api_key=KEY)
    with ledger.run("py-agent", heartbeat_seconds=30) as run:
        run.add_proposal(type="match", title="Soup for Ana", data={"offer": 1})
        run.metrics["tokens"] = 1200
"""

from .client import Ledger, Run
from .errors import (
    AgentDisabled,
    Conflict,
    LedgerError,
    NotFound,
    PayloadTooLarge,
    Unauthorized,
    Unavailable,
    ValidationError,
)

__all__ = [
    "AgentDisabled",
    "Conflict",
    "Ledger",
    "LedgerError",
    "NotFound",
    "PayloadTooLarge",
    "Run",
    "Unauthorized",
    "Unavailable",
    "ValidationError",
]

__version__ = "0.1.0"
