import { renderMarkdown } from '../markdown/render.ts';
import type { AdvisoryListItem } from './queries.ts';
import { safeLink, statusLabel, type PublicAdvisory } from './rules.ts';

/**
 * Public HTML, Atom and sitemap for published advisories: pure string building, every value
 * escaped (user Markdown goes through the sanitizing renderer). No script, no inline style.
 */

export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function xmlEsc(s: string): string {
  // XML 1.0 forbids most control characters even escaped: drop them.
  // eslint-disable-next-line no-control-regex
  return esc(s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ''));
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function qs(params: Record<string, string | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) u.set(k, v);
  const s = u.toString();
  return s ? `?${s}` : '';
}

export function indexBody(
  items: AdvisoryListItem[],
  facets: { vendors: string[]; products: string[] },
  filter: { q?: string | undefined; vendor?: string | undefined; product?: string | undefined },
): string {
  const option = (value: string, selected: string | undefined) =>
    `<option value="${esc(value)}"${selected && selected.toLowerCase() === value.toLowerCase() ? ' selected' : ''}>${esc(value)}</option>`;
  const form = `<form method="get" action="/advisories" role="search">
<label>Search <input type="search" name="q" value="${esc(filter.q ?? '')}" maxlength="200"></label>
<label>Vendor <select name="vendor"><option value="">All vendors</option>${facets.vendors.map((v) => option(v, filter.vendor)).join('')}</select></label>
<label>Product <select name="product"><option value="">All products</option>${facets.products.map((p) => option(p, filter.product)).join('')}</select></label>
<button type="submit">Filter</button>
</form>`;
  const list =
    items.length === 0
      ? '<p>No published advisory matches.</p>'
      : `<ul class="advisories">\n${items
          .map(
            (a) =>
              `<li><a href="/advisories/${esc(a.caseRef)}">${esc(a.caseRef)}: ${esc(a.title)}</a> <time datetime="${a.publishedAt.toISOString()}">${day(a.publishedAt)}</time>${
                a.cves.length ? ` · ${a.cves.map(esc).join(', ')}` : ''
              }${a.vendors.length ? ` · ${a.vendors.map(esc).join(', ')}` : ''}</li>`,
          )
          .join('\n')}\n</ul>`;
  const subscribe = `<h2>Subscribe</h2>
<p>Receive each advisory by e-mail, signed with our OpenPGP key. You confirm by a link we send you.</p>
<form method="post" action="/advisories/subscribe">
<label>E-mail <input type="email" name="email" required maxlength="254"></label>
<label>Advisories <select name="scope"><option value="all">All</option><option value="vendor">Of one vendor</option><option value="product">About one product</option></select></label>
<label>Vendor <select name="vendor"><option value=""></option>${facets.vendors.map((v) => option(v, undefined)).join('')}</select></label>
<label>Product <input type="text" name="product" maxlength="300"></label>
<button type="submit">Subscribe</button>
</form>`;
  return `<h1>Security advisories</h1>
<p><a href="/advisories/feed.atom${qs({ vendor: filter.vendor, product: filter.product })}">Atom feed</a></p>
${form}
${list}
${subscribe}`;
}

