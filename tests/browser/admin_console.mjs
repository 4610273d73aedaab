// The admin console in a real browser: headless Chromium (Debian's chromium)
// driven by playwright-core. Run by tests/gateway/admin_test.cpp against a
// running two-node cluster:
//
//   node admin_console.mjs <base-url> <admin-token> <draft-id>
//                          <subscribers> <connection-id> <screenshot.png>
//
// It checks that the page refuses a visit without a token, shows both nodes
// and the draft actor with its subscriber count, disconnects the connection
// with the page's button and sees it go, then saves a screenshot.
import { chromium } from "playwright-core";

const [base, token, draftId, subscribers, connection, screenshot] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync"],
});
const page = await browser.newPage({ viewport: { width: 1400, height: 1100 } });
const step = (what) => console.log("admin console: " + what);
try {
  const refused = await page.goto(base + "/admin");
  if (refused.status() !== 401) throw new Error("/admin without a token answered " + refused.status());
  step("refused without a token");

  await page.goto(base + "/admin?token=" + token);
  const alive = (n) => page.waitForFunction((id) => {
    const r = document.querySelector('#members tr[data-node="' + id + '"]');
    return r && r.children[2].textContent !== "down";
  }, n, { timeout: 20000 });
  await alive("n1");
  await alive("n2");
  step("both nodes alive");

  await page.waitForFunction(([id, n]) => {
    const c = document.querySelector('#drafts tr[data-draft="' + id + '"] .subscribers');
    return c && c.textContent === n;
  }, [draftId, subscribers], { timeout: 20000 });
  step("draft actor with " + subscribers + " subscribers");

  const row = '#connections tr[data-connection="' + connection + '"]';
  await page.waitForSelector(row, { timeout: 20000 });
  await page.click(row + " button.disconnect");
  await page.waitForSelector(row, { state: "detached", timeout: 20000 });
  step("connection " + connection + " disconnected and gone");
  await page.screenshot({ path: screenshot, fullPage: true });
  step("screenshot " + screenshot);
} catch (e) {
  console.error("admin console test failed: " + e.message);
  await page.screenshot({ path: screenshot.replace(/\.png$/, "-failed.png"), fullPage: true }).catch(() => {});
  process.exitCode = 1;
} finally {
  await browser.close();
}
