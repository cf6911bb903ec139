# Sourced by the scripts that work from a freshly migrated PostgreSQL database
# (generate-entities.sh, schema-docs.sh): `migrated_scratch_db NAME` creates database
# learndb_NAME_<pid> on the server at TEST_POSTGRES_URL (default: the docker-compose one), migrates
# it with learndb's runner, and drops it again when the script exits. It sets `db_url` (the
# scratch database) and `work` (a temporary folder, removed on exit too).

ADMIN_URL="${TEST_POSTGRES_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}"

migrated_scratch_db() {
  command -v psql >/dev/null || { echo "error: psql is required to create the scratch database (apt-get install postgresql-client)" >&2; exit 1; }
  scratch_db="learndb_$1_$$"
  db_url="${ADMIN_URL%/*}/$scratch_db"
  work=$(mktemp -d)
  trap 'rm -rf "$work"; psql "$ADMIN_URL" -qXc "DROP DATABASE IF EXISTS $scratch_db WITH (FORCE)" >/dev/null 2>&1 || true' EXIT
  psql "$ADMIN_URL" -qXc "CREATE DATABASE $scratch_db" >/dev/null
  # Through cargo, so a CARGO_TARGET_DIR elsewhere is found.
  cargo run -q -p migration -- --database-url "$db_url" up >/dev/null 2>"$work/migrate.log" \
    || { cat "$work/migrate.log" >&2; echo "error: migrating the scratch database failed" >&2; exit 1; }
}
