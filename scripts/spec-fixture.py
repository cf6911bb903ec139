#!/usr/bin/env python3
"""Turn the schema contract (SPEC.md) into tests/fixtures/spec_schema.json.

The integration tests compare the migrated databases against this file, so the
expectation comes from the spec itself rather than from a second hand-written copy
of the migrations. Run it whenever SPEC.md changes:

    python3 scripts/spec-fixture.py ../shared/schema/SPEC.md > tests/fixtures/spec_schema.json
"""
import json
import re
import sys

MODULE_RE = re.compile(r"^## \d+[a-z]?\. Module `(\w+)`")
TABLE_RE = re.compile(r"^#### `(\w+)`")
ITEM_RE = re.compile(r"^- \*\*(PK|FK|UQ|CK|IX):\*\*\s*(.*)$")
SUB_RE = re.compile(r"^  - (.*)$")
NAMED_COLS_RE = re.compile(r"`(\w+)` \(([\w, ]+)\)")
FK_RE = re.compile(r"`(\w+)` \((\w+)\) → (\w+)\((\w+)\) ON DELETE (CASCADE|SET NULL|RESTRICT|NO ACTION)")
CK_RE = re.compile(r"`(ck_\w+)`")


def parse_columns(lines):
    cols = []
    for line in lines:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 4 or cells[0] in ("Column", "") or set(cells[0]) <= set("-"):
            continue
        name, typ, null, default = cells[:4]
        cols.append({
            "name": name,
            "type": typ.replace(" ", ""),
            "nullable": null == "yes",
            "default": None if default in ("–", "-", "") else default.strip("'"),
        })
    return cols


def std_columns(std_line):
    text = std_line.split("**Std:**", 1)[1]
    names = []
    for candidate in ("id", "created_at", "updated_at"):
        if re.search(rf"(^|[ ,]){candidate}([,.\s]|$)", text.split("(")[0]):
            names.append(candidate)
    cols = []
    for n in names:
        if n == "id":
            cols.append({"name": "id", "type": "uuid", "nullable": False, "default": None})
        else:
            cols.append({"name": n, "type": "timestamptz", "nullable": False, "default": "now"})
    return cols


def parse(path):
    module = None
    tables = []
    current = None
    section = None
    column_lines = []
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    for line in lines:
        m = MODULE_RE.match(line)
        if m:
            module = m.group(1)
            current = None
            continue
        if line.startswith("## "):
            module = None
            current = None
            continue
        m = TABLE_RE.match(line)
        if m and module:
            current = {"name": m.group(1), "module": module, "std": [], "columns": [],
                       "pk": [], "fks": [], "uniques": [], "checks": [], "indexes": []}
            tables.append(current)
            column_lines = []
            section = None
            continue
        if current is None:
            continue
        if line.startswith("**Std:**"):
            current["std"] = std_columns(line)
            continue
        if line.startswith("|"):
            column_lines.append(line)
            current["columns"] = parse_columns(column_lines)
            continue
        m = ITEM_RE.match(line)
        if m:
            section, rest = m.group(1), m.group(2)
            add_item(current, section, rest)
            continue
        m = SUB_RE.match(line)
        if m and section:
            add_item(current, section, m.group(1))
            continue
        if line and not line.startswith(" "):
            section = None
    for t in tables:
        t["columns"] = order_columns(t)
        del t["std"]
    return tables


def order_columns(t):
    std = {c["name"]: c for c in t["std"]}
    cols = []
    if "id" in std:
        cols.append(std["id"])
    cols.extend(t["columns"])
    for n in ("created_at", "updated_at"):
        if n in std and not any(c["name"] == n for c in cols):
            cols.append(std[n])
    return cols


def add_item(t, section, text):
    if text.startswith("none"):
        return
    if section == "PK":
        t["pk"] = re.findall(r"`(\w+)`", text.split(" on ")[0])[:1] if "PG it is" in text else re.findall(r"`(\w+)`", text)
        if "PG it is" in text:
            t["pk_postgres"] = ["id", "created_at"]
    elif section == "FK":
        for name, col, ref, ref_col, action in FK_RE.findall(text):
            t["fks"].append({"name": name, "column": col, "ref_table": ref, "ref_column": ref_col,
                             "on_delete": action})
    elif section == "UQ":
        for name, cols in NAMED_COLS_RE.findall(text):
            t["uniques"].append({"name": name, "columns": [c.strip() for c in cols.split(",")]})
    elif section == "IX":
        for name, cols in NAMED_COLS_RE.findall(text):
            t["indexes"].append({"name": name, "columns": [c.strip() for c in cols.split(",")]})
    elif section == "CK":
        m = CK_RE.search(text)
        if m:
            t["checks"].append({"name": m.group(1), "pg_sqlite_only": "‡" in text})


ENUM_ROW_RE = re.compile(r"^\| \d+ \| `(\w+)` \| ([^|]+) \|")
COUNT_ROW_RE = re.compile(r"^\| (\w+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$")


def parse_enums(lines):
    """§2: `| # | `name` | v1, v2, ... | used by | ... |` rows."""
    enums = {}
    in_section = False
    for line in lines:
        if line.startswith("## "):
            in_section = line.startswith("## 2. Enums")
        m = in_section and ENUM_ROW_RE.match(line)
        if m:
            enums[m.group(1)] = [v.strip() for v in m.group(2).split(",")]
    return enums


def parse_module_counts(lines):
    """§25 "Per module": tables, FK, UQ, CK, IX for each module."""
    counts = {}
    in_section = False
    for line in lines:
        if line.startswith("### Per module"):
            in_section = True
            continue
        if in_section:
            m = COUNT_ROW_RE.match(line)
            if m:
                name, *nums = m.groups()
                counts[name] = dict(zip(("tables", "fk", "uq", "ck", "ix"), map(int, nums)))
    return counts


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "../shared/schema/SPEC.md"
    tables = parse(path)
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    out = {
        "source": "shared/schema/SPEC.md",
        "enums": parse_enums(lines),
        "module_counts": parse_module_counts(lines),
        "tables": tables,
    }
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
