import { describe, expect, it } from 'vitest';
import { advisoryBody, atomFeed, indexBody, sitemap } from './render.ts';
import {
  advisoryMailText,
  checkEarlyConfirmation,
  checkPublishAt,
  checkSubscription,
  planAfterEmbargo,
  publicationDue,
  safeLink,
  subscriptionMatches,
  type PlanState,
  type PublicAdvisory,
} from './rules.ts';

const t = (iso: string) => new Date(iso);
const plan = (p: Partial<PlanState> = {}): PlanState => ({
  publishAt: null,
  embargoState: 'none',
  embargoEndsAt: null,
  publishedAt: null,
  ...p,
});

describe('release plan rules', () => {
  it('an active embargo moves the publication to its end; an exit makes it due at once', () => {
    expect(planAfterEmbargo(plan(), { kind: 'active', endsAt: t('2026-12-01T09:00:00Z') })).toEqual({
      publishAt: t('2026-12-01T09:00:00Z'),
      embargoState: 'active',
      embargoEndsAt: t('2026-12-01T09:00:00Z'),
      openChecklist: false,
    });
    const active = plan({
      publishAt: t('2026-12-01T09:00:00Z'),
      embargoState: 'active',
      embargoEndsAt: t('2026-12-01T09:00:00Z'),
    });
    expect(planAfterEmbargo(active, { kind: 'exited', at: t('2026-11-28T10:00:00Z'), reason: 'cord' })).toMatchObject({
      publishAt: t('2026-11-28T10:00:00Z'),
      embargoState: 'exited',
      openChecklist: true,
    });
    // An earlier planned time stays.
    expect(
      planAfterEmbargo(plan({ publishAt: t('2026-11-01T00:00:00Z') }), {
        kind: 'exited',
        at: t('2026-11-28T10:00:00Z'),
        reason: 'ended',
      }).publishAt,
    ).toEqual(t('2026-11-01T00:00:00Z'));
  });

  it.each([
    ['no time', plan(), '2026-12-01T00:00:00Z', false],
    ['before the time', plan({ publishAt: t('2026-12-01T00:00:00Z') }), '2026-11-30T23:59:59Z', false],
    ['at the time', plan({ publishAt: t('2026-12-01T00:00:00Z') }), '2026-12-01T00:00:00Z', true],
    [
      'embargo still active',
      plan({
        publishAt: t('2026-12-01T00:00:00Z'),
        embargoState: 'active',
        embargoEndsAt: t('2026-12-02T00:00:00Z'),
      }),
      '2026-12-01T12:00:00Z',
      false,
    ],
    [
      'already published',
      plan({ publishAt: t('2026-12-01T00:00:00Z'), publishedAt: t('2026-12-01T00:00:00Z') }),
      '2026-12-02T00:00:00Z',
      false,
    ],
  ])('publication due: %s', (_label, p, now, due) => {
    expect(publicationDue(p, t(now))).toBe(due);
  });

  it('a coordinator may not set a time in the past or before an active embargo ends', () => {
    const now = t('2026-11-28T00:00:00Z');
    expect(() => checkPublishAt(plan(), t('2026-11-27T00:00:00Z'), now)).toThrow(/past/);
    const active = plan({ embargoState: 'active', embargoEndsAt: t('2026-12-10T00:00:00Z') });
    expect(() => checkPublishAt(active, t('2026-12-01T00:00:00Z'), now)).toThrow(/two staff members/);
    expect(() => checkPublishAt(active, t('2026-12-10T00:00:00Z'), now)).not.toThrow();
    expect(() => checkPublishAt(plan({ publishedAt: now }), t('2026-12-10T00:00:00Z'), now)).toThrow(/already/);
  });

  it('the two-person rule', () => {
    expect(() => checkEarlyConfirmation(null, 'b')).toThrow(/no early publication/);
    expect(() => checkEarlyConfirmation('a', 'a')).toThrow(/another staff member/);
    expect(() => checkEarlyConfirmation('a', 'b')).not.toThrow();
  });
});

