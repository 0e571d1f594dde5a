// Ringway's live dashboard: one dependency-free module. The admin verticle pushes one whole summary a
// second on /dashboard/events (server-sent events); counters in it are cumulative, so rates and latency
// quantiles here come from the difference between summaries, and a missed one costs nothing.

const HISTORY = 60;          // sparkline points per endpoint (one a second)
const WINDOW = 5;            // summaries a latency quantile and a rate look back over
const ROUTES_PER_PAGE = 25;
const ENDPOINTS_PER_PAGE = 50;
const OPEN_CLUSTER_LIMIT = 20; // clusters with more endpoints start collapsed

const $ = (id) => document.getElementById(id);
const summaries = [];        // the last WINDOW + 1 summaries, oldest first
const sparks = new Map();    // "cluster/address" -> connections opened per second, recent first to last
const clusterViews = new Map();
const routePaging = { page: 0 };

// ---------------------------------------------------------------- formatting

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (key === 'class') node.className = value;
    else if (key.startsWith('data-')) node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function num(value, digits = 0) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  if (Math.abs(value) >= 1e6) return (value / 1e6).toFixed(1) + 'M';
  if (Math.abs(value) >= 1e4) return (value / 1e3).toFixed(1) + 'k';
  return value.toFixed(digits);
}

function bytes(value) {
  if (value === null || value === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  while (value >= 1024 && i < units.length - 1) { value /= 1024; i++; }
  return value.toFixed(i === 0 ? 0 : 1) + ' ' + units[i];
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const d = Math.floor(seconds / 86400), h = Math.floor(seconds / 3600) % 24, m = Math.floor(seconds / 60) % 60;
  return (d ? d + 'd ' : '') + (d || h ? h + 'h ' : '') + m + 'm ' + (seconds % 60) + 's';
}

function ms(value) {
  if (value === null || value === undefined) return '–';
  if (value === Infinity) return '> 10 s';
  return value < 10 ? value.toFixed(1) + ' ms' : Math.round(value) + ' ms';
}

function facts(dl, pairs) {
  dl.replaceChildren(...pairs.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, value)]));
}

function chips(reasons) {
  const span = el('span');
  for (const [reason, count] of reasons) span.append(el('span', { class: 'chip', title: reason }, reason + ' ' + num(count)));
  return span;
}

function spark(values) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('viewBox', `0 0 ${HISTORY} 20`);
  svg.setAttribute('preserveAspectRatio', 'none');
  const max = Math.max(1, ...values);
  const line = document.createElementNS(ns, 'polyline');
  // spread over the width until a minute of points is there; from then on one point is one second
  const step = values.length > 1 ? (HISTORY - 1) / (values.length - 1) : 0;
  line.setAttribute('points', values.map((v, i) => `${i * step},${19 - (v / max) * 18}`).join(' '));
  svg.append(line);
  return svg;
}

// ---------------------------------------------------------------- arithmetic over summaries

/** The value at a path ("listeners", name, "requests") in an older summary's list, found by key. */
function lookup(list, keyField, key) {
  return (list || []).find((entry) => entry[keyField] === key);
}

/** Per-second rate of a counter between the oldest summary of the window and now. */
function rate(now, then, seconds) {
  if (then === undefined || then === null || now === undefined || seconds <= 0) return null;
  return Math.max(0, now - then) / seconds;
}

function windowStart() {
  return summaries.length > 1 ? summaries[Math.max(0, summaries.length - 1 - WINDOW)] : null;
}

function seconds(from, to) {
  return from ? (to.at - from.at) / 1000 : 0;
}

/** The q-quantile (ms) of the requests that ended inside the window, from per-bucket counts. */
function quantile(nowBuckets, thenBuckets, q) {
  if (!nowBuckets) return null;
  const then = new Map((thenBuckets || []).map((b) => [b.le, b.count]));
  const buckets = nowBuckets.map((b) => ({ le: b.le < 0 ? Infinity : b.le, count: b.count - (then.get(b.le) || 0) }))
    .sort((a, b) => a.le - b.le);
  const total = buckets.reduce((sum, b) => sum + b.count, 0);
  if (total <= 0) return null;
  let seen = 0, lower = 0;
  for (const bucket of buckets) {
    if (seen + bucket.count >= q * total && bucket.count > 0) {
      if (bucket.le === Infinity) return Infinity;
      return lower + (bucket.le - lower) * ((q * total - seen) / bucket.count);
    }
    seen += bucket.count;
    if (bucket.le !== Infinity) lower = bucket.le;
  }
  return null;
}

