// An Express application signing its users in through the SSO server with express-openid-connect.
//   OIDC_ISSUER=https://sso.example.com OIDC_CLIENT_ID=... OIDC_CLIENT_SECRET=... \
//   APP_BASE_URL=https://app.example.com APP_SESSION_SECRET=... PORT=3001 node express-app.mjs
import express from 'express';
import openidConnect from 'express-openid-connect';

const { auth, requiresAuth } = openidConnect;

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

// The sessions the SSO server ended (back-channel logout). In memory, for one process: with
// several instances, give express-openid-connect your shared session store (Redis...) instead.
const loggedOut = new Map();
const logoutStore = {
  async get(key) {
    return loggedOut.get(key);
  },
  async set(key, value) {
    loggedOut.set(key, value);
  },
  async destroy(key) {
    loggedOut.delete(key);
  },
};

const app = express();
app.use(
  auth({
    issuerBaseURL: env('OIDC_ISSUER'),
    // Register `${APP_BASE_URL}/callback` as redirect URI, and APP_BASE_URL itself, exactly as
    // written here, as post-logout redirect URI.
    baseURL: env('APP_BASE_URL'),
    clientID: env('OIDC_CLIENT_ID'),
    // client_secret_basic; a secret of A-Z a-z 0-9 - _ only (`clients check` warns otherwise).
    clientSecret: env('OIDC_CLIENT_SECRET'),
    // Encrypts the application's own session cookie.
    secret: env('APP_SESSION_SECRET'),
    authRequired: false,
    // /logout signs the user out of the SSO server too (RP-initiated logout).
    idpLogout: true,
    // Register `${APP_BASE_URL}/backchannel-logout` as backchannel_logout_uri.
    backchannelLogout: { store: logoutStore },
    authorizationParams: {
      // The server issues authorization codes only (with PKCE, which the library adds for code);
      // the library's default, id_token, is refused with unsupported_response_type.
      response_type: 'code',
      scope: 'openid email profile offline_access',
    },
  }),
);

app.get('/', (req, res) => {
  res.type('text').send(req.oidc.isAuthenticated() ? `Signed in as ${req.oidc.user.email}` : 'Signed out');
});

app.get('/profile', requiresAuth(), async (req, res) => {
  res.json(await req.oidc.fetchUserInfo());
});

// Access tokens live 10 minutes: refresh with the refresh token (offline_access), which rotates.
app.get('/refresh', requiresAuth(), async (req, res) => {
  const refreshed = await req.oidc.accessToken.refresh();
  res.json({ refreshed: true, expires_in: refreshed.expires_in });
});

const port = Number(process.env.PORT ?? 3001);
app.listen(port, '127.0.0.1', () => console.log(`listening on ${port}`));
