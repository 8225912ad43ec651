#!/usr/bin/env bash
# Benchmark Mend's main pages with wrk against a release build and demo data.
#
#   scripts/bench.sh
#
# Environment (all optional):
#   ACCOUNTS=10000 CASES=100000   scale of `mend demo` (loaded once, reused while the scale matches)
#   DURATION=10s                  wrk duration per target
#   CONNECTIONS=64                wrk connections (2 threads)
#   PORT=3999                     port the server listens on (127.0.0.1)
#   BENCH_DIR=/tmp/mend-bench     data folder, server log (serve.log) and scratch files
#   TIMEOUT=10s                   wrk's request timeout (slower answers count as errors)
#   CREATE_SESSIONS=16            sessions the case-creation run spreads its POSTs over
#   MANAGER_EMAIL, AM_EMAIL       who reads the pages (manager.north / am1.north@demo.mend)
#   CREATE_EMAIL                  who logs the incidents (am1.south@demo.mend: another team, so
#                                 the cases each run adds do not change what the readers see)
#   CARGO_TARGET_DIR              honoured by the build
#
# Prints one line per target: requests/s, p50, p99 (ms), throughput as a ratio of /healthz in the
# same run, and the number of non-2xx/3xx answers; then the server's resident memory.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ACCOUNTS="${ACCOUNTS:-10000}"
CASES="${CASES:-100000}"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-64}"
PORT="${PORT:-3999}"
BENCH_DIR="${BENCH_DIR:-/tmp/mend-bench}"
CREATE_SESSIONS="${CREATE_SESSIONS:-16}"
TIMEOUT="${TIMEOUT:-10s}"
DATA_DIR="$BENCH_DIR/data"
LOG="$BENCH_DIR/serve.log"
MARKER="$BENCH_DIR/demo-loaded"
WORK="$BENCH_DIR/run"
BASE="http://127.0.0.1:$PORT"
PASSWORD="mend-demo-password"
MANAGER_EMAIL="${MANAGER_EMAIL:-manager.north@demo.mend}"
AM_EMAIL="${AM_EMAIL:-am1.north@demo.mend}"
CREATE_EMAIL="${CREATE_EMAIL:-am1.south@demo.mend}"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench: %s\n' "$*" >&2; exit 1; }

# --- tools ------------------------------------------------------------------------------------
command -v wrk >/dev/null || (apt-get update && apt-get install -y wrk)
command -v curl >/dev/null || (apt-get update && apt-get install -y curl)

# --- build ------------------------------------------------------------------------------------
say "building the release binary"
(cd "$ROOT" && SQLX_OFFLINE=true cargo build --release)
MEND="${CARGO_TARGET_DIR:-$ROOT/target}/release/mend"
[[ -x "$MEND" ]] || die "no binary at $MEND"

# --- data -------------------------------------------------------------------------------------
# PostgreSQL runs as the `postgres` user when we are root: it must be able to reach the folder.
mkdir -p "$BENCH_DIR"
chmod 755 "$BENCH_DIR"
SCALE="accounts=$ACCOUNTS cases=$CASES"
if [[ -f "$MARKER" && "$(cat "$MARKER")" != "$SCALE" ]]; then
    say "$BENCH_DIR holds demo data at another scale ($(cat "$MARKER")); starting afresh"
    rm -rf "$DATA_DIR" "$MARKER"
fi
if [[ -f "$MARKER" ]]; then
    say "reusing demo data in $DATA_DIR ($SCALE)"
else
    say "loading demo data ($SCALE) into $DATA_DIR"
    start=$(date +%s)
    "$MEND" --data-dir "$DATA_DIR" demo --accounts "$ACCOUNTS" --cases "$CASES" >"$BENCH_DIR/demo.log" 2>&1 \
        || { tail -20 "$BENCH_DIR/demo.log" >&2; die "mend demo failed (see $BENCH_DIR/demo.log)"; }
    echo "$SCALE" >"$MARKER"
    say "loaded in $(( $(date +%s) - start )) s"
fi

