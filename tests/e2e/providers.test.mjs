// The Providers screen against a real node routing to postern-sim: the
// configured providers, pause after confirming and resume, a weight, the
// strategy, a provider added and removed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, providerToml, Resources, screenshot, signedInNode, startSim } from './harness.mjs';

describe('providers', { timeout: 150_000 }, () => {
  const resources = new Resources();
  let b;
  let node;
  let key;
  let sim;
  before(async () => {
    sim = await startSim(resources, ['mailgun', 'sendgrid', 'smtp']);
    ({ node, key, b } = await signedInNode(resources, {
      config: providerToml(sim, 'mailgun') + providerToml(sim, 'sendgrid'), scopes: 'read,admin', path: '/providers', heading: 'Providers',
    }));
  });
  after(() => resources.stopAll());

  const row = (name) => b.page.locator(`tr[data-provider="${name}"]`);
  const provider = async (name) => JSON.parse((await api(node, key, 'GET', `/v1/providers/${name}`)).body);

  test('pause after confirming, then resume', { timeout: 60_000 }, async () => {
    await row('mailgun').waitFor();
    await row('sendgrid').getByRole('button', { name: 'Pause…' }).click();
    await screenshot(b.page, 'providers');
    await row('sendgrid').getByRole('button', { name: 'Pause sendgrid' }).click();
    await row('sendgrid').locator('.badge[data-state="paused"]').waitFor();
    assert.equal((await provider('sendgrid')).admin, 'paused');
    await row('sendgrid').getByRole('button', { name: 'Resume' }).click();
    await row('sendgrid').locator('.badge[data-state="healthy"]').waitFor();
    assert.equal((await provider('sendgrid')).admin, 'active');
  });

  test('a weight and the strategy change', { timeout: 60_000 }, async () => {
    const page = b.page;
    await page.getByLabel('Weight of mailgun').fill('5');
    await row('mailgun').getByRole('button', { name: 'Save' }).click();
    await row('mailgun').getByRole('button', { name: 'Save' }).waitFor({ state: 'detached' });
    assert.equal((await provider('mailgun')).weight, 5);

    const before = JSON.parse((await api(node, key, 'GET', '/v1/routing')).body);
    const other = before.strategies.find((s) => s !== before.strategy);
    await page.getByLabel('Strategy').selectOption(other);
    await page.getByRole('button', { name: 'Save strategy' }).click();
    await page.getByRole('button', { name: 'Save strategy' }).and(page.locator(':disabled')).waitFor();
    assert.equal(JSON.parse((await api(node, key, 'GET', '/v1/routing')).body).strategy, other);
  });

  test('a provider added, a bad one refused, then removed', { timeout: 60_000 }, async () => {
    const page = b.page;
    await page.getByLabel('Name', { exact: true }).fill('relay');
    await page.getByLabel('Type').selectOption('smtp');
    await page.getByLabel(/^Settings/).fill(`host = 127.0.0.1\nport = ${sim.port('smtp')}\ntls = none`);
    await page.getByRole('button', { name: 'Add provider' }).click();
    await row('relay').waitFor();
    assert.equal((await provider('relay')).type, 'smtp');

    await page.getByLabel('Name', { exact: true }).fill('broken');
    await page.getByLabel('Type').selectOption('sendgrid');
    await page.getByLabel(/^Settings/).fill('');
    await page.getByRole('button', { name: 'Add provider' }).click();
    await page.getByRole('alert').filter({ hasText: 'Not changed' }).waitFor();
    assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'broken'); // kept to fix

    await row('relay').getByRole('button', { name: 'Remove…' }).click();
    await row('relay').getByRole('button', { name: 'Remove relay' }).click();
    await row('relay').waitFor({ state: 'detached', timeout: 15_000 });
    assert.deepEqual(b.errors, []);
  });
});
