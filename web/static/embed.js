// Tribune's discussion on another site:
//   <script src="https://tribune.example/embed.js" data-article="<id, slug or article URL>"></script>
// Inserts an iframe with /embed/<article> right after the script element and keeps its height equal to the
// frame's content (the frame posts its height; only messages from that iframe and Tribune's origin count).
(() => {
  'use strict';
  const script = document.currentScript;
  if (!script) return;
  const origin = new URL(script.src).origin;
  let key = (script.dataset.article || '').trim();
  const m = key.match(/\/articles\/([^/?#]+)/);
  if (m) key = decodeURIComponent(m[1]);
  if (!key) return;
  const frame = document.createElement('iframe');
  frame.src = `${origin}/embed/${encodeURIComponent(key)}`;
  frame.title = script.dataset.title || 'Discussion';
  frame.setAttribute('scrolling', 'no');
  frame.width = '100%';
  frame.height = '400';
  frame.className = 'tribune-embed';
  frame.style.border = '0';
  frame.style.width = '100%';
  frame.style.display = 'block';
  script.after(frame);
  window.addEventListener('message', (e) => {
    if (e.origin !== origin || e.source !== frame.contentWindow) return;
    const d = e.data;
    if (!d || d.type !== 'tribune:height' || typeof d.height !== 'number' || !(d.height > 0)) return;
    frame.style.height = `${Math.ceil(d.height)}px`;
  });
})();
