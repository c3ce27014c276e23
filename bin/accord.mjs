#!/usr/bin/env node
// The `accord` command. Runs the pre-built bundle (dist/server/accord.mjs, made by `npm run build`)
// when it is up to date (see bundle.mjs), and otherwise the TypeScript sources through tsx, so a
// developer never runs stale code and `npm start` starts fast.
import { pathToFileURL } from 'node:url';
import { bundleIsFresh, bundlePath } from './bundle.mjs';

let main;
if (process.env.ACCORD_FROM_SOURCE !== '1' && bundleIsFresh()) {
  ({ main } = await import(pathToFileURL(bundlePath).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
await main(process.argv);
