import { Router } from '@koa/router';
import type { ConsoleKit, MenuEntry } from './kit.ts';

/**
 * One page of the console, in a module of its own: its routes, and its entry in the menu when it
 * has one. The console is the list of its pages (src/console/pages/index.ts); a new page is a new
 * module added to that list.
 */
export interface ConsolePage<Services> {
  readonly menu?: MenuEntry;
  routes(router: Router, kit: ConsoleKit, services: Services): void;
}

/** The menu, in the order of the pages. */
export function menuOf<Services>(pages: readonly ConsolePage<Services>[]): MenuEntry[] {
  return pages.flatMap((page) => (page.menu === undefined ? [] : [page.menu]));
}

/** The routes of every page; the surface's own sign-in routes are beside them (src/web/signed-in-surface.ts). */
export function consoleRouter<Services>(pages: readonly ConsolePage<Services>[], kit: ConsoleKit, services: Services): Router {
  const router = new Router();
  for (const page of pages) page.routes(router, kit, services);
  return router;
}
