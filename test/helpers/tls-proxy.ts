import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { forward } from './forward.ts';

/**
 * The TLS-terminating load balancer of a production deployment: https on loopback with a
 * certificate made now (by openssl) for 127.0.0.1, passing each request on over http with
 * X-Forwarded-Proto and X-Forwarded-For set (not appended: what the client sent is dropped), as
 * SSO_TRUST_PROXY expects of it.
 */
export interface TlsProxy {
  readonly url: string;
  /** The certificate, for a client to trust. */
  readonly certificate: Buffer;
  close(): Promise<void>;
}

function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sso-tls-'));
  try {
    const [key, cert] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' });
    return { key: readFileSync(key), cert: readFileSync(cert) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startTlsProxy(upstreamPort: number): Promise<TlsProxy> {
  const { key, cert } = selfSignedCertificate();
  const server = https.createServer({ key, cert }, (request, response) => {
    const headers = { ...request.headers, 'x-forwarded-proto': 'https', 'x-forwarded-for': request.socket.remoteAddress ?? '127.0.0.1' };
    forward(request, response, { port: upstreamPort, headers });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    certificate: cert,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
