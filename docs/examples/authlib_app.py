"""A Flask application signing its users in through the SSO server with Authlib.

    OIDC_ISSUER=https://sso.example.com OIDC_CLIENT_ID=... OIDC_CLIENT_SECRET=... \
    APP_SESSION_SECRET=... PORT=5000 python3 authlib_app.py
"""
import os
from urllib.parse import urlencode

from authlib.integrations.flask_client import OAuth
from flask import Flask, jsonify, redirect, session, url_for

ISSUER = os.environ["OIDC_ISSUER"]

app = Flask(__name__)
app.secret_key = os.environ["APP_SESSION_SECRET"]

oauth = OAuth(app)
oauth.register(
    "sso",
    server_metadata_url=f"{ISSUER}/.well-known/openid-configuration",
    client_id=os.environ["OIDC_CLIENT_ID"],
    # Authlib sends the secret in HTTP Basic without form-encoding it (RFC 6749 2.3.1): use a
    # secret of A-Z a-z 0-9 - _ only, which needs no encoding (`clients check` warns otherwise).
    client_secret=os.environ["OIDC_CLIENT_SECRET"],
    client_kwargs={
        "scope": "openid email profile offline_access",
        # Every client must use PKCE.
        "code_challenge_method": "S256",
    },
)


@app.route("/")
def home():
    user = session.get("user")
    return f"Signed in as {user['email']}" if user else "Signed out"


@app.route("/login")
def login():
    # Register this callback URL, exactly, as redirect URI.
    return oauth.sso.authorize_redirect(url_for("callback", _external=True))


@app.route("/callback")
def callback():
    # Exchanges the code with the PKCE verifier, then checks the ID token (signature from the
    # server's jwks_uri, iss, aud, exp, nonce).
    token = oauth.sso.authorize_access_token()
    session["user"] = token["userinfo"]
    session["refresh_token"] = token["refresh_token"]
    session["id_token"] = token["id_token"]
    return redirect("/")


@app.route("/refresh")
def refresh():
    # Refresh tokens rotate: keep the new one.
    token = oauth.sso.fetch_access_token(grant_type="refresh_token", refresh_token=session["refresh_token"])
    session["refresh_token"] = token["refresh_token"]
    return jsonify(refreshed=True, expires_in=token["expires_in"])


@app.route("/logout")
def logout():
    # RP-initiated logout: register the post-logout URL, exactly, as post_logout_redirect_uri.
    end_session = oauth.sso.load_server_metadata()["end_session_endpoint"]
    query = urlencode({"id_token_hint": session.pop("id_token", ""), "post_logout_redirect_uri": url_for("home", _external=True)})
    session.clear()
    return redirect(f"{end_session}?{query}")


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "5000")))
