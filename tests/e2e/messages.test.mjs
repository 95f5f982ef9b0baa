// The message log and a message's page against a real node whose one
// provider cannot be reached, so its messages wait (deferred): the list
// and its status filter, a search by recipient and tag kept in the URL, a
// message's timeline and recipients, its HTML in a sandboxed frame (its
// script does not run, its remote image is never asked for), cancel
// after confirming, retry.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, Resources, screenshot, signIn, startBrowser, startPostern, until } from './harness.mjs';

const REMOTE = 'http://127.0.0.1:9/tracker.gif';
const HTML = `<p>Your <b>receipt</b></p><script>document.body.setAttribute('data-owned', '1')</script><img src="${REMOTE}">`;

describe('messages', { timeout: 150_000 }, () => {
  const resources = new Resources();
  let b;
  let node;
  let key;
  const ids = [];
  before(async () => {
    // Nothing listens on port 1: every attempt fails and is retried later.
    node = await startPostern(resources, {
      config: `[[providers]]\nname = "unreachable"\ntype = "smtp"\nhost = "127.0.0.1"\nport = 1\ntls = "none"\n`,
    });
    key = await node.createKey('ui', 'read,send');
    for (let i = 0; i < 3; i++) {
      const r = await api(node, key, 'POST', '/v1/messages', {
        from: 'app@example.com', to: [`user${i}@example.org`], subject: `Waiting ${i}`, text: 'Hi',
        tags: [i === 2 ? 'receipt' : 'welcome'], ...(i === 2 ? { html: HTML } : {}),
      });
      assert.equal(r.status, 202, r.body);
      ids.push(JSON.parse(r.body).id);
    }
    await until('the messages to be deferred', async () => {
      const all = await Promise.all(ids.map((id) => api(node, key, 'GET', `/v1/messages/${id}`)));
      return all.every((r) => JSON.parse(r.body).status === 'deferred');
    });
    b = await startBrowser(resources);
    await b.page.goto(node.url + '/messages');
    await signIn(b.page, key, 'Messages');
  });
  after(() => resources.stopAll());

  test('lists the messages and filters them by status', { timeout: 60_000 }, async () => {
    const page = b.page;
    const rows = page.getByRole('table', { name: 'Messages' }).locator('tbody tr');
    await rows.nth(2).waitFor();
    assert.equal(await rows.count(), 3);
    await screenshot(page, 'messages');
    await page.getByLabel('Status').selectOption('sent');
    await page.getByText('Nothing matches these filters.').waitFor();
    await page.getByLabel('Status').selectOption('deferred');
    await rows.nth(2).waitFor();
    assert.equal(await rows.count(), 3);
  });

  test("a message's page: timeline, recipients, cancel after confirming, retry", { timeout: 60_000 }, async () => {
    const page = b.page;
    await page.getByRole('link', { name: 'Waiting 1' }).click();
    await page.getByRole('heading', { name: 'Waiting 1', level: 1 }).waitFor();
    const timeline = page.getByRole('table', { name: 'Timeline' });
    await timeline.locator('[data-event="accepted"]').waitFor();
    // The failed attempt: its provider and class.
    await timeline.locator('[data-event="deferred"], [data-event="attempt"]').first().getByText('unreachable').waitFor();
    await page.getByRole('table', { name: 'Recipients' }).getByText('user1@example.org').waitFor();
    await page.getByRole('tab', { name: 'Text' }).waitFor();
    await page.getByRole('tab', { name: 'Source' }).click();
    assert.match(await page.getByLabel('Source').textContent(), /Subject: Waiting 1/);
    await screenshot(page, 'message');

    await page.getByRole('button', { name: 'Cancel…' }).click();
    await page.getByRole('button', { name: 'Keep it' }).click();
    assert.equal(await page.locator('.page-head .badge').getAttribute('data-status'), 'deferred');
    await page.getByRole('button', { name: 'Cancel…' }).click();
    await page.getByRole('button', { name: 'Cancel this message' }).click();
    await page.locator('.page-head .badge[data-status="cancelled"]').waitFor();
    assert.equal(JSON.parse((await api(node, key, 'GET', `/v1/messages/${ids[1]}`)).body).status, 'cancelled');

    await page.getByRole('button', { name: 'Retry' }).click();
    await page.locator('.page-head .badge:not([data-status="cancelled"])').waitFor();
    assert.notEqual(JSON.parse((await api(node, key, 'GET', `/v1/messages/${ids[1]}`)).body).status, 'cancelled');
    assert.deepEqual(b.errors, []);
  });

  test('searches by recipient and tag, kept in the URL; HTML shown sandboxed', { timeout: 60_000 }, async () => {
    const page = b.page;
    const remote = [];
    page.on('request', (r) => r.url().startsWith(REMOTE) && remote.push(r.url()));
    await page.goto(node.url + '/messages');
    const rows = page.getByRole('table', { name: 'Messages' }).locator('tbody tr');
    await rows.nth(2).waitFor();
    // The domain's case does not matter.
    await page.getByLabel('Recipient').fill('user2@EXAMPLE.org');
    await page.getByRole('button', { name: 'Search' }).click();
    await until('one message to be listed', async () => (await rows.count()) === 1);
    await rows.first().getByText('Waiting 2').waitFor();
    assert.equal(new URL(page.url()).searchParams.get('recipient'), 'user2@EXAMPLE.org');
    await page.getByLabel('Tag').fill('welcome');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('Nothing matches these filters.').waitFor();
    await page.getByLabel('Recipient').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await rows.nth(1).waitFor();
    assert.equal(await rows.count(), 2);
    assert.equal(new URL(page.url()).search, '?tag=welcome');

    // A link reproduces the search.
    await page.goto(node.url + '/messages?tag=receipt&status=deferred');
    await rows.first().getByText('Waiting 2').waitFor();
    assert.equal(await rows.count(), 1);
    assert.equal(await page.getByLabel('Tag').inputValue(), 'receipt');
    assert.equal(await page.getByLabel('Status').inputValue(), 'deferred');
    await screenshot(page, 'messages-search');

    // A bad filter is named.
    await page.goto(node.url + '/messages?recipient=not-an-address');
    await page.getByRole('alert').getByText(/recipient/).waitFor();

    await page.goto(node.url + '/messages?tag=receipt');
    await page.getByRole('link', { name: 'Waiting 2' }).click();
    const frame = page.frameLocator('iframe[title="HTML preview"]');
    await frame.getByText('receipt').waitFor();
    assert.equal(await frame.locator('body').getAttribute('data-owned'), null); // the script did not run
    assert.equal(await frame.locator('script').count(), 0);
    assert.equal(await page.locator('iframe[title="HTML preview"]').getAttribute('sandbox'), '');
    assert.deepEqual(remote, []); // the remote image was never asked for
    await page.getByRole('tab', { name: 'Headers' }).click();
    await page.getByRole('table', { name: 'Headers' }).getByText('Waiting 2').waitFor();
    await page.getByRole('tab', { name: 'HTML' }).click();
    await frame.getByText('receipt').waitFor();
    await screenshot(page, 'message-html');
    assert.deepEqual(b.errors, []);
  });

  test('an unknown id says so', { timeout: 30_000 }, async () => {
    await b.page.goto(node.url + '/messages/0zzzzzzzzzzzz');
    await b.page.getByRole('alert').getByText(/No such message|Cannot read the message/).waitFor();
  });
});