# --- server -----------------------------------------------------------------------------------
rm -rf "$WORK"
mkdir -p "$WORK"
SERVER_PID=""
stop_server() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    SERVER_PID=""
}
trap stop_server EXIT
trap 'exit 130' INT TERM

# start_server [extra serve flags...]: starts Mend and waits for /readyz; sets START_MS.
start_server() {
    say "starting mend serve $* on $BASE (log: $LOG)"
    local start_ns ready=""
    start_ns=$(date +%s%N)
    "$MEND" --data-dir "$DATA_DIR" serve --addr "127.0.0.1:$PORT" --no-scheduler "$@" >>"$LOG" 2>&1 &
    SERVER_PID=$!
    for _ in $(seq 1 600); do
        kill -0 "$SERVER_PID" 2>/dev/null || { tail -20 "$LOG" >&2; die "mend serve exited (see $LOG)"; }
        if curl -fsS -o /dev/null "$BASE/readyz" 2>/dev/null; then ready=1; break; fi
        sleep 0.1
    done
    [[ -n "$ready" ]] || die "/readyz did not answer within 60 s (see $LOG)"
    START_MS=$(( ($(date +%s%N) - start_ns) / 1000000 ))
}
: >"$LOG"
start_server
FIRST_START_MS=$START_MS

# --- sign in ----------------------------------------------------------------------------------
csrf_of() { sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1; }

# sign_in EMAIL JAR: signs in with a fresh cookie jar.
sign_in() {
    local email="$1" jar="$2" token status
    rm -f "$jar"
    token=$(curl -fsS -c "$jar" -b "$jar" "$BASE/login" | csrf_of)
    [[ -n "$token" ]] || die "no csrf_token on /login"
    status=$(curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" \
        --data-urlencode "csrf_token=$token" --data-urlencode "email=$email" \
        --data-urlencode "password=$PASSWORD" --data-urlencode "next=/" "$BASE/login")
    [[ "$status" == 303 || "$status" == 302 ]] || die "signing in as $email answered $status"
}
cookie_of() { awk '$6 == "mend_session" { v = $7 } END { print v }' "$1"; }

say "signing in as $MANAGER_EMAIL, $AM_EMAIL and ($CREATE_SESSIONS times) $CREATE_EMAIL"
sign_in "$MANAGER_EMAIL" "$WORK/manager.jar"
sign_in "$AM_EMAIL" "$WORK/am.jar"
MANAGER_COOKIE="mend_session=$(cookie_of "$WORK/manager.jar")"
AM_COOKIE="mend_session=$(cookie_of "$WORK/am.jar")"
[[ "$MANAGER_COOKIE" != "mend_session=" && "$AM_COOKIE" != "mend_session=" ]] || die "no session cookie after sign-in"

LIST_PATH="/cases?stage=assessing&sort=opened"
list_html=$(curl -fsS -H "Cookie: $AM_COOKIE" "$BASE$LIST_PATH")
CASE_NUMBER=$(grep -o 'href="/cases/CR-[0-9]*"' <<<"$list_html" | head -1 | sed 's/.*\/cases\/\(CR-[0-9]*\)"/\1/' || true)
[[ -n "$CASE_NUMBER" ]] || die "the case list shows $AM_EMAIL no case to open"

# --- case creation setup ----------------------------------------------------------------------
# Each POST /cases adds a flash message to its session, and wrk never follows the redirect that
# would show (and clear) it, so the POSTs are spread over several sessions.
SESSIONS_FILE="$WORK/create-sessions.txt"
: >"$SESSIONS_FILE"
for i in $(seq 1 "$CREATE_SESSIONS"); do
    sign_in "$CREATE_EMAIL" "$WORK/create-$i.jar"
    new_html=$(curl -fsS -b "$WORK/create-$i.jar" "$BASE/cases/new")
    token=$(csrf_of <<<"$new_html")
    [[ -n "$token" ]] || die "no csrf_token on /cases/new"
    echo "mend_session=$(cookie_of "$WORK/create-$i.jar") $token" >>"$SESSIONS_FILE"
done
# The first account of the accounts list (the incidents are logged as from its page, where
# /cases/new?account=… carries its id) and the first category the form offers.
accounts_html=$(curl -fsS -b "$WORK/create-1.jar" "$BASE/accounts")
ACCOUNT_ID=$(grep -o 'href="/accounts/[0-9a-f-]\{36\}"' <<<"$accounts_html" | head -1 | cut -d/ -f3 | tr -d '"' || true)
CATEGORY_ID=$(sed -n '/name="category_id"/,/<\/select>/p' <<<"$new_html" | grep -o 'option value="[0-9a-f-]\{36\}"' | head -1 | cut -d'"' -f2 || true)
[[ -n "$ACCOUNT_ID" && -n "$CATEGORY_ID" ]] || die "could not find an account and a category on /cases/new"

# --- load -------------------------------------------------------------------------------------
# to_ms VALUE: wrk latency ("850.00us", "1.23ms", "1.02s", "2.00m") in milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
        if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
        printf "%.2f", n }'
}

