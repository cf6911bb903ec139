#!/usr/bin/env python3
"""Turn the schema contract (SPEC.md and its continuation) into tests/fixtures/spec_schema.json.

The integration tests compare the migrated databases against this file, so the
expectation comes from the spec itself rather than from a second hand-written copy
of the migrations. Run it whenever the spec changes (scripts/regen.sh does):

    python3 scripts/spec-fixture.py ../shared/schema/SPEC.md ../shared/schema/SPEC-26-27.md \
        > tests/fixtures/spec_schema.json

With SPEC.md alone it describes modules 01-19 (55 tables). With the continuation it
then reads that file's §26 (module 20 `practice_later`; §27's import tables are not
schema tables and are ignored):
- §26.2's `#### 26.2.N `table` (+n)` subsections: columns appended at the end of the
  SPEC.md table, its CK and IX items, and §26.2.5's index changes (a UQ that
  **replaces** an IX removes the IX; an **added** IX);
- §26.3's tables, as module `practice_later`'s;
- §26.4's enum rows (#37, #38), numbered on from §2;
- §26.10's edits: §2's "N in total" (checked) and §19's "N tables have `updated_at`"
  (in place of §19's number);
- §26.11's counts in place of §25's: the headline's After column and the Per module
  table, where a cell `a (+n) = b` counts b (and must add up, from §25's a), and
  `the other N modules` is the sum of §25's rows of the N modules it does not list.

What it extracts:
- `totals`: the headline counts as parsed (equal to §25 / §26.11 once checked);
- `enums` (§2), `module_counts` (§25 "Per module") and `tables` (§3-§16b: columns,
  PK, FK, UQ, CK, IX; `pk_postgres` and a unique's `columns_postgres` where the key
  differs on PostgreSQL);
- `views` (§20): name, output columns in order, and per backend "yes" / "no" /
  "conditional" (plus what the condition depends on);
- `trigger_tables`: the tables whose Std line has `updated_at` (§19);
- `seeds` (§21): per seed table, the fixed ids and each row's natural key.

It is also a check of the spec against itself: the counts computed from the parsed
tables must equal §25 or §26.11 (per module and headline), the `updated_at` tables
must equal §19's statement, and the seed rows must add up to §21/§25. On any mismatch
it prints one line per problem to stderr, writes nothing to stdout and exits 1.
"""
import json
import re
import sys

MODULE_RE = re.compile(r"^## \d+[a-z]?\. Module `(\w+)`")
TABLE_RE = re.compile(r"^#### `(\w+)`")
ITEM_RE = re.compile(r"^- \*\*(PK|FK|UQ|CK|IX)(?: \([^)]*\))?:\*\*\s*(.*)$")
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


def new_table(name, module):
    return {"name": name, "module": module, "std": [], "columns": [],
            "pk": [], "fks": [], "uniques": [], "checks": [], "indexes": []}


def read_body_line(current, line, where, state):
    """One line of a table's body: Std line, column row, PK/FK/UQ/CK/IX item or sub-item.
    `state` carries the item section and the column rows seen so far."""
    if line.startswith("**Std:**"):
        current["std"] = std_names(line, where)
        return
    if line.startswith("|"):
        state["column_lines"].append(line)
        current["columns"] = parse_columns(state["column_lines"])
        return
    m = ITEM_RE.match(line)
    if m:
        state["section"], rest = m.group(1), m.group(2)
        current["_pending"] = None
        add_item(current, state["section"], rest, where)
        return
    m = SUB_RE.match(line)
    if m and state["section"]:
        add_item(current, state["section"], m.group(1), where)
        return
    if line and not line.startswith(" "):
        state["section"] = None


def close_pending(t):
    pending = t.pop("_pending", None)
    if pending is not None and not pending.get("columns"):
        error(f"{t['name']}: {pending['name']} has no columns for the non-PG backends")


