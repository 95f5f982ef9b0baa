// Compose against a real node routing to postern-sim: a form with missing
// parts names them; an async send with an attachment shows its id and
// follows it to sent; a sync send shows the outcome at once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, providerToml, Resources, screenshot, signedInNode, startSim } from './harness.mjs';

describe('compose', { timeout: 150_000 }, () => {
  const resources = new Resources();
  let b;
  let node;
  let key;
  before(async () => {
    const sim = await startSim(resources, ['mailgun']);
    ({ node, key, b } = await signedInNode(resources, {
      config: providerToml(sim, 'mailgun'), scopes: 'read,send', path: '/compose', heading: 'Compose',
    }));
  });
  after(() => resources.stopAll());

  test('missing parts are named before anything is sent', { timeout: 30_000 }, async () => {
    const page = b.page;
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Who is it from?').waitFor();
    await page.getByText('Give at least one recipient').waitFor();
    await page.getByText('Write a text or an HTML body.').waitFor();
    assert.equal(await page.getByLabel('From').getAttribute('aria-invalid'), 'true');
  });

  test('an async send with an attachment is followed to sent', { timeout: 60_000 }, async () => {
    const page = b.page;
    await page.getByLabel('From').fill('App <app@example.com>');
    await page.getByLabel('To', { exact: true }).fill('alice@example.org, "Doe, Bob" <bob@example.org>');
    await page.getByLabel('Subject').fill('Your invoice');
    await page.getByLabel('Text body').fill('Attached.');
    await page.getByLabel('Tags (comma-separated)').fill('billing');
    // What was missing is filled in: its messages are gone.
    assert.equal(await page.locator('.field-error').count(), 0);
    await page.getByLabel('Attachments').setInputFiles({ name: 'invoice.txt', mimeType: 'text/plain', buffer: Buffer.from('INVOICE 42') });
    await page.getByRole('list', { name: 'Attachments' }).getByText('invoice.txt').waitFor();
    await screenshot(page, 'compose');
    await page.getByRole('button', { name: 'Send' }).click();
    const outcome = page.locator('.outcome');
    await outcome.locator('code').waitFor();
    const id = (await outcome.locator('code').textContent()).trim();
    await page.locator('.outcome[data-status="sent"]').waitFor({ timeout: 20_000 });
    const stored = JSON.parse((await api(node, key, 'GET', `/v1/messages/${id}`)).body);
    assert.equal(stored.status, 'sent');
    const raw = (await api(node, key, 'GET', `/v1/messages/${id}/raw`)).body;
    assert.match(raw, /invoice\.txt/);
    assert.match(raw, /Doe, Bob/);
    assert.match(raw, /SU5WT0lDRSA0Mg==|INVOICE 42/);
    await screenshot(page, 'compose-sent');
  });

  test('a sync send shows the outcome when it answers', { timeout: 60_000 }, async () => {
    const page = b.page;
    await page.getByLabel('Wait for the outcome').check();
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.outcome[data-status="sent"]').getByText('by mailgun').waitFor({ timeout: 35_000 });
    assert.deepEqual(b.errors, []);
  });
});
