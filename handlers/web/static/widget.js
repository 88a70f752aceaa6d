/* Skewer web chat widget. Plain JavaScript, no build step.
 *
 * Embed:  <script src="https://YOUR-SKEWER/chat/widget.js" async></script>
 * Options (attributes on the script tag): data-lang="en|nl", data-name="Alice",
 *   data-open="true" (start opened), data-inline="#element" (render inside an element).
 */
(function () {
  "use strict";
  var script = document.currentScript ||
    document.querySelector('script[src*="/chat/widget.js"]');
  var base = new URL(script.src, location.href);
  var origin = base.origin;
  var opts = script.dataset || {};
  var lang = opts.lang || (navigator.language || "en").slice(0, 2);
  var KEY = "skewer:" + origin + ":";
  var store = {
    get: function (k, d) {
      try { var v = localStorage.getItem(KEY + k); return v === null ? d : JSON.parse(v); }
      catch (e) { return d; }
    },
    set: function (k, v) { try { localStorage.setItem(KEY + k, JSON.stringify(v)); } catch (e) {} }
  };
  var T = {};
  var ws = null, cursor = 0, retryDelay = 500, connected = false;
  var pending = store.get("pending", []);  // frames not yet acknowledged: sent again on reconnect

  // -- the panel -----------------------------------------------------------------------------
  var host = document.createElement("div");
  host.id = "skewer-chat";
  var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
  root.innerHTML =
    '<style>' +
    ':host{all:initial}*{box-sizing:border-box;font-family:system-ui,sans-serif;font-size:14px}' +
    '.launcher{position:fixed;right:20px;bottom:20px;border-radius:24px;padding:12px 18px;' +
    'background:#1f6feb;color:#fff;border:0;cursor:pointer;z-index:2147483000}' +
    '.panel{position:fixed;right:20px;bottom:20px;width:360px;max-width:calc(100vw - 40px);' +
    'height:520px;max-height:calc(100vh - 40px);background:#fff;border:1px solid #ccd;' +
    'border-radius:10px;display:none;flex-direction:column;z-index:2147483001;' +
    'box-shadow:0 4px 24px rgba(0,0,0,.15)}' +
    '.inline .panel{position:static;width:100%;height:100%;max-height:none;max-width:none}' +
    '.open .panel{display:flex}.open .launcher{display:none}.inline .launcher{display:none}' +
    'header{padding:10px 12px;background:#1f6feb;color:#fff;border-radius:10px 10px 0 0;' +
    'display:flex;justify-content:space-between}header button{background:none;border:0;color:#fff;cursor:pointer}' +
    '.log{flex:1;overflow-y:auto;padding:10px;display:flex;flex-direction:column;gap:6px}' +
    '.msg{max-width:85%;padding:8px 10px;border-radius:8px;white-space:pre-wrap;word-wrap:break-word}' +
    '.bot{background:#f0f2f5;align-self:flex-start}.me{background:#dbeafe;align-self:flex-end}' +
    '.notice{align-self:center;color:#a33;font-size:12px;text-align:center}' +
    '.buttons{display:flex;flex-wrap:wrap;gap:4px;margin-top:6px}' +
    '.buttons button{border:1px solid #1f6feb;background:#fff;color:#1f6feb;border-radius:6px;padding:4px 8px;cursor:pointer}' +
    'form{display:flex;gap:4px;padding:8px;border-top:1px solid #eee}' +
    'textarea{flex:1;resize:none;height:40px;padding:6px;border:1px solid #ccd;border-radius:6px}' +
    'form button{border:0;background:#1f6feb;color:#fff;border-radius:6px;padding:0 10px;cursor:pointer}' +
    '.attach{background:#eef!important;color:#1f6feb!important}' +
    '.status{font-size:11px;color:#667;padding:0 10px}' +
    '</style>' +
    '<button class="launcher" part="launcher">💬</button>' +
    '<div class="panel" role="dialog"><header><span class="title"></span>' +
    '<button class="close" aria-label="close">✕</button></header>' +
    '<div class="log" aria-live="polite"></div><div class="status"></div>' +
    '<form><button type="button" class="attach" title="">📎</button>' +
    '<input type="file" accept="image/jpeg,image/png,image/webp,image/gif,application/pdf" hidden>' +
    '<textarea name="text"></textarea><button type="submit" class="send"></button></form></div>';
  var $ = function (sel) { return root.querySelector(sel); };
  var log = $(".log"), form = $("form"), input = $("textarea"), file = $("input[type=file]");
  // classes on the shadow host are seen by :host-less selectors through this wrapper
  var shell = document.createElement("div");
  Array.prototype.slice.call(root.childNodes).forEach(function (n) {
    if (n.nodeName !== "STYLE") shell.appendChild(n);
  });
  root.appendChild(shell);
  function setClass(name, on) { shell.classList.toggle(name, on); }

  function mount() {
    var target = opts.inline ? document.querySelector(opts.inline) : null;
    if (target) {
      host.style.display = "block"; host.style.height = "100%"; shell.style.height = "100%";
      target.appendChild(host); setClass("inline", true); setClass("open", true);
    }
    else document.body.appendChild(host);
    if (opts.open === "true" || store.get("open", false)) setClass("open", true);
  }
  $(".launcher").addEventListener("click", function () { setClass("open", true); store.set("open", true); });
  $(".close").addEventListener("click", function () { setClass("open", false); store.set("open", false); });

  function add(cls, text, buttons) {
    var div = document.createElement("div");
    div.className = "msg " + cls;
    div.textContent = text;
    (buttons || []).forEach(function (row) {
      var r = document.createElement("div");
      r.className = "buttons";
      row.forEach(function (b) {
        var btn = document.createElement("button");
        btn.type = "button";
        btn.textContent = b.label;
        btn.addEventListener("click", function () {
          send({ type: "button", action: b.action }, b.label);
        });
        r.appendChild(btn);
      });
      div.appendChild(r);
    });
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
    return div;
  }
  function notice(text) {
    var div = document.createElement("div");
    div.className = "notice";
    div.textContent = text;
    log.appendChild(div);
    log.scrollTop = log.scrollHeight;
  }
  function status(text) { $(".status").textContent = text || ""; }

  // -- the connection --------------------------------------------------------------------------
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    return Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  function send(frame, echo) {
    frame.id = newId();
    pending.push(frame);
    store.set("pending", pending);
    if (echo) add("me", echo);
    if (connected) ws.send(JSON.stringify(frame));
  }
  function connect() {
    var proto = origin.indexOf("https:") === 0 ? "wss:" : "ws:";
    ws = new WebSocket(proto + "//" + base.host + "/chat/ws");
    ws.onopen = function () {
      ws.send(JSON.stringify({ type: "hello", session: store.get("session", null),
                               after: cursor, lang: lang, name: opts.name || "" }));
    };
    ws.onmessage = function (e) {
      var m;
      try { m = JSON.parse(e.data); } catch (err) { return; }
      if (m.type === "session") {
        store.set("session", m.session);
        connected = true;
        retryDelay = 500;
        status("");
        pending.forEach(function (f) { ws.send(JSON.stringify(f)); });
      } else if (m.type === "message") {
        if (m.seq <= cursor) return;
        cursor = m.seq;
        add("bot", m.text, m.buttons);
      } else if (m.type === "ack") {
        pending = pending.filter(function (f) { return f.id !== m.id; });
        store.set("pending", pending);
        if (m.toast) notice(m.toast);
      } else if (m.type === "notice") {
        notice(m.text);
      } else if (m.type === "error") {
        if (m.retry) {
          setTimeout(function () {
            pending.forEach(function (f) { if (f.id === m.id && connected) ws.send(JSON.stringify(f)); });
          }, 2000);
        } else {
          pending = pending.filter(function (f) { return f.id !== m.id; });
          store.set("pending", pending);
        }
        notice(m.message);
      }
    };
    ws.onclose = function () {
      connected = false;
      status(T.reconnecting || "…");
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 10000);
    };
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = "";
    send({ type: "message", text: text }, text);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  $(".attach").addEventListener("click", function () { file.click(); });
  file.addEventListener("change", function () {
    var f = file.files && file.files[0];
    file.value = "";
    if (!f) return;
    var body = new FormData();
    body.append("file", f, f.name);
    fetch(origin + "/chat/upload?lang=" + encodeURIComponent(lang), {
      method: "POST", body: body, headers: { "X-Skewer-Session": store.get("session", "") }
    }).then(function (r) { return r.json().then(function (j) { return [r.ok, j]; }); })
      .then(function (res) {
        if (!res[0]) { notice(res[1].message || res[1].error); return; }
        send({ type: "message", text: "", attachments: [res[1]] }, "📎 " + res[1].file_name);
      })
      .catch(function () { notice(T.reconnecting || "…"); });
  });

  function start() {
    mount();
    fetch(origin + "/chat/texts?lang=" + encodeURIComponent(lang))
      .then(function (r) { return r.json(); })
      .then(function (t) {
        T = t;
        $(".title").textContent = t.title;
        input.placeholder = t.placeholder;
        $(".send").textContent = t.send;
        $(".attach").title = t.attach;
      })
      .catch(function () {});
    status(T.connecting || "…");
    connect();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