def parse_tables(lines, where_prefix=""):
    module = None
    tables = []
    current = None
    state = None
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
            current = new_table(m.group(1), module)
            tables.append(current)
            state = {"section": None, "column_lines": []}
            continue
        if line.startswith("### ") or line.startswith("#### "):
            # A subsection after a table's body ends the table.
            current = None
            continue
        if current is None:
            continue
        read_body_line(current, line, f"{where_prefix}line {lineno} ({current['name']})", state)
    for t in tables:
        close_pending(t)
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
        label = headline_label(cells[0])
        m = re.search(r"\d+", cells[1])
        if m:
            out[label] = (int(m.group()), cells[2] if len(cells) > 2 else "")
    return out


# §25 and §26.11 name one row differently.
HEADLINE_ALIASES = {"Secondary (non-unique) indexes": "Secondary indexes"}


def headline_label(cell):
    label = cell.replace("**", "").strip()
    return HEADLINE_ALIASES.get(label, label)


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


def check_trigger_tables(lines, tables, trigger_tables, stated_override=None):
    """§19's statement; `stated_override` is the number a continuation (§26.10) puts in its place."""
    _, body = section_lines(lines, r"^## \d+[a-z]?\. Module `triggers`")
    text = " ".join(body)
    m = re.search(r"(\d+) tables have `updated_at`\. These are every table except ([^.]+)\.", text)
    if not m:
        error("§19: no \"N tables have `updated_at`. These are every table except ...\" statement")
        return
    stated = int(m.group(1)) if stated_override is None else stated_override
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


def check_counts(stated, per_module, total, tables, enums, views, trigger_tables, seeds, where="§25"):
    """`stated`: headline label -> (count, notes); `per_module`/`total`: the Per module table."""
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
            error(f"{where} Per module: module {module} has tables but no row")
            continue
        if got is None:
            error(f"{where} Per module: module {module} has a row but no tables were parsed")
            continue
        for k in COUNT_KEYS:
            if want[k] != got[k]:
                error(f"{where} Per module: {module} {k.upper()}: parsed {got[k]}, the spec says {want[k]}")
    sums = {k: sum(c[k] for c in computed.values()) for k in COUNT_KEYS}
    if total is not None:
        for k in COUNT_KEYS:
            listed = sum(c[k] for c in per_module.values())
            if listed != total[k]:
                error(f"{where} Per module: the {k.upper()} rows add up to {listed}, the Total row says {total[k]}")

    all_cols = [c for t in tables for c in t["columns"]]
    std_counts = {n: sum(1 for t in tables if n in t["_std"]) for n in STD_NAMES}
    pks = sum(1 for t in tables if t["pk"])
    headline = {
        "Tables": len(tables),
        "Table modules / total modules": len(computed),  # the first number: table modules
        "Enums": len(enums),
        "Foreign keys": sums["fk"],
        "Unique constraints": sums["uq"],
        "Check constraints": sums["ck"],
        "Secondary indexes": sums["ix"],
        "Primary keys": pks,
        "All indexes": pks + sums["uq"] + sums["ix"],
        "JSON columns": sum(1 for c in all_cols if c["type"] == "json"),
        "Columns": len(all_cols),
        "Triggers": len(trigger_tables),  # "48 (PG) / 48 (SQLite) / 0 (...)": one per updated_at table
        "Views": len(views),
        "Seed rows": sum(len(s["rows"]) for s in seeds),
    }
    for label, got in headline.items():
        if label not in stated:
            error(f"{where} Counts: no {label!r} row")
        elif stated[label][0] != got:
            error(f"{where} Counts: {label}: parsed {got}, the spec says {stated[label][0]}")

    def notes_say(label, parts):
        """Check "N word" phrases of a row's notes against `parts` (word -> parsed count)."""
        if label not in stated:
            return
        notes = stated[label][1]
        for num, word in re.findall(r"(\d+) (?:ON DELETE )?`?(\w+(?: NULL)?)`?", notes):
            if word in parts and int(num) != parts[word]:
                error(f"{where} Counts: {label}: parsed {parts[word]} {word}, the spec says {num}")

    # "637 specific + 53 `id` + 55 `created_at` + 48 `updated_at`"
    notes_say("Columns", {"specific": len(all_cols) - sum(std_counts.values()), **std_counts})
    # "63 ON DELETE CASCADE, 28 ON DELETE SET NULL" / "65 CASCADE, 30 SET NULL"
    actions = [fk["on_delete"] for t in tables for fk in t["fks"]]
    notes_say("Foreign keys", {a: actions.count(a) for a in ("CASCADE", "SET NULL")})
    if "Enums" in stated:
        m = re.search(r"Used by (\d+) columns", stated["Enums"][1])
        enum_cols = sum(1 for c in all_cols if c["type"].startswith("enum:"))
        if m and int(m.group(1)) != enum_cols:
            error(f"{where} Counts: Enums: used by {enum_cols} columns, the spec says {m.group(1)}")
    for t in tables:
        if not t["pk"]:
            error(f"{t['name']}: no primary key")
        for c in t["columns"]:
            if c["type"].startswith("enum:") and c["type"][5:] not in enums:
                error(f"{t['name']}.{c['name']}: enum {c['type'][5:]} is not in §2")
    return {
        "tables": len(tables),
        "columns": len(all_cols),
        "enums": len(enums),
        "primary_keys": pks,
        "fk": sums["fk"],
        "uq": sums["uq"],
        "ck": sums["ck"],
        "ck_pg_sqlite_only": sum(1 for t in tables for c in t["checks"] if c["pg_sqlite_only"]),
        "ix": sums["ix"],
        "trigger_tables": len(trigger_tables),
        "views": len(views),
        "seed_rows": headline["Seed rows"],
    }


