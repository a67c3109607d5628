// dossier serve: the search page. Plain ES module, no dependencies.
// Every state lives in the query string; data is only ever put in the
// page through textContent and DOM nodes, never as HTML.

// The filters, in the facet table's order, from /api/facets (start()).
let FILTERS = [];
const PER_PAGE = 10;
const TOP = 10;
const ROLES = [
  ['actor', 'Threat actor', 'the name or an alias of a threat actor'],
  ['accused', 'Accused', 'a state named as behind the activity: a sponsor'],
  ['victim', 'Victim', 'a state or sector attacked, or the home of a victim: a target'],
  ['accuser', 'Accuser', 'a state accusing, advising or co-signing: not a target'],
  ['mentioned', 'Mentioned', 'named in passing: counts as a target unless accused'],
  ['descriptor', 'Descriptor', 'a description such as “Russian-speaking”: neither'],
  ['indicator', 'Indicator', 'a CVE, an ATT&CK technique, or a malware or tool name'],
];

const $ = (id) => document.getElementById(id);
const enc = new TextEncoder();
const dec = new TextDecoder();
const reducedMotion = matchMedia('(prefers-reduced-motion: reduce)');
const wide = matchMedia('(min-width: 56rem)');

let state = null;
let countries = {};
let stats = null;
let last = null; // { s, res, hist } of the results on screen
let loadedKey = null;
let seq = 0;
let ctl = null;
let shownArticle = '';
let aseq = 0;
let articleEl = null;
let focusSearchOnClose = false;
const expanded = new Set();

// ---------------------------------------------------------------- state

function readState(search) {
  const p = new URLSearchParams(search);
  const page = parseInt(p.get('page') || '1', 10);
  const s = {
    q: p.get('q') || '',
    f: {},
    since: p.get('since') || '',
    until: p.get('until') || '',
    sort: p.get('sort') || '',
    page: Number.isFinite(page) && page > 0 ? page : 1,
    article: p.get('article') || '',
  };
  for (const F of FILTERS) s.f[F.param] = [...new Set(p.getAll(F.param).filter(Boolean))];
  return s;
}

function clone(s, changes = {}) {
  const f = {};
  for (const F of FILTERS) f[F.param] = [...s.f[F.param]];
  return { ...s, f, ...changes };
}

function filterParams(s) {
  const p = new URLSearchParams();
  if (s.q) p.set('q', s.q);
  for (const F of FILTERS) for (const v of s.f[F.param]) p.append(F.param, v);
  if (s.since) p.set('since', s.since);
  if (s.until) p.set('until', s.until);
  return p;
}

function urlOf(s) {
  const p = filterParams(s);
  if (s.sort) p.set('sort', s.sort);
  if (s.page > 1) p.set('page', String(s.page));
  if (s.article) p.set('article', s.article);
  const qs = p.toString();
  return qs ? '?' + qs : location.pathname;
}

const effectiveSort = (s) => s.sort || (s.q.trim() ? 'relevance' : 'newest');
const searchKey = (s) => urlOf(clone(s, { article: '', sort: effectiveSort(s) }));
const activeCount = (s) =>
  FILTERS.reduce((n, F) => n + s.f[F.param].length, 0) + (s.since || s.until ? 1 : 0);

function navigate(next, { replace = false } = {}) {
  const opening = !state.article && next.article;
  const url = urlOf(next);
  const same = url === urlOf(state);
  if (replace || same) history.replaceState(same ? history.state : null, '', url);
  else history.pushState(opening ? { openedFrom: 'results' } : null, '', url);
  state = next;
  load(same);
}

window.addEventListener('popstate', () => {
  state = readState(location.search);
  load(false);
});

// ---------------------------------------------------------------- data

class ApiError extends Error {
  constructor(status, message, param) {
    super(message);
    this.status = status;
    this.param = param;
  }
}

async function getJSON(url, signal) {
  let r;
  try {
    r = await fetch(url, { signal, headers: { Accept: 'application/json' } });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'Could not reach the dossier server. Is it still running?');
  }
  let body = null;
  try {
    body = await r.json();
  } catch (e) {
    if (e.name === 'AbortError') throw e;
  }
  if (!r.ok || !body) {
    const msg = body && typeof body.error === 'string' ? body.error : `The server answered ${r.status} ${r.statusText}.`;
    throw new ApiError(r.status, msg, body && body.param);
  }
  return body;
}

function histInterval(s) {
  if (!s.since && !s.until) return 'year';
  const from = Date.parse(s.since || (stats && stats.first_date) || '');
  const to = Date.parse(s.until || (stats && stats.last_date) || '') || Date.now();
  if (!Number.isFinite(from)) return 'year';
  return to - from <= 2.1 * 365.25 * 864e5 ? 'month' : 'year';
}

function load(force) {
  syncControls(state);
  const key = searchKey(state);
  if (force || key !== loadedKey) loadResults(state, key);
  if (state.article !== shownArticle) loadArticle(state.article);
}