/** Non-zero counters of an entry that are refusals, i.e. not one of the named throughput fields. */
function refusals(entry, then, except) {
  const out = [];
  for (const [key, value] of Object.entries(entry)) {
    if (typeof value !== 'number' || except.has(key) || /^[1-5]xx$/.test(key) || value === 0) continue;
    out.push([key, value]);
  }
  return out.sort((a, b) => b[1] - a[1]);
}

// ---------------------------------------------------------------- sections

function renderNode(s) {
  const node = s.node;
  const phase = node.draining && node.phase === 'READY' ? 'DRAINING' : node.phase;
  $('phase').textContent = phase;
  $('phase').className = 'badge ' + phase;
  $('drain').disabled = phase === 'DRAINING';
  const transports = [...new Set(node.loops.map((loop) => loop.transport))].join(', ');
  facts($('node'), [
    ['version', node.version ?? '–'],
    ['phase', phase],
    ['transport', `${node.transport ?? '–'} (loops: ${transports})`],
    ['event loops', node.eventLoops ?? node.loops.length],
    ['uptime', duration(node.uptimeSeconds)],
    ['config version', node.configVersion ?? '–'],
    ['I/O paths', Object.entries(node.ioPaths).map(([v, p]) => `${v}: ${p}`).join(', ') || '–'],
  ]);
  $('incomplete').hidden = node.complete;
  const loopsDetails = $('loops').closest('details');
  if (!loopsDetails.dataset.seen) { // open at first for a few loops; from then on as the operator leaves it
    loopsDetails.dataset.seen = 'yes';
    loopsDetails.open = node.loops.length <= 8;
  }
  const byThread = new Map();
  for (const instance of node.instances) {
    if (!byThread.has(instance.thread)) byThread.set(instance.thread, []);
    byThread.get(instance.thread).push(instance.instance);
  }
  $('loops').tBodies[0].replaceChildren(...node.loops.map((loop) => el('tr', {},
    el('td', { title: loop.thread ?? '' }, loop.loop), el('td', {}, loop.transport), el('td', { class: 'num' }, loop.pendingTasks ?? '–'),
    el('td', {}, (byThread.get(loop.thread) || []).join(', ')))));
}

const LISTENER_THROUGHPUT = new Set(['connections', 'requests', 'port', 'active', 'bytesIn', 'bytesOut', 'inFlight']);
const ROUTE_THROUGHPUT = new Set(['requests', 'inFlight', 'retriesInFlight', 'retries', 'upgrades']);

function renderHttp(s, from, secs) {
  const http = s.verticles['http-router'];
  $('http-card').hidden = !http;
  if (!http) return;
  const old = from && from.verticles['http-router'];
  const listeners = http.listeners || [];
  const total = listeners.reduce((sum, l) => sum + l.requests, 0);
  const oldTotal = old ? (old.listeners || []).reduce((sum, l) => sum + l.requests, 0) : null;
  $('total-requests').textContent = total;
  $('total-rps').textContent = num(rate(total, oldTotal, secs), 1);
  $('http-listeners').tBodies[0].replaceChildren(...listeners.map((l) => {
    const then = old && lookup(old.listeners, 'listener', l.listener);
    return el('tr', {}, el('td', {}, l.listener), el('td', {}, `${l.host}:${l.port}${l.tls ? ' (TLS)' : ''}`),
      el('td', { class: 'num' }, num(rate(l.requests, then?.requests, secs), 1)),
      el('td', { class: 'num' }, num(rate(l.connections, then?.connections, secs), 1)),
      el('td', {}, chips(refusals(l, then, LISTENER_THROUGHPUT))));
  }));
  const filter = $('route-filter').value.trim().toLowerCase();
  const routes = (http.routes || []).filter((r) => !filter || r.route.toLowerCase().includes(filter));
  const pages = Math.max(1, Math.ceil(routes.length / ROUTES_PER_PAGE));
  routePaging.page = Math.min(routePaging.page, pages - 1);
  const shown = routes.slice(routePaging.page * ROUTES_PER_PAGE, (routePaging.page + 1) * ROUTES_PER_PAGE);
  $('routes').tBodies[0].replaceChildren(...shown.map((r) => {
    const then = old && lookup(old.routes, 'route', r.route);
    const classes = ['1xx', '2xx', '3xx', '4xx', '5xx'].map((c) =>
      el('td', { class: 'num' + (c === '5xx' && rate(r[c], then?.[c], secs) > 0 ? ' bad' : '') }, num(rate(r[c], then?.[c], secs), 1)));
    return el('tr', { 'data-route': r.route }, el('td', {}, r.route), el('td', { class: 'num' }, num(rate(r.requests, then?.requests, secs), 1)),
      ...classes, el('td', { class: 'num' }, ms(quantile(r.latencyMs, then?.latencyMs, 0.5))),
      el('td', { class: 'num' }, ms(quantile(r.latencyMs, then?.latencyMs, 0.99))),
      el('td', { class: 'num' }, r.inFlight ?? 0), el('td', {}, chips(refusals(r, then, ROUTE_THROUGHPUT))));
  }));
  pager($('route-pager'), routePaging, routes.length, ROUTES_PER_PAGE, () => render());
}

