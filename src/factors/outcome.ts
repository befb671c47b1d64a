import type { Refusal } from '../security/brute-force.ts';

/**
 * What checking a second factor came to. `refused`: over a brute-force limit, nothing was checked.
 * `wrong`: checked and wrong, with the lock this attempt brought on the account (0 for none).
 */
export type FactorCheck<T> =
  | { readonly status: 'right'; readonly value: T }
  | { readonly status: 'refused'; readonly refusal: Refusal }
  | { readonly status: 'wrong'; readonly reason: string; readonly lockSeconds: number };
