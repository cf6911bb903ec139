#!/usr/bin/env python3
"""Turn the schema contract (SPEC.md) into tests/fixtures/spec_schema.json.

The integration tests compare the migrated databases against this file, so the
expectation comes from the spec itself rather than from a second hand-written copy
of the migrations. Run it whenever SPEC.md changes:

    python3 scripts/spec-fixture.py ../shared/schema/SPEC.md > tests/fixtures/spec_schema.json

What it extracts:
- `enums` (§2), `module_counts` (§25 "Per module") and `tables` (§3-§16b: columns,
  PK, FK, UQ, CK, IX; `pk_postgres` and a unique's `columns_postgres` where the key
  differs on PostgreSQL);
- `views` (§20): name, output columns in order, and per backend "yes" / "no" /
  "conditional" (plus what the condition depends on);
- `trigger_tables`: the tables whose Std line has `updated_at` (§19);
- `seeds` (§21): per seed table, the fixed ids and each row's natural key.

It is also a check of the spec against itself: the counts computed from the parsed
tables must equal §25 (per module and headline), the `updated_at` tables must equal
§19's statement, and the seed rows must add up to §21/§25. On any mismatch it prints
one line per problem to stderr, writes nothing to stdout and exits 1.
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
# `uq_x`: followed by one sub-item per backend group, e.g. "PG: (a, b)."
PER_BACKEND_HEAD_RE = re.compile(r"^`(\w+)`:\s*$")
PER_BACKEND_ITEM_RE = re.compile(r"^([\w ,/]+): \(([\w, ]+)\)")
ITEM_PREFIX = {"FK": "fk_", "UQ": "uq_", "CK": "ck_", "IX": "ix_"}
STD_NAMES = ("id", "created_at", "updated_at")

ERRORS = []


def error(msg):
    ERRORS.append(msg)


def is_postgres_label(label):
    return re.search(r"\b(PG|PostgreSQL)\b", label) is not None


# --------------------------------------------------------------------------- tables


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


def std_names(std_line, where):
    """`**Std:** id, created_at[, updated_at]` up to the first "(" or sentence end."""
    text = std_line.split("**Std:**", 1)[1]
    text = re.split(r"\(|\.(?:\s|$)", text, maxsplit=1)[0]
    names = [n.strip() for n in text.split(",") if n.strip()]
    for n in names:
        if n not in STD_NAMES:
            error(f"{where}: Std line names {n!r}, expected only {', '.join(STD_NAMES)}")
    return [n for n in STD_NAMES if n in names]


def std_columns(names):
    cols = []
    for n in names:
        if n == "id":
            cols.append({"name": "id", "type": "uuid", "nullable": False, "default": None})
        else:
            cols.append({"name": n, "type": "timestamptz", "nullable": False, "default": "now"})
    return cols


def parse_tables(lines):
    module = None
    tables = []
    current = None
    section = None
    column_lines = []
    for lineno, line in enumerate(lines, 1):
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
        where = f"line {lineno} ({current['name']})"
        if line.startswith("**Std:**"):
            current["std"] = std_names(line, where)
            continue
        if line.startswith("|"):
            column_lines.append(line)
            current["columns"] = parse_columns(column_lines)
            continue
        m = ITEM_RE.match(line)
        if m:
            section, rest = m.group(1), m.group(2)
            current["_pending"] = None
            add_item(current, section, rest, where)
            continue
        m = SUB_RE.match(line)
        if m and section:
            add_item(current, section, m.group(1), where)
            continue
        if line and not line.startswith(" "):
            section = None
    for t in tables:
        pending = t.pop("_pending", None)
        if pending is not None and not pending.get("columns"):
            error(f"{t['name']}: {pending['name']} has no columns for the non-PG backends")
        t["columns"] = order_columns(t)
        t["_std"] = t.pop("std")
    return tables


def order_columns(t):
    std = {c["name"]: c for c in std_columns(t["std"])}
    cols = []
    if "id" in std:
        cols.append(std["id"])
    cols.extend(t["columns"])
    for n in ("created_at", "updated_at"):
        if n in std and not any(c["name"] == n for c in cols):
            cols.append(std[n])
    return cols


def add_item(t, section, text, where):
    if text.startswith("none"):
        return
    if section == "PK":
        # "`id`", or "`id` on MySQL, TiDB and SQLite. On **PG it is (id, created_at)**, ..."
        first_sentence = re.split(r"\.(?:\s|$)", text, maxsplit=1)[0]
        t["pk"] = re.findall(r"`(\w+)`", first_sentence)
        m = re.search(r"\bPG\b[^()]*\(([\w, ]+)\)", text)
        if m:
            t["pk_postgres"] = [c.strip() for c in m.group(1).split(",")]
        if not t["pk"]:
            error(f"{where}: cannot read the PK from {text!r}")
        return
    pending = t.get("_pending")
    if pending is not None and pending["section"] == section and not text.startswith("`"):
        # A per-backend variant of the preceding `name`: item.
        m = PER_BACKEND_ITEM_RE.match(text)
        if not m:
            error(f"{where}: cannot read the per-backend columns of {pending['name']} from {text!r}")
            return
        key = "columns_postgres" if is_postgres_label(m.group(1)) else "columns"
        pending[key] = [c.strip() for c in m.group(2).split(",")]
        return
    parsed = 0
    if section == "FK":
        for name, col, ref, ref_col, action in FK_RE.findall(text):
            t["fks"].append({"name": name, "column": col, "ref_table": ref, "ref_column": ref_col,
                             "on_delete": action})
            parsed += 1
    elif section in ("UQ", "IX"):
        target = t["uniques"] if section == "UQ" else t["indexes"]
        m = PER_BACKEND_HEAD_RE.match(text)
        if m:
            item = {"name": m.group(1), "columns": None, "section": section}
            target.append(item)
            t["_pending"] = item
            return
        for name, cols in NAMED_COLS_RE.findall(text):
            target.append({"name": name, "columns": [c.strip() for c in cols.split(",")]})
            parsed += 1
    elif section == "CK":
        m = CK_RE.search(text)
        if m:
            t["checks"].append({"name": m.group(1), "pg_sqlite_only": "‡" in text})
            parsed += 1
    # An item that names a constraint but could not be read is a parser or spec bug;
    # other text (e.g. "all new; ...") is a header note for the sub-items below.
    if not parsed and text.startswith("`" + ITEM_PREFIX[section]):
        error(f"{where}: cannot read {section} item {text!r}")


def finish_items(tables):
    """Drop the parser's bookkeeping from per-backend items."""
    for t in tables:
        for lst in (t["uniques"], t["indexes"]):
            for item in lst:
                item.pop("section", None)


