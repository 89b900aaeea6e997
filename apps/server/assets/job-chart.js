// The job page's chart (the page's table holds the same builds without it): build duration and
// output size over time, drawn with Chart.js.
(() => {
  const canvas = document.getElementById('fc-job-chart');
  if (!canvas || !window.Chart) return;
  const points = JSON.parse(canvas.dataset.points || '[]');
  const labels = points.map((p) => `#${p.id}`);
  // Sizes in the unit that fits the largest one.
  const largest = Math.max(0, ...points.map((p) => p.size ?? 0));
  const [unit, divisor] =
    largest >= 1073741824 ? ['GiB', 1073741824] : largest >= 1048576 ? ['MiB', 1048576] : ['KiB', 1024];
  const chart = new window.Chart(canvas, {
    type: 'line',
    data: {
      labels,
      datasets: [
        {
          label: 'Duration (s)',
          data: points.map((p) => p.seconds),
          yAxisID: 'seconds',
          borderColor: '#1565c0',
          backgroundColor: '#1565c0',
          tension: 0.2,
        },
        {
          label: `Output size (${unit})`,
          data: points.map((p) => (p.size === null ? null : p.size / divisor)),
          yAxisID: 'size',
          borderColor: '#ef6c00',
          backgroundColor: '#ef6c00',
          tension: 0.2,
          spanGaps: true,
        },
      ],
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      interaction: { mode: 'index', intersect: false },
      scales: {
        seconds: { position: 'left', beginAtZero: true, title: { display: true, text: 'seconds' } },
        size: {
          position: 'right',
          beginAtZero: true,
          grid: { drawOnChartArea: false },
          title: { display: true, text: unit },
        },
      },
      onClick: (_event, elements) => {
        const i = elements[0]?.index;
        if (i !== undefined) window.location.href = `/build/${points[i].id}`;
      },
    },
  });
  canvas.dataset.ready = String(chart.data.labels.length);
})();
