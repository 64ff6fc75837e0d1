// Drover's dashboard: reads the controller's JSON API every 2 s and draws what it gets.
// Plain JavaScript, no framework; every value is put in with textContent, never as HTML.
"use strict";

const REFRESH_MS = 2000;
const HISTORY_MS = 5 * 60 * 1000;
const MIN_SPAN_MS = 60 * 1000;
const EVENTS = 30;
const SVG = "http://www.w3.org/2000/svg";

/** nodeId -> [{t, cpu (0..1), mem (0..1)}], the samples this page has seen. */
const history = new Map();
let refreshes = 0;

const NODE_STATES = { READY: "good", SUSPECT: "warn", DISCONNECTED: "idle", LOST: "bad" };
const INSTANCE_STATES = {
  PENDING: "idle",
  STARTING: "info",
  READY: "good",
  DRAINING: "warn",
  STOPPING: "warn",
  STOPPED: "idle",
  FAILED: "bad",
  RESTARTING: "bad",
};

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value !== undefined && value !== null) node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function bytes(n) {
  if (n < 1024) return n + " B";
  const units = ["KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = n;
  let unit = -1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return value.toFixed(1) + " " + units[unit];
}

function percent(fraction) {
  return Math.round(fraction * 100) + "%";
}

function clock(iso) {
  return new Date(iso).toLocaleTimeString([], { hour12: false });
}

/** The controller's times as clock times (a date too when not today): no clock skew to explain. */
function when(iso, now) {
  const date = new Date(iso);
  const today = new Date(now).toDateString() === date.toDateString();
  return today ? clock(iso) : date.toLocaleString([], { hour12: false });
}

function badge(state, classes) {
  return el("span", { class: "state " + (classes[state] || "idle") }, state);
}

async function getJson(path) {
  const response = await fetch(path, { cache: "no-store" });
  let body;
  try {
    body = await response.json();
  } catch (e) {
    throw new Error(path + ": HTTP " + response.status);
  }
  if (!response.ok) throw new Error(path + ": " + (body.error || "HTTP " + response.status));
  return body;
}

/**
 * A line chart of values in 0..1, newest at the right, over the time this page has seen (at least
 * a minute, at most HISTORY_MS).
 */
function chart(samples, key, kind, now, label) {
  const width = 140;
  const height = 30;
  const span = Math.min(HISTORY_MS, Math.max(MIN_SPAN_MS, samples.length ? now - samples[0].t : 0));
  const points = samples.map((s) => {
    const x = width - ((now - s.t) / span) * width;
    const y = height - 1 - Math.min(1, Math.max(0, s[key])) * (height - 2);
    return [x.toFixed(1), y.toFixed(1)];
  });
  const frame = svg("rect", { class: "frame", x: 0.5, y: 0.5, width: width - 1, height: height - 1 });
  const parts = [svg("title", {}, label), frame];
  if (points.length > 0) {
    const line = points.map((p) => p.join(",")).join(" ");
    const first = points[0][0];
    const last = points[points.length - 1][0];
    const area = first + "," + height + " " + line + " " + last + "," + height;
    parts.push(svg("polygon", { class: "area", points: area }));
    parts.push(svg("polyline", { class: "line", points: line }));
  }
  const attrs = { class: "chart " + kind, viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": label };
  return svg("svg", attrs, ...parts);
}

function remember(nodes, now) {
  const seen = new Set();
  for (const n of nodes) {
    seen.add(n.id);
    const samples = history.get(n.id) || [];
    if (n.state === "READY" || n.state === "SUSPECT") {
      const mem = n.memoryBytes > 0 ? n.memoryUsedBytes / n.memoryBytes : 0;
      samples.push({ t: now, cpu: n.cpuLoad, mem: mem });
    }
    while (samples.length > 0 && now - samples[0].t > HISTORY_MS) samples.shift();
    history.set(n.id, samples);
  }
  for (const id of [...history.keys()]) if (!seen.has(id)) history.delete(id);
}

function fill(tableId, rows, emptyId) {
  const body = document.querySelector("#" + tableId + " tbody");
  body.replaceChildren(...rows);
  document.getElementById(tableId).hidden = rows.length === 0;
  document.getElementById(emptyId).hidden = rows.length > 0;
}

function drawCluster(cluster, now) {
  const states = Object.entries(cluster.nodesByState)
    .filter(([, count]) => count > 0)
    .map(([state, count]) => count + " " + state)
    .join(", ");
  const items = [
    ["controller", cluster.controllerVersion],
    ["started", when(cluster.startedAt, now)],
    ["nodes", cluster.nodesTotal + (states ? " (" + states + ")" : "")],
    ["cores", cluster.logicalCoresTotal],
    ["memory", bytes(cluster.memoryBytesTotal)],
    ["services", cluster.servicesTotal],
    ["instances", cluster.instancesTotal],
    ["containers", cluster.containersTotal],
  ];
  document.getElementById("cluster").replaceChildren(
    ...items.map(([name, value]) => el("div", {}, el("dt", {}, name), el("dd", {}, value)))
  );
}

function drawNodes(nodes, containers, now) {
  const perNode = new Map();
  for (const c of containers) perNode.set(c.node, (perNode.get(c.node) || 0) + 1);
  fill(
    "nodes",
    nodes.map((n) => {
      const samples = history.get(n.id) || [];
      const live = n.state === "READY" || n.state === "SUSPECT";
      const memory = bytes(n.memoryUsedBytes) + " / " + bytes(n.memoryBytes);
      const cpu = chart(samples, "cpu", "cpu", now, "CPU of " + n.name + " over the last minutes");
      const mem = chart(samples, "mem", "mem", now, "memory of " + n.name + " over the last minutes");
      return el(
        "tr",
        { "data-node": n.id },
        el("td", { class: "node-name", title: n.id }, n.name),
        el("td", {}, badge(n.state, NODE_STATES)),
        el("td", { class: "mono" }, n.address),
        el("td", { class: "num" }, n.cores),
        el("td", {}, gauge(live ? percent(n.cpuLoad) : "-", cpu)),
        el("td", {}, gauge(live ? memory : "-", mem)),
        el("td", { class: "num" }, perNode.get(n.id) || 0),
        el("td", { title: n.lastSeen }, when(n.lastSeen, now))
      );
    }),
    "nodes-empty"
  );
}

function gauge(value, chart) {
  return el("div", { class: "gauge" }, el("span", { class: "value" }, value), chart);
}

function readyBar(ready, desired) {
  const width = 96;
  const share = desired > 0 ? Math.min(1, ready / desired) : 1;
  return svg(
    "svg",
    { class: "fill-bar", viewBox: `0 0 ${width} 8`, "aria-hidden": "true" },
    svg("rect", { class: "track", x: 0, y: 0, width: width, height: 8, rx: 4 }),
    svg("rect", {
      class: "fill" + (ready < desired ? " short" : ""),
      x: 0,
      y: 0,
      width: (share * width).toFixed(1),
      height: 8,
      rx: 4,
    })
  );
}

function drawServices(services) {
  fill(
    "services",
    services.map((s) =>
      el(
        "tr",
        { "data-service": s.name },
        el("td", {}, s.name),
        el("td", {}, el("div", { class: "bar" }, readyBar(s.running, s.desired), s.running + " / " + s.desired)),
        el("td", { class: "num" }, s.starting),
        el("td", { class: "num" }, s.pending),
        el("td", { class: "num" }, s.failed),
        el("td", { class: "num" }, s.min + "–" + s.max),
        el("td", {}, s.mode)
      )
    ),
    "services-empty"
  );
}

function drawInstances(instances, containers) {
  const byContainer = new Map(containers.map((c) => [c.id, c]));
  fill(
    "instances",
    instances.map((i) => {
      const c = byContainer.get(i.containerId);
      const ports = i.ports.map((p) => p.name + "=" + p.port).join(", ");
      const why = el("td", { class: "why" });
      if (i.reason) why.append(el("div", {}, i.reason));
      if (i.lastError) why.append(el("div", { class: "error" }, i.lastError));
      let state = badge(i.state, INSTANCE_STATES);
      if (i.restartAt) {
        const inSeconds = Math.max(0, Math.ceil((Date.parse(i.restartAt) - Date.now()) / 1000));
        state = el("span", {}, state, " in " + inSeconds + "s");
      }
      return el(
        "tr",
        { "data-instance": i.id },
        el("td", { class: "mono" }, i.id),
        el("td", {}, i.service),
        el("td", {}, state),
        el("td", {}, i.nodeName || "-"),
        el("td", { class: "mono" }, (i.address ? i.address + " " : "") + ports),
        el("td", { class: "num" }, c ? c.cpuPercent.toFixed(0) + "%" : "-"),
        el("td", { class: "num" }, c && c.rssBytes > 0 ? bytes(c.rssBytes) : "-"),
        el("td", { class: "num" }, i.restarts),
        why
      );
    }),
    "instances-empty"
  );
}

function drawEvents(events) {
  document.getElementById("events").replaceChildren(
    ...events
      .slice()
      .reverse()
      .map((e) =>
        el(
          "li",
          { title: e.time },
          el("span", { class: "time" }, clock(e.time)),
          el("span", { class: "kind" }, e.kind),
          el("span", { class: "subject" }, e.subject),
          el("span", { class: "message" }, e.message)
        )
      )
  );
}

function showStatus(text, error) {
  const status = document.getElementById("status");
  status.textContent = text;
  status.classList.toggle("error", error);
}

async function refresh() {
  try {
    const [cluster, nodes, services, instances, containers, events] = await Promise.all([
      getJson("v1/cluster"),
      getJson("v1/nodes"),
      getJson("v1/services"),
      getJson("v1/instances"),
      getJson("v1/containers"),
      getJson("v1/events?tail=" + EVENTS),
    ]);
    const now = Date.now();
    remember(nodes, now);
    drawCluster(cluster, now);
    drawNodes(nodes, containers, now);
    drawServices(services);
    drawInstances(instances, containers);
    drawEvents(events);
    refreshes++;
    document.body.dataset.refreshes = String(refreshes);
    showStatus("updated " + new Date(now).toLocaleTimeString([], { hour12: false }), false);
  } catch (e) {
    showStatus("cannot read the controller (" + e.message + "); showing what it said last", true);
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}

refresh();
