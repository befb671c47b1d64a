import { z } from 'zod';

/** What the peer process is started with (environment.ts builds it, process.ts reads it). */
export const peerEnvironment = z.object({
  PORT: z.coerce.number().int().positive(),
  PEER_ISSUER: z.url(),
  REDIS_URL: z.string().min(1),
  PEER_REDIS_PREFIX: z.string().min(1),
  PEER_COOKIE_KEY: z.string().min(32),
});

export type PeerEnvironment = z.input<typeof peerEnvironment>;
