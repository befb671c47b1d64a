import type { Context, Next } from 'koa';
import type Provider from 'oidc-provider';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { localeOf, renderErrorPage } from './web/errors.ts';
import type { Renderer } from './web/render.ts';
import { rules } from './config.ts';
import { formatWait, translator } from './i18n/index.ts';
import { providerRoute } from './public-path.ts';
import { addressKey } from './security/client-address.ts';
import type { Store } from './store/store.ts';

/**
 * Each authorization request stores an interaction, and a pushed authorization request stores its
 * parameters, before anyone has identified: without bounds, anonymous requests could fill the store.
 * So their parameters are capped in size (a 4xx past the cap), and their number is limited per
 * client address (429 with Retry-After). With the short life of an anonymous interaction
 * (rules.anonymousInteractionSeconds), this bounds what one address can hold in the store.
 */
export function authorizationLimits({ provider, store, views }: { provider: Provider; store: Store; views: Renderer }) {
  const limiter = store.rateLimiter({
    keyPrefix: 'authorization-requests',
    points: rules.authorizationRequestsPerWindow,
    duration: rules.authorizationWindowSeconds,
  });
  const authorization = providerRoute(provider, 'authorization');
  const pushed = providerRoute(provider, 'pushed_authorization_request');

  return async (ctx: Context, next: Next) => {
    const browser = ctx.path === authorization;
    if (!browser && ctx.path !== pushed) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'POST') return next();

    const size = ctx.method === 'GET' ? Buffer.byteLength(ctx.querystring) : Number(ctx.get('content-length') || Number.NaN);
    // A POST must say its length up front: a chunked body of unknown size is refused unread.
    if (!(size <= rules.authorizationRequestMaxBytes)) {
      ctx.set('Connection', 'close');
      if (browser) return renderErrorPage(views, ctx, 413, 'tooLarge');
      ctx.status = 413;
      ctx.body = { error: 'invalid_request', error_description: `the request parameters exceed ${rules.authorizationRequestMaxBytes} bytes` };
      return;
    }

    try {
      await limiter.consume(addressKey(ctx.ip), 1);
    } catch (refusal) {
      if (!(refusal instanceof RateLimiterRes)) throw refusal;
      const seconds = Math.max(1, Math.ceil(refusal.msBeforeNext / 1000));
      ctx.set('Retry-After', String(seconds));
      if (browser) {
        const t = translator(localeOf(ctx));
        return renderErrorPage(views, ctx, 429, 'tooMany', { body: t('error.tooMany.body', { wait: formatWait(t, seconds) }) });
      }
      ctx.status = 429;
      ctx.body = { error: 'temporarily_unavailable', error_description: 'too many requests from this address; retry later' };
      return;
    }
    return next();
  };
}
