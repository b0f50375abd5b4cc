// Live checks widget: marks an article's steps done, pending or unknown
// from the reader's Microsoft 365 tenant (or the demo tenant), through the
// checks service at /__checks/ (or <meta name="livedocs-checks" content="…">).
// Without JavaScript, or when the service does not answer, the article stays
// the static page. Text from the tenant is only ever set with textContent.
(function () {
  'use strict';
  var article = document.querySelector('article[data-checks]');
  if (!article || !window.fetch) return;
  var meta = document.querySelector('meta[name="livedocs-checks"]');
  var base = ((meta && meta.getAttribute('content')) || '/__checks').replace(/\/+$/, '');
  var pageID = article.getAttribute('data-article-id') || location.pathname;
  var ids = (article.getAttribute('data-checks') || '').split(/\s+/).filter(Boolean);
  var tied = Array.prototype.slice.call(article.querySelectorAll('[data-check]'));
  if (!ids.length || !tied.length) return;

  var csrf = '';
  var current = null;
  var jumped = false;
  var titles = new Map();
  var evCount = 0;
  tied.forEach(function (node) {
    var clone = node.cloneNode(true);
    clone.querySelectorAll('.step-link, .anchor, .check-status, .step-alias').forEach(function (n) { n.remove(); });
    var t = clone.textContent.replace(/\s+/g, ' ').trim();
    titles.set(node, t.length > 70 ? t.slice(0, 69) + '…' : t);
    var slot = statusSlot(node);
    // One summary announcement instead of one per step.
    slot.setAttribute('aria-live', 'off');
  });
  article.classList.add('checks-loading');

  function statusSlot(node) {
    var s = node.querySelector(':scope > .check-status');
    if (!s) {
      s = document.createElement('span');
      s.className = 'check-status';
      node.appendChild(s);
    }
    return s;
  }

  // h builds an element; strings become text nodes, never HTML.
  function h(tag, attrs) {
    var e = document.createElement(tag);
    if (attrs) Object.keys(attrs).forEach(function (k) {
      if (k === 'text') e.textContent = attrs[k];
      else if (k === 'class') e.className = attrs[k];
      else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), attrs[k]);
      else e.setAttribute(k, attrs[k]);
    });
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c == null || c === false) continue;
      e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    }
    return e;
  }

  function query() {
    return '?page=' + encodeURIComponent(pageID) + '&checks=' + encodeURIComponent(ids.join(',')) +
      '&return=' + encodeURIComponent(location.pathname + location.search);
  }

  function api(method, path, form) {
    var ctl = new AbortController();
    var timer = setTimeout(function () { ctl.abort(); }, 12000);
    var opts = { method: method, credentials: 'same-origin', headers: { 'Accept': 'application/json' }, signal: ctl.signal };
    if (method !== 'GET') {
      opts.headers['X-Livedocs-CSRF'] = csrf;
      opts.headers['Content-Type'] = 'application/x-www-form-urlencoded';
      opts.body = new URLSearchParams(form || {}).toString();
    }
    return fetch(base + path, opts).then(function (res) {
      var type = res.headers.get('Content-Type') || '';
      if (type.indexOf('application/json') !== 0) throw new Error('the checks service is not available');
      return res.json().then(function (data) {
        if (!res.ok) throw new Error((data && data.error && data.error.reason) || ('status ' + res.status));
        return data;
      });
    }).finally(function () { clearTimeout(timer); });
  }

  // Bar and live region, in the space checks.css reserves under the header.
  var bar = h('div', { class: 'checks-bar', role: 'region', 'aria-label': 'Live checks' });
  var live = h('p', { class: 'checks-live visually-hidden', role: 'status', 'aria-live': 'polite' });
  function announce(msg) {
    live.textContent = '';
    setTimeout(function () { live.textContent = msg; }, 50);
  }

  function load(refresh) {
    var req = refresh ? api('POST', '/api/refresh' + query()) : api('GET', '/api/state' + query());
    return req.then(render, function (err) {
      if (!current) {
        // The service is unreachable: leave the static page as it is.
        article.classList.remove('checks-loading');
        article.classList.add('checks-off');
        return;
      }
      announce('The checks could not be updated: ' + err.message);
    });
  }

  function stateOf(report, id) {
    if (!report) return null;
    for (var i = 0; i < report.checks.length; i++) if (report.checks[i].id === id) return report.checks[i];
    return null;
  }

  var labels = { done: 'Done', pending: 'Pending', unknown: 'Unknown' };

  function render(st) {
    current = st;
    csrf = st.csrf || csrf;
    article.classList.remove('checks-loading', 'checks-off');
    article.classList.add('checks-ready');
    var header = article.querySelector('.article-header') || article;
    if (!bar.parentNode) header.appendChild(bar);
    if (!live.parentNode) header.appendChild(live);
    article.setAttribute('data-checks-mode', st.mode);
    article.setAttribute('data-checks-scenario', st.scenario || '');
    var report = st.report || null;
    var done = 0, firstPending = null, firstOpen = null;

    tied.forEach(function (node) {
      var slot = statusSlot(node);
      slot.textContent = '';
      var r = stateOf(report, node.getAttribute('data-check'));
      if (!r) {
        node.removeAttribute('data-check-state');
        if (st.mode === 'signed-out') slot.appendChild(ctaButton());
        return;
      }
      node.setAttribute('data-check-state', r.state);
      if (r.state === 'done') done++;
      else {
        if (r.state === 'pending' && !firstPending) firstPending = node;
        if (!firstOpen) firstOpen = node;
      }
      // The badge fits the theme's fixed .check-status box; the evidence
      // opens below it as an overlay (nothing moves) and is part of the
      // badge's accessible description.
      var text = r.state === 'unknown' ? (r.reason || r.evidence || '') : (r.evidence || '');
      var evID = 'check-ev-' + (++evCount);
      var ev = h('span', { class: 'check-evidence', id: evID, role: 'note' }, text);
      var badge = h('button', {
        type: 'button', class: 'check-badge check-' + r.state, 'aria-expanded': 'false',
        'aria-describedby': evID, title: text,
        onclick: function () {
          var open = slot.classList.toggle('check-open');
          badge.setAttribute('aria-expanded', open ? 'true' : 'false');
        }
      }, h('span', { class: 'check-icon', 'aria-hidden': 'true' }), labels[r.state] || r.state);
      slot.appendChild(badge);
      slot.appendChild(ev);
    });

    bar.textContent = '';
    var target = firstPending || firstOpen;
    if (st.mode === 'signed-out') {
      bar.appendChild(h('p', { class: 'checks-intro' },
        'This page can check your Microsoft 365 tenant and mark each step done or pending. It only reads: ' +
        st.reads.map(function (r) { return r.title.toLowerCase(); }).join(', ') + '.'));
      var actions = h('div', { class: 'checks-actions' });
      if (st.login) actions.appendChild(h('a', { class: 'checks-button checks-primary', href: st.login }, 'Sign in to check my tenant'));
      if (st.scenarios && st.scenarios.length) actions.appendChild(scenarioPicker(st, 'Try the demo tenant'));
      bar.appendChild(actions);
      if (st.notice) bar.appendChild(h('p', { class: 'checks-notice' }, st.notice));
      if (current && current._announce !== false) announce(st.notice || 'Live checks are available for this page.');
    } else {
      var who = st.mode === 'demo'
        ? h('p', { class: 'checks-who checks-demo-label' }, h('strong', null, 'Demo'), ' ', st.demoLabel || 'Demo tenant: these results are simulated.')
        : h('p', { class: 'checks-who' }, 'Signed in as ', h('strong', null, st.user || st.userName || 'you'), st.tenant ? ' (tenant ' + st.tenant + ')' : '');
      bar.appendChild(who);
      var total = tied.length;
      var summary = done + ' of ' + total + ' steps done';
      var line = h('p', { class: 'checks-summary' }, h('strong', null, summary));
      if (target && target.id) {
        line.appendChild(document.createTextNode(' · '));
        line.appendChild(h('a', { href: '#' + target.id, class: 'checks-next' }, (firstPending ? 'Next pending step: ' : 'First unchecked step: ') + titles.get(target)));
      }
      bar.appendChild(line);
      var acts = h('div', { class: 'checks-actions' },
        h('button', { type: 'button', class: 'checks-button', onclick: function () { load(true); } }, 'Refresh'),
        h('button', { type: 'button', class: 'checks-button', 'data-copy': 'admin', onclick: function () { copy(adminText(), 'Details for your admin copied.'); } }, 'Copy details for your admin'),
        h('button', { type: 'button', class: 'checks-button', 'data-copy': 'support', onclick: function () { copy(supportText(), 'Summary for support copied.'); } }, 'Copy summary for support'));
      if (st.mode === 'demo' && st.scenarios) acts.appendChild(scenarioPicker(st, 'Scenario'));
      acts.appendChild(h('button', { type: 'button', class: 'checks-button', onclick: signOut }, st.mode === 'demo' ? 'Leave the demo' : 'Sign out'));
      bar.appendChild(acts);
      announce(summary + (st.mode === 'demo' ? ' in the demo tenant.' : '.'));
    }
    bar.appendChild(h('p', { class: 'checks-error', role: 'alert', hidden: '' }));

    if (!jumped && location.hash === '#next' && report) {
      jumped = true;
      if (target) jump(target);
    }
  }

  function jump(node) {
    if (!node.hasAttribute('tabindex')) node.setAttribute('tabindex', '-1');
    node.scrollIntoView({ block: 'start' });
    node.focus({ preventScroll: true });
  }
  window.addEventListener('hashchange', function () {
    if (location.hash !== '#next' || !current || !current.report) return;
    var t = tied.filter(function (n) { return n.getAttribute('data-check-state') === 'pending'; })[0] ||
      tied.filter(function (n) { return n.getAttribute('data-check-state') !== 'done'; })[0];
    if (t) jump(t);
  });

  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Escape') return;
    article.querySelectorAll('.check-status.check-open').forEach(function (slot) {
      slot.classList.remove('check-open');
      var b = slot.querySelector('.check-badge');
      if (b) { b.setAttribute('aria-expanded', 'false'); b.focus(); }
    });
  });

  function ctaButton() {
    return h('button', {
      type: 'button', class: 'check-cta',
      onclick: function () {
        if (current && current.login) location.assign(current.login);
        else { var first = bar.querySelector('select, a, button'); if (first) first.focus(); }
      }
    }, 'Check my tenant');
  }

  function scenarioPicker(st, label) {
    var id = 'checks-scenario';
    var sel = h('select', { id: id, class: 'checks-select' });
    if (st.mode !== 'demo') sel.appendChild(h('option', { value: '' }, 'Choose a scenario…'));
    st.scenarios.forEach(function (s) {
      var o = h('option', { value: s }, s);
      if (s === st.scenario) o.selected = true;
      sel.appendChild(o);
    });
    sel.addEventListener('change', function () {
      if (!sel.value || sel.disabled) return;
      sel.disabled = true;
      api('POST', '/demo', { scenario: sel.value }).then(function (r) {
        csrf = r.csrf || csrf;
        return load(false);
      }).then(function () {
        var again = document.getElementById(id);
        if (again) again.focus();
      }, function (err) {
        sel.disabled = false;
        showError(err);
      });
    });
    return h('span', { class: 'checks-picker' }, h('label', { for: id }, label + ' '), sel);
  }

  function signOut() {
    api('POST', '/logout').then(function () { return load(false); }, showError);
  }

  function showError(err) {
    var box = bar.querySelector('.checks-error');
    if (box) { box.hidden = false; box.textContent = err.message; }
  }

  function stamp(t) {
    return t ? new Date(t).toISOString().replace('.000Z', 'Z') : '';
  }

  function adminText() {
    var st = current, rep = st.report || { checks: [] };
    var lines = ['Microsoft 365 live check details' + (rep.demo ? ' (DEMO TENANT, simulated data)' : ''),
      'Article: ' + document.title + ' ' + location.origin + location.pathname,
      'Checked at: ' + stamp(rep.time),
      'User: ' + (st.user || rep.user || ''),
      'Tenant: ' + (st.tenant || rep.tenant || '')];
    var b = stateOf(rep, 'blocked-signins');
    if (b && b.details && b.details.errorCode) {
      var d = b.details;
      lines.push('Latest blocked sign-in: ' + d.time + ', user ' + (d.user || '') + ', error code AADSTS' + d.errorCode + ', correlation ID ' + (d.correlationId || 'not recorded'));
    } else if (b) {
      lines.push('Blocked sign-ins: ' + (b.evidence || b.reason || b.state));
    }
    rep.checks.forEach(function (r) {
      if (r.state !== 'done') lines.push('- ' + r.state.toUpperCase() + ': ' + (r.title || r.id) + ': ' + (r.evidence || r.reason || ''));
    });
    return lines.join('\n');
  }

  function supportText() {
    var st = current, rep = st.report || { checks: [] };
    var done = tied.filter(function (n) { return n.getAttribute('data-check-state') === 'done'; }).length;
    var lines = ['Help center live checks' + (rep.demo ? ' (demo tenant "' + (st.scenario || '') + '", simulated)' : ''),
      'Article ' + pageID + ': ' + document.title,
      'Tenant: ' + (st.tenant || rep.tenant || '') + '   Checked at: ' + stamp(rep.time),
      done + ' of ' + tied.length + ' steps done'];
    rep.checks.forEach(function (r) {
      lines.push('[' + r.state + '] ' + r.id + ': ' + (r.evidence || r.reason || ''));
    });
    return lines.join('\n');
  }

  function copy(text, done) {
    var ok = function () { announce(done); };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(text).then(ok, function () { fallbackCopy(text) ? ok() : showError(new Error('Copying was refused; select the text in the panel instead.')); });
    } else if (fallbackCopy(text)) ok();
  }

  function fallbackCopy(text) {
    var ta = h('textarea', { class: 'visually-hidden', readonly: '' });
    ta.value = text;
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    ta.remove();
    return ok;
  }

  load(false);
})();
