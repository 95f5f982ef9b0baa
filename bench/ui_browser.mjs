// The browser half of bench/ui.sh: Debian's chromium, driven by
// playwright-core (tests/e2e's locked copy), against a running node.
//
//   node bench/ui_browser.mjs pageload URL LOADS
//     LOADS cold loads of / (a new browser context each: empty cache) and
//     LOADS warm ones (reloads in one context); per load, from the Performance
//     API: first contentful paint, largest contentful paint (a
//     PerformanceObserver), DOMContentLoaded and load (navigation timing),
//     bytes transferred and the compressed bytes of JavaScript and CSS.
//   node bench/ui_browser.mjs live URL SECS LUA CONNS PROVIDER
//     the dashboard open for SECS while wrk posts messages at full rate
//     (LUA, CONNS connections) and PROVIDER is paused and resumed ten
//     times a second (a provider_state event each): the page's JS heap
//     after a garbage collection at the start and at the end (CDP), the lag
//     of each event from the node's `at` to the page's main thread reading
//     it, how late the main thread ran a 50 ms timer, and its long tasks
//     (50 ms or more).
// Prints one "key=value ..." line per load or run (bench/results.py).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { chromium } = createRequire(path.join(ROOT, 'tests/e2e/package.json'))('playwright-core');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

const [mode, url, ...rest] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', args: ARGS });
try {
  if (mode === 'pageload') await pageLoads(Number(rest[0] ?? 5));
  else if (mode === 'live') await live(Number(rest[0] ?? 60), rest[1], Number(rest[2] ?? 50), rest[3]);
  else throw new Error(`unknown mode ${mode}`);
} finally {
  await browser.close();
}

// Before any script of the page: keep the largest-contentful-paint entries
// (they are not in the performance timeline without an observer).
function observeLcp() {
  window.__lcp = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__lcp = e.startTime;
  }).observe({ type: 'largest-contentful-paint', buffered: true });
}

async function newPage(context) {
  const page = await context.newPage();
  await page.addInitScript(observeLcp);
  return page;
}

async function measureLoad(page) {
  await page.goto(url + '/', { waitUntil: 'load' });
  await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
  // Two frames after the dashboard's first render: its paints are reported.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    const resources = performance.getEntriesByType('resource');
    const code = resources.filter((r) => /\.(js|css)$/.test(new URL(r.name).pathname));
    const sum = (list, key) => list.reduce((n, r) => n + r[key], 0);
    return {
      fcp_ms: fcp ? fcp.startTime : null,
      lcp_ms: window.__lcp || null,
      dcl_ms: nav.domContentLoadedEventEnd,
      load_ms: nav.loadEventEnd,
      transfer_kb: (nav.transferSize + sum(resources, 'transferSize')) / 1024,
      js_css_kb: sum(code, 'encodedBodySize') / 1024,
      js_css_transfer_kb: sum(code, 'transferSize') / 1024,
      requests: resources.length + 1,
    };
  });
}

