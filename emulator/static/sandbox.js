// Skewer sandbox: play a customer and the staff side by side against the Telegram emulator.
// Plain JavaScript, no build step. Talks to the emulator's control API under /_emu/.
//
// Query parameters:  ?staff=1001,1002:Joris  (staff panels; "id" or "id:Name")
//                    ?customer=5001           (preselect a customer; default: the last one
//                                              used here, else the first configured one)
"use strict";

const LANGUAGES = ["en", "nl", "de", "fr", "es", "pl", "tr", "ar", "uk"];
const params = new URLSearchParams(location.search);
const state = { config: null, panels: [], staffIds: new Set(), groups: [] };

// ------------------------------------------------------------------ control API

async function api(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers["Content-Type"] = "application/json";
  }
  const resp = await fetch("/_emu" + path, init);
  const data = await resp.json();
  if (!data.ok) throw new Error(data.description || ("HTTP " + resp.status));
  return data.result;
}

// ------------------------------------------------------------------ rendering helpers

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Entities use UTF-16 offsets, which is exactly how JavaScript strings index.
function renderText(text, entities) {
  const frag = document.createDocumentFragment();
  if (!text) return frag;
  const cuts = new Set([0, text.length]);
  for (const e of entities || []) { cuts.add(e.offset); cuts.add(e.offset + e.length); }
  const points = [...cuts].sort((a, b) => a - b);
  for (let i = 0; i < points.length - 1; i++) {
    const start = points[i], end = points[i + 1];
    let node = document.createTextNode(text.slice(start, end));
    for (const e of entities || []) {
      if (e.offset > start || e.offset + e.length < end) continue;
      node = wrapEntity(e, node);
    }
    frag.append(node);
  }
  return frag;
}

function wrapEntity(entity, inner) {
  const tags = { bold: "b", italic: "i", underline: "u", strikethrough: "s" };
  let node;
  if (tags[entity.type]) node = el(tags[entity.type]);
  else if (entity.type === "code") node = el("code", { class: "entity-code" });
  else if (entity.type === "pre") node = el("pre", { class: "entity-code" });
  else if (entity.type === "spoiler") node = el("span", { class: "spoiler" });
  else if (entity.type === "blockquote" || entity.type === "expandable_blockquote") {
    node = el("blockquote");
  } else if (entity.type === "text_link" || entity.type === "url") {
    const href = entity.url || inner.textContent;
    node = el("a", { href, target: "_blank", rel: "noopener" });
  } else return inner;
  node.append(inner);
  return node;
}

