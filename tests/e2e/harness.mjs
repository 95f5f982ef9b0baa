// What every browser test shares: a real postern (and postern-sim) started
// on 127.0.0.1 with free ports, Debian's chromium driven by playwright-core
// (never a downloaded browser), screenshots at two widths, and a stop of
// everything a test started. Binaries are found as tests/integration finds
// them (POSTERN_BIN, POSTERN_SIM_BIN; ctest sets both).
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const POSTERN_BIN = process.env.POSTERN_BIN ?? path.join(ROOT, 'build/asan/bin/postern');
const SIM_BIN = process.env.POSTERN_SIM_BIN ?? path.join(ROOT, 'build/asan/bin/postern-sim');
const UI_DIR = process.env.POSTERN_UI_DIR ?? path.join(ROOT, 'web/dist');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
// Where the screenshots go: a build folder (ctest names it).
export const SCREENSHOTS = process.env.E2E_SCREENSHOTS ?? path.join(ROOT, 'build/e2e-screenshots');
export const WIDTHS = [1280, 390];

// What AddressSanitizer, LeakSanitizer and UBSan print (managed_process.py).
const SANITIZER_REPORT = /ERROR: \w+Sanitizer|WARNING: \w+Sanitizer|: runtime error: /;

// One server process: started, waited for until its ready line (bounded),
// stopped with SIGTERM and a bounded wait, its clean exit checked.
class Managed {
  constructor(name, command, args, env, ready, timeoutMs = 60_000) {
    this.name = name;
    this.log = [];
    this.child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(this.failure('did not start in time')), timeoutMs);
      let partial = '';
      this.child.stderr.setEncoding('utf8');
      this.child.stderr.on('data', (chunk) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop();
        for (const line of lines) {
          this.log.push(line);
          const m = ready.exec(line);
          if (m) {
            clearTimeout(timer);
            resolve(m);
          }
        }
      });
      this.exited.then(() => {
        clearTimeout(timer);
        reject(this.failure('exited before it was ready'));
      });
    });
  }

  failure(why) {
    return new Error(`${this.name} ${why}:\n${this.log.slice(-40).join('\n')}`);
  }

  async stop(timeoutMs = 30_000) {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.check(await this.exited);
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const exit = await this.exited;
    clearTimeout(timer);
    this.check(exit);
  }

  check({ code, signal }) {
    const report = this.log.findIndex((l) => SANITIZER_REPORT.test(l));
    if (report >= 0) throw new Error(`${this.name} reported:\n${this.log.slice(report, report + 60).join('\n')}`);
    if (code !== 0) throw new Error(`${this.name} exited with ${code ?? signal}:\n${this.log.slice(-40).join('\n')}`);
  }
}

// Everything a test starts, stopped in reverse order by stopAll() (call it
// from after()); the first failure of a stop is thrown once all stopped.
export class Resources {
  constructor() {
    this.stops = [];
  }
  add(stop) {
    this.stops.push(stop);
  }
  async stopAll() {
    let first = null;
    while (this.stops.length) {
      try {
        await this.stops.pop()();
      } catch (e) {
        first ??= e;
      }
    }
    if (first) throw first;
  }
}

// A postern on 127.0.0.1 with its own store and free ports, serving the
// built UI. `config`: TOML text.
export async function startPostern(resources, { config = '', env = {} } = {}) {
  const workdir = mkdtempSync(path.join(tmpdir(), 'postern-e2e-'));
  resources.add(() => rmSync(workdir, { recursive: true, force: true }));
  const configPath = path.join(workdir, 'postern.toml');
  writeFileSync(configPath, config);
  const fullEnv = {
    ...process.env,
    POSTERN_HTTP_LISTEN: '127.0.0.1:0',
    POSTERN_SMTP_LISTEN: '127.0.0.1:0',
    POSTERN_POP3_LISTEN: '127.0.0.1:0',
    POSTERN_IMAP_LISTEN: '127.0.0.1:0',
    POSTERN_STORE_PATH: path.join(workdir, 'postern.db'),
    POSTERN_HTTP_UI_DIR: UI_DIR,
    POSTERN_LOG_LEVEL: 'info',
    ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0:halt_on_error=1',
    ...env,
  };
  const args = ['--config', configPath];
  const p = new Managed('postern', POSTERN_BIN, [...args, 'serve'], fullEnv, /postern ready: http=([\d.]+):(\d+)/);
  resources.add(() => p.stop());
  const m = await p.ready;
  const url = `http://${m[1]}:${m[2]}`;
  const node = {
    url,
    process: p,
    // Stops the node (SIGTERM, a clean exit checked) and starts it again
    // on the same HTTP port and store, as an operator's restart does.
    restart: async () => {
      await node.process.stop();
      const again = { ...fullEnv, POSTERN_HTTP_LISTEN: `${m[1]}:${m[2]}` };
      const next = new Managed('postern', POSTERN_BIN, [...args, 'serve'], again, /postern ready: http=([\d.]+):(\d+)/);
      resources.add(() => next.stop());
      await next.ready;
      node.process = next;
    },
    // A CLI command against the same store (postern keys create ...).
    cli: (...cliArgs) => run(POSTERN_BIN, [...args, ...cliArgs], fullEnv),
    // A key with these scopes, made with the CLI.
    createKey: async (name, scopes) =>
      (await run(POSTERN_BIN, [...args, 'keys', 'create', '--name', name, '--scopes', scopes], fullEnv)).trim(),
  };
  return node;
}