HEALTHZ_RPS=""
LAST_RPS="" LAST_P50="" LAST_P99=""
RESULTS=()
# bench NAME PATH COOKIE [extra wrk args...]
bench() {
    local name="$1" path="$2" cookie="$3"; shift 3
    local out="$WORK/$(tr -c 'a-zA-Z0-9\n' '_' <<<"$name").txt"
    # Browsers ask for compressed pages; so does the benchmark.
    local conns="${BENCH_CONNS:-$CONNECTIONS}" threads=2
    (( conns < 2 )) && threads=1
    local args=("-t$threads" "-c$conns" "-d$DURATION" "--timeout" "$TIMEOUT" --latency -H "Accept-Encoding: gzip")
    [[ -n "$cookie" ]] && args+=(-H "Cookie: $cookie")
    say "wrk $name: ${BENCH_LABEL:-$path}"
    wrk "${args[@]}" "$@" "$BASE$path" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed on $path"; }
    local rps p50 p99 bad total sockerr
    total=$(awk '/ requests in / { print $1 }' "$out")
    # "Socket errors: connect 0, read 0, write 0, timeout 12"
    sockerr=$(awk '/Socket errors:/ { gsub(",", ""); print $4 + $6 + $8 + $10 }' "$out")
    sockerr="${sockerr:-0}"
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    p50=$(awk '/Latency Distribution/ { d = 1 } d && $1 == "50%" { print $2; exit }' "$out")
    p99=$(awk '/Latency Distribution/ { d = 1 } d && $1 == "99%" { print $2; exit }' "$out")
    bad=$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")
    bad="${bad:-0}"
    # The creation script counts answers other than a redirect to the new case.
    local unexpected
    unexpected=$(awk '/^unexpected answers:/ { print $3 }' "$out")
    [[ -n "$unexpected" ]] && bad="$unexpected"
    [[ -n "$rps" && -n "$p50" && -n "$p99" ]] || { cat "$out" >&2; die "could not read wrk's output for $name"; }
    [[ "$name" == healthz ]] && HEALTHZ_RPS="$rps"
    LAST_RPS="$rps" LAST_P50="$(to_ms "$p50")" LAST_P99="$(to_ms "$p99")"
    if [[ "${total:-0}" == 0 ]]; then
        LAST_RPS="" LAST_P50="" LAST_P99=""
        RESULTS+=("$(printf '%-16s %-40s %5s %s' "$name" "${BENCH_LABEL:-$path}" "$conns" "no answer within $TIMEOUT (socket errors: $sockerr)")")
        return 0
    fi
    local ratio
    ratio=$(awk -v a="$rps" -v b="$HEALTHZ_RPS" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "-" }')
    RESULTS+=("$(printf '%-16s %-40s %5s %10.1f %9s %9s %8s %8s %8s' "$name" "${BENCH_LABEL:-$path}" "$conns" "$rps" "$(to_ms "$p50")" "$(to_ms "$p99")" "$ratio" "$bad" "$sockerr")")
}