function pager(host, state, total, perPage, onChange) {
  const pages = Math.max(1, Math.ceil(total / perPage));
  if (pages === 1) { host.replaceChildren(total ? `${total} shown` : ''); return; }
  const first = state.page * perPage + 1, last = Math.min(total, first + perPage - 1);
  const prev = el('button', { type: 'button', disabled: state.page === 0, title: 'previous page' }, '‹');
  const next = el('button', { type: 'button', disabled: state.page >= pages - 1, title: 'next page' }, '›');
  prev.addEventListener('click', () => { state.page--; onChange(); });
  next.addEventListener('click', () => { state.page++; onChange(); });
  host.replaceChildren(prev, ` ${first}–${last} of ${total} `, next);
}

function health(endpoint) {
  if (!endpoint.healthy) return 'down';
  return endpoint.ejected ? 'ejected' : 'up';
}

function renderClusters(s, from, secs) {
  const filter = $('endpoint-filter').value.trim().toLowerCase();
  const unhealthyOnly = $('unhealthy-only').checked;
  const total = s.clusters.reduce((sum, c) => sum + c.endpoints.length, 0);
  const host = $('clusters');
  const seen = new Set();
  for (const cluster of s.clusters) {
    seen.add(cluster.cluster);
    let view = clusterViews.get(cluster.cluster);
    if (!view) {
      const details = el('details', { class: 'cluster', 'data-cluster': cluster.cluster });
      details.open = total <= OPEN_CLUSTER_LIMIT;
      const summary = el('summary');
      const tools = el('div', { class: 'tools' });
      const body = el('tbody');
      const table = el('table', {}, el('thead', {}, el('tr', {}, ...['', 'endpoint', 'weight', 'active', 'conn/s', 'connect failures', 'ejections', 'owner', 'conn/s, up to 60 s']
        .map((h, i) => el('th', { class: i >= 2 && i <= 6 ? 'num' : '' }, h)))), body);
      details.append(summary, tools, el('div', { class: 'scroll' }, table));
      details.addEventListener('toggle', () => render());
      view = { details, summary, tools, body, paging: { page: 0 } };
      clusterViews.set(cluster.cluster, view);
      host.append(details);
    }
    const up = cluster.endpoints.filter((e) => health(e) === 'up').length;
    const ejected = cluster.endpoints.filter((e) => e.ejected).length;
    const active = cluster.endpoints.reduce((sum, e) => sum + (e.activeConnections || 0), 0);
    view.summary.replaceChildren(el('b', {}, cluster.cluster),
      el('span', { class: up < cluster.endpoints.length ? 'bad' : '' }, `${up}/${cluster.endpoints.length} healthy`),
      el('span', { class: 'meta' }, `${ejected} ejected · ${active} active · ${cluster.loadBalancer ?? '?'} · used by ${cluster.usedBy.join(', ') || 'none'}`));
    if (!view.details.open) continue; // collapsed: nothing below is built, whatever the endpoint count
    const old = from && lookup(from.clusters, 'cluster', cluster.cluster);
    const endpoints = cluster.endpoints.filter((e) => (!filter || e.address.toLowerCase().includes(filter))
      && (!unhealthyOnly || health(e) !== 'up'));
    const pages = Math.max(1, Math.ceil(endpoints.length / ENDPOINTS_PER_PAGE));
    view.paging.page = Math.min(view.paging.page, pages - 1);
    const shown = endpoints.slice(view.paging.page * ENDPOINTS_PER_PAGE, (view.paging.page + 1) * ENDPOINTS_PER_PAGE);
    view.body.replaceChildren(...shown.map((e) => {
      const then = old && lookup(old.endpoints, 'address', e.address);
      const state = health(e);
      return el('tr', { 'data-endpoint': cluster.cluster + '/' + e.address, 'data-health': state },
        el('td', {}, el('span', { class: 'dot', title: state })), el('td', {}, e.address),
        el('td', { class: 'num' }, e.weight ?? '–'), el('td', { class: 'num' }, e.activeConnections ?? 0),
        el('td', { class: 'num' }, num(rate(e.totalConnections, then?.totalConnections, secs), 1)),
        el('td', { class: 'num' }, e.connectFailures ?? 0), el('td', { class: 'num' }, e.ejections ?? 0),
        el('td', {}, owners(e.owner, s.cluster.self)), el('td', {}, spark(sparks.get(cluster.cluster + '/' + e.address))));
    }));
    const pagerHost = el('span', { class: 'pager' });
    pager(pagerHost, view.paging, endpoints.length, ENDPOINTS_PER_PAGE, () => render());
    view.tools.replaceChildren(pagerHost);
  }
  for (const [name, view] of clusterViews) {
    if (!seen.has(name)) { view.details.remove(); clusterViews.delete(name); }
  }
}

