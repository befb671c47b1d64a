import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkSigningKeys, clientWarnings, parseClients, type ClientMetadata } from '../../src/clients.ts';
import { ConfigError } from '../../src/config.ts';

const source = 'clients.json';
const web = {
  client_id: 'web',
  client_secret: 'web-secret-0123456789abcdefghijklmnop',
  redirect_uris: ['https://app.example.com/callback'],
  post_logout_redirect_uris: ['https://app.example.com/signed-out'],
};
const publicKey = { kty: 'EC', crv: 'P-256', x: 'f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU', y: 'x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0', kid: 'k1' };

function refused(entry: object, message: RegExp): void {
  assert.throws(() => parseClients([entry], source), (error: Error) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, message);
    return true;
  });
}

describe('clients.json', () => {
  it('accepts a native application with a loopback redirect and a private-use scheme, and refuses them for a web application', () => {
    const native = { client_id: 'native', application_type: 'native', token_endpoint_auth_method: 'none', redirect_uris: ['http://127.0.0.1/callback', 'http://[::1]/callback', 'com.example.app:/callback'] };
    assert.equal(parseClients([native], source)[0]!.application_type, 'native');
    refused({ ...native, application_type: 'web' }, /client "native": redirect_uris\.2 must be an absolute http\(s\) URL/);
    refused({ ...native, redirect_uris: ['http://app.example.com/callback'] }, /redirect_uris\.0/);
    refused({ ...native, redirect_uris: ['myapp:/callback'] }, /redirect_uris\.0/);
    refused({ ...native, redirect_uris: ['javascript:alert(1)'] }, /redirect_uris\.0/);
    refused({ ...native, redirect_uris: ['com.example.app:/callback#frag'] }, /redirect_uris\.0/);
  });

  it('accepts private_key_jwt with public keys in jwks or a jwks_uri, never both, nor a secret, nor a private key', () => {
    const keyed = { client_id: 'keyed', redirect_uris: ['https://app.example.com/cb'], token_endpoint_auth_method: 'private_key_jwt' };
    assert.ok(parseClients([{ ...keyed, jwks: { keys: [publicKey] } }], source));
    assert.ok(parseClients([{ ...keyed, jwks_uri: 'https://app.example.com/jwks' }], source));
    refused(keyed, /client "keyed": jwks or jwks_uri \(one of them\) is required/);
    refused({ ...keyed, jwks: { keys: [publicKey] }, jwks_uri: 'https://app.example.com/jwks' }, /one of them/);
    refused({ ...keyed, jwks: { keys: [{ ...publicKey, d: 'secret' }] } }, /jwks\.keys\.0 must hold public keys only/);
    refused({ ...keyed, jwks_uri: 'https://app.example.com/jwks', client_secret: web.client_secret }, /client_secret must be absent/);
    refused({ ...web, jwks_uri: 'https://app.example.com/jwks' }, /jwks_uri is only used with token_endpoint_auth_method "private_key_jwt"/);
  });

  it('accepts back-channel logout, a resource server and the three ID token algorithms, nothing else', () => {
    const [client] = parseClients([{ ...web, backchannel_logout_uri: 'https://app.example.com/logout', backchannel_logout_session_required: true, sso_resource_server: true, id_token_signed_response_alg: 'EdDSA' }], source);
    assert.equal(client!.id_token_signed_response_alg, 'EdDSA');
    assert.equal(parseClients([web], source)[0]!.id_token_signed_response_alg, 'RS256', 'RS256 unless said otherwise');
    refused({ ...web, id_token_signed_response_alg: 'HS256' }, /id_token_signed_response_alg/);
    refused({ ...web, backchannel_logout_uri: 'https://app.example.com/logout#x' }, /backchannel_logout_uri must be an absolute http\(s\) URL without a fragment/);
    refused({ ...web, backchannel_logout_session_required: true }, /backchannel_logout_session_required needs a backchannel_logout_uri/);
    refused({ ...web, sso_resource_server: 'yes' }, /sso_resource_server/);
    refused({ ...web, token_endpoint_auth_method: 'client_secret_jwt' }, /token_endpoint_auth_method/);
  });

  it('refuses a client whose ID token algorithm has no signing key in the key set', () => {
    const clients = parseClients([{ ...web, id_token_signed_response_alg: 'ES256' }], source);
    assert.throws(() => checkSigningKeys(clients, ['RS256'], source), /client "web": id_token_signed_response_alg ES256 has no signing key in the key set \(it signs RS256\)/);
    checkSigningKeys(clients, ['RS256', 'ES256'], source);
  });

  it('warns about what trips real client libraries: secrets to encode, trailing slashes, no post-logout URI', () => {
    const clients: ClientMetadata[] = parseClients(
      [
        web,
        { ...web, client_id: 'encoded', client_secret: 'abc+def/ghi=jkl%mno0123456789ABCDEF' },
        { ...web, client_id: 'slashed', post_logout_redirect_uris: ['https://app.example.com/'] },
        { ...web, client_id: 'bare', redirect_uris: ['https://app.example.com'] },
        { client_id: 'nowhere', token_endpoint_auth_method: 'none', redirect_uris: ['https://app.example.com/cb'] },
        { client_id: 'app', application_type: 'native', token_endpoint_auth_method: 'none', redirect_uris: ['com.example.app:/'], post_logout_redirect_uris: ['com.example.app:/'] },
      ],
      source,
    );
    const warnings = clientWarnings(clients);
    assert.equal(warnings.filter((warning) => warning.startsWith('client "web"')).length, 0, 'a client set up the portable way gets no warning');
    assert.match(warnings.find((w) => w.startsWith('client "encoded"'))!, /client_secret has characters outside A-Z a-z 0-9 - _: .*RFC 6749 section 2\.3\.1.*Authlib/);
    assert.match(warnings.find((w) => w.startsWith('client "slashed"'))!, /post_logout_redirect_uris "https:\/\/app\.example\.com\/" ends with a slash: .*register "https:\/\/app\.example\.com" too/);
    assert.match(warnings.find((w) => w.startsWith('client "bare"'))!, /redirect_uris "https:\/\/app\.example\.com" has no path: .*\("https:\/\/app\.example\.com\/"\)/);
    assert.match(warnings.find((w) => w.startsWith('client "nowhere"'))!, /no post_logout_redirect_uris/);
    assert.equal(warnings.filter((warning) => warning.startsWith('client "app"')).length, 0, 'a private-use scheme is not a web address');
  });
});
