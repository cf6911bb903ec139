#!/usr/bin/env bash
# Regenerates schema/{postgres,mysql,sqlite}.sql: the full DDL each backend gets, rendered by
# `learndb sql` without a database. Commit the result with every schema change, so the change
# is reviewable as SQL; `cargo test` (tests/schema_sql.rs) fails while they are stale.
# scripts/regen.sh runs it with the other generators.
#
#   scripts/schema-sql.sh            # rewrite schema/*.sql
#   scripts/schema-sql.sh --check    # exit 1 if any of them is stale
set -euo pipefail
cd "$(dirname "$0")/.."
CHECK=0
case "${1:-}" in
  "") ;;
  --check) CHECK=1 ;;
  *) echo "error: unknown argument '$1'; usage: scripts/schema-sql.sh [--check]" >&2; exit 2 ;;
esac
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Through cargo, so a CARGO_TARGET_DIR elsewhere is found.
stale=0
for backend in postgres mysql sqlite; do
  cargo run -q --bin learndb -- sql --backend "$backend" >"$work/$backend.sql"
  if [ "$CHECK" = 1 ]; then
    diff -u "schema/$backend.sql" "$work/$backend.sql" >&2 || stale=1
  else
    cp "$work/$backend.sql" "schema/$backend.sql"
  fi
done
if [ "$CHECK" = 0 ]; then
  echo "regenerated schema/postgres.sql schema/mysql.sql schema/sqlite.sql"
elif [ "$stale" = 1 ]; then
  echo "error: schema/*.sql is stale (differences above); run scripts/schema-sql.sh and commit the result" >&2
  exit 1
else
  echo "schema/postgres.sql schema/mysql.sql schema/sqlite.sql match the migrations"
fi
