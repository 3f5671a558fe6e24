#!/usr/bin/env bash
# Builds the release bootstrap.zip of every Lambda function for provided.al2023 (x86_64), where
# serverless.yml expects them (target/lambda/<function>/bootstrap.zip), and reports each size and the
# newest glibc symbol each binary needs (provided.al2023 ships glibc 2.34). docs/deploy.md §2.
#
#   scripts/package.sh
#
# A release build of four functions takes a while on 2 cores and competes with the tests for them, so
# ci/test.sh does not run it: run it before `npx osls deploy`.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo lambda --version >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check cargo-lambda
fi

functions=(change-api person-api stream-processor vault-curator webhook-notifier scim-sync)
packages=()
for f in "${functions[@]}"; do packages+=(-p "$f"); done

cargo lambda build --release --x86-64 --locked --output-format zip --lambda-dir target/lambda "${packages[@]}"

status=0
printf '%-18s %12s %12s %s\n' function zip binary glibc
for f in "${functions[@]}"; do
    zip=target/lambda/$f/bootstrap.zip
    if [ ! -f "$zip" ]; then
        echo "missing $zip" >&2
        status=1
        continue
    fi
    read -r glibc binary < <(python3 - "$zip" <<'PY'
import re, sys, zipfile
data = zipfile.ZipFile(sys.argv[1]).read("bootstrap")
versions = {tuple(int(p) for p in m.split(b".")) for m in re.findall(rb"GLIBC_(\d+\.\d+(?:\.\d+)?)", data)}
newest = ".".join(map(str, max(versions))) if versions else "static"
print(newest, len(data))
PY
)
    printf '%-18s %12s %12s %s\n' "$f" "$(stat -c %s "$zip")" "$binary" "$glibc"
    if [ "$glibc" != static ] && [ "$(printf '%s\n2.34\n' "$glibc" | sort -V | tail -1)" != 2.34 ]; then
        echo "$f needs glibc $glibc, newer than provided.al2023's 2.34" >&2
        status=1
    fi
done
exit $status