# --------------------------------------------------------------------------- sections


def section_lines(lines, heading_re):
    """The lines of the `## ` section whose heading matches, without the heading."""
    pat = re.compile(heading_re)
    for i, line in enumerate(lines):
        if line.startswith("## ") and pat.match(line):
            out = []
            for other in lines[i + 1:]:
                if other.startswith("## "):
                    break
                out.append(other)
            return line, out
    error(f"SPEC.md has no section matching {heading_re!r}")
    return "", []


def table_cells(line):
    return [c.strip() for c in line.strip().strip("|").split("|")]


def is_table_row(line):
    if not line.startswith("|"):
        return False
    cells = table_cells(line)
    return not all(set(c) <= set("-: ") for c in cells)


ENUM_ROW_RE = re.compile(r"^\| \d+ \| `(\w+)` \| ([^|]+) \|")
COUNT_ROW_RE = re.compile(r"^\| (\w+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \| (\d+) \|$")
TOTAL_ROW_RE = re.compile(r"^\| \*\*Total\*\* \| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \| \*\*(\d+)\*\* \|$")
COUNT_KEYS = ("tables", "fk", "uq", "ck", "ix")


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
    """§25 "Per module": tables, FK, UQ, CK, IX for each module, and the Total row."""
    counts = {}
    total = None
    in_section = False
    for line in lines:
        if line.startswith("### Per module"):
            in_section = True
            continue
        if in_section:
            m = COUNT_ROW_RE.match(line)
            if m:
                name, *nums = m.groups()
                counts[name] = dict(zip(COUNT_KEYS, map(int, nums)))
            m = TOTAL_ROW_RE.match(line)
            if m:
                total = dict(zip(COUNT_KEYS, map(int, m.groups())))
    if not counts:
        error("§25: no \"Per module\" table found")
    if total is None:
        error("§25: the \"Per module\" table has no **Total** row")
    return counts, total


