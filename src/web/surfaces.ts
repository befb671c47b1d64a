import { rules } from '../config.ts';
import type { SurfaceDefinition } from './signed-in-surface.ts';

/** The user's own account page (CONTRACT.md section 8). */
export const accountSurface: SurfaceDefinition = { name: 'account', path: '/account', freshSeconds: rules.accountFreshSeconds, clientName: 'Account' };

/** The console for points of contact (CONTRACT.md section 9). */
export const consoleSurface: SurfaceDefinition = { name: 'admin', path: '/admin', freshSeconds: rules.consoleFreshSeconds, clientName: 'Console' };