async function loadResults(s, key) {
  const my = ++seq;
  if (ctl) ctl.abort();
  ctl = new AbortController();
  const signal = ctl.signal;
  $('results').setAttribute('aria-busy', 'true');
  const timer = setTimeout(() => document.body.classList.add('busy'), 180);
  const fp = filterParams(s);
  const sp = new URLSearchParams(fp);
  sp.set('sort', effectiveSort(s));
  sp.set('limit', String(PER_PAGE));
  sp.set('offset', String((s.page - 1) * PER_PAGE));
  sp.set('facets', 'true');
  const hp = new URLSearchParams(fp);
  hp.set('interval', histInterval(s));
  try {
    const [res, hist] = await Promise.all([
      getJSON('/api/search?' + sp, signal),
      getJSON('/api/histogram?' + hp, signal).catch((e) => {
        if (e.name === 'AbortError') throw e;
        return { error: e };
      }),
    ]);
    if (my !== seq) return;
    loadedKey = key;
    last = { s, res, hist };
    showError(null);
    render();
  } catch (e) {
    if (e.name === 'AbortError' || my !== seq) return;
    loadedKey = null;
    last = null;
    showError(e);
    renderFailure(s);
  } finally {
    clearTimeout(timer);
    if (my === seq) {
      document.body.classList.remove('busy');
      $('results').setAttribute('aria-busy', 'false');
    }
  }
}

function showError(e) {
  const box = $('error');
  box.replaceChildren();
  if (!e) {
    box.hidden = true;
    return;
  }
  const msg = el('span', null, e.status === 400 ? 'The search could not run: ' : '');
  msg.append(e.message);
  if (e.param) msg.append(el('span', 'muted', ` (parameter “${e.param}”)`));
  box.append(msg);
  if (e.status !== 400) {
    const retry = el('button', 'link', 'Retry');
    retry.type = 'button';
    retry.addEventListener('click', () => load(true));
    box.append(' ', retry);
  }
  box.hidden = false;
}

// ---------------------------------------------------------------- DOM helpers

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

function navLink(s, text, cls) {
  const a = el('a', cls, text);
  a.href = urlOf(s);
  a.dataset.nav = '';
  return a;
}

const plural = (n, one, many) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;
const countryName = (code) => countries[code] || code;

function display(F, v) {
  return F.country ? `${countryName(v)}${countries[v] ? ' (' + v + ')' : ''}` : v;
}

// Text with byte ranges [start, end) (UTF-8, into `text`) wrapped by `make`.
function marked(text, ranges, make) {
  const bytes = enc.encode(text);
  const frag = document.createDocumentFragment();
  const sorted = ranges
    .map((r) => ({ r, a: Math.max(0, r[0] | 0), b: Math.min(bytes.length, r[1] | 0) }))
    .sort((x, y) => x.a - y.a);
  let pos = 0;
  for (const { r, a: a0, b } of sorted) {
    const a = Math.max(a0, pos);
    if (b <= a) continue;
    if (a > pos) frag.append(dec.decode(bytes.subarray(pos, a)));
    const m = make(r);
    m.textContent = dec.decode(bytes.subarray(a, b));
    frag.append(m);
    pos = b;
  }
  if (pos < bytes.length) frag.append(dec.decode(bytes.subarray(pos)));
  return frag;
}

// ---------------------------------------------------------------- controls

function syncControls(s) {
  const q = $('q');
  if (document.activeElement !== q || q.value.trim() !== s.q) q.value = s.q;
  $('sort').value = effectiveSort(s);
  const n = activeCount(s);
  $('facetcount').textContent = n ? `(${n} active)` : '';
  document.title = (s.q ? `${s.q} – ` : '') + 'dossier';
}

$('search').addEventListener('submit', (e) => {
  e.preventDefault();
  const q = $('q').value.trim();
  navigate(clone(state, { q, page: 1, article: '' }));
});

$('sort').addEventListener('change', (e) => {
  navigate(clone(state, { sort: e.target.value, page: 1 }));
});

$('cleardates').addEventListener('click', () => {
  navigate(clone(state, { since: '', until: '', page: 1 }));
});

// In-page links: real hrefs (shareable, open in a new tab), followed here without reloading.
document.addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a[data-nav]');
  if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  navigate(readState(new URL(a.href).search));
});

document.addEventListener('keydown', (e) => {
  if (e.key === '/' && !e.ctrlKey && !e.metaKey && !e.altKey) {
    const t = e.target;
    if (t && t.closest && t.closest('input, textarea, select, [contenteditable]:not([contenteditable="false"])')) return;
    e.preventDefault();
    if (articleEl) {
      focusSearchOnClose = true;
      closeArticle();
    } else {
      $('q').focus();
      $('q').select();
    }
  } else if (e.key === 'Escape' && articleEl) {
    e.preventDefault();
    closeArticle();
  }
});

