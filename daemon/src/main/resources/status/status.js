// pgvigil's status page: reads the daemon's JSON API (/api/v1/*) once a second while the tab is visible and draws
// it. No framework, no build step, nothing loaded from elsewhere (the Content-Security-Policy forbids it). Text from
// the API (query text, names) only ever goes into text nodes, never into HTML.
'use strict';

(function () {
  const TOKEN_KEY = 'pgvigil.readToken';
  const THEME_KEY = 'pgvigil.theme';
  const REFRESH_MS = 1000;
  /** The sparklines show the last five minutes, placed by time (a hidden tab or a slow read leaves a gap). */
  const HISTORY_MS = 5 * 60 * 1000;
  /** A read that never settles (a stalled proxy) must not stop the refresh loop. */
  const READ_TIMEOUT_MS = 5000;
  const VIEWS = [
    ['status', 'Status'], ['locks', 'Locks'], ['replication', 'Replication'], ['drift', 'Drift'],
    ['windows', 'Windows & kill switch'], ['alerts', 'Alerts']];
  const SEVERITIES = ['security', 'integrity', 'performance', 'cosmetic'];

  const state = {
    targets: null, route: { target: null, view: 'status' }, lastOk: 0, error: null,
    lag: new Map(), // "target/replica" -> [{t, seconds, bytes}]
    depths: new Map(), // "target/pid" of a waiting DDL request -> the queue depth seen on the previous refresh
    rendered: '', timer: null, generation: 0, firstRender: false, alerts: null
  };

  // ---------- small DOM helpers ----------

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    append(el, children);
    return el;
  }

  function append(el, children) {
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  function svg(tag, attrs) {
    const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
    return el;
  }

  /** A status in words and an icon, so it reads without colour: kind is ok, warn, bad or idle. */
  function badge(kind, words) {
    const icon = { ok: '✔', warn: '▲', bad: '✖', idle: '●' }[kind] || '●';
    return h('span', { class: 'badge ' + kind }, h('span', { 'aria-hidden': 'true' }, icon + ' '), words);
  }

  function section(title, ...content) {
    return h('section', { class: 'card' }, h('h2', {}, title), content);
  }

  function table(headers, rows, cls) {
    return h('div', { class: 'scroll' }, h('table', { class: cls || '' },
      h('thead', {}, h('tr', {}, headers.map(x => h('th', { scope: 'col' }, x)))),
      h('tbody', {}, rows)));
  }

  function query(text) {
    return text ? h('code', { class: 'query' }, text) : h('span', { class: 'muted' }, '(no query text)');
  }

  function empty(text) {
    return h('p', { class: 'muted empty' }, text);
  }

  // ---------- units ----------

  function secs(s) {
    if (s === null || s === undefined) return '–';
    if (s < 10) return s.toFixed(1) + ' s';
    if (s < 120) return Math.round(s) + ' s';
    if (s < 7200) {
      const r = Math.round(s); // rounded first: 179.6 s is "3 min 00 s", not "2 min 60 s"
      return Math.floor(r / 60) + ' min ' + String(r % 60).padStart(2, '0') + ' s';
    }
    return (s / 3600).toFixed(1) + ' h';
  }

  function bytes(b) {
    if (b === null || b === undefined) return '–';
    const units = ['B', 'kB', 'MB', 'GB', 'TB'];
    let i = 0;
    let v = b;
    while (Math.abs(v) >= 1024 && i < units.length - 1) { v /= 1024; i++; }
    return (i === 0 ? v : v.toFixed(1)) + ' ' + units[i];
  }

  function ago(iso) {
    if (!iso) return 'never';
    const s = (Date.now() - Date.parse(iso)) / 1000;
    return s < 0 ? 'in ' + secs(-s) : secs(s) + ' ago';
  }

  function time(iso) {
    if (!iso) return '–';
    const d = new Date(iso);
    return h('time', { datetime: iso, title: iso }, d.toLocaleTimeString() + ' (' + ago(iso) + ')');
  }

  // ---------- the API ----------

  class NeedToken extends Error {}

  async function api(path) {
    const token = sessionStorage.getItem(TOKEN_KEY);
    const response = await fetch(path, {
      headers: token ? { Authorization: 'Bearer ' + token } : {}, cache: 'no-store', credentials: 'omit',
      signal: AbortSignal.timeout(READ_TIMEOUT_MS)
    });
    if (response.status === 401) throw new NeedToken();
    let body;
    try {
      body = await response.json();
    } catch (notJson) {
      // A proxy's HTML error page, or a body cut off: say what the server answered, not how parsing failed.
      const e = new Error(response.status + ' ' + response.statusText + ' from ' + path);
      e.status = response.status;
      throw e;
    }
    if (!response.ok) {
      const e = new Error(body.error || response.status + ' ' + response.statusText);
      e.status = response.status;
      throw e;
    }
    return body;
  }

  function targetPath(name, rest) {
    return 'api/v1/targets/' + encodeURIComponent(name) + (rest ? '/' + rest : '');
  }

  // ---------- routing: #/, #/targets/{name}, #/targets/{name}/{view} ----------

  function parseRoute() {
    const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(part => {
      try {
        return decodeURIComponent(part);
      } catch (malformed) {
        return part; // "%E0" in a pasted link: taken as written rather than leaving the page blank
      }
    });
    if (parts[0] === 'targets' && parts[1]) {
      const view = VIEWS.some(v => v[0] === parts[2]) ? parts[2] : 'status';
      return { target: parts[1], view };
    }
    if (parts[0] === 'alerts') return { target: null, view: 'alerts' };
    return { target: null, view: 'status' };
  }

  function link(target, view) {
    return '#/targets/' + encodeURIComponent(target) + (view && view !== 'status' ? '/' + view : '');
  }

  // ---------- refresh loop ----------

  async function refresh() {
    clearTimeout(state.timer);
    const generation = ++state.generation;
    const route = state.route;
    try {
      const [targets, alerts] = await Promise.all([api('api/v1/targets'), api('api/v1/alerts')]);
      state.targets = targets.targets;
      state.alerts = alerts;
      const data = await load(route, alerts);
      if (route !== state.route) return; // navigated meanwhile: the new route has its own refresh
      state.lastOk = Date.now();
      state.error = null;
      document.getElementById('token').hidden = true;
      render(route, data);
    } catch (e) {
      if (e instanceof NeedToken) {
        askToken();
      } else {
        state.error = e.message;
        showBanner('Cannot read pgvigil\u2019s API: ' + e.message + ' (retrying every second)');
      }
    } finally {
      freshness();
      if (generation === state.generation && !document.hidden && document.getElementById('token').hidden) {
        state.timer = setTimeout(refresh, REFRESH_MS);
      }
    }
  }

  /** What the route's view needs; replication is read for every target view so the sparklines keep filling. */
  async function load(route, alerts) {
    if (!route.target) return { alerts };
    const t = (state.targets || []).find(x => x.name === route.target);
    if (!t) return { missing: true };
    const wanted = { replication: api(targetPath(t.name, 'replication')) };
    if (route.view === 'locks') wanted.locks = api(targetPath(t.name, 'locks'));
    if (route.view === 'drift' && hasCheck(t, 'drift')) wanted.drift = api(targetPath(t.name, 'drift'));
    if (route.view === 'windows') {
      wanted.windows = api('api/v1/windows');
      wanted.aborts = api('api/v1/aborts');
    }
    const names = Object.keys(wanted);
    const values = await Promise.all(names.map(n => wanted[n]));
    const data = { target: t, alerts };
    names.forEach((n, i) => { data[n] = values[i]; });
    remember(t.name, data.replication);
    return data;
  }

  function hasCheck(t, name) {
    return (t.checks || []).some(c => c.name === name);
  }

  function remember(target, replication) {
    if (!replication || replication.status !== 'ok') return;
    const now = Date.now();
    for (const r of replication.replicas || []) {
      const key = target + '/' + r.name;
      const samples = state.lag.get(key) || [];
      samples.push({ t: now, seconds: largest(r.replayLagSeconds, r.replayDelaySeconds), bytes: known(r.replayLagBytes, r.replayGapBytes) });
      while (samples.length && samples[0].t < now - HISTORY_MS) samples.shift();
      state.lag.set(key, samples);
    }
  }

  /** The larger of the known values, or null when neither is known (not 0: unknown is no line, not a flat one). */
  function largest(a, b) {
    const values = [a, b].filter(v => v !== null && v !== undefined);
    return values.length ? Math.max(...values) : null;
  }

  function known(value, otherwise) {
    if (value !== null && value !== undefined) return value;
    return otherwise !== null && otherwise !== undefined ? otherwise : null;
  }

  function freshness() {
    const el = document.getElementById('freshness');
    if (!state.lastOk) {
      el.textContent = state.error ? '✖ no data' : 'loading…';
      return;
    }
    const age = (Date.now() - state.lastOk) / 1000;
    el.textContent = age < 3 ? '● live' : '▲ last update ' + secs(age) + ' ago';
    el.className = 'freshness ' + (age < 3 ? 'ok' : 'warn');
  }

  function showBanner(text) {
    const banner = document.getElementById('banner');
    banner.textContent = text;
    banner.hidden = !text;
  }

  function askToken() {
    const form = document.getElementById('token');
    const had = sessionStorage.getItem(TOKEN_KEY);
    form.hidden = false;
    const error = document.getElementById('token-error');
    error.hidden = !had;
    error.textContent = had ? 'That token was refused: the API wants server.readToken or server.apiToken.' : '';
    if (had) sessionStorage.removeItem(TOKEN_KEY);
    document.getElementById('token-value').focus();
  }

  // ---------- rendering ----------

  function render(route, data) {
    showBanner('');
    renderNav(route);
    // Redraw only what changed: a selection (say, of suggested SQL) survives refreshes that bring nothing new.
    // The drift view ignores the replication read beside it and redraws its "… ago" every 10 s only.
    const key = JSON.stringify(route.view === 'drift' && route.target
      ? [route, data.drift, data.missing, Math.floor(Date.now() / 10000)]
      : [route, data, route.view === 'windows' ? Math.floor(Date.now() / 1000) : 0]);
    if (key === state.rendered) return;
    state.rendered = key;
    const main = document.getElementById('main');
    const scrollY = window.scrollY;
    let content;
    if (data.missing) {
      content = section('No such target', h('p', {}, 'pgvigil watches no target named \u201c' + route.target
        + '\u201d. ', h('a', { href: '#/' }, 'All targets')));
    } else if (!route.target) {
      content = route.view === 'alerts' ? alertsView(null, data.alerts) : targetsView();
    } else {
      content = ({
        status: () => statusView(data.target),
        locks: () => locksView(data),
        replication: () => replicationView(data),
        drift: () => driftView(data),
        windows: () => windowsView(data),
        alerts: () => alertsView(data.target.name, data.alerts)
      })[route.view]();
    }
    main.replaceChildren(content);
    main.dataset.view = route.target ? route.view : (route.view === 'alerts' ? 'alerts' : 'targets');
    window.scrollTo(0, scrollY);
    if (!state.firstRender) {
      state.firstRender = true;
      performance.mark('pgvigil-first-render');
    }
  }

  function renderNav(route) {
    const targets = document.getElementById('targets');
    targets.replaceChildren(...(state.targets || []).map(t => h('a', {
      href: link(t.name, route.view === 'alerts' && !route.target ? 'alerts' : route.view),
      class: 'target ' + (t.up ? 'ok' : 'bad'), 'aria-current': route.target === t.name ? 'page' : null
    }, h('span', { 'aria-hidden': 'true' }, t.up ? '✔ ' : '✖ '), t.name, h('span', { class: 'sr' }, t.up ? ' up' : ' down'))));
    const views = document.getElementById('views');
    const name = route.target || (state.targets && state.targets.length ? state.targets[0].name : null);
    const firing = state.alerts ? state.alerts.firing.filter(a => !route.target || a.target === route.target).length : 0;
    views.replaceChildren(
      h('a', { href: '#/', 'aria-current': !route.target && route.view === 'status' ? 'page' : null }, 'All targets'),
      ...(name ? VIEWS.map(([v, title]) => h('a', {
        href: link(name, v), 'aria-current': route.target && route.view === v ? 'page' : null
      }, title, v === 'alerts' && firing ? h('span', { class: 'count bad' }, ' ' + firing + ' firing') : null)) : []));
    document.title = (route.target ? route.target + ' \u00b7 ' + (VIEWS.find(v => v[0] === route.view) || VIEWS[0])[1]
      + ' \u00b7 ' : '') + 'pgvigil' + (firing ? ' (' + firing + ' firing)' : '');
  }

  // ---------- Targets ----------

  function targetsView() {
    const targets = state.targets || [];
    return h('div', {}, h('h1', {}, 'Targets'),
      targets.length ? targets.map(t => targetCard(t, true)) : empty('No target is configured.'));
  }

  function statusView(t) {
    return h('div', {}, h('h1', {}, t.name), targetCard(t, false));
  }

  function targetCard(t, linked) {
    const s = t.server;
    return h('section', { class: 'card target-card', 'data-target': t.name },
      h('h2', {}, linked ? h('a', { href: link(t.name, 'locks') }, t.name) : t.name, ' ',
        t.up ? badge('ok', 'up') : badge('bad', t.polled ? 'down' : 'not polled yet'),
        h('span', { class: 'muted' }, ' since ', time(t.since))),
      h('dl', { class: 'facts' },
        fact('URL', h('code', {}, t.url)),
        fact('PostgreSQL', s ? s.version + (s.standby ? ' (standby)' : ' (primary)') : '–'),
        fact('Role', s ? [s.role + ' ', s.pgMonitor ? badge('ok', 'has pg_monitor')
          : badge('warn', 'no pg_monitor: other roles\u2019 sessions are hidden')] : '–'),
        fact('Owner', t.owner ? [t.owner, t.ownedHere ? ' (this instance)' : ' (another instance: its pages show the live data)']
          : (t.ownedHere ? 'this instance' : '–'))),
      table(['Check', 'State', 'Last run', 'Took', 'Last error'], (t.checks || []).map(c => h('tr', {},
        h('td', {}, c.name),
        h('td', {}, c.ok ? badge('ok', 'ok') : c.runs === 0 ? badge('idle', 'not run yet')
          : badge('bad', 'failing' + (c.consecutiveFailures ? ' \u00d7' + c.consecutiveFailures : ''))),
        h('td', {}, time(c.lastRun)),
        h('td', { class: 'num' }, c.lastDurationMs === null ? '–' : c.lastDurationMs.toFixed(1) + ' ms'),
        h('td', {}, c.lastError ? h('span', { class: 'bad' }, c.lastError) : '–')))),
      linked ? h('p', { class: 'links' }, VIEWS.slice(1).map(([v, title]) => h('a', { href: link(t.name, v) }, title)))
        : null);
  }

  function fact(name, value) {
    return [h('dt', {}, name), h('dd', {}, value)];
  }

  function elsewhere(doc, what) {
    if (doc.status === 'owned-elsewhere') {
      return section(what, h('p', {}, badge('idle', 'owned by instance ' + (doc.owner || '?')),
        ' Only the owner polls this target: open the status page of instance ' + (doc.owner || '?') + '.'));
    }
    if (doc.status === 'not-polled-yet') return section(what, empty('Not polled yet.'));
    return null;
  }

  // ---------- Locks ----------

  function locksView(data) {
    const l = data.locks;
    const t = data.target.name;
    const other = elsewhere(l, 'Locks');
    if (other) return h('div', {}, h('h1', {}, t + ': locks'), other);
    const s = l.summary;
    const calm = s.waitingSessions === 0;
    return h('div', { class: 'locks' },
      h('h1', {}, t + ': locks'),
      h('p', { class: 'summary' }, calm ? badge('ok', 'no session waits for a lock') : badge('bad',
        s.waitingSessions + ' waiting \u00b7 ' + s.rootBlockers + ' root blocker' + (s.rootBlockers === 1 ? '' : 's')
        + ' \u00b7 longest wait ' + secs(s.maxLockWaitSeconds)),
      h('span', { class: 'muted' }, ' database ' + l.database + ', server time ', time(l.serverTime))),
      queuesSection(t, l.queues),
      section('Blocking trees', l.trees.length ? l.trees.map(tree) : empty('No session blocks another.')),
      section('Running DDL', l.ddl.length ? table(['pid', 'Role', 'Application', 'Command', 'Running', 'Progress', 'Waits on', 'Query'],
        l.ddl.map(d => h('tr', {}, h('td', { class: 'num' }, d.pid), h('td', {}, d.user), h('td', {}, d.applicationName),
          h('td', {}, d.command), h('td', { class: 'num' }, secs(d.runtimeSeconds)), h('td', {}, progress(d.progress)),
          h('td', {}, d.waitEventType ? d.waitEventType + ': ' + d.waitEvent : '–'), h('td', {}, query(d.query)))))
        : empty('No DDL is running.')),
      section('Long writes', l.writes.length ? table(['pid', 'Role', 'Application', 'Command', 'Running', 'Transaction', 'Query'],
        l.writes.map(w => h('tr', {}, h('td', { class: 'num' }, w.pid), h('td', {}, w.user), h('td', {}, w.applicationName),
          h('td', {}, w.command), h('td', { class: 'num' }, secs(w.runtimeSeconds)),
          h('td', { class: 'num' }, secs(w.transactionSeconds)), h('td', {}, query(w.query)))))
        : empty('No long-running write.')),
      section('Idle transactions', l.idleInTransaction.length ? table(['pid', 'Role', 'Application', 'Idle', 'Transaction', 'Blocks others', 'Last query'],
        l.idleInTransaction.map(i => h('tr', {}, h('td', { class: 'num' }, i.pid), h('td', {}, i.user),
          h('td', {}, i.applicationName), h('td', { class: 'num' }, secs(i.idleSeconds)),
          h('td', { class: 'num' }, secs(i.transactionSeconds)),
          h('td', {}, i.blocking ? badge('bad', 'blocks others') : badge('idle', 'blocks nobody')), h('td', {}, query(i.query)))))
        : empty('No transaction sits idle.')),
      l.invalidIndexes && l.invalidIndexes.length ? section('INVALID indexes', h('ul', {},
        l.invalidIndexes.map(i => h('li', {}, badge('warn', 'invalid'), ' ', h('code', {}, i.schema + '.' + i.index),
          ' on ', h('code', {}, i.schema + '.' + i.table))))) : null);
  }

  function queuesSection(target, queues) {
    const seen = new Map();
    const cards = queues.map(q => {
      const key = target + '/' + q.pid;
      const before = state.depths.get(key);
      seen.set(key, q.depth);
      const delta = before === undefined ? null : q.depth - before;
      return h('article', { class: 'queue', 'data-pid': q.pid },
        h('h3', {}, badge('bad', 'waiting DDL'), ' pid ' + q.pid + ' (' + (q.user || '?') + ', '
          + (q.applicationName || 'no application name') + ') wants ' + wanted(q.mode, q.relation, q.locktype)
          + ', waiting ' + secs(q.waitingSeconds) + ', blocked by pid ' + q.blockedBy.join(', ')),
        h('div', { class: 'numbers' },
          h('div', { class: 'big' }, h('span', { class: 'depth', 'data-depth': q.depth }, String(q.depth)),
            h('span', { class: 'label' }, ' session' + (q.depth === 1 ? '' : 's') + ' queued behind it'),
            delta ? h('span', { class: 'delta ' + (delta > 0 ? 'bad' : 'ok') },
              (delta > 0 ? ' ▲ +' : ' ▼ ') + delta + ' since the last refresh') : null),
          h('div', { class: 'big' }, h('span', { class: 'cost' }, q.costSeconds.toFixed(1)),
            h('span', { class: 'label' }, ' blocked-backend-seconds'))),
        query(q.query),
        q.queued.length ? table(['pid', 'Role', 'Application', 'Waiting', 'Wants', 'Query'], q.queued.map(x => h('tr', {},
          h('td', { class: 'num' }, x.pid), h('td', {}, x.user), h('td', {}, x.applicationName),
          h('td', { class: 'num' }, secs(x.waitingSeconds)), h('td', {}, wanted(x.mode, x.relation, null)),
          h('td', {}, query(x.query))))) : null);
    });
    for (const key of [...state.depths.keys()]) if (key.startsWith(target + '/') && !seen.has(key)) state.depths.delete(key);
    seen.forEach((v, k) => state.depths.set(k, v));
    return section('Lock queue behind waiting DDL', cards.length ? cards : empty('No DDL request waits with a queue behind it.'));
  }

  /** A blocking tree as a tree: the root blocker, then who waits for whom, nested. */
  function tree(t) {
    const r = t.root;
    const children = new Map();
    const pids = new Set([r.pid]);
    t.blocked.forEach(b => pids.add(b.pid));
    for (const b of t.blocked) {
      // Attach each waiter under its first blocker in this tree (a waiter may wait for several).
      const parent = b.blockedBy.find(p => pids.has(p) && p !== b.pid);
      const at = parent === undefined ? r.pid : parent;
      if (!children.has(at)) children.set(at, []);
      children.get(at).push(b);
    }
    const drawn = new Set();
    function branch(pid) {
      const kids = (children.get(pid) || []).filter(b => !drawn.has(b.pid));
      kids.forEach(b => drawn.add(b.pid));
      return kids.length ? h('ul', {}, kids.map(b => h('li', { class: 'node waiter', 'data-pid': b.pid },
        h('div', { class: 'who' }, badge('warn', 'waits'), ' pid ' + b.pid, ' \u00b7 ' + (b.user || '?'),
          ' \u00b7 ' + (b.applicationName || 'no application name'), ' \u00b7 ' + (b.state || '?'),
          ' \u00b7 for ' + secs(b.waitingSeconds), h('span', { class: 'lock' }, ' wants ' + wanted(b.mode, b.relation, b.locktype))),
        query(b.query), branch(b.pid)))) : null;
    }
    drawn.add(r.pid);
    return h('ul', { class: 'tree' }, h('li', { class: 'node root', 'data-pid': r.pid },
      h('div', { class: 'who' }, badge('bad', 'root blocker'), ' pid ' + r.pid, ' \u00b7 ' + (r.user || '?'),
        ' \u00b7 ' + (r.applicationName || 'no application name'), ' \u00b7 ' + (r.state || '?'),
        ' \u00b7 transaction ' + secs(r.transactionSeconds), ' \u00b7 in this state ' + secs(r.stateSeconds),
        r.waiting ? ' \u00b7 itself waiting' : ''),
      query(r.query), branch(r.pid)));
  }

  /** The lock a session waits for; the lock watch reads pg_locks once per wait episode, so a newcomer may not have it yet. */
  function wanted(mode, relation, locktype) {
    const on = relation || (locktype && locktype !== 'relation' ? locktype : null);
    return (mode || 'a lock') + (on ? ' on ' + on : '');
  }

  function progress(p) {
    if (!p) return '–';
    const pct = p.percent === null || p.percent === undefined ? null : p.percent;
    return h('span', {}, p.command + (p.phase ? ': ' + p.phase : '') + ' ',
      pct === null ? '' : [h('progress', { max: 100, value: pct.toFixed(1) }, pct.toFixed(0) + '%'), ' ' + pct.toFixed(0) + '%'],
      p.index ? h('span', { class: 'muted' }, ' ' + p.index) : '');
  }

  // ---------- Replication ----------

  function replicationView(data) {
    const r = data.replication;
    const t = data.target.name;
    const other = elsewhere(r, 'Replication');
    if (other) return h('div', {}, h('h1', {}, t + ': replication'), other);
    return h('div', { class: 'replication' }, h('h1', {}, t + ': replication'),
      h('p', { class: 'muted' }, (r.standby ? 'This target is a standby. ' : '') + 'Read ', time(r.at),
        '; sparklines: the last ' + Math.round(HISTORY_MS / 60000) + ' minutes kept by this page while it is open.'),
      section('Standbys', r.replicas.length ? table(['Standby', 'State', 'Replay lag', 'Lag bytes', 'Last minutes', 'Details'],
        r.replicas.map(x => replicaRow(t, x)), 'replicas') : empty('No standby streams from this target.')),
      section('Replication slots', r.slots.length ? table(['Slot', 'Type', 'Active', 'Retained WAL', 'WAL status', 'Details'],
        r.slots.map(s => h('tr', {}, h('td', {}, s.name), h('td', {}, s.type + (s.database ? ' (' + s.database + ')' : '')),
          h('td', {}, s.active ? badge('ok', 'active, pid ' + s.activePid) : badge('warn', 'inactive since ') , s.active ? '' : time(s.inactiveSince)),
          h('td', { class: 'num' }, bytes(s.retainedBytes)),
          h('td', {}, s.walStatus === 'lost' || s.walStatus === 'unreserved' ? badge('bad', s.walStatus) : s.walStatus || '–'),
          h('td', {}, s.invalidationReason ? 'invalidated: ' + s.invalidationReason : s.safeWalSize !== null
            ? bytes(s.safeWalSize) + ' until max_slot_wal_keep_size' : ''))))
        : empty('No replication slot.')),
      section('Findings', r.findings.length ? h('ul', {}, r.findings.map(f => h('li', {}, badge('bad', f.type.replace(/-/g, ' ')),
        ' ' + (f.name || f.slot || ''), f.lastSeen ? [' last seen ', time(f.lastSeen)] : '',
        f.retainedBytes ? ' retains ' + bytes(f.retainedBytes) : '', f.pauseState ? ' (' + f.pauseState + ')' : '',
        f.receiverStatus ? ' (receiver ' + f.receiverStatus + ')' : '')))
        : empty('Nothing wrong: every standby streams and no slot holds WAL at risk.')),
      r.notes.length ? section('Notes', h('ul', {}, r.notes.map(n => h('li', {}, n)))) : null);
  }

  function replicaRow(target, x) {
    const lagS = Math.max(x.replayLagSeconds || 0, x.replayDelaySeconds || 0);
    const lagB = x.replayLagBytes !== null && x.replayLagBytes !== undefined ? x.replayLagBytes : x.replayGapBytes;
    const status = x.gone ? badge('bad', 'gone') : x.lastError ? badge('bad', 'cannot poll')
      : x.paused ? badge('warn', 'replay paused') : x.state ? badge(x.state === 'streaming' ? 'ok' : 'warn', x.state)
      : badge('idle', 'not seen');
    const samples = state.lag.get(target + '/' + x.name) || [];
    return h('tr', { 'data-replica': x.name },
      h('td', {}, x.name, x.configured ? '' : h('span', { class: 'muted' }, ' (not configured)')),
      h('td', {}, status, x.syncState ? h('span', { class: 'muted' }, ' ' + x.syncState) : ''),
      h('td', { class: 'num lag-seconds' }, secs(lagS), x.replayDelaySeconds ? h('span', { class: 'muted' }, ' (delay ' + secs(x.replayDelaySeconds) + ')') : ''),
      h('td', { class: 'num lag-bytes' }, bytes(lagB)),
      h('td', {}, sparkline(samples, 'seconds', 'replay lag in seconds'), sparkline(samples, 'bytes', 'lag in bytes')),
      h('td', {}, x.lastError ? h('span', { class: 'bad' }, x.lastError + ' (since ' + ago(x.failingSince) + ')')
        : [x.clientAddr ? 'from ' + x.clientAddr : '', x.logical ? ' logical' : '']));
  }

  function sparkline(samples, field, label) {
    const width = 120;
    const height = 24;
    const el = svg('svg', { class: 'spark', width, height, viewBox: '0 0 ' + width + ' ' + height, role: 'img' });
    const now = Date.now();
    const recent = samples.filter(s => s.t >= now - HISTORY_MS);
    const values = recent.map(s => s[field]).filter(v => v !== null);
    const max = Math.max(...values, field === 'seconds' ? 1 : 1024);
    const latest = recent.length ? recent[recent.length - 1][field] : null;
    const format = field === 'seconds' ? secs : bytes;
    const title = svg('title', {});
    title.textContent = label + ': now ' + format(latest) + ', peak ' + (values.length ? format(Math.max(...values)) : '–');
    el.setAttribute('aria-label', title.textContent);
    el.append(title);
    // x by the sample's time over the last five minutes (right edge: now); an unknown value ends a line.
    let run = [];
    const draw = () => {
      if (run.length > 1) el.append(svg('polyline', { points: run.join(' '), class: 'line ' + field }));
      run = [];
    };
    for (const s of recent) {
      if (s[field] === null) {
        draw();
        continue;
      }
      const x = width - ((now - s.t) / HISTORY_MS) * width;
      run.push(x.toFixed(1) + ',' + (height - 2 - (s[field] / max) * (height - 4)).toFixed(1));
    }
    draw();
    return el;
  }

  // ---------- Drift ----------

  function driftView(data) {
    const t = data.target;
    if (!data.drift) {
      return h('div', {}, h('h1', {}, t.name + ': drift'), section('Drift',
        empty('This target has no migrations configured (targets[].migrations), so there is no drift to check.')));
    }
    const d = data.drift;
    const kind = { clean: 'ok', drift: 'bad', 'files-behind': 'warn', 'in-progress': 'idle', error: 'bad' }[d.status] || 'idle';
    const hist = d.history;
    const st = d.structure;
    return h('div', { class: 'drift' }, h('h1', {}, t.name + ': drift'),
      h('p', { class: 'summary' }, badge(kind, d.status.replace(/-/g, ' ')), ' checked ', time(d.checkedAt)),
      d.error ? section('Error', h('p', { class: 'bad' }, d.error)) : null,
      d.structurePaused ? h('p', {}, badge('idle', 'structure not compared'), ' ' + d.structurePaused) : null,
      hist ? section('History (' + hist.tool + ', ' + hist.table + ')',
        h('p', {}, hist.applied + ' applied, ' + hist.pending + ' pending',
          hist.inProgress ? [' \u00b7 ', badge('idle', 'migration running: ' + hist.inProgress.tool + ', pid ' + hist.inProgress.pid)] : '',
          hist.filesBehind && hist.filesBehind.length ? ' \u00b7 files behind the database: ' + hist.filesBehind.join(', ') : ''),
        hist.problems.length ? table(['Problem', 'Migration', 'Description', 'Detail'], hist.problems.map(p => h('tr', { class: 'problem' },
          h('td', {}, badge(p.kind === 'pending' ? 'idle' : 'bad', p.kind.replace(/-/g, ' '))),
          h('td', {}, h('code', {}, p.script || p.version || '–')), h('td', {}, p.description || ''), h('td', {}, p.detail || ''))))
          : empty('The history matches the migration files.')) : null,
      st ? section('Structure', h('p', { class: 'muted' }, 'Expected from ' + st.expectedFrom + '; ' + st.objects + ' objects compared, ',
        time(st.checkedAt), st.stale ? ' (stale: kept while a migration runs or the files are behind)' : ''),
      st.findings.length ? SEVERITIES.filter(sev => st.findings.some(f => f.severity === sev)).map(sev =>
        h('div', { class: 'severity', 'data-severity': sev }, h('h3', {}, severityBadge(sev), ' ' + sev + ' (' + st.findings.filter(f => f.severity === sev).length + ')'),
          st.findings.filter(f => f.severity === sev).map(finding)))
        : empty('The live schema matches the migrations.')) : null);
  }

  function severityBadge(sev) {
    return badge({ security: 'bad', integrity: 'bad', performance: 'warn', cosmetic: 'idle' }[sev] || 'idle', sev);
  }

  function finding(f) {
    return h('article', { class: 'finding', 'data-object': f.object },
      h('h4', {}, f.change + ' ' + f.kind + ' ', h('code', {}, f.object)),
      f.detail ? h('p', {}, f.detail) : null,
      h('div', { class: 'compare' },
        h('div', {}, h('h5', {}, 'Expected (from the migrations)'), h('pre', {}, f.expected === null ? '(none)' : f.expected)),
        h('div', {}, h('h5', {}, 'Live'), h('pre', {}, f.actual === null ? '(none)' : f.actual))),
      f.suggestedSql ? h('div', { class: 'sql' }, h('h5', {}, 'Suggested SQL'),
        h('pre', { class: 'suggested' }, f.suggestedSql),
        h('button', { type: 'button', class: 'copy', onclick: e => copy(e.currentTarget, f.suggestedSql) }, 'Copy SQL')) : null,
      f.manualFix ? h('div', { class: 'sql' }, h('h5', {}, 'By hand'), h('pre', { class: 'manual' }, f.manualFix)) : null);
  }

  function copy(button, text) {
    const done = ok => {
      button.textContent = ok ? '✔ Copied' : 'Select and copy by hand';
      setTimeout(() => { button.textContent = 'Copy SQL'; }, 2000);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(() => done(true), () => done(false));
      return;
    }
    // Plain http on another host has no clipboard API: select the text, the old way.
    const pre = button.previousElementSibling;
    const range = document.createRange();
    range.selectNodeContents(pre);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    let ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    done(ok);
  }

  // ---------- Windows and kill switch ----------

  function windowsView(data) {
    const t = data.target.name;
    const windows = data.windows.windows.filter(w => w.target === t);
    const open = windows.filter(w => w.open);
    const closed = windows.filter(w => !w.open);
    const aborts = data.aborts.aborts.filter(a => a.target === t);
    return h('div', { class: 'windows' }, h('h1', {}, t + ': migration windows and the kill switch'),
      section('Open windows', open.length ? open.map(w => h('article', { class: 'window' },
        h('h3', {}, badge('warn', 'open'), ' ' + (w.label || '(no label)')),
        h('p', {}, 'Rules profile ', h('strong', {}, w.profile), w.profile === 'in-window' ? ' (abort levels apply)' : ' (outside-window rules)',
          ' \u00b7 ' + w.source + ' window' + (w.tool ? ' for ' + w.tool : '') + (w.backendPid ? ', migration pid ' + w.backendPid : ''),
          ' \u00b7 opened ', time(w.openedAt), ' \u00b7 ', h('strong', { class: 'left' }, secs(Math.max(0, (Date.parse(w.expiresAt) - Date.now()) / 1000)) + ' left'))))
        : empty('No window is open: the rules run in their outside-window profile.')),
      section('Kill-switch decisions', aborts.length ? h('ol', { class: 'timeline' }, aborts.map(a => h('li', { class: 'abort' },
        h('div', {}, time(a.at), ' ', badge(a.result === 'cancelled' || a.result === 'terminated' ? 'bad' : a.result === 'dry-run' ? 'idle' : 'warn', a.action + ': ' + a.result),
          ' rule ' + a.rule + ' at ' + a.value + ' (threshold ' + a.threshold + ')', a.pid ? ', pid ' + a.pid : ''),
        a.request ? h('div', { class: 'muted' }, 'request: pid ' + a.request.pid + ' wanted ' + a.request.mode + ' on ' + a.request.relation
          + ' with ' + a.request.queued + ' queued') : null,
        a.message ? h('div', {}, a.message) : null)))
        : empty('The kill switch has not acted on this target.')),
      section('Recently closed windows', closed.length ? table(['Label', 'Profile', 'Source', 'Opened', 'Closed', 'Why'],
        closed.map(w => h('tr', {}, h('td', {}, w.label || '–'), h('td', {}, w.profile), h('td', {}, w.source + (w.tool ? ' (' + w.tool + ')' : '')),
          h('td', {}, time(w.openedAt)), h('td', {}, time(w.closedAt)), h('td', {}, w.closeReason || '–'))))
        : empty('None.')));
  }

  // ---------- Alerts ----------

  function alertsView(target, alerts) {
    const firing = alerts.firing.filter(a => !target || a.target === target);
    const resolved = alerts.resolved.filter(a => !target || a.target === target);
    return h('div', { class: 'alerts' }, h('h1', {}, (target ? target + ': ' : '') + 'alerts'),
      h('p', { class: 'muted' }, alerts.sinks.length ? 'Configured sinks: ' + alerts.sinks.join(', ') + '; each alert says which of them it went to (by their routes).'
        : 'No sink is configured: alerts are only listed here and logged.'),
      section('Firing', firing.length ? firing.map(a => alertCard(a, true, alerts.sinks)) : empty('Nothing fires.')),
      section('Recently resolved', resolved.length ? resolved.map(a => alertCard(a, false, alerts.sinks)) : empty('None.')));
  }

  function alertCard(a, firing, sinks) {
    const kind = !firing ? 'ok' : a.severity === 'critical' ? 'bad' : a.severity === 'warning' ? 'warn' : 'idle';
    return h('article', { class: 'alert' },
      h('h3', {}, badge(kind, firing ? a.severity : 'resolved'), ' ' + a.target + ' ' + a.rule + (a.object ? ' ' + a.object : '')),
      h('p', {}, a.summary),
      h('p', { class: 'muted' }, 'since ', time(a.startsAt), a.endsAt ? [' \u00b7 resolved ', time(a.endsAt)] : '',
        a.value !== null && a.value !== undefined ? ' \u00b7 value ' + a.value + (a.threshold !== null ? ' (threshold ' + a.threshold + ')' : '') : '',
        a.silencedBy && a.silencedBy.length ? ' \u00b7 silenced by ' + a.silencedBy.join(', ') : '',
        !sinks.length ? '' : ' \u00b7 ' + (a.sentTo && a.sentTo.length ? 'queued for ' + a.sentTo.join(', ')
          : 'not queued for any sink (yet, or no route takes it)')),
      h('p', { class: 'links' }, h('a', { href: link(a.target, viewOf(a.rule)) }, 'Open the ' + viewOf(a.rule) + ' view of ' + a.target)));
  }

  /** The view that shows what an alert's rule is about (the same mapping as the links in alert messages). */
  function viewOf(rule) {
    const r = rule.toLowerCase();
    if (r.includes('lock') || r.includes('ddl') || r.includes('idle') || r.includes('write')) return 'locks';
    if (r.includes('replication') || r.includes('lag') || r.includes('slot') || r.includes('standby')) return 'replication';
    if (r.includes('drift') || r.includes('migration')) return 'drift';
    if (r.includes('kill')) return 'windows';
    return 'status';
  }

  // ---------- start ----------

  function applyTheme(theme) {
    if (theme) document.documentElement.dataset.theme = theme;
    else delete document.documentElement.dataset.theme;
  }

  function start() {
    applyTheme(localStorage.getItem(THEME_KEY));
    document.getElementById('theme').addEventListener('click', () => {
      const dark = document.documentElement.dataset.theme
        ? document.documentElement.dataset.theme === 'dark' : matchMedia('(prefers-color-scheme: dark)').matches;
      const next = dark ? 'light' : 'dark';
      localStorage.setItem(THEME_KEY, next);
      applyTheme(next);
    });
    document.getElementById('token').addEventListener('submit', e => {
      e.preventDefault();
      sessionStorage.setItem(TOKEN_KEY, document.getElementById('token-value').value.trim());
      document.getElementById('token').hidden = true;
      refresh();
    });
    window.addEventListener('hashchange', () => {
      state.route = parseRoute();
      state.rendered = '';
      refresh();
      document.getElementById('main').focus({ preventScroll: true });
    });
    // Nobody looking, nothing asked: a hidden tab stops reading the API until it is shown again.
    document.addEventListener('visibilitychange', () => {
      if (!document.hidden && document.getElementById('token').hidden) refresh();
      else clearTimeout(state.timer);
    });
    setInterval(freshness, 1000);
    state.route = parseRoute();
    refresh();
  }

  start();
})();
