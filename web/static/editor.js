// The article form's lead photo: uploads the chosen file to POST /api/v1/images and puts the stored image's
// address into the "Photo address" field. Without JavaScript the field is typed in; the form posts either way.
(function () {
  'use strict';
  const dataEl = document.getElementById('tribune-data');
  const data = dataEl ? JSON.parse(dataEl.textContent) : {};
  const file = document.getElementById('f-image-file');
  const url = document.getElementById('f-image-url');
  const status = document.getElementById('image-status');
  const preview = document.getElementById('image-preview');
  if (!file || !url || !status || !preview) return;
  document.querySelectorAll('.js-only').forEach((el) => { el.hidden = false; });
  file.addEventListener('change', async () => {
    const chosen = file.files && file.files[0];
    if (!chosen) return;
    status.textContent = status.dataset.uploading;
    try {
      const resp = await fetch('/api/v1/images', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': chosen.type || 'application/octet-stream', 'X-CSRF-Token': data.csrf || '' },
        body: chosen,
      });
      const body = await resp.json().catch(() => ({}));
      if (resp.status !== 201) {
        status.textContent = status.dataset.failed + ' ' + ((body.error && body.error.message) || resp.status);
        return;
      }
      url.value = body.url;
      const img = document.createElement('img');
      img.src = body.variants[0].jpg;
      img.alt = '';
      preview.replaceChildren(img);
      status.textContent = status.dataset.uploaded;
    } catch (e) {
      status.textContent = status.dataset.failed + ' ' + e.message;
    }
  });
})();
