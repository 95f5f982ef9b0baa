// The Suppressions screen against a real node: an address added (and a bad
// one named), found by searching, paged, removed after confirming; a CSV
// imported with the file picker (a broken one named before any upload);
// the whole list exported, the downloaded file's content checked.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { api, Resources, screenshot, sideScroll, signedInNode } from './harness.mjs';

describe('suppressions', { timeout: 150_000 }, () => {
  const resources = new Resources();
  let b;
  let node;
  let key;
  let dir;
  before(async () => {
    ({ node, key, b } = await signedInNode(resources, { path: '/suppressions', heading: 'Suppressions' }));
    dir = mkdtempSync(path.join(tmpdir(), 'postern-e2e-csv-'));
    resources.add(() => rmSync(dir, { recursive: true, force: true }));
  });
  after(() => resources.stopAll());

  const row = (address) => b.page.locator(`tr[data-address="${address}"]`);
  const listed = async (address) => (await api(node, key, 'GET', `/v1/suppressions/${encodeURIComponent(address)}`)).status === 200;

  test('empty at first; an address added, a bad one named', { timeout: 60_000 }, async () => {
    const page = b.page;
    await page.getByText('The list is empty').waitFor();
    await page.getByLabel('Address', { exact: true }).fill('not-an-address');
    await page.getByRole('button', { name: 'Add address' }).click();
    await page.getByRole('alert').filter({ hasText: 'address' }).waitFor();
    assert.equal(await page.getByLabel('Address', { exact: true }).getAttribute('aria-invalid'), 'true');

    await page.getByLabel('Address', { exact: true }).fill('Gone@Example.ORG');
    await page.getByLabel('Reason').selectOption('complained');
    await page.getByLabel('Note (optional)').fill('asked by phone');
    await page.getByRole('button', { name: 'Add address' }).click();
    await row('Gone@Example.ORG').waitFor();
    assert.equal(await page.getByLabel('Address', { exact: true }).inputValue(), '');
    assert.ok(await listed('Gone@example.org'));
  });

  test('a CSV imported with the file picker; a broken one named first', { timeout: 60_000 }, async () => {
    const page = b.page;
    const broken = path.join(dir, 'broken.csv');
    writeFileSync(broken, 'address,reason\nx@example.org,manual\ny@example.org\n');
    await page.getByLabel('CSV file to import').setInputFiles(broken);
    await page.getByRole('alert').filter({ hasText: 'broken.csv: row 3' }).waitFor();
    assert.equal(await page.getByRole('button', { name: /^Import \d+/ }).count(), 0);

    const rows = ['address,reason,detail'];
    for (let i = 0; i < 60; i++) rows.push(`user${String(i).padStart(2, '0')}@bulk.example,bounced,"550, no such user"`);
    const good = path.join(dir, 'good.csv');
    writeFileSync(good, rows.join('\r\n') + '\r\n');
    await page.getByLabel('CSV file to import').setInputFiles(good);
    await page.getByRole('button', { name: 'Import 60 entries' }).click();
    await page.getByRole('status').filter({ hasText: 'Imported: 60 added, 0 already on the list.' }).waitFor();
    assert.ok(await listed('user59@bulk.example'));
  });

  test('searched by the start of the address, and paged', { timeout: 60_000 }, async () => {
    const page = b.page;
    // 61 entries: the first page holds 50.
    await row('Gone@Example.ORG').waitFor();
    assert.equal(await page.locator('tr[data-address]').count(), 50);
    await page.getByRole('button', { name: 'Next' }).click();
    await row('user59@bulk.example').waitFor();
    assert.equal(await page.locator('tr[data-address]').count(), 11);
    assert.ok(await page.getByRole('button', { name: 'Next' }).isDisabled());
    await page.getByRole('button', { name: 'Previous' }).click();
    await row('Gone@Example.ORG').waitFor();

    await page.getByLabel('Address starts with').fill('user5');
    await page.getByRole('button', { name: 'Search' }).click();
    await row('user50@bulk.example').waitFor();
    assert.deepEqual(
      await page.locator('tr[data-address]').evaluateAll((rs) => rs.map((r) => r.dataset.address)),
      Array.from({ length: 10 }, (_, i) => `user5${i}@bulk.example`),
    );
    await screenshot(page, 'suppressions');
    assert.equal(await sideScroll(page), 0);
    await page.getByLabel('Address starts with').fill('nobody');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No address starts with that').waitFor();
    await page.getByLabel('Address starts with').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await row('Gone@Example.ORG').waitFor();
  });

  test('removed after confirming', { timeout: 60_000 }, async () => {
    const page = b.page;
    await row('Gone@Example.ORG').getByRole('button', { name: 'Remove…' }).click();
    await row('Gone@Example.ORG').getByRole('button', { name: 'Cancel' }).click();
    assert.ok(await listed('Gone@example.org'));
    await row('Gone@Example.ORG').getByRole('button', { name: 'Remove…' }).click();
    await row('Gone@Example.ORG').getByRole('button', { name: 'Remove Gone@Example.ORG' }).click();
    await row('Gone@Example.ORG').waitFor({ state: 'detached' });
    assert.ok(!(await listed('Gone@example.org')));
  });

  test('the whole list exported as CSV', { timeout: 60_000 }, async () => {
    const page = b.page;
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    assert.equal(download.suggestedFilename(), 'suppressions.csv');
    const file = path.join(dir, 'export.csv');
    await download.saveAs(file);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\r\n');
    assert.equal(lines[0], 'address,reason,provider,message_id,detail,created_at');
    assert.equal(lines.length, 61);
    assert.match(lines[1], /^user00@bulk\.example,bounced,,,"550, no such user",\d{4}-/);
    assert.ok(!lines.some((l) => l.startsWith('Gone@')));
    assert.deepEqual(b.errors, []);
  });
});