function syncFacetBox() {
  if (wide.matches) $('facetbox').open = true;
}
wide.addEventListener('change', syncFacetBox);
if (!wide.matches) $('facetbox').open = false;

// ---------------------------------------------------------------- results

function render() {
  if (!last) return;
  const { s, res, hist } = last;
  const total = res.total_hits | 0;
  $('total').textContent = plural(total, 'article', 'articles');
  const took = typeof res.took_ms === 'number' ? ` in ${res.took_ms} ms` : '';
  $('took').textContent = (s.q ? `match “${s.q}”` : 'in the index') + took;
  renderChips(s);
  renderFacets(res.facets || {}, s);
  renderHistogram(hist, s);
  renderHits(res.hits || [], s);
  renderEmpty(s, total, (res.hits || []).length);
  renderPager(s, total, (res.hits || []).length);
}

function renderFailure(s) {
  $('total').textContent = 'No results';
  $('took').textContent = '';
  renderChips(s);
  $('hits').replaceChildren();
  $('pager').replaceChildren();
  const box = $('empty');
  box.replaceChildren(el('p', null, 'The search could not run; see the message under the search box.'));
  box.hidden = false;
}

function renderChips(s) {
  const box = $('chips');
  box.replaceChildren();
  const chip = (label, value, next) => {
    const c = el('span', 'chip');
    c.dataset.testid = 'chip';
    c.append(el('span', 'muted', label + ' '), el('span', 'chip-v', value));
    const x = el('button', 'chip-x', '×');
    x.type = 'button';
    x.setAttribute('aria-label', `Remove filter ${label}: ${value}`);
    x.title = 'Remove this filter';
    x.addEventListener('click', () => navigate(next));
    c.append(x);
    box.append(c);
  };
  for (const F of FILTERS) {
    for (const v of s.f[F.param]) {
      const next = clone(s, { page: 1 });
      next.f[F.param] = next.f[F.param].filter((x) => x !== v);
      chip(F.label, display(F, v), next);
    }
  }
  if (s.since || s.until) {
    chip('Dates', `${s.since || '…'} – ${s.until || '…'}`, clone(s, { since: '', until: '', page: 1 }));
  }
  if (activeCount(s) > 1) {
    const all = el('button', 'link', 'Remove all filters');
    all.type = 'button';
    all.addEventListener('click', () => navigate(clearFilters(s)));
    box.append(all);
  }
  box.hidden = !box.childElementCount;
}

function clearFilters(s) {
  const next = clone(s, { since: '', until: '', page: 1 });
  for (const F of FILTERS) next.f[F.param] = [];
  return next;
}

function toggled(s, F, v) {
  const next = clone(s, { page: 1 });
  const vals = next.f[F.param];
  next.f[F.param] = vals.includes(v) ? vals.filter((x) => x !== v) : [...vals, v];
  return next;
}

function renderFacets(facets, s) {
  const box = $('facetlist');
  box.replaceChildren();
  for (const F of FILTERS) {
    const counts = facets[F.facet] || {};
    const active = s.f[F.param];
    let entries = Object.entries(counts).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    for (const v of active) if (!(v in counts)) entries.unshift([v, 0]);
    if (!entries.length) continue;
    if (F.facet === 'format' && entries.length < 2 && !active.length) continue;
    const sec = el('section', 'facet');
    const h = el('h3', 'h', F.label);
    sec.append(h);
    const ul = el('ul', 'fvs');
    const open = expanded.has(F.facet);
    // Active values first, so they can always be removed from here.
    entries = [...entries.filter(([v]) => active.includes(v)), ...entries.filter(([v]) => !active.includes(v))];
    entries.forEach(([v, n], i) => {
      const li = el('li');
      if (i >= TOP && !open) li.hidden = true;
      const b = el('button', 'fv');
      b.type = 'button';
      b.dataset.testid = 'facet-value';
      b.dataset.facet = F.facet;
      b.dataset.value = v;
      b.dataset.count = String(n);
      const on = active.includes(v);
      b.setAttribute('aria-pressed', String(on));
      const name = el('span', 'fv-name', F.country ? countryName(v) : v);
      if (F.country && countries[v]) name.append(el('span', 'code', v));
      b.append(name, el('span', 'fv-n', n.toLocaleString('en')));
      b.title = on ? `Remove the filter ${F.label}: ${v}` : `Keep only articles with ${F.label}: ${v}`;
      b.addEventListener('click', () => navigate(toggled(s, F, v)));
      li.append(b);
      ul.append(li);
    });
    sec.append(ul);
    if (entries.length > TOP) {
      const more = el('button', 'link more', open ? 'Show fewer' : `Show all ${entries.length}`);
      more.type = 'button';
      more.setAttribute('aria-expanded', String(open));
      more.addEventListener('click', () => {
        if (expanded.has(F.facet)) expanded.delete(F.facet);
        else expanded.add(F.facet);
        renderFacets(facets, s);
        const again = box.querySelector(`.facet[data-facet="${F.facet}"] .more`);
        if (again) again.focus();
      });
      sec.append(more);
    }
    sec.dataset.facet = F.facet;
    box.append(sec);
  }
  if (!box.childElementCount) box.append(el('p', 'muted', 'No facets for these results.'));
}

