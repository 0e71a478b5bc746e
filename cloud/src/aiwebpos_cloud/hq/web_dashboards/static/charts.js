"use strict";
// The dashboards' charts, drawn as inline SVG from a dashboard's JSON (no chart library: nothing is
// downloaded at run time). Every mark carries data-label, data-column and data-value, the raw value of
// the API, so that what is drawn can be checked against the figures; its <title> is its tooltip.

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 560;
const HEIGHT = 260;
// the plot area inside the SVG: left room for the value ticks, bottom room for the category labels
const PLOT = { top: 14, right: 20, bottom: 28, left: 70 };
const LABEL_CHARS = 14;
const PERCENT = /(share|_rate|wape|change|per_sale)$/; // fractions: 0.25 reads 25 %

// ---- how values read -------------------------------------------------------------------------------

const isNumber = (value) => typeof value === "number" && Number.isFinite(value);
const humanize = (column) => column.replace(/_cents$/, "").replaceAll("_", " ");
const number = (value, digits) => value.toLocaleString("en-US", { maximumFractionDigits: digits });
const compact = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

function format(column, value) {
  if (value === null || value === undefined) return "—";
  if (!isNumber(value)) return String(value).replace(/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}):\d{2}(\.\d+)?/, "$1 $2");
  if (column.endsWith("_cents")) {
    return `M ${(value / 100).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
  }
  if (PERCENT.test(column)) return `${number(value * 100, 1)} %`;
  return number(value, 3);
}

function formatTick(column, value) {
  if (column.endsWith("_cents")) return `M ${compact.format(value / 100)}`;
  if (PERCENT.test(column)) return `${number(value * 100, 0)} %`;
  return compact.format(value);
}

// a day reads "11-09" under a chart; anything else as it is, shortened
function shortLabel(label, room) {
  const text = /^\d{4}-\d{2}-\d{2}$/.test(label) ? label.slice(5) : label;
  return text.length > room ? `${text.slice(0, room - 1)}…` : text;
}

// ---- SVG drawing -----------------------------------------------------------------------------------

function svgElement(name, attributes = {}, text = null) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
  if (text !== null) element.textContent = text;
  return element;
}

function newChart(title, description) {
  const svg = svgElement("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": `${title}: ${description}` });
  svg.append(svgElement("title", {}, title), svgElement("desc", {}, description));
  return svg;
}

// a mark (bar or point) carrying its value, with its tooltip
function mark(name, attributes, label, column, value, seriesIndex) {
  const element = svgElement(name, {
    ...attributes,
    class: `series-${seriesIndex % 6}`,
    "data-label": label,
    "data-column": column,
    "data-value": String(value),
  });
  element.append(svgElement("title", {}, `${label} — ${humanize(column)}: ${format(column, value)}`));
  return element;
}

// round steps (1, 2, 5 × 10ⁿ) covering the values and zero
function niceScale(values, from, to) {
  const low = Math.min(0, ...values);
  const high = Math.max(0, ...values);
  const rough = (high - low || 1) / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((k) => k * power).find((s) => s >= rough);
  const ticks = [];
  for (let tick = Math.floor(low / step) * step; tick <= Math.ceil(high / step) * step + step / 2; tick += step) ticks.push(tick);
  const [first, last] = [ticks[0], ticks[ticks.length - 1]];
  const at = (value) => from + ((value - first) / (last - first || 1)) * (to - from);
  return { at, ticks };
}

// values up the side (vertical) or along the bottom (horizontal), with grid lines across the plot
function valueAxis(svg, scale, column, plot, vertical) {
  for (const tick of scale.ticks) {
    const p = scale.at(tick);
    const line = { class: tick === 0 ? "zero" : "grid" };
    if (vertical) {
      svg.append(svgElement("line", { ...line, x1: plot.left, x2: WIDTH - plot.right, y1: p, y2: p }));
      svg.append(svgElement("text", { x: plot.left - 6, y: p + 4, class: "tick", "text-anchor": "end" }, formatTick(column, tick)));
    } else {
      svg.append(svgElement("line", { ...line, y1: plot.top, y2: HEIGHT - plot.bottom, x1: p, x2: p }));
      svg.append(svgElement("text", { x: p, y: HEIGHT - plot.bottom + 16, class: "tick", "text-anchor": "middle" }, formatTick(column, tick)));
    }
  }
}

// labels slant (and the plot leaves them room) when written flat they would run into each other
function bandPlot(labels) {
  const widest = Math.max(1, ...labels.map((l) => shortLabel(l, LABEL_CHARS).length));
  const slanted = labels.length * widest * 6 > WIDTH - PLOT.left - PLOT.right;
  return { ...PLOT, bottom: slanted ? 80 : PLOT.bottom, slanted };
}

function categoryLabel(svg, label, x, plot) {
  const y = HEIGHT - plot.bottom + 14;
  const attributes = { x, y, class: "tick", "text-anchor": plot.slanted ? "end" : "middle" };
  if (plot.slanted) attributes.transform = `rotate(-45 ${x} ${y})`;
  svg.append(svgElement("text", attributes, shortLabel(label, LABEL_CHARS)));
}

function legend(names) {
  const list = document.createElement("ul");
  list.className = "legend";
  names.forEach((name, i) => {
    const item = document.createElement("li");
    item.innerHTML = `<span class="swatch series-${i % 6}"></span>`;
    item.append(name);
    list.append(item);
  });
  return list;
}

// ---- the charts ------------------------------------------------------------------------------------

// rows as objects, each with its label (the x columns joined)
function records(data) {
  return data.rows.map((row) => {
    const record = Object.fromEntries(data.columns.map((column, i) => [column, row[i]]));
    record.label = data.chart.x.map((c) => record[c]).filter((v) => v !== null).join(" · ");
    return record;
  });
}

function barChart(title, chart, rows) {
  const columns = chart.y;
  const values = rows.flatMap((r) => columns.map((c) => r[c])).filter(isNumber);
  const plot = bandPlot(rows.map((r) => r.label));
  const scale = niceScale(values, HEIGHT - plot.bottom, plot.top);
  const svg = newChart(title, `bars of ${columns.map(humanize).join(" and ")} for ${rows.length} ${chart.x.map(humanize).join(" · ")}`);
  valueAxis(svg, scale, columns[0], plot, true);
  const band = (WIDTH - plot.left - plot.right) / Math.max(rows.length, 1);
  const barWidth = (band * 0.8) / columns.length;
  rows.forEach((row, i) => {
    const left = plot.left + i * band + band * 0.1;
    columns.forEach((column, j) => {
      const value = row[column];
      if (!isNumber(value)) return;
      const [top, bottom] = [scale.at(Math.max(value, 0)), scale.at(Math.min(value, 0))];
      const box = { x: left + j * barWidth, y: top, width: Math.max(barWidth - 1, 1), height: Math.max(bottom - top, 0.5) };
      svg.append(mark("rect", box, row.label, column, value, j));
    });
    categoryLabel(svg, row.label, left + band * 0.4, plot);
  });
  return columns.length > 1 ? [svg, legend(columns.map(humanize))] : [svg];
}

function horizontalBarChart(title, chart, rows) {
  const column = chart.y[0];
  const plot = { ...PLOT, left: 190, right: 28 }; // room for product names, and for the last tick
  const scale = niceScale(rows.map((r) => r[column]).filter(isNumber), plot.left, WIDTH - plot.right);
  const svg = newChart(title, `${humanize(column)} of ${rows.length} ${chart.x.map(humanize).join(" · ")}`);
  valueAxis(svg, scale, column, plot, false);
  const band = (HEIGHT - plot.top - plot.bottom) / Math.max(rows.length, 1);
  rows.forEach((row, i) => {
    const y = plot.top + i * band;
    svg.append(svgElement("text", { x: plot.left - 6, y: y + band * 0.65, class: "tick", "text-anchor": "end" }, shortLabel(row.label, 30)));
    const value = row[column];
    if (!isNumber(value)) return;
    const [start, end] = [scale.at(Math.min(value, 0)), scale.at(Math.max(value, 0))];
    svg.append(mark("rect", { x: start, y: y + band * 0.15, width: Math.max(end - start, 0.5), height: band * 0.7 }, row.label, column, value, 0));
  });
  return [svg];
}

// one line per y column, or (with chart.series) per value of that column
function lineChart(title, chart, rows) {
  const labels = [...new Set(rows.map((r) => r.label))].sort();
  const lines = chart.series
    ? [...new Set(rows.map((r) => r[chart.series]))].sort().map((name) => ({ name, column: chart.y[0], rows: rows.filter((r) => r[chart.series] === name) }))
    : chart.y.map((column) => ({ name: humanize(column), column, rows }));
  const values = lines.flatMap((l) => l.rows.map((r) => r[l.column])).filter(isNumber);
  const scale = niceScale(values, HEIGHT - PLOT.bottom, PLOT.top);
  const svg = newChart(title, `${lines.map((l) => l.name).join(", ")} over ${labels.length} ${chart.x.map(humanize).join(" · ")}`);
  valueAxis(svg, scale, chart.y[0], PLOT, true);
  const step = (WIDTH - PLOT.left - PLOT.right) / Math.max(labels.length - 1, 1);
  const xOf = (label) => PLOT.left + labels.indexOf(label) * step;
  const every = Math.ceil(labels.length / 10); // about ten labels along the bottom, whatever the period
  labels.forEach((label, i) => {
    if (i % every === 0) svg.append(svgElement("text", { x: xOf(label), y: HEIGHT - PLOT.bottom + 16, class: "tick", "text-anchor": "middle" }, shortLabel(label, 10)));
  });
  lines.forEach((line, i) => {
    let path = "";
    let drawing = false; // a missing value (a day not known yet) breaks the line
    for (const row of [...line.rows].sort((a, b) => labels.indexOf(a.label) - labels.indexOf(b.label))) {
      const value = row[line.column];
      if (!isNumber(value)) { drawing = false; continue; }
      path += `${drawing ? "L" : "M"}${xOf(row.label).toFixed(1)},${scale.at(value).toFixed(1)}`;
      drawing = true;
    }
    svg.append(svgElement("path", { d: path, class: `line series-${i % 6}`, fill: "none" }));
    for (const row of line.rows) {
      const value = row[line.column];
      if (isNumber(value)) svg.append(mark("circle", { cx: xOf(row.label), cy: scale.at(value), r: 2.5 }, row.label, line.column, value, i));
    }
  });
  return lines.length > 1 ? [svg, legend(lines.map((l) => String(l.name)))] : [svg];
}

// the x columns as text, the y columns as bars in their cells (scaled to each column's largest)
function barTable(title, chart, rows) {
  const largest = Object.fromEntries(chart.y.map((c) => [c, Math.max(0, ...rows.map((r) => Math.abs(r[c] || 0)))]));
  const table = document.createElement("table");
  table.className = "bar-table";
  table.setAttribute("aria-label", title);
  const head = [...chart.x, ...chart.y].map((c) => `<th scope="col">${humanize(c)}</th>`).join("");
  table.innerHTML = `<thead><tr>${head}</tr></thead><tbody></tbody>`;
  for (const row of rows) {
    const line = table.tBodies[0].insertRow();
    for (const column of chart.x) line.insertCell().textContent = format(column, row[column]);
    for (const column of chart.y) {
      const cell = line.insertCell();
      cell.className = "bar-cell";
      const value = row[column];
      const bar = document.createElement("span");
      if (isNumber(value)) Object.assign(bar.dataset, { label: row.label, column, value: String(value) });
      bar.className = "cell-bar";
      bar.style.width = `${largest[column] ? (Math.abs(value || 0) / largest[column]) * 100 : 0}%`;
      bar.title = `${row.label} — ${humanize(column)}: ${format(column, value)}`;
      cell.append(bar, format(column, value));
    }
  }
  return [table];
}

const DRAW = { bar: barChart, grouped_bar: barChart, horizontal_bar: horizontalBarChart, line: lineChart, table: barTable };

function draw(data) {
  const rows = records(data);
  if (!data.chart.facet) return DRAW[data.chart.kind](data.title, data.chart, rows);
  // side by side, one chart per value of the facet (the top and the bottom of a ranking)
  return [...new Set(rows.map((r) => r[data.chart.facet]))].map((facet) => {
    const figure = document.createElement("figure");
    const caption = document.createElement("figcaption");
    caption.textContent = facet;
    const title = `${data.title}: ${facet}`;
    figure.append(caption, ...DRAW[data.chart.kind](title, data.chart, rows.filter((r) => r[data.chart.facet] === facet)));
    figure.dataset.facet = facet;
    return figure;
  });
}

function dataTable(data) {
  const table = document.createElement("table");
  const head = data.columns.map((c) => `<th scope="col">${humanize(c)}</th>`).join("");
  table.innerHTML = `<thead><tr>${head}</tr></thead><tbody></tbody>`;
  for (const row of data.rows) {
    const line = table.tBodies[0].insertRow();
    row.forEach((value, i) => {
      const cell = line.insertCell();
      cell.textContent = format(data.columns[i], value);
      if (isNumber(value)) cell.className = "number";
    });
  }
  return table;
}
