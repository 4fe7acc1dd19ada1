#!/usr/bin/env bash
# Runs every test of AgentLedger against each database engine and prints
# "N passed, N failed" as its last line; exits non-zero when anything failed or did not build.
#   bash scripts/test.sh                                  # SQLite and PostgreSQL (installed if missing, as root)
#   AGENTLEDGER_TEST_ENGINES=sqlite bash scripts/test.sh  # without PostgreSQL
set -uo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# No MSBuild worker outlives the run (they would look like processes a test left behind).
export MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0
engines=${AGENTLEDGER_TEST_ENGINES:-sqlite postgres}
log=$(mktemp)
failures=$(mktemp)
pgroot=""
# Every process the tests start inherits this variable: whatever still carries it after a step
# was left behind by a test (the script itself and PostgreSQL do not carry it).
marker="AGENTLEDGER_TEST_RUN=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
leftover=0
cleanup() {
  end_leftovers "an interrupted run" >/dev/null 2>&1
  [ -n "$pgroot" ] && bash scripts/postgres.sh stop "$pgroot"
  rm -f "$log" "$failures"
}
trap cleanup EXIT

marked_pids() {
  local env pid
  for env in /proc/[0-9]*/environ; do
    pid=${env#/proc/}; pid=${pid%/environ}
    # Kernel threads and processes that just ended cannot be read: braces keep their errors quiet.
    { tr '\0' '\n' < "$env"; } 2>/dev/null | grep -qxF "$marker" && echo "$pid"
  done
  return 0
}

# After each step: a process the step started that is still alive is a failure; it is ended by pid.
end_leftovers() {
  local pids
  for _ in $(seq 50); do
    pids=$(marked_pids)
    [ -z "$pids" ] && return 0
    sleep 0.1   # a test host may be a moment from exiting
  done
  echo "Processes left behind by $1 (a failure; ended now):"
  for pid in $pids; do ps -o pid=,args= -p "$pid" | cut -c1-200; done
  kill -KILL $pids 2>/dev/null
  leftover=$((leftover + 1))
}

slowest() {
  # The 20 slowest tests of the run just made: where the suite's time goes.
  echo "Slowest tests on $1:"
  sed -nE 's/^[[:space:]]+(Passed|Failed) (.*) \[([0-9.]+) (ms|s|m)[^]]*\]$/\3 \4 \2/p' "$2" |
    awk '{ t = $1; if ($2 == "ms") t /= 1000; if ($2 == "m") t *= 60; $1 = ""; $2 = ""; printf "%8.1f s %s\n", t, $0 }' |
    sort -rn | head -20
}

recap_failures() {
  # Each failed test with the start of its message, kept for the end of the output, where CI's
  # excerpt of the log is: a red run must say which test failed without the whole log.
  awk -v engine="$1" '
    /^[[:space:]]+Failed [^ ]+ \[/ { print "  [" engine "] " $2; shown = 0; grab = 1; next }
    grab && /^[[:space:]]+(Passed|Failed|Skipped) / { grab = 0 }
    grab && /Stack Trace:/ { grab = 0 }
    grab && shown < 6 && NF { print "      " substr($0, 1, 300); shown++ }' "$2" >>"$failures"
}

summary() {
  # Sums both forms dotnet test prints: "Passed!  - Failed: 0, Passed: 42, …" (minimal) and the
  # "Total tests: / Passed: / Failed:" block (detailed verbosity, used here for the tests' figures).
  awk '
    /^(Passed|Failed|Python)!/ { gsub(",", ""); for (i = 1; i <= NF; i++) { if ($i == "Passed:") p += $(i + 1); if ($i == "Failed:") f += $(i + 1) } }
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
  started=$SECONDS
  engine_log=$(mktemp)
  # Tests that touch no database ([Trait("Database", "none")]) run on the first engine only.
  only=()
  [ "$engine" = "${engines%% *}" ] || only=(--filter "Database!=none")
  env "$marker" AGENTLEDGER_TEST_PROVIDER=$engine dotnet test AgentLedger.slnx --configuration Release --no-build "${only[@]}" \
    --logger "console;verbosity=detailed" 2>&1 | tee "$engine_log"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  cat "$engine_log" >> "$log"
  end_leftovers "the tests on $engine"
  slowest "$engine" "$engine_log"
  recap_failures "$engine" "$engine_log"
  echo "Tests on $engine took $((SECONDS - started)) s"
  rm -f "$engine_log"
  if [ "$engine" = postgres ]; then
    bash scripts/postgres.sh stop "$pgroot"
    pgroot=""
  fi
done
# The Python client's unittest suite against a real TestHost process, counted like a test assembly.
echo "=== Python client ==="
py_log=$(mktemp)
env "$marker" python3 -m unittest discover -s clients/python/tests >"$py_log" 2>&1
py_rc=$?
tail -n 15 "$py_log"
py_ran=$(sed -n 's/^Ran \([0-9]*\) test.*/\1/p' "$py_log" | tail -1)
py_failed=$(grep -oE '(failures|errors)=[0-9]+' "$py_log" | awk -F= '{ s += $2 } END { print s + 0 }')
if [ "$py_rc" -ne 0 ]; then
  status=1
  [ "$py_failed" -gt 0 ] || py_failed=1   # it did not get as far as running its tests
fi
grep -E '^(FAIL|ERROR): ' "$py_log" | sed 's/^/  [python] /' >>"$failures"
py_passed=$(( ${py_ran:-0} > py_failed ? ${py_ran:-0} - py_failed : 0 ))
echo "Python!  - Failed: $py_failed, Passed: $py_passed (Python client)" | tee -a "$log"
rm -f "$py_log"
end_leftovers "the Python client's tests"

env "$marker" dotnet run -c Release --project bench/AgentLedger.Bench --no-build -- all --quick || status=1   # smoke test of the benchmark harness: only a crash fails
env "$marker" dotnet run -c Release --project bench/AgentLedger.Bench --no-build -- otlp --quick || status=1  # issue 15's scenario (rounds taking turns), not part of 'all'
end_leftovers "the benchmark smoke test"

if [ -s "$failures" ]; then
  echo "Failed tests:"
  cat "$failures"
fi
read -r passed failed <<<"$(summary)"
failed=$((failed + leftover))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1   # a test host failed before any test could report
fi
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
