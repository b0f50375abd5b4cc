// livedocs default theme: small enhancements for a static help center.
//
// - Copy-link controls: a click on a step's "#" (.step-link) or a heading's
//   "#" (.anchor) copies the page URL with that hash, puts the hash in the
//   address bar without scrolling, and says "Link copied" in a polite live
//   region.
// - Targets: on load and on every hash change, the step (or heading) the
//   hash names is scrolled into view and gets the class "is-highlighted".
//   A step's alias anchor (#step-3, a span inside the step) counts as the
//   step.
// - "Was this article helpful?": the answer is acknowledged on the page.
//   Nothing is sent or stored anywhere.
// - Code blocks get a "Copy" button.
// - "/" or Ctrl/Cmd-K focuses the search box, unless search.js has set
//   window.livedocsSearch (then it owns the keyboard).
//
// No framework, no network requests, and every promise is handled so the
// console stays clean.
(function () {
  "use strict";

  var doc = document;
  var root = doc.documentElement;
  root.classList.add("js");

  var HIGHLIGHT = "is-highlighted";

  // ---------- announcements ----------

  var toast = null;
  var toastTimer = 0;

  // announce shows msg briefly and reads it out politely.
  function announce(msg) {
    if (!toast) {
      toast = doc.createElement("div");
      toast.className = "toast";
      toast.setAttribute("role", "status");
      toast.setAttribute("aria-live", "polite");
      toast.setAttribute("aria-atomic", "true");
      doc.body.appendChild(toast);
    }
    // Clear first so that the same message twice is announced twice.
    toast.textContent = "";
    window.clearTimeout(toastTimer);
    window.requestAnimationFrame(function () {
      toast.textContent = msg;
      toast.classList.add("is-visible");
      toastTimer = window.setTimeout(function () {
        toast.classList.remove("is-visible");
      }, 1800);
    });
  }

  // ---------- clipboard ----------

  // fallbackCopy copies with a temporary textarea for browsers (or
  // insecure origins) without navigator.clipboard. It returns success.
  function fallbackCopy(text) {
    var active = doc.activeElement;
    var ta = doc.createElement("textarea");
    ta.value = text;
    ta.setAttribute("readonly", "");
    ta.setAttribute("aria-hidden", "true");
    ta.style.cssText = "position:fixed;top:0;left:0;width:1px;height:1px;opacity:0;";
    doc.body.appendChild(ta);
    ta.select();
    var ok = false;
    try {
      ok = doc.execCommand("copy");
    } catch (e) {
      ok = false;
    }
    doc.body.removeChild(ta);
    if (active && typeof active.focus === "function") {
      active.focus({ preventScroll: true });
    }
    return ok;
  }

  // copyText resolves to true when text reached the clipboard. It never
  // rejects.
  function copyText(text) {
    var c = navigator.clipboard;
    if (c && typeof c.writeText === "function" && window.isSecureContext) {
      return c.writeText(text).then(
        function () { return true; },
        function () { return fallbackCopy(text); }
      );
    }
    return Promise.resolve(fallbackCopy(text));
  }

  // ---------- targets ----------

  // targetFor returns the element a hash should highlight: the step that
  // holds an alias anchor, the step or heading itself, or null.
  function targetFor(hash) {
    if (!hash || hash.length < 2) return null;
    var id;
    try {
      id = decodeURIComponent(hash.slice(1));
    } catch (e) {
      return null;
    }
    var el = doc.getElementById(id);
    if (!el) return null;
    if (el.classList.contains("step-alias")) {
      el = el.closest(".step") || el;
    }
    if (el.classList.contains("step") || /^H[2-6]$/.test(el.tagName)) return el;
    return null;
  }

  function clearHighlight() {
    var old = doc.querySelectorAll("." + HIGHLIGHT);
    for (var i = 0; i < old.length; i++) old[i].classList.remove(HIGHLIGHT);
  }

  // highlight marks el, restarting its fade animation.
  function highlight(el) {
    clearHighlight();
    void el.offsetWidth; // restart the CSS animation on a repeat
    el.classList.add(HIGHLIGHT);
  }

  // showHash highlights the hash's target and, when scroll is set,
  // scrolls it into view.
  function showHash(scroll) {
    var el = targetFor(location.hash);
    if (!el) {
      clearHighlight();
      return;
    }
    highlight(el);
    if (scroll) {
      el.scrollIntoView({ block: "start", inline: "nearest" });
    }
  }

  // ---------- copy-link controls ----------

  doc.addEventListener("click", function (e) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    var link = e.target.closest && e.target.closest("a.step-link, a.anchor");
    if (!link) return;
    var hash = link.getAttribute("href");
    if (!hash || hash.charAt(0) !== "#") return;
    e.preventDefault();

    var url = location.href.split("#")[0] + hash;
    if (location.hash !== hash) {
      // pushState changes the hash without the jump a navigation makes.
      history.pushState(history.state, "", hash);
    }
    var el = targetFor(hash);
    if (el) highlight(el);
    copyText(url).then(function (ok) {
      announce(ok ? "Link copied" : "Link ready in the address bar");
    });
  });

  window.addEventListener("hashchange", function () { showHash(true); });
  window.addEventListener("popstate", function () { showHash(false); });

  // ---------- "Was this article helpful?" ----------

  function initHelpful(form) {
    var thanks = form.querySelector(".helpful-thanks");
    var buttons = form.querySelectorAll("button[value]");
    for (var i = 0; i < buttons.length; i++) buttons[i].setAttribute("aria-pressed", "false");
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.addEventListener("click", function (e) {
      var btn = e.target.closest("button[value]");
      if (!btn) return;
      for (var j = 0; j < buttons.length; j++) {
        buttons[j].setAttribute("aria-pressed", buttons[j] === btn ? "true" : "false");
      }
      if (thanks) {
        thanks.textContent = btn.value === "yes"
          ? "Thanks for letting us know."
          : "Thanks. If you still need help, use \u201cSubmit a request\u201d below.";
      }
    });
  }

  // ---------- code blocks ----------

  function initCode(block) {
    var pre = block.querySelector("pre");
    if (!pre || block.querySelector(".code-copy")) return;
    var btn = doc.createElement("button");
    btn.type = "button";
    btn.className = "code-copy";
    btn.textContent = "Copy";
    btn.setAttribute("aria-label", "Copy code to clipboard");
    var timer = 0;
    btn.addEventListener("click", function () {
      var text = pre.textContent.replace(/\n$/, "");
      copyText(text).then(function (ok) {
        btn.textContent = ok ? "Copied" : "Select and copy";
        btn.setAttribute("data-state", ok ? "copied" : "failed");
        announce(ok ? "Code copied" : "Could not copy; select the code and copy it");
        window.clearTimeout(timer);
        timer = window.setTimeout(function () {
          btn.textContent = "Copy";
          btn.removeAttribute("data-state");
        }, 2000);
      });
    });
    block.appendChild(btn);
  }

  // ---------- search shortcut ----------

  function typing(el) {
    if (!el) return false;
    var tag = el.tagName;
    return el.isContentEditable || tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  doc.addEventListener("keydown", function (e) {
    if (window.livedocsSearch || e.defaultPrevented) return;
    var slash = e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey;
    var ctrlK = (e.key === "k" || e.key === "K") && (e.ctrlKey || e.metaKey) && !e.altKey;
    if (!slash && !ctrlK) return;
    if (slash && typing(doc.activeElement)) return;
    var input = doc.querySelector(".search-input");
    if (!input) return;
    e.preventDefault();
    input.focus();
    if (typeof input.select === "function") input.select();
  });

  // ---------- start ----------

  function init() {
    var forms = doc.querySelectorAll("form[data-helpful]");
    for (var i = 0; i < forms.length; i++) initHelpful(forms[i]);
    var blocks = doc.querySelectorAll(".code");
    for (var j = 0; j < blocks.length; j++) initCode(blocks[j]);
    if (location.hash) {
      // The browser has jumped to the anchor already; align the whole step
      // (the anchor may be an alias inside it) after layout settles.
      window.requestAnimationFrame(function () { showHash(true); });
    }
  }

  if (doc.readyState === "loading") {
    doc.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
