/**
 * The browser harness itself (test/helpers/browser.ts): Debian's chromium starts under
 * playwright-core and renders a page, and the colour measurements the viewer's light/dark checks
 * rely on give the WCAG figures. Fails (never skips) without chromium.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { contrastRatio, launchBrowser, openPage, textAndBackground } from './helpers/browser.js';

describe('browser harness', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('chromium renders a data: URL and runs its script', async () => {
    const page = await openPage(browser);
    await page.goto('data:text/html,<title>t</title><p id="p"></p><script>document.getElementById("p").textContent = "from script"</script>');
    assert.equal(await page.textContent('#p'), 'from script');
    assert.match(await page.evaluate(() => navigator.userAgent), /Chrome\/\d+/);
  });

  it('WCAG contrast: black on white is 21, equal colours 1', () => {
    const black = { r: 0, g: 0, b: 0, a: 1 };
    const white = { r: 255, g: 255, b: 255, a: 1 };
    assert.ok(Math.abs(contrastRatio(black, white) - 21) < 1e-9);
    assert.ok(Math.abs(contrastRatio(white, black) - 21) < 1e-9);
    assert.equal(contrastRatio(white, white), 1);
    // #767676 on white is the usual example of just passing 4.5:1.
    const grey = { r: 0x76, g: 0x76, b: 0x76, a: 1 };
    assert.ok(contrastRatio(grey, white) > 4.5 && contrastRatio(grey, white) < 4.6);
  });

  it('reads colours given in any CSS syntax, through transparent ancestors, down to the canvas colour', async () => {
    const page = await openPage(browser, { colorScheme: 'dark' });
    await page.goto(
      'data:text/html,<meta name="color-scheme" content="light dark">' +
        '<div style="background: oklch(0.3 0 0)"><section><p id="a" style="color: color-mix(in srgb, white 50%, black)">a</p></section></div>' +
        '<p id="b" style="color: rgb(255 255 255 / 50%)">b</p>',
    );
    const a = await textAndBackground(page, '#a');
    // oklch(0.3 0 0) is a grey of linear light 0.3³ = 0.027, sRGB 46; color-mix 50% white/black is 128.
    assert.ok(Math.abs(a.background.r - 46) <= 2 && a.background.r === a.background.g, JSON.stringify(a));
    assert.ok(Math.abs(a.text.r - 128) <= 1, JSON.stringify(a));
    // #b sits on the dark canvas colour (about 18 in chromium); half-white text over it.
    const b = await textAndBackground(page, '#b');
    assert.ok(b.background.r < 40, JSON.stringify(b));
    assert.ok(Math.abs(b.text.r - (255 + b.background.r) / 2) <= 1.5, JSON.stringify(b));
    assert.ok(contrastRatio(b.text, b.background) > 4.5);
  });
});
