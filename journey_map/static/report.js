// The journey map's charts, drawn as SVG from the data island: no library, nothing fetched from the network.
// Every chart sums the island's rows under the current filters (persona, cohort month), so the numbers on screen
// are sums of the rows the report was built from.
"use strict";

(function () {
  const DATA = JSON.parse(document.getElementById("journey-data").textContent);
  const META = DATA.meta;
  const SVGNS = "http://www.w3.org/2000/svg";
  // Okabe-Ito, the colour-blind-safe palette (journey_map/labels.py uses the same).
  const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442"];
  const COLORS = { stage: "#0072B2", dropped: "#D55E00", still: "#8C8C8C", converted: "#009E73", spend: "#E69F00",
    revenue: "#0072B2", track: "#EEF1F5", range: "#333333" };
  // Ordered buckets get a single-hue ramp: it reads as "more" without relying on telling hues apart.
  const RAMP = ["#C6DBEF", "#6BAED6", "#2171B5", "#08306B"];

  const OUTCOMES = { conversion: "Converted", drop_off: "Dropped off" };
  const state = { persona: "all", cohort: "all", funnel: META.default_funnel, model: META.default_model };

  const L = (code) => (code in META.labels ? META.labels[code] : String(code));
  const num = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  const num1 = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });
  const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 0 });
  const pct = (part, whole) => (whole > 0 ? `${Math.round((100 * part) / whole)}%` : "–");
  const people = (n) => `${num.format(n)} ${n === 1 ? "person" : "people"}`;

  function rows(name) {
    const table = DATA.data[name];
    return table.rows.map((r) => Object.fromEntries(table.columns.map((c, i) => [c, r[i]])));
  }

  function kept(name, { persona = true, cohort = true } = {}) {
    return rows(name).filter(
      (r) =>
        (!persona || state.persona === "all" || r.persona === state.persona) &&
        (!cohort || state.cohort === "all" || r.cohort === state.cohort),
    );
  }

  function sumBy(list, key, value) {
    const out = new Map();
    for (const r of list) {
      const k = key(r);
      out.set(k, (out.get(k) || 0) + value(r));
    }
    return out;
  }

  function svg(tag, attrs, parent) {
    const node = document.createElementNS(SVGNS, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (parent) parent.appendChild(node);
    return node;
  }

  function html(tag, attrs, parent, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    if (parent) parent.appendChild(node);
    return node;
  }

  function text(parent, x, y, content, attrs) {
    const t = svg("text", Object.assign({ x, y }, attrs || {}), parent);
    t.textContent = content;
    return t;
  }

  // Axis labels on two lines when long, split at the space nearest the middle.
  function wrapped(parent, x, y, content, lineHeight) {
    const t = svg("text", { x, y, "text-anchor": "middle", class: "axis-label" }, parent);
    const words = content.split(" ");
    const half = Math.ceil(words.length / 2);
    const lines = content.length > 12 && words.length > 1 ? [words.slice(0, half).join(" "), words.slice(half).join(" ")] : [content];
    lines.forEach((line, i) => {
      const span = svg("tspan", { x, dy: i ? lineHeight : 0 }, t);
      span.textContent = line;
    });
    return t;
  }

  function tip(node, content) {
    svg("title", {}, node).textContent = content;
  }

  function canvas(container, width, height, className) {
    return svg("svg", { viewBox: `0 0 ${width} ${height}`, width: "100%", class: className, role: "img" }, container);
  }

  function empty(container, message) {
    html("p", { class: "empty" }, container, message || "No people match these filters.");
    container.dataset.total = "0";
  }

  // ---------- Sankey ----------------------------------------------------------------------------------------------
  // A small Sankey layout: nodes sit in fixed columns (given), stacked in the order given, sized by their flow.
  function sankey(container, nodes, links, opts) {
    const width = 1000;
    const nodeWidth = 16;
    const pad = 14;
    const margin = { top: opts.top || 10, right: 210, bottom: 10, left: 10 };
    links = links.filter((l) => l.value > 0);
    const byId = new Map(nodes.map((n) => [n.id, Object.assign({ inflow: 0, outflow: 0, outs: [], ins: [] }, n)]));
    for (const l of links) {
      byId.get(l.source).outflow += l.value;
      byId.get(l.target).inflow += l.value;
      byId.get(l.source).outs.push(l);
      byId.get(l.target).ins.push(l);
    }
    const live = [...byId.values()].filter((n) => n.inflow + n.outflow > 0);
    live.forEach((n) => (n.value = Math.max(n.inflow, n.outflow)));
    const columns = [...new Set(live.map((n) => n.column))].sort((a, b) => a - b);
    const lastColumn = columns[columns.length - 1];
    const height = opts.height || 420;
    const inner = height - margin.top - margin.bottom;
    let ky = Infinity;
    for (const c of columns) {
      const inCol = live.filter((n) => n.column === c);
      const total = inCol.reduce((s, n) => s + n.value, 0);
      ky = Math.min(ky, (inner - pad * (inCol.length - 1)) / total);
    }
    const span = width - margin.left - margin.right - nodeWidth;
    const firstColumn = columns[0];
    const colStep = lastColumn > firstColumn ? span / (lastColumn - firstColumn) : 0;
    for (const c of columns) {
      let y = margin.top;
      for (const n of live.filter((m) => m.column === c)) {
        n.x = margin.left + (c - firstColumn) * colStep;
        n.y = y;
        n.h = Math.max(1, n.value * ky);
        y += n.h + pad;
      }
    }
    const root = canvas(container, width, height, "sankey");
    const linkLayer = svg("g", { class: "links" }, root);
    for (const n of live) {
      let sy = n.y;
      n.outs.sort((a, b) => byId.get(a.target).y - byId.get(b.target).y);
      for (const l of n.outs) {
        l.sy = sy;
        sy += l.value * ky;
      }
      let ty = n.y;
      n.ins.sort((a, b) => byId.get(a.source).y - byId.get(b.source).y);
      for (const l of n.ins) {
        l.ty = ty;
        ty += l.value * ky;
      }
    }
    for (const l of links) {
      const s = byId.get(l.source);
      const t = byId.get(l.target);
      const x0 = s.x + nodeWidth;
      const x1 = t.x;
      const xm = (x0 + x1) / 2;
      const h = Math.max(1, l.value * ky);
      const d =
        `M${x0},${l.sy} C${xm},${l.sy} ${xm},${l.ty} ${x1},${l.ty} ` +
        `L${x1},${l.ty + h} C${xm},${l.ty + h} ${xm},${l.sy + h} ${x0},${l.sy + h} Z`;
      const path = svg("path", { d, class: "sankey-link", fill: l.color || s.color, "data-value": l.value }, linkLayer);
      tip(path, `${s.label} → ${t.label}: ${people(l.value)}`);
    }
    const nodeLayer = svg("g", { class: "nodes" }, root);
    for (const n of live) {
      const r = svg("rect", { x: n.x, y: n.y, width: nodeWidth, height: n.h, fill: n.color, class: "sankey-node" },
        nodeLayer);
      tip(r, `${n.label}: ${people(n.value)}`);
      const caption = `${n.label} (${num.format(n.value)})`;
      if (n.labelAbove) {
        // Stage names sit above their node: beside it they would run into the next column's node.
        // Two lines (name, then people) so neighbouring columns' names do not run into each other.
        const t = text(nodeLayer, n.x, n.y - 22, n.label, { class: "node-label strong halo" });
        const count = svg("tspan", { x: n.x, dy: 15, class: "node-count" }, t);
        count.textContent = people(n.value);
        continue;
      }
      const onRight = n.column !== lastColumn || opts.labelsRight;
      text(nodeLayer, onRight ? n.x + nodeWidth + 6 : n.x - 6, n.y + n.h / 2, caption, {
        "dominant-baseline": "middle",
        "text-anchor": onRight ? "start" : "end",
        class: "node-label halo",
      });
    }
    return root;
  }

  // ---------- charts ----------------------------------------------------------------------------------------------
  function renderStageFlow(container) {
    const list = kept("stage_flow");
    const flows = sumBy(list, (r) => `${r.source}|${r.target}`, (r) => r.persons);
    if (!flows.size) return empty(container);
    const stages = META.stages;
    const nodes = [];
    stages.forEach((s, i) => nodes.push({ id: s, label: L(s), column: i, color: COLORS.stage, labelAbove: true }));
    // Where people stand now goes in the next column, under the next stage: the ladder reads left to right.
    stages.forEach((s, i) => {
      nodes.push({ id: `still|${s}`, label: `Still in ${L(s)}`, column: i + 1, color: COLORS.still });
      nodes.push({ id: `dropped|${s}`, label: `Dropped off in ${L(s)}`, column: i + 1, color: COLORS.dropped });
    });
    const links = [];
    let total = 0;
    for (const [key, value] of flows) {
      const [source, target] = key.split("|");
      const id = target === "still_here" ? `still|${source}` : target === "dropped_off" ? `dropped|${source}` : target;
      const color = target === "dropped_off" ? COLORS.dropped : target === "still_here" ? COLORS.still : COLORS.stage;
      links.push({ source, target: id, value, color });
      total += value;
    }
    // Order within a column: the next stage first, then the people still there, then the people lost.
    nodes.sort((a, b) => a.column - b.column || rank(a.id) - rank(b.id));
    sankey(container, nodes, links, { height: 480, top: 40, labelsRight: true });
    container.dataset.total = String(total);
  }

  // Feedback along the stage flow: per stage, answers, average normalised score and detractor share (sums of the
  // additive columns of rpt_feedback_by_stage, divided once here).
  function renderStageFeedback(container) {
    const list = kept("stage_feedback", { cohort: false });
    const total = list.reduce((s, r) => s + r.responses + r.reviews, 0);
    if (!total) return empty(container, "No survey answers or reviews match these filters.");
    const table = html("table", { class: "web-table" }, container);
    const head = html("tr", {}, html("thead", {}, table));
    for (const h of ["Stage", "Survey answers", "Average score (0 to 1)", "Detractors", "Reviews"]) html("th", {}, head, h);
    const body = html("tbody", {}, table);
    const pct = new Intl.NumberFormat("en", { style: "percent", maximumFractionDigits: 0 });
    for (const stage of META.stages) {
      const rowsOf = list.filter((r) => r.stage === stage);
      const responses = rowsOf.reduce((s, r) => s + r.responses, 0);
      const reviews = rowsOf.reduce((s, r) => s + r.reviews, 0);
      if (!responses && !reviews) continue;
      const score = rowsOf.reduce((s, r) => s + r.score_millionths, 0) / 1e6;
      const detractors = rowsOf.reduce((s, r) => s + r.detractors, 0);
      const tr = html("tr", { class: "feedback-row", "data-stage": stage, "data-responses": responses,
        "data-detractors": detractors, "data-reviews": reviews }, body);
      html("td", {}, tr, L(stage));
      html("td", {}, tr, String(responses));
      html("td", {}, tr, responses ? (score / responses).toFixed(2) : "–");
      html("td", {}, tr, responses ? pct.format(detractors / responses) : "–");
      html("td", {}, tr, String(reviews));
    }
    container.dataset.total = String(total);
  }

  function rank(id) {
    return id.startsWith("dropped|") ? 2 : id.startsWith("still|") ? 1 : 0;
  }

  function renderPaths(container, outcome, topN) {
    const list = kept("channel_paths").filter((r) => r.outcome === outcome);
    const counts = [...sumBy(list, (r) => r.path, (r) => r.persons)].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    const outcomeTotal = counts.reduce((s, [, n]) => s + n, 0);
    const top = counts.slice(0, topN);
    if (!top.length) return empty(container, `Nobody matching these filters has ${outcome === "conversion" ? "converted" : "dropped off"}.`);
    const longest = Math.max(...top.map(([p]) => p.split(" > ").length));
    const end = { id: "end", label: OUTCOMES[outcome], column: longest, color: outcome === "conversion" ? COLORS.converted : COLORS.dropped };
    const nodes = new Map([["end", end]]);
    const channelColor = new Map();
    const links = new Map();
    for (const [path, n] of top) {
      const steps = path.split(" > ");
      // Paths are aligned on their last step, so the column right before the outcome is always the last touch.
      const ids = steps.map((ch, j) => {
        const column = longest - steps.length + j;
        const id = `${column}|${ch}`;
        if (!channelColor.has(ch)) channelColor.set(ch, PALETTE[channelColor.size % (PALETTE.length - 1)]);
        if (!nodes.has(id)) nodes.set(id, { id, label: L(ch), column, color: channelColor.get(ch) });
        return id;
      });
      ids.push("end");
      for (let j = 0; j + 1 < ids.length; j++) {
        const key = `${ids[j]}>${ids[j + 1]}`;
        links.set(key, (links.get(key) || 0) + n);
      }
    }
    const ordered = [...nodes.values()].sort((a, b) => a.column - b.column || a.label.localeCompare(b.label));
    const linkList = [...links].map(([key, value]) => {
      const [source, target] = key.split(">");
      return { source, target, value };
    });
    sankey(container, ordered, linkList, { height: 300, labelsRight: true });
    const shown = top.reduce((s, [, n]) => s + n, 0);
    const ol = html("ol", { class: "path-list" }, container);
    for (const [path, n] of top) {
      html("li", {}, ol, `${path.split(" > ").map(L).join(" → ")} → ${OUTCOMES[outcome]}: ${people(n)} (${pct(n, outcomeTotal)})`);
    }
    html("p", { class: "note" }, container,
      `The ${top.length} most common paths cover ${people(shown)} of the ${people(outcomeTotal)} who ${outcome === "conversion" ? "converted" : "dropped off"}.`);
    container.dataset.total = String(shown);
  }

  function renderFunnelGrid(container, groupColumn) {
    const list = kept("funnels").filter((r) => r.funnel === state.funnel);
    if (!list.length) return empty(container);
    const steps = [...new Map(list.map((r) => [r.step, r.step_name])).entries()].sort((a, b) => a[0] - b[0]);
    const reached = sumBy(list, (r) => `${r[groupColumn]}|${r.step}`, (r) => r.persons);
    const overall = sumBy(list, (r) => r.step, (r) => r.persons);
    const groups = [...new Set(list.map((r) => r[groupColumn]))]
      .filter((g) => (reached.get(`${g}|${steps[0][0]}`) || 0) > 0)
      .sort((a, b) => (reached.get(`${b}|${steps[0][0]}`) || 0) - (reached.get(`${a}|${steps[0][0]}`) || 0));
    const rowsOut = [["Everyone shown", (s) => overall.get(s) || 0], ...groups.map((g) => [L(g), (s) => reached.get(`${g}|${s}`) || 0])];
    const labelWidth = 190;
    const cellWidth = Math.min(150, (1000 - labelWidth) / steps.length);
    const rowHeight = 34;
    const width = labelWidth + cellWidth * steps.length;
    const height = 30 + rowHeight * rowsOut.length;
    const root = canvas(container, width, height, "funnel");
    steps.forEach(([, name], i) => text(root, labelWidth + i * cellWidth + 4, 18, name.charAt(0).toUpperCase() + name.slice(1), { class: "axis-label" }));
    rowsOut.forEach(([name, get], r) => {
      const y = 30 + r * rowHeight;
      const entered = get(steps[0][0]);
      text(root, labelWidth - 8, y + rowHeight / 2 - 2, name, { "text-anchor": "end", "dominant-baseline": "middle", class: r === 0 ? "row-label strong" : "row-label" });
      steps.forEach(([step, stepName], i) => {
        const n = get(step);
        const x = labelWidth + i * cellWidth + 4;
        const w = cellWidth - 10;
        svg("rect", { x, y: y + 4, width: w, height: rowHeight - 12, fill: COLORS.track, rx: 3 }, root);
        const bar = svg("rect", { x, y: y + 4, width: entered ? (w * n) / entered : 0, height: rowHeight - 12, rx: 3,
          fill: r === 0 ? "#08306B" : COLORS.stage, class: "funnel-bar", "data-value": n }, root);
        tip(bar, `${name}, ${stepName}: ${people(n)} (${pct(n, entered)} of those who started)`);
        // Inside the bar in white when it fits, else after it in dark text: never white on the pale track.
        const barWidth = entered ? (w * n) / entered : 0;
        const inside = barWidth > 74;
        text(root, inside ? x + 5 : x + barWidth + 4, y + rowHeight / 2 - 2, `${pct(n, entered)} · ${num.format(n)}`, {
          "dominant-baseline": "middle", class: inside ? "bar-label" : "bar-label dark" });
      });
    });
    container.dataset.total = String(overall.get(steps[0][0]) || 0);
  }

  function horizontalLegend(container, items) {
    const legend = html("div", { class: "legend" }, container);
    for (const [name, color] of items) {
      const item = html("span", { class: "legend-item" }, legend);
      html("span", { class: "swatch", style: `background:${color}` }, item);
      item.appendChild(document.createTextNode(name));
    }
  }

  function renderTimeInStage(container) {
    const list = kept("time_in_stage");
    if (!list.length) return empty(container, "Nobody matching these filters has moved on from a stage yet.");
    const buckets = META.stage_time_buckets;
    const counts = sumBy(list, (r) => `${r.stage}|${r.bucket}`, (r) => r.persons);
    const totals = sumBy(list, (r) => r.stage, (r) => r.persons);
    const days = sumBy(list, (r) => r.stage, (r) => r.total_days);
    const stages = META.stages.filter((s) => totals.get(s));
    const labelWidth = 150;
    const barWidth = 560;
    const rowHeight = 36;
    const root = canvas(container, 1000, 10 + rowHeight * stages.length, "stage-time");
    stages.forEach((s, i) => {
      const y = 10 + i * rowHeight;
      const total = totals.get(s);
      text(root, labelWidth - 8, y + 13, L(s), { "text-anchor": "end", "dominant-baseline": "middle", class: "row-label" });
      let x = labelWidth;
      buckets.forEach((b, k) => {
        const n = counts.get(`${s}|${k}`) || 0;
        if (!n) return;
        const w = (barWidth * n) / total;
        const rect = svg("rect", { x, y, width: w, height: 26, fill: RAMP[k], class: "stage-time-bar", "data-value": n }, root);
        tip(rect, `${L(s)}, ${b}: ${people(n)} (${pct(n, total)})`);
        x += w;
      });
      text(root, labelWidth + barWidth + 12, y + 13, `average ${num1.format(days.get(s) / total)} days · ${people(total)}`, { "dominant-baseline": "middle", class: "bar-label dark" });
    });
    horizontalLegend(container, buckets.map((b, k) => [b, RAMP[k]]));
    container.dataset.total = String([...totals.values()].reduce((a, b) => a + b, 0));
  }

  function renderSpeed(container) {
    const list = kept("speed_to_lead");
    if (!list.length) return empty(container, "Nobody matching these filters asked to be contacted.");
    const buckets = META.speed_buckets;
    const counts = sumBy(list, (r) => r.bucket, (r) => r.persons);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const max = Math.max(...counts.values());
    const width = 1000;
    const height = 260;
    const slot = (width - 40) / buckets.length;
    const root = canvas(container, width, height, "speed");
    const plot = height - 70;
    buckets.forEach((b, k) => {
      const n = counts.get(k) || 0;
      const h = max ? (plot * n) / max : 0;
      const x = 20 + k * slot + 8;
      const noReply = k === buckets.length - 1;
      const bar = svg("rect", { x, y: 20 + plot - h, width: slot - 16, height: Math.max(h, n ? 1 : 0), fill: noReply ? COLORS.still : COLORS.stage, class: "speed-bar", "data-value": n }, root);
      tip(bar, `${b}: ${people(n)} (${pct(n, total)})`);
      text(root, x + (slot - 16) / 2, 14 + plot - h, n ? `${num.format(n)}` : "", { "text-anchor": "middle", class: "bar-label dark" });
      wrapped(root, x + (slot - 16) / 2, height - 36, b, 14);
    });
    // "Within an hour" is the first three buckets: the threshold sales teams are usually measured against.
    const fast = [0, 1, 2].reduce((s, k) => s + (counts.get(k) || 0), 0);
    html("p", { class: "headline" }, container, `${num.format(fast)} of ${people(total)} who asked to be contacted heard back within an hour (${pct(fast, total)}).`);
    container.dataset.total = String(total);
  }

  // Models credited over the whole data set (the standard Markov models): channel totals for everyone, no rows per
  // persona or cohort, so under a filter the chart shows everyone for them and says so.
  const WHOLE = new Set(META.whole_data_set_models || []);

  function renderRevenue(container) {
    const filtered = state.persona !== "all" || state.cohort !== "all";
    const byPerson = filtered && !WHOLE.has(state.model);
    const list = byPerson ? kept("revenue") : rows("revenue");
    const whole = byPerson ? [] : rows("revenue_whole");
    document.getElementById("model-note").textContent = (META.model_notes || {})[state.model] || "";
    if (!list.length && !whole.length) return empty(container, "No attributed revenue for these filters.");
    const byModel = sumBy([...list, ...whole], (r) => `${r.model}|${r.channel}`, (r) => r.revenue);
    // With filters, the range covers the models that follow them (the whole-data-set ones cannot).
    const rangeModels = META.models.filter((m) => !byPerson || !WHOLE.has(m));
    const spend = new Map(rows("spend").map((r) => [r.channel, r.spend]));
    const channels = [...new Set([...list.map((r) => r.channel), ...whole.map((r) => r.channel), ...spend.keys()])];
    const revenueOf = (c) => byModel.get(`${state.model}|${c}`) || 0;
    channels.sort((a, b) => revenueOf(b) - revenueOf(a) || (spend.get(b) || 0) - (spend.get(a) || 0));
    const ranges = new Map(channels.map((c) => {
      const values = rangeModels.map((m) => byModel.get(`${m}|${c}`) || 0);
      return [c, [Math.min(...values), Math.max(...values)]];
    }));
    const max = Math.max(1, ...channels.map((c) => Math.max(ranges.get(c)[1], spend.get(c) || 0)));
    const labelWidth = 170;
    const barWidth = 600;
    const rowHeight = 48;
    const root = canvas(container, 1000, 10 + rowHeight * channels.length, "revenue");
    channels.forEach((c, i) => {
      const y = 10 + i * rowHeight;
      const rev = revenueOf(c);
      const sp = spend.get(c) || 0;
      text(root, labelWidth - 8, y + 18, L(c), { "text-anchor": "end", "dominant-baseline": "middle", class: "row-label" });
      const [lo, hi] = ranges.get(c);
      const range = svg("line", { x1: labelWidth + (barWidth * lo) / max, x2: labelWidth + (barWidth * hi) / max, y1: y + 9, y2: y + 9, stroke: COLORS.range, "stroke-width": 2, class: "model-range" }, root);
      tip(range, `${L(c)}: ${money.format(lo)} to ${money.format(hi)} depending on the attribution model`);
      const bar = svg("rect", { x: labelWidth, y: y + 3, width: (barWidth * rev) / max, height: 14, fill: COLORS.revenue, class: "revenue-bar", "data-value": rev }, root);
      tip(bar, `${L(c)}: ${money.format(rev)} attributed revenue (${L(state.model)})`);
      text(root, labelWidth + (barWidth * Math.max(rev, hi)) / max + 6, y + 10, money.format(rev), { "dominant-baseline": "middle", class: "bar-label dark" });
      if (sp > 0) {
        const sbar = svg("rect", { x: labelWidth, y: y + 20, width: (barWidth * sp) / max, height: 14, fill: COLORS.spend, class: "spend-bar", "data-value": sp }, root);
        tip(sbar, `${L(c)}: ${money.format(sp)} ad spend`);
        const roas = byPerson ? "" : ` · ${num1.format(rev / sp)} of revenue per 1 of spend`;
        text(root, labelWidth + (barWidth * sp) / max + 6, y + 27, `${money.format(sp)} spend${roas}`, { "dominant-baseline": "middle", class: "bar-label dark" });
      }
    });
    const who = byPerson ? "" : filtered ? " (everyone)" : "";
    horizontalLegend(container, [[`Attributed revenue (${L(state.model)})${who}`, COLORS.revenue], ["Ad spend (everyone)", COLORS.spend], ["Range across all attribution models", COLORS.range]]);
    if (filtered && !byPerson) html("p", { class: "note" }, container, `${L(state.model)} is computed over all journeys at once, so it cannot be split by persona or cohort: this chart shows everyone. Choose a model "per path" to follow the filters.`);
    const rangeNote = WHOLE.size ? " The range leaves out the standard Markov models, which cannot be split either." : "";
    if (byPerson) html("p", { class: "note" }, container, `Spend cannot be split by persona or cohort: it is shown for everyone, so compare it with revenue only without filters.${rangeNote}`);
    container.dataset.total = String(Math.round(channels.reduce((s, c) => s + revenueOf(c), 0)));
  }

  function renderDesign(container) {
    const designs = META.designs;
    const personas = Object.keys(designs).filter((p) => state.persona === "all" || p === state.persona);
    if (!personas.length) return empty(container, state.persona === "all" ? "No designed journeys are configured." : `No designed journey is configured for ${L(state.persona)}.`);
    const list = kept("design");
    let total = 0;
    for (const p of personas) {
      const mine = list.filter((r) => r.persona === p);
      const n = mine.reduce((s, r) => s + r.persons, 0);
      const block = html("div", { class: "design-persona", "data-persona": p }, container);
      html("h3", {}, block, `${L(p)}: ${designs[p].description}`);
      if (!n) {
        html("p", { class: "empty" }, block, "No people of this persona match these filters.");
        continue;
      }
      total += n;
      const steps = designs[p].steps;
      const stepWidth = 960 / steps.length;
      const root = canvas(block, 1000, 118, "design");
      steps.forEach((step, k) => {
        const x = 20 + k * stepWidth;
        const stillOn = mine.filter((r) => r.steps_followed > k).reduce((s, r) => s + r.persons, 0);
        svg("rect", { x, y: 4, width: stepWidth - 34, height: 40, rx: 8, fill: "#E8F1FA", stroke: COLORS.stage, class: "design-step" }, root);
        text(root, x + 10, 20, L(step.stage), { class: "row-label strong" });
        const via = step.channels.length ? `via ${step.channels.map(L).join(", ")}` : "any channel";
        const room = Math.floor((stepWidth - 54) / 6.6);
        tip(text(root, x + 10, 36, via.length > room ? `${via.slice(0, room - 1)}…` : via, { class: "axis-label" }), via);
        if (k + 1 < steps.length) text(root, x + stepWidth - 28, 28, "→", { class: "arrow" });
        svg("rect", { x, y: 56, width: stepWidth - 34, height: 18, fill: COLORS.track, rx: 3 }, root);
        const bar = svg("rect", { x, y: 56, width: ((stepWidth - 34) * stillOn) / n, height: 18, rx: 3, fill: COLORS.converted, class: "design-bar", "data-value": stillOn }, root);
        tip(bar, `${people(stillOn)} of ${num.format(n)} reached ${L(step.stage)} the designed way`);
        text(root, x, 92, `${num.format(stillOn)} of ${num.format(n)} (${pct(stillOn, n)}) on the design here`, { class: "bar-label dark" });
      });
      const outcome = sumBy(mine, (r) => r.outcome, (r) => r.persons);
      const done = outcome.get("completed") || 0;
      const onTrack = outcome.get("on_track") || 0;
      const departed = outcome.get("departed") || 0;
      html("p", { class: "headline" }, block,
        `${people(done)} followed the whole design (${pct(done, n)}); ${num.format(onTrack)} are on it so far; ${num.format(departed)} departed from it.`);
      const reasons = [...sumBy(mine.filter((r) => r.outcome === "departed"), (r) => r.departure, (r) => r.persons)].sort((a, b) => b[1] - a[1]);
      if (reasons.length) {
        const ul = html("ul", { class: "departures" }, block);
        for (const [why, count] of reasons.slice(0, 4)) html("li", {}, ul, `${why}: ${people(count)}`);
      }
    }
    container.dataset.total = String(total);
  }

  // ---------- the website ----------------------------------------------------------------------------------------
  // Sessions and people per landing page or device; shares are of the people who landed there.
  function renderWebTable(container, name, key, topN) {
    const list = kept(name);
    if (!list.length) return empty(container, "No web sessions for these filters.");
    const groups = new Map();
    for (const r of list) {
      const g = groups.get(r[key]) || { sessions: 0, persons: 0, identified: 0, converted: 0 };
      for (const c of ["sessions", "persons", "identified", "converted"]) g[c] += r[c];
      groups.set(r[key], g);
    }
    const ordered = [...groups.entries()].sort((a, b) => b[1].persons - a[1].persons || String(a[0]).localeCompare(String(b[0])));
    const table = html("table", { class: "web-table" }, container);
    const head = html("tr", {}, html("thead", {}, table));
    for (const h of [key === "device" ? "Device" : "Landing page", "Sessions", "People", "Identified", "Converted"]) html("th", {}, head, h);
    const body = html("tbody", {}, table);
    for (const [k, g] of ordered.slice(0, topN)) {
      const tr = html("tr", { class: "web-row", "data-key": k, "data-persons": g.persons }, body);
      html("td", {}, tr, L(k));
      html("td", {}, tr, num.format(g.sessions));
      html("td", {}, tr, num.format(g.persons));
      html("td", {}, tr, pct(g.identified, g.persons));
      html("td", {}, tr, pct(g.converted, g.persons));
    }
    container.dataset.total = String(ordered.reduce((s, [, g]) => s + g.sessions, 0));
  }

  // People who left before becoming a lead, by the last page they saw and the stage they stopped at.
  function renderVisitorExits(container, topN) {
    const list = kept("visitor_exits");
    if (!list.length) return empty(container, "Nobody matching these filters left before becoming a lead.");
    const stages = [...new Set(list.map((r) => r.stage))].sort((a, b) => META.stages.indexOf(a) - META.stages.indexOf(b));
    const byPage = new Map();
    for (const r of list) {
      const g = byPage.get(r.exit_page) || { total: 0 };
      g[r.stage] = (g[r.stage] || 0) + r.persons;
      g.total += r.persons;
      byPage.set(r.exit_page, g);
    }
    const ordered = [...byPage.entries()].sort((a, b) => b[1].total - a[1].total || a[0].localeCompare(b[0]));
    const table = html("table", { class: "web-table" }, container);
    const head = html("tr", {}, html("thead", {}, table));
    for (const h of ["Last page", ...stages.map((s) => `Left at ${L(s).toLowerCase()}`), "People"]) html("th", {}, head, h);
    const body = html("tbody", {}, table);
    for (const [page, g] of ordered.slice(0, topN)) {
      const tr = html("tr", { class: "exit-row", "data-key": page, "data-persons": g.total }, body);
      html("td", {}, tr, page);
      for (const s of stages) html("td", {}, tr, num.format(g[s] || 0));
      html("td", {}, tr, num.format(g.total));
    }
    const total = ordered.reduce((s, [, g]) => s + g.total, 0);
    container.dataset.total = String(total);
  }

  // ---------- filters and wiring ------------------------------------------------------------------------------------
  const CHARTS = {
    "stage-flow": renderStageFlow,
    "stage-feedback": renderStageFeedback,
    "paths-conversion": (c) => renderPaths(c, "conversion", 10),
    "paths-drop-off": (c) => renderPaths(c, "drop_off", 10),
    "funnel-persona": (c) => renderFunnelGrid(c, "persona"),
    "funnel-channel": (c) => renderFunnelGrid(c, "entry_channel"),
    "landing-pages": (c) => renderWebTable(c, "landing_pages", "landing_page", 15),
    devices: (c) => renderWebTable(c, "devices", "device", 10),
    "visitor-exits": (c) => renderVisitorExits(c, 15),
    "time-in-stage": renderTimeInStage,
    "speed-to-lead": renderSpeed,
    "revenue-spend": renderRevenue,
    "designed-journey": renderDesign,
  };

  function renderAll() {
    for (const [id, draw] of Object.entries(CHARTS)) {
      const container = document.querySelector(`[data-chart="${id}"] .plot`);
      container.replaceChildren();
      draw(container);
    }
    const parts = [];
    if (state.persona !== "all") parts.push(`persona ${L(state.persona)}`);
    if (state.cohort !== "all") parts.push(`people first seen in ${L(state.cohort)}`);
    document.getElementById("filter-summary").textContent = parts.length ? `Showing ${parts.join(", ")}.` : "Showing everyone.";
  }

  function fillSelect(id, values, allLabel, current) {
    const select = document.getElementById(id);
    if (allLabel) html("option", { value: "all" }, select, allLabel);
    for (const v of values) html("option", { value: v }, select, L(v));
    select.value = current;
    return select;
  }

  function readHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    if (params.has("persona") && (params.get("persona") === "all" || META.personas.includes(params.get("persona")))) state.persona = params.get("persona");
    if (params.has("cohort") && (params.get("cohort") === "all" || META.cohorts.includes(params.get("cohort")))) state.cohort = params.get("cohort");
  }

  function init() {
    readHash();
    const controls = [
      ["filter-persona", META.personas, "All personas", "persona"],
      ["filter-cohort", META.cohorts, "All months", "cohort"],
      ["funnel-select", META.funnels, null, "funnel"],
      ["model-select", META.models, null, "model"],
    ];
    for (const [id, values, allLabel, key] of controls) {
      const select = fillSelect(id, values, allLabel, state[key]);
      select.addEventListener("change", () => {
        state[key] = select.value;
        // Filters go in the address, so a filtered view can be bookmarked or sent to a colleague.
        history.replaceState(null, "", `#persona=${encodeURIComponent(state.persona)}&cohort=${encodeURIComponent(state.cohort)}`);
        renderAll();
      });
    }
    renderAll();
    document.body.dataset.ready = "true";
  }

  init();
})();