# --------------------------------------------------------------------------- §26 (continuation)

ADDITION_RE = re.compile(r"^#### 26\.2\.\d+ `(\w+)` \((?:\+(\d+)|indexes only)\)")
CHANGE_RE = re.compile(r"^`((?:uq|ix)_\w+)` \(([\w, ]+)\) \*\*(replaces|added)\*\*(?: `((?:uq|ix)_\w+)`)?")
COUNT_CELL_RE = re.compile(r"^(\d+)(?: \(([^)]*)\) = (\d+))?$")
OTHER_MODULES_RE = re.compile(r"^the other (\d+) modules$")


def subsection_lines(lines, number):
    """The lines of `### <number> ...` up to the next ### heading."""
    head = f"### {number} "
    for i, line in enumerate(lines):
        if line.startswith(head):
            out = []
            for other in lines[i + 1:]:
                if other.startswith("### ") or other.startswith("## "):
                    break
                out.append(other)
            return out
    error(f"§26: no subsection {number}")
    return []


def parse_additions(sec):
    """§26.2: per existing table, the added columns (at the end), CK, IX and the UQ/IX changes."""
    body = subsection_lines(sec, "26.2")
    additions = []
    current = state = None
    for lineno, line in enumerate(body, 1):
        m = ADDITION_RE.match(line)
        if m:
            current = new_table(m.group(1), None)
            current["_added"] = int(m.group(2)) if m.group(2) else 0
            current["_removed"] = []
            additions.append(current)
            state = {"section": None, "column_lines": []}
            continue
        if line.startswith("#### "):
            error(f"§26.2: cannot read the heading {line!r}")
            current = None
            continue
        if current is None:
            continue
        where = f"§26.2 {current['name']}"
        if line.startswith("|") and not current["_added"]:
            # 26.2.5's | Change | Reason | table.
            if not is_table_row(line) or table_cells(line)[0] == "Change":
                continue
            cm = CHANGE_RE.match(table_cells(line)[0])
            if not cm:
                error(f"{where}: cannot read the index change {line[:70]!r}")
                continue
            name, cols, verb, replaced = cm.groups()
            target = current["uniques"] if name.startswith("uq_") else current["indexes"]
            target.append({"name": name, "columns": [c.strip() for c in cols.split(",")]})
            if verb == "replaces":
                if not replaced:
                    error(f"{where}: {name} replaces nothing named")
                else:
                    current["_removed"].append(replaced)
            continue
        read_body_line(current, line, where, state)
    for a in additions:
        close_pending(a)
        if a["std"]:
            error(f"§26.2 {a['name']}: an added Std line")
        if a["pk"] or a["fks"]:
            error(f"§26.2 {a['name']}: §26.2 adds no PK or FK")
        if len(a["columns"]) != a["_added"]:
            error(f"§26.2 {a['name']}: heading says +{a['_added']} columns, the table has {len(a['columns'])}")
    if not additions:
        error("§26.2: no `#### 26.2.N `table` (+n)` subsections")
    return additions


