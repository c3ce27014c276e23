#!/usr/bin/env node
// Runs a TypeScript script (benchmarks, tools) through tsx: node bin/tsx.mjs path/to/script.ts
import { pathToFileURL } from 'node:url';
import path from 'node:path';
import { register } from 'tsx/esm/api';

register();
const script = process.argv[2];
if (!script) {
  console.error('usage: node bin/tsx.mjs SCRIPT.ts [args…]');
  process.exit(2);
}
process.argv.splice(1, 1);
await import(pathToFileURL(path.resolve(script)).href);
