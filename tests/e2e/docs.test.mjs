// /docs: Swagger UI from the build (no CDN) on the node's /openapi.json;
// Authorize with a key, then "Try it out" on GET /v1/providers answers 200
// from the node itself.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Resources, screenshot, startBrowser, startPostern } from './harness.mjs';

describe('API explorer', { timeout: 120_000 }, () => {
  const resources = new Resources();
  let b;
  let node;
  let key;
  before(async () => {
    node = await startPostern(resources);
    key = await node.createKey('explorer', 'read');
    b = await startBrowser(resources);
  });
  after(() => resources.stopAll());

  test('loads from the node alone and a "try it out" call succeeds', { timeout: 60_000 }, async () => {
    const page = b.page;
    const elsewhere = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(node.url) && !r.url().startsWith('data:')) elsewhere.push(r.url());
    });
    await page.goto(node.url + '/docs');
    await page.locator('.swagger-ui .info .title').getByText('Postern').waitFor();
    await screenshot(page, 'docs', { fullPage: false });

    await page.getByRole('button', { name: 'Authorize' }).first().click();
    const dialog = page.locator('.auth-container').filter({ has: page.locator('#auth-bearer-value') });
    await page.locator('#auth-bearer-value').fill(key);
    await dialog.locator('button.authorize').click();
    // Authorized: the bearer form says so and hides the key.
    const bearer = page.locator('.auth-container').filter({ hasText: '(http, Bearer)' });
    await bearer.getByRole('heading', { name: 'Authorized' }).waitFor();
    await bearer.locator('button.btn-done').click();

    const op = page.locator('#operations-default-listProviders');
    await op.locator('.opblock-summary').click();
    await op.getByRole('button', { name: 'Try it out' }).click();
    await op.getByRole('button', { name: 'Execute' }).click();
    const status = op.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor();
    assert.equal((await status.textContent()).trim(), '200');
    assert.match(await op.locator('.live-responses-table .response-col_description pre').first().textContent(), /"data"/);
    await op.scrollIntoViewIfNeeded();
    await screenshot(page, 'docs-try-it-out', { fullPage: false });
    assert.deepEqual(elsewhere, []);
    assert.deepEqual(b.errors, []);
  });
});