def apply_additions(tables, additions):
    by_name = {t["name"]: t for t in tables}
    for a in additions:
        t = by_name.get(a["name"])
        where = f"§26.2 {a['name']}"
        if t is None:
            error(f"{where}: not a table of SPEC.md")
            continue
        have = {c["name"] for c in t["columns"]}
        for c in a["columns"]:
            if c["name"] in have:
                error(f"{where}: column {c['name']} exists already")
        t["columns"].extend(a["columns"])  # "All added columns go at the end of their table"
        for name in a["_removed"]:
            lst = t["uniques"] if name.startswith("uq_") else t["indexes"]
            if not any(i["name"] == name for i in lst):
                error(f"{where}: replaces {name}, which the table does not have")
            lst[:] = [i for i in lst if i["name"] != name]
        for key in ("checks", "uniques", "indexes"):
            have = {i["name"] for tt in tables for i in tt[key]}
            for item in a[key]:
                if item["name"] in have:
                    error(f"{where}: {item['name']} exists already")
                t[key].append(item)


def parse_new_enums(sec, enums):
    """§26.4: the numbered enum rows, continuing §2's numbering."""
    added = {}
    for line in subsection_lines(sec, "26.4"):
        m = ENUM_ROW_RE.match(line)
        if not m:
            continue
        number = int(re.match(r"^\| (\d+)", line).group(1))
        if number != len(enums) + len(added) + 1:
            error(f"§26.4: enum {m.group(1)} is #{number}, expected #{len(enums) + len(added) + 1}")
        if m.group(1) in enums or m.group(1) in added:
            error(f"§26.4: enum {m.group(1)} exists already")
        added[m.group(1)] = [v.strip() for v in m.group(2).split(",")]
    if not added:
        error("§26.4: no enum rows")
    return added


def section_edits(sec):
    """§26.10: `| § | Edit |` rows, section -> edit text."""
    out = {}
    for line in subsection_lines(sec, "26.10"):
        if is_table_row(line):
            cells = table_cells(line)
            if len(cells) >= 2 and cells[0] != "§":
                out[cells[0]] = cells[1]
    return out


def count_cell(text, where, before=None):
    """"9", or "9 (+1) = 10", "12 (+3 −1) = 14": the number after "="; checks the sum and
    that the first number is §25's."""
    text = text.replace("**", "").strip()
    m = COUNT_CELL_RE.match(text)
    if not m:
        error(f"{where}: cannot read the count {text!r}")
        return 0
    if m.group(3) is None:
        return int(m.group(1))
    first, after = int(m.group(1)), int(m.group(3))
    delta = sum((-1 if sign in "−-" else 1) * int(n) for sign, n in re.findall(r"([+−-])\s*(\d+)", m.group(2)))
    if first + delta != after:
        error(f"{where}: {text!r} does not add up")
    if before is not None and first != before:
        error(f"{where}: {text!r} starts from {first}, §25 says {before}")
    return after


