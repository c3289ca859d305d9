// The kube-incident web console: plain JavaScript, no dependencies.
// Every string that comes from the cluster, the logs or an analyzer is put on the page as text
// (textContent / text nodes), never as markup.

const TOKEN_KEY = 'kube-incident.token';
const NAME_KEY = 'kube-incident.approver';

const state = {
  incidents: new Map(),          // id -> summary
  filters: { namespace: '', type: '', phase: '', severity: '' },
  approvals: { pending: [], recent: [] },
  route: '',
  stream: null,                  // AbortController of the event stream
  refreshTimer: null,
  results: new Map(),            // approval id -> what the last decision from this page achieved
};

// ---------------------------------------------------------------- DOM helpers

/** Creates an element; string children become text nodes. */
function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const $ = (sel) => document.querySelector(sel);

function announce(msg) {
  $('#announce').textContent = msg;
}

function time(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (isNaN(d)) return String(iso);
  return d.toLocaleString(undefined, { hour12: false });
}

function timeEl(iso) {
  return h('time', { datetime: iso || '' }, time(iso));
}

function ago(iso) {
  if (!iso) return '';
  const s = Math.round((Date.now() - new Date(iso).getTime()) / 1000);
  if (isNaN(s)) return '';
  if (s < 60) return `${Math.max(s, 0)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${Math.round(s / 3600)} h ago`;
}

function badge(kind, text) {
  return h('span', { class: `badge ${kind}` }, text);
}

function conf(x) {
  return typeof x === 'number' ? x.toFixed(2) : '';
}

// ---------------------------------------------------------------- API

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(path, options = {}) {
  const headers = { Authorization: `Bearer ${token()}`, ...(options.headers || {}) };
  const res = await fetch(path, { ...options, headers, credentials: 'omit', cache: 'no-store' });
  let body = null;
  try {
    body = await res.json();
  } catch (e) {
    body = null;
  }
  if (res.status === 401) {
    signOut('The token was not accepted. Enter it again.');
    throw new ApiError(401, 'unauthorized');
  }
  if (!res.ok) {
    const msg = body && body.error ? body.error : `HTTP ${res.status}`;
    const leader = body && body.leader ? ` (leader: ${body.leader})` : '';
    throw new ApiError(res.status, msg + leader);
  }
  return body;
}

// ---------------------------------------------------------------- live stream (fetch streaming: headers allowed)

async function openStream() {
  closeStream();
  const ctrl = new AbortController();
  state.stream = ctrl;
  let delay = 1000;
  while (!ctrl.signal.aborted) {
    try {
      const res = await fetch('/api/v1/console/events', {
        headers: { Authorization: `Bearer ${token()}`, Accept: 'text/event-stream' },
        signal: ctrl.signal, credentials: 'omit', cache: 'no-store',
      });
      if (res.status === 401) {
        signOut('The token was not accepted. Enter it again.');
        return;
      }
      if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
      setLive(true);
      delay = 1000;
      await refreshAll();     // anything that happened while disconnected
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buf += value;
        let cut;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          handleEvent(block);
        }
      }
    } catch (e) {
      if (ctrl.signal.aborted) return;
    }
    setLive(false);
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 15000);
  }
}

function closeStream() {
  if (state.stream) state.stream.abort();
  state.stream = null;
  setLive(false);
}

function setLive(on) {
  const el = $('#live');
  el.textContent = on ? 'live' : 'offline';
  el.classList.toggle('on', on);
}

function handleEvent(block) {
  let name = 'message';
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) name = line.slice(6).trim();
    else if (line.startsWith('data:')) data.push(line.slice(5).trim());
  }
  let payload = {};
  try {
    payload = data.length ? JSON.parse(data.join('\n')) : {};
  } catch (e) {
    return;
  }
  if (name === 'incident' && payload.id) {
    const isNew = !state.incidents.has(payload.id);
    state.incidents.set(payload.id, payload);
    if (isNew) announce(`New incident: ${payload.type} on ${payload.root.key}`);
    if (route().page === 'incidents') renderIncidentRows();
    if (route().page === 'incident' && route().id === payload.id) scheduleRefresh();
  } else if (name === 'approvals') {
    loadApprovals().then(() => {
      if (route().page === 'approvals' || route().page === 'incident') scheduleRefresh();
    });
  } else if (name === 'audit') {
    if (route().page === 'status') scheduleRefresh(1000);
  } else if (name === 'resync') {
    refreshAll();
  }
}

