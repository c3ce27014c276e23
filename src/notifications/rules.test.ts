import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../core/errors.ts';
import {
  checkPreferences,
  checkWebhookKinds,
  checkWebhookUrl,
  contentFor,
  defaultPreferences,
  digestSlot,
  eventDataFor,
  isPrivateAddress,
  noticeText,
  parseMentions,
  postKindsFor,
  resolvePreferences,
  webhookPayload,
  webhookSignature,
} from './rules.ts';

function problemFields(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof AppError) return (err.details.problems as { field: string }[]).map((p) => p.field);
    throw err;
  }
  return [];
}

describe('@mentions', () => {
  it.each([
    ['hello @alice@example.org, please look', ['alice@example.org']],
    ['@Alice@Example.ORG at the start', ['alice@example.org']],
    ['end of a sentence @bob@example.co.jp.', ['bob@example.co.jp']],
    ['(@carol@example.org) and @carol@example.org again', ['carol@example.org']],
    ['a plain address bob@example.org mentions nobody', []],
    ['no domain @dave is no mention', []],
    ['inline `@erin@example.org` code is ignored', []],
    ['```\n@frank@example.org\n```\nfenced code is ignored', []],
    ['two: @a@example.org @b@example.org', ['a@example.org', 'b@example.org']],
  ])('%s', (body, expected) => {
    expect(parseMentions(body)).toEqual(expected);
  });

  it('keeps at most 20', () => {
    const body = Array.from({ length: 30 }, (_, i) => `@u${i}@example.org`).join(' ');
    expect(parseMentions(body)).toHaveLength(20);
  });
});

describe('preferences', () => {
  it('defaults: everything at once, content encrypted when there is a key', () => {
    expect(resolvePreferences(null)).toEqual(defaultPreferences);
    expect(contentFor(defaultPreferences, true, false)).toBe('encrypted');
    expect(contentFor(defaultPreferences, false, false)).toBe('notice');
  });

  it("a case's notice-only policy wins over the recipient's preference", () => {
    expect(contentFor(defaultPreferences, true, true)).toBe('notice');
    expect(contentFor({ ...defaultPreferences, contentMode: 'notice' }, true, false)).toBe('notice');
  });

  it('stored values that are unknown or switch off a mandatory kind fall back to the default', () => {
    const p = resolvePreferences({
      content_mode: 'plaintext',
      kinds: { official_post: 'off', mention: 'digest', bogus: 'off', thread_post: 'never' },
    });
    expect(p.contentMode).toBe('encrypted');
    expect(p.kinds).toEqual({
      official_post: 'immediate',
      thread_post: 'immediate',
      mention: 'digest',
      status_change: 'immediate',
    });
  });

  it('refuses encrypted content without a key, unknown kinds and modes, and switching off official notices', () => {
    expect(problemFields(() => checkPreferences(defaultPreferences, { contentMode: 'encrypted' }, false))).toEqual([
      'contentMode',
    ]);
    expect(
      problemFields(() =>
        checkPreferences(
          defaultPreferences,
          { kinds: { official_post: 'off', nope: 'digest', mention: 'sometimes' } },
          true,
        ),
      ),
    ).toEqual(['kinds.official_post', 'kinds.nope', 'kinds.mention']);
    expect(
      checkPreferences(defaultPreferences, { contentMode: 'notice', kinds: { official_post: 'digest' } }, false),
    ).toEqual({ contentMode: 'notice', kinds: { ...defaultPreferences.kinds, official_post: 'digest' } });
  });
});

describe('who hears of a new post, under which kind', () => {
  it.each([
    ['official', false, false, ['official_post']],
    ['official', true, false, ['mention', 'official_post']],
    ['private', false, false, []],
    ['private', false, true, ['thread_post']],
    ['discussion', false, false, []],
    ['discussion', false, true, ['thread_post']],
    ['discussion', true, false, ['mention']],
  ] as const)('%s thread, mentioned %s, follows %s', (threadKind, mentioned, follows, expected) => {
    expect(postKindsFor({ threadKind, mentioned, follows })).toEqual(expected);
  });

  it('notices name the case and the kind of thread, never the text', () => {
    const n = noticeText({ caseId: 'CASE-2026-0001', what: 'mention', tlp: 'RED', threadKind: 'private', link: 'L' });
    expect(n.subject).toBe('[CASE-2026-0001] You were mentioned');
    expect(n.text).toContain('(TLP:RED) in a private thread of case CASE-2026-0001');
  });
});

describe('timeline events for participants', () => {
  it('drop the address and report ids unless staff', () => {
    const data = { version: 1, orgId: 'o', ip: '203.0.113.9', reports: ['ACC-2026-0001'] };
    expect(eventDataFor('terms_accepted', data, false)).toEqual({ version: 1, orgId: 'o' });
    expect(eventDataFor('terms_accepted', data, true)).toEqual(data);
  });
});