function renderHits(hits, s) {
  const ol = $('hits');
  ol.replaceChildren();
  ol.start = (s.page - 1) * PER_PAGE + 1;
  for (const h of hits) {
    const li = el('li', 'hit');
    li.dataset.testid = 'hit';
    const h3 = el('h3', 'hit-title');
    const a = navLink(clone(s, { article: h.id }), h.title || h.source_file || h.id);
    a.dataset.id = h.id;
    h3.append(a);
    li.append(h3);

    const meta = el('p', 'meta');
    const t = el('time', null, h.date || 'undated');
    if (h.date) t.dateTime = h.date;
    meta.append(t);
    if (h.source) meta.append(el('span', null, h.source));
    if (h.format) meta.append(el('span', 'muted', h.format));
    meta.append(el('span', 'muted id', h.source_file && h.source_file !== h.id ? h.id : h.source_file || h.id));
    li.append(meta);

    if (h.snippet) {
      const p = el('p', 'snippet');
      // A passage cut from the middle of the text reads better with ellipses.
      const cutStart = /^[\p{Ll}\p{N},;:)\]]/u.test(h.snippet);
      const cutEnd = !/[.!?…"”’')\]]\s*$/u.test(h.snippet);
      if (cutStart) p.append('… ');
      p.append(marked(h.snippet, h.highlights || [], () => el('mark', 'hl')));
      if (cutEnd) p.append(' …');
      li.append(p);
    }
    const tags = el('p', 'tags');
    const tag = (label, vals, fmt = (v) => v, cls = '') => {
      if (!vals || !vals.length) return;
      const t = el('span', 'tag ' + cls);
      t.append(el('span', 'k', label), vals.map(fmt).join(', '));
      tags.append(t);
    };
    tag('Actors', h.actors, undefined, 't-actor');
    tag('Sponsors', h.sponsors, countryName, 't-accused');
    tag('Targets', h.targets, countryName, 't-victim');
    tag('Malware', h.malware);
    tag('CVEs', h.cves);
    tag('Techniques', h.techniques);
    if (tags.childElementCount) li.append(tags);
    ol.append(li);
  }
}

function renderEmpty(s, total, shown) {
  const box = $('empty');
  box.replaceChildren();
  box.hidden = shown > 0;
  if (shown > 0) return;
  if (total > 0) {
    box.append(el('p', null, `This page is past the last result (${plural(total, 'article matches', 'articles match')}). `));
    box.lastChild.append(navLink(clone(s, { page: 1 }), 'Go to the first page'));
    return;
  }
  box.append(el('p', 'empty-h', s.q ? `No article matches “${s.q}” with these filters.` : 'No article matches these filters.'));
  const n = activeCount(s);
  if (n) {
    box.append(el('p', null, 'Try removing a filter:'));
    const ul = el('ul', 'suggest');
    for (const F of FILTERS) {
      for (const v of s.f[F.param]) {
        const next = clone(s, { page: 1 });
        next.f[F.param] = next.f[F.param].filter((x) => x !== v);
        const li = el('li');
        li.append(navLink(next, `Remove ${F.label}: ${display(F, v)}`));
        ul.append(li);
      }
    }
    if (s.since || s.until) {
      const li = el('li');
      li.append(navLink(clone(s, { since: '', until: '', page: 1 }), 'Remove the dates'));
      ul.append(li);
    }
    if (n > 1) {
      const li = el('li');
      li.append(navLink(clearFilters(s), 'Remove all filters'));
      ul.append(li);
    }
    box.append(ul);
  } else if (s.q) {
    box.append(el('p', 'muted', 'Try fewer words, OR between alternatives, or another spelling.'));
  }
}

function renderPager(s, total, shown) {
  const nav = $('pager');
  nav.replaceChildren();
  if (!shown) return;
  const first = (s.page - 1) * PER_PAGE + 1;
  const lastN = first + shown - 1;
  const pages = Math.max(1, Math.ceil(total / PER_PAGE));
  const prev = s.page > 1 ? navLink(clone(s, { page: s.page - 1 }), '← Previous', 'btn') : null;
  const next = s.page < pages ? navLink(clone(s, { page: s.page + 1 }), 'Next →', 'btn') : null;
  if (prev) prev.rel = 'prev';
  if (next) next.rel = 'next';
  const off = (t) => {
    const x = el('span', 'btn off', t);
    x.setAttribute('aria-disabled', 'true');
    return x;
  };
  nav.append(
    prev || off('← Previous'),
    el('span', 'pos', `Results ${first.toLocaleString('en')}–${lastN.toLocaleString('en')} of ${total.toLocaleString('en')}`),
    next || off('Next →'),
  );
}

