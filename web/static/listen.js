// "Listen Live" in the header: the button plays and pauses the edition's live-audio stream (an HTML5 <audio>
// element the page carries with preload="none", so nothing is fetched until the reader asks). The button says what
// a press will do ("Listen Live" / "Pause live audio") rather than carrying aria-pressed with a changing name.
(() => {
  'use strict';
  const button = document.getElementById('listen-live');
  const audio = document.getElementById('listen-audio');
  if (!button || !audio) return;
  const dataEl = document.getElementById('tribune-data');
  const S = (dataEl && JSON.parse(dataEl.textContent).strings) || {};
  const show = (playing) => {
    button.textContent = (playing ? S['listen.pause'] : S['listen.play']) || button.textContent;
    button.classList.toggle('playing', playing);
  };
  button.addEventListener('click', () => {
    if (audio.paused) {
      const started = audio.play();
      if (started && started.catch) {
        started.catch(() => {
          show(false);
          button.title = S['listen.failed'] || '';
        });
      }
    } else {
      audio.pause();
    }
  });
  audio.addEventListener('play', () => show(true));
  audio.addEventListener('pause', () => show(false));
  audio.addEventListener('error', () => {
    show(false);
    button.title = S['listen.failed'] || '';
  });
})();