function run(command, args, env, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${path.basename(command)} ${args.join(' ')}: ${code}\n${err}`)),
    );
  });
}

export const SIM_MAILGUN_KEY = 'key-sim';
export const SIM_SENDGRID_KEY = 'SG.sim-key';

// postern-sim with the services named, each on a free port; url(name), port(name).
export async function startSim(resources, services = ['mailgun', 'sendgrid']) {
  const args = ['--log-level', 'info', '--control', '127.0.0.1:0', ...services.flatMap((s) => [`--${s}`, '127.0.0.1:0'])];
  const env = { ...process.env, ASAN_OPTIONS: 'detect_leaks=1:abort_on_error=0:halt_on_error=1' };
  const sim = new Managed('postern-sim', SIM_BIN, args, env, /postern-sim ready: (.*)$/);
  resources.add(() => sim.stop());
  const m = await sim.ready;
  const addresses = Object.fromEntries(m[1].split(/\s+/).filter(Boolean).map((item) => item.split('=')));
  return {
    url: (name) => `http://${addresses[name]}`,
    port: (name) => Number(addresses[name].split(':').pop()),
    // The control API (docs/simulator.md): faults of a service, e.g. { down: true }.
    faults: async (service, settings) => {
      const r = await fetch(`http://${addresses.control}/_sim/faults/${service}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(settings),
      });
      if (!r.ok) throw new Error(`postern-sim faults ${service}: ${r.status} ${await r.text()}`);
    },
  };
}

// A [[providers]] entry for one of postern-sim's services
// (tests/integration/test_providers.py's provider_toml).
export function providerToml(sim, kind, name = kind) {
  const head = `[[providers]]\nname = "${name}"\ntype = "${kind}"\nbase_url = "${sim.url(kind)}"\n`;
  if (kind === 'mailgun') return `${head}api_key = "${SIM_MAILGUN_KEY}"\ndomain = "mg.example.com"\n`;
  if (kind === 'sendgrid') return `${head}api_key = "${SIM_SENDGRID_KEY}"\n`;
  throw new Error(`no provider entry for ${kind}`);
}

// Signs in on the form the page shows and waits for the screen `heading`.
export async function signIn(page, key, heading = 'Dashboard') {
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

// What most suites start with: a node (`config`), a key with `scopes`,
// and a browser signed in on `path`, showing `heading`.
export async function signedInNode(resources, { config = '', scopes = 'read,send,admin', path = '/', heading = 'Dashboard' } = {}) {
  const node = await startPostern(resources, { config });
  const key = await node.createKey('ui', scopes);
  const b = await startBrowser(resources);
  await b.page.goto(node.url + path);
  await signIn(b.page, key, heading);
  return { node, key, b };
}

// Headless chromium from Debian, with nothing that reaches the network.
export async function startBrowser(resources) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    timeout: 30_000,
  });
  resources.add(() => browser.close());
  const context = await browser.newContext({ viewport: { width: WIDTHS[0], height: 900 } });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  // A script error on a page fails the test that saw it.
  const errors = [];
  page.on('pageerror', (e) => errors.push(e));
  return { browser, context, page, errors };
}

// The page at each width as build/…/NAME-WIDTH.png: full length, or the
// window only (fullPage false) for a page as long as the API explorer.
export async function screenshot(page, name, { fullPage = true } = {}) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const original = page.viewportSize();
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    // Two frames: the charts' resize observers have drawn at the new width.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${width}.png`), fullPage });
  }
  await page.setViewportSize(original);
}

// Calls the node's API with a key, as a test's own client.
export async function api(node, key, method, pathname, body) {
  const r = await fetch(node.url + pathname, {
    method,
    headers: { Authorization: `Bearer ${key}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: r.status, body: await r.text() };
}

// Waits until `check()` gives something truthy, asking every 50 ms, for at
// most `timeoutMs`; returns what it gave.
export async function until(what, check, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// How much wider than the window the page is at `width` (0: it fits, as a
// phone shows it without scrolling sideways; a wide table scrolls in its own
// frame instead).
export async function sideScroll(page, width = WIDTHS[1]) {
  const original = page.viewportSize();
  await page.setViewportSize({ width, height: 900 });
  const over = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  await page.setViewportSize(original);
  return over;
}
