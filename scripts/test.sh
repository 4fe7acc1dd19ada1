#!/usr/bin/env bash
# Runs every test of AgentLedger and prints "N passed, N failed" as its last line.
# Exits non-zero when anything failed or did not build.
set -uo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if ! command -v dotnet >/dev/null 2>&1; then
  echo "dotnet (SDK 10) is required: https://dot.net" >&2
  echo "0 passed, 1 failed"
  exit 1
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT

dotnet test AgentLedger.slnx --configuration Release 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

summary=$(awk '/^(Passed|Failed)!/{gsub(",","");for(i=1;i<=NF;i++){if($i=="Passed:")p+=$(i+1);if($i=="Failed:")f+=$(i+1)}} END{print p+0" "f+0}' "$log")
passed=${summary% *}
failed=${summary#* }
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1   # the build or the test host failed before any test could report
fi
echo "$passed passed, $failed failed"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
