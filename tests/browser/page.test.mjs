// Browser test of the page of `dossier serve`, in headless Chromium.
//
//   node tests/browser/page.test.mjs http://127.0.0.1:PORT/ OUTPUT_DIR
//
// The server must be serving an index of the bundled corpus (corpus/).
// Chromium: $CHROMIUM, else /usr/bin/chromium. Exit code 0 when every step
// passes; otherwise 1, with the failing step, its reason and a screenshot
// (failure.png) in OUTPUT_DIR. Steps wait on conditions, never on time.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const [base, outDir = 'browser-test-output'] = process.argv.slice(2);
if (!base || !/^https?:\/\//.test(base)) {
  console.error('usage: node tests/browser/page.test.mjs http://127.0.0.1:PORT/ OUTPUT_DIR');
  process.exit(2);
}
mkdirSync(outDir, { recursive: true });
const shot = (name) => path.join(outDir, name);

const TIMEOUT = Number(process.env.DOSSIER_TEST_TIMEOUT_MS || 20000);
const problems = [];
let allowed = null; // console errors matching this are expected during one step
let current = null; // the page a failure screenshots

function watch(page, label) {
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (allowed && allowed.test(text)) return;
    problems.push(`${label}: console error: ${text}`);
  });
  page.on('pageerror', (err) => problems.push(`${label}: uncaught exception: ${err.message}`));
  page.on('response', (r) => {
    if (r.status() >= 500) problems.push(`${label}: ${r.status()} from ${r.url()}`);
  });
}

// Reports CSP violations even where Chromium would not log them.
const cspProbe = () => {
  document.addEventListener('securitypolicyviolation', (e) => {
    console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile || ''}:${e.lineNumber || ''})`);
  });
};

class Failure extends Error {}
function check(cond, message) {
  if (!cond) throw new Failure(message);
}

let n = 0;
async function step(name, fn) {
  n += 1;
  const started = Date.now();
  process.stdout.write(`${String(n).padStart(2)}. ${name} ... `);
  try {
    const note = await fn();
    if (problems.length) throw new Failure(problems.join('\n   '));
    console.log(`ok (${Date.now() - started} ms)${note ? ' – ' + note : ''}`);
  } catch (err) {
    console.log('FAILED');
    console.error(`\n   ${err instanceof Failure ? err.message : err.stack || err}\n`);
    if (current) {
      await current.screenshot({ path: shot('failure.png'), fullPage: true }).catch(() => {});
      console.error(`   screenshot: ${shot('failure.png')}; page URL: ${current.url()}`);
    }
    await browser.close().catch(() => {});
    process.exit(1);
  }
}

// ---------------------------------------------------------------- page helpers

const T = (id) => `[data-testid="${id}"]`;

// The results have settled: no search running, a number in the total.
async function settled(page) {
  await page.waitForFunction(
    () => {
      const r = document.querySelector('[data-testid="results"]');
      const t = document.querySelector('[data-testid="total"]');
      return r && r.getAttribute('aria-busy') === 'false' && t && /\d/.test(t.textContent);
    },
    null,
    { timeout: TIMEOUT },
  );
}

async function total(page) {
  const text = await page.locator(T('total')).textContent();
  const m = /([\d,]+)/.exec(text || '');
  check(m, `the total shows no number: ${JSON.stringify(text)}`);
  return Number(m[1].replace(/,/g, ''));
}

async function waitTotalNot(page, previous) {
  await page.waitForFunction(
    (prev) => {
      const r = document.querySelector('[data-testid="results"]');
      const t = document.querySelector('[data-testid="total"]');
      const m = t && /([\d,]+)/.exec(t.textContent);
      return r.getAttribute('aria-busy') === 'false' && m && Number(m[1].replace(/,/g, '')) !== prev;
    },
    previous,
    { timeout: TIMEOUT },
  );
}

const hits = (page) => page.locator(T('hit'));
const params = (page) => new URL(page.url()).searchParams;

async function search(page, q) {
  const box = page.locator(T('q'));
  await box.fill(q);
  await box.press('Enter');
  await page.waitForURL((u) => u.searchParams.get('q') === q, { timeout: TIMEOUT });
  await settled(page);
}

const launchArgs = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-quic',
];
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
let browser;
try {
  browser = await chromium.launch({ executablePath, args: launchArgs });
} catch (err) {
  console.error(`cannot start Chromium at ${executablePath} (set CHROMIUM to its path): ${err.message}`);
  process.exit(1);
}

// ---------------------------------------------------------------- laptop, light

const laptop = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light' });
await laptop.addInitScript(cspProbe);
const page = await laptop.newPage();
page.setDefaultTimeout(TIMEOUT);
watch(page, 'laptop');
current = page;

let everything = 0;
await step('the page loads and lists the whole index', async () => {
  const response = await page.goto(base);
  check(response && response.ok(), `GET ${base} answered ${response && response.status()}`);
  const csp = response.headers()['content-security-policy'] || '';
  check(/script-src 'self'/.test(csp), `the page has no strict Content-Security-Policy header: ${JSON.stringify(csp)}`);
  await settled(page);
  everything = await total(page);
  check(everything > 0, 'the total is 0 on an empty query');
  check((await hits(page).count()) > 0, 'no hit is shown on an empty query');
  return `${everything} articles`;
});

await step('a phrase search updates the total, the hits and their highlights', async () => {
  await search(page, 'electoral commission');
  const t = await total(page);
  check(t > 0 && t < everything, `"electoral commission" should find a few articles, the total says ${t}`);
  const shown = await hits(page).count();
  check(shown === Math.min(t, 10), `${shown} hits shown for a total of ${t}`);
  check((await page.locator(`${T('hit')} mark`).count()) > 0, 'no snippet has a highlighted word');
  const href = await hits(page).first().locator('a').first().getAttribute('href');
  check(/[?&]article=/.test(href || ''), `a hit's title is not a link to its article: ${href}`);
  return `${t} articles`;
});

