#!/usr/bin/env bash
# Regenerates entity/src from the migrated PostgreSQL schema: the one command behind the entity
# crate (never edit its files by hand). With --check it regenerates into a temporary folder and
# fails if entity/src differs, for CI.
#
#   scripts/generate-entities.sh            # rewrite entity/src
#   scripts/generate-entities.sh --check    # exit 1 if entity/src is stale
#
# Needs sea-orm-cli 2.0.x (cargo install sea-orm-cli@2.0.4 --locked), psql, and a PostgreSQL
# server at TEST_POSTGRES_URL (default: the docker-compose one) where the user may create databases.
set -euo pipefail
cd "$(dirname "$0")/.."

SEA_ORM_CLI_SERIES="2.0."
ADMIN_URL="${TEST_POSTGRES_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}"
CHECK=0
[ "${1:-}" = "--check" ] && CHECK=1

version=$(sea-orm-cli --version 2>/dev/null | awk '{print $2}') || true
case "$version" in
  "$SEA_ORM_CLI_SERIES"*) ;;
  *) echo "error: sea-orm-cli ${SEA_ORM_CLI_SERIES}x is required (found: ${version:-none}); install it with: cargo install sea-orm-cli@2.0.4 --locked" >&2; exit 1 ;;
esac
command -v psql >/dev/null || { echo "error: psql is required to create the scratch database (apt-get install postgresql-client)" >&2; exit 1; }

db="learndb_entities_$$"
db_url="${ADMIN_URL%/*}/$db"
psql "$ADMIN_URL" -qXc "CREATE DATABASE $db" >/dev/null
trap 'psql "$ADMIN_URL" -qXc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null' EXIT

cargo run -q -p migration -- --database-url "$db_url" up >/dev/null

# The partitions of `attempts` (attempts_default, attempts_<year>) are tables to sea-orm-cli,
# which would emit an entity per partition with wrong relations (SeaQL/sea-orm#1582); services
# read and write them through `attempts`.
partitions=$(psql "$db_url" -qAtXc "SELECT string_agg(c.relname, ',' ORDER BY c.relname) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE c.relkind IN ('r', 'p')")
ignore="seaql_migrations,learndb_migration_history,learndb_migration_journal${partitions:+,$partitions}"

out=entity/src
if [ "$CHECK" = 1 ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"; psql "$ADMIN_URL" -qXc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null' EXIT
else
  rm -rf entity/src
fi

sea-orm-cli generate entity \
  --database-url "$db_url" \
  --output-dir "$out" \
  --lib \
  --with-serde both \
  --date-time-crate chrono \
  --ignore-tables "$ignore" \
  --banner-version minor >/dev/null

# Format with the workspace's rustfmt so `cargo fmt --check` holds for generated code too.
rustfmt --edition 2024 "$out"/*.rs

if [ "$CHECK" = 1 ]; then
  if ! diff -ru entity/src "$out" >&2; then
    echo "error: entity/src is stale; run scripts/generate-entities.sh and commit the result" >&2
    exit 1
  fi
  echo "entity/src matches the migrated schema"
else
  echo "regenerated entity/src from the migrated PostgreSQL schema ($(ls entity/src | wc -l) files)"
fi
