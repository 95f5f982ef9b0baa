// The test inbox against a real node: an account made in the UI, mail
// caught for it appearing without a reload, and a message whose HTML
// carries a script (it must not run) and a remote image (never asked for),
// its text, headers, attachment and source; deleting it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, Resources, screenshot, signedInNode } from './harness.mjs';

const REMOTE = 'http://127.0.0.1:9/pixel.gif';
const HTML = `<p>Hello <b>there</b></p><script>document.body.setAttribute('data-owned', '1')</script><img src="${REMOTE}">`;

describe('test inbox', { timeout: 150_000 }, () => {
  const resources = new Resources();
  let b;
  let node;
  let key;
  before(async () => {
    ({ node, key, b } = await signedInNode(resources, { path: '/inbox', heading: 'Test inbox' }));
  });
  after(() => resources.stopAll());

  test('an account made here catches mail, read safely', { timeout: 90_000 }, async () => {
    const page = b.page;
    const remote = [];
    page.on('request', (r) => r.url().startsWith(REMOTE) && remote.push(r.url()));

    await page.getByRole('button', { name: 'New account' }).click();
    const credentials = JSON.parse(await page.getByLabel('Credentials and client settings').textContent());
    assert.ok(credentials.user && credentials.password && credentials.address, JSON.stringify(credentials));
    await page.getByRole('button', { name: 'I have kept it' }).click();
    await page.getByRole('link', { name: credentials.user }).click();
    await page.getByText('No mail here yet').waitFor();

    // Mail sent with a key bound to the account is caught for it.
    const bound = JSON.parse((await api(node, key, 'POST', '/v1/keys', { name: 'app', scopes: ['send'], test_account: credentials.user })).body);
    const sent = await api(node, bound.secret, 'POST', '/v1/messages', {
      from: credentials.address, to: ['customer@example.org'], subject: 'Welcome aboard', text: 'Plain hello',
      html: HTML, attachments: [{ filename: 'terms.txt', content: Buffer.from('TERMS').toString('base64'), content_type: 'text/plain' }],
    });
    assert.equal(sent.status, 202, sent.body);
    // It appears without a reload.
    await page.getByRole('link', { name: 'Welcome aboard' }).waitFor({ timeout: 20_000 });
    await screenshot(page, 'inbox');

    await page.getByRole('link', { name: 'Welcome aboard' }).click();
    const frame = page.frameLocator('iframe[title="HTML preview"]');
    await frame.getByText('Hello').waitFor();
    assert.equal(await frame.locator('body').getAttribute('data-owned'), null); // the script did not run
    assert.equal(await frame.locator('script').count(), 0);
    assert.deepEqual(remote, []); // the remote image was never asked for
    await screenshot(page, 'inbox-message');

    await page.getByRole('tab', { name: 'Text' }).click();
    await page.getByText('Plain hello').waitFor();
    await page.getByRole('tab', { name: 'Headers' }).click();
    await page.getByRole('table', { name: 'Headers' }).getByText('Welcome aboard').waitFor();
    await page.getByRole('tab', { name: 'Source' }).click();
    assert.match(await page.getByLabel('Source').textContent(), /Subject: Welcome aboard/);
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'terms.txt' }).click();
    assert.equal((await download).suggestedFilename(), 'terms.txt');

    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Delete this message' }).click();
    await page.getByText('Deleted').waitFor();
    assert.deepEqual(b.errors, []);
  });
});
