// Signing in and out on the figure pages, the hall's dashboard and the city's page (the
// collector serves this file at /dashboard/signin.js): both servers answer /api/session the
// same way (motcua_web::session). The form is `#login-form` with `#login-name`,
// `#login-password`, `button[data-action="login"]` and `#login-error`.

import { api } from '/shared/api.js';
import { errorText } from '/shared/i18n.js';

const $ = (sel) => document.querySelector(sel);

/**
 * Who is signed in (GET /api/session): the user, or null for nobody. A server that cannot be
 * reached is asked again (1 s, doubling to 10 s), `#login-error` saying why meanwhile.
 */
export async function signedInUser(t) {
  for (let wait = 1000; ; wait = Math.min(wait * 2, 10000)) {
    try {
      return (await api('GET', '/api/session')).user ?? null;
    } catch (err) {
      if (err.status === 401 || err.status === 403) return null;
      $('#login-error').textContent = errorText(t, err);
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

/** The sign-in form: `onUser(user)` once the server took the name and password. */
export function wireSignIn(t, onUser) {
  $('#login-form').addEventListener('submit', async (e) => {
    e.preventDefault();
    const name = $('#login-name').value.trim();
    const password = $('#login-password').value;
    const button = $('button[data-action="login"]');
    $('#login-error').textContent = '';
    button.disabled = true;
    try {
      const user = (await api('POST', '/api/session', { name, password })).user;
      $('#login-password').value = '';
      onUser(user);
    } catch (err) {
      $('#login-error').textContent = errorText(t, err);
      $('#login-password').select();
    } finally {
      button.disabled = false;
    }
  });
}

/** Sign out: the session cookie goes, even when the server cannot be told. */
export async function signOut() {
  try {
    await api('DELETE', '/api/session');
  } catch {
    // the cookie goes anyway
  }
  $('#login-error').textContent = '';
}