/** One sparkline point per endpoint for each summary that arrives (never on a redraw for a click). */
function recordSparks(s, previous) {
  const live = new Set();
  for (const cluster of s.clusters) {
    const last = previous && lookup(previous.clusters, 'cluster', cluster.cluster);
    for (const endpoint of cluster.endpoints) {
      const key = cluster.cluster + '/' + endpoint.address;
      const before = last && lookup(last.endpoints, 'address', endpoint.address);
      const history = sparks.get(key) || [];
      history.push(rate(endpoint.totalConnections, before?.totalConnections, seconds(previous, s)) || 0);
      if (history.length > HISTORY) history.shift();
      sparks.set(key, history);
      live.add(key);
    }
  }
  for (const key of sparks.keys()) {
    if (!live.has(key)) sparks.delete(key); // gone from config: its history goes too
  }
}

const TCP_THROUGHPUT = new Set(['active', 'connections', 'bytesIn', 'bytesOut', 'port']);

function renderTcp(s, from, secs) {
  const tcp = s.verticles['tcp-proxy'];
  $('tcp-card').hidden = !tcp;
  if (!tcp) return;
  const old = from && from.verticles['tcp-proxy'];
  $('tcp-listeners').tBodies[0].replaceChildren(...(tcp.listeners || []).map((l) => {
    const then = old && lookup(old.listeners, 'listener', l.listener);
    return el('tr', {}, el('td', {}, l.listener), el('td', {}, `${l.host}:${l.port}`), el('td', {}, l.cluster),
      el('td', { class: 'num' }, l.active), el('td', { class: 'num' }, num(rate(l.connections, then?.connections, secs), 1)),
      el('td', { class: 'num' }, bytes(rate(l.bytesIn, then?.bytesIn, secs)) + '/s'),
      el('td', { class: 'num' }, bytes(rate(l.bytesOut, then?.bytesOut, secs)) + '/s'),
      el('td', {}, chips(refusals(l, then, TCP_THROUGHPUT))));
  }));
}

