// The History tab's charts (also one hall's on the city's dashboard), drawn by uPlot (vendor/uplot, MIT; loaded as the global
// `uPlot` by index.html). Categories (hours, fields, wait buckets, days) sit at x = 0..n-1
// and the x axis maps each index back to its label; bars come from uPlot.paths.bars.

import { levelColours, SCALES } from './strings.js';

export const INK = '#14213d';
export const MUTED = '#5b6678';
const GRID = '#e3e8ef';
export const BRAND = '#0b4f9c';
export const FONT = '13px "Noto Sans", system-ui, sans-serif';
const BOLD = '700 13px "Noto Sans", system-ui, sans-serif';

/** A nice upper bound for a count axis: never 0, so an empty chart still has an axis. */
function niceMax(max) {
  if (!(max > 0)) return 5;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= max * 1.1) return m * p;
  return 10 * p;
}

/** Ticks at every category index that fits; long ranges (30 days) show every k-th label. */
function categorySplits(labels, minSpace) {
  return (u) => {
    const n = labels.length;
    const width = u.bbox.width / (window.devicePixelRatio || 1);
    const step = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(width / minSpace))));
    const out = [];
    for (let i = 0; i < n; i += step) out.push(i);
    return out;
  };
}

function xAxis(labels, minSpace = 44, lines = 1) {
  return {
    stroke: MUTED,
    font: FONT,
    grid: { show: false },
    ticks: { show: true, stroke: GRID, size: 4 },
    splits: categorySplits(labels, minSpace),
    values: (u, splits) => splits.map((i) => labels[i] ?? ''),
    size: 18 + 16 * lines,
    gap: 4,
  };
}

export function yAxis(scale, label, format, side = 3, grid = true) {
  return {
    scale,
    side,
    label,
    labelFont: BOLD,
    labelSize: 20,
    stroke: MUTED,
    font: FONT,
    grid: { show: grid, stroke: GRID, width: 1 },
    ticks: { show: false },
    values: (u, splits) => splits.map(format),
    size: 56,
  };
}

export const bars = (size = [0.62, 72]) => uPlot.paths.bars({ size, radius: 0.12 });

/** A legend value only while the cursor is on a category; nothing (not "—") otherwise. */
export const shown = (format) => (u, v, si, i) => (i == null ? '' : format(v, i));

/**
 * One chart in a container. `build(width)` answers uPlot's options and data; the chart is
 * rebuilt when the data or the language change, and resized with its container.
 */
export class Chart {
  constructor(el, height, noData) {
    this.el = el;
    this.height = height;
    this.noData = noData;
    this.plot = null;
    this.build = null;
    new ResizeObserver(() => this.fit()).observe(el);
  }

  set(build) {
    this.build = build;
    this.draw();
  }

  draw() {
    this.plot?.destroy();
    this.plot = null;
    const width = this.el.clientWidth;
    if (!this.build || width < 50) return; // hidden tab: drawn when shown
    const { opts, data, empty } = this.build();
    this.el.dataset.empty = empty ? 'true' : 'false';
    this.el.dataset.emptyText = this.noData();
    this.plot = new uPlot({ width, height: this.height(), ...opts }, data, this.el);
  }

  fit() {
    const width = this.el.clientWidth;
    if (width < 50) return;
    if (!this.plot) {
      this.draw();
      return;
    }
    if (Math.abs(this.plot.width - width) > 1 || this.plot.height !== this.height()) {
      this.plot.setSize({ width, height: this.height() });
    }
  }
}

