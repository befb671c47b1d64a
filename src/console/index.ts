import type { Router } from '@koa/router';
import { ConsoleKit, type ConsoleKitDependencies } from './kit.ts';
import { consolePages } from './pages/index.ts';
import { consoleRouter, menuOf } from './registry.ts';
import type { ConsoleServices } from './services.ts';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The console's views, beside the page kit's (their names start with `console-`). */
export const consoleViews = path.join(path.dirname(fileURLToPath(import.meta.url)), 'views');

/** The console for points of contact at /admin (CONTRACT.md section 9): every page of consolePages. */
export function createConsole(deps: Omit<ConsoleKitDependencies, 'menu'>, services: ConsoleServices): Router {
  const kit = new ConsoleKit({ ...deps, menu: menuOf(consolePages) });
  return consoleRouter(consolePages, kit, services);
}
