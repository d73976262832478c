// Draws the dashboards' charts with the vendored Chart.js. The data comes from a
// <script type="application/json" id="chart-data"> block (Django's json_script): nothing inline runs.
(function () {
  const source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") return;
  const charts = JSON.parse(source.textContent);
  const palette = ["#1f6feb", "#2da44e", "#bf8700", "#cf222e", "#8250df", "#6e7781", "#0a7ea4"];
  charts.forEach(function (spec) {
    const canvas = document.getElementById(spec.id);
    if (!canvas) return;
    const datasets = spec.datasets.map(function (set, index) {
      const colour = set.color || palette[index % palette.length];
      return Object.assign({ backgroundColor: colour, borderColor: colour, spanGaps: true }, set);
    });
    const ticks = spec.percent ? { callback: function (value) { return value + " %"; } } : {};
    new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: !!spec.stacked },
          y: { stacked: !!spec.stacked, beginAtZero: true, ticks: ticks },
        },
      },
    });
    canvas.dataset.drawn = "1";
  });
})();
