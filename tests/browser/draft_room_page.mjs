// The draft room page in headless Chromium (Debian's chromium, driven by
// playwright-core). Run by tests/gateway/client_sdk_test.cpp against a
// running 3-node cluster:
//
//   node draft_room_page.mjs <config.json>
//
// config: { draftId, teams: [{team_id, url}] (two team pages on two nodes),
//           watcher (a page URL on the third node), watcherNodePid,
//           orchestrator, commissioner (token), checkUrl, checkToken
//           (the REST API the boards are compared with), artifacts }
// It starts the draft, waits for presence of both teams, picks by clicking
// on the page of the team on the clock, checks the other pages show the
// pick, kills the watcher's node (SIGKILL, by pid) and checks the watcher's
// page goes resuming, then live, with the database's board. Screenshots of
// every page go to `artifacts`.
import { readFileSync } from "node:fs";
import { chromium } from "playwright-core";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const step = (what) => console.log("draft room: " + what);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
    "--disable-component-update", "--no-first-run", "--disable-sync"],
});
const pages = {};
const states = { watcher: [] };

async function open(name, url) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on("pageerror", (e) => console.error(name + " page error: " + e.message));
  page.on("response", (r) => r.status() >= 400 && console.error(name + ": " + r.status() + " for " + r.url()));
  page.on("console", (m) => {
    const text = m.text();
    if (text.startsWith("connection ")) (states[name] ||= []).push(text.slice(11));
    else if (m.type() === "error") console.error(name + " console: " + text);
  });
  await page.goto(url);
  pages[name] = page;
  return page;
}

// Polls `fn(arg)` in the page until it is true. (Playwright's waitForFunction
// compiles its predicate with eval, which the page's CSP rightly refuses.)
async function until(page, fn, arg, timeout = 20000) {
  const end = Date.now() + timeout;
  while (!(await page.evaluate(fn, arg))) {
    if (Date.now() > end) throw new Error("timed out waiting for " + fn.toString());
    await new Promise((r) => setTimeout(r, 50));
  }
}

const live = (page) => page.waitForSelector('#connection[data-state="live"]', { timeout: 20000 });

async function api(path, method = "GET") {
  const res = await fetch(config.orchestrator + path, {
    method, headers: { Authorization: "Bearer " + config.commissioner },
  });
  if (!res.ok) throw new Error(method + " " + path + " answered " + res.status + ": " + (await res.text()));
  return res.json();
}

// The picks the database holds, by the gateway's REST API: overall -> player.
async function databasePicks() {
  const out = {};
  let cursor = "";
  for (;;) {
    const res = await fetch(config.checkUrl + "/api/drafts/" + config.draftId + "/picks?limit=100" +
      (cursor ? "&cursor=" + cursor : ""), { headers: { Authorization: "Bearer " + config.checkToken } });
    const page = await res.json();
    for (const p of page.picks) out[p.overall_pick] = p.player_id;
    if (!page.next_cursor) return out;
    cursor = page.next_cursor;
  }
}

// The board a page shows: overall -> player, from the cells.
const shownPicks = (page) => page.evaluate(() => {
  const out = {};
  for (const td of document.querySelectorAll("#board td[data-overall]"))
    out[td.dataset.overall] = td.dataset.player;
  return out;
});

async function shoot(name) {
  await pages[name].screenshot({ path: `${config.artifacts}/room-${name}.png`, fullPage: true });
}

try {
  const [a, b] = config.teams;
  await open("team-1", a.url);
  await open("team-2", b.url);
  const watcher = await open("watcher", config.watcher);
  for (const p of Object.values(pages)) await live(p);
  step("three pages live");
  // Presence: both teams are in the room, on every page (cluster-wide).
  for (const p of Object.values(pages))
    for (const t of config.teams)
      await p.waitForSelector(`#presence li[data-team="${t.team_id}"]`, { timeout: 20000 });
  await until(watcher, () => document.getElementById("viewers").textContent === "1");
  step("presence shows both teams and one watcher on every page");

  await api("/api/drafts/" + config.draftId + "/start", "POST");
  // The team on the clock is the one whose page enables its Pick buttons.
  let picker = null;
  await until(watcher, () => document.getElementById("on-clock").textContent !== "—");
  for (let i = 0; i < 200 && !picker; i++) {
    for (const name of ["team-1", "team-2"])
      if (await pages[name].$("#players button.pick:not([disabled])")) picker = name;
    if (!picker) await new Promise((r) => setTimeout(r, 100));
  }
  if (!picker) throw new Error("no team page offers a Pick button");
  const other = picker === "team-1" ? "team-2" : "team-1";
  if (await pages[other].$("#players button.pick:not([disabled])"))
    throw new Error("both team pages offer a Pick button");
  const button = await pages[picker].$("#players button.pick:not([disabled])");
  const player = await button.getAttribute("data-player");
  const clicked = Date.now();
  // A locator by player: the list is re-rendered on every update (a tick, a
  // presence change), so an element handle may be gone by the time it is
  // clicked.
  await pages[picker].locator(`#players button.pick[data-player="${player}"]`).click();
  for (const name of [other, "watcher", picker])
    await pages[name].waitForSelector(`#board td[data-player="${player}"]`, { timeout: 10000 });
  step(`${picker} picked ${player} by clicking; shown on the other pages after ${Date.now() - clicked} ms`);
  await pages[other].waitForSelector("#players button.pick:not([disabled])", { timeout: 10000 });
  step(`${other} is on the clock now`);

  process.kill(config.watcherNodePid, "SIGKILL");
  step("watcher's node killed");
  await until(watcher, () => document.getElementById("connection").dataset.state !== "live").catch(() => {});
  await live(watcher);
  if (!states.watcher.includes("resuming"))
    throw new Error("the watcher page never showed resuming: " + states.watcher.join(" > "));
  step("watcher page: " + states.watcher.join(" > "));

  // The other team picks too, while the watcher is on its new node.
  const second = await pages[other].$("#players button.pick:not([disabled])");
  const secondPlayer = await second.getAttribute("data-player");
  await pages[other].locator(`#players button.pick[data-player="${secondPlayer}"]`).click();
  await watcher.waitForSelector(`#board td[data-player="${secondPlayer}"]`, { timeout: 10000 });
  const want = await databasePicks();
  const shown = await shownPicks(watcher);
  if (JSON.stringify(shown) !== JSON.stringify(want))
    throw new Error("watcher board " + JSON.stringify(shown) + " != database " + JSON.stringify(want));
  step("watcher board equals the database: " + Object.keys(want).length + " picks");
  // The room is whole again on the watcher's new node: both teams, one watcher.
  for (const t of config.teams)
    await watcher.waitForSelector(`#presence li[data-team="${t.team_id}"]`, { timeout: 20000 });
  await until(watcher, () => document.getElementById("viewers").textContent === "1");
  step("after the kill, presence shows both teams and one watcher again");
  for (const name of Object.keys(pages)) await shoot(name);
  step("screenshots in " + config.artifacts);
  step("done");
} catch (e) {
  console.error("draft room test failed: " + e.message);
  for (const name of Object.keys(pages))
    await pages[name].screenshot({ path: `${config.artifacts}/room-${name}-failed.png`, fullPage: true }).catch(() => {});
  process.exitCode = 1;
} finally {
  await browser.close();
}
