// SPDX-License-Identifier: MIT
// cadence serve's dashboard in headless Debian Chromium (playwright-core,
// pinned in tests/mermaid/package.json).
//
//   node browser.mjs test URL            the checks of tests/cli/dashboard_browser.sh
//   node browser.mjs screenshots URL DIR  docs/images/dashboard-{list,run}.png
//
// NODE_MODULES: the node_modules holding playwright-core (default: the
// one of tests/mermaid).  Prints "ok - ..." or "FAIL - ..." a check, and
// exits 1 when one failed.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const modules = process.env.NODE_MODULES || join(here, '..', 'mermaid', 'node_modules');
const { chromium } = await import(pathToFileURL(join(modules, 'playwright-core', 'index.mjs')).href);
const [mode, base, outDir] = process.argv.slice(2);
if (!['test', 'screenshots'].includes(mode) || !base) {
  console.error('usage: node browser.mjs test URL | screenshots URL DIR');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  // the flags of a closed network: no background connections
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let failed = 0;
const check = (name, cond, detail = '') => {
  console.log(`${cond ? 'ok' : 'FAIL'} - ${name}${cond || !detail ? '' : ` (${detail})`}`);
  if (!cond) failed++;
};
// every request the page makes: none may leave the server
const foreign = [];
const watch = (page) => page.on('request', (r) => {
  if (!r.url().startsWith(base) && !r.url().startsWith('data:')) foreign.push(r.url());
});

async function cadencesJson() {
  const r = await fetch(`${base}/cadences`);
  return r.json();
}

async function waitFinished(page) {
  for (let i = 0; i < 100; i++) {
    if (!(await page.content()).includes('The run goes on')) return;
    await new Promise((res) => setTimeout(res, 200));
    await page.reload();
  }
}

async function test() {
  // with JavaScript: an injected script would run here, and set the flag
  const js = await browser.newContext();
  const page = await js.newPage();
  watch(page);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const resp = await page.goto(`${base}/`);
  check('the list opens', resp.status() === 200);
  check('... its title', (await page.title()) === 'Cadences · cadence');
  const text = await page.textContent('main');
  check('a hostile file name renders as text',
    text.includes('<img src=x onerror=window.__pwned=1>.cadence.yaml'));
  check('a hostile description renders as text',
    text.includes('<script>window.__pwned=2</script>'));
  check('... no element comes of them',
    (await page.locator('main img, script').count()) === 0);
  check('... and no script ran', (await page.evaluate(() => window.__pwned)) === undefined);

  // a run through the form, its hostile score on its page
  const row = page.locator('tr', { hasText: 'hostile' }).first();
  await row.locator('textarea').fill('{"name": "<img src=x onerror=window.__pwned=3>"}');
  await Promise.all([page.waitForURL(/\/ui\/runs\/[0-9a-f]{32}$/), row.getByRole('button', { name: 'Run' }).click()]);
  check('the run button leads to the run page', /\/ui\/runs\/[0-9a-f]{32}$/.test(page.url()));
  await waitFinished(page);
  const runText = await page.textContent('main');
  check('... which shows the final score as text',
    /"name":\s*"<img src=x onerror=window.__pwned=3>"/.test(runText));
  check('... the note output as text', runText.includes('<b>bold</b> & "quoted"'));
  check('... no element of them', (await page.locator('main pre img, main td img').count()) === 0);
  check('... no script ran', (await page.evaluate(() => window.__pwned)) === undefined);
  const diagram = page.locator('.diagram img');
  if (await diagram.count()) {
    check('... the diagram loads', await diagram.evaluate((img) => img.complete && img.naturalWidth > 0));
  } else {
    check('... the diagram as Mermaid text', (await page.textContent('.diagram pre')).includes('flowchart'));
  }
  check('no page error', errors.length === 0, errors.join('; '));
  await js.close();

  // without JavaScript: the forms work as forms
  const nojs = await browser.newContext({ javaScriptEnabled: false });
  const p2 = await nojs.newPage();
  watch(p2);
  await p2.goto(`${base}/`);
  const nightly = p2.locator('tr', { hasText: 'nightly' }).first();
  await Promise.all([p2.waitForURL(`${base}/`), nightly.getByRole('button', { name: 'Pause' }).click()]);
  let c = (await cadencesJson()).find((x) => x.cadence === 'nightly');
  check('a pause through the form, without JavaScript: GET /cadences says paused', c.paused === true);
  check('... the list offers resume',
    (await p2.locator('tr', { hasText: 'nightly' }).first().getByRole('button', { name: 'Resume' }).count()) === 1);
  await Promise.all([p2.waitForURL(`${base}/`),
    p2.locator('tr', { hasText: 'nightly' }).first().getByRole('button', { name: 'Resume' }).click()]);
  c = (await cadencesJson()).find((x) => x.cadence === 'nightly');
  check('... and resume', c.paused === false);
  await nojs.close();
  check('no request left the server', foreign.length === 0, foreign.join(' '));
}

async function screenshots() {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await ctx.newPage();
  await page.goto(`${base}/`);
  await page.screenshot({ path: join(outDir, 'dashboard-list.png'), fullPage: true });
  const run = page.locator('main a[href^="/ui/runs/"]').first();
  await Promise.all([page.waitForURL(/\/ui\/runs\//), run.click()]);
  await waitFinished(page);
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(outDir, 'dashboard-run.png'), fullPage: true });
  console.log(`ok - ${outDir}/dashboard-list.png, dashboard-run.png`);
  await ctx.close();
}

try {
  await (mode === 'test' ? test() : screenshots());
} catch (e) {
  check('no exception', false, String(e));
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
