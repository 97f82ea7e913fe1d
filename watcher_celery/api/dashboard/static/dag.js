/* An action plan's DAG as SVG: layer = longest path from a root, left to right. */
"use strict";

const Dag = (() => {
  const W = 215, H = 38, GX = 40, GY = 10, BAND_GAP = 28, NS = "http://www.w3.org/2000/svg";

  function el(name, attrs, text) {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function layers(actions) {
    const byId = new Map(actions.map((a) => [a.uuid, a]));
    const depth = new Map();
    const visit = (a, seen) => {
      if (depth.has(a.uuid)) return depth.get(a.uuid);
      if (seen.has(a.uuid)) return 0;
      seen.add(a.uuid);
      const d = Math.max(-1, ...a.parents.filter((p) => byId.has(p)).map((p) => visit(byId.get(p), seen))) + 1;
      depth.set(a.uuid, d);
      return d;
    };
    actions.forEach((a) => visit(a, new Set()));
    const out = [];
    actions.forEach((a) => { const d = depth.get(a.uuid); (out[d] = out[d] || []).push(a); });
    return out;
  }

  /* Draw into container, layers left to right, wrapped into bands as wide as the container;
     returns {uuid: <g>} to recolour nodes when states change. */
  function draw(container, actions, label) {
    const cols = layers(actions);
    const tallest = Math.max(1, ...cols.map((c) => c.length));
    const perBand = Math.max(1, Math.floor((Math.max(container.clientWidth, 400) - 30) / (W + GX)));
    const bandHeight = tallest * (H + GY) + BAND_GAP;
    const bands = Math.ceil(cols.length / perBand);
    const width = Math.min(cols.length, perBand) * (W + GX) + 20;
    const svg = el("svg", { width, height: bands * bandHeight + 10, role: "img", "aria-label": "action plan graph" });
    const pos = new Map();
    cols.forEach((col, i) => col.forEach((a, j) => pos.set(a.uuid, {
      x: 10 + (i % perBand) * (W + GX), y: 10 + Math.floor(i / perBand) * bandHeight + j * (H + GY),
      band: Math.floor(i / perBand),
    })));
    const defs = el("defs", {});
    const marker = el("marker", { id: "arrow", viewBox: "0 0 8 8", refX: 8, refY: 4, markerWidth: 7, markerHeight: 7, orient: "auto" });
    marker.append(el("path", { d: "M0,0 L8,4 L0,8 z", fill: "#9aa3b2" }));
    defs.append(marker);
    svg.append(defs);
    const edges = el("g", { fill: "none", stroke: "#9aa3b2", "stroke-width": 1.2 });
    for (const a of actions) {
      const to = pos.get(a.uuid);
      for (const p of a.parents) {
        const from = pos.get(p);
        if (from) edges.append(el("path", { d: edgePath(from, to, bandHeight), "marker-end": "url(#arrow)" }));
      }
    }
    svg.append(edges);
    const nodes = {};
    for (const a of actions) {
      const { x, y } = pos.get(a.uuid);
      const g = el("g", { class: "node", "data-uuid": a.uuid, "data-state": a.state, transform: `translate(${x},${y})` });
      g.append(el("rect", { width: W, height: H, rx: 5 }));
      const [top, bottom] = label(a);
      g.append(el("text", { x: 8, y: 15, "font-weight": 600 }, top));
      g.append(el("text", { x: 8, y: 30, fill: "#4b5563" }, bottom));
      g.append(el("title", {}, `${a.action_type} ${a.uuid}\n${JSON.stringify(a.input_parameters)}`));
      svg.append(g);
      nodes[a.uuid] = g;
      paint(g, a.state);
    }
    container.replaceChildren(svg);
    return nodes;
  }

  /* A curve inside a band; across bands, down into the gap under the parent's band, back to
     the left and into the child. */
  function edgePath(from, to, bandHeight) {
    const x1 = from.x + W, y1 = from.y + H / 2, x2 = to.x, y2 = to.y + H / 2;
    if (from.band === to.band) {
      const mx = (x1 + x2) / 2;
      return `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`;
    }
    const gap = 10 + (from.band + 1) * bandHeight - BAND_GAP / 2;
    return `M${x1},${y1} h${GX / 3} V${gap} H${x2 - GX / 3} V${y2} H${x2}`;
  }

  const FILL = { PENDING: "#fff8e1", ONGOING: "#d6e4fb", SUCCEEDED: "#d3f2dc", FAILED: "#f9d6d2", SKIPPED: "#eceff4", CANCELLED: "#eceff4" };
  const STROKE = { PENDING: "#d9b44a", ONGOING: "#2f6fde", SUCCEEDED: "#2e9e5b", FAILED: "#c0392b", SKIPPED: "#9aa3b2", CANCELLED: "#9aa3b2" };

  function paint(g, state) {
    g.setAttribute("data-state", state);
    const r = g.querySelector("rect");
    r.setAttribute("fill", FILL[state] || "#fff");
    r.setAttribute("stroke", STROKE[state] || "#9aa3b2");
    r.setAttribute("stroke-width", state === "ONGOING" ? 2.5 : 1.2);
  }

  return { draw, paint, layers };
})();