let actor = null;
let afterActor = 0;
let actorUrl = '';
await step('an actor facet filters the results, shows a chip and goes into the URL', async () => {
  await search(page, 'espionage');
  const before = await total(page);
  const values = await page.locator(`${T('facet-value')}[data-facet="actor"]`).evaluateAll((els) =>
    els.map((e) => ({ value: e.dataset.value, count: Number(e.dataset.count) })),
  );
  check(values.length > 0, 'no actor facet value for "espionage"');
  const smaller = values.filter((v) => v.count > 0 && v.count < before);
  check(smaller.length > 0, `every actor is in all ${before} articles, no filter would change the total`);
  const pick = smaller.find((v) => v.value === 'APT31') || smaller[0];
  actor = pick.value;
  check((await page.locator(T('chip')).count()) === 0, 'a chip is shown before any filter');
  await page.locator(`${T('facet-value')}[data-facet="actor"][data-value="${pick.value}"]`).click();
  await page.waitForURL((u) => u.searchParams.getAll('actor').includes(pick.value));
  await waitTotalNot(page, before);
  afterActor = await total(page);
  check(afterActor === pick.count, `the facet said ${pick.count} articles for ${pick.value}, the total says ${afterActor}`);
  const chips = page.locator(T('chip'));
  check((await chips.count()) === 1, `${await chips.count()} chips for one filter`);
  check((await chips.first().textContent()).includes(pick.value), 'the chip does not name the actor');
  check(params(page).get('q') === 'espionage', 'the query left the URL when a filter was added');
  actorUrl = page.url();
  await page.screenshot({ path: shot('results.png') });
  return `${pick.value}: ${before} -> ${afterActor} articles`;
});

