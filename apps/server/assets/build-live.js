// The build page's live parts (the page works without them): while the build is queued or running,
// its log follows the server-sent events of /api/v1/builds/{id}/log/stream from where the page's
// tail ends, and the status switches to the final one when the stream's end event comes.
(() => {
  const log = document.getElementById('fc-log');
  const badgeHolder = document.getElementById('fc-build-status');
  if (!log || !badgeHolder || !log.dataset.stream || !window.EventSource) return;
  const statuses = JSON.parse(badgeHolder.dataset.statuses || '{}');
  const state = document.getElementById('fc-log-state');

  const setText = (id, text) => {
    const el = document.getElementById(id);
    if (el) el.textContent = text;
  };
  const showStatus = (name) => {
    const s = statuses[name];
    const badge = badgeHolder.querySelector('.fc-status');
    if (!s || !badge) return;
    badge.className = `fc-status fc-status-${s.tone}`;
    badge.dataset.status = name;
    badge.textContent = s.label;
    setText('fc-build-status-text', s.label);
  };
  const time = (iso) => (iso ? `${iso.slice(0, 19).replace('T', ' ')} UTC` : '');
  const atBottom = () => log.scrollTop + log.clientHeight >= log.scrollHeight - 4;

  const source = new EventSource(
    `${log.dataset.stream}?offset=${encodeURIComponent(log.dataset.offset || '0')}`,
  );
  source.addEventListener('log', (e) => {
    const follow = atBottom();
    log.append(document.createTextNode(JSON.parse(e.data).text));
    if (follow) log.scrollTop = log.scrollHeight;
    // The first log line: a queued build is running (the names come from the page: libs/core's).
    const { queued, running } = badgeHolder.dataset;
    if (badgeHolder.querySelector('.fc-status')?.dataset.status === queued) showStatus(running);
  });
  source.addEventListener('end', (e) => {
    source.close();
    const build = JSON.parse(e.data);
    showStatus(build.status);
    setText('fc-build-started', time(build.started_at));
    setText('fc-build-stopped', time(build.stopped_at));
    if (build.started_at && build.stopped_at) {
      const s = Math.round((Date.parse(build.stopped_at) - Date.parse(build.started_at)) / 1000);
      setText(
        'fc-build-duration',
        s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`,
      );
    }
    if (state) state.textContent = 'finished';
    badgeHolder.dataset.live = 'false';
    // The actions depend on the state: they are right again after a reload.
    document.querySelectorAll('.fc-actions form').forEach((f) => f.setAttribute('hidden', ''));
  });
})();
