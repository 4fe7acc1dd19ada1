"""A real AgentLedger process for the tests: the TestHost build on a free loopback port with a temp SQLite file."""

from __future__ import annotations

import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the package from the source folder, installed or not

REPO = HERE.parents[2]
API_KEY = "python-client-test-key"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LedgerServer:
    """Starts the server in its own process group; ``stop`` ends it (and anything it started) whatever happened."""

    def __init__(self) -> None:
        dll = Path(os.environ.get("AGENTLEDGER_TESTHOST_DLL", REPO / "tests/AgentLedger.TestHost/bin/Release/net10.0/AgentLedger.TestHost.dll"))
        if not dll.is_file():
            raise RuntimeError(f"{dll} is missing: build it first with `dotnet build AgentLedger.slnx -c Release`")
        self.folder = tempfile.mkdtemp(prefix="agentledger-py-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update({
            "ASPNETCORE_ENVIRONMENT": "Testing",
            "Logging__LogLevel__Default": "Warning",
            "AgentLedger__Database__Provider": "sqlite",
            "AgentLedger__Database__ConnectionString": f"Data Source={self.folder}/ledger.db",
            "AgentLedger__ApiKey": API_KEY,
            "AgentLedger__DataFolder": self.folder,
            "AgentLedger__Node": "python-tests",
            "AgentLedger__Demo": "false",
            # The server exits when its standard input (a pipe from this process) closes, so it
            # cannot outlive a test run that dies before stop() runs.
            "AGENTLEDGER_TEST_EXIT_WITH_PARENT": "1",
        })
        self.log = open(os.path.join(self.folder, "server.log"), "wb")
        self.process: Optional[subprocess.Popen[bytes]] = subprocess.Popen(
            ["dotnet", str(dll), "--urls", self.url], cwd=self.folder, env=env,
            stdin=subprocess.PIPE, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            self._wait_ready()
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}: {self.output()}")
            try:
                with urllib.request.urlopen(self.url + "/health/ready", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                pass
            time.sleep(0.1)
        raise TimeoutError(f"the server was not ready within 60 s: {self.output()}")

    def output(self) -> str:
        self.log.flush()
        return Path(self.folder, "server.log").read_text(errors="replace")[-3000:]

    def call(self, method: str, path: str, body: Any = None) -> Tuple[int, Any]:
        """A raw API call with the test key, for setting up and checking what the client did."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.url + path, data=data, method=method, headers={"X-Api-Key": API_KEY, "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def executions(self, agent: str) -> List[Dict[str, Any]]:
        status, page = self.call("GET", f"/api/agents/{agent}/executions?limit=200")
        return page["items"] if status == 200 else []

    def stop(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            self.process.wait(timeout=30)
            if self.process.stdin is not None:
                self.process.stdin.close()
            self.process = None
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


class FlakyProxy:
    """
    Sits between the client and the ledger and spoils the first answers as told:
    ``unavailable`` answers 503 with Retry-After without forwarding; ``pass`` forwards untouched; ``lose`` forwards the request
    (the ledger records it) but answers 502, as a gateway that lost the answer would.
    """

    def __init__(self, target: str, faults: List[str]) -> None:
        self.target = target
        self.faults = list(faults)
        self.seen: List[Tuple[str, str, int]] = []
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                fault = proxy.faults.pop(0) if proxy.faults else None
                if fault == "unavailable":
                    self._answer(503, {"status": 503, "title": "Unavailable.", "detail": "try later"}, {"Retry-After": "1"})
                    return
                headers = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "x-api-key", "content-type", "accept")}
                request = urllib.request.Request(proxy.target + self.path, data=body, method=self.command, headers=headers)
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        status, payload = response.status, response.read()
                except urllib.error.HTTPError as error:
                    status, payload = error.code, error.read()
                if fault == "lose":
                    self._answer(502, {"status": 502, "title": "Bad gateway.", "detail": "upstream answer lost"}, {})
                    return
                proxy.seen.append((self.command, self.path, status))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _answer(self, status: int, problem: Dict[str, Any], headers: Dict[str, str]) -> None:
                proxy.seen.append((self.command, self.path, status))
                payload = json.dumps(problem).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/problem+json")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = _handle

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()
