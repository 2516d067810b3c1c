// Analytics charts with uPlot (served from the npm package, no build step).
import uPlot from '/vendor/uplot.js';

/** A bar-ish line chart of one series per day. */
export function dayChart(container, title, days, values, format, integer = false) {
  const x = days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000);
  const width = Math.max(320, Math.min(container.clientWidth || 600, 900));
  return new uPlot(
    {
      title,
      width,
      height: 220,
      scales: { x: { time: true } },
      series: [{}, { label: title, stroke: '#2563eb', fill: 'rgba(37,99,235,0.15)', paths: uPlot.paths.bars({ size: [0.6, 40] }), value: (_u, v) => (v == null ? '' : format(v)) }],
      axes: [{}, { size: 64, values: (_u, ticks) => ticks.map(format), ...(integer ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] } : {}) }],
    },
    [x, values],
    container,
  );
}