// ---------------------------------------------------------------- histogram

let drag = null;
let suppressClick = false;

function renderHistogram(hist, s) {
  const box = $('hist');
  box.replaceChildren();
  const month = hist && hist.interval === 'month';
  $('tl-title').textContent = month ? 'Articles per month' : 'Articles per year';
  const dated = !!(s.since || s.until);
  $('tl-range').textContent = dated ? `${s.since || '…'} – ${s.until || '…'}` : '';
  $('cleardates').hidden = !dated;
  const note = $('tl-note');
  if (!hist || hist.error) {
    note.textContent = 'The timeline could not be loaded' + (hist && hist.error ? `: ${hist.error.message}` : '.');
    return;
  }
  const buckets = padBuckets(Array.isArray(hist.buckets) ? hist.buckets : [], month, s);
  last.buckets = buckets;
  const undated = hist.undated | 0;
  const any = buckets.some((b) => (b.count | 0) > 0);
  let text = any
    ? 'Click a bar to keep its dates, or drag across bars for a range.'
    : 'No dated article matches.';
  if (undated) text += ` ${plural(undated, 'undated article is', 'undated articles are')} not on the timeline.`;
  note.textContent = text;
  if (!any) return;
  const max = Math.max(1, ...buckets.map((b) => b.count | 0));
  const room = Math.max(1, Math.floor((box.parentElement.clientWidth || 600) / (month ? 52 : 40)));
  const step = Math.max(1, Math.ceil(buckets.length / room));
  buckets.forEach((b, i) => {
    const bar = el('button', 'bar');
    bar.type = 'button';
    bar.dataset.testid = 'year';
    bar.dataset.key = b.key;
    bar.dataset.i = String(i);
    const n = b.count | 0;
    bar.dataset.count = String(n);
    const label = month ? monthLabel(b.key) : b.key;
    bar.title = `${label}: ${plural(n, 'article', 'articles')}`;
    bar.setAttribute('aria-label', `${label}, ${plural(n, 'article', 'articles')}`);
    if (!n) bar.classList.add('zero');
    const col = el('span', 'col');
    const fill = el('span', 'fill');
    fill.style.setProperty('--h', String(n / max));
    col.append(fill);
    const lbl = el('span', 'lbl', month ? shortMonth(b.key, i === 0) : b.key);
    if (i % step !== 0) lbl.classList.add('nolbl');
    bar.append(col, lbl);
    box.append(bar);
  });
}

