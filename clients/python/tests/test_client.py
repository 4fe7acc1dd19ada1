"""The Python client against a real AgentLedger process (see ledger_server.py)."""

from __future__ import annotations

import time
import unittest
import uuid
from datetime import datetime, timedelta, timezone

from ledger_server import API_KEY, FlakyProxy, LedgerServer

from agentledger import AgentDisabled, Conflict, Ledger, Unauthorized, ValidationError


class ClientTests(unittest.TestCase):
    server: LedgerServer

    @classmethod
    def setUpClass(cls) -> None:
        cls.server = LedgerServer()
        cls.addClassCleanup(cls.server.stop)

    def setUp(self) -> None:
        self.ledger = Ledger(self.server.url, api_key=API_KEY, initial_delay=0.05)
        # One agent per test: the tests share the server but not their data.
        self.agent = "py-" + self.id().rsplit(".", 1)[-1].replace("_", "-")[:60]

    def test_a_run_that_leaves_normally_is_a_success_with_what_it_produced(self) -> None:
        with self.ledger.run(self.agent, metadata={"version": "1.0"}) as run:
            self.assertEqual("running", self.server.call("GET", f"/api/executions/{run.id}")[1]["status"])
            run.add_proposal(type="match", title="Soup for Ana", explanation="Ana asked for soup.", data={"offer": 1})
            run.metrics["tokens"] = 1200
            run.resources_processed = 12
            run.metadata["model"] = "small"

        execution = self.server.call("GET", f"/api/executions/{run.id}")[1]
        self.assertEqual(execution, run.execution)
        self.assertEqual(("success", 1, 12), (execution["status"], execution["proposals_created"], execution["resources_processed"]))
        self.assertEqual({"tokens": 1200.0}, execution["metrics"])
        self.assertEqual({"version": "1.0", "model": "small"}, execution["metadata"])
        proposals = self.server.call("GET", f"/api/proposals?agent_name={self.agent}")[1]["items"]
        self.assertEqual(["Soup for Ana"], [p["title"] for p in proposals])
        self.assertIsNotNone(proposals[0]["expires_at"])

    def test_an_exception_records_a_failure_with_its_traceback_and_is_re_raised(self) -> None:
        def fetch_offers() -> None:
            raise KeyError("offer 7")

        with self.assertRaises(KeyError):
            with self.ledger.run(self.agent) as run:
                run.add_proposal(type="match", title="never sent")
                fetch_offers()

        execution = self.server.call("GET", f"/api/executions/{run.id}")[1]
        self.assertEqual(("failed", "KeyError", "'offer 7'"), (execution["status"], execution["error_type"], execution["error_message"]))
        self.assertIn("fetch_offers", execution["metadata"]["stack_trace"])
        self.assertIn("Traceback (most recent call last)", execution["metadata"]["stack_trace"])
        self.assertEqual(0, execution["proposals_created"])

    def test_background_heartbeats_keep_a_run_alive_past_twice_its_heartbeat(self) -> None:
        with self.ledger.run(self.agent, heartbeat_seconds=5) as run:
            first = self.server.call("GET", f"/api/executions/{run.id}")[1]
            self.assertEqual(5, first["heartbeat_seconds"])
            time.sleep(11.5)  # past 2 × 5 s: without beats the run would be abandoned by now
            during = self.server.call("GET", f"/api/executions/{run.id}")[1]
            self.assertEqual("running", during["status"])
            self.assertGreater(during["last_heartbeat_at"], first["last_heartbeat_at"])
        self.assertEqual("success", run.execution["status"] if run.execution else None)
        self.assertIsNone(run.heartbeat_error)

    def test_one_call_reports_with_one_id_are_recorded_once_and_a_changed_body_is_a_conflict(self) -> None:
        started = datetime.now(timezone.utc) - timedelta(minutes=3)
        run_id = str(uuid.uuid4())
        report = dict(started_at=started, completed_at=started + timedelta(seconds=2), status="success", proposals_created=2, id=run_id)
        first = self.ledger.report(self.agent, **report)
        again = self.ledger.report(self.agent, **report)
        self.assertEqual(first, again)
        self.assertEqual(1, len(self.server.executions(self.agent)))

        with self.assertRaises(Conflict) as refused:
            self.ledger.report(self.agent, **{**report, "status": "failed"})
        self.assertIn("status", refused.exception.detail or "")
        self.assertNotIsInstance(refused.exception, AgentDisabled)

    def test_a_refused_report_carries_every_error(self) -> None:
        now = datetime.now(timezone.utc)
        with self.assertRaises(ValidationError) as refused:
            self.ledger.report("Not Valid!", started_at=now, completed_at=now - timedelta(seconds=1), status="exploded", resources_processed=-1)
        self.assertEqual({"agent_name", "completed_at", "resources_processed", "status"}, set(refused.exception.errors))
        self.assertEqual(400, refused.exception.status)

    def test_a_disabled_agent_refuses_new_runs_and_records_nothing(self) -> None:
        now = datetime.now(timezone.utc)
        self.ledger.report(self.agent, started_at=now - timedelta(seconds=5), completed_at=now, status="success")
        open_run = self.ledger.run(self.agent).__enter__()
        self.assertEqual(200, self.server.call("PUT", f"/api/agents/{self.agent}/settings", {"enabled": False})[0])

        with self.assertRaises(AgentDisabled) as refused:
            with self.ledger.run(self.agent):
                self.fail("the block must not run")
        self.assertEqual(409, refused.exception.status)
        with self.assertRaises(AgentDisabled):
            self.ledger.report(self.agent, started_at=now, completed_at=now, status="success")
        self.assertEqual(2, len(self.server.executions(self.agent)))
        open_run.__exit__(None, None, None)  # the run already open still completes
        self.assertEqual("success", open_run.execution["status"] if open_run.execution else None)

    def test_a_wrong_key_is_unauthorized(self) -> None:
        with self.assertRaises(Unauthorized):
            Ledger(self.server.url, api_key="wrong", max_attempts=1).report(
                self.agent, started_at=datetime.now(timezone.utc), completed_at=datetime.now(timezone.utc), status="success")

    def test_retries_honour_retry_after_and_a_lost_answer_records_once(self) -> None:
        proxy = FlakyProxy(self.server.url, ["unavailable", "lose", "pass", "lose"])
        self.addCleanup(proxy.close)
        ledger = Ledger(proxy.url, api_key=API_KEY, initial_delay=0.05)
        clock = time.monotonic()
        with ledger.run(self.agent) as run:  # 503 (Retry-After: 1), then the start's answer is lost, then answered 200
            pass  # the completion's first answer is lost too
        self.assertGreaterEqual(time.monotonic() - clock, 1.0)
        self.assertEqual("success", run.execution["status"] if run.execution else None)
        self.assertEqual(1, len(self.server.executions(self.agent)))
        self.assertEqual([503, 502, 200, 502, 200], [status for _, _, status in proxy.seen])

    def test_naive_times_and_non_finite_metrics_are_refused_before_sending(self) -> None:
        with self.assertRaises(ValueError):
            self.ledger.report(self.agent, started_at=datetime.now(), completed_at=datetime.now(), status="success")
        with self.assertRaises(ValueError):
            with self.ledger.run(self.agent) as run:
                run.metrics["score"] = float("nan")
        self.assertEqual("failed", run.execution["status"] if run.execution else None)


if __name__ == "__main__":
    unittest.main()