def parse_headline_counts(lines):
    """§25 "Counts": `| Item | Count | Notes |` rows, item label -> (first number, notes)."""
    _, body = section_lines(lines, r"^## \d+\. Counts")
    out = {}
    for line in body:
        if line.startswith("### "):
            break
        if not is_table_row(line):
            continue
        cells = table_cells(line)
        if len(cells) < 2 or cells[0] == "Item":
            continue
        label = cells[0].replace("**", "").strip()
        m = re.search(r"\d+", cells[1])
        if m:
            out[label] = (int(m.group()), cells[2] if len(cells) > 2 else "")
    return out


# --------------------------------------------------------------------------- views (§20)

BACKEND_LABELS = {
    "PG": ("postgres",),
    "PostgreSQL": ("postgres",),
    "MySQL": ("mysql",),
    "MySQL/TiDB": ("mysql",),
    "MariaDB": (),
    "TiDB": (),
    "SQLite": ("sqlite",),
}
BACKENDS = ("postgres", "mysql", "sqlite")
CLAUSE_RE = re.compile(r"(?:^|(?<=\. ))(" + "|".join(sorted(map(re.escape, BACKEND_LABELS), key=len, reverse=True)) + r"): ")
CONDITIONAL_RE = re.compile(r"\bonly when\b|\brequires\b|\bskipped\b")
# Explicit per-view, per-backend verdicts for Backends cells the rules above cannot
# read, e.g. {"some_view": {"sqlite": "conditional"}}. Empty: every cell of the
# current SPEC.md is read by the rules.
VIEW_BACKEND_OVERRIDES = {}


def top_level_split(text, sep):
    """Split on `sep` outside parentheses and backticks."""
    parts, depth, in_code, buf = [], 0, False, ""
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "`":
            in_code = not in_code
        elif not in_code and ch == "(":
            depth += 1
        elif not in_code and ch == ")":
            depth = max(0, depth - 1)
        if not in_code and depth == 0 and text.startswith(sep, i):
            parts.append(buf)
            buf = ""
            i += len(sep)
            continue
        buf += ch
        i += 1
    parts.append(buf)
    return parts


def view_columns(cell, where):
    first_sentence = top_level_split(cell, ". ")[0].rstrip().rstrip(".")
    cols = []
    for piece in top_level_split(first_sentence, ","):
        m = re.match(r"\s*(\w+)", piece)
        if not m:
            error(f"{where}: no column name in {piece.strip()!r}")
            continue
        cols.append(m.group(1))
    return cols


def view_backends(name, cell, where):
    if re.match(r"All\b", cell):
        backends = {b: "yes" for b in BACKENDS}
        requires = {}
    else:
        backends, requires = {}, {}
        matches = list(CLAUSE_RE.finditer(cell))
        for i, m in enumerate(matches):
            end = matches[i + 1].start() if i + 1 < len(matches) else len(cell)
            clause = cell[m.end():end].strip()
            for b in BACKEND_LABELS[m.group(1)]:
                if b in backends:
                    error(f"{where}: two Backends clauses for {b}")
                if re.match(r"(none|nothing|not available|n/a)\b", clause, re.I):
                    backends[b] = "no"
                elif CONDITIONAL_RE.search(clause):
                    backends[b] = "conditional"
                    code = re.search(r"`([^`]+)`", clause)
                    if code:
                        requires[b] = code.group(1)
                    else:
                        error(f"{where}: conditional on {b}, but no `name` says on what")
                else:
                    backends[b] = "yes"
    backends.update(VIEW_BACKEND_OVERRIDES.get(name, {}))
    for b in BACKENDS:
        if backends.get(b) not in ("yes", "no", "conditional"):
            error(f"{where}: the Backends cell says nothing about {b}")
    return {b: backends.get(b) for b in BACKENDS}, requires


