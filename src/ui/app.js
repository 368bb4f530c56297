// hookctl inspector: the store's deliveries, live. Everything from a delivery is
// shown as text (textContent), never as markup.
"use strict";

// On loopback the page carries this run's token. Reachable from other machines it
// does not: hookctl printed a URL with the token in its fragment (never sent to the
// server), kept here for this tab only, and the fragment is cleared at once.
const token = (() => {
  const inPage = document.querySelector('meta[name="hookctl-token"]').content;
  if (inPage) return inPage;
  const m = location.hash.match(/^#token=([0-9a-f]+)$/);
  if (m) {
    sessionStorage.setItem("hookctl-token", m[1]);
    history.replaceState(null, "", location.pathname + location.search);
    return m[1];
  }
  return sessionStorage.getItem("hookctl-token") || "";
})();
const withToken = (url) => url + (url.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token);
const api = (url, init) => fetch(url, { ...(init || {}), headers: { ...((init || {}).headers || {}), "X-Hookctl-Token": token } });
for (const a of document.querySelectorAll("nav a[href^='/api/']")) a.href = withToken(a.getAttribute("href"));
const rows = new Map(); // store id → delivery row
let selected = null;
let total = 0; // deliveries in the store, of which `rows` holds the newest
const WINDOW = 1000;

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else if (k.startsWith("data-") || k.startsWith("aria-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(k == null ? "" : String(k)));
  return e;
}

const $ = (id) => document.getElementById(id);

function verdictCell(d) {
  if (d.verdict === "valid") return el("span", { class: "valid" }, "✓");
  if (d.verdict === "invalid") return el("span", { class: "invalid", title: d.reason || "" }, "✗ " + (d.reason || ""));
  return el("span", { class: "unchecked" }, "–");
}

function rowFor(d) {
  const tr = el("tr", { "data-id": String(d.id), "data-verdict": d.verdict });
  const time = (d.created_at || "").replace("T", " ").slice(0, 23);
  // The date part gives way when the detail pane is open (see app.css).
  tr.append(
    el("td", { class: "time", title: time }, el("span", { class: "date" }, time.slice(0, 11)), time.slice(11)),
    el("td", { class: "opt" }, d.direction === "in" ? "in" : "out"),
    el("td", { class: "profile" }, d.profile || ""),
    el("td", { class: "event", title: d.event || "" }, d.event || ""),
    el("td", { class: "id opt", title: d.delivery_id || "" }, d.delivery_id || ""),
    el("td", { class: "verdict" }, verdictCell(d)),
    el("td", { class: "status " + (d.last_status >= 200 && d.last_status < 300 ? "" : "fail") }, d.last_status == null ? "–" : d.last_status),
    el("td", { class: "latency" }, d.last_latency_ms == null ? "" : d.last_latency_ms.toFixed(1) + " ms"),
    el("td", { class: "attempts" }, d.attempts),
    el("td", { class: "mark" }, d.duplicate ? el("span", { class: "dup" }, "duplicate") : d.replay_of ? el("span", { class: "muted" }, "replay of " + d.replay_of) : ""),
  );
  tr.addEventListener("click", () => { location.hash = "#/deliveries/" + d.id; });
  return tr;
}

function searchable(d) {
  return [d.event, d.delivery_id, d.url, d.profile, d.reason, JSON.stringify(d.headers)].join(" ").toLowerCase();
}

function passes(d) {
  const v = $("f-verdict").value, dir = $("f-direction").value;
  const profile = $("f-profile").value.trim().toLowerCase();
  const event = $("f-event").value.trim().toLowerCase();
  const status = $("f-status").value.trim().toLowerCase();
  const text = $("f-text").value.trim().toLowerCase();
  if (v && d.verdict !== v) return false;
  if (dir && d.direction !== dir) return false;
  if (profile && !(d.profile || "").toLowerCase().includes(profile)) return false;
  if (event && !(d.event || "").toLowerCase().includes(event)) return false;
  if (status) {
    const s = d.last_status == null ? "" : String(d.last_status);
    if (/^[1-5]xx$/.test(status) ? s[0] !== status[0] : s !== status) return false;
  }
  if (text && !searchable(d).includes(text)) return false;
  return true;
}

function render() {
  const body = $("rows");
  const ids = [...rows.keys()].sort((a, b) => b - a);
  const shown = [];
  for (const id of ids) {
    const d = rows.get(id);
    if (!passes(d)) continue;
    const tr = rowFor(d);
    if (id === selected) tr.classList.add("selected");
    shown.push(tr);
  }
  body.replaceChildren(...shown);
  $("empty").hidden = rows.size > 0;
  const n = (x) => x.toLocaleString("en-US");
  const held = total > rows.size ? `the newest ${n(rows.size)} of ${n(total)} deliveries` : `${n(rows.size)} ${rows.size === 1 ? "delivery" : "deliveries"}`;
  $("count").textContent = shown.length === rows.size ? held : `${n(shown.length)} of ${held}`;
}

async function load() {
  const r = await api("/api/deliveries?limit=" + WINDOW);
  if (r.status === 401) {
    $("empty").hidden = false;
    $("empty").textContent = "This inspector can be reached from other machines: open it with the URL hookctl printed when it started (it carries the token).";
    return;
  }
  if (!r.ok) return;
  for (const d of await r.json()) rows.set(d.id, d);
  total = Math.max(rows.size, Number(r.headers.get("x-total-count")) || 0);
  render();
  live();
}

function live() {
  const badge = $("live");
  const newest = Math.max(0, ...[...rows.values()].map((r) => r.seq || 0));
  const feed = new EventSource(withToken("/api/events?after=" + newest));
  feed.onopen = () => { badge.dataset.state = "connected"; badge.textContent = "live"; };
  feed.onerror = () => { badge.dataset.state = "disconnected"; badge.textContent = "disconnected"; };
  feed.addEventListener("delivery", (e) => {
    const d = JSON.parse(e.data);
    if (!rows.has(d.id)) total += 1;
    rows.set(d.id, d);
    render();
  });
}

function bytesOf(body) {
  if (!body) return new Uint8Array();
  if (body.text != null) return new TextEncoder().encode(body.text);
  const raw = atob(body.base64);
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

function hexdump(bytes) {
  const lines = [];
  for (let i = 0; i < bytes.length && i < 65536; i += 16) {
    const chunk = bytes.slice(i, i + 16);
    const hex = [...chunk].map((b) => b.toString(16).padStart(2, "0")).join(" ");
    const text = [...chunk].map((b) => (b >= 32 && b < 127 ? String.fromCharCode(b) : ".")).join("");
    lines.push(i.toString(16).padStart(8, "0") + "  " + hex.padEnd(48) + "  " + text);
  }
  return lines.join("\n");
}

function pretty(body) {
  if (body && body.text != null) {
    try { return JSON.stringify(JSON.parse(body.text), null, 2); } catch (_) { return body.text; }
  }
  return "(not text: see the hex view)";
}

async function copy(text, where) {
  try {
    await navigator.clipboard.writeText(text);
    where.textContent = "copied";
  } catch (_) {
    // Without clipboard access (an http page in some browsers): show it to copy by hand.
    where.replaceChildren(el("pre", {}, text));
  }
}

function headersTable(headers) {
  const t = el("table");
  t.className = "headers";
  for (const [n, v] of headers || []) t.append(el("tr", {}, el("td", { class: "name" }, n), el("td", { class: "value" }, v)));
  return t;
}

async function replay(id, mode, to, body, result) {
  result.textContent = "sending…";
  const ask = { mode };
  if (to) ask.to = to;
  if (body != null) ask.body = body;
  const r = await api(`/api/deliveries/${id}/replay`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Hookctl-Token": token },
    body: JSON.stringify(ask),
  });
  const out = await r.json();
  if (!r.ok) { result.textContent = "✗ " + out.error; result.className = "result invalid"; return; }
  result.className = "result " + (out.delivered ? "valid" : "invalid");
  result.textContent = (out.delivered ? "✓ " : "✗ ") + (out.status ? `answered ${out.status} in ${out.latency_ms} ms` : out.error) +
    (out.id ? ` (recorded as #${out.id})` : "");
}

async function show(id) {
  selected = id;
  render();
  const pane = $("detail");
  pane.hidden = false;
  document.querySelector("main").classList.add("detail-open");
  const r = await api("/api/deliveries/" + id);
  if (selected !== id) return; // another was chosen meanwhile
  if (!r.ok) { pane.replaceChildren(el("p", { class: "invalid" }, "No delivery " + id)); return; }
  const x = await r.json();
  if (selected !== id) return;
  const d = x.delivery;
  const parts = [];
  parts.push(el("h2", {}, `#${d.id} ${d.event || "(no event)"}`),
    el("div", { class: "row muted" }, `${d.direction === "in" ? "received" : "sent"} ${d.created_at} · ${d.profile || "no profile"} · ${d.method} ${d.url}`),
    el("div", { class: "row" }, el("a", { href: "#/deliveries/" + d.id }, "permalink")));
  // The verdict, and why.
  parts.push(el("h3", {}, "Verification"));
  const c = x.check;
  if (c.checked) {
    parts.push(el("div", { class: c.valid ? "valid" : "invalid" }, (c.valid ? "✓ valid: " : "✗ invalid: ") + c.reason));
  } else {
    parts.push(el("div", { class: d.verdict }, (d.verdict === "valid" ? "✓ " : d.verdict === "invalid" ? "✗ " : "") + (d.reason || "not checked") + " (as recorded; " + c.reason + ")"));
  }
  for (const f of x.findings || []) parts.push(el("div", { class: "warn" }, "explain: " + f.message));
  parts.push(el("h3", {}, "Headers, in order"), headersTable(d.headers));
  // The body, three ways.
  parts.push(el("h3", {}, `Body (${x.body_size} bytes${x.body_cut ? ", first MiB shown" : ""})`));
  const pre = el("pre", { id: "body" });
  const views = { pretty: () => pretty(x.body), raw: () => (x.body.text != null ? x.body.text : "(not text)"), hex: () => hexdump(bytesOf(x.body)) };
  const tabs = el("div", { class: "row tabs" });
  for (const name of Object.keys(views)) {
    const b = el("button", { type: "button", "aria-pressed": "false" }, name);
    b.addEventListener("click", () => {
      pre.textContent = views[name]();
      for (const o of tabs.children) o.setAttribute("aria-pressed", String(o === b));
    });
    tabs.append(b);
  }
  parts.push(tabs, pre);
  pre.textContent = views[x.body.text != null ? "pretty" : "hex"]();
  tabs.children[x.body.text != null ? 0 : 2].setAttribute("aria-pressed", "true");
  // Every attempt, with its answer.
  parts.push(el("h3", {}, "Attempts"));
  for (const a of x.attempts_detail || []) {
    const ans = a.status != null ? `${a.status} in ${a.latency_ms == null ? "?" : a.latency_ms.toFixed(1)} ms` : a.error || "no answer";
    parts.push(el("div", {}, `#${a.number} at ${a.started_at}: ${ans}`));
    if (a.response_headers) parts.push(headersTable(a.response_headers));
    if (a.response_body) parts.push(el("pre", {}, a.response_body.text != null ? a.response_body.text : "(not text)"));
  }
  if ((x.timeline || []).length > 1) {
    parts.push(el("h3", {}, "Retry timeline (same delivery id)"));
    for (const t of x.timeline) {
      const line = el("div", {}, el("a", { href: "#/deliveries/" + t.id }, "#" + t.id), ` ${t.created_at} ${t.direction} ${t.source} → ${t.last_status == null ? "–" : t.last_status}${t.duplicate ? " (duplicate)" : ""}`);
      parts.push(line);
    }
  }
  // Send it again.
  parts.push(el("h3", {}, "Replay"));
  const target = el("input", { class: "target", placeholder: d.direction === "out" ? "to its original URL, or another" : "URL to send it to, e.g. http://localhost:3000/webhooks", value: d.direction === "out" ? d.url : "" });
  const result = el("div", { class: "result", id: "replay-result" });
  const exact = el("button", { type: "button", id: "replay-exact" }, "Replay exactly");
  const resign = el("button", { type: "button", id: "replay-resign" }, "Replay re-signed");
  const edit = el("button", { type: "button", id: "replay-edit" }, "Edit, re-sign, send");
  const editor = el("textarea", { hidden: true, id: "replay-body" });
  exact.addEventListener("click", () => replay(d.id, "exact", target.value.trim(), null, result));
  resign.addEventListener("click", () => replay(d.id, "resign", target.value.trim(), null, result));
  edit.addEventListener("click", () => {
    if (editor.hidden) { editor.hidden = false; editor.value = x.body.text != null ? x.body.text : ""; edit.textContent = "Send edited, re-signed"; return; }
    replay(d.id, "resign", target.value.trim(), editor.value, result);
  });
  parts.push(el("div", { class: "row" }, target), el("div", { class: "row" }, exact, resign, edit), editor, result);
  parts.push(el("h3", {}, "Copy"));
  const copied = el("div", { class: "muted" });
  const row = el("div", { class: "row" });
  for (const [label, key] of [["as curl", "curl"], ["as hookctl send", "send"], ["as hookctl verify", "verify"]]) {
    const b = el("button", { type: "button", "data-copy": key }, label);
    b.addEventListener("click", () => copy(x.commands[key], copied));
    row.append(b);
  }
  parts.push(row, copied);
  pane.replaceChildren(...parts);
  pane.dataset.id = String(d.id);
}

function route() {
  // The printed URL pasted into a tab that already shows the page: take the token
  // and start again with it.
  const t = location.hash.match(/^#token=([0-9a-f]+)$/);
  if (t) {
    sessionStorage.setItem("hookctl-token", t[1]);
    location.replace(location.pathname + location.search);
    return;
  }
  const m = location.hash.match(/^#\/deliveries\/(\d+)$/);
  if (m) show(Number(m[1]));
  else { selected = null; $("detail").hidden = true; document.querySelector("main").classList.remove("detail-open"); render(); }
}

for (const id of ["f-verdict", "f-direction", "f-profile", "f-event", "f-status", "f-text"]) {
  $(id).addEventListener("input", render);
}
window.addEventListener("hashchange", route);
load().then(route);
