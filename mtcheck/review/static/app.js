// mtcheck review: the editor's front end. No framework, no build step, no network beyond
// this server. Every piece of text from the server goes into the page as a text node or an
// attribute value (createTextNode / textContent / setAttribute / .value), never innerHTML.
'use strict';

(function () {
  // -- view trees (the shared renderer's output, see mtcheck/render.py) -------------------
  const TAGS = new Set(('div span mark del ins p h2 h3 h4 table thead tbody tr th td ul ol li ' +
    'small strong em code section header details summary kbd').split(' '));
  const ATTRS = new Set('class id title tabindex role lang aria-label aria-hidden'.split(' '));
  const DATA_ATTR = /^data-[a-z][a-z0-9-]*$/;

  function build(node) {
    if (typeof node === 'string') return document.createTextNode(node);
    const [tag, attrs, ...children] = node;
    if (!TAGS.has(tag)) throw new Error('tag not allowed: ' + tag);
    const el = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (ATTRS.has(name) || DATA_ATTR.test(name)) el.setAttribute(name, String(value));
    }
    for (const child of children) el.appendChild(build(child));
    return el;
  }

  function el(tag, props, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(props || {})) {
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c != null) e.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    return e;
  }

  const $ = (id) => document.getElementById(id);

  // -- server -------------------------------------------------------------------------------
  const TOKEN = document.querySelector('meta[name="mtcheck-token"]').getAttribute('content');

  async function api(method, name, body, query) {
    const headers = { 'X-Mtcheck-Token': TOKEN };
    const opts = { method, headers, cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      opts.body = JSON.stringify(body);
    }
    const url = '/api/' + name + (query ? '?' + new URLSearchParams(query).toString() : '');
    const r = await fetch(url, opts);
    let data;
    try { data = await r.json(); } catch (e) { data = { error: r.statusText }; }
    if (!r.ok) {
      const err = new Error(data.error || ('HTTP ' + r.status));
      err.status = r.status;
      throw err;
    }
    return data;
  }

  let toastTimer = null;
  function toast(message, isError) {
    const t = $('toast');
    t.textContent = message;
    t.className = 'toast show' + (isError ? ' error' : '');
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { t.className = 'toast'; }, isError ? 6000 : 3000);
  }

  // -- state --------------------------------------------------------------------------------
  const S = {
    queue: [],        // queue items, in review order
    queueIndex: 0,    // selected row in the queue view
    doc: null,        // the open story's view
    current: -1,      // index of the selected suggestion
    busy: false,
  };

  function setView(sbs) {
    document.body.classList.toggle('view-sbs', sbs);
    document.body.classList.toggle('view-inline', !sbs);
    $('toggle-view').textContent = sbs ? 'Inline diffs' : 'Side-by-side diffs';
    try { localStorage.setItem('mtcheck-view', sbs ? 'sbs' : 'inline'); } catch (e) { /* private mode */ }
  }

  // -- queue --------------------------------------------------------------------------------
  async function loadQueue() {
    const data = await api('GET', 'queue');
    S.queue = data.items;
    return data;
  }

  function chips(counts) {
    const wrap = el('span', { class: 'counts' });
    for (const [cat, n] of Object.entries(counts || {})) {
      wrap.appendChild(el('span', { class: 'chip cat-' + cat, title: n + ' ' + cat, text: cat + ' ' + n }));
    }
    return wrap;
  }

  async function showQueue() {
    document.title = 'mtcheck review';
    $('doc-view').hidden = true;
    $('queue-view').hidden = false;
    $('crumb').textContent = '';
    for (const id of ['accept-safe', 'undo']) $(id).disabled = true;
    S.doc = null;
    let data;
    try { data = await loadQueue(); } catch (e) { toast(e.message, true); return; }
    const body = $('queue').tBodies[0];
    body.replaceChildren();
    const pending = S.queue.reduce((n, i) => n + (i.pending || 0), 0);
    $('queue-summary').textContent = S.queue.length + ' stories in ' + data.root + ', ' + pending + ' suggestions pending — reviewer ' + data.reviewer;
    S.queue.forEach((item, i) => {
      const row = el('tr', { tabindex: '0', 'data-path': item.path, class: item.error ? 'unreadable' : 'row-' + item.needs });
      row.addEventListener('click', () => openDoc(item.path));
      row.addEventListener('focus', () => selectRow(i, false));
      if (item.error) {
        row.append(el('td', { text: 'skipped' }), el('td', { class: 'path', text: item.path }), el('td', { colspan: '5', text: item.error }));
      } else {
        row.append(
          el('td', {}, el('span', { class: 'needs needs-' + item.needs, text: item.needs, title: item.reason || '' })),
          el('td', { class: 'path', text: item.path }),
          el('td', {}, chips(item.counts)),
          el('td', { class: 'num', text: item.pending + ' pending / ' + item.suggestions }),
          el('td', { class: 'num', text: String(item.decided) }),
          el('td', { class: 'num' + (item.stale ? ' stale' : ''), text: String(item.stale) }),
          el('td', { class: 'num', text: item.quality == null ? '—' : item.quality.toFixed(2) }));
      }
      body.appendChild(row);
    });
    selectRow(Math.min(S.queueIndex, S.queue.length - 1), true);
  }

  function selectRow(i, focus) {
    const rows = $('queue').tBodies[0].rows;
    if (!rows.length) return;
    S.queueIndex = Math.max(0, Math.min(i, rows.length - 1));
    for (const r of rows) r.classList.remove('selected');
    rows[S.queueIndex].classList.add('selected');
    if (focus) rows[S.queueIndex].focus();
  }

  // -- one story ----------------------------------------------------------------------------
  function openDoc(path) {
    const hash = '#/doc/' + encodeURIComponent(path);
    if (location.hash === hash) route(); else location.hash = hash;
  }

  async function showDoc(path) {
    let view;
    try { view = await api('GET', 'doc', undefined, { path }); } catch (e) { toast(e.message, true); return; }
    $('queue-view').hidden = true;
    $('doc-view').hidden = false;
    if (view.error) {
      S.doc = null;
      $('doc-title').textContent = path;
      $('doc-text').replaceChildren(el('p', { class: 'banner', text: view.error }));
      $('cards').replaceChildren();
      return;
    }
    const same = S.doc && S.doc.path === path;
    S.doc = view;
    document.title = path + ' — mtcheck review';
    $('doc-title').textContent = path;
    $('crumb').textContent = path;
    $('doc-counts').replaceChildren(chips(view.counts));
    $('doc-text').replaceChildren(build(view.doc));
    const i = S.queue.findIndex((q) => q.path === path);
    if (i >= 0) S.queueIndex = i;
    renderState(view, same ? S.current : -1);
    if (!same) {
      const firstPending = view.suggestions.findIndex((s) => s.state === 'pending');
      select(firstPending >= 0 ? firstPending : 0);
    }
  }

  function renderState(state, keep) {
    const view = S.doc;
    Object.assign(view, state);
    const cards = $('cards');
    cards.replaceChildren();
    view.suggestions.forEach((s, i) => {
      const card = build(s.card);
      card.addEventListener('click', (ev) => { if (!ev.target.closest('button, textarea, summary')) select(i); });
      const actions = card.querySelector('.actions');
      actions.append(
        el('button', { type: 'button', class: 'accept', title: 'accept (a)', onclick: () => { select(i); decide('accept'); } }, 'Accept'),
        el('button', { type: 'button', class: 'reject', title: 'reject (r)', onclick: () => { select(i); decide('reject'); } }, 'Reject'),
        el('button', { type: 'button', class: 'edit', title: 'edit (e)', onclick: () => { select(i); startEdit(); } }, 'Edit'));
      card.querySelectorAll('li[data-cand]').forEach((li) => {
        const text = s.candidates[Number(li.getAttribute('data-cand'))];
        li.appendChild(el('button', { type: 'button', class: 'use', title: 'edit, starting from this candidate',
          onclick: () => { select(i); startEdit(text); } }, 'Use'));
      });
      cards.appendChild(card);
    });
    if (!view.suggestions.length) cards.appendChild(el('p', { class: 'empty', text: 'No suggestions for this story.' }));
    for (const n of view.nofix || []) {
      cards.appendChild(el('div', { class: 'card nofix',
        text: 'line ' + n.line + ': no confident fix' + (n.score == null ? '' : ' (best fix score ' + n.score.toFixed(2) + ')') }));
    }
    if (view.other && view.other.length) {
      cards.appendChild(el('h3', { text: 'Decided in another scan mode' }));
      for (const o of view.other) cards.appendChild(build(o.card));
    }
    const banner = $('doc-banner');
    if (view.stale && view.stale.length) {
      cards.appendChild(el('h3', { class: 'stale-head', text: 'Stale decisions (made on an earlier version of this file)' }));
      for (const o of view.stale) cards.appendChild(build(o.card));
      banner.textContent = 'This story changed on disk since ' + view.stale.length +
        ' decision(s) were made. They are listed as stale and will not be applied; review the new suggestions.';
      banner.hidden = false;
    } else {
      banner.hidden = true;
    }
    // Mirror each suggestion's state onto its span in the text.
    const states = new Map(view.suggestions.map((s) => [s.id, s.superseded ? 'superseded' : s.state]));
    for (const span of $('doc-text').querySelectorAll('[data-s]')) {
      span.classList.remove('st-accept', 'st-reject', 'st-edit', 'st-superseded');
      for (const id of span.getAttribute('data-s').split(' ')) {
        const st = states.get(id);
        if (st && st !== 'pending') span.classList.add('st-' + st);
      }
    }
    const done = view.suggestions.filter((s) => s.state !== 'pending').length;
    $('doc-progress').textContent = done + ' of ' + view.suggestions.length + ' decided';
    $('undo').disabled = !view.can_undo;
    $('accept-safe').disabled = !view.suggestions.some((s) => s.safe && s.state === 'pending');
    if (keep !== undefined && keep >= 0) select(Math.min(keep, view.suggestions.length - 1), false);
  }

  function cardAt(i) { return $('cards').querySelectorAll('.card[data-id]')[i] || null; }

  function select(i, scroll) {
    const view = S.doc;
    if (!view || !view.suggestions.length) { S.current = -1; return; }
    S.current = Math.max(0, Math.min(i, view.suggestions.length - 1));
    for (const c of $('cards').querySelectorAll('.card.current')) c.classList.remove('current');
    for (const m of $('doc-text').querySelectorAll('.current')) m.classList.remove('current');
    const card = cardAt(S.current);
    const id = view.suggestions[S.current].id;
    if (card) {
      card.classList.add('current');
      if (scroll !== false) card.scrollIntoView({ block: 'nearest' });
    }
    const spans = Array.from($('doc-text').querySelectorAll('[data-s]')).filter((s) => s.getAttribute('data-s').split(' ').includes(id));
    spans.forEach((s) => s.classList.add('current'));
    if (spans.length && scroll !== false) spans[0].scrollIntoView({ block: 'nearest' });
  }

  async function post(name, body) {
    if (S.busy) return null;
    S.busy = true;
    try {
      return await api('POST', name, body);
    } catch (e) {
      toast(e.message, true);
      // The story changed on disk: show its new version (and the now stale decisions).
      if (e.status === 409 && S.doc) setTimeout(() => showDoc(S.doc.path), 0);
      return null;
    } finally {
      S.busy = false;
    }
  }

  async function decide(action, text) {
    const view = S.doc;
    if (!view || S.current < 0) return;
    const s = view.suggestions[S.current];
    const res = await post('decide', { path: view.path, sha256: view.sha256, id: s.id, action, text });
    if (!res) return;
    const at = S.current;
    renderState(res, at);
    toast({ accept: 'Accepted', reject: 'Rejected', edit: 'Saved your edit' }[action]);
    if (at < view.suggestions.length - 1) select(at + 1);
  }

  function startEdit(initial) {
    const view = S.doc;
    if (!view || S.current < 0) return;
    const s = view.suggestions[S.current];
    const card = cardAt(S.current);
    if (!card || card.querySelector('textarea')) return;
    const box = el('textarea', { class: 'edit-box', rows: '4', 'aria-label': 'your text for this passage' });
    box.value = initial != null ? initial : (s.text != null ? s.text : s.proposed);
    const save = () => decide('edit', box.value);
    const cancel = () => renderState({}, S.current);
    box.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey) { ev.preventDefault(); save(); }
      if (ev.key === 'Escape') { ev.preventDefault(); cancel(); }
      ev.stopPropagation();
    });
    const editor = el('div', { class: 'editor' },
      el('div', { class: 'orig' }, el('small', { text: 'original: ' }), el('span', { class: 'quote', text: s.original })),
      box,
      el('div', { class: 'edit-actions' },
        el('button', { type: 'button', class: 'save', onclick: save }, 'Save (Enter)'),
        el('button', { type: 'button', class: 'cancel', onclick: cancel }, 'Cancel (Esc)')));
    const diff = card.querySelector('.diff');
    if (diff) diff.replaceWith(editor); else card.appendChild(editor);
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }

  async function acceptSafe() {
    const view = S.doc;
    if (!view) return;
    const res = await post('accept-safe', { path: view.path, sha256: view.sha256 });
    if (!res) return;
    renderState(res, S.current);
    toast(res.accepted ? 'Accepted ' + res.accepted + ' safe fix(es)' : 'No pending safe fixes');
  }

  async function undo() {
    const view = S.doc;
    if (!view) return;
    const res = await post('undo', { path: view.path, sha256: view.sha256 });
    if (!res) return;
    renderState(res, S.current);
    toast(res.undone ? 'Undone' : 'Nothing to undo');
  }

  async function exportAll() {
    const res = await post('export', {});
    if (res) toast('Exported ' + res.files + ' stories (' + res.changed + ' changed) to ' + res.out);
  }

  async function stepDoc(delta) {
    if (!S.queue.length) { try { await loadQueue(); } catch (e) { toast(e.message, true); return; } }
    const readable = S.queue.filter((q) => !q.error);
    if (!readable.length) return;
    const here = S.doc ? readable.findIndex((q) => q.path === S.doc.path) : -1;
    const next = here + delta;
    if (next < 0 || next >= readable.length) { toast(delta > 0 ? 'That was the last story' : 'This is the first story'); return; }
    openDoc(readable[next].path);
  }

  // -- routing and keys ---------------------------------------------------------------------
  function route() {
    const m = location.hash.match(/^#\/doc\/(.+)$/);
    if (m) {
      let path;
      try { path = decodeURIComponent(m[1]); } catch (e) { path = null; }
      if (path !== null) { showDoc(path); return; }
    }
    showQueue();
  }

  function toggleHelp(show) {
    const help = $('help');
    help.hidden = show === undefined ? !help.hidden : !show;
    if (!help.hidden) $('help-close').focus();
  }

  document.addEventListener('keydown', (ev) => {
    const t = ev.target;
    if (t && (t.tagName === 'TEXTAREA' || t.tagName === 'INPUT')) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === '?') { ev.preventDefault(); toggleHelp(); return; }
    if (ev.key === 'Escape') { toggleHelp(false); return; }
    if (!$('help').hidden) return;
    const inDoc = !$('doc-view').hidden && S.doc;
    const handlers = inDoc ? {
      j: () => select(S.current + 1), k: () => select(S.current - 1),
      a: () => decide('accept'), r: () => decide('reject'), e: () => startEdit(),
      A: () => acceptSafe(), u: () => undo(), n: () => stepDoc(1), p: () => stepDoc(-1),
      t: () => setView(!document.body.classList.contains('view-sbs')),
      q: () => { location.hash = '#/'; },
    } : {
      j: () => selectRow(S.queueIndex + 1, true), k: () => selectRow(S.queueIndex - 1, true),
      n: () => selectRow(S.queueIndex + 1, true), p: () => selectRow(S.queueIndex - 1, true),
      Enter: () => { const item = S.queue[S.queueIndex]; if (item && !item.error) openDoc(item.path); },
      t: () => setView(!document.body.classList.contains('view-sbs')),
    };
    const h = handlers[ev.key];
    if (h) { ev.preventDefault(); h(); }
  });

  $('go-queue').addEventListener('click', () => { location.hash = '#/'; });
  $('toggle-view').addEventListener('click', () => setView(!document.body.classList.contains('view-sbs')));
  $('accept-safe').addEventListener('click', acceptSafe);
  $('undo').addEventListener('click', undo);
  $('export').addEventListener('click', exportAll);
  $('help-btn').addEventListener('click', () => toggleHelp());
  $('help-close').addEventListener('click', () => toggleHelp(false));
  $('help').addEventListener('click', (ev) => { if (ev.target === $('help')) toggleHelp(false); });
  window.addEventListener('hashchange', route);

  let saved = 'inline';
  try { saved = localStorage.getItem('mtcheck-view') || 'inline'; } catch (e) { /* private mode */ }
  setView(saved === 'sbs');
  loadQueue().catch(() => {}).finally(route);
})();