def parse_new_counts(sec, old_per_module):
    """§26.11: the headline (After column) and the Per module table, which lists the changed and
    new modules and sums the unchanged ones in one `the other N modules` row."""
    body = subsection_lines(sec, "26.11")
    stated = {}
    per_module = {k: dict(v) for k, v in old_per_module.items()}
    listed = []
    other = None
    total = None
    in_per_module = False
    for line in body:
        if line.startswith("**Per module**"):
            in_per_module = True
            continue
        if not is_table_row(line):
            continue
        cells = table_cells(line)
        if not in_per_module:
            if cells[0] == "Item" or len(cells) < 4:
                continue
            m = re.search(r"\d+", cells[2])
            if m:
                stated[headline_label(cells[0])] = (int(m.group()), cells[3])
            continue
        if cells[0] == "Module" or len(cells) != 6:
            continue
        name = cells[0].replace("**", "").strip()
        where = f"§26.11 Per module: {name}"
        if name == "Total":
            total = {k: count_cell(c, where) for k, c in zip(COUNT_KEYS, cells[1:])}
            continue
        m = OTHER_MODULES_RE.match(name)
        if m:
            other = (int(m.group(1)), {k: count_cell(c, where) for k, c in zip(COUNT_KEYS, cells[1:])})
            continue
        old = old_per_module.get(name, {})
        per_module[name] = {k: count_cell(c, f"{where} {k.upper()}", old.get(k))
                            for k, c in zip(COUNT_KEYS, cells[1:])}
        listed.append(name)
    rest = [n for n in old_per_module if n not in listed]
    if other is None:
        if rest:
            error(f"§26.11 Per module: no row for {', '.join(rest)} and no \"the other N modules\" row")
    else:
        n, counts = other
        if n != len(rest):
            error(f"§26.11 Per module: \"the other {n} modules\", but {len(rest)} modules of §25 are not listed")
        for k in COUNT_KEYS:
            got = sum(old_per_module[r][k] for r in rest)
            if got != counts[k]:
                error(f"§26.11 Per module: the other modules' {k.upper()} add up to {got} in §25, the row says {counts[k]}")
    if total is None:
        error("§26.11: the Per module table has no **Total** row")
    if not stated:
        error("§26.11: no headline counts")
    return stated, per_module, total


def main():
    paths = sys.argv[1:] or ["../shared/schema/SPEC.md"]
    if len(paths) > 2:
        sys.exit("usage: spec-fixture.py SPEC.md [SPEC-26-27.md] > tests/fixtures/spec_schema.json")
    with open(paths[0], encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    sec = None
    if len(paths) == 2:
        with open(paths[1], encoding="utf-8") as fh:
            more = fh.read().splitlines()
        # Only §26 (module 20); §27's learndb_import_* tables are the import tool's, not the schema's.
        heading, body = section_lines(more, r"^## 26\. Module `practice_later`")
        sec = [heading] + body  # the heading names the module of §26.3's tables
    tables = parse_tables(lines)
    if sec is not None:
        new_tables = parse_tables(sec, "§26 ")
        if not new_tables:
            error("§26.3: no tables found")
        tables += new_tables
    finish_items(tables)
    if sec is not None:
        additions = parse_additions(sec)
        apply_additions(tables, additions)
        finish_items(tables)
    enums = parse_enums(lines)
    module_counts, total = parse_module_counts(lines)
    stated = parse_headline_counts(lines)
    triggers_stated = None
    where = "§25"
    if sec is not None:
        enums.update(parse_new_enums(sec, enums))
        edits = section_edits(sec)
        m = re.search(r"\b(\d+) in total", edits.get("§2", ""))
        if not m:
            error("§26.10: no \"§2\" row saying \"N in total\"")
        elif int(m.group(1)) != len(enums):
            error(f"§26.10: §2 becomes {m.group(1)} enums, parsed {len(enums)}")
        m = re.search(r"\b(\d+) tables have `updated_at`", edits.get("§19", ""))
        if not m:
            error("§26.10: no \"§19\" row saying \"N tables have `updated_at`\"")
        else:
            triggers_stated = int(m.group(1))
        stated, module_counts, total = parse_new_counts(sec, module_counts)
        where = "§26.11"
    views = parse_views(lines)
    trigger_tables = [t["name"] for t in tables if "updated_at" in t["_std"]]
    check_trigger_tables(lines, tables, trigger_tables, triggers_stated)
    seeds = parse_seeds(lines, tables)
    totals = check_counts(stated, module_counts, total, tables, enums, views, trigger_tables, seeds, where)
    for t in tables:
        del t["_std"]
    if ERRORS:
        seen = set()
        for msg in ERRORS:
            if msg not in seen:
                seen.add(msg)
                print(f"spec-fixture: {' + '.join(paths)}: {msg}", file=sys.stderr)
        sys.exit(1)
    out = {
        "source": "shared/schema/SPEC.md" + (" + SPEC-26-27.md §26" if sec is not None else ""),
        "totals": totals,
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
