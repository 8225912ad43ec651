#!/usr/bin/env bash
# Runs Mend's crash-safety tests (tests/cli/crash.rs) on their own, one at a time.
#
# Each test runs the real `mend serve` on a private data folder with its own embedded
# PostgreSQL, under concurrent case creations and conversation posts from several clients:
#   - kill -9 of Mend mid-load, then a restart on the same folder: every request that got a
#     success answer (the redirect to the case) is in the database exactly once, no case lacks
#     its creation event, and no conversation its timeline event.
#   - PostgreSQL stopped with `pg_ctl stop -m immediate` mid-load: pages answer 503 "Mend is
#     unavailable" (with Retry-After) within seconds, /readyz answers 503, /healthz 200, Mend
#     and its scheduler keep running; then Mend starts PostgreSQL again by itself, /readyz turns
#     200 without a restart of Mend, the same session works, and again everything acknowledged
#     before, during or after the outage is stored exactly once and nothing is half-written.
#
# CI runs the same tests within `cargo test`; this script is for running them alone:
#   scripts/crash.sh            a release build (closest to production timing)
#   scripts/crash.sh --debug    the debug build `cargo test` uses (no second build)
# Honours CARGO_TARGET_DIR. Needs PostgreSQL's initdb, pg_ctl and postgres; as root, a
# `postgres` user (PostgreSQL refuses to run as root).
set -euo pipefail
cd "$(dirname "$0")/.."

profile=(--release)
if [[ "${1:-}" == "--debug" ]]; then profile=(); fi
export SQLX_OFFLINE=${SQLX_OFFLINE:-true}
exec cargo test "${profile[@]}" --locked --test cli crash -- --nocapture --test-threads=1
