/**
 * Charts drawn on the server as inline SVG: no chart library, nothing fetched, readable without
 * JavaScript. Colours come from classes in console.css (no inline styles, strict CSP). Each chart
 * has a title and description for screen readers; pages also show the numbers as a table.
 */
import { html, type Html } from "./html.js";
import { formatNumber } from "./texts.js";

/** A round upper bound for an axis: 1, 2, 5 × 10^k. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

const round = (n: number) => Math.round(n * 10) / 10;

export interface DayBar {
  readonly label: string;
  readonly title: string;
  readonly primary: number;
  readonly secondary: number;
}

/**
 * Vertical bars per day: `primary` (questions) with `secondary` (handed off) drawn over it.
 */
export function dayBarChart(input: { id: string; title: string; description: string; bars: readonly DayBar[]; primaryLabel: string; secondaryLabel: string }): Html {
  const width = 720;
  const height = 260;
  const left = 44;
  const right = 8;
  const top = 12;
  const bottom = 40;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const max = niceMax(Math.max(0, ...input.bars.map((b) => b.primary)));
  const n = Math.max(1, input.bars.length);
  const slot = plotW / n;
  const barW = Math.max(1, slot * 0.72);
  const y = (v: number) => round(top + plotH - (v / max) * plotH);
  // About 10 labels on the x axis whatever the range.
  const every = Math.max(1, Math.ceil(n / 10));
  const ticks = Number.isInteger(max / 2) ? [0, max / 2, max] : [0, max];

  return html`<figure class="chart">
<svg id="${input.id}" class="chart-svg" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${input.id}-t ${input.id}-d" preserveAspectRatio="xMidYMid meet">
<title id="${input.id}-t">${input.title}</title>
<desc id="${input.id}-d">${input.description}</desc>
${ticks.map((t) => html`<line class="grid" x1="${left}" x2="${width - right}" y1="${y(t)}" y2="${y(t)}"/><text class="tick" x="${left - 6}" y="${y(t) + 4}" text-anchor="end">${formatNumber(Math.round(t))}</text>`)}
${input.bars.map((b, i) => {
  const x = round(left + i * slot + (slot - barW) / 2);
  return html`<g class="day"><title>${b.title}</title><rect class="bar bar-primary" x="${x}" y="${y(b.primary)}" width="${round(barW)}" height="${round(top + plotH - y(b.primary))}"/>${
    b.secondary > 0 ? html`<rect class="bar bar-secondary" x="${x}" y="${y(b.secondary)}" width="${round(barW)}" height="${round(top + plotH - y(b.secondary))}"/>` : ""
  }${i % every === 0 ? html`<text class="tick" x="${round(x + barW / 2)}" y="${height - bottom + 16}" text-anchor="middle">${b.label}</text>` : ""}</g>`;
})}
<line class="axis" x1="${left}" x2="${width - right}" y1="${top + plotH}" y2="${top + plotH}"/>
</svg>
<figcaption class="legend"><span class="key key-primary"></span>${input.primaryLabel} <span class="key key-secondary"></span>${input.secondaryLabel}</figcaption>
</figure>`;
}

/** Horizontal bars, one per labelled value, longest first as given. */
export function horizontalBarChart(input: { id: string; title: string; description: string; items: ReadonlyArray<{ label: string; value: number }>; unit: string }): Html {
  const width = 720;
  const rowH = 34;
  const labelW = 300;
  const valueW = 70;
  const height = Math.max(1, input.items.length) * rowH + 8;
  const max = Math.max(1, ...input.items.map((i) => i.value));
  const plotW = width - labelW - valueW;
  return html`<figure class="chart">
<svg id="${input.id}" class="chart-svg" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${input.id}-t ${input.id}-d" preserveAspectRatio="xMidYMid meet">
<title id="${input.id}-t">${input.title}</title>
<desc id="${input.id}-d">${input.description}</desc>
${input.items.map((item, i) => {
  const yTop = 4 + i * rowH;
  const w = round((item.value / max) * plotW);
  return html`<g class="row"><title>${item.label}: ${formatNumber(item.value)} ${input.unit}</title><text class="label" x="${labelW - 8}" y="${yTop + rowH / 2 + 5}" text-anchor="end">${item.label}</text><rect class="bar bar-primary" x="${labelW}" y="${yTop + 5}" width="${Math.max(item.value > 0 ? 2 : 0, w)}" height="${rowH - 10}"/><text class="value" x="${labelW + Math.max(2, w) + 6}" y="${yTop + rowH / 2 + 5}">${formatNumber(item.value)}</text></g>`;
})}
</svg>
</figure>`;
}

/** One bar split into shares (bot answered / handed off / refused …), with percentages. */
export function shareBar(input: { id: string; title: string; parts: ReadonlyArray<{ label: string; value: number; className: string }> }): Html {
  const width = 720;
  const height = 44;
  const total = input.parts.reduce((s, p) => s + p.value, 0);
  let x = 0;
  const description = total ? input.parts.map((p) => `${p.label}: ${formatNumber(p.value)} (${Math.round((p.value / total) * 100)}%)`).join("; ") : "Chưa có số liệu";
  return html`<figure class="chart">
<svg id="${input.id}" class="chart-svg chart-share" viewBox="0 0 ${width} ${height}" role="img" aria-labelledby="${input.id}-t ${input.id}-d" preserveAspectRatio="none">
<title id="${input.id}-t">${input.title}</title>
<desc id="${input.id}-d">${description}</desc>
${total === 0 ? html`<rect class="bar bar-empty" x="0" y="4" width="${width}" height="${height - 8}"/>` : ""}
${input.parts.map((p) => {
  const w = total ? round((p.value / total) * width) : 0;
  const part = html`<rect class="bar ${p.className}" x="${round(x)}" y="4" width="${w}" height="${height - 8}"><title>${p.label}: ${formatNumber(p.value)}</title></rect>`;
  x += w;
  return part;
})}
</svg>
<figcaption class="legend">${input.parts.map(
    (p) => html`<span class="key ${p.className}"></span>${p.label}: <strong>${formatNumber(p.value)}</strong>${total ? ` (${Math.round((p.value / total) * 100)}%)` : ""} `,
  )}</figcaption>
</figure>`;
}
