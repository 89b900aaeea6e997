// Runs in the page (page-qualities.ts evaluates it there): what the page itself can tell of every
// page's qualities, and the colour each status badge is drawn in.
(markers) => {
  const problems = [];
  for (const m of markers)
    if (window[m] !== undefined) problems.push(`a stored script ran (window.${m} is set)`);
  for (const s of document.querySelectorAll('script')) {
    if (!(s.getAttribute('src') ?? '').startsWith('/assets/'))
      problems.push(`a script that is not FC's own: ${s.outerHTML.slice(0, 80)}`);
  }
  if (document.querySelector('img[src="x"]')) problems.push('an injected <img> element');
  if (!/^\S.* · FC$/.test(document.title))
    problems.push(`the title "${document.title}" does not say where you are`);
  if (!document.querySelector('h1')) problems.push('no <h1> heading');

  for (const el of document.querySelectorAll('input, select, textarea')) {
    if (el.type === 'hidden') continue;
    const labelled =
      el.labels.length > 0 || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
    if (!labelled) problems.push(`a form field without a label: ${el.outerHTML.slice(0, 100)}`);
  }

  const loggedIn = document.querySelector('.fc-me') !== null;
  for (const form of document.querySelectorAll('form')) {
    if (form.method.toLowerCase() !== 'post') continue;
    const token = form.querySelector('input[name="_csrf"]')?.value ?? '';
    if (loggedIn && token.length < 32)
      problems.push(`a form without the CSRF token: ${form.getAttribute('action')}`);
  }

  const statuses = Array.from(
    document.querySelectorAll('.fc-status[data-status], .fc-dot[data-status]'),
    (el) => ({
      status: el.dataset.status,
      colour: getComputedStyle(el).backgroundColor,
    }),
  );

  const doc = document.documentElement;
  const edge = doc.clientWidth + 1;
  if (window.innerWidth < 600 && doc.scrollWidth > edge) {
    // Name the outermost elements that stick out, so the failure says what to fix.
    const wide = Array.from(document.querySelectorAll('main *'))
      .filter((el) => el.getBoundingClientRect().right > edge)
      .filter((el) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= edge)
      .slice(0, 3)
      .map((el) => `<${el.tagName.toLowerCase()} class="${el.className}">`);
    problems.push(`wider than the phone (${doc.scrollWidth} px > ${doc.clientWidth} px): ${wide.join(' ')}`);
  }
  return { problems, statuses };
};
