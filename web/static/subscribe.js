// The "Subscribe" box (subscribe_form.mustache): next to the e-mail form, "Breaking news on this device" turns on
// the push topic breaking:<language> through push.js's window.tribunePush, where this browser can receive pushes.
// The e-mail form itself is a plain form and needs no script.
(() => {
  'use strict';
  const box = document.querySelector('[data-subscribe-push]');
  const push = window.tribunePush;
  const dataEl = document.getElementById('tribune-data');
  if (!box || !push || !dataEl || !push.usable()) return;
  const page = JSON.parse(dataEl.textContent);
  const button = box.querySelector('[data-subscribe-push-on]');
  const status = box.querySelector('[data-subscribe-push-status]');
  const topic = 'breaking:' + page.lang;
  const on = () => { button.hidden = true; status.textContent = status.dataset.on; };
  push.state().then((device) => {
    if (device && device.topics.includes(topic)) on();
  }).catch(() => {});
  box.hidden = false;
  button.addEventListener('click', async () => {
    if (button.disabled) return;
    button.disabled = true;
    try {
      const device = await push.enable([topic]);
      if (device) on();
    } catch (e) {
      status.textContent = status.dataset.failed;
    } finally {
      button.disabled = false;
    }
  });
})();
