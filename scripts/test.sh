#!/usr/bin/env bash
# Runs every test of AgentLedger against each database engine and prints
# "N passed, N failed" as its last line; exits non-zero when anything failed or did not build.
#   bash scripts/test.sh                                  # SQLite and PostgreSQL (installed if missing, as root)
#   AGENTLEDGER_TEST_ENGINES=sqlite bash scripts/test.sh  # without PostgreSQL
set -uo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
engines=${AGENTLEDGER_TEST_ENGINES:-sqlite postgres}
log=$(mktemp)
pgroot=""
cleanup() {
  [ -n "$pgroot" ] && bash scripts/postgres.sh stop "$pgroot"
  rm -f "$log"
}
trap cleanup EXIT

summary() {
  # Sums both forms dotnet test prints: "Passed!  - Failed: 0, Passed: 42, …" (minimal) and the
  # "Total tests: / Passed: / Failed:" block (detailed verbosity, used here for the tests' figures).
  awk '
    /^(Passed|Failed)!/ { gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Passed:") p += $(i + 1); if ($i == "Failed:") f += $(i + 1) } }
    /^Total tests:/ { block = 1; next }
    block && /^[ \t]+Passed:/ { p += $2 }
    block && /^[ \t]+Failed:/ { f += $2 }
    block && /^[ \t]*Total time:/ { block = 0 }
    END { print p + 0 " " f + 0 }' "$log"
}

if ! command -v dotnet >/dev/null 2>&1; then
  echo "dotnet (SDK 10) is required" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

# The browser tests drive Debian's Chromium; installed here when missing and run as root.
command -v chromium >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }

status=0
# promtool checks /metrics; npx runs the OpenAPI linter (tests fail in CI without them).
if ! command -v promtool >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus) >/dev/null 2>&1 || echo "could not install prometheus (promtool)" >&2
fi
if ! command -v npx >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm) >/dev/null 2>&1 || echo "could not install npm (npx)" >&2
fi

if ! dotnet build AgentLedger.slnx --configuration Release 2>&1 | tail -3; then
  echo "0 passed, 1 failed"
  exit 1
fi

for engine in $engines; do
  echo "=== tests on $engine ==="
  if [ "$engine" = postgres ]; then
    if ! pgenv=$(bash scripts/postgres.sh start) || ! eval "$pgenv"; then
      echo "Failed!  - Failed:     1, Passed:     0 (PostgreSQL could not be started)" | tee -a "$log"
      status=1
      continue
    fi
    pgroot=$PGROOT
  fi
  # Detailed: the fault, load and corpus tests print their figures (requests, errors, records lost).
  AGENTLEDGER_TEST_PROVIDER=$engine dotnet test AgentLedger.slnx --configuration Release --no-build \
    --logger "console;verbosity=detailed" 2>&1 | tee -a "$log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  if [ "$engine" = postgres ]; then
    bash scripts/postgres.sh stop "$pgroot"
    pgroot=""
  fi
done
# The Python client's unittest suite against a real TestHost process, counted like a test assembly.
py=$(python3 -m unittest discover -s clients/python/tests 2>&1); pyrc=$?; echo "$py" | tail -n 15
pyran=$(echo "$py" | sed -n 's/^Ran \([0-9]*\) test.*/\1/p' | tail -1); pyfail=$(echo "$py" | grep -oE '(failures|errors)=[0-9]+' | awk -F= '{s+=$2} END {print s+0}')
[ "$pyrc" -eq 0 ] || { status=1; [ "$pyfail" -gt 0 ] || pyfail=1; }
pypass=$(( ${pyran:-0} > pyfail ? ${pyran:-0} - pyfail : 0 )); [ "$pyrc" -eq 0 ] && word=Passed || word=Failed
echo "$word!  - Failed: $pyfail, Passed: $pypass (Python client)" | tee -a "$log"
dotnet run -c Release --project bench/AgentLedger.Bench --no-build -- all --quick || status=1   # smoke test of the benchmark harness: only a crash fails

read -r passed failed <<<"$(summary)"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1   # a test host failed before any test could report
fi
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
