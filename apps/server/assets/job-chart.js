// The job page's chart (the page's table holds the same builds without it): build duration and
// output size over time, drawn with Chart.js.
(() => {
  const canvas = document.getElementById('fc-job-chart');
  if (!canvas || !window.Chart) return;
  const points = JSON.parse(canvas.dataset.points || '[]');
  const labels = points.map((p) => `#${p.id}`);
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
          label: 'Output size (MiB)',
          data: points.map((p) => (p.size === null ? null : p.size / 1048576)),
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
          title: { display: true, text: 'MiB' },
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
