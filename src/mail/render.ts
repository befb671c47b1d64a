import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import type { Locale } from '../i18n/index.ts';

export interface RenderedEmail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/**
 * One paragraph: `prominent` sets it apart (the code); a link is a button in the HTML part and
 * `line` (its text and address, worded by the language) in the plain-text part.
 */
export type EmailBlock =
  | { readonly text: string; readonly prominent?: boolean; readonly href?: undefined }
  | { readonly text: string; readonly href: string; readonly line: string };

export interface EmailContent {
  readonly locale: Locale;
  readonly subject: string;
  /** The service name, shown above the HTML body. */
  readonly heading: string;
  readonly blocks: readonly EmailBlock[];
  /** Paragraphs set apart below the body, like a signature. */
  readonly footer: readonly string[];
}

const templatesDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'templates');

// Auto-escaping is what keeps a brand name or a URL from injecting markup into the HTML part.
const env = new nunjucks.Environment(new nunjucks.FileSystemLoader(templatesDir), {
  autoescape: true,
  throwOnUndefined: true,
  trimBlocks: true,
  lstripBlocks: true,
});

function textPart(content: EmailContent): string {
  const paragraphs = content.blocks.map((block) => (block.href === undefined ? block.text : block.line));
  // "-- " on its own line is the signature separator mail clients recognise.
  return `${[...paragraphs, `-- \n${content.footer.join('\n')}`].join('\n\n')}\n`;
}

/** The same content as a plain-text part and an HTML part. */
export function renderEmail(content: EmailContent): RenderedEmail {
  return {
    subject: content.subject,
    text: textPart(content),
    html: env.render('email.njk', content),
  };
}
