// Parses every ```mermaid block of the Markdown files given with Mermaid's own parser
// (`mermaid.parse`, the grammar the renderer uses), so a diagram that GitHub or a docs site
// would show as "Syntax error" fails here first. Exits 1 naming the file, the block's line and
// the parser's message; 2 on bad usage. Mermaid 11's parse path needs no DOM in Node.
//
//   npm ci --prefix scripts/mermaid-check
//   node scripts/mermaid-check/check.mjs docs/schema/*.md

import { readFileSync } from 'node:fs';
import mermaid from 'mermaid';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node scripts/mermaid-check/check.mjs FILE.md...');
  process.exit(2);
}

mermaid.initialize({ startOnLoad: false });

/** The ```mermaid blocks of a Markdown text, each with the line its fence opens on. */
function blocks(text) {
  const found = [];
  let current = null;
  text.split('\n').forEach((line, i) => {
    if (current === null) {
      if (/^\s*```mermaid\s*$/.test(line)) current = { line: i + 1, body: [] };
    } else if (/^\s*```\s*$/.test(line)) {
      found.push({ line: current.line, source: current.body.join('\n') });
      current = null;
    } else {
      current.body.push(line);
    }
  });
  if (current !== null) found.push({ line: current.line, source: null });
  return found;
}

let failures = 0;
let checked = 0;
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    console.error(`error: cannot read ${file}: ${err.message}`);
    process.exit(2);
  }
  for (const block of blocks(text)) {
    checked += 1;
    if (block.source === null) {
      failures += 1;
      console.error(`${file}:${block.line}: the mermaid block is not closed`);
      continue;
    }
    try {
      await mermaid.parse(block.source);
    } catch (err) {
      failures += 1;
      const message = String(err?.message ?? err).trim().replace(/\n+/g, '\n    ');
      console.error(`${file}:${block.line}: mermaid parse error:\n    ${message}`);
    }
  }
}

if (failures > 0) {
  console.error(`error: ${failures} of ${checked} mermaid blocks do not parse`);
  process.exit(1);
}
console.log(`${checked} mermaid blocks in ${files.length} files parse`);