function renderTun(s, from, secs) {
  const tun = s.verticles['tun-bridge'];
  $('tun-card').hidden = !tun;
  if (!tun) return;
  const old = from && from.verticles['tun-bridge'];
  facts($('tun'), [['device', tun.device ?? '–'], ['I/O path', tun.ioPath ?? '–'], ['listening', tun.listen ?? '–'],
    ['drops', Object.entries(tun.drops || {}).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'],
    ['UDP errors', tun.udpErrors ?? 0]]);
  $('tun-peers').tBodies[0].replaceChildren(...(tun.peers || []).map((p) => {
    const then = old && lookup(old.peers, 'peer', p.peer);
    const age = p.handshakeAgeMillis;
    return el('tr', { 'data-peer': p.peer }, el('td', {}, p.peer), el('td', {}, p.endpoint ?? 'roaming'),
      el('td', {}, owners(p.owner, s.cluster.self)),
      el('td', { class: age === undefined || age < 0 || age > 180000 ? 'bad' : '' }, age === undefined || age < 0 ? 'none' : duration(Math.round(age / 1000))),
      el('td', { class: 'num' }, bytes(rate(p.rxBytes, then?.rxBytes, secs)) + '/s'),
      el('td', { class: 'num' }, bytes(rate(p.txBytes, then?.txBytes, secs)) + '/s'),
      el('td', {}, chips(Object.entries(p.drops || {}).filter(([, v]) => v > 0))));
  }));
}

function shortId(id) {
  return id.length > 12 ? id.slice(0, 8) + '…' : id;
}

/** "this node" or the short member ids of an entry's owners ("a,b" when several members wrote it). */
function owners(owner, self) {
  if (!owner) return '';
  return owner.split(',').map((id) => (id === self ? 'this node' : shortId(id))).join(', ');
}

function renderCluster(s) {
  const cluster = s.cluster;
  facts($('cluster'), cluster.clustered
    ? [['members', cluster.members.length], ['this member', cluster.self], ['cluster stats', cluster.complete ? 'every member answered' : 'some members did not answer']]
    : [['mode', 'standalone (no Hazelcast); run with --cluster to join others']]);
  const owned = new Map(cluster.members.map((member) => [member, { endpoints: 0, peers: 0 }]));
  for (const c of s.clusters) {
    for (const e of c.endpoints) for (const id of (e.owner || '').split(',')) if (owned.has(id)) owned.get(id).endpoints++;
  }
  for (const p of s.verticles['tun-bridge']?.peers || []) if (owned.has(p.owner)) owned.get(p.owner).peers++;
  $('members').hidden = !cluster.clustered;
  $('members').tBodies[0].replaceChildren(...cluster.members.map((member) =>
    el('tr', { 'data-member': member }, el('td', { title: member }, shortId(member) + (member === cluster.self ? ' (this node)' : '')),
      el('td', { class: 'num' }, owned.get(member).endpoints), el('td', { class: 'num' }, owned.get(member).peers))));
  const rows = [];
  for (const [verticle, sums] of Object.entries(cluster.totals || {})) {
    for (const [section, value] of Object.entries(sums)) {
      if (typeof value === 'number') rows.push([`${verticle} ${section}`, value]);
      else for (const [field, count] of Object.entries(value)) {
        if (['requests', 'connections', 'bytesIn', 'bytesOut', 'active', 'rxBytes', 'txBytes', '5xx'].includes(field)) {
          rows.push([`${verticle} ${section} ${field}`, count]);
        }
      }
    }
  }
  $('totals').hidden = rows.length === 0;
  $('totals').tBodies[0].replaceChildren(...rows.map(([name, value]) =>
    el('tr', {}, el('td', {}, name), el('td', { class: 'num' }, name.includes('bytes') || name.includes('Bytes') ? bytes(value) : value))));
}

function render() {
  const s = summaries[summaries.length - 1];
  if (!s) return;
  const from = windowStart();
  const secs = seconds(from, s);
  renderNode(s);
  renderHttp(s, from, secs);
  renderClusters(s, from, secs);
  renderTcp(s, from, secs);
  renderTun(s, from, secs);
  renderCluster(s);
}

// ---------------------------------------------------------------- actions and feed

function armDrain() {
  const button = $('drain');
  let armed = false, timer = 0;
  button.addEventListener('click', async () => {
    if (!armed) { // two clicks: a stray one must not take the node out of rotation
      armed = true;
      button.textContent = 'Confirm drain';
      button.classList.add('armed');
      timer = setTimeout(() => { armed = false; button.textContent = 'Drain'; button.classList.remove('armed'); }, 5000);
      return;
    }
    clearTimeout(timer);
    armed = false;
    button.classList.remove('armed');
    button.textContent = 'Draining…';
    button.disabled = true;
    const response = await fetch('/drain', { method: 'POST' });
    button.textContent = response.ok ? 'Drain' : 'Drain failed: ' + response.status;
  });
}

function armCheck() {
  $('check').addEventListener('click', async () => {
    const result = $('check-result');
    const list = $('check-errors');
    result.textContent = 'checking…';
    result.className = '';
    list.replaceChildren();
    const response = await fetch('/config/validate', { method: 'POST', headers: { 'content-type': 'text/yaml' }, body: $('config-text').value });
    const body = await response.json();
    if (body.valid) {
      result.textContent = 'valid';
      result.className = 'ok';
      return;
    }
    const errors = body.errors || [{ path: '', message: body.error || 'HTTP ' + response.status }];
    result.textContent = `${errors.length} error${errors.length === 1 ? '' : 's'}`;
    result.className = 'bad';
    list.replaceChildren(...errors.map((e) => el('li', { 'data-path': e.path }, el('code', {}, e.path || '(document)'), ': ' + e.message)));
  });
}

function connect() {
  const feed = $('feed');
  const source = new EventSource('/dashboard/events');
  source.addEventListener('open', () => { feed.textContent = 'live'; feed.className = 'feed'; });
  source.addEventListener('error', () => { feed.textContent = 'reconnecting…'; feed.className = 'feed down'; });
  source.addEventListener('summary', (event) => {
    const summary = JSON.parse(event.data);
    recordSparks(summary, summaries[summaries.length - 1]);
    summaries.push(summary);
    if (summaries.length > WINDOW + 1) summaries.shift();
    render();
  });
}

$('route-filter').addEventListener('input', () => { routePaging.page = 0; render(); });
$('endpoint-filter').addEventListener('input', render);
$('unhealthy-only').addEventListener('change', render);
armDrain();
armCheck();
connect();