function formatTime(unix) {
  const d = new Date(unix * 1000);
  return d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

function snippet(view) {
  if (!view) return "…";
  const kind = view.kind !== "text" ? `[${view.kind}] ` : "";
  return kind + (view.text || "").slice(0, 80);
}

function mediaNode(message) {
  if (message.photo) return el("div", { class: "media photo" }, "📷");
  if (message.sticker) return el("div", { class: "media sticker" }, message.sticker.emoji || "🙂");
  if (message.document) {
    return el("div", { class: "media" }, "📄", message.document.file_name || "document");
  }
  if (message.voice) {
    const s = message.voice.duration || 0;
    return el("div", { class: "media" }, "🎤", `voice ${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`);
  }
  for (const kind of ["audio", "video", "animation", "video_note"]) {
    if (message[kind]) return el("div", { class: "media" }, "🎞", kind);
  }
  return null;
}

// ------------------------------------------------------------------ a chat panel

class ChatPanel {
  constructor({ role, userId, chatId }) {
    this.role = role;           // "customer" | "staff"
    this.userId = userId;
    this.chatId = chatId || userId;
    this.replyTo = null;
    this.views = [];
    const tpl = document.getElementById("panel-template").content.cloneNode(true);
    this.root = tpl.querySelector(".panel");
    this.root.classList.add(role);
    if (role === "staff") this.root.dataset.user = userId;
    this.head = this.root.querySelector(".panel-head");
    this.list = this.root.querySelector(".messages");
    this.errorBox = this.root.querySelector(".error");
    this.replyBar = this.root.querySelector(".replying");
    this.replyKb = this.root.querySelector(".replykb");
    this.input = this.root.querySelector("textarea");
    this.root.querySelector(".composer").addEventListener("submit", (ev) => {
      ev.preventDefault();
      this.sendText();
    });
    this.input.addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && !ev.shiftKey) { ev.preventDefault(); this.sendText(); }
    });
    this.input.addEventListener("input", () => {
      this.input.style.height = "auto";
      this.input.style.height = Math.min(this.input.scrollHeight, 120) + "px";
    });
    this.root.querySelector(".photo").addEventListener("click", () => this.sendPhoto());
    this.replyBar.querySelector("button").addEventListener("click", () => this.setReply(null));
    document.getElementById("panels").append(this.root);
  }

  showError(error) {
    this.errorBox.textContent = error ? String(error.message || error) : "";
    if (error) setTimeout(() => { this.errorBox.textContent = ""; }, 6000);
  }

  toast(text, alert) {
    const node = el("div", { class: "toast" + (alert ? " alert" : "") }, text);
    this.root.append(node);
    setTimeout(() => node.remove(), alert ? 5000 : 2500);
    if (alert) node.addEventListener("click", () => node.remove());
  }

  setReply(view) {
    this.replyTo = view;
    this.replyBar.classList.toggle("open", !!view);
    this.replyBar.querySelector("span").textContent = view ? "Replying to: " + snippet(view) : "";
    this.render();
    if (view) this.input.focus();
  }

  async act(fn) {
    if (!this.userId) {
      this.showError(this.role === "customer" ? "Pick or create a customer first." : "Pick a user first.");
      return;
    }
    try { await fn(); this.showError(null); } catch (error) { this.showError(error); }
  }

  body(extra) {
    const body = { ...extra };
    if (this.chatId !== this.userId) body.chat_id = this.chatId;
    if (this.replyTo) body.reply_to_message_id = this.replyTo.message_id;
    return body;
  }

  sendText(textOverride) {
    const text = textOverride !== undefined ? textOverride : this.input.value;
    if (!text.trim()) return;
    return this.act(async () => {
      await api("POST", `/users/${this.userId}/messages`, this.body({ text }));
      if (textOverride === undefined) { this.input.value = ""; this.input.style.height = "auto"; }
      this.setReply(null);
    });
  }

  sendPhoto() {
    const caption = this.input.value.trim() || undefined;
    return this.act(async () => {
      await api("POST", `/users/${this.userId}/messages`, this.body({ kind: "photo", caption }));
      this.input.value = "";
      this.setReply(null);
    });
  }

  press(view, button) {
    if (!button.callback_data) {
      if (button.url) window.open(button.url, "_blank");
      return;
    }
    return this.act(async () => {
      const body = { message_id: view.message_id, callback_data: button.callback_data };
      if (this.chatId !== this.userId) body.chat_id = this.chatId;
      await api("POST", `/users/${this.userId}/press`, body);
    });
  }

  async refresh() {
    if (!this.chatId) { this.views = []; this.keyboard = null; this.render(); return; }
    try {
      const [views, chat] = await Promise.all([
        api("GET", `/chats/${this.chatId}/messages`),
        api("GET", `/chats/${this.chatId}`),
      ]);
      this.views = views;
      this.keyboard = chat.reply_keyboard;
      this.render();
    } catch (error) { this.showError(error); }
  }

  render() {
    const atBottom = this.list.scrollHeight - this.list.scrollTop - this.list.clientHeight < 40;
    this.list.replaceChildren();
    if (!this.views.length) this.list.append(el("div", { class: "empty" }, "No messages yet."));
    const byId = new Map(this.views.map((v) => [v.message_id, v]));
    for (const view of this.views) this.list.append(this.renderMessage(view, byId));
    this.renderReplyKeyboard();
    if (atBottom || this.justOpened) this.list.scrollTop = this.list.scrollHeight;
    this.justOpened = false;
  }

  renderMessage(view, byId) {
    const m = view.message;
    const mine = !view.from_bot && m.from.id === this.userId;
    const bubble = el("div", { class: "bubble", title: "Click to reply to this message",
      onclick: () => this.setReply(this.replyTo && this.replyTo.message_id === view.message_id ? null : view) });
    const isGroup = m.chat.type !== "private";
    if (!mine && (isGroup || !view.from_bot)) {
      bubble.append(el("div", { class: "sender" }, m.from.first_name + (m.from.is_bot ? " (bot)" : "")));
    }
    if (m.forward_origin) {
      const o = m.forward_origin;
      const name = o.sender_user ? o.sender_user.first_name : (o.sender_user_name || (o.sender_chat && o.sender_chat.title) || "someone");
      bubble.append(el("div", { class: "forwarded" }, "Forwarded from " + name));
    }
    if (view.reply_to_message_id) {
      bubble.append(el("div", { class: "quote" }, snippet(byId.get(view.reply_to_message_id))));
    }
    const media = mediaNode(m);
    if (media) bubble.append(media);
    bubble.append(renderText(view.text || "", view.entities));
    const edited = view.edits && view.edits.length ? el("span", { class: "edited" }, "edited · ") : null;
    bubble.append(el("div", { class: "meta" }, edited, formatTime(m.date), ` · #${view.message_id}`));
    const box = el("div", { class: "msg" + (mine ? " mine" : "") +
      (this.replyTo && this.replyTo.message_id === view.message_id ? " selected" : "") }, bubble);
    const markup = view.reply_markup;
    if (markup && markup.inline_keyboard && markup.inline_keyboard.length) {
      const kb = el("div", { class: "keyboard" });
      for (const row of markup.inline_keyboard) {
        kb.append(el("div", { class: "row" }, row.map((button) => el("button", {
          class: button.callback_data ? "" : "url", type: "button",
          title: button.callback_data ? "callback_data: " + button.callback_data : (button.url || ""),
          onclick: (ev) => { ev.stopPropagation(); this.press(view, button); },
        }, button.text))));
      }
      box.append(kb);
    }
    return box;
  }

  renderReplyKeyboard() {
    const kb = this.keyboard;
    this.replyKb.replaceChildren();
    const rows = kb && kb.keyboard ? kb.keyboard : [];
    this.replyKb.classList.toggle("open", rows.length > 0);
    for (const row of rows) {
      this.replyKb.append(el("div", { class: "row" }, row.map((b) => el("button", {
        type: "button", onclick: () => this.sendText(b.text) }, b.text))));
    }
  }
}