/** Coalesces bursts of change notices into one re-render of the current page. */
function scheduleRefresh(ms = 150) {
  if (state.refreshTimer) return;
  state.refreshTimer = setTimeout(() => {
    state.refreshTimer = null;
    render(false);
  }, ms);
}

async function refreshAll() {
  try {
    const list = await api('/api/v1/console/incidents');
    state.incidents = new Map(list.incidents.map((i) => [i.id, i]));
    await loadApprovals();
    render(false);
  } catch (e) {
    showError(e);
  }
}

async function loadApprovals() {
  try {
    state.approvals = await api('/api/v1/console/approvals');
  } catch (e) {
    return;
  }
  const n = state.approvals.pending.length;
  const c = $('#approval-count');
  c.textContent = String(n);
  c.hidden = n === 0;
  c.setAttribute('aria-label', `${n} pending`);
}

// ---------------------------------------------------------------- routing

function route() {
  const hash = location.hash.replace(/^#\/?/, '');
  const [page, ...rest] = hash.split('/');
  if (page === 'incident' && rest.length) return { page: 'incident', id: decodeURIComponent(rest.join('/')) };
  if (page === 'approvals' || page === 'status') return { page };
  return { page: 'incidents' };
}

function view() {
  return $('#view');
}

function showError(e) {
  if (e instanceof ApiError && e.status === 401) return;
  const v = view();
  v.replaceChildren(h('div', { class: 'panel error', role: 'alert' }, `Cannot read the responder: ${e.message}`));
}

async function render(focus = true) {
  if (!token()) return;
  const r = route();
  for (const a of document.querySelectorAll('[data-nav]')) {
    const current = a.dataset.nav === r.page || (r.page === 'incident' && a.dataset.nav === 'incidents');
    if (current) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  try {
    if (r.page === 'incident') await renderIncident(r.id);
    else if (r.page === 'approvals') await renderApprovals();
    else if (r.page === 'status') await renderStatus();
    else renderIncidents();
  } catch (e) {
    showError(e);
  }
  if (focus && state.route !== location.hash) {
    const h1 = view().querySelector('h1');
    if (h1) {
      h1.setAttribute('tabindex', '-1');
      h1.focus({ preventScroll: false });
    }
  }
  state.route = location.hash;
}

// ---------------------------------------------------------------- incidents

const FILTERS = [
  ['namespace', 'Namespace', (i) => i.namespace || '(cluster)'],
  ['type', 'Type', (i) => i.type],
  ['phase', 'Phase', (i) => i.phase],
  ['severity', 'Severity', (i) => i.severity],
];

function renderIncidents() {
  const v = view();
  const existing = v.querySelector('#incident-page');
  if (existing) {
    renderIncidentRows();
    return;
  }
  const form = h('form', { class: 'filters', 'aria-label': 'Filter incidents', onsubmit: (e) => e.preventDefault() });
  for (const [key, label] of FILTERS) {
    const id = `filter-${key}`;
    const sel = h('select', {
      id, name: key,
      onchange: (e) => { state.filters[key] = e.target.value; renderIncidentRows(); },
    });
    form.append(h('div', { class: 'field' }, h('label', { for: id }, label), sel));
  }
  v.replaceChildren(h('div', { id: 'incident-page' },
    h('h1', {}, 'Incidents'),
    form,
    h('p', { id: 'incident-summary', class: 'muted' }),
    h('div', { class: 'table-wrap' },
      h('table', { id: 'incidents', class: 'list' },
        h('caption', { class: 'sr-only' }, 'Incidents, newest change first'),
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Incident'), h('th', { scope: 'col' }, 'Resource'),
          h('th', { scope: 'col' }, 'Severity'), h('th', { scope: 'col' }, 'Phase'),
          h('th', { scope: 'col' }, 'Diagnosis'), h('th', { scope: 'col' }, 'Changed'))),
        h('tbody', {}))),
  ));
  renderIncidentRows();
}

