import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';
import type { Config } from '../config.ts';
import { translator, type Locale } from '../i18n/index.ts';
import { publicPath } from '../public-path.ts';

/** The page kit's own views: the layout every page extends, its macros, the error page. */
const kitViews = path.join(path.dirname(fileURLToPath(import.meta.url)), 'views');

export interface FieldError {
  /** The id of the input the error belongs to; the error summary links to it. */
  readonly field?: string;
  readonly message: string;
}

export interface PageModel {
  readonly title: string;
  readonly errors?: readonly FieldError[];
  readonly [key: string]: unknown;
}

export interface Renderer {
  render(view: string, locale: Locale, model: PageModel): string;
}

/**
 * One renderer for every web surface: the layout, macros and error page of the kit, then each
 * surface's own views (their names must not clash). Templates auto-escape every value; nothing
 * reaches a page unescaped.
 */
export function createRenderer(config: Pick<Config, 'brand' | 'supportText' | 'issuer'>, surfaceViews: readonly string[]): Renderer {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader([kitViews, ...surfaceViews]), {
    autoescape: true,
    throwOnUndefined: false,
  });
  const assets = publicPath(config, '/assets');
  return {
    render(view, locale, model) {
      const t = translator(locale);
      return env.render(`${view}.njk`, {
        ...model,
        t,
        locale,
        assets,
        brand: config.brand.name,
        hasLogo: config.brand.logoFile !== undefined,
        serviceName: t('layout.serviceName', { brand: config.brand.name }),
        helpLine: t('layout.help', { support: config.supportText[locale] }),
        errors: model.errors ?? [],
      });
    },
  };
}
