import MarkdownIt, { type RendererRule, type StateCore, type Token } from 'markdown-it';
import sanitizeHtml from 'sanitize-html';

/**
 * Markdown written by reporters, vendors and coordinators (reports, messages, policy pages) turned
 * into HTML that is safe to insert into Accord's pages. Two independent layers:
 *  1. markdown-it with raw HTML off (it is shown as text), links limited to http(s), mailto and
 *     relative URLs (others stay literal text), and images rendered as links: an image would be
 *     fetched by every viewer's browser and tell its owner who read an embargoed report, and when.
 *  2. sanitize-html with an allow-list of the tags and attributes that markdown-it produces, so a
 *     mistake or a future option in layer 1 still cannot let a script, event handler or unsafe URL out.
 */

const LINK_SCHEMES = ['http', 'https', 'mailto'];
const REL = 'nofollow noopener noreferrer';
const ALIGN_CLASSES = ['align-left', 'align-center', 'align-right'];

const md = new MarkdownIt({ html: false, linkify: true, typographer: false, breaks: true });

// Layer 1: links. A URL with a scheme must use an allowed one; protocol-relative URLs are refused.
md.validateLink = (url: string): boolean => {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim());
  if (scheme) return LINK_SCHEMES.includes((scheme[1] ?? '').toLowerCase());
  return !/^[\\/]{2}/.test(url.trim());
};

// Images become links to the image (or plain text inside another link, where a link cannot nest).
const renderImage: RendererRule = (tokens, idx, options, env, renderer) => {
  const token = tokens[idx] as Token;
  const src = attr(token, 'src');
  const alt = renderer.renderInlineAsText(token.children ?? [], options, env);
  const label = md.utils.escapeHtml(alt || src);
  if (insideLink(tokens, idx) || src === '') return label;
  const title = attr(token, 'title');
  const titleAttr = title ? ` title="${md.utils.escapeHtml(title)}"` : '';
  return `<a href="${md.utils.escapeHtml(src)}"${titleAttr}>${label}</a>`;
};
md.renderer.rules.image = renderImage;

function attr(token: Token, name: string): string {
  const value = token.attrGet(name);
  return value === null ? '' : String(value);
}

function insideLink(tokens: Token[], idx: number): boolean {
  let depth = 0;
  for (let i = 0; i < idx; i++) {
    const type = tokens[i]?.type;
    if (type === 'link_open') depth++;
    else if (type === 'link_close') depth--;
  }
  return depth > 0;
}

// Table alignment as classes: the content security policy refuses inline style attributes.
md.core.ruler.push('accord_table_align', (state: StateCore) => {
  for (const token of state.tokens) {
    if (token.type !== 'th_open' && token.type !== 'td_open') continue;
    const align = /text-align:\s*(left|center|right)/.exec(attr(token, 'style'))?.[1];
    token.attrs = align ? [['class', `align-${align}`]] : null;
  }
});

// Layer 2: the allow-list.
const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    'p',
    'br',
    'hr',
    'h1',
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'blockquote',
    'ul',
    'ol',
    'li',
    'pre',
    'code',
    'em',
    'strong',
    's',
    'a',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ],
  allowedAttributes: { a: ['href', 'title', 'rel'], ol: ['start'], code: ['class'], th: ['class'], td: ['class'] },
  allowedClasses: { code: [/^language-[\w+#.-]+$/], th: ALIGN_CLASSES, td: ALIGN_CLASSES },
  allowedSchemes: LINK_SCHEMES,
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: REL } }),
  },
};

/** Renders user-supplied Markdown to HTML that carries no script, event handler, image or unsafe link. */
export function renderMarkdown(markdown: string): string {
  return sanitizeRenderedHtml(md.render(markdown));
}

/** The second layer alone (the allow-list for markdown-it's output); exported so tests can attack it directly. */
export function sanitizeRenderedHtml(html: string): string {
  return sanitizeHtml(html, SANITIZE);
}