# skip_unless_ok NAME PATH COOKIE: 0 when the page answers 200; otherwise records why it is skipped.
skip_unless_ok() {
    local name="$1" path="$2" cookie="$3" status
    status=$(curl -sS -o /dev/null -w '%{http_code}' -H "Cookie: $cookie" "$BASE$path")
    case "$status" in
        200) return 0 ;;
        404) RESULTS+=("$(printf '%-16s %-40s %5s %s' "$name" "$path" "-" "skipped (not built yet)")") ;;
        *) RESULTS+=("$(printf '%-16s %-40s %5s %s' "$name" "$path" "-" "skipped: answered $status")") ;;
    esac
    return 1
}

bench healthz /healthz ""
for spec in \
    "case list|$LIST_PATH|$AM_COOKIE" \
    "case page|/cases/$CASE_NUMBER|$AM_COOKIE" \
    "my work|/|$AM_COOKIE" \
    "weekly dashboard|/dashboard/weekly|$MANAGER_COOKIE" \
    "review|/review|$MANAGER_COOKIE"; do
    IFS='|' read -r name path cookie <<<"$spec"
    if skip_unless_ok "$name" "$path" "$cookie"; then
        bench "$name" "$path" "$cookie"
    fi
done
# One client at a time: how long one page takes to render when the server is not queueing
# (the dashboard issue's target is a median under 50 ms for these two).
for spec in \
    "weekly dashboard|/dashboard/weekly|$MANAGER_COOKIE" \
    "review|/review|$MANAGER_COOKIE"; do
    IFS='|' read -r name path cookie <<<"$spec"
    if skip_unless_ok "$name" "$path" "$cookie"; then
        BENCH_CONNS=1 bench "$name" "$path" "$cookie"
    fi
done

# The dashboard's numbers and the review's counts are reused between views until a write
# (--page-cache-seconds): the rows above measure that. Computed afresh on every view, by a server
# that reuses nothing:
READS_RSS=$(awk '/^VmRSS:/ { printf "%.1f MB", $2 / 1024 }' "/proc/$SERVER_PID/status")
READS_HWM=$(awk '/^VmHWM:/ { printf "%.1f MB", $2 / 1024 }' "/proc/$SERVER_PID/status")
stop_server
start_server --page-cache-seconds 0

# --- budgets (issue 18): a server that reuses nothing -----------------------------------------
# Each page's uncompressed HTML size, its median with one connection, and its throughput and
# p99 with $CONNECTIONS; each checked against its budget.
BUDGETS=()
# budget WHAT VALUE OP LIMIT UNIT: records whether VALUE OP LIMIT holds.
budget() {
    local what="$1" value="$2" op="$3" limit="$4" unit="$5" verdict
    if [[ -z "$value" ]]; then
        verdict="NOT MEASURED"
    elif awk -v v="$value" -v l="$limit" -v o="$op" 'BEGIN { exit !((o == "<=" && v <= l) || (o == ">=" && v >= l)) }'; then
        verdict="met"
    else
        verdict="NOT MET"
    fi
    BUDGETS+=("$(printf '%-44s %12s %s %-10s %s' "$what" "$value $unit" "$op" "$limit $unit" "$verdict")")
}
for spec in \
    "my work|/|$AM_COOKIE|15" \
    "review|/review|$MANAGER_COOKIE|15" \
    "case page|/cases/$CASE_NUMBER|$AM_COOKIE|15" \
    "weekly dashboard|/dashboard/weekly|$MANAGER_COOKIE|40" \
    "lessons|/lessons|$MANAGER_COOKIE|40" \
    "case list|$LIST_PATH|$AM_COOKIE|"; do
    IFS='|' read -r name path cookie median <<<"$spec"
    skip_unless_ok "$name" "$path" "$cookie" || continue
    size=$(curl -fsS -o /dev/null -w '%{size_download}' -H "Cookie: $cookie" "$BASE$path")
    budget "$name: HTML size" "$(awk -v b="$size" 'BEGIN { printf "%.1f", b / 1024 }')" "<=" 60 KB
    if [[ -n "$median" ]]; then
        BENCH_CONNS=1 bench "$name 1 conn" "$path" "$cookie"
        budget "$name: median, one connection" "$LAST_P50" "<=" "$median" ms
    fi
