#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, starts and stops its own emulator
# (moto_server on a free loopback port), packages and lints the deployment template (scripts/template.sh),
# then runs the format check, clippy and every test of the workspace (unit, router, adapter, moto
# integration, deployment template, Lambda runtime, Schemathesis and end-to-end tests). Tests that need moto_server,
# cargo lambda or the template are #[ignore]d for a plain `cargo test` and run here with the ignored ones
# included.
#
#   ci/test.sh            everything
#   ci/test.sh -p CRATE   only that crate's tests (fmt and clippy still run)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
mkdir -p target

log() { printf '\n== %s\n' "$*"; }

log "tools"
# Where pip puts the commands it installs (cargo-lambda, cfn-lint), whether or not it is on PATH yet.
export PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$(python3 -m site --user-base)/bin:$PATH"
if ! python3 -c 'import moto.server' 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check 'moto[server]'
fi
# The Standard Webhooks reference library: the webhook tests verify signatures with it.
if ! python3 -c 'import standardwebhooks' 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check standardwebhooks
fi
# Schemathesis and openapi-spec-validator: e2e/tests/schemathesis.rs fuzzes both APIs from their served
# OpenAPI documents and validates them.
if ! command -v schemathesis >/dev/null 2>&1 || ! command -v openapi-spec-validator >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check schemathesis openapi-spec-validator
fi
# SCIM: scim2-tester and scim2-client check the read endpoint (e2e/scim/check_read.py), scim2-server is the
# target the outbound sync provisions (e2e/tests/scim*.rs).
if ! python3 -c 'import scim2_tester, scim2_client, scim2_server, httpx2' 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check scim2-tester scim2-cli scim2-server
fi
# The Lambda Runtime API emulator the function-level test runs the real binaries under.
if ! cargo lambda --version >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check cargo-lambda
fi
if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
    rustup component add rustfmt clippy
fi

log "moto_server"
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -m moto.server -H 127.0.0.1 -p "$port" > target/moto.log 2>&1 &
moto_pid=$!
cleanup() { kill "$moto_pid" 2>/dev/null || true; wait "$moto_pid" 2>/dev/null || true; }
trap cleanup EXIT INT TERM
for _ in $(seq 1 100); do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/')" 2>/dev/null; then
        break
    fi
    sleep 0.2
done
echo "moto_server on 127.0.0.1:$port (pid $moto_pid)"
export CIS_TEST_MOTO_URL="http://127.0.0.1:$port"
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
export CARGO_TERM_COLOR=never

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

log "deployment template (osls package + cfn-lint; the template tests read it)"
CIS_TEST_CFN_TEMPLATE=$(scripts/template.sh development)
export CIS_TEST_CFN_TEMPLATE

log "OpenAPI documents (docs/openapi/, the copies the APIs' tests compare with what they serve)"
openapi-spec-validator docs/openapi/change-api.json docs/openapi/person-api.json

log "binaries the end-to-end tests run (built now, not while other tests run: e2e/src/lib.rs builds the same)"
cargo build --quiet --locked -p cis-cli --bin cis
cargo build --quiet --locked -p change-api -p person-api -p stream-processor -p vault-curator \
    -p webhook-notifier -p scim-sync

log "tests (the moto_server ones are #[ignore]d for a plain cargo test: run them too)"
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --workspace --locked --no-fail-fast --run-ignored all "$@"
else
    cargo test --workspace --locked --no-fail-fast "$@" -- --include-ignored
fi
echo "moto log: $root/target/moto.log"
