// The city's two hall-by-hall bar charts, drawn by uPlot (loaded as the global `uPlot`
// by index.html) with the hall dashboard's chart pieces (dashboard-web/charts.js, served by
// the collector at /dashboard/): halls sit at x = 0..n-1 and the x axis maps each index back
// to its name; bars come from uPlot.paths.bars. One hall's four charts are the hall
// dashboard's own (makeCharts with the `h-chart-` ids).

import { BRAND, Chart, FONT, INK, MUTED, bars, shown, yAxis } from '/dashboard/charts.js';

/**
 * The city's two charts: one bar per hall, lowest to highest, with the whole city's share
 * as a dashed line across. Hovering names the hall; a click on its bar opens it
 * (`onPick(code)`). Halls with no figure for the range (nobody served, nobody rated) have
 * no bar; the caption says how many.
 */
export function makeCityCharts(t, fmt, onPick) {
  const height = () => (window.innerHeight < 900 ? 150 : 210);
  const noData = () => t('chart.noData');
  const charts = {
    within: new Chart(document.getElementById('chart-halls-within'), height, noData),
    satisfied: new Chart(document.getElementById('chart-halls-satisfied'), height, noData),
  };
  const measures = {
    within: {
      value: (F) => F?.within_target,
      label: () => t('series.within'),
      fill: 'rgba(11, 79, 156, .78)',
      stroke: BRAND,
    },
    satisfied: {
      value: (F) => F?.satisfaction?.satisfied_share,
      label: () => t('series.satisfied'),
      fill: 'rgba(46, 158, 91, .8)',
      stroke: '#2e9e5b',
    },
  };
  const collator = new Intl.Collator('vi');
  const pctAxis = (v) => fmt.percent(v / 100);
  // Hall names all start alike ("UBND phường …"): the label keeps the part that differs.
  const short = (name) => {
    const s = String(name).replace(
      /^(UBND|Ủy ban nhân dân|Trung tâm Phục vụ hành chính công|Bộ phận một cửa)\s+/iu,
      '',
    );
    return s.length > 20 ? `${s.slice(0, 19)}…` : s;
  };

  function build(which, stats) {
    const m = measures[which];
    const rows = (stats.halls ?? [])
      .filter((r) => m.value(r) != null)
      .sort((a, b) => m.value(a) - m.value(b) || collator.compare(a.name, b.name));
    const n = rows.length;
    const city = m.value(stats.total);
    const labels = rows.map((r) => short(r.name));
    const missing = (stats.halls ?? []).length - n;
    const caption = document.querySelector(`[data-chart-note="${which}"]`);
    if (caption) caption.textContent = missing > 0 ? t('chart.hallsMissing', { n: fmt.int(missing) }) : '';
    return {
      empty: n === 0,
      // The city's share is drawn by the draw hook across the whole width (one hall has a
      // single x); its series is there for the legend.
      data: [rows.map((_, i) => i), rows.map((r) => m.value(r) * 100), rows.map(() => null)],
      opts: {
        cursor: { drag: { x: false, y: false }, points: { show: false } },
        scales: {
          x: { time: false, range: [-0.5, Math.max(n, 1) - 0.5] },
          pct: { range: [0, 100] },
        },
        axes: [
          {
            stroke: MUTED,
            font: FONT,
            grid: { show: false },
            ticks: { show: false },
            // A name under each bar while they fit (a district's dozen halls); for the
            // whole city the bars speak as a spread and the hover names each hall.
            splits: (u) =>
              u.bbox.width / (window.devicePixelRatio || 1) / Math.max(n, 1) >= 96
                ? rows.map((_, i) => i)
                : [],
            values: (u, splits) => splits.map((i) => labels[i] ?? ''),
            label: n ? t('chart.hallsSorted', { n: fmt.int(n) }) : '',
            labelFont: FONT,
            labelSize: 18,
            size: 24,
            gap: 2,
          },
          yAxis('pct', m.label(), pctAxis),
        ],
        series: [
          { label: t('series.hall'), value: (u, i) => (i == null ? '' : (rows[i]?.name ?? '')) },
          {
            label: m.label(),
            scale: 'pct',
            paths: bars([0.7, 64]),
            points: { show: false },
            fill: m.fill,
            stroke: m.stroke,
            width: 0,
            value: shown((v) => fmt.percent(v == null ? null : v / 100)),
          },
          {
            // The level's total: the city's, the country's or one province's.
            label: stats.totalLabel ?? t('series.city'),
            scale: 'pct',
            stroke: INK,
            width: 2,
            dash: [8, 5],
            points: { show: false },
            value: () => fmt.percent(city),
          },
        ],
        hooks: {
          draw: [
            (u) => {
              if (city == null || n === 0) return;
              const dpr = window.devicePixelRatio || 1;
              const y = Math.round(u.valToPos(city * 100, 'pct', true));
              const { ctx } = u;
              ctx.save();
              ctx.strokeStyle = INK;
              ctx.lineWidth = 2 * dpr;
              ctx.setLineDash([8 * dpr, 5 * dpr]);
              ctx.beginPath();
              ctx.moveTo(u.bbox.left, y);
              ctx.lineTo(u.bbox.left + u.bbox.width, y);
              ctx.stroke();
              ctx.restore();
            },
          ],
          ready: [
            (u) => {
              u.over.style.cursor = 'pointer';
              u.over.addEventListener('click', () => {
                const i = u.cursor.idx;
                if (i != null && rows[i]) onPick(rows[i].code);
              });
            },
          ],
        },
      },
    };
  }

  let current = null;
  return {
    /** New figures of every hall: rebuild both charts. */
    show(stats) {
      current = stats;
      for (const [name, chart] of Object.entries(charts)) chart.set(() => build(name, current));
    },
    /** The language changed, or the overview became visible. */
    redraw() {
      for (const chart of Object.values(charts)) chart.draw();
    },
  };
}
