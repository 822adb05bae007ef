/**
 * The page a verification link opens (`PUBLIC_BASE_URL/verify-email?token=…` when PUBLIC_BASE_URL is this API, as
 * by default): a button that confirms, not a GET that does. Mail scanners and link previews fetch links, so
 * opening the link must change nothing. No inline script (the CSP allows only this origin's scripts) and no
 * external asset.
 */
export const VERIFICATION_PAGE_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="referrer" content="no-referrer" />
    <title>Confirm your email address</title>
    <link rel="icon" href="data:," />
  </head>
  <body style="font-family: sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem">
    <h1>Confirm your email address</h1>
    <p id="message">Press the button to confirm the email address this link was sent to.</p>
    <button id="confirm" type="button">Confirm my email address</button>
    <script src="/verify-email/page.js"></script>
  </body>
</html>
`;

/** Posts the token from the page's URL to `POST /users/verify-email` and says what came of it. */
export const VERIFICATION_PAGE_SCRIPT = `'use strict';
(function () {
  var button = document.getElementById('confirm');
  var message = document.getElementById('message');
  var token = new URLSearchParams(window.location.search).get('token');
  // The token leaves the address bar (and so the history) once read.
  window.history.replaceState(null, '', window.location.pathname);
  if (!token) {
    message.textContent = 'This link has no token. Open the link from the mail as it is.';
    button.hidden = true;
    return;
  }
  var outcomes = {
    VERIFICATION_TOKEN_USED: 'This link was used already: your address is confirmed.',
    VERIFICATION_TOKEN_EXPIRED: 'This link has expired. Ask for a new mail.',
    VERIFICATION_TOKEN_SUPERSEDED: 'A newer mail was sent since: use the link in the latest one.',
    VERIFICATION_TOKEN_INVALID: 'This link is not valid.',
  };
  button.addEventListener('click', function () {
    button.disabled = true;
    fetch('/users/verify-email', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ token: token }),
    })
      .then(function (response) {
        return response.json().then(function (body) {
          if (response.ok) {
            message.textContent = 'Thank you: your email address is confirmed.';
            button.hidden = true;
          } else {
            message.textContent = outcomes[body.code] || 'That did not work (' + (body.title || response.status) + '). Try again later.';
            button.disabled = body.status >= 500 || body.status === 429 ? false : true;
          }
        });
      })
      .catch(function () {
        message.textContent = 'The service could not be reached. Try again later.';
        button.disabled = false;
      });
  });
})();
`;