function renderIncidentRows() {
  const table = $('#incidents');
  if (!table) return;
  const all = [...state.incidents.values()];
  // filter choices from what is known, keeping the current choice
  for (const [key, label, get] of FILTERS) {
    const sel = $(`#filter-${key}`);
    const values = [...new Set(all.map(get))].sort();
    const chosen = state.filters[key];
    if (chosen && !values.includes(chosen)) values.push(chosen);
    if (sel.dataset.values === values.join('\n') && sel.options.length) continue;  // unchanged: keep focus and state
    sel.dataset.values = values.join('\n');
    sel.replaceChildren(h('option', { value: '' }, `All (${label.toLowerCase()})`),
      ...values.map((x) => h('option', { value: x, selected: x === chosen }, x)));
  }
  const rows = all.filter((i) => FILTERS.every(([key, , get]) => !state.filters[key] || get(i) === state.filters[key]))
    .sort((a, b) => String(b.changedAt).localeCompare(String(a.changedAt)));
  const open = all.filter((i) => i.phase === 'open' || i.phase === 'remediating').length;
  $('#incident-summary').textContent =
    `${open} open, ${all.length} known; showing ${rows.length}. New ones appear here as they happen.`;
  const tbody = table.tBodies[0];
  if (rows.length === 0) {
    tbody.replaceChildren(h('tr', {}, h('td', { colspan: 6, class: 'muted' },
      all.length ? 'No incident matches the filters.' : 'No incidents yet. The cluster looks fine so far.')));
    return;
  }
  tbody.replaceChildren(...rows.map((i) => h('tr', { 'data-incident': i.id, 'data-phase': i.phase },
    h('td', { 'data-label': 'Incident' }, h('a', { href: `#/incident/${encodeURIComponent(i.id)}` }, i.type),
      h('div', { class: 'muted small' }, i.headline)),
    h('td', { 'data-label': 'Resource' }, i.root.key),
    h('td', { 'data-label': 'Severity' }, badge(`sev-${i.severity}`, i.severity)),
    h('td', { 'data-label': 'Phase' }, badge(`phase-${i.phase}`, i.phase)),
    h('td', { 'data-label': 'Diagnosis' }, i.diagnosis
      ? `${i.diagnosis.category} (${conf(i.diagnosis.confidence)}, ${i.diagnosis.analyzer})` : 'analyzing…'),
    h('td', { 'data-label': 'Changed' }, timeEl(i.changedAt), h('div', { class: 'muted small' }, ago(i.changedAt))),
  )));
}

// ---------------------------------------------------------------- one incident

const STAGES = ['detected', 'evidence', 'diagnosis', 'plan', 'verdict', 'approval', 'execution', 'verification', 'outcome'];

async function renderIncident(id) {
  const d = await api(`/api/v1/console/incidents/${encodeURIComponent(id)}`);
  const pending = state.approvals.pending.filter((a) => a.incidentId === id);
  const v = view();
  const diag = d.diagnosis;
  v.replaceChildren(h('article', { id: 'incident-detail', 'data-incident': d.id },
    h('p', {}, h('a', { href: '#/incidents' }, '← All incidents')),
    h('h1', {}, `${d.type} on ${d.root.key}`),
    h('div', { class: 'meta' },
      badge(`sev-${d.severity}`, d.severity), ' ', badge(`phase-${d.phase}`, d.phase),
      h('span', { class: 'muted' }, ` opened ${time(d.openedAt)} · id ${d.id}`)),
    diag ? h('section', { class: 'panel diagnosis', 'aria-labelledby': 'diag-title' },
      h('h2', { id: 'diag-title' }, 'Diagnosis'),
      h('p', { class: 'root-cause' }, diag.rootCause || diag.category),
      h('p', { class: 'muted' }, `${diag.category} · by ${diag.analyzer} · confidence ${conf(diag.confidence)}`),
      diag.reasoning ? h('details', {}, h('summary', {}, 'Reasoning'), h('p', { class: 'prewrap' }, diag.reasoning)) : null)
      : h('p', { class: 'muted' }, 'Not analyzed yet.'),
    pending.length ? h('section', { class: 'panel', 'aria-labelledby': 'pending-title' },
      h('h2', { id: 'pending-title' }, 'Waiting for your decision'),
      ...pending.map(approvalCard)) : null,
    h('section', { 'aria-labelledby': 'timeline-title' },
      h('h2', { id: 'timeline-title' }, 'Timeline'),
      h('ol', { class: 'timeline', id: 'timeline' }, ...d.timeline.map(timelineEntry))),
    d.evidence ? evidencePanes(d.evidence) : null,
  ));
}

function timelineEntry(e) {
  return h('li', { class: `tl tone-${e.tone}`, 'data-stage': e.stage },
    h('div', { class: 'tl-head' },
      h('span', { class: 'stage' }, e.stage), ' ',
      h('strong', { class: 'tl-title' }, e.title), ' ',
      h('span', { class: 'muted small' }, timeEl(e.at))),
    e.text ? h('p', { class: 'tl-text prewrap' }, e.text) : null,
    e.reasons && e.reasons.length ? h('ul', { class: 'reasons' }, ...e.reasons.map((r) => h('li', {}, r))) : null);
}