done
for spec in \
    "my work|/|$AM_COOKIE|1000|150" \
    "review|/review|$MANAGER_COOKIE|1000|150" \
    "weekly dashboard|/dashboard/weekly|$MANAGER_COOKIE|500|" \
    "case list|$LIST_PATH|$AM_COOKIE|1500|" \
    "case page|/cases/$CASE_NUMBER|$AM_COOKIE|1500|"; do
    IFS='|' read -r name path cookie rps p99 <<<"$spec"
    skip_unless_ok "$name" "$path" "$cookie" || continue
    bench "$name fresh" "$path" "$cookie"
    fresh_p99="$LAST_P99"
    budget "$name: req/s, $CONNECTIONS connections" "$LAST_RPS" ">=" "$rps" "/s"
    if [[ -n "$p99" ]]; then budget "$name: p99, $CONNECTIONS connections" "$fresh_p99" "<=" "$p99" ms; fi
done

# Case creation last, so the pages above see the same data in every run. Every incident of this
# run carries RUN_WORD in its title; afterwards a search for it counts what was stored.
RUN_WORD="benchrun$(date +%s)"
MEND_BENCH_SESSIONS="$SESSIONS_FILE" MEND_BENCH_ACCOUNT="$ACCOUNT_ID" MEND_BENCH_CATEGORY="$CATEGORY_ID" \
    MEND_BENCH_TITLE="Benchmark incident $RUN_WORD" BENCH_LABEL="POST /cases" \
    bench "create case" /cases "" -s "$ROOT/scripts/bench-create.lua"
ACKED=$(awk '/^created:/ { print $2 }' "$WORK/create_case.txt")
# The list counts only to 1,000; the CSV export has every matching case, a line each after the header.
STORED=$(curl -fsS -H "Cookie: $(head -1 "$SESSIONS_FILE" | cut -d" " -f1)" "$BASE/cases/export.csv?q=$RUN_WORD" \
    | tail -n +2 | wc -l)

RSS=$(awk '/^VmRSS:/ { printf "%.1f MB", $2 / 1024 }' "/proc/$SERVER_PID/status")
HWM=$(awk '/^VmHWM:/ { printf "%.1f MB", $2 / 1024 }' "/proc/$SERVER_PID/status")

# --- report -----------------------------------------------------------------------------------
echo
echo "Mend benchmark: $SCALE, wrk -t2 -c$CONNECTIONS -d$DURATION, $(nproc) cores, $(date -u '+%Y-%m-%d %H:%M UTC')"
printf '%-16s %-40s %5s %10s %9s %9s %8s %8s %8s\n' target path conns "req/s" "p50 ms" "p99 ms" "/healthz" "non-2xx" "sock-err"
printf '%s\n' "${RESULTS[@]}"
echo "case creation: ${ACKED:-?} answered 303, ${STORED:-?} found in the database afterwards (requests cut off when wrk stops may add up to $CONNECTIONS)"
if [[ -n "${ACKED:-}" && -n "${STORED:-}" ]] && (( STORED < ACKED )); then
    echo "WARNING: fewer cases stored than acknowledged"
fi
echo "server start to /readyz: ${FIRST_START_MS} ms"
echo "server memory after the page loads: VmRSS $READS_RSS (peak VmHWM $READS_HWM)"
echo "server memory after fresh dashboards, reviews and case creation: VmRSS $RSS (peak VmHWM $HWM)"
echo
echo "Budgets (issue 18), nothing reused (--page-cache-seconds 0), $SCALE:"
printf '%s\n' "${BUDGETS[@]}"
echo "$(printf '%s\n' "${BUDGETS[@]}" | grep -c ' met$' || true) of ${#BUDGETS[@]} budgets met"
errors=$(grep -c ' ERROR ' "$LOG" || true)
warnings=$(grep -c ' WARN ' "$LOG" || true)
echo "server log: $LOG (${errors} ERROR, ${warnings} WARN lines)"
