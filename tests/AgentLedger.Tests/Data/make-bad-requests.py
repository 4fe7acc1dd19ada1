#!/usr/bin/env python3
"""Writes bad-requests.json: the hostile-input corpus the BadInputCorpusTests replay.
Every entry must be answered 4xx with a problem detail and must write nothing.
Placeholders in paths/bodies: {running} (a running external execution), {finished}
(a finished one), {proposal} (a decided proposal), and {{c*N}} for the character c repeated N
times (so the 1 MB strings do not bloat the file)."""
import json, base64

corpus = []
def add(name, method, path, body=None, ctype="application/json", auth="valid", raw=None, headers=None, protocol_error=False):
    e = {"name": name, "method": method, "path": path, "auth": auth}
    # Refused by the HTTP server (Kestrel) while parsing the request line, before any application code
    # runs: a bare 400 is all HTTP allows there.
    if protocol_error: e["protocol_error"] = True
    if ctype is not None: e["content_type"] = ctype
    if raw is not None: e["body_base64"] = base64.b64encode(raw).decode()
    elif body is not None: e["body"] = body if isinstance(body, str) else json.dumps(body)
    if headers: e["headers"] = headers
    corpus.append(e)

R = "/api/executions"
C = "/api/executions/{running}/complete"
ok = {"agent_name": "corpus-agent"}
fin = {"agent_name": "corpus-agent", "status": "success"}

# malformed and truncated JSON
for i, b in enumerate(['{', '{"agent_name":', '{"agent_name": "x"', '{"agent_name": "x",}', "{'agent_name': 'x'}",
                       '{"agent_name": "x"}}', '[', '"just a string"', '42', 'null', 'true', '{"agent_name": x}',
                       '{"agent_name": "x" "status": "success"}', '{"a":1,', '\ufeff{"agent_name":"x"', '{"agent_name":"\\q"}',
                       '{"agent_name":"\\u12"}', '{"agent_name": "x"} // comment', '/* c */ {"agent_name":"x"}', '{,}']):
    add(f"malformed json {i}", "POST", R, b)
for i, b in enumerate(['{', '{"status":', '[]', '"success"', '{"status": "success",}']):
    add(f"malformed completion {i}", "POST", C, b)
add("empty body", "POST", R, "")
add("whitespace body", "POST", R, "   ")
add("truncated utf8", "POST", R, raw=b'{"agent_name":"\xe2\x82"}')
add("invalid utf8", "POST", R, raw=b'{"agent_name":"\xc3\x28"}')
add("utf16 body", "POST", R, raw='{"agent_name":"x"}'.encode("utf-16"))

# wrong types
wrong = {"agent_name": [1, True, None, [], {}], "status": [1, True, [], {}], "started_at": [1, True, [], "yesterday", "2026-13-40T00:00:00Z", "2026-01-01T00:00:00"],
         "trigger": [1, [], "cron"], "metadata": ["x", 1, [], True], "proposals_created": ["3", 1.5, True, []],
         "resources_processed": ["10", 2.5, {}], "metrics": [[], "x", 1, {"a": "1"}, {"a": True}, {"a": None}, {"a": []}],
         "proposals": [{}, "x", 1, [1], ["x"], [None]], "error_message": [1, []], "error_type": [{}, 2]}
for field, values in wrong.items():
    for i, v in enumerate(values):
        body = dict(fin) if field not in ("agent_name",) else {"status": "success"}
        body[field] = v
        add(f"wrong type {field} {i}", "POST", R, body)
for field, v in [("status", 1), ("completed_at", 5), ("proposals", {}), ("metrics", []), ("metadata", "m"), ("proposals_created", "2")]:
    add(f"wrong type completion {field}", "POST", C, {"status": "success", field: v} if field != "status" else {"status": v})

# proposals shapes
for i, p in enumerate([{"title": "t"}, {"type": "t"}, {"type": "", "title": "t"}, {"type": "t", "title": "  "}, {"type": 1, "title": "t"},
                       {"type": "t", "title": "t", "data": [1]}, {"type": "t", "title": "t", "data": "x"}, {"type": "t", "title": "t", "inputs_used": [1]},
                       {"type": "t", "title": "t", "inputs_used": "a"}, {"type": "t", "title": "t", "score": 1}]):
    add(f"bad proposal {i}", "POST", R, {**fin, "proposals": [p]})

