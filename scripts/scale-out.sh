#!/usr/bin/env bash
# Scale-out test: three `mend serve` instances on one PostgreSQL behind nginx.
#
#   bash scripts/scale-out.sh
#
# Checks, each printing PASS or FAIL (the script exits non-zero on any FAIL):
#   a. sessions work across instances: signed in once through nginx, every page from every
#      instance is signed in, and a form rendered by one instance is accepted by another;
#   b. the three schedulers (one per instance, a pass every second) create every check-in,
#      "missed" timeline event and e-mail exactly once, and each e-mail reaches the SMTP server
#      once;
#   c. `kill -9` of one instance during concurrent case creations loses no acknowledged case,
#      duplicates none, leaves none without its creation event, and nginx sends later requests
#      to the two that are left; reads in flight are retried on them, posts are not replayed;
#   d. the sign-in limit per client address counts each client behind nginx on its own (Mend
#      believes nginx's X-Forwarded-For because it runs with --trusted-proxies 127.0.0.1), so one
#      client's failures do not lock out everyone else.
#
# The database is one PostgreSQL cluster started here with initdb and pg_ctl (as the `postgres`
# user when run as root), listening on TCP, with a password, and every instance gets the same
# DATABASE_URL. That is how Mend scales out for real: instances on several machines, one
# database server they reach over the network. Mend's embedded cluster could be shared too (it
# allows several processes on one data folder), but only on one machine, over a Unix socket, and
# it stops with the last instance, so it would not test what a deployment does.
#
# Needs root on Debian 12 for the packages (nginx, curl and PostgreSQL are installed when
# missing; the system nginx service is not started: a private nginx runs on a free port). Perl
# (always there on Debian) runs a small SMTP sink.
#
# Environment (all optional):
#   MEND_BIN           a mend binary to test instead of building one (`cargo build --release --locked`)
#   CARGO_TARGET_DIR   honoured by the build
#   SCALE_OUT_KEEP=1   keep the temporary folder (logs, nginx config, request records) at the end
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
INSTANCES=3
LOAD_CLIENTS=6          # concurrent case-creating clients in check c
LOAD_BEFORE_KILL=3      # seconds of load before the kill
LOAD_AFTER_KILL=4       # seconds of load after it
PLANS=24                # follow-up plans the schedulers work on in check b
EMAIL="scale-out@example.com"
NAME="Scale Out Tester"
PASSWORD="scale-out-password-$RANDOM$RANDOM"

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'scale-out: %s\n' "$*" >&2; exit 1; }
FAILED=0
pass() { printf 'PASS  %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; FAILED=1; }
check() { # check DESCRIPTION COMMAND...: PASS when the command succeeds
    local what="$1"; shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
T0=$(now_ms)

# --- packages ---------------------------------------------------------------------------------
install_missing() {
    local missing=() policy_added=""
    command -v nginx >/dev/null 2>&1 || [[ -x /usr/sbin/nginx ]] || missing+=(nginx)
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    command -v initdb >/dev/null 2>&1 || compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null \
        || missing+=(postgresql)
    [[ ${#missing[@]} -eq 0 ]] && return 0
    [[ $EUID -eq 0 ]] || die "missing ${missing[*]}: install them, or run as root"
    say "installing ${missing[*]}"
    # Debian starts a newly installed service unless policy-rc.d says no: we want neither the
    # system nginx on port 80 nor a system PostgreSQL, only our own private ones.
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        policy_added=1
    fi
    local rc=0
    (export DEBIAN_FRONTEND=noninteractive; apt-get update && apt-get install -y "${missing[@]}") || rc=$?
    [[ -n "$policy_added" ]] && rm -f /usr/sbin/policy-rc.d
    [[ $rc -eq 0 ]] || die "apt-get install ${missing[*]} failed"
}
install_missing
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
PG_BIN=""
if command -v pg_config >/dev/null 2>&1 && [[ -x "$(pg_config --bindir)/initdb" ]]; then
    PG_BIN=$(pg_config --bindir)
else
    PG_BIN=$(compgen -G '/usr/lib/postgresql/*/bin' | sort -V | tail -1)
fi
[[ -x "$PG_BIN/initdb" ]] || die "no initdb found (looked in $PG_BIN)"

# --- build ------------------------------------------------------------------------------------
if [[ -n "${MEND_BIN:-}" ]]; then
    MEND="$MEND_BIN"
else
    say "building the release binary"
    (cd "$ROOT" && SQLX_OFFLINE=true cargo build --release --locked)
    MEND="${CARGO_TARGET_DIR:-$ROOT/target}/release/mend"
fi
[[ -x "$MEND" ]] || die "no mend binary at $MEND"
export MEND_STATIC_DIR="$ROOT/static"
T_BUILT=$(now_ms)

# --- the temporary folder and clean-up --------------------------------------------------------
DIR=$(mktemp -d /tmp/mend-scale-out.XXXXXX)
chmod 755 "$DIR" # PostgreSQL's account must be able to enter it
PIDS=()          # mend instances, nginx, the SMTP sink
PG_STARTED=""
as_pg() { if [[ $EUID -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() {
    local status=$?
    set +e
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null; done
    if [[ -n "$PG_STARTED" ]]; then
        as_pg "$PG_BIN/pg_ctl" stop -D "$DIR/pg" -m fast -w -s >/dev/null 2>&1
    fi
    if [[ $status -ne 0 || $FAILED -ne 0 ]]; then
        for log in "$DIR"/mend-*.log "$DIR/nginx-error.log" "$DIR/postgresql.log" "$DIR/smtp-sink.log"; do
            [[ -s "$log" ]] || continue
            printf '\n--- last lines of %s\n' "${log##*/}" >&2
            tail -15 "$log" >&2
        done
    fi
    if [[ "${SCALE_OUT_KEEP:-}" == 1 ]]; then
        say "kept $DIR"
    else
        rm -rf "$DIR"
    fi
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A port nobody listens on (and that this script has not handed out yet), below the range the
# kernel takes source ports of outgoing connections from, so none of those can be on it either.
EPHEMERAL_LOW=$(awk '{print $1}' /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
(( EPHEMERAL_LOW > 12000 )) || EPHEMERAL_LOW=32768
TAKEN=" "
free_port() {
    local p
    for _ in $(seq 1 200); do
        p=$(( EPHEMERAL_LOW - 10000 + RANDOM % 10000 ))
        [[ "$TAKEN" == *" $p "* ]] && continue
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
            TAKEN+="$p "
            echo "$p"
            return
        fi
    done
    die "no free port found"
}

# wait_for URL SECONDS PID: until URL answers 200, or the process dies, or time runs out.
wait_for() {
    local url="$1" seconds="$2" pid="$3"
    for _ in $(seq 1 $(( seconds * 10 ))); do
        kill -0 "$pid" 2>/dev/null || return 1
        curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

# --- PostgreSQL -------------------------------------------------------------------------------
if [[ $EUID -eq 0 ]] && ! id -u postgres >/dev/null 2>&1; then
    useradd --system --user-group --no-create-home --shell /usr/sbin/nologin postgres
fi
PG_PORT=$(free_port)
PG_SOCK="$DIR/pgsock"
DB_PASSWORD=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
mkdir -p "$DIR/pg" "$PG_SOCK"
chmod 700 "$DIR/pg"
[[ $EUID -eq 0 ]] && chown postgres:postgres "$DIR/pg" "$PG_SOCK"
say "starting PostgreSQL ($("$PG_BIN/postgres" --version | awk '{print $3}')) on 127.0.0.1:$PG_PORT"
as_pg "$PG_BIN/initdb" -D "$DIR/pg" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C >"$DIR/initdb.log" 2>&1 || { cat "$DIR/initdb.log" >&2; die "initdb failed"; }
# Appended with the server's own account, so the file keeps its owner.
printf "listen_addresses = '127.0.0.1'\nport = %s\nunix_socket_directories = '%s'\nmax_connections = 100\n" \
    "$PG_PORT" "$PG_SOCK" | as_pg tee -a "$DIR/pg/postgresql.conf" >/dev/null
touch "$DIR/postgresql.log"
[[ $EUID -eq 0 ]] && chown postgres:postgres "$DIR/postgresql.log"
as_pg "$PG_BIN/pg_ctl" start -D "$DIR/pg" -l "$DIR/postgresql.log" -w -t 60 -s \
    || die "PostgreSQL did not start (see $DIR/postgresql.log)"
PG_STARTED=1
# psql as the superuser over the socket, for set-up and for checking what the instances wrote.
sql() { psql -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCK" -p "$PG_PORT" -U postgres -d "${SQL_DB:-mend}" -At "$@"; }
SQL_DB=postgres sql -c "create role mend login password '$DB_PASSWORD'"
SQL_DB=postgres sql -c "create database mend owner mend"
DATABASE_URL="postgres://mend:$DB_PASSWORD@127.0.0.1:$PG_PORT/mend"
export DATABASE_URL

# --- the SMTP sink ----------------------------------------------------------------------------
# Accepts every message and writes its Message-ID (Mend derives it from the outbox row) to a
# file, one line per delivery, so a message sent twice shows up twice.
SMTP_PORT=$(free_port)
cat >"$DIR/smtp-sink.pl" <<'PERL'
use strict; use warnings;
use IO::Socket::INET; use Fcntl qw(:flock);
my ($port, $out) = @ARGV;
$SIG{CHLD} = 'IGNORE';
my $server = IO::Socket::INET->new(LocalAddr => '127.0.0.1', LocalPort => $port,
    Listen => 32, ReuseAddr => 1) or die "smtp sink: cannot listen on $port: $!\n";
while (1) {
    my $c = $server->accept or next;
    my $pid = fork;
    if (!defined $pid || $pid) { close $c; next; }
    close $server;
    $c->autoflush(1);
    print $c "220 sink ESMTP\r\n";
    while (defined(my $line = <$c>)) {
        if ($line =~ /^DATA/i) {
            print $c "354 end with a dot\r\n";
            my ($id, $headers) = ('', 1);
            while (defined(my $l = <$c>)) {
                last if $l =~ /^\.\r?$/;
                $headers = 0 if $l =~ /^\r?$/;
                $id = $1 if $headers && $l =~ /^Message-ID:\s*(\S+)/i;
            }
            open(my $fh, '>>', $out) or die; flock($fh, LOCK_EX); print $fh "$id\n"; close $fh;
            print $c "250 accepted\r\n";
        } elsif ($line =~ /^QUIT/i) {
            print $c "221 bye\r\n"; last;
        } else {
            print $c "250 ok\r\n"; # EHLO, MAIL, RCPT, RSET, NOOP
        }
    }
    exit 0;
}
PERL
: >"$DIR/delivered.txt"
perl "$DIR/smtp-sink.pl" "$SMTP_PORT" "$DIR/delivered.txt" 2>"$DIR/smtp-sink.log" &
SINK_PID=$!
PIDS+=("$SINK_PID")
for _ in $(seq 1 50); do
    kill -0 "$SINK_PID" 2>/dev/null || die "the SMTP sink did not start: $(cat "$DIR/smtp-sink.log")"
    (exec 3<>"/dev/tcp/127.0.0.1/$SMTP_PORT") 2>/dev/null && break
    sleep 0.1
done

# --- nginx (its port first: the instances put it in their e-mail links) ------------------------
NGINX_PORT=$(free_port)
BASE="http://127.0.0.1:$NGINX_PORT"

# --- three instances, started at once on an empty database (so they migrate it together) -------
PORTS=()
INSTANCE_PIDS=()
say "starting $INSTANCES instances of mend serve, each with its scheduler (a pass every second)"
for i in $(seq 1 $INSTANCES); do
    port=$(free_port)
    PORTS+=("$port")
    # Each instance names its database connections, so pg_stat_activity tells them apart.
    DATABASE_URL="$DATABASE_URL?application_name=mend-$i" MEND_LOG_FORMAT=text RUST_LOG=info,sqlx=warn \
        "$MEND" serve --addr "127.0.0.1:$port" \
        --trusted-proxies 127.0.0.1 --scheduler-interval 1 --smtp-url "smtp://127.0.0.1:$SMTP_PORT" \
        --mail-from "Mend <mend@scale-out.test>" --public-url "$BASE" \
        >"$DIR/mend-$i.log" 2>&1 &
    INSTANCE_PIDS+=($!)
    PIDS+=($!)
done
for i in $(seq 1 $INSTANCES); do
    wait_for "http://127.0.0.1:${PORTS[i-1]}/readyz" 60 "${INSTANCE_PIDS[i-1]}" \
        || die "instance $i did not become ready (see $DIR/mend-$i.log)"
done
T_READY=$(now_ms)
say "instances ready on ports ${PORTS[*]}"

mkdir -p "$DIR/nginx-tmp"
{
    echo "worker_processes 1;"
    echo "daemon off;"
    echo "pid $DIR/nginx.pid;"
    echo "error_log $DIR/nginx-error.log warn;"
    echo "events { worker_connections 1024; }"
    echo "http {"
    echo "    log_format upstream '\$remote_addr \"\$request\" \$status upstream=\$upstream_addr upstream_status=\$upstream_status \$request_time';"
    echo "    access_log $DIR/nginx-access.log upstream;"
    for t in client_body proxy fastcgi uwsgi scgi; do echo "    ${t}_temp_path $DIR/nginx-tmp/$t;"; done
    echo "    upstream mend {"
    # One failure takes an instance out of the rotation for 10 s, then nginx tries it again.
    for port in "${PORTS[@]}"; do echo "        server 127.0.0.1:$port max_fails=1 fail_timeout=10s;"; done
    echo "        keepalive 16;"
    echo "    }"
    echo "    server {"
    echo "        listen 127.0.0.1:$NGINX_PORT;"
    echo "        location / {"
    echo "            proxy_pass http://mend;"
    echo "            proxy_http_version 1.1;"
    echo "            proxy_set_header Connection \"\";"
    # Mend's CSRF check compares a browser's Origin with Host: pass the Host the client used.
    echo "            proxy_set_header Host \$http_host;"
    echo "            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;"
    echo "            proxy_set_header X-Forwarded-Proto \$scheme;"
    # Try the next instance when one cannot be reached or does not answer. nginx never does
    # this for a POST it has already sent (unless told to with non_idempotent, which we do not
    # want: the first instance may have committed it), only for one it could not send at all.
    echo "            proxy_next_upstream error timeout;"
    echo "            proxy_next_upstream_tries 3;"
    echo "            proxy_connect_timeout 2s;"
    echo "            proxy_read_timeout 40s;"
    echo "            add_header X-Upstream \$upstream_addr always;"
    echo "        }"
    echo "    }"
    echo "}"
} >"$DIR/nginx.conf"
"$NGINX" -t -q -e "$DIR/nginx-error.log" -c "$DIR/nginx.conf" -p "$DIR" \
    || die "nginx refused its configuration ($DIR/nginx.conf)"
"$NGINX" -e "$DIR/nginx-error.log" -c "$DIR/nginx.conf" -p "$DIR" &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
wait_for "$BASE/healthz" 20 "$NGINX_PID" || die "nginx did not answer on $BASE"
say "nginx on $BASE, round-robin over the instances"

# --- a user, an account --------------------------------------------------------------------------
# Noon in the user's time zone, wherever the clock is now: reminders for today's check-ins go
# out from 07:00, and the day does not change during the run.
utc_hour=$((10#$(date -u +%H)))
offset=$(( 12 - utc_hour ))
if (( offset >= 0 )); then ZONE="Etc/GMT-$offset"; else ZONE="Etc/GMT+$(( -offset ))"; fi
printf '%s' "$PASSWORD" | "$MEND" user create --email "$EMAIL" --name "$NAME" \
    --role account_manager --team North --time-zone "$ZONE" --password-stdin >"$DIR/user-create.log" 2>&1 \
    || { cat "$DIR/user-create.log" >&2; die "mend user create failed"; }
ACCOUNT=$(sql -c "insert into accounts (name, team_id) select 'Scale-out client', id from teams where name = 'North' returning id")
CATEGORY=$(sql -c "select id from categories where retired_at is null order by position limit 1")

# --- HTTP helpers -----------------------------------------------------------------------------
csrf_of() { sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1; }

# sign_in JAR: signs in through nginx with a fresh cookie jar; prints nothing, fails loudly.
sign_in() {
    local jar="$1" token status
    rm -f "$jar"
    token=$(curl -fsS -c "$jar" -b "$jar" "$BASE/login" | csrf_of)
    [[ -n "$token" ]] || die "no csrf_token on /login"
    status=$(curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" -H "Origin: $BASE" \
        --data-urlencode "csrf_token=$token" --data-urlencode "email=$EMAIL" \
        --data-urlencode "password=$PASSWORD" "$BASE/login")
    [[ "$status" == 303 ]] || die "signing in answered $status"
}

# new_case JAR TOKEN TITLE: posts an incident; prints "STATUS L:LOCATION U:UPSTREAM" (the
# upstream is a list when nginx tried more than one instance).
new_case() {
    curl -sS -o /dev/null --max-time 10 -b "$1" -H "Origin: $BASE" \
        -w '%{http_code} L:%header{location} U:%header{x-upstream}\n' \
        --data-urlencode "csrf_token=$2" --data-urlencode "account_id=$ACCOUNT" \
        --data-urlencode "title=$3" --data-urlencode "what_happened=" \
        --data-urlencode "category_id=$CATEGORY" --data-urlencode "severity=medium" \
        --data-urlencode "detected_by=client" --data-urlencode "occurred_at=" \
        "$BASE/cases" 2>/dev/null || true
}

# ==============================================================================================
say "a. sessions across instances"
JAR="$DIR/session.jar"
sign_in "$JAR"
signed_in=0 total=0
: >"$DIR/a-upstreams.txt"
for _ in $(seq 1 30); do
    total=$((total + 1))
    out=$(curl -sS -b "$JAR" -o "$DIR/page.html" -w '%{http_code} %header{x-upstream}' "$BASE/cases" || true)
    read -r code upstream <<<"$out"
    echo "$upstream" >>"$DIR/a-upstreams.txt"
    if [[ "$code" == 200 ]] && grep -q "class=\"user-name\"[^>]*>$NAME<" "$DIR/page.html"; then
        signed_in=$((signed_in + 1))
    fi
done
check "a. $signed_in of $total pages fetched through nginx were 200 and signed in" \
    test "$signed_in" -eq "$total"
served_by=$(sort -u "$DIR/a-upstreams.txt" | grep -c .)
check "a. those pages came from $served_by of $INSTANCES instances ($(sort "$DIR/a-upstreams.txt" | uniq -c | awk '{printf "%s%s×%s", sep, $2, $1; sep=", "}'))" \
    test "$served_by" -eq "$INSTANCES"

# Forms rendered by one instance and posted to another: these cases are also what the
# schedulers work on in check b.
crossed=0 created=0
for n in $(seq 1 $PLANS); do
    form_upstream=$(curl -sS -b "$JAR" -D "$DIR/form.headers" -o "$DIR/form.html" "$BASE/cases/new" \
        && sed -n 's/^[Xx]-[Uu]pstream: *\([^\r]*\).*/\1/p' "$DIR/form.headers")
    token=$(csrf_of <"$DIR/form.html")
    read -r code location upstream <<<"$(new_case "$JAR" "$token" "scheduled-$n")"
    if [[ "$code" == 303 && "$location" == L:/cases/CR-* ]]; then
        created=$((created + 1))
        if [[ "$upstream" != "U:$form_upstream" ]]; then crossed=$((crossed + 1)); fi
    fi
done
check "a. $created of $PLANS cases logged, $crossed of them posted to another instance than the one that rendered the form" \
    test "$created" -eq "$PLANS" -a "$crossed" -gt 0

# ==============================================================================================
say "b. the schedulers of all $INSTANCES instances at work on $PLANS follow-up plans"
# Plans started four days ago, one check-in a day: each plan needs 19 check-ins (4 days ago
# to the 14-day horizon), the 4 past ones marked missed (one timeline event each), and 5 e-mails
# (4 "missed", 1 "due today"); and on a Monday the user's weekly digest.
sql -c "insert into follow_up_plans (case_id, cadence, every_days, first_due, assignee_id, created_by)
        select c.id, 'custom', 1, (now() at time zone u.time_zone)::date - 4, u.id, u.id
        from cases c join users u on u.id = c.owner_id where c.title like 'scheduled-%'"
monday=$(sql -c "select extract(isodow from now() at time zone '$ZONE') = 1")
digests=0; if [[ "$monday" == t ]]; then digests=1; fi
want_check_ins=$((PLANS * 19)) want_missed=$((PLANS * 4)) want_mail=$((PLANS * 5 + digests))
counts() {
    sql -F ' ' -c "select
        (select count(*) from check_ins),
        (select count(*) from case_events where kind = 'check_in' and summary like '%was missed'),
        (select count(*) from outbox),
        (select count(*) from outbox where sent_at is not null)"
}
b_start=$(now_ms)
for _ in $(seq 1 120); do
    read -r got_check_ins got_missed got_mail got_sent <<<"$(counts)"
    [[ $got_check_ins -ge $want_check_ins && $got_missed -ge $want_missed \
        && $got_mail -ge $want_mail && $got_sent -ge $want_mail ]] && break
    sleep 0.5
done
settled_s=$(( ($(now_ms) - b_start) / 1000 ))
sleep 3 # three more passes of every scheduler, which must change nothing
read -r got_check_ins got_missed got_mail got_sent <<<"$(counts)"
say "settled after ${settled_s}s; three more passes each"
check "b. check-ins: $got_check_ins, expected $want_check_ins" test "$got_check_ins" -eq "$want_check_ins"
dup=$(sql -c "select count(*) from (select 1 from check_ins group by plan_id, due_date having count(*) > 1) d")
check "b. no plan has two check-ins on one day ($dup such days)" test "$dup" -eq 0
check "b. \"missed\" timeline events: $got_missed, expected $want_missed" test "$got_missed" -eq "$want_missed"
dup=$(sql -c "select count(*) from (select 1 from case_events where kind = 'check_in'
              group by case_id, summary having count(*) > 1) d")
check "b. no check-in was marked missed twice on a timeline ($dup twice)" test "$dup" -eq 0
check "b. e-mails queued: $got_mail, expected $want_mail ($PLANS×4 missed, $PLANS×1 due today, $digests digest)" \
    test "$got_mail" -eq "$want_mail"
retried=$(sql -c "select count(*) from outbox where attempts <> 1 or sent_at is null")
check "b. every e-mail sent after exactly one claim ($got_sent sent, $retried not sent or claimed twice)" \
    test "$got_sent" -eq "$want_mail" -a "$retried" -eq 0
deliveries=$(grep -c . "$DIR/delivered.txt" || true)
distinct=$(sort -u "$DIR/delivered.txt" | grep -c . || true)
check "b. the SMTP server received $deliveries messages, $distinct distinct, expected $want_mail" \
    test "$deliveries" -eq "$want_mail" -a "$distinct" -eq "$want_mail"
# What each instance's scheduler reports doing must add up to the totals: a check-in or e-mail
# claimed by two instances would be counted twice.
share=""; sum_created=0; sum_sent=0
for i in $(seq 1 $INSTANCES); do
    c=$(sed -n 's/.*Scheduler pass: \([0-9]*\) check-ins created.*/\1/p' "$DIR/mend-$i.log" | awk '{s+=$1} END {print s+0}')
    s=$(sed -n 's/.*queued, \([0-9]*\) e-mails sent.*/\1/p' "$DIR/mend-$i.log" | awk '{s+=$1} END {print s+0}')
    sum_created=$((sum_created + c)); sum_sent=$((sum_sent + s))
    share+="${share:+, }instance $i: $c check-ins and $s e-mails"
done
check "b. the instances' own reports add up ($share)" \
    test "$sum_created" -eq "$want_check_ins" -a "$sum_sent" -eq "$want_mail"

# ==============================================================================================
say "c. kill -9 one instance while $LOAD_CLIENTS clients log incidents through nginx"
# load_client N END_MS: one signed-in client posting incidents until END_MS; one line per
# request: "START_MS TITLE STATUS L:LOCATION U:UPSTREAM".
load_client() {
    local n="$1" end="$2" jar="$DIR/load-$1.jar" out="$DIR/load-$1.txt" token i=0 t
    sign_in "$jar"
    token=$(curl -fsS -b "$jar" "$BASE/cases/new" | csrf_of)
    while (( $(now_ms) < end )); do
        i=$((i + 1))
        t=$(now_ms)
        echo "$t load-$n-$i $(new_case "$jar" "$token" "load-$n-$i")" >>"$out"
    done
}
# read_client END_MS: reads the case list until END_MS; one line per request: "START_MS STATUS".
read_client() {
    local end="$1" t
    while (( $(now_ms) < end )); do
        t=$(now_ms)
        echo "$t $(curl -sS -o /dev/null --max-time 10 -b "$JAR" -w '%{http_code}' "$BASE/cases?q=load" 2>/dev/null || echo 000)" \
            >>"$DIR/reads.txt"
    done
}
load_end=$(( $(now_ms) + (LOAD_BEFORE_KILL + LOAD_AFTER_KILL) * 1000 ))
CLIENTS=()
for n in $(seq 1 $LOAD_CLIENTS); do
    load_client "$n" "$load_end" &
    CLIENTS+=($!)
done
read_client "$load_end" &
CLIENTS+=($!)
PIDS+=("${CLIENTS[@]}")
sleep "$LOAD_BEFORE_KILL"
# So that the kill surely cuts off posts in the middle of their transaction, hold them up for a
# moment: a lock on the cases table makes every instance's insert wait in PostgreSQL. The kill
# comes once the victim has at least one waiting (its connections are named by application_name).
VICTIM=2
mkfifo "$DIR/lock.fifo"
sql <"$DIR/lock.fifo" >"$DIR/lock.out" 2>&1 &
LOCK_PID=$!
PIDS+=("$LOCK_PID")
exec 7>"$DIR/lock.fifo"
echo "begin; lock table cases in share mode; select 'locked';" >&7
waiting=0
for _ in $(seq 1 100); do
    if grep -q locked "$DIR/lock.out"; then
        waiting=$(sql -c "select count(*) from pg_stat_activity
                          where application_name = 'mend-$VICTIM' and wait_event_type = 'Lock'")
        (( waiting > 0 )) && break
    fi
    sleep 0.05
done
kill_ms=$(now_ms)
kill -9 "${INSTANCE_PIDS[VICTIM-1]}"
wait "${INSTANCE_PIDS[VICTIM-1]}" 2>/dev/null || true
sleep 0.3
echo "commit;" >&7
exec 7>&-
wait "$LOCK_PID" || die "the lock session failed: $(cat "$DIR/lock.out")"
say "killed instance $VICTIM (127.0.0.1:${PORTS[VICTIM-1]}) with kill -9 while $waiting of its posts waited in PostgreSQL"
for pid in "${CLIENTS[@]}"; do wait "$pid" || die "a load client failed"; done

cat "$DIR"/load-*.txt >"$DIR/requests.txt"
requests=$(grep -c . "$DIR/requests.txt")
awk '$3 == 303 && $4 ~ /^L:\/cases\/CR-[0-9]+$/ { sub("L:/cases/CR-", "", $4); print $4, $2 }' \
    "$DIR/requests.txt" | sort >"$DIR/acknowledged.txt"
acked=$(grep -c . "$DIR/acknowledged.txt" || true)
failed=$(( requests - acked ))
late_failures=$(awk -v k="$kill_ms" '!($3 == 303) && $1 > k + 1000' "$DIR/requests.txt" | grep -c . || true)
victim_served=$(awk -v p="U:127.0.0.1:${PORTS[VICTIM-1]}" -v k="$kill_ms" '$1 < k && $5 == p' "$DIR/requests.txt" | grep -c . || true)
say "$requests posts, $acked acknowledged, $failed not ($late_failures of them more than 1 s after the kill); the victim had served $victim_served before it"
sql -F ' ' -c "select number, title from cases where title like 'load-%'" | sort >"$DIR/stored.txt"
lost=$(comm -23 "$DIR/acknowledged.txt" "$DIR/stored.txt" | grep -c . || true)
check "c. every acknowledged case is in the database with its title ($acked acknowledged, $lost missing)" \
    test "$acked" -gt 0 -a "$lost" -eq 0
dup=$(sql -c "select count(*) from (select 1 from cases group by title having count(*) > 1) d")
check "c. no title was stored twice ($dup twice)" test "$dup" -eq 0
unacked=$(comm -13 "$DIR/acknowledged.txt" "$DIR/stored.txt" | grep -c . || true)
check "c. every stored case is one that was posted ($unacked stored without an acknowledgement, at most the $failed failed posts)" \
    test "$unacked" -le "$failed"
half=$(sql -c "select count(*) from cases c where not exists
               (select 1 from case_events e where e.case_id = c.id and e.kind = 'created')")
check "c. every case has its creation event ($half without)" test "$half" -eq 0
check "c. the killed instance was serving posts before the kill ($victim_served, $waiting of them in flight when it died)" \
    test "$victim_served" -gt 0 -a "$waiting" -gt 0
check "c. posts failed only around the kill: $failed of $requests failed, $late_failures later than 1 s after it" \
    test "$late_failures" -eq 0
reads=$(grep -c . "$DIR/reads.txt")
bad_reads=$(awk '$2 != 200' "$DIR/reads.txt" | grep -c . || true)
check "c. reads of the case list during the kill all answered 200 ($reads reads, $bad_reads not)" \
    test "$bad_reads" -eq 0

# ==============================================================================================
say "d. sign-in limits count each client behind nginx, not nginx"
# Two clients at different addresses (all of 127.0.0.0/8 is this machine): one fails to sign in
# as often as Mend allows one address (20 times in 15 minutes), then the other signs in.
# try_sign_in ADDRESS JAR EMAIL PASSWORD: prints the status of the attempt.
try_sign_in() {
    local token
    token=$(curl -fsS --interface "$1" -c "$2" -b "$2" "$BASE/login" | csrf_of)
    curl -sS -o /dev/null -w '%{http_code}' --interface "$1" -c "$2" -b "$2" -H "Origin: $BASE" \
        --data-urlencode "csrf_token=$token" --data-urlencode "email=$3" \
        --data-urlencode "password=$4" "$BASE/login"
}
refused=0
for i in $(seq 1 20); do
    if [[ $(try_sign_in 127.0.0.2 "$DIR/stranger.jar" "nobody-$i@example.com" "wrong password $i") == 422 ]]; then
        refused=$((refused + 1))
    fi
done
stranger=$(try_sign_in 127.0.0.2 "$DIR/stranger.jar" "$EMAIL" "$PASSWORD")
colleague=$(try_sign_in 127.0.0.3 "$DIR/colleague.jar" "$EMAIL" "$PASSWORD")
check "d. after $refused failed sign-ins from 127.0.0.2 that address is locked ($stranger, expected 429)" \
    test "$refused" -eq 20 -a "$stranger" = 429
check "d. and a sign-in from 127.0.0.3 through the same nginx still works ($colleague, expected 303)" \
    test "$colleague" = 303

# ==============================================================================================
T_END=$(now_ms)
printf '\nscale-out: start-up %d s, checks %d s (packages and build before them: %d s)\n' \
    $(( (T_READY - T_BUILT) / 1000 )) $(( (T_END - T_READY) / 1000 )) $(( (T_BUILT - T0) / 1000 ))
if [[ $FAILED -ne 0 ]]; then
    echo "scale-out: FAILED"
    exit 1
fi
echo "scale-out: all checks passed"