let year = '';
await step('a year bar sets since/until and keeps only that year', async () => {
  const bars = await page.locator(T('year')).evaluateAll((els) => els.map((e) => ({ key: e.dataset.key, count: Number(e.dataset.count) })));
  check(bars.length > 0, 'the histogram has no bar');
  check(bars.every((b) => /^\d{4}$/.test(b.key)), `year bars expected, got keys ${bars.map((b) => b.key).join(' ')}`);
  const best = bars.filter((b) => b.count > 0).sort((a, b) => b.count - a.count)[0];
  check(best, 'every bar is empty');
  year = best.key;
  const before = await total(page);
  await page.locator(`${T('year')}[data-key="${year}"]`).click();
  await page.waitForURL((u) => u.searchParams.get('since') === `${year}-01-01` && u.searchParams.get('until') === `${year}-12-31`);
  await settled(page);
  if (best.count !== before) await waitTotalNot(page, before);
  const t = await total(page);
  check(t === best.count, `the bar of ${year} said ${best.count}, the total says ${t}`);
  const dates = await page.locator(`${T('hit')} time`).evaluateAll((els) => els.map((e) => e.getAttribute('datetime') || e.textContent));
  check(dates.length > 0, 'no hit shown for the year');
  const outside = dates.filter((d) => !String(d).startsWith(year));
  check(!outside.length, `hits outside ${year}: ${outside.join(', ')}`);
  check(params(page).getAll('actor').includes(actor), 'the actor filter was lost when the dates were set');
  await page.waitForFunction(() => [...document.querySelectorAll('[data-testid="year"]')].every((b) => /^\d{4}-\d{2}$/.test(b.dataset.key)));
  await page.screenshot({ path: shot('results-year.png') });
  return `${year}: ${t} articles, the timeline now shows months`;
});

let articleUrl = '';
await step('a hit title opens the article with its mentions marked by role', async () => {
  const shownBefore = await hits(page).count();
  const link = hits(page).first().locator('a').first();
  const title = (await link.textContent()).trim();
  await link.click();
  await page.waitForURL((u) => u.searchParams.has('article'));
  const view = page.locator(T('article'));
  await view.waitFor({ state: 'visible' });
  await page.locator(`${T('article')} ${T('mention')}[data-role]`).first().waitFor({ state: 'visible' });
  const roles = await page.locator(`${T('article')} ${T('mention')}`).evaluateAll((els) => [...new Set(els.map((e) => e.dataset.role))]);
  const known = ['actor', 'accused', 'victim', 'accuser', 'mentioned', 'descriptor', 'indicator'];
  check(roles.every((r) => known.includes(r)), `unknown mention roles: ${roles.join(', ')}`);
  check((await view.textContent()).includes(title.slice(0, 30)), 'the article view does not show the title of the clicked hit');
  check(params(page).get('since') === `${year}-01-01`, 'opening the article lost the dates from the URL');
  check(shownBefore > 0, 'no hit');
  articleUrl = page.url();
  await page.screenshot({ path: shot('article.png') });
  return `roles ${roles.join(', ')}`;
});

await step('Back closes the article and keeps the results; Forward and Escape work too', async () => {
  const t = await total(page);
  await page.goBack();
  await page.waitForURL((u) => !u.searchParams.has('article'));
  await page.locator(T('article')).waitFor({ state: 'detached' });
  check((await hits(page).count()) > 0, 'the hits are gone after Back');
  check((await total(page)) === t, 'the total changed after Back');
  await page.goForward();
  await page.waitForURL((u) => u.searchParams.has('article'));
  await page.locator(`${T('article')} ${T('mention')}`).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Escape');
  await page.locator(T('article')).waitFor({ state: 'detached' });
  await page.waitForURL((u) => !u.searchParams.has('article'));
  check((await hits(page).count()) > 0, 'the hits are gone after Escape');
});

