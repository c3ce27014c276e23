#!/usr/bin/env node
// Regenerates src/scores/cwe-catalogue.json, the compact CWE catalogue that src/scores/cwe.ts reads.
//
// Source: the MITRE CWE List XML (cwec_vX.Y.xml) that the npm package `cwe-sdk` ships as
// raw/cwe-archive.xml. The registry has no package that ships MITRE's list in a directly usable form, and
// loading the 15 MB XML at run time would cost seconds and ~100 MB, so we keep a ~200 KB JSON with only what
// Accord needs, one row per entry: id, name, kind (weakness / category / view), status, mapping usage and, for
// weaknesses, the abstraction level. To move to a newer CWE release: update cwe-sdk (or point CWE_XML at a cwec_vX.Y.xml you
// obtained), run `npm install --no-save cwe-sdk fast-xml-parser@4 && node scripts/gen-cwe.mjs`, review the diff and
// commit the JSON. (They are not devDependencies: cwe-sdk alone is 32 MB, and only this script needs it.)
//
// The CWE List is © The MITRE Corporation and used under the CWE Terms of Use, which allow copies for research,
// development and commercial purposes provided MITRE's copyright designation and the licence are reproduced:
// both are written into the JSON beside the data.
import { readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import * as prettier from 'prettier';

const require = createRequire(import.meta.url);
const sdkVersion = require('cwe-sdk/package.json').version;
const xmlPath = process.env.CWE_XML ?? require.resolve('cwe-sdk/raw/cwe-archive.xml');
const outPath = fileURLToPath(new URL('../src/scores/cwe-catalogue.json', import.meta.url));

const KINDS = { Weakness: 'weakness', Category: 'category', View: 'view' };
const GROUPS = { Weakness: 'Weaknesses', Category: 'Categories', View: 'Views' };
const STATUSES = new Set(['Stable', 'Usable', 'Draft', 'Incomplete', 'Obsolete', 'Deprecated']);
const USAGES = new Set(['Allowed', 'Allowed-with-Review', 'Discouraged', 'Prohibited']);
const ABSTRACTIONS = new Set(['Pillar', 'Class', 'Base', 'Variant', 'Compound']);

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  isArray: (name) => name in KINDS,
  stopNodes: ['*.Description', '*.Extended_Description', '*.Demonstrative_Examples', '*.Observed_Examples'],
});
const doc = parser.parse(await readFile(xmlPath, 'utf8'));
const catalog = doc.Weakness_Catalog;
if (!catalog?.Version) throw new Error(`${xmlPath} is not a CWE catalogue (no Weakness_Catalog Version)`);

const entries = [];
for (const [element, kind] of Object.entries(KINDS)) {
  const list = catalog[GROUPS[element]]?.[element] ?? [];
  for (const item of list) {
    const id = Number(item.ID);
    const status = item.Status;
    const usage = item.Mapping_Notes?.Usage;
    if (!Number.isInteger(id) || typeof item.Name !== 'string')
      throw new Error(`bad ${element}: ${JSON.stringify(item.ID)}`);
    if (!STATUSES.has(status)) throw new Error(`CWE-${id}: unknown status ${status}`);
    if (!USAGES.has(usage)) throw new Error(`CWE-${id}: unknown mapping usage ${usage}`);
    const entry = { id, name: item.Name.trim(), kind, status, usage };
    if (kind === 'weakness') {
      if (!ABSTRACTIONS.has(item.Abstraction)) throw new Error(`CWE-${id}: unknown abstraction ${item.Abstraction}`);
      entry.abstraction = item.Abstraction;
    }
    entries.push(entry);
  }
}
entries.sort((a, b) => a.id - b.id);
for (let i = 1; i < entries.length; i++) {
  if (entries[i].id === entries[i - 1].id) throw new Error(`CWE-${entries[i].id} appears twice`);
}

const year = String(catalog.Date ?? '').slice(0, 4) || 'present';
const out = {
  catalogue: 'CWE',
  version: String(catalog.Version),
  date: catalog.Date ?? null,
  source: `MITRE CWE List cwec_v${catalog.Version}.xml, as shipped in the npm package cwe-sdk@${sdkVersion} (raw/cwe-archive.xml)`,
  generatedBy: 'scripts/gen-cwe.mjs',
  copyright: `Copyright © 2006–${year}, The MITRE Corporation. CWE, CWSS, CWRAF, and the CWE logo are trademarks of The MITRE Corporation.`,
  license:
    "Used under the CWE Terms of Use (https://cwe.mitre.org/about/termsofuse.html): The MITRE Corporation (MITRE) hereby grants you a non-exclusive, royalty-free license to use Common Weakness Enumeration (CWE) for research, development, and commercial purposes. Any copy you make for such purposes is authorized provided that you reproduce MITRE's copyright designation and this license in any such copy. (Disclaimer, in short: MITRE provides the CWE List 'as is' and disclaims all warranties; see the Terms of Use.)",
  columns: ['id', 'name', 'kind', 'status', 'usage', 'abstraction'],
  entries: entries.map((e) => [e.id, e.name, e.kind, e.status, e.usage, e.abstraction ?? null]),
};
const config = (await prettier.resolveConfig(outPath)) ?? {};
await writeFile(outPath, await prettier.format(JSON.stringify(out), { ...config, filepath: outPath }));
console.log(`wrote ${entries.length} entries (CWE ${out.version}, ${out.date}) to ${outPath}`);
