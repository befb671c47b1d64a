import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The counters operators watch; one registry per process so tests can build several apps. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    signins: new Counter({
      name: 'sso_signins_total',
      help: 'Sign-in attempts by outcome',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    // Counted where a secret is compared, after its attempt was reserved: what the brute-force limits bound.
    secretChecks: new Counter({
      name: 'sso_secret_checks_total',
      help: 'Secrets compared (passwords, codes) and emails looked up, by kind',
      labelNames: ['kind'] as const,
      registers: [registry],
    }),
    codesSent: new Counter({ name: 'sso_email_codes_sent_total', help: 'Verification codes emailed', registers: [registry] }),
    lockouts: new Counter({ name: 'sso_lockouts_total', help: 'Accounts locked after repeated failures', registers: [registry] }),
    enrollments: new Counter({ name: 'sso_totp_enrollments_total', help: 'Authenticators enrolled', registers: [registry] }),
    // Shows a drain at work: after SIGTERM it falls to zero before the process exits.
    requestsInFlight: new Gauge({ name: 'sso_http_requests_in_flight', help: 'HTTP requests being handled', registers: [registry] }),
    requestDuration: new Histogram({
      name: 'sso_http_request_duration_seconds',
      help: 'HTTP request duration by route',
      labelNames: ['method', 'route', 'status'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
