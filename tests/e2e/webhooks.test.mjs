// The Webhooks screen against a real node and a small HTTP receiver in the
// test: an endpoint created with its event types, its secret shown once
// (and checked by verifying the signatures it receives), a message's events
// in the endpoint's delivery log, one redelivered, a bad URL named, disable
// and enable, delete after confirming.
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { api, Resources, screenshot, sideScroll, signedInNode, until } from './harness.mjs';

// Takes every POST, answers 200, keeps what came.
async function startReceiver(resources) {
  const got = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      got.push({ path: req.url, headers: req.headers, body });
      res.writeHead(200).end();
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  resources.add(() => new Promise((r) => server.close(r)));
  return { url: `http://127.0.0.1:${server.address().port}/hook`, got };
}

// Standard Webhooks: v1,base64(HMAC-SHA256(id.timestamp.body)) keyed by the secret after whsec_.
function signedWith(secret, { headers, body }) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const mac = createHmac('sha256', key).update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`).digest('base64');
  return headers['webhook-signature'].split(' ').includes(`v1,${mac}`);
}

describe('webhooks', { timeout: 150_000 }, () => {
  const resources = new Resources();
  let b;
  let node;
  let key;
  let receiver;
  let secret;
  let endpointId;
  before(async () => {
    receiver = await startReceiver(resources);
    ({ node, key, b } = await signedInNode(resources, {
      config: '[webhooks]\nbackoff_scale = 0.0002\ntimeout = "2s"\n',
      path: '/webhooks',
      heading: 'Webhooks',
    }));
  });
  after(() => resources.stopAll());

  test('an endpoint created, its secret shown once; a bad URL named', { timeout: 60_000 }, async () => {
    const page = b.page;
    await page.getByText('No endpoint yet').waitFor();
    await page.getByLabel('URL').fill('ftp://127.0.0.1/hook');
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    await page.getByRole('alert').filter({ hasText: 'url' }).waitFor();

    await page.getByLabel('URL').fill(receiver.url);
    await page.getByLabel(/^message\.accepted/).check();
    await page.getByLabel(/^message\.sent/).check();
    await page.getByRole('button', { name: 'Create endpoint' }).click();
    const shown = page.locator('[data-secret]');
    secret = (await shown.textContent()).trim();
    assert.match(secret, /^whsec_[A-Za-z0-9+/=]+$/);
    await page.getByText("You won't see it again").waitFor();
    await page.getByRole('button', { name: 'Copy secret' }).waitFor();
    const row = page.locator('tr[data-endpoint]');
    await row.locator('[data-endpoint-state="enabled"]').waitFor();
    endpointId = await row.getAttribute('data-endpoint');
    assert.match(await row.textContent(), /message\.accepted, message\.sent/);
    await screenshot(page, 'webhooks');
    assert.equal(await sideScroll(page), 0);

    await page.getByRole('button', { name: 'I have kept it' }).click();
    await shown.waitFor({ state: 'detached' });
    await page.reload();
    await row.waitFor();
    assert.ok(!(await page.content()).includes(secret));
  });

  test("a message's events in the log, one redelivered", { timeout: 60_000 }, async () => {
    const page = b.page;
    const sent = await api(node, key, 'POST', '/v1/messages', { from: 'app@example.com', to: ['a@example.org'], subject: 'hook', text: 'hi' });
    assert.equal(sent.status, 202, sent.body);
    const id = JSON.parse(sent.body).id;
    await until('both events at the receiver', () => receiver.got.length >= 2);
    for (const r of receiver.got) assert.ok(signedWith(secret, r), 'signed with the secret shown');
    assert.deepEqual(receiver.got.map((r) => JSON.parse(r.body).type).sort(), ['message.accepted', 'message.sent']);

    await page.locator(`tr[data-endpoint="${endpointId}"] a`).click();
    await page.getByRole('heading', { name: receiver.url, level: 1 }).waitFor();
    const deliveries = page.locator('tr[data-delivery]');
    await until('two delivered rows', async () => (await page.locator('[data-delivery-state="delivered"]').count()) === 2 || (await page.getByRole('button', { name: 'Refresh' }).click(), false));
    assert.match(await deliveries.first().textContent(), new RegExp(id));
    await screenshot(page, 'webhook-deliveries');
    assert.equal(await sideScroll(page), 0);

    const sentRow = deliveries.filter({ hasText: 'message.sent' });
    const eventId = (await sentRow.textContent()).match(/evt_\d+/)[0];
    const before = receiver.got.length;
    await sentRow.getByRole('button', { name: 'Redeliver' }).click();
    await until('the redelivery', () => receiver.got.length > before);
    const again = receiver.got[receiver.got.length - 1];
    assert.equal(again.headers['webhook-id'], eventId);
    assert.ok(signedWith(secret, again));
    await until('two attempts shown', async () => /2 attempts/.test(await sentRow.textContent()) || (await page.getByRole('button', { name: 'Refresh' }).click(), false));
  });

  test('disabled and enabled, then deleted after confirming', { timeout: 60_000 }, async () => {
    const page = b.page;
    await page.getByRole('button', { name: 'Disable' }).click();
    await page.locator('[data-endpoint-state="disabled"]').waitFor();
    await page.getByText('by request').waitFor();
    const got = JSON.parse((await api(node, key, 'GET', `/v1/webhook-endpoints/${endpointId}`)).body);
    assert.equal(got.enabled, false);
    await page.getByRole('button', { name: 'Enable' }).click();
    await page.locator('[data-endpoint-state="enabled"]').waitFor();

    await page.getByRole('button', { name: 'Delete…' }).click();
    await page.getByRole('button', { name: 'Delete endpoint and its log' }).click();
    await page.getByText('Endpoint deleted').waitFor();
    assert.equal((await api(node, key, 'GET', `/v1/webhook-endpoints/${endpointId}`)).status, 404);
    await page.goto(`${node.url}/webhooks/${endpointId}`);
    await page.getByText('No such endpoint').waitFor();
    assert.deepEqual(b.errors, []);
  });
});
