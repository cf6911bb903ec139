#!/usr/bin/env bash
# Regenerates everything that is derived from the migrations (and from the schema contract), in
# this order, each part by its own building block:
#   1. tests/fixtures/spec_schema.json    python3 scripts/spec-fixture.py SPEC.md SPEC-26-27.md
#   2. tests/fixtures/legacy/*.schema.sql python3 scripts/legacy-ddl.py <system> (legacy-catalog.json)
#   3. schema/{postgres,mysql,sqlite}.sql scripts/schema-sql.sh
#   4. schema/catalog/*.json              LEARNDB_BLESS=1 cargo test --test verify committed_catalog_is_current
#   5. entity/src/generated, docs/er-diagram.md   scripts/generate-entities.sh
#   6. docs/schema/                       scripts/schema-docs.sh
# With --check nothing is written: every part is compared instead, and the command fails at the
# end naming each stale part and the command that fixes it (CI runs this).
#
#   scripts/regen.sh            # rewrite all of them; commit the result with the migration
#   scripts/regen.sh --check    # exit 1 if any of them is stale
#
# Needs what the parts need: python3; PostgreSQL at TEST_POSTGRES_URL and MariaDB/MySQL at
# TEST_MYSQL_URL (the catalogs are recorded on every backend); psql; sea-orm-cli at the version
# scripts/generate-entities.sh pins. The spec is read from $LEARNDB_SPEC_DIR (default
# ../shared/schema, beside this checkout); without that folder part 1 is skipped with a note.
set -euo pipefail
cd "$(dirname "$0")/.."

CHECK=()
case "${1:-}" in
  "") ;;
  --check) CHECK=(--check) ;;
  *) echo "error: unknown argument '$1'; usage: scripts/regen.sh [--check]" >&2; exit 2 ;;
esac
SPEC_DIR="${LEARNDB_SPEC_DIR:-../shared/schema}"
SPEC_FILES=("$SPEC_DIR/SPEC.md" "$SPEC_DIR/SPEC-26-27.md")
FIXTURE=tests/fixtures/spec_schema.json

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 1. The spec fixture: the tests' copy of the schema contract.
spec_fixture() {
  if [ ! -d "$SPEC_DIR" ]; then
    echo "note: skipped: $SPEC_DIR is absent, so $FIXTURE is neither regenerated nor compared (set LEARNDB_SPEC_DIR to the folder of SPEC.md)"
    return 0
  fi
  # (Called in an `if`, so errexit is off in here: every failure returns by hand.)
  python3 scripts/spec-fixture.py "${SPEC_FILES[@]}" >"$work/spec_schema.json" || return 1
  if [ "${#CHECK[@]}" = 0 ]; then
    cp "$work/spec_schema.json" "$FIXTURE" || return 1
    echo "regenerated $FIXTURE from ${SPEC_FILES[*]}"
  elif diff -u "$FIXTURE" "$work/spec_schema.json" >"$work/fixture.diff"; then
    echo "$FIXTURE matches ${SPEC_FILES[*]}"
  else
    head -n 60 "$work/fixture.diff" >&2
    echo "error: $FIXTURE is stale ($(grep -c '^[-+][^-+]' "$work/fixture.diff") changed lines, the first above)" >&2
    return 1
  fi
}

# 2b. The legacy schemas the import tests build their sources from (tests/fixtures/legacy/
# <system>.schema.sql), generated from the legacy catalog beside the spec.
LEGACY_CATALOG="${LEARNDB_LEGACY_CATALOG:-../shared/reference/legacy-catalog.json}"
legacy_fixtures() {
  if [ ! -f "$LEGACY_CATALOG" ]; then
    echo "note: skipped: $LEGACY_CATALOG is absent, so tests/fixtures/legacy/*.schema.sql are neither regenerated nor compared (set LEARNDB_LEGACY_CATALOG)"
    return 0
  fi
  local system stale=0
  for system in storysign kedge adaptive lms writebot; do
    local file="tests/fixtures/legacy/$system.schema.sql"
    python3 scripts/legacy-ddl.py "$system" --catalog "$LEGACY_CATALOG" >"$work/$system.sql" || return 1
    if [ "${#CHECK[@]}" = 0 ]; then
      cp "$work/$system.sql" "$file" || return 1
    elif ! diff -q "$file" "$work/$system.sql" >/dev/null; then
      echo "error: $file is stale (scripts/legacy-ddl.py $system gives another DDL)" >&2
      stale=1
    fi
  done
  [ "$stale" = 0 ] && echo "tests/fixtures/legacy/*.schema.sql match $LEGACY_CATALOG"
  [ "$stale" = 0 ]
}

# 3. The committed catalogs, recorded from a freshly migrated database on every backend by the
# test that also checks them (tests/verify.rs).
catalogs() {
  local log="$work/catalogs.log"
  if [ "${#CHECK[@]}" = 0 ]; then
    LEARNDB_BLESS=1 cargo test -q --test verify committed_catalog_is_current >"$log" 2>&1 \
      || { tail -n 40 "$log" >&2; return 1; }
    echo "regenerated schema/catalog/*.json"
  else
    env -u LEARNDB_BLESS cargo test -q --test verify committed_catalog_is_current >"$log" 2>&1 \
      || { grep -E 'panicked|is stale|error' "$log" | head -n 20 >&2; tail -n 5 "$log" >&2; return 1; }
    echo "schema/catalog/*.json match the migrated schema"
  fi
}

parts=(
  "spec fixture|spec_fixture|python3 scripts/spec-fixture.py ${SPEC_FILES[*]} > $FIXTURE"
  "legacy schemas|legacy_fixtures|python3 scripts/legacy-ddl.py <system> > tests/fixtures/legacy/<system>.schema.sql"
  "schema SQL|scripts/schema-sql.sh ${CHECK[*]}|scripts/schema-sql.sh"
  "catalogs|catalogs|LEARNDB_BLESS=1 cargo test --test verify committed_catalog_is_current"
  "entities and ER diagram|scripts/generate-entities.sh ${CHECK[*]}|scripts/generate-entities.sh"
  "schema docs|scripts/schema-docs.sh ${CHECK[*]}|scripts/schema-docs.sh"
)

stale=()
n=0
for part in "${parts[@]}"; do
  IFS='|' read -r name cmd fix <<<"$part"
  n=$((n + 1))
  printf '\n--> regen %d/%d: %s\n' "$n" "${#parts[@]}" "$name"
  # shellcheck disable=SC2086 # $cmd is a function or script name plus an optional --check
  if ! $cmd; then
    if [ "${#CHECK[@]}" = 0 ]; then
      echo "error: regenerating the $name failed (above); nothing after it was regenerated" >&2
      exit 1
    fi
    stale+=("$name: fix with scripts/regen.sh (this part alone: $fix)")
  fi
done

if [ "${#stale[@]}" != 0 ]; then
  echo >&2
  echo "error: ${#stale[@]} of ${#parts[@]} generated parts are stale or could not be checked:" >&2
  printf '  - %s\n' "${stale[@]}" >&2
  echo "run scripts/regen.sh and commit the result" >&2
  exit 1
fi
if [ "${#CHECK[@]}" = 0 ]; then
  echo; echo "regenerated everything derived from the migrations; review with git status and commit it"
else
  echo; echo "everything derived from the migrations is current"
fi