def parse_views(lines):
    heading, body = section_lines(lines, r"^## \d+[a-z]?\. Module `views`")
    views = []
    for line in body:
        if not is_table_row(line):
            continue
        cells = table_cells(line)
        if cells[0] == "#":
            continue
        if len(cells) != 5:
            error(f"§20: expected 5 cells, got {len(cells)} in {line[:60]!r}")
            continue
        _, name_cell, _, cols_cell, backends_cell = cells
        m = re.fullmatch(r"`(\w+)`", name_cell)
        if not m:
            error(f"§20: cannot read the view name {name_cell!r}")
            continue
        name = m.group(1)
        where = f"§20 {name}"
        backends, requires = view_backends(name, backends_cell, where)
        views.append({"name": name, "columns": view_columns(cols_cell, where),
                      "backends": backends, "requires": requires})
    m = re.search(r"(\d+) views", heading)
    if not m:
        error(f"§20: the heading {heading!r} does not state the number of views")
    elif int(m.group(1)) != len(views):
        error(f"§20: the heading says {m.group(1)} views, the table has {len(views)}")
    names = [v["name"] for v in views]
    for n in sorted({n for n in names if names.count(n) > 1}):
        error(f"§20: view {n} is listed twice")
    return views


# --------------------------------------------------------------------------- triggers (§19)


def check_trigger_tables(lines, tables, trigger_tables):
    _, body = section_lines(lines, r"^## \d+[a-z]?\. Module `triggers`")
    text = " ".join(body)
    m = re.search(r"(\d+) tables have `updated_at`\. These are every table except ([^.]+)\.", text)
    if not m:
        error("§19: no \"N tables have `updated_at`. These are every table except ...\" statement")
        return
    stated = int(m.group(1))
    excluded = [n.strip() for n in re.split(r",\s*(?:and\s+)?|\s+and\s+", m.group(2)) if n.strip()]
    names = [t["name"] for t in tables]
    for n in excluded:
        if n not in names:
            error(f"§19: excluded table {n} is not a table of the spec")
    expected = [n for n in names if n not in excluded]
    for n in expected:
        if n not in trigger_tables:
            error(f"§19: {n} should have updated_at, but its Std line lacks it")
    for n in trigger_tables:
        if n in excluded:
            error(f"§19: {n} is listed as without updated_at, but its Std line has it")
    if stated != len(trigger_tables):
        error(f"§19: says {stated} tables have updated_at, the Std lines give {len(trigger_tables)}")
    if stated != len(expected):
        error(f"§19: says {stated} tables have updated_at, but excludes {len(excluded)} of {len(names)}")


# --------------------------------------------------------------------------- seeds (§21)

UUID_RE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
NIL_UUID = "00000000-0000-0000-0000-000000000000"
SEED_KEY_COLUMNS = ("name", "username", "preference_key")
SHORT_RANGE_RE = re.compile(r"\bids (?:…|\.\.\.)([0-9a-f]+) to (?:…|\.\.\.)([0-9a-f]+)")


def expand_short_ids(first, last, template, where):
    """"…0401 to …0405" -> full ids, the tails right-aligned into a full seed id."""
    if template is None:
        error(f"{where}: short ids …{first}, but no full seed id to expand them from")
        return []
    width = len(first)
    if len(last) != width:
        error(f"{where}: id tails …{first} and …{last} differ in length")
    lo, hi = int(first, 16), int(last, 16)
    if hi < lo:
        error(f"{where}: id range …{first} to …{last} is empty")
    return [template[:-width] + format(n, f"0{width}x") for n in range(lo, hi + 1)]


