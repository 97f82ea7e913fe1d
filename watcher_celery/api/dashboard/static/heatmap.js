/* Heat map of hosts on a canvas: one cell per host, grouped (zone, aggregate), coloured by use.
   Canvas, not DOM: 10,000 hosts are 10,000 rectangles, drawn in a few milliseconds. */
"use strict";

const Heatmap = (() => {
  const GAP = 1;
  const HEADER = 20;

  /* Hosts from the server's {columns, rows} table. */
  function fromTable(table) {
    const cols = table.columns;
    return table.rows.map((row) => Object.fromEntries(cols.map((c, i) => [c, row[i]])));
  }

  function use(host, metric) {
    const part = (used, cap) => (cap > 0 ? used / cap : 0);
    const cpu = part(host.vcpus_used, host.vcpus_capacity);
    const mem = part(host.memory_used, host.memory_capacity);
    const disk = part(host.disk_used, host.disk_capacity);
    return { vcpus: cpu, memory: mem, disk: disk, max: Math.max(cpu, mem, disk) }[metric];
  }

  /* 0 → green, 0.6 → yellow, 1 → red, beyond 1 (over-committed) → dark red. */
  function colour(fraction) {
    if (fraction > 1) return "#7f1010";
    const stops = [[0, [46, 160, 90]], [0.6, [240, 200, 40]], [1, [210, 45, 35]]];
    for (let i = 1; i < stops.length; i++) {
      if (fraction <= stops[i][0]) {
        const [a, ca] = stops[i - 1], [b, cb] = stops[i];
        const t = (fraction - a) / (b - a);
        const c = ca.map((v, k) => Math.round(v + (cb[k] - v) * t));
        return `rgb(${c[0]},${c[1]},${c[2]})`;
      }
    }
    return "rgb(210,45,35)";
  }

  /* A host's groups: its zone, or each of its aggregates (a host may be in several). */
  function groupsOf(host, by) {
    if (by === "zone") return [host.zone || "(no zone)"];
    if (by === "aggregate") return host.aggregates && host.aggregates.length ? host.aggregates : ["(no aggregate)"];
    return ["all hosts"];
  }

  function groups(hosts, by) {
    const map = new Map();
    for (const h of hosts) {
      for (const g of groupsOf(h, by)) {
        if (!map.has(g)) map.set(g, []);
        map.get(g).push(h);
      }
    }
    for (const list of map.values()) list.sort((a, b) => a.hostname.localeCompare(b.hostname));
    return [...map.entries()].sort((a, b) => a[0].localeCompare(b[0]));
  }

  /* A cell size that fills about 300 px of height: large cells for a few hosts, ~7 px for
     10,000 on a wide screen; zoom multiplies it. */
  function autoCell(count, width) {
    return Math.min(44, Math.max(6, Math.floor(Math.sqrt((width * 300) / Math.max(1, count))) - GAP));
  }

  /* Draw; returns the layout used to find the host under the mouse. */
  function draw(canvas, hosts, opts) {
    const width = Math.max(200, opts.width);
    const cell = Math.round(Math.min(48, Math.max(3, autoCell(hosts.length, width) * opts.zoom)));
    const perRow = Math.max(1, Math.floor((width - 8) / (cell + GAP)));
    const layout = [];
    let y = 4;
    const grouped = groups(hosts, opts.group);
    for (const [, list] of grouped) {
      y += HEADER;
      const rows = Math.ceil(list.length / perRow);
      list.forEach((h, i) => layout.push({ h, x: 4 + (i % perRow) * (cell + GAP), y: y + Math.floor(i / perRow) * (cell + GAP) }));
      y += rows * (cell + GAP) + 8;
    }
    const ratio = window.devicePixelRatio || 1;
    canvas.width = width * ratio; canvas.height = y * ratio;
    canvas.style.width = width + "px"; canvas.style.height = y + "px";
    const ctx = canvas.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, width, y);
    ctx.font = "12px system-ui, sans-serif"; ctx.textBaseline = "middle";
    let gy = 4;
    const titles = [];
    for (const [name, list] of grouped) {
      const disabled = list.filter((h) => h.status !== "enabled").length;
      const down = list.filter((h) => h.state !== "up").length;
      const title = `${name} — ${list.length} hosts` + (disabled ? `, ${disabled} disabled` : "") + (down ? `, ${down} down` : "");
      titles.push(title);
      ctx.fillStyle = "#1d2330";
      ctx.fillText(title, 4, gy + HEADER / 2);
      gy += HEADER + Math.ceil(list.length / perRow) * (cell + GAP) + 8;
    }
    for (const { h, x, y: cy } of layout) paint(ctx, h, x, cy, cell, opts.metric);
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `Heat map of ${opts.metric} use: ${titles.join("; ")}`);
    return { layout, cell };
  }

  function paint(ctx, h, x, y, cell, metric) {
    if (h.state !== "up") {
      ctx.fillStyle = "#222"; ctx.fillRect(x, y, cell, cell);
      cross(ctx, x, y, cell, "#ff5a4a");
      return;
    }
    ctx.fillStyle = h.instances === 0 ? "#dfe6f0" : colour(use(h, metric));
    ctx.fillRect(x, y, cell, cell);
    if (cell >= 30 && h.instances > 0) {
      ctx.fillStyle = "rgba(0,0,0,.75)"; ctx.font = "10px system-ui, sans-serif"; ctx.textAlign = "center";
      ctx.fillText(Math.round(100 * use(h, metric)) + "%", x + cell / 2, y + cell / 2);
      ctx.textAlign = "start";
    }
    if (h.status !== "enabled") {
      const line = Math.max(1, Math.min(3, cell / 10)), corner = Math.max(3, cell / 3);
      ctx.strokeStyle = "#1d2330"; ctx.lineWidth = line;
      ctx.strokeRect(x + line / 2, y + line / 2, cell - line, cell - line);
      ctx.fillStyle = "#1d2330";
      ctx.beginPath(); ctx.moveTo(x + cell - corner, y); ctx.lineTo(x + cell, y); ctx.lineTo(x + cell, y + corner); ctx.fill();
    }
  }

  function cross(ctx, x, y, cell, colourName) {
    if (cell < 4) return;
    ctx.strokeStyle = colourName; ctx.lineWidth = Math.max(1, cell / 10);
    ctx.beginPath(); ctx.moveTo(x + 2, y + 2); ctx.lineTo(x + cell - 2, y + cell - 2);
    ctx.moveTo(x + cell - 2, y + 2); ctx.lineTo(x + 2, y + cell - 2); ctx.stroke();
  }

  function hostAt(layout, px, py) {
    const c = layout.cell;
    for (const e of layout.layout) if (px >= e.x && px < e.x + c && py >= e.y && py < e.y + c) return e.h;
    return null;
  }

  function describe(h) {
    const pct = (u, c) => (c > 0 ? Math.round((100 * u) / c) + "%" : "—");
    return `${h.hostname}  (${h.zone || "no zone"}${h.aggregates && h.aggregates.length ? ", " + h.aggregates.join(", ") : ""})\n` +
      `${h.status}, ${h.state}, ${h.instances} instances\n` +
      `CPU    ${pct(h.vcpus_used, h.vcpus_capacity)}  (${h.vcpus_used} / ${h.vcpus_capacity} vCPU)\n` +
      `Memory ${pct(h.memory_used, h.memory_capacity)}  (${Math.round(h.memory_used)} / ${Math.round(h.memory_capacity)} MB)\n` +
      `Disk   ${pct(h.disk_used, h.disk_capacity)}  (${Math.round(h.disk_used)} / ${Math.round(h.disk_capacity)} GB)`;
  }

  function legend(el) {
    const c = document.createElement("canvas");
    c.width = 120; c.height = 12;
    const ctx = c.getContext("2d");
    for (let i = 0; i < 120; i++) { ctx.fillStyle = colour(i / 119); ctx.fillRect(i, 0, 1, 12); }
    el.replaceChildren("0%", c, "100%  ·  pale: no instances  ·  dark frame and corner: disabled  ·  black ✕: down");
  }

  return { fromTable, draw, hostAt, describe, legend, use, colour };
})();