// ------------------------------------------------------------------ customer and staff heads

function customerHead(panel) {
  const select = el("select", { title: "Customer" });
  const form = el("div", { class: "newcust" });
  const name = el("input", { placeholder: "First name", value: "" });
  const lang = el("select", {}, LANGUAGES.map((l) => el("option", { value: l }, l)));
  const create = async () => {
    if (!name.value.trim()) { name.focus(); return; }
    // Not panel.act: creating a customer must work while none is selected.
    try {
      const id = 5000000 + Math.floor(Math.random() * 999999);
      await api("POST", "/users", { id, first_name: name.value.trim(), language_code: lang.value });
      localStorage.setItem("sandbox.customer", id);
      name.value = "";
      form.classList.remove("open");
      await loadCustomers(panel, select, id);
      panel.showError(null);
      panel.input.focus();
    } catch (error) { panel.showError(error); }
  };
  name.addEventListener("keydown", (ev) => { if (ev.key === "Enter") { ev.preventDefault(); create(); } });
  form.append(name, lang, el("button", { type: "button", class: "create", onclick: create }, "Create"));
  select.addEventListener("change", () => {
    localStorage.setItem("sandbox.customer", select.value);
    choose(panel, Number(select.value) || null);
  });
  panel.head.append(
    el("div", { class: "role" }, "Customer"),
    select,
    el("button", { type: "button", onclick: () => { form.classList.toggle("open"); name.focus(); } }, "+ New customer"),
    el("button", { type: "button", title: "The customer blocks / unblocks the bot", onclick: () =>
      panel.act(async () => {
        const user = await api("GET", `/users/${panel.userId}`);
        const blocked = user.blocked_bots.length > 0;
        await api("POST", `/users/${panel.userId}/${blocked ? "unblock" : "block"}`, {});
        panel.toast(blocked ? "Bot unblocked" : "Bot blocked");
      }) }, "Block/unblock"),
    form,
  );
  return select;
}

async function loadCustomers(panel, select, preferred) {
  const users = (await api("GET", "/users")).filter((u) => !u.is_bot && !state.staffIds.has(u.id));
  select.replaceChildren(el("option", { value: "" }, users.length ? "— pick a customer —" : "— create a customer —"),
    ...users.map((u) => el("option", { value: u.id },
      `${u.full_name}${u.language_code ? " · " + u.language_code : ""} (${u.id})`)));
  // The customer asked for, else the last one used here, else the first ready-made one.
  const wanted = [preferred, localStorage.getItem("sandbox.customer"),
    ...(state.config.customers || []).map((c) => c.id)].map(Number).filter(Boolean);
  let found = null;
  for (const id of wanted) { found = found || users.find((u) => u.id === id) || null; }
  select.value = found ? String(found.id) : "";
  choose(panel, found ? found.id : null);
}

