// The dashboard in headless Chromium, as a person uses it: sign in, read the overview and
// its charts, start a scan of a system and follow it to its run, acknowledge a finding,
// filter and sort the findings table, make and revoke an API token on the Account page,
// switch to Japanese. Screenshots of each step go to SCREENSHOTS. Run by crates/mamori/tests/browser.rs with BASE, USER, PASSWORD, CHROMIUM.
// Fails (exit 1) with the step that went wrong.
'use strict';
const { chromium } = require('playwright-core');
const path = require('path');

const base = process.env.BASE;
const shots = process.env.SCREENSHOTS;
const out = {};

function check(cond, what) {
  if (!cond) throw new Error('check failed: ' + what);
}

async function shot(page, name) {
  const file = path.join(shots, name + '.png');
  await page.screenshot({ path: file, fullPage: true });
  out[name] = file;
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  try {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();

    // Signing in: any page sends us to the login form and back.
    await page.goto(base + '/findings');
    check(page.url().includes('/login?next='), 'redirected to the login page: ' + page.url());
    await page.fill('input[name=name]', process.env.USER_NAME);
    await page.fill('input[name=password]', 'wrong password here');
    await page.click('button[type=submit]');
    check((await page.locator('[role=alert]').count()) === 1, 'a wrong password is said so');
    await page.fill('input[name=name]', process.env.USER_NAME);
    await page.fill('input[name=password]', process.env.PASSWORD);
    await page.click('button[type=submit]');
    check(new URL(page.url()).pathname === '/findings', 'back where we were going: ' + page.url());

    // The overview and its charts.
    await page.goto(base + '/');
    for (const id of ['trend', 'age', 'pqc']) {
      const box = await page.locator('svg#' + id).boundingBox();
      check(box && box.width > 200 && box.height > 50, 'chart ' + id + ' is drawn: ' + JSON.stringify(box));
    }
    check((await page.locator('svg#trend path.layer').count()) >= 1, 'the trend has layers');
    check((await page.locator('svg#age rect.bar').count()) >= 1, 'the age chart has bars');
    check((await page.locator('svg#pqc g.sys').count()) === 2, 'two systems in the migration chart');
    const active = Number(await page.locator('#web-card-active b').innerText());
    check(active > 0, 'open findings are counted: ' + active);
    await shot(page, 'dashboard-overview-en');

    // Start a scan of beta from its page and follow it until its run.
    await page.goto(base + '/systems/beta');
    await page.click('#scan-now');
    check(/\/scans\/\d+$/.test(page.url()), 'on the scan page: ' + page.url());
    let status = '';
    for (let i = 0; i < 120; i++) {
      status = await page.locator('table#job').getAttribute('data-status');
      if (status === 'done' || status === 'failed') break;
      await page.waitForTimeout(500);
      await page.reload();
    }
    check(status === 'done', 'the scan ended with its run, not ' + status);
    await page.click('#run-link');
    check(/\/runs\/\d+$/.test(page.url()), 'on the run page: ' + page.url());
    check((await page.locator('#assets tr').count()) > 1, 'the run lists crypto assets');
    await shot(page, 'dashboard-run');

    // Acknowledge a new finding.
    await page.goto(base + '/findings?status=new&system=beta');
    const first = page.locator('#findings tr[data-id] a').first();
    const id = await page.locator('#findings tr[data-id]').first().getAttribute('data-id');
    await first.click();
    await page.fill('form#ack input[name=comment]', 'seen in the browser test');
    await page.click('form#ack button');
    check(new URL(page.url()).pathname === '/findings/' + id, 'back on the finding');
    const history = await page.locator('#history').innerText();
    check(history.includes('seen in the browser test'), 'the comment is in the history');
    check((await page.locator('#detail .st-acknowledged').count()) === 1, 'the status is acknowledged');
    await shot(page, 'dashboard-finding');

    // The table: filter, search, sort.
    await page.goto(base + '/findings');
    await page.selectOption('select[name=status]', 'acknowledged');
    await page.click('form.filters button[type=submit]');
    const rows = await page.locator('#findings tr[data-id]').count();
    check(rows === 1, 'one acknowledged finding, got ' + rows);
    await page.goto(base + '/findings?status=active');
    await page.fill('input[name=q]', 'md5');
    await page.click('form.filters button[type=submit]');
    const titles = await page.locator('#findings tr[data-id] td:nth-child(3)').allInnerTexts();
    check(titles.length >= 1 && titles.every((t) => t.toLowerCase().includes('md5')), 'search narrows: ' + titles);
    await page.goto(base + '/findings');
    await page.click('#findings th a:has-text("Due")');
    check(page.url().includes('sort=due'), 'sorted by due date');
    await shot(page, 'dashboard-findings');

    // The person's own account: a token made, shown once, listed, revoked.
    await page.click('header a[href="/account"]');
    check(new URL(page.url()).pathname === '/account', 'the name leads to the account page');
    await page.fill('form#new-token-form input[name=label]', 'browser test');
    await page.selectOption('form#new-token-form select[name=days]', '30');
    await page.click('form#new-token-form button');
    const token = await page.locator('code#new-token').innerText();
    check(/^mamori_[0-9a-f]{64}$/.test(token), 'a new token is shown: ' + token);
    const made = page.locator('#tokens tr', { hasText: 'browser test' });
    check((await made.count()) === 1, 'the new token is listed');
    await shot(page, 'dashboard-account');
    await made.locator('button').click();
    check((await page.locator('#tokens tr', { hasText: 'browser test' }).count()) === 0, 'the token is revoked');
    check(!(await page.content()).includes(token), 'a token is shown once');

    // Japanese.
    await page.goto(base + '/');
    await page.click('text=日本語');
    check((await page.locator('html').getAttribute('lang')) === 'ja', 'the page is Japanese');
    check((await page.locator('h1').innerText()).includes('組織のリスク'), 'Japanese heading');
    await shot(page, 'dashboard-overview-ja');
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(out));
})().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
