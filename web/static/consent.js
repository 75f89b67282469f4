// The privacy re-consent modal (DESIGN.md A5), on every page while the signed-in reader has not accepted the
// current policy: focus stays inside it, Escape does not close it, the page behind is inert. "Continue" with
// the box ticked posts the consent to the API and closes it; without JavaScript the same form posts to
// /privacy/accept.
(() => {
  'use strict';
  const modal = document.getElementById('consent-modal');
  if (!modal) return;
  const data = JSON.parse(document.getElementById('tribune-data').textContent);
  const S = data.strings || {};
  const dialog = modal.querySelector('[role="dialog"]');
  const form = document.getElementById('consent-form');
  const box = document.getElementById('consent-accept');
  const status = document.getElementById('consent-status');
  const title = document.getElementById('consent-title');
  const behind = [...document.body.children].filter((el) => el !== modal && el.tagName !== 'SCRIPT');
  behind.forEach((el) => el.setAttribute('inert', ''));
  document.documentElement.classList.add('modal-open');
  title.focus();

  const focusable = () => [...dialog.querySelectorAll('a[href], button, input:not([type="hidden"])')]
    .filter((el) => !el.disabled && el.getClientRects().length);
  document.addEventListener('keydown', (e) => {
    if (modal.hidden) return;
    if (e.key === 'Escape') { e.preventDefault(); return; }  // the reader must choose
    if (e.key !== 'Tab') return;
    const list = focusable();
    const first = list[0];
    const last = list[list.length - 1];
    const at = document.activeElement;
    if (!dialog.contains(at)) { e.preventDefault(); first.focus(); }
    else if (e.shiftKey && (at === first || at === title)) { e.preventDefault(); last.focus(); }
    else if (!e.shiftKey && at === last) { e.preventDefault(); first.focus(); }
  });
  document.addEventListener('focusin', (e) => {
    if (!modal.hidden && !dialog.contains(e.target)) title.focus();
  });

  const say = (text) => {
    status.textContent = '';
    if (!text) return;
    const p = document.createElement('p');
    p.className = 'notice bad';
    p.textContent = text;
    status.append(p);
  };
  form.noValidate = true;
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!box.checked) { say(S.acct_consent_tick); box.focus(); return; }
    let res;
    try {
      res = await fetch('/api/v1/me/consents', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': data.csrf || '' },
        body: JSON.stringify({ policy_version: Number(modal.dataset.version) }),
      });
    } catch {
      say(S.network_error);
      return;
    }
    if (!res.ok) {
      let message = S.network_error;
      try { message = (await res.json()).error.message; } catch { /* keep the generic one */ }
      say(message);
      return;
    }
    modal.hidden = true;
    behind.forEach((el) => el.removeAttribute('inert'));
    document.documentElement.classList.remove('modal-open');
    const main = document.getElementById('main');
    if (main) { main.setAttribute('tabindex', '-1'); main.focus(); }
  });
})();
