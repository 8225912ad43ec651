#!/usr/bin/env bash
# Regenerates .sqlx/ (the offline query data that lets `SQLX_OFFLINE=true cargo build` check every
# query at compile time) against a throw-away PostgreSQL cluster, then removes the cluster.
#
#   scripts/sqlx-prepare.sh          regenerate .sqlx/
#   scripts/sqlx-prepare.sh --keep   also leave the cluster running and print its DATABASE_URL,
#                                    handy while writing new queries
#
# Needs PostgreSQL's initdb, pg_ctl and psql (Debian: postgresql, postgresql-client).
set -euo pipefail
cd "$(dirname "$0")/.."

keep=false
[[ "${1:-}" == "--keep" ]] && keep=true

bindir=""
for d in $(command -v initdb >/dev/null && dirname "$(command -v initdb)") \
         "$(pg_config --bindir 2>/dev/null || true)" \
         $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" ]]; then bindir="$d"; break; fi
done
[[ -n "$bindir" ]] || { echo "install PostgreSQL 14 or newer (initdb, pg_ctl)" >&2; exit 1; }
psql=$(command -v psql || true)
[[ -n "$psql" ]] || psql="$bindir/psql"
[[ -x "$psql" ]] || { echo "psql is needed: install postgresql-client" >&2; exit 1; }

dir=$(mktemp -d /tmp/mend-sqlx.XXXXXX)
chmod 755 "$dir"
as_pg=()
if [[ $(id -u) == 0 ]]; then chown postgres: "$dir"; as_pg=(runuser -u postgres --); fi

cleanup() {
  if ! $keep; then
    "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
  fi
}
trap cleanup EXIT

"${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U mend -E UTF8 --locale C -A trust >/dev/null
"${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-c listen_addresses= -c unix_socket_directories=$dir" start >/dev/null
"$psql" -q -h "$dir" -U mend -d postgres -c 'create database mend' >/dev/null
for f in migrations/*.sql; do
  "$psql" -q -v ON_ERROR_STOP=1 -h "$dir" -U mend -d mend -f "$f" >/dev/null
done

url="postgres://mend@localhost/mend?host=$dir"
rm -f .sqlx/query-*.json
mkdir -p .sqlx
touch src/lib.rs
SQLX_OFFLINE=false SQLX_OFFLINE_DIR="$PWD/.sqlx" DATABASE_URL="$url" cargo check --all-targets --quiet
echo "wrote $(ls .sqlx | wc -l) query files to .sqlx/"
if $keep; then echo "DATABASE_URL=$url"; fi
