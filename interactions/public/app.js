// Progressive enhancement only: every page works without this script.
(function () {
  'use strict';

  document.querySelectorAll('[data-toggle-password]').forEach(function (button) {
    var input = document.getElementById(button.getAttribute('data-toggle-password'));
    if (!input) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      var show = input.type === 'password';
      input.type = show ? 'text' : 'password';
      // The stylesheet shows the label that matches; the accessible name follows it.
      button.toggleAttribute('data-shown', show);
      button.setAttribute('aria-label', button.getAttribute(show ? 'data-hide-label' : 'data-show-label'));
    });
  });

  // Passwords are never submitted in plain view: a shown password is hidden again on submit.
  document.querySelectorAll('form').forEach(function (form) {
    form.addEventListener('submit', function () {
      form.querySelectorAll('input[autocomplete$="password"]').forEach(function (input) {
        input.type = 'password';
      });
    });
  });

  var summary = document.querySelector('[data-autofocus]');
  if (summary) summary.focus();

  // Following an error's link focuses its field with the label in view; the plain anchor would
  // only scroll the input to the top edge, hiding the label and the message above it.
  document.querySelectorAll('.error-summary a[href^="#"]').forEach(function (link) {
    link.addEventListener('click', function (event) {
      var input = document.getElementById(link.getAttribute('href').slice(1));
      if (!input) return;
      event.preventDefault();
      (input.closest('.field') || input).scrollIntoView();
      input.focus({ preventScroll: true });
    });
  });

  // Links that look and announce themselves as buttons answer the space bar, as buttons do.
  document.addEventListener('keydown', function (event) {
    var target = event.target;
    if (event.key !== ' ' || target.tagName !== 'A' || target.getAttribute('role') !== 'button') return;
    event.preventDefault();
    target.click();
  });

  // A form the server marks submits itself through its first button: the logout a client asked for
  // with a valid id_token_hint, or the answer handed back to a client (form_post).
  var auto = document.querySelector('form[data-auto-submit]');
  if (auto) {
    var confirm = auto.querySelector('button[type="submit"]');
    if (auto.requestSubmit) auto.requestSubmit(confirm);
    else confirm.click();
  }
})();