function choose(panel, userId, chatId) {
  panel.userId = userId;
  panel.chatId = chatId || userId;
  panel.justOpened = true;
  panel.setReply(null);
  panel.refresh();
}

function staffHead(panel, person) {
  panel.head.append(el("div", { class: "role" }, "Staff"), el("span", { class: "who" }, person.name || person.first_name));
  const tabs = el("div", { class: "tabs" });
  const chats = [{ id: person.id, title: "Bot chat" }].concat(
    state.groups.filter((g) => (g.members || []).includes(person.id)));
  for (const chat of chats) {
    tabs.append(el("button", { type: "button", class: chat.id === panel.chatId ? "active" : "",
      onclick: (ev) => {
        tabs.querySelectorAll("button").forEach((b) => b.classList.remove("active"));
        ev.target.classList.add("active");
        choose(panel, person.id, chat.id);
      } }, chat.title));
  }
  panel.head.append(tabs);
}

async function addStaffPanel(person) {
  await api("POST", "/users", { id: person.id, first_name: person.first_name || String(person.name || person.id).split(" (")[0],
    language_code: person.language_code || undefined });
  state.staffIds.add(person.id);
  const panel = new ChatPanel({ role: "staff", userId: person.id });
  staffHead(panel, person);
  state.panels.push(panel);
  panel.justOpened = true;
  await panel.refresh();
}

function staffFromQuery() {
  const raw = params.get("staff");
  if (!raw) return null;
  return raw.split(",").filter(Boolean).map((part) => {
    const [id, ...name] = part.split(":");
    return { id: Number(id), name: name.join(":") || `Staff ${id}` };
  });
}

// ------------------------------------------------------------------ live updates

let refreshTimers = new Map();
function scheduleRefresh(panel) {
  if (refreshTimers.has(panel)) return;
  refreshTimers.set(panel, setTimeout(() => { refreshTimers.delete(panel); panel.refresh(); }, 40));
}

function handleEvent(event) {
  for (const panel of state.panels) {
    if (event.type === "reset") { scheduleRefresh(panel); continue; }
    if (event.chat_id === panel.chatId) scheduleRefresh(panel);
    if (event.type === "callback_answered" && event.user_id === panel.userId && event.answer) {
      if (event.answer.text) panel.toast(event.answer.text, event.answer.show_alert);
    }
  }
}

function connect(delay = 500) {
  const status = document.getElementById("status");
  const ws = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/_emu/ws");
  ws.onopen = () => {
    status.textContent = "live"; status.className = "live"; delay = 500;
    state.panels.forEach(scheduleRefresh);
  };
  ws.onmessage = (msg) => handleEvent(JSON.parse(msg.data));
  ws.onclose = () => {
    status.textContent = "reconnecting…"; status.className = "down";
    setTimeout(() => connect(Math.min(delay * 2, 5000)), delay);
  };
}

// ------------------------------------------------------------------ start

async function main() {
  state.config = await api("GET", "/config");
  const bot = state.config.bot;
  document.getElementById("botname").textContent = `${bot.first_name} · @${bot.username}`;
  state.groups = state.config.groups || [];
  const people = staffFromQuery() || state.config.people || [];
  people.forEach((p) => state.staffIds.add(p.id));

  const customer = new ChatPanel({ role: "customer", userId: null });
  const select = customerHead(customer);
  state.panels.push(customer);

  // The header's buttons and live updates work at once, not only after every staff panel has
  // loaded (with a dozen staff that takes a moment, and a newcomer does not wait for it).
  document.getElementById("add-staff").addEventListener("click", async () => {
    const answer = prompt("Staff member as id:Name (e.g. 1001:Sanne)");
    if (!answer) return;
    const [id, ...name] = answer.split(":");
    if (!Number(id)) return;
    await addStaffPanel({ id: Number(id), name: name.join(":") || `Staff ${id}` });
  });
  document.getElementById("reset").addEventListener("click", async () => {
    if (!confirm("Forget all chats and messages?")) return;
    await api("POST", "/reset", {});
    for (const person of people) {
      await api("POST", "/users", { id: person.id, first_name: person.first_name || String(person.name).split(" (")[0] });
    }
    await loadCustomers(customer, select);
  });
  connect();

  await loadCustomers(customer, select, params.get("customer"));
  for (const person of people) await addStaffPanel(person);
}

main().catch((error) => {
  document.getElementById("panels").append(el("div", { class: "error" }, "Sandbox failed to start: " + error.message));
});
