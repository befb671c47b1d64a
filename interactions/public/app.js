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
      button.textContent = button.getAttribute(show ? 'data-hide' : 'data-show');
      button.setAttribute('aria-label', button.getAttribute(show ? 'data-hide-label' : 'data-show-label'));
      button.setAttribute('aria-pressed', show ? 'true' : 'false');
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

  var logout = document.querySelector('form[data-auto-submit]');
  if (logout) {
    var confirm = logout.querySelector('button[name="logout"]');
    if (logout.requestSubmit) logout.requestSubmit(confirm);
    else confirm.click();
  }
})();