export function advisoryBody(a: PublicAdvisory): string {
  const parts: string[] = [];
  parts.push(`<h1>${esc(a.caseRef)}: ${esc(a.title)}</h1>`);
  parts.push(
    `<p>Published <time datetime="${a.publishedAt.toISOString()}">${esc(a.publishedAt.toISOString().replace('T', ' ').slice(0, 16))} UTC</time></p>`,
  );
  if (a.summary) parts.push(`<section><h2>Summary</h2>\n${renderMarkdown(a.summary)}</section>`);
  if (a.vulnerabilities.length > 0) {
    parts.push('<section><h2>Vulnerabilities</h2>');
    for (const v of a.vulnerabilities) {
      const cve = v.cveId
        ? `<a href="https://www.cve.org/CVERecord?id=${encodeURIComponent(v.cveId)}">${esc(v.cveId)}</a>`
        : 'No CVE ID';
      parts.push(`<h3>${cve}: ${esc(v.title)}</h3>\n<dl>`);
      if (v.cwe) parts.push(`<dt>CWE</dt><dd>${esc(v.cwe)}</dd>`);
      if (v.cvssV3) parts.push(`<dt>CVSS 3.1</dt><dd>${v.cvssV3Score ?? ''} <code>${esc(v.cvssV3)}</code></dd>`);
      if (v.cvssV4) parts.push(`<dt>CVSS 4.0</dt><dd>${v.cvssV4Score ?? ''} <code>${esc(v.cvssV4)}</code></dd>`);
      parts.push('</dl>');
      if (v.description) parts.push(renderMarkdown(v.description));
    }
    parts.push('</section>');
  }
  parts.push('<section><h2>Vendors</h2>');
  if (a.vendors.length === 0) parts.push('<p>No vendor statement has been published yet.</p>');
  for (const vendor of a.vendors) {
    parts.push(
      `<h3>${esc(vendor.name)}</h3>\n<table><thead><tr><th>Product</th><th>Vulnerability</th><th>Status</th><th>Fixed in</th><th>Links</th></tr></thead><tbody>`,
    );
    for (const s of vendor.statements) {
      const links = s.references
        .map((r) => {
          const href = safeLink(r);
          return href ? `<a href="${esc(href)}" rel="nofollow noopener">${esc(r)}</a>` : esc(r);
        })
        .join('<br>');
      parts.push(
        `<tr><td>${esc(s.product)}</td><td>${esc(s.vulnerability)}</td><td>${esc(statusLabel(s.status))}</td><td>${esc(s.fixedVersions)}</td><td>${links}</td></tr>`,
      );
    }
    parts.push('</tbody></table>');
    for (const s of vendor.statements.filter((x) => x.statement.trim())) {
      parts.push(`<h4>${esc(s.product)} (${esc(s.vulnerability)})</h4>\n${renderMarkdown(s.statement)}`);
    }
  }
  parts.push('</section>');
  if (a.acknowledgements.length > 0) {
    parts.push(
      `<section><h2>Acknowledgements</h2>\n<p>We thank ${a.acknowledgements.map(esc).join(', ')} for reporting this responsibly.</p></section>`,
    );
  }
  parts.push(
    `<section><h2>Timeline</h2>\n<ul>${a.timeline
      .map((t) => `<li><time datetime="${t.at.toISOString()}">${day(t.at)}</time> ${esc(t.text)}</li>`)
      .join('')}</ul></section>`,
  );
  parts.push('<p><a href="/advisories">All advisories</a></p>');
  return parts.join('\n');
}

export function atomFeed(items: AdvisoryListItem[], opts: { baseUrl: string; instanceName: string; selfUrl: string }) {
  const base = opts.baseUrl.replace(/\/$/, '');
  const updated = items[0]?.publishedAt ?? new Date(0);
  const entries = items
    .map((a) => {
      const url = `${base}/advisories/${a.caseRef}`;
      return `<entry>
<id>${xmlEsc(url)}</id>
<title>${xmlEsc(`${a.caseRef}: ${a.title}`)}</title>
<link rel="alternate" type="text/html" href="${xmlEsc(url)}"/>
<updated>${a.publishedAt.toISOString()}</updated>
<published>${a.publishedAt.toISOString()}</published>
<summary>${xmlEsc(a.summary.slice(0, 2000))}</summary>
${a.cves.map((c) => `<category term="${xmlEsc(c)}"/>`).join('')}
</entry>`;
    })
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<id>${xmlEsc(`${base}/advisories`)}</id>
<title>${xmlEsc(`${opts.instanceName} security advisories`)}</title>
<link rel="self" type="application/atom+xml" href="${xmlEsc(opts.selfUrl)}"/>
<link rel="alternate" type="text/html" href="${xmlEsc(`${base}/advisories`)}"/>
<updated>${updated.toISOString()}</updated>
<author><name>${xmlEsc(opts.instanceName)}</name></author>
${entries}
</feed>
`;
}

export function sitemap(items: AdvisoryListItem[], baseUrl: string): string {
  const base = baseUrl.replace(/\/$/, '');
  const fixed = ['/advisories', '/policy', '/acknowledgements', '/report'];
  const urls = [
    ...fixed.map((p) => `<url><loc>${xmlEsc(base + p)}</loc></url>`),
    ...items.map(
      (a) =>
        `<url><loc>${xmlEsc(`${base}/advisories/${a.caseRef}`)}</loc><lastmod>${a.publishedAt.toISOString()}</lastmod></url>`,
    ),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
${urls.join('\n')}
</urlset>
`;
}

export function messageBody(title: string, text: string, form?: { action: string; token: string; button: string }) {
  return `<h1>${esc(title)}</h1>\n<p>${esc(text)}</p>${
    form
      ? `\n<form method="post" action="${esc(form.action)}"><input type="hidden" name="token" value="${esc(form.token)}"><button type="submit">${esc(form.button)}</button></form>`
      : ''
  }\n<p><a href="/advisories">Security advisories</a></p>`;
}
