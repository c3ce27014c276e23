import { csafTlpLabel } from './csaf.ts';
import type { AdvisoryPublisher, AdvisoryTlp } from './rules.ts';

/**
 * The CSAF 2.0 trusted provider's documents, pure (CSAF 2.0 section 7): provider metadata, per
 * TLP a directory (`<year>/<file>.json` with `.sha256`, `.sha512`, `.asc`), `index.txt`,
 * `changes.csv`, a ROLIE feed, and the ROLIE service and category documents.
 */
type Json = Record<string, unknown>;

export interface PublishedFile {
  trackingId: string;
  title: string;
  tlp: AdvisoryTlp;
  year: number;
  filename: string;
  initialReleaseAt: Date;
  releasedAt: Date;
  vendors: string[];
}

export interface ProviderSite {
  baseUrl: string;
  publisher: AdvisoryPublisher;
  keys: { fingerprint: string }[];
  /** Newest release over all files; the metadata's last_updated. */
  lastUpdated: Date;
}

const CSAF_SCHEMA = 'https://docs.oasis-open.org/csaf/csaf/v2.0/csaf_json_schema.json';
const INFO_TYPE = 'urn:ietf:params:rolie:category:information-type';

export const restrictedTlps: AdvisoryTlp[] = ['GREEN', 'AMBER', 'AMBER+STRICT', 'RED'];

export function folderOf(tlp: AdvisoryTlp): string {
  return tlp === 'CLEAR' ? 'white' : tlp.toLowerCase().replace('+', '-');
}

/** TLP:CLEAR lives under /.well-known/csaf; the other labels under the authenticated API. */
export function folderUrl(baseUrl: string, tlp: AdvisoryTlp): string {
  return tlp === 'CLEAR' ? `${baseUrl}/.well-known/csaf/white` : `${baseUrl}/api/v1/csaf/${folderOf(tlp)}`;
}

export const feedName = (tlp: AdvisoryTlp) => `feed-tlp-${folderOf(tlp)}.json`;

export function providerMetadata(site: ProviderSite): Json {
  const base = `${site.baseUrl}/.well-known/csaf`;
  const feed = (tlp: AdvisoryTlp) => ({
    summary: `${tlp === 'CLEAR' ? 'All public' : `TLP:${tlp}`} advisories of ${site.publisher.name}${tlp === 'CLEAR' ? '' : ' (signed-in, entitled users)'}`,
    tlp_label: csafTlpLabel(tlp),
    url: `${folderUrl(site.baseUrl, tlp)}/${feedName(tlp)}`,
  });
  return {
    canonical_url: `${base}/provider-metadata.json`,
    distributions: [
      {
        directory_url: `${base}/white/`,
        rolie: {
          categories: [`${base}/white/category-vendors.json`],
          feeds: [feed('CLEAR')],
          services: [`${base}/service.json`],
        },
      },
      ...restrictedTlps.map((tlp) => ({
        directory_url: `${folderUrl(site.baseUrl, tlp)}/`,
        rolie: { feeds: [feed(tlp)] },
      })),
    ],
    last_updated: site.lastUpdated.toISOString(),
    list_on_CSAF_aggregators: true,
    metadata_version: '2.0',
    mirror_on_CSAF_aggregators: true,
    public_openpgp_keys: site.keys.map((k) => ({
      fingerprint: k.fingerprint,
      url: `${base}/openpgp/${k.fingerprint}.asc`,
    })),
    publisher: {
      category: site.publisher.category,
      name: site.publisher.name,
      namespace: site.publisher.namespace,
      ...(site.publisher.contactDetails ? { contact_details: site.publisher.contactDetails } : {}),
    },
    role: 'csaf_trusted_provider',
  };
}

const pathOf = (f: PublishedFile) => `${f.year}/${f.filename}`;

/** `index.txt`: every document's path relative to the folder, one per line. */
export function indexTxt(files: readonly PublishedFile[]): string {
  return files.map((f) => `${pathOf(f)}\n`).join('');
}

/** `changes.csv`: path and last release, newest first, both fields quoted. */
export function changesCsv(files: readonly PublishedFile[]): string {
  return [...files]
    .sort((a, b) => b.releasedAt.getTime() - a.releasedAt.getTime() || a.filename.localeCompare(b.filename))
    .map((f) => `"${pathOf(f)}","${f.releasedAt.toISOString()}"\n`)
    .join('');
}

export function rolieFeed(
  baseUrl: string,
  publisherName: string,
  tlp: AdvisoryTlp,
  files: readonly PublishedFile[],
  now: Date,
): Json {
  const folder = folderUrl(baseUrl, tlp);
  const label = csafTlpLabel(tlp);
  const updated = files.reduce((m, f) => (f.releasedAt > m ? f.releasedAt : m), new Date(0));
  return {
    feed: {
      id: `${publisherName.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-csaf-feed-tlp-${folderOf(tlp)}`,
      title: `${publisherName} CSAF feed (TLP:${label})`,
      link: [{ rel: 'self', href: `${folder}/${feedName(tlp)}` }],
      category: [{ scheme: INFO_TYPE, term: 'csaf' }],
      updated: (files.length > 0 ? updated : now).toISOString(),
      entry: files.map((f) => {
        const url = `${folder}/${pathOf(f)}`;
        return {
          id: f.trackingId,
          title: f.title,
          link: [
            { rel: 'self', href: url },
            { rel: 'hash', href: `${url}.sha256` },
            { rel: 'hash', href: `${url}.sha512` },
            { rel: 'signature', href: `${url}.asc` },
          ],
          published: f.initialReleaseAt.toISOString(),
          updated: f.releasedAt.toISOString(),
          summary: { content: f.title },
          content: { type: 'application/json', src: url },
          format: { schema: CSAF_SCHEMA, version: '2.0' },
        };
      }),
    },
  };
}

export function rolieService(baseUrl: string, publisherName: string): Json {
  return {
    service: {
      workspace: [
        {
          title: `${publisherName} CSAF advisories`,
          collection: [
            {
              title: `${publisherName} CSAF feed (TLP:WHITE)`,
              href: `${folderUrl(baseUrl, 'CLEAR')}/${feedName('CLEAR')}`,
              categories: { category: [{ scheme: INFO_TYPE, term: 'csaf' }] },
            },
          ],
        },
      ],
    },
  };
}

/** A ROLIE category document: the vendors the public advisories are about. */
export function rolieCategories(files: readonly PublishedFile[]): Json {
  const vendors = [...new Set(files.flatMap((f) => f.vendors))].sort();
  return {
    categories: { category: vendors.map((term) => ({ scheme: 'urn:accord:csaf:vendor', term })) },
  };
}
