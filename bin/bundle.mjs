// Whether dist/server/accord.mjs (made by `npm run build:server`) may run: it must be newer than
// every source file and than the last `npm install` (the bundle holds the packages too; npm
// rewrites node_modules/.package-lock.json on every install). Used by bin/accord.mjs and the
// cold-start benchmark.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const bundlePath = path.join(root, 'dist', 'server', 'accord.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

function mtimeOr0(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

export function bundleIsFresh() {
  const built = mtimeOr0(bundlePath);
  if (built === 0) return false;
  return (
    built >= newestSource(path.join(root, 'src')) &&
    built >= mtimeOr0(path.join(root, 'node_modules', '.package-lock.json'))
  );
}
