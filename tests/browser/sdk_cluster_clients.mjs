// Many client-SDK clients in Node (the ws package) on one draft of a real
// cluster. Run by tests/gateway/client_sdk_test.cpp, which starts the draft,
// kills and restarts a node, and compares the results with the database:
//
//   node sdk_cluster_clients.mjs <config.json>
//
// config: { sdk, ws (module paths), urls, draftId, clients: [{name, token}],
//           presence: {teams, perTeam, viewers}, results (a path), timeoutSec }
// Client i gets the URL list rotated by i, so the clients spread over the
// nodes. Prints "ready" once every client is live and has seen the whole
// room, then "done" once every board shows the draft completed with its
// picks loaded, and writes each client's event log and board to `results`.
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const sdk = await import(pathToFileURL(config.sdk + "/index.js").href);
const { default: WebSocket } = await import(pathToFileURL(config.ws).href);
const deadline = Date.now() + config.timeoutSec * 1000;

const fullRoom = (presence) => {
  if (!presence) return false;
  const teams = presence.teams.filter((t) => t.connections === config.presence.perTeam);
  return teams.length === config.presence.teams && presence.viewers === config.presence.viewers;
};

const clients = config.clients.map((c, i) => {
  const urls = config.urls.map((_, k) => config.urls[(i + k) % config.urls.length]);
  const room = new sdk.DraftRoom({ urls, draftId: config.draftId, token: c.token, WebSocket });
  const state = { name: c.name, room, log: [], snapshotSeq: null, closes: 0, sawFullRoom: false, giveup: null };
  room.on("snapshot", (s) => {
    if (state.snapshotSeq === null) state.snapshotSeq = s.last_seq;
  });
  room.on("event", (e) => state.log.push([e.seq, e.id]));
  room.on("closed", () => state.closes++);
  room.on("giveup", (g) => (state.giveup = g));
  room.on("board", (b) => {
    if (fullRoom(b.presence)) state.sawFullRoom = true;
  });
  room.start();
  return state;
});

const until = async (what, condition) => {
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("timed out waiting for " + what);
    await new Promise((r) => setTimeout(r, 100));
  }
};

// The same canonical text the C++ side makes from the REST API.
const boardText = (b) => {
  const picks = Object.values(b.picks)
    .sort((x, y) => x.overall_pick - y.overall_pick)
    .map((p) => JSON.stringify([p.overall_pick, p.pick_id, p.player_id, p.team_id]));
  return `{"status":"${b.status}","completed_picks":${b.completedPicks},"total_picks":${b.totalPicks},` +
    `"last_seq":${b.lastSeq},"picks":[${picks.join(",")}]}`;
};

try {
  await until("every client live with the whole room", () =>
    clients.every((c) => c.room.status === "live" && c.sawFullRoom));
  console.log("ready");
  await until("every board completed", () =>
    clients.every((c) => c.room.board.status === "COMPLETED" && c.room.picksLoaded));
  // The last events may still be on their way to some: wait for the same
  // last seq everywhere.
  const last = Math.max(...clients.map((c) => c.room.board.lastSeq));
  await until("every client at seq " + last, () => clients.every((c) => c.room.board.lastSeq === last));
  const gaveUp = clients.filter((c) => c.giveup);
  if (gaveUp.length) throw new Error(gaveUp.length + " clients gave up: " + JSON.stringify(gaveUp[0].giveup));
  writeFileSync(config.results, JSON.stringify(clients.map((c) => ({
    name: c.name, snapshotSeq: c.snapshotSeq ?? 0, log: c.log, closes: c.closes,
    sawFullRoom: c.sawFullRoom, board: boardText(c.room.board),
  }))));
  console.log("done: " + clients.length + " clients, last seq " + last + ", " +
    clients.filter((c) => c.closes > 0).length + " reconnected");
} catch (e) {
  console.error("sdk clients failed: " + e.message);
  for (const c of clients.filter((c) => c.room.status !== "live" || !c.sawFullRoom).slice(0, 3))
    console.error("  " + c.name + ": status " + c.room.status + ", presence " + JSON.stringify(c.room.board.presence));
  process.exitCode = 1;
} finally {
  for (const c of clients) c.room.stop();
}
