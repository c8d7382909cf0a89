"use strict";
// The seat-operator console: lists fed live by server-sent events, one ticket open at a
// time, every action reachable from the keyboard.
(function () {
  const $ = (id) => document.getElementById(id);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const state = {queue: [], selected: -1, open: null, categories: [], dirty: false, action: null};
  const PHASES = {ringing: "振铃中", answered: "通话中", ended: "已挂机", missed: "未接"};

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") node.className = v; else if (k.startsWith("data-")) node.setAttribute(k, v); else node[k] = v;
    }
    for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(c ?? ""));
    return node;
  }
  const time = (iso) => (iso ? iso.replace("T", " ").slice(5, 16) : "");

  async function api(path, options) {
    const resp = await fetch(path, Object.assign({credentials: "same-origin"}, options || {}));
    const body = await resp.json().catch(() => ({}));
    if (resp.status === 401) { location.href = "/console/login?reason=session_expired"; throw new Error("expired"); }
    if (!resp.ok) throw new Error((body.error && body.error.message) || ("请求失败 " + resp.status));
    return body;
  }
  const post = (path, data) => api(path, {method: "POST", body: JSON.stringify(data || {}),
    headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf}});

  function notice(text, kind) { $("notice").textContent = text; $("notice").className = "message " + (kind || ""); }

  // -- lists --------------------------------------------------------------------------------
  async function loadBoard() {
    const board = await api("/console/api/board");
    $("calls").replaceChildren(...board.calls.concat(board.recent).map(callItem));
    $("callbacks").replaceChildren(...board.callbacks.map(callbackItem));
    state.queue = board.queue;
    renderQueue();
  }
  const TRENDS = {rising: "↑ 上升", steady: "→ 平稳", falling: "↓ 回落"};
  async function loadHotspots() {
    const page = await api("/console/api/hotspots?window=7d");
    $("hotspots").replaceChildren(...(page.items.length ? page.items.map((h) =>
      el("li", {class: "hotspot", "data-issue": h.id},
        el("b", {}, h.title), " ", el("span", {class: "badge"}, "热度 " + h.heat),
        el("div", {class: "snippet"},
          `${h.place || "地点不一"} · ${h.category || "未分类"} · ${h.reports} 次 / ${h.reporters} 人 · ${TRENDS[h.trend] || ""}`)))
      : [el("li", {class: "snippet"}, "近 7 天没有热点问题")]));
  }
  function callItem(c) {
    const li = el("li", {class: "call-item" + (c.mine ? " mine" : ""), "data-call": c.call_id},
      el("b", {}, c.caller), " ", el("span", {class: "badge"}, PHASES[c.phase] || c.phase),
      c.seat_id ? " 坐席 " + c.seat_id : "", el("div", {class: "snippet"}, (c.transcript || "").slice(0, 40)));
    if (c.case_no) li.addEventListener("click", () => openTicket(c.case_no));
    return li;
  }
  function callbackItem(c) {
    const button = el("button", {type: "button"}, "已回拨");
    button.addEventListener("click", async () => {
      await post(`/console/api/calls/${encodeURIComponent(c.call_id)}/called-back`, {});
      loadBoard();
    });
    return el("li", {"data-call": c.call_id}, el("b", {}, c.caller), " ", time(c.started_at), " ", button);
  }
  function renderQueue() {
    if (state.selected < 0 && state.queue.length) state.selected = 0;
    state.selected = Math.min(state.selected, state.queue.length - 1);
    $("queue").replaceChildren(...state.queue.map((t, i) => {
      const li = el("li", {class: "queue-item" + (i === state.selected ? " selected" : "") +
                                  (state.open === t.case_no ? " open" : ""), "data-case": t.case_no},
        el("b", {}, t.case_no), " ", el("span", {class: "badge"}, t.status_name), " ",
        el("span", {class: "badge channel"}, t.channel), t.urgency === "urgent" ? el("span", {class: "badge urgent"}, "紧急") : "",
        el("div", {class: "snippet"}, t.title));
      li.addEventListener("click", () => { state.selected = i; openTicket(t.case_no); });
      return li;
    }));
  }

  // -- one ticket ---------------------------------------------------------------------------
  async function openTicket(caseNo) {
    const view = await api(`/console/api/tickets/${encodeURIComponent(caseNo)}`);
    state.open = caseNo; state.dirty = false; closeDialog();
    const t = view.ticket;
    $("empty").hidden = true; $("ticket").hidden = false;
    $("t-case").textContent = t.case_no;
    $("t-status").textContent = t.status_name;
    $("t-channel").textContent = t.channel;
    // The machine's doubts, then what the citizen has yet to say (to ask on the call back).
    $("t-reasons").textContent = [...(t.review_reasons || []),
      ...(t.missing || []).map((m) => `待补充：${m}`)].join("；");
    $("c-caller").textContent = view.call ? view.call.caller : (t.reporter.phone || "—");
    $("c-phase").textContent = view.call ? `${PHASES[view.call.phase] || view.call.phase} ${time(view.call.started_at)}` +
      (view.call.seat_id ? ` · 坐席 ${view.call.seat_id}` : "") : "—";
    showTranscript(view.call);
    const audio = (view.call && view.call.recording) || (t.attachments || []).find((a) => a.type === "audio");
    $("c-audio").hidden = !audio;
    if (audio) $("c-audio").src = `/console/api/audio/${audio.sha256}`;
    $("earlier").replaceChildren(...(view.earlier_cases.length ? view.earlier_cases.map((c) =>
      el("li", {}, el("b", {}, c.case_no), ` ${time(c.created_at)} ${c.status_name} · ${c.category}`,
         el("div", {class: "snippet"}, c.text))) : [el("li", {}, "无")]));
    $("f-description").value = t.description;
    fillCategories(t.category);
    $("f-address").value = t.location.address || "";
    const grid = (t.location.grid_path || []).map((g) => g.name).join(" / ");
    $("f-grid").textContent = grid ? "网格：" + grid : "网格：未定位";
    $("f-map").replaceChildren(mapPin(t.location));
    $("f-urgency").value = t.urgency;
    const why = urgencyWhy(t);
    $("f-urgency-why").hidden = !why;
    $("f-urgency-why").textContent = why;
    $("f-department").value = t.department || "";
    $("f-due").value = t.due_at ? t.due_at.slice(0, 16) : "";
    $("candidates").tBodies[0].replaceChildren(...(view.candidates.length ? view.candidates.map((c) =>
      el("tr", {"data-case": c.case_no}, el("td", {}, c.case_no), el("td", {}, c.text), el("td", {}, c.address),
         el("td", {}, time(c.created_at)), el("td", {}, c.status_name),
         el("td", {}, c.score != null ? Math.round(c.score * 100) + "%" : ""))) :
      [el("tr", {}, el("td", {colSpan: 6}, "无疑似重复"))]));
    state.candidates = view.candidates;
    renderQueue();
    $("f-description").focus();
  }
  // Why the machine marked it urgent, so the operator can keep or lower it at a glance: the
  // sentences of a letter that tell the danger, the danger words, or the model's probability.
  function urgencyWhy(t) {
    const u = (((t.category || {}).evidence || {}).urgency) || {};
    if (t.urgency !== "urgent") return "";
    if (u.passage) return `紧急依据：${u.hazard_claimed ? "反映中说到的危险" : "危险段落"}「${u.passage.slice(0, 120)}」`;
    if ((u.danger_words || []).length) return `紧急依据：危险词 ${u.danger_words.join("、")}`;
    if (u.probability != null) return `紧急依据：模型判断（${Math.round(u.probability * 100)}%）`;
    return "";
  }
  function showTranscript(call) {
    const text = call && call.transcript;
    const segments = call && call.transcript_source === "gateway" ? call.transcript_segments || [] : [];
    if (segments.length) $("c-transcript").replaceChildren(...dialogue(segments));
    else $("c-transcript").textContent = text ? text + (call.transcript_final ? "" : " …") :
      (call && call.transcribing ? "正在转写录音…" : "（无转写，请听录音人工填写）");
    $("c-transcript").className = "transcript" + (text || segments.length ? "" : " none");
  }
  // Our own transcript: one line per turn, "市民：" / "坐席：" on two-channel recordings, and
  // the words the recogniser was unsure of marked, so the operator knows where to listen.
  const SPEAKERS = {caller: "市民：", seat: "坐席："};
  function dialogue(segments) {
    const turns = [];
    for (const seg of segments) {
      const last = turns[turns.length - 1];
      if (last && last.speaker === seg.speaker) last.segments.push(seg); else turns.push({speaker: seg.speaker, segments: [seg]});
    }
    return turns.map((turn) => el("div", {class: "turn " + turn.speaker},
      SPEAKERS[turn.speaker] ? el("b", {}, SPEAKERS[turn.speaker]) : "",
      ...turn.segments.flatMap((seg) => seg.words && seg.words.length ? seg.words.map(unsure) : [unsure(seg)])));
  }
  // A word, or a whole segment when the engine gives no word confidences.
  function unsure(part) {
    if (!part.unsure) return part.text;
    return el("mark", {title: `识别把握不大（${Math.round((part.confidence || 0) * 100)}%），请听录音核对`}, part.text);
  }
  function fillCategories(cat) {
    const select = $("f-category");
    const options = [el("option", {value: ""}, "— 请选择类别 —")].concat(state.categories.map((c) =>
      el("option", {value: c.code}, `${c.path.join(" › ")}（${c.code}）`)));
    select.replaceChildren(...options);
    select.value = cat.code || "";
    const alts = (cat.alternatives || []).slice(0, 3);
    $("alternatives").replaceChildren(...[el("span", {}, cat.code ? `系统判断：${cat.name} ${Math.round((cat.confidence || 0) * 100)}%` : "系统未能判断类别")]
      .concat(alts.map((a, i) => {
        const b = el("button", {type: "button", class: "alt", "data-code": a.code}, `Alt+${i + 1} ${a.name} ${Math.round(a.confidence * 100)}%`);
        b.addEventListener("click", () => chooseCategory(a.code));
        return b;
      })));
  }
  function chooseCategory(code) {
    $("f-category").value = code; state.dirty = true;
    const c = state.categories.find((x) => x.code === code);
    if (c) { $("f-department").value = c.department || $("f-department").value; if (c.urgent) $("f-urgency").value = "urgent"; }
  }
  function mapPin(loc) {
    if (loc.lat == null || loc.lng == null) return el("span", {class: "nomap"}, "（无坐标）");
    const a = el("a", {class: "pin", target: "_blank", rel: "noopener",
      href: `https://www.openstreetmap.org/?mlat=${loc.lat}&mlon=${loc.lng}#map=17/${loc.lat}/${loc.lng}`},
      `📍 ${loc.lat.toFixed(5)}, ${loc.lng.toFixed(5)}`);
    return a;
  }
  function fields() {
    const f = {description: $("f-description").value, address: $("f-address").value,
               urgency: $("f-urgency").value, department: $("f-department").value, due_at: $("f-due").value};
    if ($("f-category").value) f.category = $("f-category").value;
    return f;
  }

  // -- actions ------------------------------------------------------------------------------
  const LABELS = {confirm: "已确认立案", save: "已保存", duplicate: "已标记为重复", consult: "已答复", discard: "已作废"};
  async function act(action, extra) {
    if (!state.open) return;
    const caseNo = state.open;
    try {
      const result = await post(`/console/api/tickets/${encodeURIComponent(caseNo)}/${action}`,
                                Object.assign({fields: fields()}, extra || {}));
      notice(`工单 ${caseNo} ${LABELS[action]}（${result.status_name}）`, "ok");
      state.dirty = false; closeDialog();
      await loadBoard();
      if (action === "save") await openTicket(caseNo); else nextTicket();
    } catch (e) { if (e.message !== "expired") notice(e.message, "error"); }
  }
  function nextTicket() {
    state.open = null;
    if (state.queue.length) { state.selected = Math.min(Math.max(state.selected, 0), state.queue.length - 1); openTicket(state.queue[state.selected].case_no); }
    else { $("ticket").hidden = true; $("empty").hidden = false; }
  }
  function openDialog(action) {
    state.action = action;
    const labels = {duplicate: "与哪个工单重复？（可填备注）", consult: "答复内容（咨询类，不派遣）", discard: "作废原因"};
    $("dialog").hidden = false; $("dialog-label").textContent = labels[action];
    $("dialog-target").hidden = action !== "duplicate";
    if (action === "duplicate") {
      $("dialog-target").replaceChildren(...(state.candidates || []).map((c) =>
        el("option", {value: c.case_no}, `${c.case_no} ${c.title}`)));
      $("dialog-target").focus();
    } else { $("dialog-text").focus(); }
  }
  function closeDialog() { $("dialog").hidden = true; $("dialog-text").value = ""; state.action = null; }
  function submitDialog() {
    const extra = {text: $("dialog-text").value};
    if (state.action === "duplicate") extra.target = $("dialog-target").value;
    act(state.action, extra);
  }

  $("a-confirm").addEventListener("click", () => act("confirm"));
  $("a-save").addEventListener("click", () => act("save"));
  $("a-duplicate").addEventListener("click", () => openDialog("duplicate"));
  $("a-consult").addEventListener("click", () => openDialog("consult"));
  $("a-discard").addEventListener("click", () => openDialog("discard"));
  $("dialog-ok").addEventListener("click", submitDialog);
  $("dialog-cancel").addEventListener("click", closeDialog);
  $("t-form").addEventListener("input", () => { state.dirty = true; });
  $("f-category").addEventListener("change", () => chooseCategory($("f-category").value));
  $("logout").addEventListener("click", async () => { await post("/console/api/logout"); location.href = "/console/login"; });

  document.addEventListener("keydown", (e) => {
    const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement.tagName);
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); state.action ? submitDialog() : act("confirm"); return; }
    if (e.key === "s" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); act("save"); return; }
    if (e.key === "Escape") { closeDialog(); return; }
    if (e.altKey && !e.ctrlKey) {
      const keys = {d: "duplicate", z: "consult", x: "discard"};
      const k = e.code.startsWith("Key") ? e.code.slice(3).toLowerCase() : e.key.toLowerCase();
      if (keys[k]) { e.preventDefault(); openDialog(keys[k]); return; }
      const n = e.code.startsWith("Digit") ? Number(e.code.slice(5)) : NaN;
      const alt = document.querySelectorAll("#alternatives .alt")[n - 1];
      if (alt) { e.preventDefault(); chooseCategory(alt.dataset.code); return; }
    }
    if (typing) return;
    if (e.key === "ArrowDown" || e.key === "j") { e.preventDefault(); state.selected = Math.min(state.selected + 1, state.queue.length - 1); renderQueue(); }
    else if (e.key === "ArrowUp" || e.key === "k") { e.preventDefault(); state.selected = Math.max(state.selected - 1, 0); renderQueue(); }
    else if (e.key === "Enter" && state.queue[state.selected]) { e.preventDefault(); openTicket(state.queue[state.selected].case_no); }
  });

  // -- live ---------------------------------------------------------------------------------
  let pending = null;
  const refresh = () => { clearTimeout(pending); pending = setTimeout(() => loadBoard().catch(() => {}), 150); };
  function connect() {
    const source = new EventSource("/console/events");
    source.onopen = () => { $("live").textContent = "● 实时"; $("live").className = "live on"; };
    source.onerror = () => { $("live").textContent = "○ 重新连接中…"; $("live").className = "live off"; };
    source.addEventListener("call", (m) => {
      const call = JSON.parse(m.data);
      refresh();
      if (state.open && call.case_no === state.open) showTranscript(call);
    });
    source.addEventListener("transcript", (m) => {
      const data = JSON.parse(m.data);
      if (state.open === data.case_no && !state.dirty) openTicket(data.case_no);
    });
    source.addEventListener("ticket", (m) => {
      const t = JSON.parse(m.data);
      refresh();
      if (state.open === t.case_no && !["received"].includes(t.status) && !state.dirty && $("t-status").textContent !== t.status_name) {
        $("t-status").textContent = t.status_name;
      }
    });
    source.addEventListener("deadline", (m) => {
      // A case crossed 80 % of its time limit or went overdue: newest first, the last 20.
      const d = JSON.parse(m.data);
      const li = document.createElement("li");
      li.className = d.state === "overdue" ? "overdue" : "warning";
      li.textContent = `${d.state_name} · ${d.case_no} ${d.title}（时限 ${d.due_at ? d.due_at.slice(5, 16).replace("T", " ") : "—"}）`;
      const list = $("deadlines");
      list.prepend(li);
      while (list.children.length > 20) list.lastChild.remove();
    });
    source.addEventListener("expired", () => { source.close(); location.href = "/console/login?reason=session_expired"; });
  }

  (async function start() {
    const me = await api("/console/api/me");
    $("me").textContent = `${me.operator.display_name}${me.operator.seat_id ? "（坐席 " + me.operator.seat_id + "）" : ""}`;
    state.categories = (await api("/console/api/categories")).categories;
    await loadBoard();
    connect();
    loadHotspots().catch(() => {});
    setInterval(() => loadHotspots().catch(() => {}), 60000);
    if (state.queue.length) { state.selected = 0; renderQueue(); }
  })();
})();
