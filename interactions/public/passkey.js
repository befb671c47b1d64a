// The passkey buttons (interactions/views/passkey-form.njk, and the account page's "Add a passkey",
// marked data-passkey-register). Without JavaScript, or in a browser without WebAuthn, they stay
// hidden and every other way of signing in works as before.
(function () {
  'use strict';

  var webauthn = window.SimpleWebAuthnBrowser;
  if (!webauthn || !webauthn.browserSupportsWebAuthn()) return;

  document.querySelectorAll('form[data-passkey-options]').forEach(function (form) {
    form.hidden = false;
    var button = form.querySelector('button');
    var ceremony = form.hasAttribute('data-passkey-register') ? webauthn.startRegistration : webauthn.startAuthentication;
    var busy = false;
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      if (busy) return;
      busy = true;
      button.setAttribute('aria-disabled', 'true');
      var body = new URLSearchParams();
      body.set('_csrf', form.elements._csrf.value);
      fetch(form.getAttribute('data-passkey-options'), { method: 'POST', body: body, credentials: 'same-origin' })
        .then(function (response) {
          if (!response.ok) throw new Error('the passkey prompt could not be prepared (' + response.status + ')');
          return response.json();
        })
        .then(function (options) {
          return ceremony({ optionsJSON: options });
        })
        .then(function (answer) {
          form.elements.response.value = JSON.stringify(answer);
        })
        .catch(function (error) {
          // The server says what went wrong on the page itself, with the other ways to go on.
          form.elements.error.value = (error && error.name) || 'Error';
        })
        .then(function () {
          form.submit();
        });
    });
  });
})();