def parse_seeds(lines, tables):
    _, body = section_lines(lines, r"^## \d+[a-z]?\. Module `seed`")
    table_names = {t["name"] for t in tables}
    seeds = []
    current = None
    header = None
    template = None  # the first full seed id that is not the nil UUID
    pending_ids = []

    def close(seed):
        if seed is None:
            return
        if pending_ids:
            error(f"§21 {seed['table']}: {len(pending_ids)} ids listed but only {len(seed['rows'])} rows")
        if not seed["rows"]:
            error(f"§21 {seed['table']}: no rows found")

    for line in body:
        if line.startswith("|"):
            if current is None or not is_table_row(line):
                continue
            cells = table_cells(line)
            if header is None:
                header = cells
                keys = [k for k in SEED_KEY_COLUMNS if k in header]
                if keys:
                    current["key_column"] = keys[0]
                else:
                    error(f"§21 {current['table']}: table without a natural key column ({', '.join(SEED_KEY_COLUMNS)})")
                continue
            if current["key_column"] not in header:
                continue
            row = dict(zip(header, cells))
            if "id" in row:
                rid = row["id"]
                if not re.fullmatch(UUID_RE, rid):
                    error(f"§21 {current['table']}: {rid!r} is not a full UUID")
            elif pending_ids:
                rid = pending_ids.pop(0)
            else:
                error(f"§21 {current['table']}: row {cells[0]!r} has no id")
                continue
            if template is None and rid != NIL_UUID:
                template = rid
            current["rows"].append({"id": rid, "key": row[current["key_column"]].replace("**", "")})
            continue
        header = None
        if line.startswith("- ") and current is not None:
            # "- id `…`, the nil UUID as in KG." / "- username `anonymous`, ..."
            m = re.match(r"- id `(" + UUID_RE + r")`", line)
            if m:
                current.setdefault("_id", m.group(1))
                if "nil UUID" in line and m.group(1) != NIL_UUID:
                    error(f"§21 {current['table']}: {m.group(1)} is called the nil UUID but is not")
            for k in SEED_KEY_COLUMNS:
                m = re.match(rf"- {k} `([^`]+)`", line)
                if m:
                    current["key_column"] = k
                    current["_key"] = m.group(1)
            if "_id" in current and "_key" in current:
                current["rows"].append({"id": current.pop("_id"), "key": current.pop("_key")})
            continue
        named = [n for n in re.findall(r"`(\w+)`", line) if n in table_names]
        if named and not line.startswith("- "):
            close(current)
            pending_ids = []
            current = {"table": named[0], "key_column": None, "rows": []}
            seeds.append(current)
            m = SHORT_RANGE_RE.search(line)
            if m:
                pending_ids = expand_short_ids(m.group(1), m.group(2), template, f"§21 {named[0]}")
                m2 = re.search(r"becomes (\d+) ", line)
                if m2 and int(m2.group(1)) != len(pending_ids):
                    error(f"§21 {named[0]}: says {m2.group(1)} rows, the id range has {len(pending_ids)}")
    close(current)
    for s in seeds:
        for k in ("_id", "_key"):
            if k in s:
                error(f"§21 {s['table']}: incomplete bullet row ({k[1:]} without its partner)")
                s.pop(k)
        if s["key_column"] is None:
            error(f"§21 {s['table']}: no natural key column ({', '.join(SEED_KEY_COLUMNS)})")
    ids = [r["id"] for s in seeds for r in s["rows"]]
    for rid in sorted({i for i in ids if ids.count(i) > 1}):
        error(f"§21: seed id {rid} is used twice")
    text = " ".join(body)
    m = re.search(r"The total is (\d+) seed rows", text)
    if not m:
        error("§21: no \"The total is N seed rows\" statement")
    elif int(m.group(1)) != len(ids):
        error(f"§21: says {m.group(1)} seed rows, the tables give {len(ids)}")
    return seeds


# --------------------------------------------------------------------------- checks


