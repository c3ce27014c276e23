/**
 * Maven's version order, as org.apache.maven.artifact.versioning.ComparableVersion (the
 * Maven 3 algorithm the vers corpus is made with; Maven 3.9 added the ".X" as "-X" rule, which we do not follow): a version is a list
 * of items (numbers, qualifiers, sub-lists started by "-" or by a digit/letter transition); trailing "null" items
 * (0, "", "final", "ga", "release") are dropped; known qualifiers order alpha < beta < milestone < rc = cr <
 * snapshot < "" = ga = final = release < sp, then any other qualifier alphabetically.
 */

type Item = { kind: 'int'; value: bigint } | { kind: 'string'; value: string } | { kind: 'list'; items: Item[] };

const qualifiers = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const aliases: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const releaseIndex = String(qualifiers.indexOf(''));

function comparableQualifier(q: string): string {
  const i = qualifiers.indexOf(q);
  return i === -1 ? `${qualifiers.length}-${q}` : String(i);
}

function stringItem(value: string, followedByDigit: boolean): Item {
  let v = value;
  if (followedByDigit && v.length === 1) {
    if (v === 'a') v = 'alpha';
    else if (v === 'b') v = 'beta';
    else if (v === 'm') v = 'milestone';
  }
  return { kind: 'string', value: aliases[v] ?? v };
}

const parseItem = (isDigit: boolean, buf: string): Item =>
  isDigit ? { kind: 'int', value: BigInt(buf) } : stringItem(buf, false);

const isNull = (item: Item): boolean =>
  item.kind === 'int'
    ? item.value === 0n
    : item.kind === 'string'
      ? comparableQualifier(item.value) === releaseIndex
      : item.items.length === 0;

function normalize(list: Item[]): void {
  for (let i = list.length - 1; i >= 0; i--) {
    const last = list[i]!;
    if (isNull(last)) list.splice(i, 1);
    else if (last.kind !== 'list') break;
  }
}

function parse(version: string): Item {
  const v = version.toLowerCase();
  const root: Item[] = [];
  let list = root;
  const stack: Item[][] = [root];
  let isDigit = false;
  let start = 0;
  const push = () => {
    const next: Item[] = [];
    list.push({ kind: 'list', items: next });
    list = next;
    stack.push(next);
  };
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '.') {
      list.push(i === start ? { kind: 'int', value: 0n } : parseItem(isDigit, v.slice(start, i)));
      start = i + 1;
    } else if (c === '-') {
      list.push(i === start ? { kind: 'int', value: 0n } : parseItem(isDigit, v.slice(start, i)));
      start = i + 1;
      push();
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        list.push(stringItem(v.slice(start, i), true));
        start = i;
        push();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.push(parseItem(true, v.slice(start, i)));
        start = i;
        push();
      }
      isDigit = false;
    }
  }
  if (v.length > start) {
    list.push(parseItem(isDigit, v.slice(start)));
  }
  while (stack.length > 0) normalize(stack.pop()!);
  return { kind: 'list', items: root };
}

const sign = (n: number): number => (n < 0 ? -1 : n > 0 ? 1 : 0);
const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareItem(a: Item, b: Item | null): number {
  switch (a.kind) {
    case 'int':
      if (b === null) return a.value === 0n ? 0 : 1;
      if (b.kind === 'int') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
      return 1; // a number is newer than a qualifier or a sub-list
    case 'string':
      if (b === null) return sign(cmpStr(comparableQualifier(a.value), releaseIndex));
      if (b.kind === 'string') return sign(cmpStr(comparableQualifier(a.value), comparableQualifier(b.value)));
      return -1;
    case 'list': {
      if (b === null) {
        for (const item of a.items) {
          const r = compareItem(item, null);
          if (r !== 0) return r;
        }
        return 0;
      }
      if (b.kind === 'int') return -1;
      if (b.kind === 'string') return 1;
      const n = Math.max(a.items.length, b.items.length);
      for (let i = 0; i < n; i++) {
        const l = a.items[i] ?? null;
        const r = b.items[i] ?? null;
        const result = l === null ? (r === null ? 0 : -1 * compareItem(r, l)) : compareItem(l, r);
        if (result !== 0) return result;
      }
      return 0;
    }
  }
}

export function compareMaven(a: string, b: string): number {
  return compareItem(parse(a), parse(b));
}

/** Maven accepts almost any string as a version; we refuse only what cannot be one (empty, whitespace, separators). */
export function invalidMaven(v: string): string | null {
  if (v.length === 0) return 'a Maven version is not empty';
  if (/[\s,[\]()]/.test(v)) return 'a Maven version has no whitespace, commas or brackets';
  return null;
}
