// Editing a provider in place (PATCH /v1/providers/{name}): a setting
// changed in the form takes effect on the next send, the masked credential
// stays as it was, the form names a field the API refuses, and the change
// survives a restart of the node (run-time changes are kept in the store).
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, providerToml, Resources, screenshot, sideScroll, signIn, startBrowser, startPostern, startSim, until } from './harness.mjs';

describe('provider edit', { timeout: 200_000 }, () => {
  const resources = new Resources();
  let sim;
  let config;
  let env;
  let key;
  before(async () => {
    sim = await startSim(resources, ['mailgun']);
    config = providerToml(sim, 'mailgun', 'mg');
    const dir = mkdtempSync(path.join(tmpdir(), 'postern-e2e-edit-'));
    resources.add(() => rmSync(dir, { recursive: true, force: true }));
    // The same store across the restart.
    env = { POSTERN_STORE_PATH: path.join(dir, 'postern.db') };
  });
  after(() => resources.stopAll());

  // A node on the shared store and a browser signed in on /providers.
  async function open() {
    const node = await startPostern(resources, { config, env });
    key ??= await node.createKey('ui', 'read,send,admin');
    const b = await startBrowser(resources);
    await b.page.goto(node.url + '/providers');
    await signIn(b.page, key, 'Providers');
    return { node, b };
  }

  // Sends a message and answers the path mailgun was called on.
  async function sentThrough(node) {
    const r = await api(node, key, 'POST', '/v1/messages', { from: 'app@example.com', to: ['a@example.org'], subject: 'edit', text: 'hi' });
    assert.equal(r.status, 202, r.body);
    const id = JSON.parse(r.body).id;
    await until('the message to be sent', async () => JSON.parse((await api(node, key, 'GET', `/v1/messages/${id}`)).body).status === 'sent');
    const got = await fetch(`${sim.url('control')}/_sim/messages/${id}`);
    assert.equal(got.status, 200);
    return (await got.json()).receipts[0].target;
  }

  test('a setting edited takes effect, the credential stays, and it survives a restart', { timeout: 180_000 }, async () => {
    const first = await open();
    const page = first.b.page;
    const row = page.locator('tr[data-provider="mg"]');
    await row.locator('[data-check="probe"]').waitFor();
    assert.match(await sentThrough(first.node), /\/v3\/mg\.example\.com\/messages/);

    await row.getByRole('button', { name: 'Edit' }).click();
    const form = page.getByRole('form', { name: 'Edit mg' });
    await form.waitFor();
    assert.equal(await page.evaluate(() => document.activeElement.id), 'edit-mg-pool'); // the keyboard goes on there
    const settings = form.getByLabel(/^Settings/);
    const text = await settings.inputValue();
    assert.match(text, /^api_key = \*\*\*$/m); // shown masked
    await screenshot(page, 'provider-edit');
    assert.equal(await sideScroll(page), 0);

    // A field the gateway refuses is named, and the form stays to fix it.
    await form.getByLabel('Weight').fill('2000000');
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.getByRole('alert').filter({ hasText: 'weight' }).waitFor();
    assert.equal(await form.getByLabel('Weight').getAttribute('aria-invalid'), 'true');

    await form.getByLabel('Weight').fill('3');
    await settings.fill(text.replace('domain = mg.example.com', 'domain = edited.example.com'));
    await form.getByRole('button', { name: 'Save changes' }).click();
    await form.waitFor({ state: 'detached' });
    const now = JSON.parse((await api(first.node, key, 'GET', '/v1/providers/mg')).body);
    assert.equal(now.settings.domain, 'edited.example.com');
    assert.equal(now.weight, 3);
    // The table reads the list again after the form closes: wait for it.
    await until('the table to show weight 3', async () => (await page.getByLabel('Weight of mg').inputValue()) === '3');
    // The new domain is used, with the key kept (the simulator takes only its own).
    assert.match(await sentThrough(first.node), /\/v3\/edited\.example\.com\/messages/);
    assert.deepEqual(first.b.errors, []);

    await first.b.browser.close();
    await first.node.process.stop();
    const second = await open();
    await second.b.page.locator('tr[data-provider="mg"]').waitFor();
    assert.equal(await second.b.page.getByLabel('Weight of mg').inputValue(), '3');
    await second.b.page.locator('tr[data-provider="mg"]').getByRole('button', { name: 'Edit' }).click();
    assert.match(await second.b.page.getByRole('form', { name: 'Edit mg' }).getByLabel(/^Settings/).inputValue(), /^domain = edited\.example\.com$/m);
    assert.match(await sentThrough(second.node), /\/v3\/edited\.example\.com\/messages/);
    assert.deepEqual(second.b.errors, []);
  });
});