# huge numbers
for i, v in enumerate(["99999999999999999999999", "1e400", "-1e400", "18446744073709551616", "2147483648"]):
    add(f"huge number {i}", "POST", R, '{"agent_name":"x","status":"success","proposals_created":%s}' % v)
add("huge metric", "POST", R, '{"agent_name":"x","status":"success","metrics":{"m":1e999}}')
add("negative resources", "POST", R, {**fin, "resources_processed": -1})
add("negative proposals_created", "POST", R, {**fin, "proposals_created": -5})
add("proposals_created below proposals", "POST", R, {**fin, "proposals_created": 0, "proposals": [{"type": "t", "title": "t"}]})

# negative durations and time travel
add("completed before started", "POST", R, {**fin, "started_at": "2026-01-02T00:00:00Z", "completed_at": "2026-01-01T00:00:00Z"})
add("completed one microsecond before started", "POST", R, {**fin, "started_at": "2026-01-02T00:00:00.000001Z", "completed_at": "2026-01-02T00:00:00Z"})
add("started far in the future", "POST", R, {**ok, "started_at": "2999-01-01T00:00:00Z"})
add("completed far in the future", "POST", R, {**fin, "completed_at": "2999-01-01T00:00:00Z"})
add("completion before start", "POST", C, {"status": "success", "completed_at": "2000-01-01T00:00:00Z"})
add("year zero", "POST", R, {**ok, "started_at": "0000-01-01T00:00:00Z"})

# NaN and friends
for i, v in enumerate(["NaN", "Infinity", "-Infinity", "\"NaN\"", "nan", "1e309"]):
    add(f"nan {i}", "POST", R, '{"agent_name":"x","status":"success","metrics":{"m":%s}}' % v)

# 1 MB strings
mb = "{{x*1048576}}"
add("1 MB agent name", "POST", R, {"agent_name": mb})
add("1 MB error message", "POST", R, {**fin, "status": "failed", "error_message": mb})
add("1 MB error type", "POST", R, {**fin, "status": "failed", "error_type": mb})
add("1 MB proposal title", "POST", R, {**fin, "proposals": [{"type": "t", "title": mb}]})
add("1 MB metadata", "POST", R, {**ok, "metadata": {"blob": mb}})
add("1 MB proposal data", "POST", R, {**fin, "proposals": [{"type": "t", "title": "t", "data": {"blob": mb}}]})
add("1 MB metric name", "POST", R, {**fin, "metrics": {mb: 1}})
add("metadata just over 64 KiB", "POST", R, {**ok, "metadata": {"blob": "{{y*65536}}"}})
add("body over the server limit", "POST", R, {**ok, "metadata": {"blob": "{{z*9437184}}"}})

# control characters
for i, s in enumerate(["a\u0000b", "a\u0001b", "a\u001bb", "a\u007fb", "bell\u0007", "a\u0008b"]):
    add(f"control char in agent name {i}", "POST", R, {"agent_name": s})
    add(f"control char in title {i}", "POST", R, {**fin, "proposals": [{"type": "t", "title": s}]})
add("NUL in error message", "POST", R, {**fin, "status": "failed", "error_message": "a\u0000b"})
add("NUL in metadata", "POST", R, {**ok, "metadata": {"k": "a\u0000b"}})

# SQL and HTML injection where they are not valid values
for i, s in enumerate(["'; DROP TABLE agent_executions;--", "x' OR '1'='1", "<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
                       "Robert'); DELETE FROM proposals;--", "\" OR 1=1 --"]):
    add(f"injection as agent name {i}", "POST", R, {"agent_name": s})
    add(f"injection as status {i}", "POST", R, {"agent_name": "x", "status": s})
    add(f"injection as trigger {i}", "POST", R, {"agent_name": "x", "trigger": s})
for i, q in enumerate(["status=' OR 1=1--", "status=<script>", "window=30d' OR '1'='1", "window=<b>7d</b>", "limit=1;DROP TABLE x", "cursor=' OR 1=1--", "from=2026-01-01' OR 1=1"]):
    add(f"injection in query {i}", "GET", "/api/agents/corpus-agent/executions?" + q if not q.startswith("window") else "/api/agents/stats?" + q, ctype=None)
