import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { renderMarkdown, sanitizeRenderedHtml } from './render.ts';

const REL = 'nofollow noopener noreferrer';

/** Tags and attributes that may appear in rendered Markdown; everything else is a failure. */
const ALLOWED: Record<string, string[]> = {
  p: [],
  br: [],
  hr: [],
  h1: [],
  h2: [],
  h3: [],
  h4: [],
  h5: [],
  h6: [],
  blockquote: [],
  ul: [],
  ol: ['start'],
  li: [],
  pre: [],
  code: ['class'],
  em: [],
  strong: [],
  s: [],
  a: ['href', 'title', 'rel'],
  table: [],
  thead: [],
  tbody: [],
  tr: [],
  th: ['class'],
  td: ['class'],
};

const TAG = /<\/?([a-zA-Z][a-zA-Z0-9]*)((?:\s+[^\s=>/"']+(?:="[^"]*")?)*)\s*\/?>/g;
const ATTRIBUTE = /\s+([^\s=>/"']+)(?:="([^"]*)")?/g;

const decode = (s: string): string =>
  s
    .replaceAll('&quot;', '"')
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&#39;', "'")
    .replaceAll('&amp;', '&');

/** Drops leading C0 controls and spaces, as the URL parser does. */
function trimControls(s: string): string {
  let i = 0;
  while (i < s.length && s.charCodeAt(i) <= 0x20) i++;
  return s.slice(i);
}

/**
 * Reads the HTML the sanitizer wrote (double-quoted attributes, "<" in text escaped) and returns
 * every problem found: a tag or attribute off the allow-list, an event handler, an unsafe URL,
 * a link without rel, or a "<" that does not start a recognized tag.
 */
function problems(html: string): string[] {
  const found: string[] = [];
  for (const match of html.matchAll(TAG)) {
    const tag = (match[1] ?? '').toLowerCase();
    const allowed = ALLOWED[tag];
    if (!allowed) {
      found.push(`tag <${tag}>`);
      continue;
    }
    const attributes = new Map<string, string>();
    for (const attr of (match[2] ?? '').matchAll(ATTRIBUTE)) {
      const name = (attr[1] ?? '').toLowerCase();
      attributes.set(name, decode(attr[2] ?? ''));
      if (name.startsWith('on')) found.push(`event handler ${name} on <${tag}>`);
      else if (!allowed.includes(name)) found.push(`attribute ${name} on <${tag}>`);
    }
    const href = attributes.get('href');
    if (href !== undefined) {
      // As a browser reads it (WHATWG URL): a scheme is a letter, then letters, digits, "+", "-", "."
      // up to ":", after leading spaces and controls are dropped; anything else is relative.
      const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(trimControls(href).replace(/[\t\n\r]/g, ''))?.[1];
      if (scheme !== undefined && !['http', 'https', 'mailto'].includes(scheme.toLowerCase())) {
        found.push(`href ${href}`);
      }
      if (/^[\\/]{2}/.test(trimControls(href))) found.push(`protocol-relative href ${href}`);
    }
    if (tag === 'a' && !match[0].startsWith('</') && attributes.get('rel') !== REL) found.push('link without rel');
  }
  if (html.replace(TAG, '').includes('<')) found.push('a "<" outside any allowed tag');
  return found;
}

const XSS_PAYLOADS = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=https://evil.example/x.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)><circle r=1 /></svg>',
  '<svg><script>alert(1)</script></svg>',
  '<iframe src="javascript:alert(1)"></iframe>',
  '<object data="data:text/html,<script>alert(1)</script>"></object>',
  '<embed src=javascript:alert(1)>',
  '<style>body{background:url(javascript:alert(1))}</style>',
  '<a href="javascript:alert(1)">click</a>',
  '<details open ontoggle=alert(1)>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<base href="https://evil.example/">',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<form action="https://evil.example"><input name=x></form>',
  '<!-- <script>alert(1)</script> -->',
  '<div style="background:url(javascript:alert(1))">x</div>',
  'text <b onmouseover=alert(1)>bold</b>',
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x](javascript&colon;alert(1))',
  '[x](&#106;avascript:alert(1))',
  '[x](&#x6A;&#x61;vascript:alert(1))',
  '[x](jav&#x09;ascript:alert(1))',
  '[x](<javascript:alert(1)>)',
  '[x](vbscript:msgbox(1))',
  '[x](file:///etc/passwd)',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '[x](//evil.example/path)',
  '[x](/\\evil.example)',
  '[x](https://example.org" onclick="alert(1))',
  '[x](https://example.org "title\\" onmouseover=\\"alert(1)")',
  '[x][ref]\n\n[ref]: javascript:alert(1)',
  '[x][ref]\n\n[ref]: data:text/html,<script>alert(1)</script>',
  '<javascript:alert(1)>',
  '<JAVASCRIPT:alert(1)>',
  '<vbscript:msgbox(1)>',
  '<data:text/html,<script>alert(1)</script>>',
  '<https://example.org/"onmouseover="alert(1)>',
  'javascript:alert(1) and ftp://example.org/file and //evil.example',
  '"><script>alert(1)</script>@example.org',
  '![x](javascript:alert(1))',
  '![x](https://tracker.example/pixel.png)',
  '![x](data:image/png;base64,iVBORw0KGgo=)',
  '![x](data:image/svg+xml,<svg onload=alert(1)>)',
  '![x][img]\n\n[img]: https://tracker.example/pixel.gif',
  '[![x](https://tracker.example/a.png)](https://example.org)',
  '```"><script>alert(1)</script>\ncode\n```',
  '```js onload=alert(1)\ncode\n```',
  '`<script>alert(1)</script>`',
  '    <script>alert(1)</script>',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '| a |\n|---|\n| <img src=x onerror=alert(1)> |',
  '> <iframe src=//evil.example>',
  '* [x](javascript:alert(1))\n* <script>alert(1)</script>',
];

describe('renderMarkdown: nothing executable survives', () => {
  it('(the checker itself flags each kind of problem)', () => {
    for (const html of [
      '<img src="x">',
      '<p onclick="x">a</p>',
      '<p class="x">a</p>',
      `<a href="javascript:x" rel="${REL}">a</a>`,
      `<a href=" JAVA\tSCRIPT:x" rel="${REL}">a</a>`,
      `<a href="//evil.example" rel="${REL}">a</a>`,
      '<a href="https://example.org">a</a>',
      '<p>a<b</p>',
    ]) {
      expect(problems(html), html).not.toEqual([]);
    }
    expect(problems(`<p><a href="/x:y" rel="${REL}">a</a> &lt;b&gt;</p>`)).toEqual([]);
  });

  it.each(XSS_PAYLOADS)('%s', (payload) => {
    const html = renderMarkdown(payload);
    expect(problems(html), html).toEqual([]);
    expect(html).not.toMatch(/<(script|img|svg|iframe|object|embed|style|base|meta|form|input|details|math)\b/i);
    expect(html).not.toMatch(/<a\b[^>]*href="\s*(javascript|vbscript|data|file)/i);
  });

  it('shows raw HTML as text', () => {
    expect(renderMarkdown('<script>alert(1)</script>')).toBe('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n');
    expect(renderMarkdown('a <b onmouseover=alert(1)>b</b>')).toBe(
      '<p>a &lt;b onmouseover=alert(1)&gt;b&lt;/b&gt;</p>\n',
    );
  });

  it('leaves links with other schemes as their literal text', () => {
    expect(renderMarkdown('[x](javascript:alert(1))')).toBe('<p>[x](javascript:alert(1))</p>\n');
    expect(renderMarkdown('<javascript:alert(1)>')).toBe('<p>&lt;javascript:alert(1)&gt;</p>\n');
    expect(renderMarkdown('[x](//evil.example)')).toBe('<p>[x](//evil.example)</p>\n');
  });

  it('renders images as links, so that viewers fetch nothing', () => {
    expect(renderMarkdown('![diagram](https://example.org/d.png "Flow")')).toBe(
      `<p><a href="https://example.org/d.png" title="Flow" rel="${REL}">diagram</a></p>\n`,
    );
    expect(renderMarkdown('![](https://example.org/d.png)')).toBe(
      `<p><a href="https://example.org/d.png" rel="${REL}">https://example.org/d.png</a></p>\n`,
    );
    // Inside a link the image is its alt text (links cannot nest).
    expect(renderMarkdown('[![logo](https://example.org/l.png)](https://example.org)')).toBe(
      `<p><a href="https://example.org" rel="${REL}">logo</a></p>\n`,
    );
  });

  it('the sanitizer alone refuses what markdown-it never emits', () => {
    for (const html of [
      '<p onclick="alert(1)">x</p>',
      '<a href="javascript:alert(1)">x</a>',
      '<a href="  JaVaScRiPt:alert(1)">x</a>',
      '<a href="java\tscript:alert(1)">x</a>',
      '<a href="data:text/html,x">x</a>',
      '<a href="//evil.example">x</a>',
      '<a href="https://example.org" target="_blank" rel="opener">x</a>',
      '<img src="https://tracker.example/p.png">',
      '<svg><a href="javascript:alert(1)">x</a></svg>',
      '<script>alert(1)</script><style>*{}</style><iframe src="https://evil.example"></iframe>',
      '<code class="language-js x-evil">x</code><th style="color:red" class="align-left evil">x</th>',
    ]) {
      const out = sanitizeRenderedHtml(html);
      expect(problems(out), out).toEqual([]);
      expect(out).not.toMatch(/javascript|data:|evil|script|style|target|"opener"|<img/i);
    }
  });

  const fragments = fc.constantFrom(
    '<',
    '>',
    '</',
    '/>',
    'script',
    'img',
    'svg',
    'a',
    ' src=x',
    ' onerror=alert(1)',
    ' href="',
    'javascript:',
    'JaVaScRiPt:',
    'data:text/html,',
    'vbscript:',
    '&#106;',
    '&colon;',
    '"',
    "'",
    '`',
    '[',
    ']',
    '(',
    ')',
    '![',
    '](',
    '//',
    '\\',
    'https://example.org',
    'mailto:a@example.org',
    ' ',
    '\n',
    '\n\n',
    '|',
    '```',
    '*',
    '_',
    '#',
    '>',
    '[r]: ',
    '[r]',
  );

  it('property: markup built from hostile fragments never yields a disallowed tag, attribute or URL', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.array(fragments, { maxLength: 30 }).map((f) => f.join('')),
          fc.string(),
        ),
        (input) => {
          const html = renderMarkdown(input);
          const found = problems(html);
          if (found.length > 0) throw new Error(`${JSON.stringify(input)} gave ${found.join(', ')}: ${html}`);
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('renderMarkdown: ordinary Markdown', () => {
  it.each([
    ['# Title\n## Sub', '<h1>Title</h1>\n<h2>Sub</h2>\n'],
    [
      'Hello **bold**, _em_, ~~gone~~ and `a < b`',
      '<p>Hello <strong>bold</strong>, <em>em</em>, <s>gone</s> and <code>a &lt; b</code></p>\n',
    ],
    ['line one\nline two', '<p>line one<br />\nline two</p>\n'],
    ['- a\n- b', '<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n'],
    ['3. three\n4. four', '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>\n'],
    ['> quoted', '<blockquote>\n<p>quoted</p>\n</blockquote>\n'],
    ['---', '<hr />\n'],
    ['```js\nif (a < b) x();\n```', '<pre><code class="language-js">if (a &lt; b) x();\n</code></pre>\n'],
    ['    indented <code>', '<pre><code>indented &lt;code&gt;\n</code></pre>\n'],
    [
      '[docs](https://example.org/a?b=1&c=2)',
      `<p><a href="https://example.org/a?b=1&amp;c=2" rel="${REL}">docs</a></p>\n`,
    ],
    ['[report](/reports/42#timeline)', `<p><a href="/reports/42#timeline" rel="${REL}">report</a></p>\n`],
    ['<https://example.org>', `<p><a href="https://example.org" rel="${REL}">https://example.org</a></p>\n`],
    [
      'see https://example.org/x.',
      `<p>see <a href="https://example.org/x" rel="${REL}">https://example.org/x</a>.</p>\n`,
    ],
    ['psirt@example.org', `<p><a href="mailto:psirt@example.org" rel="${REL}">psirt@example.org</a></p>\n`],
  ])('%j', (markdown, html) => {
    expect(renderMarkdown(markdown)).toBe(html);
  });

  it('renders tables, with alignment as classes (the CSP refuses inline styles)', () => {
    expect(renderMarkdown('| left | mid | right |\n|:--|:-:|--:|\n| 1 | 2 | 3 |')).toBe(
      '<table>\n<thead>\n<tr>\n<th class="align-left">left</th>\n<th class="align-center">mid</th>\n' +
        '<th class="align-right">right</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td class="align-left">1</td>\n' +
        '<td class="align-center">2</td>\n<td class="align-right">3</td>\n</tr>\n</tbody>\n</table>\n',
    );
    expect(renderMarkdown('| a |\n|---|\n| 1 |')).toBe(
      '<table>\n<thead>\n<tr>\n<th>a</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>1</td>\n</tr>\n</tbody>\n</table>\n',
    );
  });

  it('returns an empty string for empty input', () => {
    expect(renderMarkdown('')).toBe('');
  });
});
