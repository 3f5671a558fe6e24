#!/usr/bin/env bash
# Cold starts of the Lambda functions, as the Lambda-level end-to-end test measures them
# (e2e/tests/lambda_runtime.rs): each function's binary started under cargo-lambda's Runtime API emulator
# against moto_server, its `init_ms` (main to asking for the first event: configuration, AWS clients, SSM
# reads, keys, JWKS) and its cold start (process start to first invocation answered). Runs the test RUNS
# times and prints the median of each figure per function, and the largest init.
#
#   benches/lambda_cold_start.sh [--runs N] [--debug]
#
# Uses the release binaries of scripts/package.sh (target/x86_64-unknown-linux-gnu/release), or the debug
# ones with --debug. Starts its own moto_server unless CIS_TEST_MOTO_URL names one.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5 dir=target/x86_64-unknown-linux-gnu/release
while [ $# -gt 0 ]; do
    case "$1" in
        --runs) runs=$2; shift 2 ;;
        --debug) dir=target/debug; shift ;;
        *) echo "unknown argument $1" >&2; exit 2 ;;
    esac
done
for f in change-api person-api stream-processor vault-curator webhook-notifier scim-sync; do
    [ -x "$dir/$f" ] || { echo "$dir/$f is missing: run scripts/package.sh (or use --debug)" >&2; exit 2; }
done
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
if [ -z "${CIS_TEST_MOTO_URL:-}" ]; then
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    python3 -m moto.server -H 127.0.0.1 -p "$port" > /dev/null 2>&1 &
    moto=$!
    trap 'kill $moto 2>/dev/null || true; wait $moto 2>/dev/null || true' EXIT INT TERM
    for _ in $(seq 1 100); do
        python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/')" 2>/dev/null && break
        sleep 0.2
    done
    export CIS_TEST_MOTO_URL="http://127.0.0.1:$port"
fi
export CIS_FUNCTION_DIR="$(pwd)/$dir"
# moto loads each service's Python code at its first request (≈ 100 ms for SSM with KMS): asked once here,
# so the first run's functions do not pay moto's start-up as their own init. Real SSM has no such step.
python3 - <<'PY'
import os, boto3, botocore.exceptions
for service, call in [("ssm", lambda c: c.get_parameter(Name="/warm-up", WithDecryption=True)),
                      ("kms", lambda c: c.list_keys()),
                      ("dynamodb", lambda c: c.list_tables()),
                      ("kinesis", lambda c: c.list_streams()),
                      ("sqs", lambda c: c.list_queues())]:
    try:
        call(boto3.client(service, endpoint_url=os.environ["CIS_TEST_MOTO_URL"],
                          region_name=os.environ["AWS_REGION"]))
    except botocore.exceptions.ClientError:
        pass
PY
cargo build --quiet --tests -p cis-e2e
out=$(mktemp)
for i in $(seq 1 "$runs"); do
    cargo nextest run --cargo-quiet -p cis-e2e --test lambda_runtime --run-ignored ignored-only --no-capture 2>&1 |
        grep -E '^[a-z-]+: init ' >> "$out"
    echo "run $i done" >&2
done
python3 - "$out" "$dir" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"([a-z-]+): init ([\d.]+) ms .*cold start (\d+) ms", line)
    if m:
        rows.setdefault(m[1], []).append((float(m[2]), int(m[3])))
print(f"binaries: {sys.argv[2]}")
print(f"{'function':<18} {'runs':>4} {'init ms (median)':>17} {'init ms (max)':>14} {'cold start ms (median)':>23}")
for name, values in rows.items():
    init = statistics.median(v[0] for v in values)
    worst = max(v[0] for v in values)
    cold = statistics.median(v[1] for v in values)
    print(f"{name:<18} {len(values):>4} {init:>17.1f} {worst:>14.1f} {cold:>23.0f}")
print("every init, ms, in run order (an outlier shows here):")
for name, values in rows.items():
    print(f"  {name:<18} " + " ".join(f"{v[0]:.1f}" for v in values))
PY
rm -f "$out"
