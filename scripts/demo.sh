#!/usr/bin/env bash
# The main job in one command, on a fresh machine: build `cis`, run `cis serve` (Change API, Person API,
# processor and a development authorizer on an embedded SQLite vault), publish a signed fake profile as
# two publishers, and read it back through the Person API with a public and a full-profile token.
#
#   scripts/demo.sh            demo, then keep serving until Ctrl-C (when run from a terminal)
#   scripts/demo.sh --no-keep  demo, then stop
#
# Environment: CIS_DEMO_DIR (data directory, default ./.cis-data), CIS_DEMO_PORT (first of three ports,
# default 8000).
set -euo pipefail
cd "$(dirname "$0")/.."
keep=1
[ "${1:-}" = "--no-keep" ] && keep=0
[ -t 0 ] || keep=0

data=${CIS_DEMO_DIR:-$PWD/.cis-data}
port=${CIS_DEMO_PORT:-8000}
change="127.0.0.1:$port" person="127.0.0.1:$((port + 1))" auth="127.0.0.1:$((port + 2))"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "building cis (first build takes a few minutes)"
cargo build --quiet --locked -p cis-cli --bin cis
cis=$PWD/target/debug/cis
mkdir -p "$data"

step "starting cis serve (data in $data)"
"$cis" serve --data-dir "$data" --change-listen "$change" --person-listen "$person" --auth-listen "$auth" \
    2> "$data/serve.log" &
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null || true; wait $serve_pid 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 100); do
    python3 - "$person" <<'PY' 2>/dev/null && break
import sys, urllib.request
urllib.request.urlopen(f"http://{sys.argv[1]}/v2", timeout=1)
PY
    kill -0 $serve_pid 2>/dev/null || { cat "$data/serve.log"; exit 1; }
    sleep 0.1
done
sed -n '/CIS is running/,$p' "$data/serve.log"

step "a publisher (ldap) creates a user: signs what it may publish, posts it, waits for the processor"
"$cis" profile fake --seed "$RANDOM" > "$data/demo-profile.json"
"$cis" publish --data-dir "$data" --publisher ldap --wait "$data/demo-profile.json"
user_id=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["user_id"]["value"])' "$data/demo-profile.json")

step "a second publisher (mozilliansorg, the people directory) updates fun_title"
python3 - "$data/demo-profile.json" "$data/demo-update.json" <<'PY'
import json, sys
created = json.load(open(sys.argv[1]))
update = json.load(open(sys.argv[1]))  # a whole profile; null attributes mean "no change"
for name, attr in list(update.items()):
    if isinstance(attr, dict) and "metadata" in attr:
        attr[("values" if "values" in attr else "value")] = None
    elif isinstance(attr, dict):
        for child in attr.values():
            child[("values" if "values" in child else "value")] = None
update["user_id"] = created["user_id"]
update["fun_title"]["value"] = "Keeper of the demo"
update["fun_title"]["metadata"]["display"] = "public"
update["fun_title"]["signature"]["publisher"]["name"] = "mozilliansorg"
json.dump(update, open(sys.argv[2], "w"))
PY
"$cis" publish --data-dir "$data" --publisher mozilliansorg --update --wait "$data/demo-update.json"

step "read it back through the Person API: public token vs full-profile token"
public=$("$cis" token --data-dir "$data" --scopes "classification:public display:public")
full=$("$cis" token --data-dir "$data" --scopes "read:fullprofile display:all")
python3 - "$person" "$user_id" "$public" "$full" <<'PY'
import json, sys, urllib.parse, urllib.request
host, user_id, public, full = sys.argv[1:5]
def get(token):
    url = f"http://{host}/v2/user/user_id/{urllib.parse.quote(user_id, safe='')}"
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    return json.load(urllib.request.urlopen(req))
def fields(doc, prefix=""):
    for k, v in doc.items():
        if isinstance(v, dict) and ("value" in v or "values" in v):
            payload = v.get("value", v.get("values"))
            if payload is not None:
                yield prefix + k, payload
        elif isinstance(v, dict):
            yield from fields(v, prefix + k + ".")
pub, fullp = dict(fields(get(public))), dict(fields(get(full)))
print(f"user {user_id}: {len(pub)} attributes with the public token, {len(fullp)} with read:fullprofile")
for name in sorted(fullp):
    shown = json.dumps(fullp[name], ensure_ascii=False)
    shown = shown if len(shown) < 60 else shown[:57] + "..."
    print(f"  {'public' if name in pub else '      '}  {name:<45} {shown}")
PY

if [ "$keep" = 1 ]; then
    step "cis serve keeps running (Ctrl-C to stop); try: $cis token --data-dir $data --scopes write"
    wait $serve_pid
fi
