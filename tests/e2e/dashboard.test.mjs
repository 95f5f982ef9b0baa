// The dashboard against a real node routing to postern-sim: the configured
// providers with their state, a state change shown live (server-sent
// events, no reload), the navigation and deep links.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, providerToml, Resources, screenshot, signIn, startBrowser, startPostern, startSim, until } from './harness.mjs';

describe('dashboard', { timeout: 150_000 }, () => {
  const resources = new Resources();
  let b;
  let node;
  let key;
  before(async () => {
    const sim = await startSim(resources);
    node = await startPostern(resources, {
      config: providerToml(sim, 'mailgun', 'mailgun-eu') + providerToml(sim, 'sendgrid'),
    });
    key = await node.createKey('ui', 'read,send,admin');
    // Some traffic first, so that the figures are not all blank.
    const ids = [];
    for (let i = 0; i < 8; i++) {
      const sent = await api(node, key, 'POST', '/v1/messages', {
        from: 'app@example.com', to: [`user${i}@example.org`], subject: `Hello ${i}`, text: 'Hi',
      });
      assert.equal(sent.status, 202, sent.body);
      ids.push(JSON.parse(sent.body).id);
    }
    await until('the messages to be sent', async () => {
      const states = await Promise.all(ids.map((id) => api(node, key, 'GET', `/v1/messages/${id}`)));
      return states.every((r) => JSON.parse(r.body).status === 'sent');
    });
    b = await startBrowser(resources);
    await b.page.goto(node.url + '/');
    await signIn(b.page, key);
  });
  after(() => resources.stopAll());

  const card = (name) => b.page.locator(`[data-provider="${name}"]`);

  test('shows each configured provider and its state', { timeout: 60_000 }, async () => {
    await card('mailgun-eu').waitFor();
    await card('sendgrid').waitFor();
    assert.match(await card('mailgun-eu').textContent(), /mailgun · pool/);
    assert.equal(await card('sendgrid').locator('.badge').textContent(), 'Up');
    // Between them the two providers took all the traffic.
    const shares = await b.page.locator('[data-provider] .figures').allTextContents();
    assert.ok(shares.some((t) => /Success100\u00a0%/.test(t)), shares.join(' | '));
    await b.page.getByText('Live', { exact: true }).waitFor();
    await screenshot(b.page, 'dashboard');
  });

  test('a paused provider shows as paused at once, without a reload', { timeout: 60_000 }, async () => {
    await b.page.getByText('Live', { exact: true }).waitFor();
    const paused = await api(node, key, 'POST', '/v1/providers/sendgrid/pause');
    assert.equal(paused.status, 200, paused.body);
    await card('sendgrid').locator('.badge[data-state="paused"]').waitFor({ timeout: 5_000 });
    await b.page.getByRole('list', { name: 'Routing events' }).getByText(/sendgrid: healthy → paused/).waitFor();
    assert.equal(await card('mailgun-eu').locator('.badge').getAttribute('data-state'), 'healthy');
    await api(node, key, 'POST', '/v1/providers/sendgrid/resume');
    await card('sendgrid').locator('.badge[data-state="healthy"]').waitFor({ timeout: 5_000 });
  });

  test('navigation reaches every screen, and deep links load the app', { timeout: 60_000 }, async () => {
    const page = b.page;
    for (const name of ['Compose', 'Messages', 'Providers', 'Test inbox', 'Keys', 'Dashboard']) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click();
      await page.getByRole('heading', { name, level: 1 }).waitFor();
      assert.equal(await page.getByRole('link', { name, exact: true }).getAttribute('aria-current'), 'page');
    }
    await page.goto(node.url + '/inbox/alice');
    await page.getByRole('heading', { name: 'alice', level: 1 }).waitFor();
    await page.goto(node.url + '/no/such/screen');
    await page.getByRole('heading', { name: 'Not found' }).waitFor();
    assert.deepEqual(b.errors, []);
  });
});