function line(fields) {
  const text = Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Math.round(v * 10) / 10 : v}`)
    .join(' ');
  console.log(text);
}

async function pageLoads(loads) {
  for (let run = 1; run <= loads; run++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    line({ phase: 'cold', run, ...(await measureLoad(await newPage(context))) });
    await context.close();
  }
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await newPage(context);
  await measureLoad(page); // fills the cache
  for (let run = 1; run <= loads; run++) line({ phase: 'warm', run, ...(await measureLoad(page)) });
  await context.close();
}

// Before any script of the page: a copy of /v1/events' stream, read on the
// page's main thread like the dashboard's own, timing each event against
// its `at`; and a 50 ms timer's lateness. Both are kept in rings allocated
// up front, so that the measuring adds nothing to the heap it measures.
function instrument() {
  const SIZE = 1 << 14;
  const ring = () => ({ t: new Float64Array(SIZE), lag: new Float64Array(SIZE), n: 0 });
  const keep = (r, t, lag) => {
    r.t[r.n % SIZE] = t;
    r.lag[r.n % SIZE] = lag;
    r.n++;
  };
  window.__bench = { lags: ring(), loop: ring(), events: 0, longTasks: 0, longTaskMs: 0 };
  const b = window.__bench;
  // Tasks of 50 ms or more on the page's main thread: its own work.
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      b.longTasks++;
      b.longTaskMs += e.duration;
    }
  }).observe({ type: 'longtask' });
  const original = window.fetch;
  window.fetch = async (...args) => {
    const response = await original(...args);
    const target = String(args[0] instanceof Request ? args[0].url : args[0]);
    if (!target.includes('/v1/events') || !response.body) return response;
    const [mine, theirs] = response.body.tee();
    (async () => {
      const reader = mine.pipeThrough(new TextDecoderStream()).getReader();
      let partial = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const lines = (partial + value).split('\n');
        partial = lines.pop();
        const now = Date.now();
        for (const l of lines) {
          if (!l.startsWith('data: ')) continue;
          const at = Date.parse(JSON.parse(l.slice(6)).at);
          b.events++;
          keep(b.lags, now, now - at);
        }
      }
    })();
    return new Response(theirs, { status: response.status, statusText: response.statusText, headers: response.headers });
  };
  let expected = performance.now() + 50;
  setInterval(() => {
    const now = performance.now();
    keep(b.loop, Date.now(), Math.max(0, now - expected));
    expected = now + 50;
  }, 50);
}

function quantile(values, q) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function metric(name) {
  const text = await (await fetch(url + '/metrics')).text();
  const m = text.split('\n').find((l) => l.startsWith(name + ' '));
  return m ? Number(m.split(' ').pop()) : 0;
}

async function live(secs, lua, conns, provider) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.addInitScript(instrument);
  await page.goto(url + '/');
  await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
  await page.getByRole('status').getByText('Live').waitFor();
  const cdp = await context.newCDPSession(page);
  const heap = async (collect) => {
    if (collect) await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize / 2 ** 20;
  };
  const heapStart = await heap(true);
  const sent = 'postern_queue_messages{status="sent"}';
  const sent0 = await metric(sent);
  const started = Date.now();

  const wrk = spawn('wrk', ['-t2', `-c${conns}`, `-d${secs}s`, '-s', lua, `${url}/v1/messages`], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let wrkOut = '';
  wrk.stdout.on('data', (d) => (wrkOut += d));
  const wrkDone = new Promise((r) => wrk.on('exit', r));

  let toggles = 0;
  let paused = false;
  let heapPeak = heapStart;
  const toggler = setInterval(async () => {
    paused = !paused;
    toggles++;
    await fetch(`${url}/v1/providers/${provider}/${paused ? 'pause' : 'resume'}`, { method: 'POST' }).catch(() => null);
  }, 100);
  // Every 5 s the heap as it is (its peak); at half time after a garbage
  // collection, so that growth in the second half can be told from the
  // first's warming up.
  let heapHalf = null;
  const sampler = setInterval(async () => {
    heapPeak = Math.max(heapPeak, await heap(false).catch(() => 0));
  }, 5000);
  const half = setTimeout(async () => {
    heapHalf = await heap(true).catch(() => null);
  }, (secs * 1000) / 2);
  await wrkDone;
  clearInterval(toggler);
  clearInterval(sampler);
  clearTimeout(half);
  const elapsed = (Date.now() - started) / 1000;
  if (paused) await fetch(`${url}/v1/providers/${provider}/resume`, { method: 'POST' });
  const delivered = (await metric(sent)) - sent0;
  const heapEnd = await heap(true);

  // The rings as lists of {t, lag} (typed arrays do not cross to node).
  const b = await page.evaluate(() => {
    const list = (r) =>
      Array.from({ length: Math.min(r.n, r.t.length) }, (_, i) => ({ t: r.t[i], lag: r.lag[i] }));
    const w = window.__bench;
    return { ...w, lags: list(w.lags), loop: list(w.loop) };
  });
  const lastTen = (list) => list.filter((e) => e.t >= started + (secs - 10) * 1000).map((e) => e.lag);
  const lags = b.lags.map((e) => e.lag);
  const loop = b.loop.map((e) => e.lag);
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(wrkOut);
  line({
    phase: 'live',
    run: 1,
    secs: Math.round(elapsed),
    intake_per_s: rps ? Number(rps[1]) : 0,
    delivered_per_s: delivered / elapsed,
    toggles,
    events: b.events,
    event_lag_p50_ms: quantile(lags, 0.5),
    event_lag_p99_ms: quantile(lags, 0.99),
    event_lag_max_ms: quantile(lags, 1),
    event_lag_last10s_p99_ms: quantile(lastTen(b.lags), 0.99),
    loop_lag_p99_ms: quantile(loop, 0.99),
    loop_lag_max_ms: quantile(loop, 1),
    long_tasks: b.longTasks,
    long_task_ms: b.longTaskMs,
    heap_start_mib: heapStart,
    heap_half_mib: heapHalf,
    heap_end_mib: heapEnd,
    heap_peak_mib: heapPeak,
  });
  await context.close();
}
