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
    queue: [],        // queue items as the server orders them (worst first)
    queueIndex: 0,    // selected row in the queue view
    sort: 'worst',    // worst | name
    family: '',       // show only stories with findings of this rule family
    progress: null,   // the background scan: {total, ready, done}
    doc: null,        // the open story's view
    current: -1,      // index of the selected card
    busy: false,
    poll: null,
  };

  function setView(sbs) {
    document.body.classList.toggle('view-sbs', sbs);
    document.body.classList.toggle('view-inline', !sbs);
    $('toggle-view').textContent = sbs ? 'Inline diffs' : 'Side-by-side diffs';
    try { localStorage.setItem('mtcheck-view', sbs ? 'sbs' : 'inline'); } catch (e) { /* private mode */ }
  }

  function hideAll() {
    for (const id of ['queue-view', 'doc-view', 'stats-view']) $(id).hidden = true;
  }

  function schedule(fn, ms) {
    clearTimeout(S.poll);
    S.poll = setTimeout(fn, ms);
  }

  // -- scan progress and export folder --------------------------------------------------------
  function showProgress(p) {
    S.progress = p;
    const box = $('scan-progress');
    if (!p || p.done) {
      box.hidden = !(p && p.error);
      if (p && p.error) box.textContent = 'The scan stopped: ' + p.error;
      return;
    }
    box.hidden = false;
    box.replaceChildren(
      el('span', { text: 'Scanning: ' + p.ready + ' of ' + p.total + ' stories ready' }),
      el('progress', { max: String(p.total || 1), value: String(p.ready) }));
  }

  function showExportInfo(data) {
    const info = $('export-info');
    if (data.last_export) info.textContent = 'Last export: ' + data.last_export.files + ' stories (' + data.last_export.changed + ' changed) in ' + data.last_export.out;
    else info.textContent = 'Export writes to ' + data.export_dir;
  }

  // -- queue --------------------------------------------------------------------------------
  async function loadQueue() {
    const data = await api('GET', 'queue');
    S.queue = data.items;
    showProgress(data.progress);
    showExportInfo(data);
    return data;
  }

  function chips(counts, prefix) {
    const wrap = el('span', { class: 'counts' });
    for (const [cat, n] of Object.entries(counts || {})) {
      wrap.appendChild(el('span', { class: 'chip ' + prefix + cat, title: n + ' ' + cat, text: cat + ' ' + n }));
    }
    return wrap;
  }

  function visibleQueue() {
    let items = S.queue.slice();
    if (S.family) items = items.filter((i) => i.counts && i.counts[S.family]);
    if (S.sort === 'name') items.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    return items;
  }

  function fillFamilies() {
    const sel = $('family');
    const families = new Set();
    for (const i of S.queue) for (const c of Object.keys(i.counts || {})) families.add(c);
    const want = ['', ...Array.from(families).sort()];
    const have = Array.from(sel.options).map((o) => o.value);
    if (want.join('|') === have.join('|')) return;
    sel.replaceChildren(...want.map((f) => {
      const o = el('option', { value: f, text: f ? f : 'all rule families' });
      if (f === S.family) o.selected = true;
      return o;
    }));
  }

  async function showQueue() {
    document.title = 'mtcheck review';
    hideAll();
    $('queue-view').hidden = false;
    $('crumb').textContent = '';
    for (const id of ['accept-safe', 'undo', 'undo-batch', 'redo']) $(id).disabled = true;
    S.doc = null;
    let data;
    try { data = await loadQueue(); } catch (e) { toast(e.message, true); return; }
    if ($('queue-view').hidden) return;  // the editor moved on meanwhile
    fillFamilies();
    const body = $('queue').tBodies[0];
    body.replaceChildren();
    const items = visibleQueue();
    const pending = S.queue.reduce((n, i) => n + (i.pending || 0), 0);
    $('queue-summary').textContent = S.queue.length + ' stories in ' + data.root + ', ' + pending + ' sentences to decide — reviewer ' + data.reviewer;
    items.forEach((item, i) => {
      const row = el('tr', { tabindex: '0', 'data-path': item.path,
        class: item.error ? 'unreadable' : (item.scanning ? 'scanning' : 'row-' + item.needs) });
      row.addEventListener('click', () => { if (!item.error) openDoc(item.path); });
      row.addEventListener('focus', () => selectRow(i, false));
      const story = el('td', { class: 'story' },
        el('div', { class: 'headline', text: item.headline || item.path }),
        el('div', { class: 'path', text: item.path }));
      if (item.error) {
        row.append(el('td', { text: 'skipped' }), story, el('td', { colspan: '4', text: item.error }));
      } else if (item.scanning) {
        row.append(el('td', {}, el('span', { class: 'needs needs-scanning', text: 'scanning' })), story,
          el('td', { colspan: '4', class: 'muted', text: 'being scanned: it opens as soon as its scan is in' }));
      } else {
        const done = item.cards ? Math.round(100 * item.decided / item.cards) : 100;
        row.append(
          el('td', {}, el('span', { class: 'needs needs-' + item.needs, text: item.needs, title: item.reason || '' })),
          story,
          el('td', {}, chips(item.severity, 'sev-chip sev-'), el('div', {}, chips(item.counts, 'cat-'))),
          el('td', { class: 'num', text: item.quality == null ? '—' : item.quality.toFixed(2) }),
          el('td', { class: 'num' }, el('div', { text: item.decided + ' of ' + item.cards + ' decided' }),
            el('progress', { max: '100', value: String(done), 'aria-label': done + '% decided' })),
          el('td', { class: 'num' + (item.stale ? ' stale' : ''), text: String(item.stale) }));
      }
      body.appendChild(row);
    });
    selectRow(Math.min(S.queueIndex, items.length - 1), true);
    if (S.progress && !S.progress.done && !S.progress.error) schedule(() => { if (!$('queue-view').hidden) showQueue(); }, 700);
  }

  function selectRow(i, focus) {
    const rows = $('queue').tBodies[0].rows;
    if (!rows.length) return;
    S.queueIndex = Math.max(0, Math.min(i, rows.length - 1));
    for (const r of rows) r.classList.remove('selected');
    rows[S.queueIndex].classList.add('selected');
    if (focus) rows[S.queueIndex].focus();
  }

  // -- stats --------------------------------------------------------------------------------
  async function showStats() {
    document.title = 'Rule stats — mtcheck review';
    hideAll();
    $('stats-view').hidden = false;
    $('crumb').textContent = 'rule stats';
    S.doc = null;
    let stats;
    try { stats = await api('GET', 'stats'); } catch (e) { toast(e.message, true); return; }
    const body = $('stats').tBodies[0];
    body.replaceChildren();
    for (const r of stats.rules) {
      body.appendChild(el('tr', { class: r.flagged ? 'flagged' : '', 'data-code': r.code },
        el('td', {}, el('code', { text: r.code })),
        el('td', { class: 'num', text: String(r.decided) }),
        el('td', { class: 'num', text: String(r.accept) }),
        el('td', { class: 'num', text: String(r.edit) }),
        el('td', { class: 'num', text: String(r.reject) }),
        el('td', { class: 'num rate', text: Math.round(100 * r.acceptance) + '%' }),
        el('td', { class: 'num', text: r.mean_fix_score == null ? '—' : r.mean_fix_score.toFixed(2) })));
    }
    const advice = $('stats-advice');
    advice.replaceChildren();
    for (const r of stats.rules.filter((x) => x.flagged)) {
      advice.appendChild(el('div', { class: 'advice', 'data-code': r.code },
        el('p', { text: r.code + ': editors rejected ' + Math.round(100 * r.rejection) + '% of its ' + r.decided +
          ' proposals (over ' + Math.round(100 * stats.threshold) + '%). To quieten it, add any one of these lines to the config:' }),
        el('pre', { text: r.advice.join('\n') })));
    }
    const t = stats.totals;
    $('stats-summary').textContent = stats.rules.length ? t.accept + ' accepted, ' + t.edit + ' edited, ' + t.reject + ' rejected'
      : 'No decisions on rule fixes yet.';
  }

  // -- one story ----------------------------------------------------------------------------
  function openDoc(path) {
    const hash = '#/doc/' + encodeURIComponent(path);
    if (location.hash === hash) route(); else location.hash = hash;
  }

  async function showDoc(path) {
    let view;
    try { view = await api('GET', 'doc', undefined, { path }); } catch (e) { toast(e.message, true); return; }
    hideAll();
    $('doc-view').hidden = false;
    $('doc-title').textContent = path;
    if (view.error || view.scanning) {
      S.doc = null;
      $('doc-headline').textContent = '';
      $('doc-counts').replaceChildren();
      $('doc-progress').textContent = '';
      $('doc-banner').hidden = true;
      const p = view.progress;
      $('doc-text').replaceChildren(el('p', { class: 'banner', text: view.error ? view.error
        : 'This story is still being scanned (' + p.ready + ' of ' + p.total + ' stories ready); it opens as soon as its scan is in.' }));
      $('cards').replaceChildren();
      if (view.scanning) schedule(() => { if (location.hash === '#/doc/' + encodeURIComponent(path)) showDoc(path); }, 700);
      return;
    }
    const same = S.doc && S.doc.path === path;
    S.doc = view;
    document.title = (view.headline || path) + ' — mtcheck review';
    $('doc-headline').textContent = view.headline || '';
    $('crumb').textContent = path;
    // A wire story is shown as the text its reader extracts; the export writes it back into the file.
    if (view.format && view.format !== 'plain') $('doc-title').textContent = path + ' — ' + view.format + ' story text, exported back as ' + view.format;
    $('doc-counts').replaceChildren(chips(view.counts, 'cat-'));
    $('doc-text').replaceChildren(build(view.doc));
    const i = S.queue.findIndex((q) => q.path === path);
    if (i >= 0) S.queueIndex = i;
    renderState(view, same ? S.current : -1);
    if (!same) {
      const firstPending = view.suggestions.findIndex((s) => s.state === 'pending');
      select(firstPending >= 0 ? firstPending : 0);
    }
  }

  function button(cls, label, title, fn) {
    return el('button', { type: 'button', class: cls, title, onclick: (ev) => { ev.stopPropagation(); fn(); } }, label);
  }

  function renderState(state, keep) {
    const view = S.doc;
    Object.assign(view, state);
    const cards = $('cards');
    // What the editor is typing in a card without a proposal survives a decision elsewhere.
    const drafts = new Map();
    for (const box of cards.querySelectorAll('.card[data-id] textarea.edit-box')) {
      drafts.set(box.closest('.card').getAttribute('data-id'), box.value);
    }
    cards.replaceChildren();
    view.suggestions.forEach((s, i) => {
      const card = build(s.card);
      card.addEventListener('click', (ev) => { if (!ev.target.closest('button, textarea, summary')) select(i); });
      const actions = card.querySelector('.actions');
      if (s.best) actions.append(button('accept', 'Accept', 'accept the proposal (a)', () => { select(i); decide('accept'); }));
      actions.append(
        button('reject', 'Reject', 'reject: leave the sentence as it is (r)', () => { select(i); decide('reject'); }),
        button('edit', 'Edit', 'write your own text (e)', () => { select(i); startEdit(); }));
      if (s.state !== 'pending') actions.append(button('undo-one', 'Undo', 'undo the decision on this sentence', () => { select(i); undo(false, s.id); }));
      card.querySelectorAll('li[data-opt]').forEach((li) => {
        const opt = s.options[Number(li.getAttribute('data-i'))];
        li.appendChild(el('div', { class: 'opt-actions' },
          button('use-accept', 'Accept this', 'accept this proposal instead', () => { select(i); decide('accept', undefined, opt.key); }),
          button('use', 'Edit from this', 'edit, starting from this proposal', () => { select(i); startEdit(opt.text); })));
      });
      cards.appendChild(card);
      if (!s.best && s.state === 'pending') openEditor(i, card, drafts.has(s.id) ? drafts.get(s.id) : s.original, false);
    });
    if (!view.suggestions.length) cards.appendChild(el('p', { class: 'empty', text: 'Nothing in this story needs attention.' }));
    if (view.outside && view.outside.length) {
      cards.appendChild(el('h3', { class: 'outside-head', text: 'About the file, outside its story text (mend it in the file)' }));
      for (const f of view.outside) {
        cards.appendChild(el('p', { class: 'outside sev-' + f.severity, 'data-rule': f.rule,
          text: f.rule + ' ' + f.severity + (f.line ? ' (line ' + f.line + ' of the file)' : '') + ': ' + f.message }));
      }
    }
    if (view.other && view.other.length) {
      cards.appendChild(el('h3', { text: 'Decided in another scan mode' }));
      for (const o of view.other) cards.appendChild(build(o.card));
    }
    const banner = $('doc-banner');
    if (view.stale && view.stale.length) {
      cards.appendChild(el('h3', { class: 'stale-head', text: 'Stale decisions (made on an earlier version of this file)' }));
      for (const o of view.stale) {
        const card = build(o.card);
        const actions = card.querySelector('.actions');
        actions.append(button('dismiss', 'Dismiss', 'put this decision away: it is not applied', () => staleAction('dismiss', [o.decision])));
        if (o.reapplicable) actions.append(button('reapply', 'Re-apply', 'make this decision again on the same text in the new version', () => staleAction('reapply', [o.decision])));
        cards.appendChild(card);
      }
      banner.replaceChildren(
        el('span', { text: 'This story changed on disk since ' + view.stale.length +
          ' decision(s) were made. They are listed as stale and will not be applied: re-apply or dismiss them. ' }),
        button('dismiss-all', 'Dismiss all stale', 'put every stale decision of this story away', () => staleAction('dismiss', view.stale.map((o) => o.decision))));
      banner.hidden = false;
    } else {
      banner.hidden = true;
    }
    // Mirror each card's state onto its span in the text.
    const states = new Map(view.suggestions.map((s) => [s.id, s.superseded ? 'superseded' : s.state]));
    for (const span of $('doc-text').querySelectorAll('[data-s]')) {
      span.classList.remove('st-accept', 'st-reject', 'st-edit', 'st-superseded');
      for (const id of span.getAttribute('data-s').split(' ')) {
        const st = states.get(id);
        if (st && st !== 'pending') span.classList.add('st-' + st);
      }
    }
    const done = view.suggestions.filter((s) => s.state !== 'pending').length;
    $('doc-progress').textContent = done + ' of ' + view.suggestions.length + ' sentences decided';
    $('undo').disabled = !view.can_undo;
    $('undo-batch').disabled = !view.can_undo;
    $('redo').disabled = !view.can_redo;
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

  async function decide(action, text, option) {
    const view = S.doc;
    if (!view || S.current < 0) return;
    const s = view.suggestions[S.current];
    if (action === 'accept' && !s.best && !option) { startEdit(); return; }  // nothing proposed: write it
    const res = await post('decide', { path: view.path, sha256: view.sha256, id: s.id, action, text, option });
    if (!res) return;
    const at = S.current;
    renderState(res, at);
    toast({ accept: 'Accepted', reject: 'Rejected', edit: 'Saved your edit' }[action]);
    if (at < view.suggestions.length - 1) select(at + 1);
  }

  // -- the editor: the editor's own text, fix-scored as it is typed ------------------------------
  function openEditor(i, card, initial, focus) {
    const view = S.doc;
    const s = view.suggestions[i];
    if (card.querySelector('textarea')) return card.querySelector('textarea');
    const box = el('textarea', { class: 'edit-box', rows: '4', 'aria-label': 'your text for this sentence' });
    box.value = initial;
    const live = el('div', { class: 'live', 'aria-live': 'polite' });
    const save = () => { select(i); decide('edit', box.value); };
    const cancel = () => renderState({}, S.current);
    box.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey) { ev.preventDefault(); save(); }
      if (ev.key === 'Escape') { ev.preventDefault(); box.blur(); if (s.best || s.state !== 'pending') cancel(); }
      ev.stopPropagation();
    });
    box.addEventListener('input', () => scoreLater(s, box.value, live));
    box.addEventListener('focus', () => { if (S.current !== i) select(i, false); });
    const editor = el('div', { class: 'editor' },
      box, live,
      el('div', { class: 'edit-actions' },
        el('button', { type: 'button', class: 'save', onclick: save }, 'Save (Enter)'),
        el('button', { type: 'button', class: 'cancel', onclick: cancel }, 'Cancel (Esc)')));
    const where = card.querySelector('.proposal') || card.querySelector('.actions');
    if (card.querySelector('.proposal')) where.replaceWith(editor); else where.before(editor);
    scoreLater(s, box.value, live, 0);
    if (focus) focusEditor(box, s);
    return box;
  }

  function focusEditor(box, s) {
    box.focus();
    // On the sentence as it stands, the first damaged span is selected: typing replaces it.
    const d = (s.damaged || [])[0];
    if (d && box.value === s.original) box.setSelectionRange(d[0], d[1]);
    else box.setSelectionRange(box.value.length, box.value.length);
  }

  function scoreLater(s, text, live, delay) {
    // One timer and one ticket per editor: only the answer to the latest text is shown.
    clearTimeout(live.scoreTimer);
    const view = S.doc;
    const ticket = (live.scoreTicket = (live.scoreTicket || 0) + 1);
    live.scoreTimer = setTimeout(async () => {
      if (!S.doc || S.doc !== view) return;
      let r;
      try { r = await api('POST', 'fixscore', { path: view.path, sha256: view.sha256, id: s.id, text }); } catch (e) { live.textContent = e.message; return; }
      if (ticket !== live.scoreTicket) return;  // typed on meanwhile: a newer score is coming
      live.replaceChildren(
        el('span', { class: 'words', text: r.unchanged ? 'unchanged: still the original text' : r.words }),
        el('span', { class: r.problems.length ? 'keeps warn' : 'keeps', text: r.keeps }));
      live.setAttribute('data-score', String(r.score));
    }, delay === undefined ? 250 : delay);
  }

  function startEdit(initial) {
    const view = S.doc;
    if (!view || S.current < 0) return;
    const s = view.suggestions[S.current];
    const card = cardAt(S.current);
    if (!card) return;
    const existing = card.querySelector('textarea');
    if (existing && initial == null) { focusEditor(existing, s); return; }
    if (existing) existing.closest('.editor').remove();
    const start = initial != null ? initial : (s.text != null ? s.text : (s.best ? s.proposed : s.original));
    openEditor(S.current, card, start, true);
  }

  async function acceptSafe() {
    const view = S.doc;
    if (!view) return;
    const res = await post('accept-safe', { path: view.path, sha256: view.sha256 });
    if (!res) return;
    renderState(res, S.current);
    toast(res.accepted ? 'Accepted ' + res.accepted + ' safe fix(es): u undoes them one by one, Shift+U all at once' : 'No pending safe fixes');
  }

  async function undo(batch, id) {
    const view = S.doc;
    if (!view) return;
    const res = await post('undo', { path: view.path, sha256: view.sha256, batch: !!batch, id });
    if (!res) return;
    renderState(res, S.current);
    toast(res.undone ? 'Undone (' + res.undone + ')' : 'Nothing to undo');
  }

  async function redo() {
    const view = S.doc;
    if (!view) return;
    const res = await post('redo', { path: view.path, sha256: view.sha256 });
    if (!res) return;
    renderState(res, S.current);
    toast(res.redone ? 'Redone (' + res.redone + ')' : 'Nothing to redo');
  }

  async function staleAction(name, ids) {
    const view = S.doc;
    if (!view) return;
    const res = await post(name, { path: view.path, sha256: view.sha256, ids });
    if (!res) return;
    renderState(res, S.current);
    toast(name === 'dismiss' ? 'Dismissed ' + res.dismissed : 'Re-applied ' + res.reapplied);
  }

  async function exportAll() {
    const res = await post('export', {});
    if (!res) return;
    const text = 'Exported ' + res.files + ' stories (' + res.changed + ' changed) to ' + res.out;
    // A wire file's other rendering of the text that the fixes could not be mapped into: say so.
    toast(res.notes && res.notes.length ? text + '. ' + res.notes.join('; ') : text, !!(res.notes && res.notes.length));
    $('export-info').textContent = 'Last export: ' + res.files + ' stories (' + res.changed + ' changed) in ' + res.out;
  }

  async function stepDoc(delta) {
    if (!S.queue.length) { try { await loadQueue(); } catch (e) { toast(e.message, true); return; } }
    const readable = visibleQueue().filter((q) => !q.error);
    if (!readable.length) return;
    const here = S.doc ? readable.findIndex((q) => q.path === S.doc.path) : -1;
    const next = here + delta;
    if (next < 0 || next >= readable.length) { toast(delta > 0 ? 'That was the last story' : 'This is the first story'); return; }
    openDoc(readable[next].path);
  }

  // -- routing and keys ---------------------------------------------------------------------
  function route() {
    clearTimeout(S.poll);
    if (location.hash === '#/stats') { showStats(); return; }
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
    if (t && (t.tagName === 'TEXTAREA' || t.tagName === 'INPUT' || t.tagName === 'SELECT')) return;
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    if (ev.key === '?') { ev.preventDefault(); toggleHelp(); return; }
    if (ev.key === 'Escape') { toggleHelp(false); return; }
    if (!$('help').hidden) return;
    const inDoc = !$('doc-view').hidden && S.doc;
    const common = {
      t: () => setView(!document.body.classList.contains('view-sbs')),
      s: () => { location.hash = '#/stats'; },
      q: () => { location.hash = '#/'; },
    };
    const handlers = inDoc ? {
      ...common,
      j: () => select(S.current + 1), k: () => select(S.current - 1),
      a: () => decide('accept'), r: () => decide('reject'), e: () => startEdit(),
      A: () => acceptSafe(), u: () => undo(false), U: () => undo(true), y: () => redo(), R: () => redo(),
      n: () => stepDoc(1), p: () => stepDoc(-1),
    } : (!$('stats-view').hidden ? common : {
      ...common,
      j: () => selectRow(S.queueIndex + 1, true), k: () => selectRow(S.queueIndex - 1, true),
      n: () => selectRow(S.queueIndex + 1, true), p: () => selectRow(S.queueIndex - 1, true),
      Enter: () => { const item = visibleQueue()[S.queueIndex]; if (item && !item.error) openDoc(item.path); },
    });
    const h = handlers[ev.key];
    if (h) { ev.preventDefault(); h(); }
  });

  $('go-queue').addEventListener('click', () => { location.hash = '#/'; });
  $('go-stats').addEventListener('click', () => { location.hash = '#/stats'; });
  $('toggle-view').addEventListener('click', () => setView(!document.body.classList.contains('view-sbs')));
  $('accept-safe').addEventListener('click', acceptSafe);
  $('undo').addEventListener('click', () => undo(false));
  $('undo-batch').addEventListener('click', () => undo(true));
  $('redo').addEventListener('click', redo);
  $('export').addEventListener('click', exportAll);
  $('sort').addEventListener('change', (ev) => { S.sort = ev.target.value; showQueue(); });
  $('family').addEventListener('change', (ev) => { S.family = ev.target.value; S.queueIndex = 0; showQueue(); });
  $('help-btn').addEventListener('click', () => toggleHelp());
  $('help-close').addEventListener('click', () => toggleHelp(false));
  $('help').addEventListener('click', (ev) => { if (ev.target === $('help')) toggleHelp(false); });
  window.addEventListener('hashchange', route);

  let saved = 'inline';
  try { saved = localStorage.getItem('mtcheck-view') || 'inline'; } catch (e) { /* private mode */ }
  setView(saved === 'sbs');
  loadQueue().catch(() => {}).finally(route);
})();