describe('subscriptions', () => {
  it('checks the form', () => {
    expect(checkSubscription({ email: ' A@Example.org ', scope: 'all' })).toEqual({
      email: 'a@example.org',
      scope: 'all',
      vendor: null,
      product: null,
    });
    expect(() => checkSubscription({ email: 'nope', scope: 'all' })).toThrow(/email/);
    expect(() => checkSubscription({ email: 'a@example.org', scope: 'vendor' })).toThrow(/vendor/);
    expect(() => checkSubscription({ email: 'a@example.org', scope: 'everything' })).toThrow(/scope/);
  });

  it.each([
    [{ scope: 'all', vendor_org_id: null, product: null }, true],
    [{ scope: 'vendor', vendor_org_id: 'v1', product: null }, true],
    [{ scope: 'vendor', vendor_org_id: 'v2', product: null }, false],
    [{ scope: 'product', vendor_org_id: null, product: 'WIDGET' }, true],
    [{ scope: 'product', vendor_org_id: null, product: 'Gadget' }, false],
  ] as const)('matches %o: %s', (sub, expected) => {
    expect(subscriptionMatches(sub, { vendorOrgIds: ['v1'], products: ['Widget'] })).toBe(expected);
  });
});

describe('public rendering escapes everything', () => {
  const evil = '<script>alert(1)</script>"\'&';
  const advisory: PublicAdvisory = {
    caseRef: 'CASE-2026-0001',
    title: evil,
    summary: `Summary ${evil}`,
    publishedAt: t('2026-12-01T09:00:00Z'),
    updatedAt: t('2026-12-01T09:00:00Z'),
    vulnerabilities: [
      {
        title: evil,
        description: evil,
        cveId: 'CVE-2026-0001',
        cwe: 'CWE-79',
        cvssV3: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
        cvssV3Score: 9.8,
        cvssV4: null,
        cvssV4Score: null,
      },
    ],
    vendors: [
      {
        name: evil,
        statements: [
          {
            vendor: evil,
            vulnerability: 'CVE-2026-0001',
            product: evil,
            status: 'fixed',
            statement: evil,
            fixedVersions: evil,
            references: ['javascript:alert(1)', 'https://example.org/a?b=1&c=2'],
          },
        ],
      },
    ],
    acknowledgements: [evil],
    timeline: [{ at: t('2026-12-01T09:00:00Z'), text: 'Advisory published' }],
  };

  it('the landing page', () => {
    const html = advisoryBody(advisory);
    expect(html).not.toContain('<script');
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('href="https://example.org/a?b=1&#38;c=2"');
    expect(html).toContain('9.8');
  });

  it('the index, the feed and the sitemap', () => {
    const item = {
      caseRef: 'CASE-2026-0001',
      title: evil,
      summary: evil,
      publishedAt: advisory.publishedAt,
      cves: [],
      vendors: [evil],
    };
    expect(indexBody([item], { vendors: [evil], products: [] }, { q: evil })).not.toContain('<script');
    const feed = atomFeed([item], { baseUrl: 'https://x.example', instanceName: evil, selfUrl: 'https://x.example/f' });
    expect(feed).not.toContain('<script');
    expect(feed).toContain('<entry>');
    expect(sitemap([item], 'https://x.example/')).toContain('<loc>https://x.example/advisories/CASE-2026-0001</loc>');
  });

  it('links and the mail text', () => {
    expect(safeLink('javascript:alert(1)')).toBeNull();
    expect(safeLink('https://example.org/')).toBe('https://example.org/');
    const text = advisoryMailText(advisory, {
      url: 'https://x.example/advisories/CASE-2026-0001',
      unsubscribeUrl: 'https://x.example/u?token=t',
      instanceName: 'X',
    });
    expect(text).toContain('Unsubscribe: https://x.example/u?token=t');
    expect(text).toContain('CVE-2026-0001');
  });
});
