// The dashboard's figures and liveness against a real node and postern-sim:
// traffic through two simulated providers fills the queue, rate and share
// figures from /v1/stats and its `stats` events; one provider killed
// through the simulator's control API shows as down within seconds and its
// traffic moves to the other; a node restarted under the open page comes
// back by itself (no blank screen, live again, no event twice).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, providerToml, Resources, screenshot, signIn, startBrowser, startPostern, startSim, until } from './harness.mjs';

// Sends a message every `everyMs` until stop() (no wait between: a steady
// stream, as an application's).
function traffic(node, key, everyMs = 40) {
  let running = true;
  let sent = 0;
  const loop = (async () => {
    while (running) {
      const r = await api(node, key, 'POST', '/v1/messages', {
        from: 'app@example.com', to: [`user${sent}@example.org`], subject: `Load ${sent}`, text: 'Hi',
      });
      assert.equal(r.status, 202, r.body);
      sent++;
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return { stop: async () => ((running = false), await loop), sent: () => sent };
}

const shareNow = async (page, name) =>
  Number(await page.locator(`table[aria-label="Traffic share"] tr[data-share-provider="${name}"] td[data-share-now]`).getAttribute('data-share-now'));

describe('dashboard figures and provider failure', { timeout: 180_000 }, () => {
  const resources = new Resources();
  let sim;
  let node;
  let key;
  let b;
  before(async () => {
    sim = await startSim(resources);
    node = await startPostern(resources, { config: providerToml(sim, 'mailgun') + providerToml(sim, 'sendgrid') });
    key = await node.createKey('ui', 'read,send,admin');
    b = await startBrowser(resources);
    await b.page.goto(node.url + '/');
    await signIn(b.page, key);
  });
  after(() => resources.stopAll());

  test('traffic shows in the queue, rates and share; a killed provider shows down and its share moves', { timeout: 150_000 }, async () => {
    const page = b.page;
    await page.getByText('Live', { exact: true }).waitFor();
    const load = traffic(node, key);
    try {
      // Both providers take a share of the current bucket, from the live events.
      await until('both providers to carry traffic', async () => (await shareNow(page, 'mailgun').catch(() => 0)) > 0 && (await shareNow(page, 'sendgrid').catch(() => 0)) > 0);
      await until('the delivered count to show', async () => {
        const sent = await page.locator('[aria-label="Queue depth by status"] [data-status="sent"] dd').textContent();
        return Number(sent.replace(/,/g, '')) > 0;
      });
      await until('a delivery rate', async () => /[1-9]/.test(await page.locator('[data-rate="sent"] dd').textContent()));
      await screenshot(page, 'dashboard-traffic');

      // A page opened now shows the hour at once: its first read of
      // /v1/stats has the history.
      const fresh = await b.context.newPage();
      await fresh.goto(node.url + '/');
      const first = fresh.waitForResponse((r) => r.url().endsWith('/v1/stats'));
      await signIn(fresh, key);
      const stats = await (await first).json();
      assert.ok(stats.history.length > 0, JSON.stringify(stats));
      assert.ok(stats.history.some((h) => h.providers.mailgun && h.providers.sendgrid), JSON.stringify(stats.history));
      await fresh.close();

      // Kill sendgrid: the simulator refuses its connections.
      await sim.faults('sendgrid', { down: true });
      const killed = Date.now();
      const badge = page.locator('.cards [data-provider="sendgrid"] .badge');
      await until('sendgrid to show down', async () => (await badge.getAttribute('data-state')) !== 'healthy', 10_000);
      const seenAfterMs = Date.now() - killed;
      assert.ok(seenAfterMs < 10_000, `sendgrid shown down after ${seenAfterMs} ms`);
      // Its share of the current bucket goes to mailgun (a bucket is 10 s).
      await until('the traffic to move to mailgun', async () => (await shareNow(page, 'mailgun')) === 1 && (await shareNow(page, 'sendgrid')) === 0, 30_000);
      await screenshot(page, 'dashboard-provider-down');
    } finally {
      await load.stop();
    }
    assert.deepEqual(b.errors, []);
  });
});

describe('dashboard across a restart of the node', { timeout: 180_000 }, () => {
  const resources = new Resources();
  let node;
  let key;
  let b;
  before(async () => {
    node = await startPostern(resources, { config: '[[providers]]\nname = "catcher"\ntype = "capture"\n' });
    key = await node.createKey('ui', 'read,send,admin');
    b = await startBrowser(resources);
    await b.page.goto(node.url + '/');
    await signIn(b.page, key);
  });
  after(() => resources.stopAll());

  const eventIds = async (page) =>
    (await page.locator('[aria-label="Routing events"] li').evaluateAll((items) => items.map((li) => li.dataset.eventId))).map(Number);

  const pauseAndResume = async (page, count) => {
    assert.equal((await api(node, key, 'POST', '/v1/providers/catcher/pause')).status, 200);
    assert.equal((await api(node, key, 'POST', '/v1/providers/catcher/resume')).status, 200);
    await until('the events to show', async () => (await eventIds(page)).length >= count);
  };

  test('the page recovers by itself: live again, no blank screen, no event twice', { timeout: 150_000 }, async () => {
    const page = b.page;
    await page.getByText('Live', { exact: true }).waitFor();
    await pauseAndResume(page, 2);
    const before = await eventIds(page);

    await node.restart();
    // The page said it lost the node, and came back by itself.
    await page.getByText('Live', { exact: true }).waitFor({ timeout: 30_000 });
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await page.locator('.cards [data-provider="catcher"]').waitFor();

    // Live again: a change after the restart shows without a reload.
    await pauseAndResume(page, before.length + 2);
    const ids = await eventIds(page);
    assert.equal(new Set(ids).size, ids.length, `an event shown twice: ${ids}`);
    // Newest first, ids increasing across the restart.
    assert.deepEqual([...ids].sort((x, y) => y - x), ids);
    assert.ok(ids[0] > Math.max(...before));
    // The figures were read again from the new process.
    await until('the queue depth', async () => /\d/.test(await page.locator('[data-status="queued"] dd').textContent()));
    await screenshot(page, 'dashboard-after-restart');
    assert.deepEqual(b.errors, []);
  });
});