await step('a shared URL restores the same state', async () => {
  const other = await laptop.newPage();
  watch(other, 'shared URL');
  current = other;
  await other.goto(articleUrl);
  await other.locator(`${T('article')} ${T('mention')}`).first().waitFor({ state: 'visible' });
  await settled(other);
  check((await total(other)) === (await total(page)), 'the total differs on a page loaded from the same URL');
  check((await other.locator(T('chip')).count()) === 2, 'the actor and date chips are not both restored');
  check((await other.locator(T('q')).inputValue()) === 'espionage', 'the query is not restored into the search box');
  await other.close();
  current = page;
});

await step('"/" focuses the search box', async () => {
  await page.locator(T('total')).click();
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press('/');
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.dataset.testid);
  check(focused === 'q', `the focus is on ${focused || 'nothing'}, not on the search box`);
  check(!(await page.locator(T('q')).inputValue()).includes('/'), 'the "/" was typed into the box');
});

await step('a chip\'s × removes its filter', async () => {
  const before = await total(page);
  const chip = page.locator(T('chip')).filter({ hasText: actor }).first();
  await chip.locator('button').focus();
  await page.keyboard.press('Enter');
  await page.waitForURL((u) => !u.searchParams.getAll('actor').includes(actor));
  await settled(page);
  check((await page.locator(T('chip')).count()) === 1, 'the actor chip is still there');
  return `${before} -> ${await total(page)} articles`;
});

await step('an API error is shown next to the search box', async () => {
  allowed = /status of 400|Bad Request/;
  await page.goto(new URL('?q=espionage&since=not-a-date', base).href);
  const error = page.locator(T('error'));
  await error.waitFor({ state: 'visible' });
  const text = (await error.textContent()).trim();
  check(text.length > 10, `the error message is empty: ${JSON.stringify(text)}`);
  allowed = null;
  return JSON.stringify(text);
});

await laptop.close();

// ---------------------------------------------------------------- phone, dark

const phone = await browser.newContext({
  viewport: { width: 375, height: 740 },
  colorScheme: 'dark',
  hasTouch: true,
  isMobile: true,
  deviceScaleFactor: 2,
});
await phone.addInitScript(cspProbe);
const mobile = await phone.newPage();
mobile.setDefaultTimeout(TIMEOUT);
watch(mobile, 'phone');
current = mobile;

const noSideScroll = async (p, what) => {
  const { sw, cw } = await p.evaluate(() => ({ sw: document.documentElement.scrollWidth, cw: document.documentElement.clientWidth }));
  check(sw <= 375 + 1, `${what} scrolls sideways on a 375 px screen: scrollWidth ${sw} (clientWidth ${cw})`);
};

await step('phone, dark: the results fit 375 px without sideways scrolling', async () => {
  await mobile.goto(actorUrl);
  await settled(mobile);
  check((await hits(mobile).count()) > 0, 'no hit on the phone');
  await noSideScroll(mobile, 'the results');
  const dark = await mobile.evaluate(() => {
    const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b < 80;
  });
  check(dark, 'the page is not dark under prefers-color-scheme: dark');
  await mobile.screenshot({ path: shot('phone-dark.png') });
});

await step('phone, dark: the filters open, and the article fits the screen', async () => {
  const summary = mobile.locator('#facetbox > summary');
  if (await summary.isVisible()) {
    await summary.click();
    await mobile.locator(`${T('facet-value')}[data-facet="actor"]`).first().waitFor({ state: 'visible' });
    await noSideScroll(mobile, 'the open filters');
    await mobile.screenshot({ path: shot('phone-dark-filters.png') });
    await summary.click();
  }
  await hits(mobile).first().locator('a').first().click();
  await mobile.locator(`${T('article')} ${T('mention')}`).first().waitFor({ state: 'visible' });
  await noSideScroll(mobile, 'the article');
  const box = await mobile.locator(T('article')).boundingBox();
  check(box && box.x >= 0 && box.x + box.width <= 376, `the article view is ${box && box.width} px wide at x ${box && box.x}`);
  await mobile.screenshot({ path: shot('phone-dark-article.png') });
});

await browser.close();
console.log(`\nall ${n} steps passed; screenshots in ${outDir}`);