add("injection in proposals query", "GET", "/api/proposals?agent_name=x'%20OR%201=1", ctype=None)

# path traversal in names
for i, p in enumerate(["/api/agents/..%2F..%2Fetc%2Fpasswd/stats", "/api/agents/%2e%2e/settings", "/api/agents/..%5c..%5cwindows/stats",
                       "/api/agents/a%2Fb/history", "/api/agents/STATS/executions"]):
    add(f"path traversal {i}", "GET", p, ctype=None)
add("NUL in the path", "GET", "/api/agents/%00/stats", ctype=None, protocol_error=True)
add("path traversal in a settings update", "PUT", "/api/agents/..%2F..%2Fetc/settings", {"enabled": False})
for i, n in enumerate(["../../etc/passwd", "..", "a/b", "a\\b", "/abs", "~root"]):
    add(f"traversal as agent name {i}", "POST", R, {"agent_name": n})

# unknown fields
for i, f in enumerate(["statuss", "agentName", "AgentName", "durationMs", "id", "node", "proposals_count", "extra", "completed", "error"]):
    add(f"unknown field {i}", "POST", R, {**fin, f: 1})
add("unknown field in completion", "POST", C, {"status": "success", "agent_name": "x"})
add("unknown field in decision", "POST", "/api/proposals/{proposal}/approve", {"decided_by": "x", "approved": True})

# wrong content types
for i, ct in enumerate(["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "text/json; charset=utf-16", "application/octet-stream"]):
    add(f"content type {ct}", "POST", R, json.dumps(fin), ctype=ct)
add("no content type", "POST", R, json.dumps(fin), ctype=None)
add("completion as text", "POST", C, '{"status":"success"}', ctype="text/plain")

# missing or wrong keys
for auth in ["none", "wrong", "bearer-wrong", "empty", "basic"]:
    add(f"report with {auth} key", "POST", R, fin, auth=auth)
    add(f"settings with {auth} key", "PUT", "/api/agents/scripted/settings", {"enabled": False}, auth=auth)
add("approve without key", "POST", "/api/proposals/{proposal}/approve", {}, auth="none")
add("run without key", "POST", "/api/agents/scripted/run", None, ctype=None, auth="none")
add("complete without key", "POST", C, {"status": "success"}, auth="none")
add("commons without key", "POST", "/api/commons/locations", {"name": "x", "area": "y"}, auth="none")

# replayed and impossible completions
for st in ["success", "failed", "timeout", "cancelled"]:
    add(f"replayed completion {st}", "POST", "/api/executions/{finished}/complete", {"status": st})
add("complete unknown execution", "POST", "/api/executions/00000000-0000-0000-0000-000000000001/complete", {"status": "success"})
add("complete non-guid id", "POST", "/api/executions/not-a-guid/complete", {"status": "success"})
add("complete with abandoned", "POST", C, {"status": "abandoned"})
add("complete with running", "POST", C, {"status": "running"})
add("decide twice", "POST", "/api/proposals/{proposal}/approve", {})
add("reject a decided one", "POST", "/api/proposals/{proposal}/reject", {"reason": "late"})

# wrong methods and unknown routes
add("delete an execution", "DELETE", "/api/executions/{finished}", None, ctype=None)
add("put stats", "PUT", "/api/agents/stats", {}, ctype="application/json")
add("patch settings", "PATCH", "/api/agents/scripted/settings", {"enabled": False})
add("unknown route", "GET", "/api/nothing-here", ctype=None)

# invalid settings
for i, b in enumerate([{"interval_seconds": 0}, {"interval_seconds": -1}, {"timeout_seconds": 10**7}, {"enabled": "no"}, {"config": []},
                       {"config": {"proposal_ttl_hours": -3}}, {"unknown": 1}, [], {"interval_seconds": 1e99}]):
    add(f"invalid settings {i}", "PUT", "/api/agents/scripted/settings", b)

with open("bad-requests.json", "w") as f:
    json.dump(corpus, f, indent=1, ensure_ascii=True)
print(len(corpus), "requests")