// With dates set, show the whole chosen range, not just its non-empty part.
function padBuckets(buckets, month, s) {
  const from = s.since || (buckets[0] && buckets[0].since);
  const to = s.until || (buckets.length && buckets[buckets.length - 1].until);
  if (!(s.since || s.until) || !/^\d{4}-\d{2}/.test(from || '') || !/^\d{4}-\d{2}/.test(to || '')) return buckets;
  const have = new Map(buckets.map((b) => [b.key, b]));
  const out = [];
  let y = +from.slice(0, 4);
  let m = month ? +from.slice(5, 7) : 1;
  const endY = +to.slice(0, 4);
  const endM = month ? +to.slice(5, 7) : 1;
  const pad = (x) => String(x).padStart(2, '0');
  while ((y < endY || (y === endY && m <= endM)) && out.length < 600) {
    const key = month ? `${y}-${pad(m)}` : String(y);
    const lastDay = month ? new Date(Date.UTC(y, m, 0)).getUTCDate() : 31;
    out.push(have.get(key) || { key, since: month ? `${key}-01` : `${y}-01-01`, until: month ? `${key}-${pad(lastDay)}` : `${y}-12-31`, count: 0 });
    if (month && ++m > 12) {
      m = 1;
      y += 1;
    } else if (!month) y += 1;
  }
  // Keep any bucket the server sent outside the range (it should not).
  return out.length && buckets.every((b) => out.some((o) => o.key === b.key)) ? out : buckets;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function monthLabel(key) {
  const [y, m] = key.split('-');
  return MONTHS[+m - 1] ? `${MONTHS[+m - 1]} ${y}` : key;
}
function shortMonth(key, first) {
  const [y, m] = key.split('-');
  if (!MONTHS[+m - 1]) return key;
  return first || m === '01' ? `${MONTHS[+m - 1]} ’${y.slice(2)}` : MONTHS[+m - 1];
}

function bucketsOnScreen() {
  return (last && last.buckets) || [];
}

function barIndexAt(x) {
  const bars = [...$('hist').querySelectorAll('.bar')];
  let best = -1;
  let dist = Infinity;
  bars.forEach((b, i) => {
    const r = b.getBoundingClientRect();
    const d = x < r.left ? r.left - x : x > r.right ? x - r.right : 0;
    if (d < dist) {
      dist = d;
      best = i;
    }
  });
  return best;
}

function paintDrag() {
  const [lo, hi] = drag ? [Math.min(drag.a, drag.b), Math.max(drag.a, drag.b)] : [-1, -2];
  $('hist').querySelectorAll('.bar').forEach((b, i) => b.classList.toggle('sel', i >= lo && i <= hi));
}

function setDates(lo, hi) {
  const bs = bucketsOnScreen();
  if (!bs[lo] || !bs[hi]) return;
  navigate(clone(state, { since: bs[lo].since, until: bs[hi].until, page: 1 }));
}

$('hist').addEventListener('pointerdown', (e) => {
  const bar = e.target.closest('.bar');
  suppressClick = false;
  if (!bar || e.button !== 0) return;
  const i = +bar.dataset.i;
  drag = { a: i, b: i, moved: false };
  paintDrag();
});
$('hist').addEventListener('pointermove', (e) => {
  if (!drag) return;
  const i = barIndexAt(e.clientX);
  if (i >= 0 && i !== drag.b) {
    drag.b = i;
    drag.moved = true;
    paintDrag();
  }
});
window.addEventListener('pointerup', () => {
  if (!drag) return;
  const d = drag;
  drag = null;
  paintDrag();
  if (d.moved && d.a !== d.b) {
    suppressClick = true;
    setDates(Math.min(d.a, d.b), Math.max(d.a, d.b));
  }
});
window.addEventListener('pointercancel', () => {
  drag = null;
  paintDrag();
});
$('hist').addEventListener('click', (e) => {
  if (suppressClick) {
    suppressClick = false;
    return;
  }
  const bar = e.target.closest('.bar');
  if (!bar) return;
  const i = +bar.dataset.i;
  setDates(i, i);
});

// ---------------------------------------------------------------- article

// Back to the results: through history when the article was opened from
// them (so Back and Close agree), else as a new state.
function closeArticle() {
  if (history.state && history.state.openedFrom === 'results') history.back();
  else navigate(clone(state, { article: '' }));
}

function openShell() {
  if (!articleEl) {
    articleEl = el('article', 'article');
    articleEl.dataset.testid = 'article';
    articleEl.setAttribute('role', 'dialog');
    articleEl.setAttribute('aria-modal', 'true');
    articleEl.setAttribute('aria-labelledby', 'a-title');
    document.body.append(articleEl);
    $('backdrop').hidden = false;
    document.documentElement.classList.add('noscroll');
    for (const e of document.querySelectorAll('body > header, body > .layout, body > .skip')) e.inert = true;
  }
  return articleEl;
}

function closeShell() {
  if (!articleEl) return;
  const id = shownArticle;
  articleEl.remove();
  articleEl = null;
  $('backdrop').hidden = true;
  document.documentElement.classList.remove('noscroll');
  for (const e of document.querySelectorAll('body > header, body > .layout, body > .skip')) e.inert = false;
  if (focusSearchOnClose) {
    focusSearchOnClose = false;
    $('q').focus();
    $('q').select();
    return;
  }
  const link = [...document.querySelectorAll('#hits a[data-id]')].find((a) => a.dataset.id === id);
  if (link) link.focus();
}

$('backdrop').addEventListener('click', () => closeArticle());

function articleBar(a) {
  const bar = el('div', 'a-bar');
  const close = el('button', 'close', '× Close');
  close.type = 'button';
  close.title = 'Back to the results (Escape)';
  close.addEventListener('click', () => closeArticle());
  bar.append(close);
  if (a && safeUrl(a.url)) {
    const src = el('a', 'btn ext', 'Open the source ↗');
    src.href = a.url;
    src.target = '_blank';
    src.rel = 'noopener noreferrer';
    bar.append(src);
  }
  return bar;
}

const safeUrl = (u) => typeof u === 'string' && /^https?:\/\//i.test(u);

async function loadArticle(id) {
  const my = ++aseq;
  if (!id) {
    closeShell();
    shownArticle = '';
    return;
  }
  shownArticle = id;
  const shell = openShell();
  const t = setTimeout(() => {
    if (my !== aseq) return;
    shell.replaceChildren(articleBar(null), el('p', 'a-loading muted', 'Loading the article…'));
  }, 150);
  try {
    const a = await getJSON('/api/articles/' + encodeURIComponent(id));
    if (my !== aseq) return;
    renderArticle(shell, a);
  } catch (e) {
    if (my !== aseq) return;
    const box = el('div', 'a-scroll');
    const h = el('h2', 'a-title', 'This article could not be opened');
    h.id = 'a-title';
    h.tabIndex = -1;
    box.append(h, el('p', 'error', e.message));
    shell.replaceChildren(articleBar(null), box);
    h.focus();
  } finally {
    clearTimeout(t);
  }
}

function kindOf(facet) {
  return facet === 'target' || facet === 'sponsor' || facet === 'country' ? 'country' : facet;
}

function renderArticle(shell, a) {
  const mentions = Array.isArray(a.mentions) ? a.mentions : [];
  const scroll = el('div', 'a-scroll');
  scroll.tabIndex = -1;

  const head = el('header', 'a-head');
  const h = el('h2', 'a-title', a.title || a.source_file || a.id);
  h.id = 'a-title';
  h.tabIndex = -1;
  const meta = el('p', 'meta');
  const t = el('time', null, a.date || 'undated');
  if (a.date) t.dateTime = a.date;
  meta.append(t);
  if (a.source) meta.append(el('span', null, a.source));
  if (a.format) meta.append(el('span', 'muted', a.format));
  meta.append(el('span', 'muted id', a.id));
  head.append(h, meta);
  if (a.url) {
    const p = el('p', 'a-url');
    if (safeUrl(a.url)) {
      const link = el('a', null, a.url);
      link.href = a.url;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      p.append('Source: ', link);
    } else p.append('Source: ', a.url);
    head.append(p);
  }

  // Count mentions per (kind, value) and per role.
  const perValue = new Map();
  const perRole = new Map();
  for (const m of mentions) {
    const k = kindOf(m.facet) + '\u0000' + m.value;
    perValue.set(k, (perValue.get(k) || 0) + 1);
    perRole.set(m.role, (perRole.get(m.role) || 0) + 1);
  }
  const cursor = new Map();
  const jumper = (kind, value) => {
    const n = perValue.get(kind + '\u0000' + value) || 0;
    if (!n) return el('span', 'jump none', 'not in the text');
    const b = el('button', 'jump', plural(n, 'mention', 'mentions'));
    b.type = 'button';
    b.title = 'Show the next mention in the text';
    b.addEventListener('click', () => {
      const marks = [...scroll.querySelectorAll('mark.m')].filter((m) => m.dataset.kind === kind && m.dataset.value === value);
      if (!marks.length) return;
      const i = ((cursor.get(kind + value) ?? -1) + 1) % marks.length;
      cursor.set(kind + value, i);
      const m = marks[i];
      m.scrollIntoView({ block: 'center', behavior: reducedMotion.matches ? 'auto' : 'smooth' });
      m.classList.remove('flash');
      void m.offsetWidth;
      m.classList.add('flash');
    });
    return b;
  };
  const filterLink = (param, value, text) => {
    const F = FILTERS.find((x) => x.param === param);
    const next = clone(state, { article: '', page: 1 });
    if (!next.f[param].includes(value)) next.f[param].push(value);
    const l = navLink(next, text);
    l.title = `Search with the filter ${F.label}: ${value}`;
    return l;
  };

  const facets = el('details', 'a-facets');
  facets.open = wide.matches;
  facets.append(el('summary', 'h', 'Why this article carries its facets'));
  const dl = el('dl');
  const row = (label, items) => {
    if (!items.length) return;
    dl.append(el('dt', null, label));
    const dd = el('dd');
    const ul = el('ul');
    for (const it of items) ul.append(it);
    dd.append(ul);
    dl.append(dd);
  };
  const item = (...parts) => {
    const li = el('li');
    li.append(...parts.filter(Boolean));
    return li;
  };
  const declared = Array.isArray(a.declared) ? a.declared : [];
  const byCode = new Map((a.countries || []).map((c) => [c.code, c]));
  // Declared values may be names ("Australia") where the facet holds codes.
  const same = (a, b) => String(a).toLowerCase() === String(b).toLowerCase();
  const declaredNote = (facet, value) => {
    const names = [value, countries[value], byCode.get(value) && byCode.get(value).name].filter(Boolean);
    const d = declared.find((x) => x.facet === facet && names.some((v) => same(v, x.value)));
    return d ? el('span', 'why', `declared in ${d.from || 'the source'}`) : null;
  };
  const evidence = a.evidence || {};
  // Why a sector, or a brand read as software or as its gang, was taken.
  const readings = Array.isArray(a.readings) ? a.readings : [];
  const readingNote = (facet, value) => {
    const r = readings.find((x) => x.facet === facet && x.value === value);
    return r ? el('span', 'why', r.why) : null;
  };
  row(
    'Actors',
    (a.actors || []).map((v) => {
      const ev = Array.isArray(evidence[v]) ? evidence[v] : [];
      return item(
        filterLink('actor', v, v),
        ' ',
        jumper('actor', v),
        ev.length ? el('span', 'why', `named as ${ev.map((x) => `“${x}”`).join(', ')}`) : null,
        readingNote('actor', v),
        declaredNote('actors', v),
      );
    }),
  );
  const cname = (code) => (byCode.get(code) && byCode.get(code).name) || countryName(code);
  const reason = (code) => {
    const c = byCode.get(code);
    return c && c.reason ? el('span', 'why', c.reason) : null;
  };
  row('Sponsors', (a.sponsors || []).map((c) => item(filterLink('sponsor', c, cname(c)), el('span', 'code', c), ' ', jumper('country', c), reason(c), declaredNote('sponsors', c))));
  row('Targets', (a.targets || []).map((c) => item(filterLink('country', c, cname(c)), el('span', 'code', c), ' ', jumper('country', c), reason(c), declaredNote('targets', c))));
  const listed = new Set([...(a.sponsors || []), ...(a.targets || [])]);
  row(
    'Also named',
    (a.countries || []).filter((c) => !listed.has(c.code)).map((c) => item(el('span', null, c.name || countryName(c.code)), el('span', 'code', c.code), ' ', jumper('country', c.code), c.reason ? el('span', 'why', c.reason) : null)),
  );
  row('Sectors', (a.sectors || []).map((v) => item(filterLink('sector', v, v), ' ', jumper('sector', v), readingNote('sector', v), declaredNote('sectors', v))));
  row('Malware', (a.malware || []).map((v) => item(filterLink('malware', v, v), ' ', jumper('malware', v), readingNote('malware', v), declaredNote('malware', v))));
  row('CVEs', (a.cves || []).map((v) => item(filterLink('cve', v, v), ' ', jumper('cve', v), declaredNote('cves', v))));
  row('Techniques', (a.techniques || []).map((v) => item(filterLink('technique', v, v), ' ', jumper('technique', v), declaredNote('techniques', v))));
  if (dl.childElementCount) facets.append(dl);
  else facets.append(el('p', 'muted', 'No actor, country, sector, malware, CVE or technique was found in this article.'));

  const legend = el('details', 'legend');
  legend.open = wide.matches;
  const lsum = el('summary');
  const swatches = el('span', 'swatches');
  for (const [role, name] of ROLES) {
    if (perRole.get(role)) swatches.append(el('mark', `m r-${role} sample`, name), ' ');
  }
  lsum.append(el('span', 'h', 'Colours in the text'), ' ', swatches);
  legend.append(lsum);
  const lul = el('ul');
  for (const [role, name, what] of ROLES) {
    const li = el('li');
    const sw = el('mark', `m r-${role} sample`, name);
    const n = perRole.get(role) || 0;
    li.append(sw, el('span', null, ` ${what} `), el('span', 'muted', `(${n})`));
    if (!n) li.classList.add('absent');
    lul.append(li);
  }
  legend.append(lul);

  const body = el('div', 'a-body');
  body.append(
    marked(a.body || '', mentions.map((m) => [m.start, m.end, m]), (r) => {
      const m = r[2];
      const known = ROLES.some(([x]) => x === m.role);
      const mk = el('mark', `m r-${known ? m.role : 'other'}`);
      mk.dataset.testid = 'mention';
      mk.dataset.role = m.role;
      mk.dataset.facet = m.facet;
      mk.dataset.kind = kindOf(m.facet);
      mk.dataset.value = m.value;
      const what = kindOf(m.facet) === 'country' ? `${cname(m.value)} (${m.value})` : m.value;
      mk.title = `${m.role}: ${what}`;
      return mk;
    }),
  );

  const side = el('div', 'a-side');
  side.append(facets, legend);
  const main = el('div', 'a-main');
  main.append(body);
  if (Array.isArray(a.links) && a.links.some(safeUrl)) {
    const ls = el('section', 'a-links');
    ls.append(el('h3', 'h', 'Links in the article'));
    const ul = el('ul');
    for (const u of a.links.filter(safeUrl)) {
      const l = el('a', null, u);
      l.href = u;
      l.target = '_blank';
      l.rel = 'noopener noreferrer';
      ul.append(item(l));
    }
    ls.append(ul);
    main.append(ls);
  }
  const grid = el('div', 'a-grid');
  grid.append(side, main);
  scroll.append(head, grid);
  shell.replaceChildren(articleBar(a), scroll);
  document.title = `${a.title || a.id} – dossier`;
  h.focus({ preventScroll: true });
}

// ---------------------------------------------------------------- start

const capitalised = (label) => label.charAt(0).toUpperCase() + label.slice(1);

async function start() {
  const [c, st, fa] = await Promise.allSettled([
    getJSON('/api/countries'),
    getJSON('/api/stats'),
    getJSON('/api/facets'),
  ]);
  if (fa.status === 'fulfilled' && Array.isArray(fa.value)) {
    FILTERS = fa.value
      .filter((f) => f.param)
      .map((f) => ({
        param: f.param,
        facet: f.name,
        label: capitalised(f.label),
        country: f.value_name === 'COUNTRY',
      }));
  }
  state = readState(location.search);
  if (c.status === 'fulfilled' && c.value && typeof c.value === 'object') countries = c.value;
  if (st.status === 'fulfilled' && st.value) {
    stats = st.value;
    const span = [stats.first_date, stats.last_date].filter(Boolean).map((d) => String(d).slice(0, 4));
    if (typeof stats.articles === 'number') {
      $('corpus').textContent =
        plural(stats.articles, 'article', 'articles') + (span.length === 2 ? `, ${span[0]}–${span[1]}` : '');
    }
  }
  load(true);
}

start();
