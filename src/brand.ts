import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from './config.ts';

/** WCAG 2 relative luminance of a `#rrggbb` colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

const white = '#ffffff';
const black = '#000000';

/** A darker shade of the colour, for the edge under buttons. */
function shade(hex: string, factor: number): string {
  return `#${[1, 3, 5]
    .map((i) => Math.round(Number.parseInt(hex.slice(i, i + 2), 16) * factor).toString(16).padStart(2, '0'))
    .join('')}`;
}

/**
 * The stylesheet behind SSO_BRAND_COLOR (`#rrggbb`, checked by the configuration). Text on the
 * brand colour (header, main buttons) is white or black, whichever contrasts more: one of the two
 * reaches 4.5:1 on any colour, so whatever an operator picks stays readable.
 */
export function brandStylesheet(color: string): string {
  const text = contrastRatio(color, white) >= contrastRatio(color, black) ? white : black;
  return `:root { --brand: ${color}; --brand-text: ${text}; --brand-edge: ${shade(color, 0.6)}; }\n`;
}

const logoTypes: Readonly<Record<string, string>> = {
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};

export interface BrandLogo {
  readonly type: string;
  readonly body: Buffer;
}

/**
 * SSO_BRAND_LOGO, read once at start: a missing file or one that is no image stops the server with
 * a line naming the variable, instead of a broken header on every page later.
 */
export function readBrandLogo(file: string): BrandLogo {
  const type = logoTypes[path.extname(file).toLowerCase()];
  if (type === undefined) {
    throw new ConfigError(`Invalid SSO_BRAND_LOGO=${JSON.stringify(file)}: expected a .png, .svg, .jpg, .gif or .webp image`);
  }
  try {
    return { type, body: readFileSync(file) };
  } catch (error) {
    throw new ConfigError(`Cannot read SSO_BRAND_LOGO=${JSON.stringify(file)}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}
