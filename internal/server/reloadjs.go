package server

// reloadJS is the browser side of live reload, served at
// /__livedocs/reload.js and added to every HTML page in preview. It builds
// the error overlay with textContent only, so no message can inject markup.
const reloadJS = `(function () {
  "use strict";
  var me = document.currentScript;
  if (!me || !window.EventSource || window.__livedocs) return;
  window.__livedocs = true;
  var build = me.getAttribute("data-build") || "0";
  var server = me.getAttribute("data-server") || "";
  var prefix = me.getAttribute("data-prefix") || "";
  var scrollKey = "livedocs:scroll:" + location.pathname;

  // Put the page back where it was before a live reload.
  try {
    var saved = sessionStorage.getItem(scrollKey);
    if (saved) {
      sessionStorage.removeItem(scrollKey);
      var pos = JSON.parse(saved);
      var restore = function () { window.scrollTo(pos.x, pos.y); };
      restore();
      window.addEventListener("load", restore);
      window.__livedocsRestored = pos;
    }
  } catch (e) {}

  function reload() {
    try {
      sessionStorage.setItem(scrollKey, JSON.stringify({ x: window.scrollX, y: window.scrollY }));
    } catch (e) {}
    location.reload();
  }

  function swapCSS(paths, v) {
    var links = document.querySelectorAll('link[rel="stylesheet"][data-livedocs-css]');
    for (var i = 0; i < links.length; i++) {
      var link = links[i];
      var url = new URL(link.href, location.href);
      if (paths.indexOf(url.pathname) < 0) continue;
      var next = link.cloneNode();
      url.searchParams.set("livedocs", v);
      next.href = url.pathname + url.search;
      next.addEventListener("load", function (old) { return function () { old.remove(); }; }(link));
      link.after(next);
    }
  }

  function uses(paths) {
    var els = document.querySelectorAll("img[src], script[src], source[src], video[src], audio[src], link[href], object[data]");
    for (var i = 0; i < els.length; i++) {
      var u = els[i].src || els[i].href || els[i].data;
      try { u = new URL(u, location.href).pathname; } catch (e) { continue; }
      if (paths.indexOf(u) >= 0) return true;
    }
    return false;
  }

  var host = null;
  function hideOverlay() {
    if (host) { host.remove(); host = null; }
  }
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }
  function showOverlay(errors) {
    hideOverlay();
    host = document.createElement("livedocs-overlay");
    host.id = "livedocs-overlay";
    host.style.cssText = "position:fixed;inset:0;z-index:2147483647;";
    var root = host.attachShadow ? host.attachShadow({ mode: "open" }) : host;
    var style = el("style", null,
      ".bg{position:fixed;inset:0;background:rgba(20,20,24,.55);overflow:auto;font:14px/1.5 system-ui,sans-serif}" +
      ".box{max-width:960px;margin:48px auto;background:#fff;color:#1b1b1f;border-radius:8px;border-top:6px solid #c62828;padding:20px 24px;box-shadow:0 10px 40px rgba(0,0,0,.4)}" +
      "h2{margin:0 0 4px;font-size:18px;color:#b71c1c}p{margin:0 0 14px;color:#555}" +
      "ol{margin:0;padding:0;list-style:none}li{margin:0 0 14px}" +
      ".pos{font:13px/1.4 ui-monospace,monospace;color:#0d47a1;font-weight:600}.msg{display:block}" +
      "pre{margin:6px 0 0;padding:8px 10px;background:#fbe9e7;border-radius:4px;overflow:auto;font:13px/1.4 ui-monospace,monospace;white-space:pre}" +
      "button{float:right;border:0;background:none;font-size:20px;cursor:pointer;color:#555}" +
      "@media (prefers-color-scheme: dark){.box{background:#1f1f23;color:#eee}p{color:#aaa}.pos{color:#90caf9}pre{background:#3e2723}}");
    root.appendChild(style);
    var bg = el("div", "bg");
    var box = el("div", "box");
    box.setAttribute("role", "alertdialog");
    box.setAttribute("aria-label", "Build failed");
    var close = el("button", null, "\u00d7");
    close.setAttribute("aria-label", "Hide");
    close.addEventListener("click", hideOverlay);
    box.appendChild(close);
    box.appendChild(el("h2", null, errors.length === 1 ? "1 problem stops the build" : errors.length + " problems stop the build"));
    box.appendChild(el("p", null, "The last good version of the site is still shown. Fix the file and save: this goes away by itself."));
    var ol = el("ol");
    for (var i = 0; i < errors.length; i++) {
      var p = errors[i];
      var li = el("li", "problem");
      var pos = p.path ? p.path + (p.line ? ":" + p.line + (p.col ? ":" + p.col : "") : "") : "";
      if (pos) li.appendChild(el("span", "pos", pos));
      li.appendChild(el("span", "msg", pos ? p.msg : p.text));
      if (p.source) li.appendChild(el("pre", "src", p.source));
      ol.appendChild(li);
    }
    box.appendChild(ol);
    bg.appendChild(box);
    root.appendChild(bg);
    document.documentElement.appendChild(host);
  }

  var page = location.pathname;
  // One stream per shown page. Closing it on pagehide matters: a page kept
  // in the back/forward cache would otherwise hold a connection open, and
  // after six of them the browser has none left for this host.
  var es = null;
  function connect() {
    if (es) return;
    es = new EventSource("/__livedocs/events?path=" + encodeURIComponent(page) + "&build=" + encodeURIComponent(build));
    es.addEventListener("hello", function (e) {
      var d = JSON.parse(e.data);
      if (server && d.server !== server) reload();
    });
    es.addEventListener("reload", reload);
    es.addEventListener("assets", function (e) {
      var d = JSON.parse(e.data);
      if (d.many ? document.images.length > 0 : uses(d.paths)) reload();
    });
    es.addEventListener("css", function (e) {
      var d = JSON.parse(e.data);
      swapCSS(d.paths, d.v);
    });
    es.addEventListener("errors", function (e) { showOverlay(JSON.parse(e.data).errors || []); });
    es.addEventListener("ok", hideOverlay);
  }
  window.addEventListener("pagehide", function () {
    if (es) { es.close(); es = null; }
  });
  window.addEventListener("pageshow", connect);
  connect();
  window.__livedocsPrefix = prefix;
})();
`
