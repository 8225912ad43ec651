#!/usr/bin/env bash
# Writes schema.sql: the schema of a database migrated from empty, as pg_dump prints it, so anyone
# can read the live definition of every table, function, trigger, view and index in one file.
# Migrations stay the history; schema.sql is where things stand. A test (tests/cli/schema.rs)
# fails when it is out of date.
#
#   scripts/schema.sh               migrate a throw-away PostgreSQL cluster and write schema.sql
#   scripts/schema.sh --normalise   filter `pg_dump --schema-only` output on stdin to stdout
#                                   (the test dumps its own migrated database through this)
#
# The dump is normalised so that it is the same on every run and machine with the same major
# version of PostgreSQL: no version comments, no `\restrict` keys, no `SET` preamble, no
# `_sqlx_migrations` (pass `--exclude-table=_sqlx_migrations` to pg_dump; it is left out here
# too, in case), and a header naming the major version.
#
# Needs PostgreSQL's initdb, pg_ctl, psql and pg_dump (Debian: postgresql, postgresql-client).
set -euo pipefail
cd "$(dirname "$0")/.."

normalise() {
  awk '
    # The major version pg_dump reports, for the header; everything version-specific goes.
    /^-- Dumped by pg_dump version / { split($6, v, "."); major = v[1]; next }
    /^-- Dumped from database version / { next }
    /^\\(un)?restrict / { next }
    /^SET / { next }
    /^SELECT pg_catalog\.set_config\(/ { next }
    { lines[n++] = $0 }
    END {
      print "-- The schema of a database migrated from empty, as pg_dump " major " prints it"
      print "-- (--schema-only --no-owner --no-privileges), normalised by scripts/schema.sh. Do not"
      print "-- edit: change a migration, then run scripts/schema.sh."
      print ""
      # Runs of blank lines (left where the preamble was) become one; none at the end.
      for (i = 0; i < n; i++) {
        if (lines[i] == "") { if (printed) pending = 1; continue }
        if (pending) { print ""; pending = 0 }
        print lines[i]
        printed = 1
      }
    }'
}

if [[ "${1:-}" == "--normalise" ]]; then
  normalise
  exit 0
fi

# The binaries as src/pg/binaries.rs finds them: PATH, `pg_config --bindir`, then the newest
# /usr/lib/postgresql/*/bin.
bindir=""
for d in $(command -v initdb >/dev/null && dirname "$(readlink -f "$(command -v initdb)")") \
         "$(pg_config --bindir 2>/dev/null || true)" \
         $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [[ -n "$d" && -x "$d/initdb" && -x "$d/pg_ctl" ]]; then bindir="$d"; break; fi
done
[[ -n "$bindir" ]] || { echo "install PostgreSQL 14 or newer (initdb, pg_ctl)" >&2; exit 1; }
tool() {
  if [[ -x "$bindir/$1" ]]; then echo "$bindir/$1"; return; fi
  command -v "$1" || { echo "$1 is needed: install postgresql-client" >&2; exit 1; }
}
psql=$(tool psql)
pg_dump=$(tool pg_dump)

dir=$(mktemp -d /tmp/mend-schema.XXXXXX)
chmod 755 "$dir"
as_pg=()
if [[ $(id -u) == 0 ]]; then chown postgres: "$dir"; as_pg=(runuser -u postgres --); fi

cleanup() {
  "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT

"${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U mend -E UTF8 --locale C -A trust >/dev/null
"${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
  -o "-c listen_addresses= -c unix_socket_directories=$dir" start >/dev/null
"$psql" -q -h "$dir" -U mend -d postgres -c 'create database mend' >/dev/null
for f in migrations/*.sql; do
  "$psql" -q -v ON_ERROR_STOP=1 -h "$dir" -U mend -d mend -f "$f" >/dev/null
done

"$pg_dump" --schema-only --no-owner --no-privileges --exclude-table=_sqlx_migrations \
  -h "$dir" -U mend -d mend | normalise > schema.sql.new
mv schema.sql.new schema.sql
echo "wrote schema.sql ($(wc -l < schema.sql) lines, pg_dump $("$pg_dump" --version | awk '{print $3}'))"