/** The four charts of the History tab. */
export function makeCharts(t, fmt, prefix = 'chart-') {
  const height = () => (window.innerHeight < 900 ? 230 : 280);
  const noData = () => t('chart.noData');
  const charts = {
    hourly: new Chart(document.getElementById(`${prefix}hourly`), height, noData),
    histogram: new Chart(document.getElementById(`${prefix}histogram`), height, noData),
    within: new Chart(document.getElementById(`${prefix}within`), height, noData),
    satisfaction: new Chart(document.getElementById(`${prefix}satisfaction`), height, noData),
  };
  const minutes = (s) => (s == null ? null : s / 60);
  const pctAxis = (v) => fmt.percent(v / 100);
  const countAxis = (v) => (Number.isInteger(v) ? fmt.int(v) : '');
  const minAxis = (v) => fmt.minutesNumber(v * 60);

  function hourly(stats) {
    // Every hour from the first to the last one with tickets, so gaps show as gaps.
    const rows = new Map(stats.by_hour.map((r) => [Number(r.key), r]));
    const hours = [...rows.keys()].filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
    const all = hours.length
      ? Array.from({ length: hours.at(-1) - hours[0] + 1 }, (_, i) => hours[0] + i)
      : [];
    const labels = all.map((x) => `${String(x).padStart(2, '0')}h`);
    const issued = all.map((x) => rows.get(x)?.issued ?? 0);
    const mean = all.map((x) => minutes(rows.get(x)?.wait.mean));
    const p90 = all.map((x) => minutes(rows.get(x)?.wait.p90));
    const n = all.length;
    const maxMin = Math.max(0, ...p90.filter((v) => v != null), ...mean.filter((v) => v != null));
    return {
      empty: n === 0,
      data: [all.map((_, i) => i), issued, mean, p90],
      opts: {
        scales: {
          x: { time: false, range: [-0.5, Math.max(n, 1) - 0.5] },
          count: { range: (u, min, max) => [0, niceMax(max)] },
          min: { range: (u, min, max) => [0, niceMax(Math.max(max ?? 0, maxMin))] },
        },
        axes: [
          xAxis(labels, 40),
          yAxis('count', t('axis.count'), countAxis),
          yAxis('min', t('axis.waitMinutes'), minAxis, 1, false),
        ],
        series: [
          { label: t('by.hour'), value: (u, i) => (i == null ? '' : (labels[i] ?? '')) },
          {
            label: t('series.issued'),
            scale: 'count',
            paths: bars(),
            points: { show: false },
            fill: 'rgba(11, 79, 156, .78)',
            stroke: BRAND,
            width: 0,
            value: shown((v) => fmt.int(v)),
          },
          {
            label: t('series.meanWait'),
            scale: 'min',
            stroke: '#e07b00',
            width: 2.5,
            spanGaps: false,
            points: { show: true, size: 6, fill: '#e07b00' },
            value: shown((v) => fmt.minutes(v == null ? null : v * 60)),
          },
          {
            label: t('series.p90Wait'),
            scale: 'min',
            stroke: '#b42318',
            width: 2,
            dash: [6, 4],
            spanGaps: false,
            points: { show: true, size: 5, fill: '#b42318' },
            value: shown((v) => fmt.minutes(v == null ? null : v * 60)),
          },
        ],
      },
    };
  }

  function histogram(stats) {
    const buckets = stats.wait_histogram ?? [];
    const labels = buckets.map((b) =>
      b.to_minutes == null
        ? t('bucket.over', { a: b.from_minutes })
        : t('bucket.range', { a: b.from_minutes, b: b.to_minutes }),
    );
    const counts = buckets.map((b) => b.count);
    const n = buckets.length;
    return {
      empty: counts.every((c) => !c),
      data: [buckets.map((_, i) => i), counts],
      opts: {
        scales: {
          x: { time: false, range: [-0.5, Math.max(n, 1) - 0.5] },
          count: { range: (u, min, max) => [0, niceMax(max)] },
        },
        axes: [
          { ...xAxis(labels, 52), label: t('axis.waitMinutes'), labelFont: BOLD, labelSize: 20 },
          yAxis('count', t('axis.count'), countAxis),
        ],
        series: [
          { label: t('axis.waitMinutes'), value: (u, i) => (i == null ? '' : (labels[i] ?? '')) },
          {
            label: t('series.tickets'),
            scale: 'count',
            paths: bars([0.86, 90]),
            points: { show: false },
            fill: 'rgba(19, 121, 59, .75)',
            stroke: '#13793b',
            width: 0,
            value: shown((v) => fmt.int(v)),
          },
        ],
      },
    };
  }

  function within(stats) {
    const rows = stats.by_field;
    const name = (r) => (t.lang() === 'en' ? r.name_en : r.name_vi) || r.key;
    // Field names are long: the code on the first line, the name (shortened) on the second.
    const short = (s) => (s.length > 22 ? `${s.slice(0, 21)}…` : s);
    const labels = rows.map((r) => `${r.key}\n${short(name(r))}`);
    const values = rows.map((r) => (r.within_target == null ? null : r.within_target * 100));
    const n = rows.length;
    return {
      empty: values.every((v) => v == null),
      data: [rows.map((_, i) => i), values],
      opts: {
        scales: {
          x: { time: false, range: [-0.5, Math.max(n, 1) - 0.5] },
          pct: { range: [0, 100] },
        },
        axes: [xAxis(labels, 120, 2), yAxis('pct', t('series.within'), pctAxis)],
        series: [
          {
            label: t('by.field'),
            value: (u, i) => (i == null ? '' : rows[i] ? `${rows[i].key} · ${name(rows[i])}` : ''),
          },
          {
            label: t('series.within'),
            scale: 'pct',
            paths: bars([0.55, 90]),
            points: { show: false },
            fill: 'rgba(11, 79, 156, .78)',
            stroke: BRAND,
            width: 0,
            value: shown((v) => fmt.percent(v == null ? null : v / 100)),
          },
        ],
      },
    };
  }

  function satisfaction(stats) {
    const rows = stats.by_day;
    const scale = stats.rating_scale === 3 ? 3 : 5;
    const colours = levelColours(scale);
    const labels = rows.map((r) => fmt.dayMonth(r.key));
    const n = rows.length;
    // Stacked bars: series k draws the sum of levels 1..k over the previous ones, best
    // level (the tallest stack) first, so each colour shows its own level's share.
    const levels = Array.from({ length: scale }, (_, i) => scale - i); // best first
    const counts = (r, level) => r.satisfaction?.levels?.[level - 1] ?? 0;
    const stacks = levels.map((level) =>
      rows.map((r) => {
        let sum = 0;
        for (let l = 1; l <= level; l++) sum += counts(r, l);
        return sum;
      }),
    );
    const share = rows.map((r) =>
      r.satisfaction?.satisfied_share == null ? null : r.satisfaction.satisfied_share * 100,
    );
    const label = (level) => SCALES[scale][level][t.lang() === 'en' ? 1 : 0];
    const maxRated = Math.max(0, ...rows.map((r) => r.satisfaction?.rated ?? 0));
    return {
      empty: maxRated === 0,
      data: [rows.map((_, i) => i), ...stacks, share],
      opts: {
        scales: {
          x: { time: false, range: [-0.5, Math.max(n, 1) - 0.5] },
          count: { range: () => [0, niceMax(maxRated)] },
          pct: { range: [0, 100] },
        },
        axes: [
          xAxis(labels, 46),
          yAxis('count', t('sat.rated'), countAxis),
          yAxis('pct', t('series.satisfied'), pctAxis, 1, false),
        ],
        series: [
          {
            label: t('by.day'),
            value: (u, i) => (i == null ? '' : rows[i] ? fmt.dateShort(rows[i].key) : ''),
          },
          ...levels.map((level) => ({
            label: label(level),
            scale: 'count',
            paths: bars([0.6, 60]),
            points: { show: false },
            fill: colours[level - 1],
            stroke: colours[level - 1],
            width: 0,
            value: (u, v, si, i) => (i == null || !rows[i] ? '' : fmt.int(counts(rows[i], level))),
          })),
          {
            label: t('series.satisfied'),
            scale: 'pct',
            stroke: INK,
            width: 2.5,
            spanGaps: true,
            points: { show: true, size: 7, fill: '#fff', stroke: INK, width: 2 },
            value: shown((v) => fmt.percent(v == null ? null : v / 100)),
          },
        ],
      },
    };
  }

  const builders = { hourly, histogram, within, satisfaction };
  let current = null;
  return {
    /** New figures: rebuild every chart (drawn now if the tab is visible). */
    show(stats) {
      current = stats;
      for (const [name, chart] of Object.entries(charts)) chart.set(() => builders[name](current));
    },
    /** The language changed, or the tab became visible. */
    redraw() {
      for (const chart of Object.values(charts)) chart.draw();
    },
  };
}