function evidencePanes(ev) {
  const panes = h('section', { class: 'evidence', 'aria-labelledby': 'evidence-title' },
    h('h2', { id: 'evidence-title' }, 'Evidence'));
  const warnings = ev.events.filter((e) => e.type === 'Warning');
  const others = ev.events.filter((e) => e.type !== 'Warning');
  panes.append(pane('Warning events', warnings.length === 0 && others.length === 0 ? h('p', { class: 'muted' }, 'No events.')
    : h('div', { class: 'table-wrap' }, h('table', { class: 'list events' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Count'), h('th', { scope: 'col' }, 'Reason'),
        h('th', { scope: 'col' }, 'Object'), h('th', { scope: 'col' }, 'Message'))),
      h('tbody', {}, ...[...warnings, ...others].map((e) => h('tr', { class: e.type === 'Warning' ? 'warn' : '' },
        h('td', { 'data-label': 'Count' }, `×${e.count}`),
        h('td', { 'data-label': 'Reason' }, e.reason, e.type === 'Warning' ? '' : h('span', { class: 'muted' }, ` (${e.type})`)),
        h('td', { 'data-label': 'Object' }, e.object || ''),
        h('td', { 'data-label': 'Message' }, e.message))))))));
  panes.append(pane('Log tails (redacted)', ev.logs.length === 0 ? h('p', { class: 'muted' }, 'No logs were read.')
    : h('div', {}, ...ev.logs.map((l) => h('figure', { class: 'log' },
      h('figcaption', {}, `${l.pod} · ${l.container}${l.previous ? ' · previous instance' : ''}${l.truncated ? ' · cut' : ''}`),
      h('pre', { tabindex: 0 }, l.lines.length ? l.lines.join('\n') : '(empty)'))))));
  panes.append(pane('Owner chain', ev.ownerChain.length === 0 ? h('p', { class: 'muted' }, 'No owners.')
    : h('ol', { class: 'chain' }, ...ev.ownerChain.map((r) => h('li', {}, r.key)))));
  const rollout = [];
  if (ev.rolloutChange) {
    const c = ev.rolloutChange;
    rollout.push(h('p', { class: 'change' },
      `Revision ${c.healthyRevision} (${c.healthyReady} ready) → revision ${c.failingRevision} (${c.failingReady} ready): `,
      c.images.length ? c.images.map((x) => `image ${x.from ?? '(none)'} → ${x.to ?? '(none)'}`).join('; ')
        : 'same images (the change is elsewhere in the template)'));
  }
  if (ev.rollout.length) {
    rollout.push(h('div', { class: 'table-wrap' }, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Revision'), h('th', { scope: 'col' }, 'ReplicaSet'),
        h('th', { scope: 'col' }, 'Images'), h('th', { scope: 'col' }, 'Ready'), h('th', { scope: 'col' }, 'Created'))),
      h('tbody', {}, ...ev.rollout.map((r) => h('tr', {},
        h('td', { 'data-label': 'Revision' }, `${r.revision}${r.current ? ' (current)' : ''}`),
        h('td', { 'data-label': 'ReplicaSet' }, r.replicaSet),
        h('td', { 'data-label': 'Images' }, r.images.join(', ')),
        h('td', { 'data-label': 'Ready' }, String(r.readyReplicas)),
        h('td', { 'data-label': 'Created' }, timeEl(r.createdAt))))))));
  }
  panes.append(pane('Rollout history', rollout.length ? h('div', {}, ...rollout) : h('p', { class: 'muted' }, 'Not a rollout.')));
  const facts = Object.entries(ev.facts || {});
  if (facts.length) {
    panes.append(pane('Facts', h('dl', { class: 'facts' }, ...facts.flatMap(([k, val]) => [h('dt', {}, k), h('dd', {}, val)]))));
  }
  return panes;
}

function pane(title, body) {
  return h('details', { class: 'pane', open: true }, h('summary', {}, title), body);
}

// ---------------------------------------------------------------- approvals

function expired(a) {
  return a.expiresAt && new Date(a.expiresAt).getTime() <= Date.now();
}

