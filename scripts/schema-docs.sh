#!/usr/bin/env bash
# Regenerates docs/schema/ (the schema reference: one Markdown page per table group with a
# Mermaid ER diagram, and README.md, the index) from a freshly migrated PostgreSQL database, with
# `learndb docs`. With --check it compares instead and fails naming every stale, missing or extra
# page, for CI; `cargo test --test docs` checks the same on every run.
#
#   scripts/schema-docs.sh            # rewrite docs/schema
#   scripts/schema-docs.sh --check    # exit 1 if docs/schema is stale
#
# Needs psql and a PostgreSQL server at TEST_POSTGRES_URL (default: the docker-compose one) where
# the user may create databases. When scripts/mermaid-check has its dependencies
# (npm ci --prefix scripts/mermaid-check), every diagram is also parsed with Mermaid.
set -euo pipefail
cd "$(dirname "$0")/.."

. scripts/scratch-db.sh
OUT=docs/schema
CHECK=()
case "${1:-}" in
  "") ;;
  --check) CHECK=(--check) ;;
  *) echo "error: unknown argument '$1'; usage: scripts/schema-docs.sh [--check]" >&2; exit 2 ;;
esac
migrated_scratch_db docs

# Through cargo, so a CARGO_TARGET_DIR elsewhere is found.
learndb() { cargo run -q --bin learndb -- "$@"; }

# The command prints which database it read (a scratch one) and what it wrote; the pages name
# neither the database nor the time, so a regeneration changes them only when the schema changes.
status=0
learndb docs --database-url "$db_url" --out "$OUT" "${CHECK[@]}" >"$work/docs.log" || status=$?
tail -n 1 "$work/docs.log"
if [ "$status" != 0 ]; then
  [ "${#CHECK[@]}" = 0 ] || echo "error: $OUT is stale; run scripts/schema-docs.sh and commit the result" >&2
  exit "$status"
fi

if [ -d scripts/mermaid-check/node_modules ]; then
  node scripts/mermaid-check/check.mjs "$OUT"/*.md
else
  echo "note: the Mermaid parse check did not run; install it with: npm ci --prefix scripts/mermaid-check" >&2
fi