def check_counts(lines, tables, enums, views, trigger_tables, seeds):
    per_module, total = parse_module_counts(lines)
    computed = {}
    for t in tables:
        c = computed.setdefault(t["module"], dict.fromkeys(COUNT_KEYS, 0))
        c["tables"] += 1
        c["fk"] += len(t["fks"])
        c["uq"] += len(t["uniques"])
        c["ck"] += len(t["checks"])
        c["ix"] += len(t["indexes"])
    for module in list(per_module) + [m for m in computed if m not in per_module]:
        want, got = per_module.get(module), computed.get(module)
        if want is None:
            error(f"§25 Per module: module {module} has tables but no row")
            continue
        if got is None:
            error(f"§25 Per module: module {module} has a row but no tables were parsed")
            continue
        for k in COUNT_KEYS:
            if want[k] != got[k]:
                error(f"§25 Per module: {module} {k.upper()}: parsed {got[k]}, SPEC.md says {want[k]}")
    sums = {k: sum(c[k] for c in computed.values()) for k in COUNT_KEYS}
    if total is not None:
        for k in COUNT_KEYS:
            listed = sum(c[k] for c in per_module.values())
            if listed != total[k]:
                error(f"§25 Per module: the {k.upper()} rows add up to {listed}, the Total row says {total[k]}")

    all_cols = [c for t in tables for c in t["columns"]]
    std_counts = {n: sum(1 for t in tables if n in t["_std"]) for n in STD_NAMES}
    headline = {
        "Tables": len(tables),
        "Enums": len(enums),
        "Foreign keys": sums["fk"],
        "Unique constraints": sums["uq"],
        "Check constraints": sums["ck"],
        "Secondary (non-unique) indexes": sums["ix"],
        "JSON columns": sum(1 for c in all_cols if c["type"] == "json"),
        "Columns": len(all_cols),
        "Triggers": len(trigger_tables),  # "48 (PG) / 48 (SQLite) / 0 (...)": one per updated_at table
        "Views": len(views),
        "Seed rows": sum(len(s["rows"]) for s in seeds),
    }
    stated = parse_headline_counts(lines)
    for label, got in headline.items():
        if label not in stated:
            error(f"§25 Counts: no {label!r} row")
        elif stated[label][0] != got:
            error(f"§25 Counts: {label}: parsed {got}, SPEC.md says {stated[label][0]}")
    if "Columns" in stated:
        # "637 specific + 53 `id` + 55 `created_at` + 48 `updated_at`"
        notes = stated["Columns"][1]
        specific = len(all_cols) - sum(std_counts.values())
        parts = {"specific": specific, **std_counts}
        for num, label in re.findall(r"(\d+) `?(\w+)`?", notes):
            if label in parts and int(num) != parts[label]:
                error(f"§25 Counts: Columns: parsed {parts[label]} {label}, SPEC.md says {num}")
    for t in tables:
        if not t["pk"]:
            error(f"{t['name']}: no primary key")
        for c in t["columns"]:
            if c["type"].startswith("enum:") and c["type"][5:] not in enums:
                error(f"{t['name']}.{c['name']}: enum {c['type'][5:]} is not in §2")


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "../shared/schema/SPEC.md"
    with open(path, encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    tables = parse_tables(lines)
    finish_items(tables)
    enums = parse_enums(lines)
    module_counts, _ = parse_module_counts(lines)
    views = parse_views(lines)
    trigger_tables = [t["name"] for t in tables if "updated_at" in t["_std"]]
    check_trigger_tables(lines, tables, trigger_tables)
    seeds = parse_seeds(lines, tables)
    check_counts(lines, tables, enums, views, trigger_tables, seeds)
    for t in tables:
        del t["_std"]
    if ERRORS:
        seen = set()
        for msg in ERRORS:
            if msg not in seen:
                seen.add(msg)
                print(f"spec-fixture: {path}: {msg}", file=sys.stderr)
        sys.exit(1)
    out = {
        "source": "shared/schema/SPEC.md",
        "enums": enums,
        "module_counts": module_counts,
        "tables": tables,
        "views": views,
        "trigger_tables": trigger_tables,
        "seeds": seeds,
    }
    json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
