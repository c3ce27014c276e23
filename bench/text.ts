// Deterministic, varied report text for the intake and queue benchmarks: a skewed (Zipf-like) pick
// from a vocabulary of security and software words plus synthetic identifiers, so that full-text
// indexes see many distinct lexemes with realistic frequencies.

/** Common words first: the pick favours low indexes. */
export const VOCABULARY: readonly string[] = (
  'the a of to and in is that it for on with as be by this an are from or when can at not which ' +
  'request response server client user input value parameter field header cookie session token ' +
  'password account admin page form upload file path directory function method call return error ' +
  'exception memory buffer pointer length size string encoding unicode character payload script ' +
  'attacker victim remote local network endpoint api route handler module library package version ' +
  'update patch release config configuration setting default option flag permission role access ' +
  'control check validation sanitization escaping filter bypass injection query database table ' +
  'column record object array index key secret credential authentication authorization privilege ' +
  'escalation execution command shell process thread race condition overflow underflow integer ' +
  'heap stack use after free double null dereference crash denial service loop recursion timeout ' +
  'resource exhaustion leak disclosure information sensitive log debug trace redirect open url ' +
  'host domain origin cors csrf xss sql ldap xpath xml xxe entity template ssti ssrf deserialization ' +
  'serialization pickle yaml json jwt signature verification certificate tls ssl cipher hash salt ' +
  'random nonce replay timing side channel cache poisoning smuggling splitting traversal symlink ' +
  'archive zip extraction image parser decoder renderer browser extension plugin theme webhook ' +
  'callback oauth saml openid scope grant refresh expiry logout reset email notification message ' +
  'comment ticket agent customer tenant organization project repository branch commit build ' +
  'pipeline runner container image registry kubernetes pod namespace cluster node volume mount ' +
  'firmware device router camera bootloader kernel driver syscall ioctl socket packet frame ' +
  'protocol handshake state machine firewall proxy gateway load balancer dns resolver mirror ' +
  'reproduce observed expected actual impact severity affected fixed tested confirmed steps ' +
  'proof concept exploit chain reliable unauthenticated authenticated low high critical medium ' +
  'vendor product component upstream downstream dependency transitive lockfile manifest'
).split(' ');

/** Vendors and products for `affected` and the `products` column. */
export const VENDORS = [
  'ACME',
  'Globex',
  'Initech',
  'Umbrella',
  'Hooli',
  'Stark',
  'Wayne',
  'Tyrell',
  'Cyberdyne',
  'Soylent',
  'Vandelay',
  'Massive',
] as const;
export const PRODUCTS = [
  'Helpdesk',
  'Gateway',
  'Portal',
  'Router',
  'Mailer',
  'Scheduler',
  'Wiki',
  'Tracker',
  'Storage',
  'Camera',
  'Billing',
  'Identity',
  'Notebook',
  'Registry',
  'Dashboard',
  'Firmware',
  'Printer',
  'Chat',
  'Inventory',
  'Payroll',
] as const;
export const TITLES = [
  'Stored XSS in the comment field of',
  'SQL injection in the search endpoint of',
  'Path traversal in the file download of',
  'Server-side request forgery in the webhook of',
  'Authentication bypass in the login flow of',
  'Insecure deserialization in the import of',
  'Heap buffer overflow in the image parser of',
  'Cross-site request forgery on the settings page of',
  'Privilege escalation through the API of',
  'Open redirect after logout in',
  'Denial of service by a crafted archive in',
  'Information disclosure in debug logs of',
] as const;

/** A small, fast, seedable PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Index into a list of `n`, skewed towards the start (the same curve as the SQL seed). */
export const skewedIndex = (rand: () => number, n: number): number => Math.floor(n * rand() ** 2.5);

/** Prose of about `bytes` characters: sentences of skewed words, some synthetic identifiers. */
export function description(rand: () => number, bytes: number): string {
  const parts: string[] = [];
  let length = 0;
  while (length < bytes) {
    const words: string[] = [];
    const n = 8 + Math.floor(rand() * 14);
    for (let i = 0; i < n; i++) {
      const r = rand();
      let w: string;
      if (r < 0.03) w = `fn_${Math.floor(rand() * 50_000)}`;
      else if (r < 0.04) w = `/api/v${1 + Math.floor(rand() * 3)}/${VOCABULARY[skewedIndex(rand, VOCABULARY.length)]}`;
      else if (r < 0.05) w = `${Math.floor(rand() * 10)}.${Math.floor(rand() * 20)}.${Math.floor(rand() * 30)}`;
      else w = VOCABULARY[skewedIndex(rand, VOCABULARY.length)] ?? 'the';
      words.push(w);
    }
    const sentence = `${words.join(' ')}.`;
    parts.push(sentence.charAt(0).toUpperCase() + sentence.slice(1));
    length += sentence.length + 1;
  }
  return parts.join(rand() < 0.5 ? ' ' : '\n');
}

export const pick = <T>(rand: () => number, list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
