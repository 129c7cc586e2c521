// SPDX-License-Identifier: MIT
// Renders Mermaid files with the real `mermaid` package in headless Debian
// Chromium, the way GitHub and editors render them, and fails on any parse
// or render error.  Every file is rendered by each Mermaid major version
// in package.json (10, 11, 12), in one browser session.
//
//   node render.mjs FILE.mmd...
//
// Besides "does it render", each diagram is compared with its text: the
// number of nodes and subgraphs drawn must be the number declared (an
// injected statement would add or drop some), no drawn element may carry
// a link or a script, and when FILE.expect (one string a line) exists each
// of its lines must appear in the drawn text, so escaped labels read back
// as the user wrote them.  Prints one line per file and version, then
// "N passed, N failed".
import { chromium } from 'playwright-core';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const versions = ['mermaid-10', 'mermaid', 'mermaid-12'];
const files = process.argv.slice(2);
if (!files.length) {
  console.error('usage: node render.mjs FILE.mmd...');
  process.exit(2);
}

const diagrams = files.map((path) => {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const expectPath = path.replace(/\.mmd$/, '.expect');
  return {
    path,
    text,
    // node declarations: an id, then a shape opener (edges have spaces)
    nodes: lines.filter((l) => /^\s+[a-z]_\w*(\[|\(|\{)/.test(l)).length,
    groups: lines.filter((l) => /^\s+subgraph /.test(l)).length,
    expect: existsSync(expectPath)
      ? readFileSync(expectPath, 'utf8').split('\n').filter((l) => l.length)
      : [],
  };
});

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  // the flags of a closed network: no background connections
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
// a page that loads the bundle from a file: faster than injecting 3 MB
const pageDir = mkdtempSync(join(tmpdir(), 'cadence-mermaid-'));
let passed = 0;
let failed = 0;
try {
  for (const version of versions) {
    const bundle = join(here, 'node_modules', version, 'dist', 'mermaid.min.js');
    const pkg = JSON.parse(readFileSync(join(here, 'node_modules', version, 'package.json'), 'utf8'));
    const page = await browser.newPage();
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    const html = join(pageDir, `${version}.html`);
    writeFileSync(html, '<!doctype html><html><head><meta charset="utf-8">' +
      `<script src="${pathToFileURL(bundle)}"></script></head><body></body></html>`);
    await page.goto(pathToFileURL(html).href);
    const results = await page.evaluate(async (items) => {
      /* global mermaid */
      mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
      const out = [];
      for (let i = 0; i < items.length; i++) {
        const d = items[i];
        const problems = [];
        try {
          await mermaid.parse(d.text);
          const { svg } = await mermaid.render('diagram' + i, d.text);
          const host = document.createElement('div');
          host.innerHTML = svg;
          document.body.appendChild(host);
          const root = host.querySelector('svg');
          if (!root) problems.push('no <svg> drawn');
          else {
            if (/Syntax error|Parse error/i.test(root.textContent)) problems.push('error diagram drawn');
            const nodes = root.querySelectorAll('g.node').length;
            const groups = root.querySelectorAll('g.cluster').length;
            if (nodes !== d.nodes) problems.push(`${nodes} nodes drawn, ${d.nodes} declared`);
            if (groups !== d.groups) problems.push(`${groups} subgraphs drawn, ${d.groups} declared`);
            for (const el of root.querySelectorAll('*')) {
              if (el.tagName.toLowerCase() === 'script' || el.tagName.toLowerCase() === 'a') problems.push(`<${el.tagName}> drawn`);
              for (const a of el.getAttributeNames())
                if (/^on|href$/i.test(a)) problems.push(`attribute ${a} on <${el.tagName}>`);
            }
            // innerText keeps the line breaks of <br>; compare on spaces
            const drawn = (host.innerText + ' ' + root.textContent).replace(/\s+/g, ' ');
            for (const want of d.expect)
              if (!drawn.includes(want.replace(/\s+/g, ' '))) problems.push(`text not drawn: ${JSON.stringify(want)}`);
          }
          host.remove();
        } catch (e) {
          problems.push(String((e && (e.message || e.str)) || e).split('\n').slice(0, 4).join(' | '));
        }
        out.push(problems);
      }
      return out;
    }, diagrams.map((d) => ({ text: d.text, nodes: d.nodes, groups: d.groups, expect: d.expect })));
    results.forEach((problems, i) => {
      const name = `${diagrams[i].path} (mermaid ${pkg.version})`;
      if (problems.length) {
        failed++;
        console.log(`FAIL - ${name}`);
        for (const p of [...new Set(problems)].slice(0, 8)) console.log(`  ${p}`);
      } else {
        passed++;
        console.log(`ok - ${name}`);
      }
    });
    if (pageErrors.length) {
      failed++;
      console.log(`FAIL - page errors with mermaid ${pkg.version}: ${pageErrors.slice(0, 3).join(' | ')}`);
    }
    await page.close();
  }
} finally {
  await browser.close();
  rmSync(pageDir, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
