import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The hosted sign-in pages' own views (steps and the provider's pages), beside the page kit's. */
export const interactionViews = path.join(path.dirname(fileURLToPath(import.meta.url)), 'views');
