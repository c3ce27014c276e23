#!/usr/bin/env node
// Bundles the server and CLI (src/) with the npm packages they use into dist/server/ with esbuild.
// Starting from pre-compiled bundles is much faster than compiling every TypeScript file through
// tsx and resolving hundreds of package files at start-up (docs/benchmarks.md). Modules that are
// only needed for some commands (mail, OpenPGP, QR codes, SMTP intake) are split into chunks that
// load on first use. bin/accord.mjs runs the bundle while it is newer than src/ and the installed
// packages.
import fs from 'node:fs';
import { build } from 'esbuild';

const outdir = 'dist/server';

// Kept as packages: native code or WebAssembly with files next to them, and packages that find
// their own files through __dirname (Swagger UI's assets, pino's worker threads).
const external = [
  '@electric-sql/pglite',
  '@electric-sql/pglite/*',
  '@node-rs/argon2',
  '@fastify/swagger',
  '@fastify/swagger-ui',
  'pino',
  'thread-stream',
  'pg-native',
  'tsx',
  'tsx/*',
];

fs.rmSync(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: { accord: 'src/cli/main.ts' },
  outdir,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external,
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
  // CommonJS packages inside an ES module bundle still call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __accordCreateRequire } from 'node:module'; const require = __accordCreateRequire(import.meta.url);",
  },
});

// A bundled package that looks for its own files through __dirname / __filename would fail only
// when that code path runs; refuse such a bundle now and name the package to add to `external`.
const offenders = new Set();
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  if (!file.endsWith('.mjs')) continue;
  let current = null;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const origin = /^\/\/ (node_modules\/(?:@[^/]+\/)?[^/]+)/.exec(line);
    if (origin) current = origin[1];
    const code = line.trim();
    if (code.startsWith('*') || code.startsWith('//')) continue;
    if (/\b__(dirname|filename)\b/.test(code)) offenders.add(current ?? file);
  }
  void output;
}
if (offenders.size > 0) {
  console.error(
    `build-server: these bundled packages use __dirname/__filename; add them to external:\n  ${[...offenders].join('\n  ')}`,
  );
  process.exit(1);
}
