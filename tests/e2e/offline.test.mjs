// The UI works with no Internet (docs/ui.md, "Budget and delivery"): loading
// each screen, the browser asks nothing of any host but the node on
// 127.0.0.1. Every request of the browser context goes through a route that
// lets loopback through and fails (and records) anything else, so a font,
// script, image or validator badge from a CDN fails the test, whichever
// screen or later fetch asks for it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Resources, providerToml, startBrowser, startPostern, startSim } from './harness.mjs';

// What the page may reach: the node itself, on loopback.
function loopback(url) {
  const u = new URL(url);
  if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return true;
  return u.hostname === '127.0.0.1';
}

// Waits for what a screen loads after its first paint: the load event, web
// fonts, and two frames for effects that fetch.
async function settled(page) {
  await page.waitForLoadState('load');
  await page.evaluate(async () => {
    await document.fonts.ready;
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  });
}

describe('no Internet', { timeout: 240_000 }, () => {
  const resources = new Resources();
  let node;
  let b;
  const outside = [];
  before(async () => {
    const sim = await startSim(resources, ['mailgun']);
    node = await startPostern(resources, { config: providerToml(sim, 'mailgun', 'mg') });
    b = await startBrowser(resources);
    await b.context.route('**/*', (route) => {
      const url = route.request().url();
      if (loopback(url)) return route.continue();
      outside.push(url);
      return route.abort('internetdisconnected');
    });
  });
  after(() => resources.stopAll());

  test('the check sees a request that leaves the machine', async () => {
    await b.page.goto(node.url + '/');
    await b.page.evaluate(() => fetch('http://192.0.2.1/probe.js').catch(() => null));
    assert.deepEqual(outside.splice(0), ['http://192.0.2.1/probe.js']);
  });

  // A node with no key: loopback callers go straight in, the page too.
  const post = async (pathname, body) => {
    const r = await fetch(node.url + pathname, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: r.status, body: await r.text() };
  };

  test('each screen loads from the node alone', async () => {
    // A message and a test account, so that their pages have content.
    const sent = await post('/v1/messages', {
      from: 'ui@example.com',
      to: ['user@example.org'],
      subject: 'offline',
      html: '<p>Hello <img src="https://example.net/pixel.png"></p>',
    });
    assert.equal(sent.status, 202, sent.body);
    const messageId = JSON.parse(sent.body).id;
    const account = await post('/v1/test-accounts', {});
    assert.equal(account.status, 201, account.body);
    const user = JSON.parse(account.body).user;

    const page = b.page;
    await page.goto(node.url + '/');
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    // Every screen the navigation offers, whatever screens are added later.
    const nav = await page.locator('nav a[href^="/"]').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
    assert.ok(nav.length >= 5, `navigation: ${nav}`);
    const paths = [...new Set([...nav, `/messages/${messageId}`, `/inbox/${user}`])];
    for (const path of paths) {
      await page.goto(node.url + path);
      await page.locator('h1').first().waitFor();
      await settled(page);
      assert.deepEqual(outside, [], `${path} asked outside 127.0.0.1`);
    }

    // The API explorer, once it has rendered the document (Swagger UI would
    // ask validator.swagger.io for a badge then).
    await page.goto(node.url + '/docs');
    await page.locator('.swagger-ui .info .title').getByText('Postern').waitFor();
    await settled(page);
    assert.deepEqual(outside, [], '/docs asked outside 127.0.0.1');
    assert.deepEqual(b.errors, []);
  });
});
