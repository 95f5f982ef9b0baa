// Signing in: a node without keys lets a loopback browser straight in; a
// node with keys asks for one, refuses a bad one with a message, and opens
// the dashboard with a good one for the rest of the tab's session.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Resources, screenshot, startBrowser, startPostern } from './harness.mjs';

describe('sign in', { timeout: 120_000 }, () => {
  const resources = new Resources();
  let b;
  before(async () => {
    b = await startBrowser(resources);
  });
  after(() => resources.stopAll());

  test('a node with no key lets a loopback caller straight in', { timeout: 60_000 }, async () => {
    const node = await startPostern(resources);
    await b.page.goto(node.url + '/');
    await b.page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    assert.ok(await b.page.getByText('Open (loopback)').isVisible());
    assert.deepEqual(b.errors, []);
  });

  test('a bad key shows an error, a good one opens the dashboard', { timeout: 60_000 }, async () => {
    const node = await startPostern(resources);
    const key = await node.createKey('ui', 'read,send,admin');
    const page = b.page;
    await page.goto(node.url + '/');
    await page.getByLabel('API key').waitFor();
    await screenshot(page, 'signin');

    await page.getByLabel('API key').fill(key + 'x');
    await page.getByRole('button', { name: 'Sign in' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.equal((await alert.textContent()).trim(), 'That API key is not valid.');
    assert.equal(await page.getByLabel('API key').getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'signin-error');

    // Keyboard only: the field, then Enter.
    await page.getByLabel('API key').fill(key);
    await page.getByLabel('API key').press('Enter');
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    // Kept for this tab's session: a reload stays signed in.
    assert.equal(await page.evaluate(() => sessionStorage.getItem('postern.apiKey')), key);
    await page.reload();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API key').waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('postern.apiKey')), null);
    assert.deepEqual(b.errors, []);
  });
});
