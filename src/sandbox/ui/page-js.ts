// The web phone's assets, shipped inside the package as strings (no build step, no CDN, works
// offline): the script. The script writes every outside text with
// textContent; the page's Content-Security-Policy (assets.ts) allows only these same-origin files.
// Edit them here; they hold no backticks or template placeholders (String.raw keeps them verbatim).

/** /ui/app.js. */
export const APP_JS = String.raw`// The mms sandbox web phone. Plain JS, no build step. Every text from the record (bodies, numbers,
// file names, content types, webhook bodies) is written with textContent, never as HTML.
'use strict';
(function () {
  var WEBHOOK_ROWS = 300;
  var state = { messages: new Map(), webhooks: new Map(), openHooks: new Set(), optOuts: [], info: null, extra: [], handset: null, peer: null, files: [], q: '' };
  var $ = function (id) { return document.getElementById(id); };
  var FAULT_FIELDS = ['rateLimit', 'failRate', 'throttleRate', 'resetRate', 'timeoutRate'];
  // The panel's webhook chaos inputs → PUT /_sandbox/faults webhookChaos keys.
  var CHAOS_FIELDS = { chaosDup: 'dup', chaosReorder: 'reorder', chaosLateMs: 'lateMs', chaosLate: 'late' };
  var narrow = window.matchMedia('(max-width: 760px)');
  // The sorted record, rebuilt only after a change (a render reads it several times).
  var sortedCache = null;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'className') node.className = attrs[k];
      else if (k.indexOf('on') === 0) node.addEventListener(k.slice(2), attrs[k]);
      else node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.appendChild(c); });
    return node;
  }

  function api(method, path, body) {
    var init = { method: method, headers: {} };
    if (body !== undefined) { init.headers['content-type'] = 'application/json'; init.body = JSON.stringify(body); }
    return fetch('/_sandbox' + path, init).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) {
        if (!res.ok) throw new Error(data.error || ('HTTP ' + res.status));
        return data;
      });
    });
  }

  function sandboxNumbers() {
    var out = new Map();
    if (!state.info) return out;
    Object.keys(state.info.providers).forEach(function (p) {
      state.info.providers[p].numbers.forEach(function (n) { out.set(n, p); });
    });
    return out;
  }

  // Plivo writes numbers without "+"; the web phone shows every number in E.164.
  function e164(n) { return /^\d+$/.test(n) ? '+' + n : n; }

  function sorted() {
    if (!sortedCache) {
      sortedCache = Array.from(state.messages.values()).sort(function (a, b) { return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0; });
    }
    return sortedCache;
  }

  function changed() { sortedCache = null; }

  function optOutsBetween(a, b) {
    return state.optOuts.filter(function (o) { return (o.handset === a && o.sender === b) || (o.handset === b && o.sender === a); });
  }

  function optOutTag(list, n) {
    var own = list.filter(function (o) { return o.handset === n; });
    if (!own.length) return null;
    var title = 'Replied STOP to ' + own.map(function (o) { return o.sender + ' (' + o.provider + ')'; }).join(', ');
    return el('span', { className: 'tag optout', title: title, text: 'opted out' });
  }

  function matches(m) {
    if (!state.q) return true;
    var q = state.q.toLowerCase();
    return [m.body, e164(m.to), e164(m.from)].some(function (v) { return String(v).toLowerCase().indexOf(q) >= 0; });
  }

  function handsets() {
    var own = sandboxNumbers();
    var seen = new Map();
    own.forEach(function (p, n) { seen.set(n, { number: n, provider: p, last: '' }); });
    state.extra.forEach(function (n) { if (!seen.has(n)) seen.set(n, { number: n, last: '' }); });
    sorted().forEach(function (m) {
      [e164(m.to), e164(m.from)].forEach(function (n) {
        var h = seen.get(n) || { number: n, last: '' };
        if (matches(m)) h.last = m.body || (m.media.length + ' attachment(s)');
        h.hit = h.hit || matches(m);
        seen.set(n, h);
      });
    });
    return Array.from(seen.values()).filter(function (h) { return !state.q || h.hit || h.number.indexOf(state.q) >= 0; });
  }

  function threadOf(a, b) {
    return sorted().filter(function (m) {
      var t = e164(m.to), f = e164(m.from);
      return (t === a && f === b) || (t === b && f === a);
    });
  }

  function peers(h) {
    var out = new Map();
    sorted().forEach(function (m) {
      var t = e164(m.to), f = e164(m.from);
      if (t === h && matches(m)) out.set(f, m);
      else if (f === h && matches(m)) out.set(t, m);
    });
    return out;
  }

  // The lists are rebuilt only when what they show changed: a status update arriving between a
  // mouse press and its release would otherwise replace the element under the pointer, and the
  // browser then fires no click (a lost click during a busy send).
  var shown = { handsets: null, threads: null };
  function unchanged(key, data) {
    var sig = JSON.stringify(data);
    if (shown[key] === sig) return true;
    shown[key] = sig;
    return false;
  }

  function renderHandsets() {
    var list = $('handset-list');
    var hs = handsets();
    var optOuts = state.optOuts.map(function (o) { return [o.handset, o.sender, o.provider]; });
    if (unchanged('handsets', [state.handset, optOuts, hs])) return;
    list.replaceChildren();
    hs.forEach(function (h) {
      var li = el('li', { 'data-number': h.number, className: h.number === state.handset ? 'active' : '', onclick: function () { selectHandset(h.number); } }, [
        el('span', { text: h.number }),
        h.provider ? el('span', { className: 'tag', text: h.provider }) : null,
        optOutTag(state.optOuts, h.number),
        el('span', { className: 'sub', text: h.last || '' }),
      ]);
      list.appendChild(li);
    });
  }

  function renderThreads() {
    var list = $('thread-list');
    var stops = state.optOuts.map(function (o) { return [o.handset, o.sender]; });
    var ps = state.handset ? Array.from(peers(state.handset).entries()).map(function (e) { return [e[0], e[1].body, e[1].media.length]; }) : [];
    if (unchanged('threads', [state.handset, state.peer, stops, ps, Array.from(sandboxNumbers().entries())])) return;
    list.replaceChildren();
    var form = $('new-thread');
    if (!state.handset) { $('threads-title').textContent = 'Conversations'; form.hidden = true; return; }
    $('threads-title').textContent = 'Conversations of ' + state.handset;
    var own = sandboxNumbers();
    peers(state.handset).forEach(function (last, peer) {
      list.appendChild(el('li', { 'data-peer': peer, className: peer === state.peer ? 'active' : '', onclick: function () { selectPeer(peer); } }, [
        el('span', { text: peer }),
        own.has(peer) ? el('span', { className: 'tag', text: own.get(peer) }) : null,
        optOutsBetween(state.handset, peer).length ? el('span', { className: 'tag optout', text: 'STOP' }) : null,
        el('span', { className: 'sub', text: last.body || (last.media.length + ' attachment(s)') }),
      ]));
    });
    // A handset that is not a sandbox number can write to any sandbox number.
    form.hidden = own.has(state.handset);
    var select = $('new-thread-to');
    if (select.options.length === 0) {
      own.forEach(function (p, n) { select.appendChild(el('option', { value: n, text: n + ' (' + p + ')' })); });
    }
  }

  function statusText(m) {
    var s = m.status;
    var ticks = { queued: '○', accepted: '○', sending: '○', sent: '✓', delivered: '✓✓', received: '✓✓', webhook_delivered: '✓✓' }[s] || '';
    var text = (ticks ? ticks + ' ' : '') + s;
    if (m.errorCode !== undefined && m.errorCode !== null) text += ' · ' + m.errorCode + (m.errorMessage ? ' ' + m.errorMessage : '');
    return text;
  }

  // A provider URL on this origin that needs no credentials (Plivo, Vonage, Sinch re-host inbound
  // media that way): the fallback when the sandbox kept no copy of the file.
  function sameOrigin(url) {
    try { return new URL(url, location.href).origin === location.origin ? url : null; } catch (e) { return null; }
  }

  function withFallback(node, x) {
    var alt = sameOrigin(x.url);
    if (alt) node.addEventListener('error', function () { if (node.getAttribute('src') !== alt) node.setAttribute('src', alt); });
    return node;
  }

  function mediaNode(x) {
    var src = x.sha256 ? '/_sandbox/media/' + x.sha256 : sameOrigin(x.url);
    var type = x.contentType || '';
    if (src && /^image\//.test(type)) return withFallback(el('img', { src: src, alt: type, loading: 'lazy' }), x);
    if (src && /^audio\//.test(type)) return withFallback(el('audio', { src: src, controls: '' }), x);
    if (src && /^video\//.test(type)) return withFallback(el('video', { src: src, controls: '' }), x);
    var label = (type || 'file') + (x.size ? ' · ' + x.size + ' bytes' : '') + (x.status === 'failed' ? ' · not fetched' : '');
    return src ? el('a', { href: src, download: '', text: label }) : el('span', { text: label });
  }

  // One line per opted-out pair of this thread: who sent STOP to whom, what a send gets, and a clear button.
  function renderOptOuts() {
    var box = $('optouts');
    box.replaceChildren();
    var list = state.handset && state.peer ? optOutsBetween(state.handset, state.peer) : [];
    box.hidden = list.length === 0;
    list.forEach(function (o) {
      var code = o.code ? o.provider + ' ' + o.code + (o.text ? ' ' + o.text : '') : 'an error';
      box.appendChild(el('p', { className: 'optout-line', 'data-handset': o.handset, 'data-sender': o.sender }, [
        el('span', { text: o.handset + ' opted out of ' + o.sender + ' (replied STOP ' + new Date(o.at).toLocaleString() + '). ' +
          'Sends to it fail with ' + code + ' until it sends START.' }),
        el('button', { type: 'button', className: 'clear-optout', text: 'Clear opt-out', onclick: function () { clearOptOut(o); } }),
      ]));
    });
  }

  function clearOptOut(o) {
    var path = '/opt-outs/' + [o.provider, o.handset, o.sender].map(encodeURIComponent).join('/');
    api('DELETE', path).then(function (r) { state.optOuts = r.optOuts; scheduleRender(); }, showError);
  }

  function isBad(m) { return /fail|undeliver|reject/.test(m.status); }

  // A status change shows at once on its bubble, so no step is lost while the full render waits for the next frame.
  function patchBubble(m) {
    var li = Array.prototype.find.call($('bubbles').children, function (c) { return c.getAttribute('data-id') === m.id; });
    if (!li) return;
    li.setAttribute('data-status', m.status);
    li.classList.toggle('failed', isBad(m));
    var status = li.querySelector('.status');
    if (status) { status.className = 'status status-' + m.status; status.textContent = statusText(m); }
  }

  function renderBubbles() {
    var list = $('bubbles');
    var key = state.handset + ' ' + state.peer;
    // A newly opened thread starts at its newest message; an open one follows new messages only when at the bottom.
    var stick = list.getAttribute('data-thread') !== key || list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.setAttribute('data-thread', key);
    list.replaceChildren();
    renderOptOuts();
    if (!state.handset || !state.peer) {
      $('thread-title').textContent = state.handset ? 'Pick a conversation' : 'Pick a handset';
      $('compose').hidden = true;
      $('compose-note').hidden = true;
      return;
    }
    $('thread-title').textContent = state.handset + ' ↔ ' + state.peer;
    threadOf(state.handset, state.peer).forEach(function (m) {
      var mine = e164(m.from) === state.handset;
      var li = el('li', { className: 'bubble' + (mine ? ' mine' : '') + (isBad(m) ? ' failed' : ''), 'data-id': m.id, 'data-status': m.status }, []);
      if (m.body) li.appendChild(el('span', { className: 'body', text: m.body }));
      m.media.forEach(function (x) { li.appendChild(mediaNode(x)); });
      var time = new Date(m.createdAt).toLocaleTimeString();
      li.appendChild(el('span', { className: 'meta' }, [
        el('span', { text: time + ' · ' + m.provider + ' · ' }),
        el('span', { className: 'status status-' + m.status, text: statusText(m) }),
      ]));
      list.appendChild(li);
    });
    var own = sandboxNumbers();
    var canWrite = own.has(state.peer) && !own.has(state.handset);
    $('compose').hidden = !canWrite;
    $('compose-note').hidden = canWrite;
    $('compose-note').textContent = canWrite ? '' : 'Messages from a sandbox number are sent by your app through the provider API; ' +
      'the web phone writes as a handset to a sandbox number.';
    // After the compose form is shown or hidden: it changes the list's height.
    if (stick) list.scrollTop = list.scrollHeight;
  }

  function renderAttachments() {
    var list = $('attachments');
    list.replaceChildren();
    state.files.forEach(function (f, i) {
      list.appendChild(el('li', {}, [
        el('span', { text: f.name + ' (' + (f.type || 'application/octet-stream') + ')' }),
        el('button', { type: 'button', 'aria-label': 'Remove attachment', text: '×', onclick: function () {
          state.files.splice(i, 1);
          renderAttachments();
        } }),
      ]));
    });
  }

  function renderWebhooks() {
    var rows = $('webhook-rows');
    rows.replaceChildren();
    var all = Array.from(state.webhooks.values()).reverse();
    $('webhook-count').textContent = all.length ? '(' + all.length + ')' : '';
    // The log keeps up to 10,000 attempts; the table shows the newest, and keeps open what was opened.
    all.slice(0, WEBHOOK_ROWS).forEach(function (a) {
      var answer = a.error ? el('span', { className: 'bad', text: a.error })
        : el('span', { className: a.status < 300 ? 'ok' : 'bad', text: a.status === undefined ? '…' : String(a.status) });
      var sentHeaders = a.request ? Object.keys(a.request.headers).map(function (k) { return k + ': ' + a.request.headers[k]; }).join('\n') : '';
      var details = el('details', { ontoggle: function () { if (details.open) state.openHooks.add(a.id); else state.openHooks.delete(a.id); } }, [
        el('summary', { text: 'show' }),
        el('pre', { text: a.request ? sentHeaders + '\n\n' + a.request.body : '' }),
        el('pre', { text: a.response ? a.response.body : '' }),
      ]);
      rows.appendChild(el('tr', { 'data-id': a.id || '' }, [
        el('td', { text: new Date(a.at).toLocaleTimeString() }),
        el('td', { text: a.kind + (a.resendOf ? ' (resent)' : '') }),
        el('td', { text: a.messageId }),
        el('td', { className: 'url', text: a.url }),
        el('td', {}, [answer]),
        el('td', { text: a.durationMs === undefined ? '' : String(a.durationMs) }),
        el('td', {}, [details]),
        el('td', {}, [a.id ? el('button', { type: 'button', text: 'Resend', onclick: function () { resend(a.id); } }) : null]),
      ]));
      if (state.openHooks.has(a.id)) details.open = true;
    });
    $('webhook-more').hidden = all.length <= WEBHOOK_ROWS;
    $('webhook-more').textContent = 'Showing the newest ' + WEBHOOK_ROWS + ' of ' + all.length + ' attempts (GET /_sandbox/webhooks has them all).';
  }

  function render() { renderHandsets(); renderThreads(); renderBubbles(); }

  // Events come in bursts (a send is several status changes): one render per frame, whatever their number.
  var pending = null;
  function scheduleRender(hooks) {
    if (!pending) {
      pending = { phone: false, hooks: false };
      window.requestAnimationFrame(function () {
        var p = pending;
        pending = null;
        if (p.phone) render();
        if (p.hooks) renderWebhooks();
      });
    }
    if (hooks) pending.hooks = true;
    else pending.phone = true;
  }

  function resend(id) { api('POST', '/webhooks/' + encodeURIComponent(id) + '/resend').catch(showError); }

  function showError(err) { $('compose-error').textContent = err.message; }

  function selectHandset(n) {
    state.handset = n;
    var p = peers(n);
    state.peer = p.size ? Array.from(p.keys()).pop() : null;
    render();
    reveal(state.peer ? 'thread' : 'thread-list');
  }

  function selectPeer(p) { state.peer = p; render(); reveal('thread'); }

  // On a narrow screen the columns stack: bring the one that just changed into view.
  function reveal(id) { if (narrow.matches) $(id).scrollIntoView({ block: 'start' }); }

  function readFile(f) {
    return new Promise(function (resolve, reject) {
      var r = new FileReader();
      r.onload = function () { resolve({ contentType: f.type || 'application/octet-stream', data: String(r.result).split(',')[1] || '' }); };
      r.onerror = function () { reject(r.error); };
      r.readAsDataURL(f);
    });
  }

  function send(ev) {
    ev.preventDefault();
    var body = $('compose-body').value;
    if (!body && state.files.length === 0) return;
    $('compose-send').disabled = true;
    $('compose-error').textContent = '';
    Promise.all(state.files.map(readFile)).then(function (media) {
      return api('POST', '/inbound', { from: state.handset, to: state.peer, body: body, media: media });
    }).then(function (r) {
      state.messages.set(r.message.id, r.message);
      changed();
      $('compose-body').value = '';
      state.files = [];
      renderAttachments();
      render();
    }).catch(showError).then(function () { $('compose-send').disabled = false; });
  }

  function addFiles(list) { Array.prototype.forEach.call(list, function (f) { state.files.push(f); }); renderAttachments(); }

  function loadFaults() {
    var form = $('faults-form');
    form.setAttribute('data-state', 'loading');
    api('GET', '/faults').then(function (f) {
      form.setAttribute('data-state', 'ready');
      showFaults(f);
    }).catch(function (e) { form.setAttribute('data-state', 'ready'); faultsStatus(e.message, true); });
  }

  function showFaults(f) {
    var form = $('faults-form');
    var chaos = f.webhookChaos || {};
    var show = function (name, v) { form.elements[name].value = v === undefined ? '' : v; };
    FAULT_FIELDS.forEach(function (k) { show(k, f[k]); });
    show('latencyMin', f.latencyMs && f.latencyMs[0]);
    show('latencyMax', f.latencyMs && f.latencyMs[1]);
    Object.keys(CHAOS_FIELDS).forEach(function (name) { show(name, chaos[CHAOS_FIELDS[name]]); });
  }

  function faultsStatus(text, bad) { var s = $('faults-status'); s.textContent = text; s.className = bad ? 'bad' : 'ok'; }

  // What an input holds: absent when empty; NaN (sent as null, which the server refuses by name) when not a number.
  function numberIn(input) {
    if (input.validity && input.validity.badInput) return NaN;
    return input.value.trim() === '' ? undefined : Number(input.value);
  }

  // The panel's values as PUT /_sandbox/faults takes them; the server checks the ranges and names what is wrong.
  function faultsFromForm(form) {
    var f = {};
    var put = function (obj, key, v) { if (v !== undefined) obj[key] = v; };
    FAULT_FIELDS.forEach(function (k) { put(f, k, numberIn(form.elements[k])); });
    var lo = numberIn(form.elements.latencyMin), hi = numberIn(form.elements.latencyMax);
    if (lo !== undefined || hi !== undefined) f.latencyMs = [lo === undefined ? hi : lo, hi === undefined ? lo : hi];
    var chaos = {};
    Object.keys(CHAOS_FIELDS).forEach(function (name) { put(chaos, CHAOS_FIELDS[name], numberIn(form.elements[name])); });
    if (Object.keys(chaos).length) f.webhookChaos = chaos;
    return f;
  }

  function saveFaults(ev) {
    ev.preventDefault();
    faultsStatus('', false);
    api('PUT', '/faults', faultsFromForm($('faults-form'))).then(function (f) {
      showFaults(f);
      faultsStatus('applied', false);
    }, function (e) { faultsStatus(e.message, true); });
  }

  // Which of two copies of one message is later: a snapshot fetched on (re)connect can be older than
  // a live event that overtook it, and must not put a bubble back to an earlier status.
  function isOlder(a, b) {
    if (a.updatedAt !== b.updatedAt) return a.updatedAt < b.updatedAt;
    return (a.history || []).length < (b.history || []).length;
  }

  function resync() {
    var calls = [api('GET', '/info'), api('GET', '/messages'), api('GET', '/webhooks'), api('GET', '/opt-outs')];
    return Promise.all(calls).then(function (r) {
      state.info = r[0];
      var live = state.messages;
      state.messages = new Map(r[1].messages.map(function (m) {
        var mine = live.get(m.id);
        return [m.id, mine && isOlder(m, mine) ? mine : m];
      }));
      state.webhooks = new Map(r[2].webhooks.map(function (a, i) { return [a.id || String(i), a]; }));
      state.optOuts = r[3].optOuts;
      changed();
      render();
      renderWebhooks();
    });
  }

  function connect() {
    var es = new EventSource('/_sandbox/events');
    es.addEventListener('open', function () {
      $('live').textContent = 'live';
      $('live').className = 'live on';
      resync().catch(function () { /* the next event retries */ });
    });
    es.addEventListener('error', function () { $('live').textContent = 'reconnecting…'; $('live').className = 'live'; });
    es.addEventListener('message', function (e) {
      var m = JSON.parse(e.data);
      var known = state.messages.get(m.id);
      if (known && isOlder(m, known)) return;
      state.messages.set(m.id, m);
      changed();
      patchBubble(m);
      scheduleRender();
    });
    es.addEventListener('webhook', function (e) { var a = JSON.parse(e.data); state.webhooks.set(a.id, a); scheduleRender(true); });
    es.addEventListener('opt-outs', function (e) { state.optOuts = JSON.parse(e.data).optOuts; scheduleRender(); });
    es.addEventListener('cleared', function () {
      state.messages.clear();
      state.webhooks.clear();
      state.optOuts = [];
      changed();
      scheduleRender();
      scheduleRender(true);
    });
  }

  function showView(name) {
    ['phone', 'webhooks', 'faults'].forEach(function (v) { $('view-' + v).hidden = v !== name; });
    Array.prototype.forEach.call(document.querySelectorAll('.tab'), function (b) { b.classList.toggle('active', b.getAttribute('data-view') === name); });
    if (name === 'faults') loadFaults();
  }

  function wire() {
    Array.prototype.forEach.call(document.querySelectorAll('.tab'), function (b) {
      b.addEventListener('click', function () { showView(b.getAttribute('data-view')); });
    });
    $('search').addEventListener('input', function () { state.q = $('search').value.trim(); render(); });
    $('clear-all').addEventListener('click', function () {
      if (window.confirm('Delete every message, media file and webhook record?')) api('DELETE', '/messages').catch(showError);
    });
    $('new-handset').addEventListener('submit', function (ev) {
      ev.preventDefault();
      var n = $('new-number').value.replace(/[^\d+]/g, '');
      if (!/^\+?\d{3,15}$/.test(n)) return;
      n = n.charAt(0) === '+' ? n : '+' + n;
      if (state.extra.indexOf(n) < 0) state.extra.push(n);
      $('new-number').value = '';
      selectHandset(n);
    });
    $('new-thread').addEventListener('submit', function (ev) { ev.preventDefault(); selectPeer($('new-thread-to').value); });
    $('compose').addEventListener('submit', send);
    $('compose-body').addEventListener('keydown', function (ev) { if (ev.key === 'Enter' && !ev.shiftKey) send(ev); });
    $('compose-file').addEventListener('change', function () { addFiles($('compose-file').files); $('compose-file').value = ''; });
    var zone = $('thread');
    zone.addEventListener('dragover', function (ev) { ev.preventDefault(); $('compose').classList.add('drop'); });
    zone.addEventListener('dragleave', function () { $('compose').classList.remove('drop'); });
    zone.addEventListener('drop', function (ev) {
      ev.preventDefault();
      $('compose').classList.remove('drop');
      if (!$('compose').hidden && ev.dataTransfer) addFiles(ev.dataTransfer.files);
    });
    $('faults-form').addEventListener('submit', saveFaults);
  }

  wire();
  resync().catch(function (e) { $('live').textContent = e.message; });
  connect();
})();
`;