function approvalCard(a) {
  const isExpired = a.status === 'expired' || (a.status === 'pending' && expired(a));
  const result = h('p', { class: 'result', role: 'status' }, state.results.get(a.id) || '');
  const decide = async (how, btns) => {
    btns.forEach((b) => { b.disabled = true; });
    result.textContent = how === 'approve' ? 'Approving… the action runs now.' : 'Rejecting…';
    try {
      const approver = sessionStorage.getItem(NAME_KEY) || 'console';
      const r = await api(`/api/v1/approvals/${encodeURIComponent(a.id)}/${how}`, {
        method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ approver }),
      });
      result.textContent = how === 'approve' ? `Approved: ${r.result}${r.message ? ` (${r.message})` : ''}` : 'Rejected.';
      state.results.set(a.id, result.textContent);
      announce(result.textContent);
      await loadApprovals();
      scheduleRefresh(400);
    } catch (e) {
      result.textContent = `Not done: ${e.message}`;
      state.results.set(a.id, result.textContent);
      btns.forEach((b) => { b.disabled = false; });
    }
  };
  const approve = h('button', { type: 'button', class: 'approve', disabled: isExpired || a.status !== 'pending' }, 'Approve');
  const reject = h('button', { type: 'button', class: 'reject', disabled: isExpired || a.status !== 'pending' }, 'Reject');
  const label = `${a.action} on ${a.target.kind}/${a.target.namespace ? a.target.namespace + '/' : ''}${a.target.name}`;
  approve.setAttribute('aria-label', `Approve ${label}`);
  reject.setAttribute('aria-label', `Reject ${label}`);
  approve.addEventListener('click', () => decide('approve', [approve, reject]));
  reject.addEventListener('click', () => decide('reject', [approve, reject]));
  const status = isExpired ? 'expired' : a.status;
  return h('div', { class: `approval status-${status}`, 'data-approval': a.id },
    h('div', { class: 'tl-head' }, h('strong', {}, label), ' ', badge(`st-${status}`, status)),
    h('p', {}, `Incident `, h('a', { href: `#/incident/${encodeURIComponent(a.incidentId)}` }, a.incidentType),
      ` · confidence ${conf(a.confidence)} · decision ${a.decision}`),
    a.rationale ? h('p', { class: 'prewrap' }, a.rationale) : null,
    a.reasons && a.reasons.length ? h('ul', { class: 'reasons' }, ...a.reasons.map((r) => h('li', {}, r))) : null,
    h('p', { class: 'muted small' }, `requested ${time(a.requestedAt)}`,
      a.expiresAt ? ` · ${isExpired ? 'expired' : 'expires'} ${time(a.expiresAt)}` : '',
      a.decidedBy ? ` · by ${a.decidedBy}` : ''),
    a.status === 'pending' ? h('div', { class: 'buttons' }, approve, reject) : null,
    result);
}

async function renderApprovals() {
  await loadApprovals();
  const { pending, recent } = state.approvals;
  view().replaceChildren(h('div', { id: 'approvals-page' },
    h('h1', {}, 'Approvals'),
    h('p', { class: 'muted' }, 'Actions held for a human. An approved action is checked against the safety policies again before it runs.'),
    h('section', { 'aria-labelledby': 'pending-h' }, h('h2', { id: 'pending-h' }, `Pending (${pending.length})`),
      pending.length ? h('div', { class: 'cards' }, ...pending.map(approvalCard)) : h('p', { class: 'muted' }, 'Nothing waits for a decision.')),
    h('section', { 'aria-labelledby': 'recent-h' }, h('h2', { id: 'recent-h' }, 'Decided, expired or withdrawn'),
      recent.length ? h('div', { class: 'cards' }, ...recent.map(approvalCard)) : h('p', { class: 'muted' }, 'None yet.'))));
}

// ---------------------------------------------------------------- engine status

