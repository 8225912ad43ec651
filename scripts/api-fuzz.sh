#!/usr/bin/env bash
# Fuzz Mend's JSON API from its own OpenAPI document with Schemathesis, against a release build
# on a throw-away data folder with demo data, signed in with a personal token made through the
# settings page. Passes when no request gets a 5xx answer.
#
#   scripts/api-fuzz.sh
#
# Environment (all optional):
#   FUZZ_DIR=/tmp/mend-fuzz     data folder, server log, the Python environment
#   PORT=3997                   port on 127.0.0.1
#   MAX_EXAMPLES=100            Schemathesis examples per operation
#   CARGO_TARGET_DIR            honoured by the build
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FUZZ_DIR="${FUZZ_DIR:-/tmp/mend-fuzz}"
PORT="${PORT:-3997}"
MAX_EXAMPLES="${MAX_EXAMPLES:-100}"
BASE="http://127.0.0.1:$PORT"
EMAIL="am1.north@demo.mend"
PASSWORD="mend-demo-password"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'api-fuzz: %s\n' "$*" >&2; exit 1; }

command -v curl >/dev/null || (apt-get update && apt-get install -y curl)
mkdir -p "$FUZZ_DIR"
chmod 755 "$FUZZ_DIR"
VENV="$FUZZ_DIR/venv"
if [[ ! -x "$VENV/bin/st" ]]; then
    say "installing Schemathesis into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet schemathesis
fi

say "building the release binary"
(cd "$ROOT" && SQLX_OFFLINE=true cargo build --release)
MEND="${CARGO_TARGET_DIR:-$ROOT/target}/release/mend"

DATA="$FUZZ_DIR/data"
if [[ ! -f "$FUZZ_DIR/demo-loaded" ]]; then
    rm -rf "$DATA"
    say "loading a small demo data set"
    "$MEND" --data-dir "$DATA" demo --accounts 200 --cases 2000 >"$FUZZ_DIR/demo.log" 2>&1 \
        || { tail -20 "$FUZZ_DIR/demo.log" >&2; die "mend demo failed"; }
    touch "$FUZZ_DIR/demo-loaded"
fi

"$MEND" --data-dir "$DATA" serve --addr "127.0.0.1:$PORT" --no-scheduler --api-rate-limit 1000000 \
    >"$FUZZ_DIR/serve.log" 2>&1 &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
    curl -fsS "$BASE/readyz" >/dev/null 2>&1 && break
    sleep 0.1
done
curl -fsS "$BASE/readyz" >/dev/null || die "the server did not become ready (see $FUZZ_DIR/serve.log)"

# A token, made the way a person makes one: sign in, then the form on /settings.
JAR="$FUZZ_DIR/cookies"
rm -f "$JAR"
csrf_of() { sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1; }
token=$(curl -fsS -c "$JAR" -b "$JAR" "$BASE/login" | csrf_of)
curl -fsS -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "csrf_token=$token" \
    --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD" "$BASE/login"
token=$(curl -fsS -b "$JAR" "$BASE/settings" | csrf_of)
API_TOKEN=$(curl -fsS -b "$JAR" --data-urlencode "csrf_token=$token" \
    --data-urlencode "token_name=fuzz $(date +%s)" "$BASE/settings/tokens" \
    | sed -n 's/.*id="new-token"[^>]*>\(mend_[0-9a-f]*\)<.*/\1/p' | head -1)
[[ -n "$API_TOKEN" ]] || die "could not create an API token through /settings"

say "fuzzing $BASE/api/v1/openapi.json ($MAX_EXAMPLES examples per operation)"
# Schemathesis keeps its cache in the working folder: keep it out of the source tree.
cd "$FUZZ_DIR"
"$VENV/bin/st" run "$BASE/api/v1/openapi.json" \
    --header "Authorization: Bearer $API_TOKEN" \
    --checks not_a_server_error \
    --max-examples "$MAX_EXAMPLES" \
    --workers 2 && status=0 || status=$?
errors=$(grep -c ' ERROR ' "$FUZZ_DIR/serve.log" || true)
echo "server log: $FUZZ_DIR/serve.log ($errors ERROR lines)"
exit "$status"