describe('webhook addresses', () => {
  it.each([
    ['https://hooks.example.com/accord', false, 'https://hooks.example.com/accord'],
    ['http://127.0.0.1:8080/hook', true, 'http://127.0.0.1:8080/hook'],
    ['http://localhost/hook', true, 'http://localhost/hook'],
  ])('accepts %s (private allowed: %s)', (url, allow, expected) => {
    expect(checkWebhookUrl(url, allow)).toBe(expected);
  });

  it.each([
    ['http://hooks.example.com/accord', true],
    ['http://127.0.0.1:8080/hook', false],
    ['https://127.0.0.1/hook', false],
    ['https://10.1.2.3/hook', false],
    ['https://[::1]/hook', false],
    ['https://169.254.169.254/latest/meta-data', false],
    ['https://user:pw@hooks.example.com/', true],
    ['https://hooks.example.com/#frag', true],
    ['ftp://hooks.example.com/', true],
    ['not a url', true],
  ])('refuses %s (private allowed: %s)', (url, allow) => {
    expect(problemFields(() => checkWebhookUrl(url, allow))).toEqual(['url']);
  });

  it.each([
    ['127.0.0.1', true],
    ['10.0.0.1', true],
    ['172.16.5.4', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['100.64.0.1', true],
    ['169.254.1.1', true],
    ['8.8.8.8', false],
    ['::1', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::ffff:10.0.0.1', true],
    ['2001:db8::1', false],
  ])('%s is private: %s', (ip, expected) => {
    expect(isPrivateAddress(ip)).toBe(expected);
  });

  it('event kinds are checked', () => {
    expect(checkWebhookKinds(['post.created', 'post.created', 'status.changed'])).toEqual([
      'post.created',
      'status.changed',
    ]);
    expect(problemFields(() => checkWebhookKinds(['post.deleted']))).toEqual(['eventKinds']);
    expect(problemFields(() => checkWebhookKinds([]))).toEqual(['eventKinds']);
  });
});

describe('webhook signature and payload', () => {
  it('is the hex HMAC-SHA256 of "<timestamp>.<body>" with the secret', () => {
    const body = '{"id":"e1"}';
    const expected = createHmac('sha256', 'whsec_test').update(`1700000000.${body}`).digest('hex');
    expect(webhookSignature('whsec_test', '1700000000', body)).toBe(`sha256=${expected}`);
    expect(webhookSignature('whsec_other', '1700000000', body)).not.toBe(`sha256=${expected}`);
  });

  it('carries ids and a link, nothing else', () => {
    const p = webhookPayload({
      eventId: 'e1',
      kind: 'post.created',
      caseId: 'CASE-2026-0001',
      itemId: 'p1',
      apiPath: '/api/v1/cases/CASE-2026-0001/threads/t1/posts',
      baseUrl: 'https://accord.example.org',
      at: new Date('2026-11-28T10:00:00Z'),
    });
    expect(p).toEqual({
      id: 'e1',
      kind: 'post.created',
      caseId: 'CASE-2026-0001',
      itemId: 'p1',
      occurredAt: '2026-11-28T10:00:00.000Z',
      url: 'https://accord.example.org/api/v1/cases/CASE-2026-0001/threads/t1/posts',
    });
  });
});

describe('digest slots', () => {
  it("are at the digest hour of the user's local day", () => {
    expect(digestSlot('UTC', 8, new Date('2026-11-28T10:00:00Z'))).toEqual({
      date: '2026-11-28',
      at: new Date('2026-11-28T08:00:00Z'),
    });
    // Tokyo is 9 hours ahead: at 23:30 UTC it is already the next day there.
    expect(digestSlot('Asia/Tokyo', 8, new Date('2026-11-28T23:30:00Z'))).toEqual({
      date: '2026-11-29',
      at: new Date('2026-11-28T23:00:00Z'),
    });
  });

  it('follow daylight saving time', () => {
    // Berlin: 08:00 is 07:00 UTC in winter, 06:00 UTC in summer.
    expect(digestSlot('Europe/Berlin', 8, new Date('2026-01-15T12:00:00Z')).at).toEqual(
      new Date('2026-01-15T07:00:00Z'),
    );
    expect(digestSlot('Europe/Berlin', 8, new Date('2026-07-15T12:00:00Z')).at).toEqual(
      new Date('2026-07-15T06:00:00Z'),
    );
  });

  it('an unknown time zone counts as UTC', () => {
    expect(digestSlot('Mars/Olympus', 8, new Date('2026-11-28T10:00:00Z')).at).toEqual(
      new Date('2026-11-28T08:00:00Z'),
    );
  });
});