async function renderStatus() {
  const s = await api('/api/v1/console/status');
  const existing = $('#audit-q');
  const q = existing ? existing.value : '';
  const hadFocus = existing && document.activeElement === existing;
  const dl = (pairs) => h('dl', { class: 'facts' }, ...pairs.flatMap(([k, val]) => [h('dt', {}, k), h('dd', {}, val)]));
  const auditList = h('ol', { id: 'audit', class: 'audit' });
  const search = h('input', { id: 'audit-q', type: 'search', value: q, placeholder: 'incident id, step, action, resource…' });
  let timer = null;
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => loadAudit(search.value, auditList), 250);
  });
  view().replaceChildren(h('div', { id: 'status-page' },
    h('h1', {}, 'Engine'),
    h('section', { class: 'panel' }, h('h2', {}, 'Runtime'), dl([
      ['Mode', s.mode],
      ['Execute at', `confidence ≥ ${conf(s.confidenceThreshold)}`],
      ['Ask for approval at', `confidence ≥ ${conf(s.approvalThreshold)}`],
      ['Leader', `${s.leader ?? 'unknown'}${s.leaderElection && s.leading ? ' (this replica)' : ''}`],
      ['Ready', s.ready ? 'yes' : 'no'],
      ['Open incidents', String(s.openIncidents)],
      ['Pending approvals', String(s.pendingApprovals)],
    ])),
    h('section', { class: 'panel' }, h('h2', {}, 'Analyzers'), h('div', { class: 'table-wrap' }, h('table', { class: 'list' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Analyzer'), h('th', { scope: 'col' }, 'Priority'),
        h('th', { scope: 'col' }, 'Health'), h('th', { scope: 'col' }, 'Detail'))),
      h('tbody', {}, ...s.analyzers.map((a) => h('tr', {},
        h('td', { 'data-label': 'Analyzer' }, a.id),
        h('td', { 'data-label': 'Priority' }, String(a.priority)),
        h('td', { 'data-label': 'Health' }, badge(`health-${a.health}`, a.health + (a.circuit ? ` (circuit ${a.circuit})` : ''))),
        h('td', { 'data-label': 'Detail' }, a.detail || '', a.lastProblem ? h('div', { class: 'small' }, a.lastProblem) : null))))))),
    h('section', { class: 'panel' }, h('h2', {}, 'Enabled actions'),
      h('ul', { class: 'actions' }, ...s.actions.map((a) => h('li', {}, h('code', {}, a.id), ` ${a.description}`))),
      h('p', { class: 'muted small' }, `Safety policies: ${s.policies.join(', ')}`)),
    h('section', { class: 'panel' }, h('h2', {}, 'Informer caches'),
      s.caches.length === 0 ? h('p', { class: 'muted' }, 'Not watching (the engine is not started on this replica).')
        : h('div', { class: 'table-wrap' }, h('table', { class: 'list' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Kind'), h('th', { scope: 'col' }, 'Cache'),
            h('th', { scope: 'col' }, 'Detail'))),
          h('tbody', {}, ...s.caches.map((c) => h('tr', {},
            h('td', { 'data-label': 'Kind' }, c.kind),
            h('td', { 'data-label': 'Cache' }, badge(`cache-${c.state}`, c.state)),
            h('td', { 'data-label': 'Detail' }, c.detail))))))),
    h('section', { class: 'panel' }, h('h2', {}, 'Recent audit records'),
      h('div', { class: 'field' }, h('label', { for: 'audit-q' }, 'Search the audit records'), search),
      auditList)));
  await loadAudit(q, auditList);
  if (hadFocus) search.focus();
}

async function loadAudit(q, list) {
  const r = await api(`/api/v1/console/audit?limit=100&q=${encodeURIComponent(q || '')}`);
  list.replaceChildren(...(r.records.length ? r.records.map((a) => h('li', {},
    h('span', { class: 'muted small' }, timeEl(a.timestamp)), ' ', h('strong', {}, a.step), ' ',
    a.incidentId !== '-' ? h('a', { href: `#/incident/${encodeURIComponent(a.incidentId)}` }, a.incidentId) : '',
    h('pre', { class: 'fields' }, JSON.stringify(a.fields, null, 1)))) : [h('li', { class: 'muted' }, 'No record matches.')]));
}

// ---------------------------------------------------------------- sign in / out

function signOut(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  closeStream();
  state.incidents.clear();
  view().replaceChildren();
  $('#sign-out').hidden = true;
  $('#login').hidden = false;
  $('#login-error').textContent = message || '';
  $('#token').focus();
}

async function signIn(t, name) {
  sessionStorage.setItem(TOKEN_KEY, t);
  if (name) sessionStorage.setItem(NAME_KEY, name);
  try {
    await api('/api/v1/console/status');
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 401)) {
      $('#login-error').textContent = `Cannot open the console: ${e.message}`;
      sessionStorage.removeItem(TOKEN_KEY);
    }
    return;
  }
  start();
}

function start() {
  $('#login').hidden = true;
  $('#sign-out').hidden = false;
  render();
  openStream();
}

document.addEventListener('DOMContentLoaded', () => {
  $('#login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const t = $('#token').value.trim();
    if (!t) return;
    $('#token').value = '';
    signIn(t, $('#approver').value.trim());
  });
  $('#sign-out').addEventListener('click', () => signOut('Token forgotten.'));
  window.addEventListener('hashchange', () => render());
  if (token()) start();
  else signOut('');
});
