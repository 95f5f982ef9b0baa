// The message log and a message's page against a real node whose one
// provider cannot be reached, so its messages wait (deferred): the list
// and its status filter, a message's timeline and recipients, cancel
// after confirming, retry.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { api, Resources, screenshot, signIn, startBrowser, startPostern, until } from './harness.mjs';

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
    await page.getByRole('list', { name: 'Timeline' }).locator('[data-event="accepted"]').waitFor();
    await page.getByRole('table', { name: 'Recipients' }).getByText('user1@example.org').waitFor();
    await page.getByRole('button', { name: 'Show source' }).click();
    assert.match(await page.getByLabel('Source').textContent(), /Subject: Waiting 1/);
    await screenshot(page, 'message');
    await page.getByRole('button', { name: 'Hide source' }).click();

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

  test('an unknown id says so', { timeout: 30_000 }, async () => {
    await b.page.goto(node.url + '/messages/0zzzzzzzzzzzz');
    await b.page.getByRole('alert').getByText(/No such message|Cannot read the message/).waitFor();
  });
});
