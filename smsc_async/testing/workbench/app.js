// The emulator's inbox: a view of GET state (or the events stream), redrawn when it changes.
// Vanilla JS, no build step, no CDN. Every piece of data goes into the page as text
// (textContent / text nodes), never as HTML, so a message text cannot inject markup.
"use strict";

(function () {
  // The API lives beside the page: /_emulator/static/app.js -> /_emulator/.
  const BASE = new URL("..", document.currentScript.src).pathname;
  const POLL_MS = 1000;
  // A token for the controls when the emulator is bound beyond loopback: #token=... in the URL.
  const TOKEN = new URLSearchParams(location.hash.slice(1)).get("token") || "";

  // SMSC's status codes (spec §3.3) as stable slugs for data-status and the badge colour.
  const STATUS_SLUGS = {
    "-3": "not-found", "-2": "stopped", "-1": "queued", "0": "transferred", "1": "delivered",
    "2": "read", "3": "expired", "4": "clicked", "20": "undeliverable", "22": "invalid-number",
    "23": "prohibited", "24": "no-money", "25": "unavailable-number",
  };

  let state = null;
  let drawnVersion = null;

  const $ = (id) => document.getElementById(id);

  // el("td", {class: "num", "data-id": 5}, "text", childNode): attributes set one by one,
  // children appended as text nodes or elements.
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value !== null && value !== undefined) node.setAttribute(name, String(value));
    }
    for (const child of children) {
      node.append(child instanceof Node ? child : text(child));
    }
    return node;
  }

  function text(value) {
    return document.createTextNode(value === null || value === undefined ? "" : String(value));
  }

  // "2026-12-07T19:30:00+03:00" -> "2026-12-07 19:30:00": the emulator's own (Moscow) calendar.
  function when(iso) {
    if (!iso) return "";
    return String(iso).replace("T", " ").replace(/(\.\d+)?([+-]\d\d:\d\d|Z)$/, "");
  }

  function duration(seconds) {
    const s = Math.max(0, Math.round(Number(seconds) || 0));
    if (s >= 60 && s % 3600 === 0) return s / 3600 + " h";
    if (s >= 60 && s % 60 === 0) return s / 60 + " min";
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const rest = s % 60;
    return (h ? h + "h " : "") + (h || m ? m + "m " : "") + rest + "s";
  }

  // Fill a tbody with rows; with none, its table gives way to the "empty" note.
  function fill(id, rows) {
    const body = $(id);
    body.replaceChildren(...rows);
    body.closest("table").hidden = rows.length === 0;
    const note = document.querySelector(`[data-empty-for="${id}"]`);
    if (note) note.hidden = rows.length > 0;
  }

  function row(testid, attrs, ...cells) {
    return el("tr", Object.assign({ "data-testid": testid }, attrs),
      ...cells.map((c) => (c instanceof Node && c.nodeName === "TD" ? c : el("td", {}, c))));
  }

  function num(value) {
    return el("td", { class: "num" }, value);
  }

  function statusBadge(code, name) {
    const slug = STATUS_SLUGS[String(code)] || "unknown";
    return el("span", { class: "badge status-" + slug, title: "status " + code }, name || slug);
  }

  function meter(used, limit) {
    const ratio = limit > 0 ? Math.min(1, used / limit) : 0;
    const level = ratio >= 1 ? "full" : ratio >= 0.8 ? "high" : "low";
    const bar = el("span", { class: "meter", "data-level": level });
    bar.append(el("span", { class: "meter-fill", style: `width:${Math.round(ratio * 100)}%` }));
    return bar;
  }

  function renderHeader(s) {
    const stats = s.stats || {};
    $("now").textContent = when(s.now);
    $("stat-requests").textContent = stats.requests ?? 0;
    $("stat-violations").textContent = stats.violations ?? 0;
    $("stat-violations").dataset.alert = (stats.violations || 0) > 0 ? "yes" : "no";
    $("stat-peak").textContent = stats.peak_in_flight ?? 0;
    $("stat-messages").textContent = (s.messages || []).length;
  }

  function renderLogins(stats) {
    const cards = Object.entries(stats.logins || {}).map(([login, info]) => {
      const windows = (info.windows || []).map((w) =>
        el("li", { "data-testid": "window", "data-rule": w.rule, "data-used": w.used, "data-limit": w.limit },
          el("span", { class: "rule" }, w.rule),
          meter(w.used, w.limit),
          el("span", { class: "count" }, `${w.used}/${w.limit}`),
          el("span", { class: "window" }, `per ${duration(w.window_s)}`)));
      return el("article", { class: "card", "data-testid": "login-card", "data-login": login },
        el("h4", {}, login),
        el("p", { class: "inflight", "data-testid": "in-flight" },
          "in flight ", meter(info.in_flight, info.cap),
          ` ${info.in_flight}/${info.cap} (peak ${info.peak_in_flight})`),
        windows.length ? el("ul", { class: "windows" }, ...windows)
          : el("p", { class: "muted" }, "No rule window in use."));
    });
    $("logins").replaceChildren(...cards);
    document.querySelector('[data-empty-for="logins"]').hidden = cards.length > 0;

    fill("violations", (stats.violation_list || []).map((v) =>
      row("violation-row", { "data-login": v.login, "data-command": v.command, "data-rule": v.rule },
        when(v.at), v.login, el("td", {}, el("code", {}, v.command)),
        el("td", { class: "rule" }, v.rule), v.ip)));

    fill("bans", (stats.bans || []).map((b) =>
      row("ban-row", { "data-ip": b.ip }, b.ip, b.reason, when(b.until), duration(b.remaining_s))));

    const byCommand = Object.entries(stats.by_command || {}).sort((a, b) => b[1] - a[1]);
    fill("by-command", byCommand.map(([cmd, n]) =>
      row("command-row", { "data-command": cmd }, el("td", {}, el("code", {}, cmd)), num(n))));
    fill("by-error", Object.entries(stats.by_error || {}).map(([code, n]) =>
      row("error-row", { "data-error": code }, "error " + code, num(n))));
  }

  function messageMatches(m, needle) {
    if (!needle) return true;
    const slug = STATUS_SLUGS[String(m.status)] || "";
    return [m.id, m.phone, m.text, m.sender, m.kind, m.status_name, slug, m.login]
      .some((v) => v !== null && v !== undefined && String(v).toLowerCase().includes(needle));
  }

  function renderMessages(messages) {
    const needle = $("message-filter").value.trim().toLowerCase();
    const shown = messages.filter((m) => messageMatches(m, needle));
    fill("messages", shown.map((m) =>
      row("message-row", {
        "data-id": m.id, "data-phone": m.phone, "data-login": m.login,
        "data-status": STATUS_SLUGS[String(m.status)] || "unknown", "data-status-code": m.status,
      },
        el("td", {}, el("code", {}, m.id)), m.phone, el("td", { class: "text" }, m.text),
        m.sender, m.kind, num(m.parts), num(m.cost),
        el("td", {}, statusBadge(m.status, m.status_name)), when(m.sent), when(m.changed))));
    $("messages-count").textContent = needle
      ? `(${shown.length} of ${messages.length})` : `(${messages.length})`;
  }

  function renderTables(s) {
    fill("replies", (s.replies || []).map((r) =>
      row("reply-row", { "data-id": r.id, "data-phone": r.phone },
        r.id, r.login, r.phone, r.to_phone, el("td", { class: "text" }, r.text), when(r.received))));

    fill("subclients", (s.subclients || []).map((c) =>
      row("subclient-row", { "data-login": c.login, "data-parent": c.parent },
        c.login, c.id, c.parent, c.type, num(c.balance))));

    fill("senders", (s.senders || []).map((x) =>
      row("sender-row", { "data-login": x.login, "data-sender": x.sender },
        x.login, x.id, x.sender, x.status, x.comment)));

    fill("contacts", (s.contacts || []).map((c) =>
      row("contact-row", { "data-login": c.login, "data-id": c.id },
        c.login, c.id, c.name, (c.phones || []).join(", "), (c.groups || []).join(", "))));

    fill("codes", (s.codes || []).map((c) =>
      row("code-row", { "data-login": c.login, "data-sender": c.sender },
        c.login, c.sender, el("td", {}, el("code", {}, c.code)))));

    fill("callbacks", (s.callbacks || []).map((c) => {
      const attempts = c.attempts || [];
      const last = attempts.length ? attempts[attempts.length - 1] : null;
      return row("callback-row", { "data-kind": c.kind, "data-delivered": c.delivered ? "yes" : "no" },
        c.kind, c.login, el("td", {}, el("code", {}, c.dedupe_key)), num(attempts.length),
        last ? `${last.status ?? ""} ${last.answer ?? ""}`.trim() : "",
        el("td", {}, el("span", { class: "badge " + (c.delivered ? "status-delivered" : "status-undeliverable") },
          c.delivered ? "yes" : "no")));
    }));
  }

  function render(force) {
    if (!state || (!force && state.version === drawnVersion)) return;
    drawnVersion = state.version;
    renderHeader(state);
    renderLogins(state.stats || {});
    renderMessages(state.messages || []);
    renderTables(state);
  }

  function connection(mode, detail) {
    const node = $("connection");
    node.dataset.state = mode;
    node.textContent = detail;
  }

  function accept(newState, mode) {
    state = newState;
    connection(mode, `${mode === "live" ? "live" : "polling"} · version ${state.version}`);
    render(false);
  }

  // Polling: one request at a time, the next a second after the last answer (or failure).
  async function poll() {
    try {
      const response = await fetch(BASE + "state", { cache: "no-store" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      accept(await response.json(), "polling");
    } catch (error) {
      connection("offline", `emulator unreachable (${error.message}); retrying`);
    }
    setTimeout(poll, POLL_MS);
  }

  // Server-sent events when the server offers them; polling when it does not or they break.
  function listen() {
    if (!("EventSource" in window)) return poll();
    const source = new EventSource(BASE + "events");
    let opened = false;
    source.onmessage = (event) => {
      opened = true;
      accept(JSON.parse(event.data), "live");
    };
    source.onerror = () => {
      // A stream that never delivered (no such route) or dropped: poll from now on.
      source.close();
      if (!opened) connection("connecting", "no event stream; polling");
      poll();
    };
  }

  async function post(route, body) {
    const headers = { "Content-Type": "application/json" };
    if (TOKEN) headers.Authorization = "Bearer " + TOKEN;
    const response = await fetch(BASE + route, { method: "POST", headers, body: JSON.stringify(body) });
    let answer = {};
    try {
      answer = await response.json();
    } catch (_) {
      // a body that is not JSON: the status line says enough
    }
    if (!response.ok) throw new Error(answer.error || `HTTP ${response.status}`);
    return answer;
  }

  function setUp() {
    $("message-filter").addEventListener("input", () => render(true));

    $("reply-form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const form = event.currentTarget;
      const body = {};
      for (const [name, value] of new FormData(form)) {
        if (String(value).trim()) body[name] = String(value).trim();
      }
      const out = $("reply-result");
      try {
        await post("replies", body);
        out.textContent = "received";
        out.dataset.ok = "yes";
        form.elements.text.value = "";
      } catch (error) {
        out.textContent = error.message;
        out.dataset.ok = "no";
      }
    });

    for (const button of document.querySelectorAll("[data-advance]")) {
      button.addEventListener("click", async () => {
        const out = $("control-result");
        try {
          await post("clock", { advance: Number(button.dataset.advance) });
          out.textContent = "clock advanced";
        } catch (error) {
          out.textContent = error.message;
        }
      });
    }
    listen();
  }

  setUp();
})();
