import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The counters operators watch; one registry per process so tests can build several apps. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    // `factor`: the second factor that completed a sign-in (authenticator-app, recovery-codes, passkey), or "password" for a wrong one.
    signins: new Counter({
      name: 'sso_signins_total',
      help: 'Sign-in attempts by outcome and by the factor that decided them',
      labelNames: ['outcome', 'factor'] as const,
      registers: [registry],
    }),
    factorChecks: new Counter({
      name: 'sso_factor_checks_total',
      help: 'Second factors checked, by kind and outcome (right, wrong, refused by a brute-force limit)',
      labelNames: ['kind', 'outcome'] as const,
      registers: [registry],
    }),
    factorEnrollments: new Counter({
      name: 'sso_factor_enrollments_total',
      help: 'Second factors added, by kind (a new set of recovery codes counts once)',
      labelNames: ['kind'] as const,
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
