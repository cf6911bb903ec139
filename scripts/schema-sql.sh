#!/usr/bin/env bash
# Regenerates schema/{postgres,mysql,sqlite}.sql: the full DDL each backend gets, rendered by
# `learndb sql` without a database. Commit the result with every schema change, so the change
# is reviewable as SQL; `cargo test` (tests/schema_sql.rs) fails while they are stale.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q --bin learndb
for backend in postgres mysql sqlite; do
  target/debug/learndb sql --backend "$backend" > "schema/$backend.sql"
done
echo "regenerated schema/postgres.sql schema/mysql.sql schema/sqlite.sql"
