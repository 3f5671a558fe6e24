#!/usr/bin/env bash
# End to end over real HTTP, as a publisher sees it: signed creates posted by wrk to `cis serve` (stream mode
# by default, the processor running), then waited for until every accepted create is processed. Prints, per
# number of connections, the server's CPU time per processed create and the processed creates per second.
#
#   benches/e2e_creates.sh [--cis BIN] [--count N] [--connections "1 8 32"] [--direct] [--webhooks]
#
# --webhooks runs `cis serve --subscriptions` with one signed subscription to a receiver on loopback (a
# threaded Python HTTP server), and also waits until every create has been notified: `notified_s` is the
# time from the first request to the last notification received, and the CPU window extends to it.
#
# BIN defaults to target/release/cis (built if missing). The server's CPU is read from /proc (user + system
# time of the `cis serve` process) over the window from the first request to the last create processed; wrk
# and this script run beside it and are not counted. Each run publishes N new users signed by the data
# directory's development `ldap` key (`cis publish --sign-only`); the window ends when the status table holds
# a processed record for each of them.
set -euo pipefail
cd "$(dirname "$0")/.."
cis=target/release/cis count=1000 connections="1 8 32" bypass=false webhooks=false
while [ $# -gt 0 ]; do
    case "$1" in
        --cis) cis=$2; shift 2 ;;
        --count) count=$2; shift 2 ;;
        --connections) connections=$2; shift 2 ;;
        --direct) bypass=true; shift ;;
        --webhooks) webhooks=true; shift ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
command -v wrk >/dev/null || { echo "wrk is needed (apt-get install wrk)" >&2; exit 2; }
[ -x "$cis" ] || cargo build --quiet --release --locked -p cis-cli --bin cis
data=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
change="127.0.0.1:$port"
serve_args=()
receiver_pid=
if [ "$webhooks" = true ]; then
    hook_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    python3 - "$hook_port" > "$data/receiver.log" 2>&1 <<'PY' &
import sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
count, lock = [0], threading.Lock()
class Hook(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        self.rfile.read(int(self.headers.get("content-length", 0)))
        with lock:
            count[0] += 1
        self.send_response(200); self.send_header("content-length", "0"); self.end_headers()
    def do_GET(self):
        body = str(count[0]).encode()
        self.send_response(200); self.send_header("content-length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Hook).serve_forever()
PY
    receiver_pid=$!
    printf '[{"name": "bench", "url": "http://127.0.0.1:%s/hook", "signing_secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}]' \
        "$hook_port" > "$data/subscriptions.in.json"
    serve_args=(--subscriptions "$data/subscriptions.in.json")
fi
CIS_LOG_LEVEL=warn CIS_STREAM_BYPASS=$bypass "$cis" serve --data-dir "$data" --change-listen "$change" \
    --person-listen 127.0.0.1:0 --auth-listen 127.0.0.1:0 "${serve_args[@]}" 2> "$data/serve.log" &
pid=$!
trap 'kill $pid $receiver_pid 2>/dev/null || true; wait $pid 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$data"' EXIT INT TERM
notified() {
    if [ "$webhooks" = true ]; then
        python3 -c "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:$hook_port/count').read().decode())"
    else
        echo 0
    fi
}
for _ in $(seq 1 100); do
    python3 -c "import urllib.request; urllib.request.urlopen('http://$change/v2', timeout=1)" 2>/dev/null && break
    sleep 0.1
done
token=$("$cis" token --data-dir "$data" --scopes write)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
processed() {
    python3 - "$data/vault.sqlite3" <<'PY'
import sqlite3, sys
db = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
print(db.execute("select count(*) from status where state = 'processed'").fetchone()[0])
PY
}
ticks=$(getconf CLK_TCK)
mode=$([ "$bypass" = true ] && echo direct || echo stream)
printf 'mode=%s creates per run=%s cores=%s load average: %s\n' "$mode" "$count" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-12s %-10s %-12s %-18s %-14s %-10s\n' connections processed wall_s cpu_ms_per_create creates_per_s notified_s
seed=1
for c in $connections; do
    "$cis" profile fake --seed "$seed" --count "$count" > "$data/profiles.jsonl"
    seed=$((seed + 1000003))
    "$cis" publish --data-dir "$data" --publisher ldap --sign-only "$data/profiles.jsonl" > "$data/bodies.jsonl" \
        2> "$data/sign.log" || true
    expected=$(wc -l < "$data/bodies.jsonl")
    threads=$(( c < 2 ? c : 2 ))
    before=$(processed)
    cpu0=$(cpu)
    t0=$(date +%s.%N)
    wrk -t "$threads" -c "$c" -d 600s -s benches/e2e_creates.lua "http://$change" -- \
        "$data/bodies.jsonl" "$threads" "$token" > "$data/wrk.log" 2>&1 &
    wrk_pid=$!
    # The window ends at the last progress: every body processed, or (rejections) no progress for 10 s.
    last=-1 still=0 t1=$t0 cpu1=$cpu0
    while true; do
        now=$(( $(processed) - before ))
        if [ "$now" -ne "$last" ]; then still=0 t1=$(date +%s.%N) cpu1=$(cpu); else still=$((still + 1)); fi
        last=$now
        [ "$now" -ge "$expected" ] && break
        [ "$still" -ge 50 ] && { echo "no progress for 10 s at $now of $expected (see $data/serve.log)" >&2; break; }
        sleep 0.2
    done
    kill "$wrk_pid" 2>/dev/null || true
    wait "$wrk_pid" 2>/dev/null || true
    t2=$t1
    if [ "$webhooks" = true ]; then
        # Every processed create notified (coalescing never merges creates of different users).
        while [ "$(notified)" -lt "$(processed)" ]; do sleep 0.1; done
        t2=$(date +%s.%N) cpu1=$(cpu)
    fi
    python3 - "$c" "$now" "$t0" "$t1" "$cpu0" "$cpu1" "$ticks" "$t2" "$webhooks" <<'PY'
import sys
c, n, t0, t1, c0, c1, hz, t2, hooks = sys.argv[1:]
n, wall, cpu = int(n), float(t1) - float(t0), (int(c1) - int(c0)) / int(hz)
notified = f"{float(t2) - float(t0):.2f}" if hooks == "true" else "-"
print(f"{c:<12} {n:<10} {wall:<12.2f} {1000 * cpu / max(n, 1):<18.2f} {n / wall:<14.1f} {notified:<10}")
PY
done
