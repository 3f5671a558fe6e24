#!/usr/bin/env bash
# SCIM sync of 10,000 users into a local SCIM application (scim2-server, PyPI), docs/benchmarks.md:
#   1. baseline: the target's own throughput — 1,000 users POSTed straight to it, 8 at a time (Python);
#   2. `cis sync scim` (userName from the user_id: the fake generator repeats primary emails, which a
#      target refuses as duplicate userNames): the first run (10,000 creates) and a no-change run (reads both sides, plans nothing),
#      each run 3 times on a fresh target (first) or as is (no-change); medians of the report's seconds.
# Prints a table with users/s and the ratio to the baseline. Uses the newer of target/release/cis and
# target/debug/cis (and says which). Needs python3 with scim2-server.
#
#   benches/scim_sync.sh [USERS]
set -euo pipefail
cd "$(dirname "$0")/.."
users=${1:-10000}
[ -x target/debug/cis ] || [ -x target/release/cis ] || cargo build -q -p cis-cli
cis=target/debug/cis
if [ -x target/release/cis ] && { [ ! -x "$cis" ] || [ target/release/cis -nt "$cis" ]; }; then
    cis=target/release/cis
fi
echo "binary: $cis ($(uname -m), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
start_target() {  # sets $url
    local port; port=$(free_port)
    scim2-server --port "$port" > /dev/null 2>&1 &
    pids+=($!)
    url="http://127.0.0.1:$port"
    for _ in $(seq 1 100); do
        curl -sf "$url/ServiceProviderConfig" > /dev/null && return 0
        sleep 0.1
    done
    echo "scim2-server did not start" >&2
    exit 1
}

echo "== $users fake users into the vault"
"$cis" profile fake --count "$users" > "$work/users.jsonl"
"$cis" vault import --data-dir "$work/data" "$work/users.jsonl" 2>&1 | tail -1

echo "== baseline: 1,000 POSTs straight to scim2-server, 8 at a time"
start_target
baseline=$(python3 - "$url" <<'PY'
import json, sys, time, urllib.request
from concurrent.futures import ThreadPoolExecutor
url = sys.argv[1]
def post(i):
    body = json.dumps({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": f"base{i}@example.com",
                       "externalId": f"base|{i}", "name": {"givenName": "B"}, "active": True}).encode()
    req = urllib.request.Request(url + "/Users", data=body, method="POST", headers={"Content-Type": "application/scim+json"})
    urllib.request.urlopen(req).read()
start = time.perf_counter()
with ThreadPoolExecutor(8) as pool:
    list(pool.map(post, range(1000)))
print(f"{1000 / (time.perf_counter() - start):.0f}")
PY
)
echo "baseline: $baseline users/s"

median() { python3 -c 'import statistics, sys; print(f"{statistics.median(float(x) for x in sys.argv[1:]):.2f}")' "$@"; }
sync_seconds() {  # url -> seconds of one run (from the report), checks nothing failed
    cat > "$work/targets.json" <<JSON
{"targets": [{"name": "bench", "url": "$1", "user_name": "user_id", "rate_limit": 100000, "concurrency": 8}]}
JSON
    "$cis" sync scim --data-dir "$work/data" --targets "$work/targets.json" --target bench --json > "$work/report.json" \
        || { echo "the sync failed:" >&2; head -c 2000 "$work/report.json" >&2; exit 1; }
    python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert sum(a["result"]=="failed" for a in r["actions"])==0; print(r["seconds"], len(r["actions"]))' "$work/report.json"
}

list_seconds() {  # url -> seconds to read every user, 100 a page (what a sync reads of the target)
    python3 - "$1" <<'PY'
import json, sys, time, urllib.request
url, start, seen = sys.argv[1], time.perf_counter(), 0
while True:
    page = json.load(urllib.request.urlopen(f"{url}/Users?startIndex={seen + 1}&count=100"))
    seen += len(page["Resources"])
    if not page["Resources"] or seen >= page["totalResults"]:
        break
print(f"{time.perf_counter() - start:.2f}")
PY
}

first=(); unchanged=()
for round in 1 2 3; do
    start_target
    sync_seconds "$url" > "$work/run"
    read -r seconds actions < "$work/run"
    echo "first run $round: $actions actions in $seconds s"
    first+=("$seconds")
done
for round in 1 2 3; do
    sync_seconds "$url" > "$work/run"
    read -r seconds actions < "$work/run"
    echo "no-change run $round: $actions actions in $seconds s"
    [ "$actions" = 0 ] || { echo "a second run changed something" >&2; exit 1; }
    unchanged+=("$seconds")
done
listing=$(list_seconds "$url")
echo "reading the target's $users users directly: $listing s"
f=$(median "${first[@]}"); u=$(median "${unchanged[@]}")
python3 - "$users" "$f" "$u" "$baseline" "$listing" <<'PY'
import sys
users, first, unchanged, baseline, listing = int(sys.argv[1]), *map(float, sys.argv[2:])
print()
print("| run | median s | users/s | baseline in the same run | ratio |")
print("|---|---|---|---|---|")
print(f"| first ({users} creates) | {first:.2f} | {users / first:.0f} | the target's own POST rate, {baseline:.0f}/s | {users / first / baseline:.2f} |")
print(f"| no change ({users} compared) | {unchanged:.2f} | {users / unchanged:.0f} | reading the target's users directly, {listing:.2f} s | {unchanged / listing:.2f} |")
PY
