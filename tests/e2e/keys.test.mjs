// The Keys screen: list, create (the secret shown once, and it works),
// a name taken already, delete after a confirmation; and on an open node
// the first key carries the tab on with it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, Resources, screenshot, signIn, startBrowser, startPostern } from './harness.mjs';

describe('keys', { timeout: 150_000 }, () => {
  const resources = new Resources();
  let b;
  before(async () => {
    b = await startBrowser(resources);
  });
  after(() => resources.stopAll());

  const row = (name) => b.page.locator(`tr[data-key="${name}"]`);

  test('create, a taken name, delete after confirming', { timeout: 60_000 }, async () => {
    const node = await startPostern(resources);
    const admin = await node.createKey('ops', 'read,admin');
    const page = b.page;
    await page.goto(node.url + '/');
    await signIn(page, admin);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Keys' }).click();
    await row('ops').waitFor();

    await page.getByLabel('Name').fill('ci-sender');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secret = (await page.locator('.secret-value').textContent()).trim();
    await row('ci-sender').waitFor();
    assert.equal(await row('ci-sender').locator('td').nth(1).textContent(), 'send');
    await screenshot(page, 'keys');
    // The secret shown is a working key with the send scope.
    const sent = await api(node, secret, 'POST', '/v1/messages', {
      from: 'app@example.com', to: ['a@example.org'], subject: 'Hi', text: 'Hi',
    });
    assert.equal(sent.status, 202, sent.body);
    await page.getByRole('button', { name: 'I have kept it' }).click();

    await page.getByLabel('Name').fill('ci-sender');
    await page.getByRole('button', { name: 'Create key' }).click();
    assert.equal((await page.getByRole('alert').textContent()).trim(), 'a key with this name exists');

    await row('ci-sender').getByRole('button', { name: 'Delete…' }).click();
    await row('ci-sender').getByRole('button', { name: 'Cancel' }).click();
    assert.ok(await row('ci-sender').isVisible());
    await row('ci-sender').getByRole('button', { name: 'Delete…' }).click();
    await row('ci-sender').getByRole('button', { name: 'Delete ci-sender' }).click();
    await row('ci-sender').waitFor({ state: 'detached' });
    assert.equal((await api(node, secret, 'POST', '/v1/messages', { from: 'a@example.com', to: ['b@example.org'], text: 'x' })).status, 401);
    assert.deepEqual(b.errors, []);
  });

  test('the first key on an open node carries the tab on with it', { timeout: 60_000 }, async () => {
    const node = await startPostern(resources);
    const page = b.page;
    await page.evaluate(() => sessionStorage.clear());
    await page.goto(node.url + '/keys');
    await page.getByText('No keys yet').waitFor();
    await page.getByLabel('Name').fill('first');
    await page.getByRole('checkbox', { name: /^read/ }).check();
    await page.getByRole('checkbox', { name: /^admin/ }).check();
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByText('this tab goes on with the new one').waitFor();
    await page.getByRole('button', { name: 'I have kept it' }).click();
    await row('first').waitFor();
    // Signed in with it now: the node refuses callers without a key.
    assert.ok(await page.getByRole('button', { name: 'Sign out' }).isVisible());
    assert.equal((await fetch(node.url + '/v1/keys')).status, 401);
    assert.deepEqual(b.errors, []);
  });
});
