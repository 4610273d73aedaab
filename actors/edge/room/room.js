// The draft room page: the board, the clock, who is in the room, and the
// players with a Pick button for the team on the clock. Everything live
// comes from the client SDK (served at /sdk/, protocol/js); the orchestrator
// answers the players list and the pick (CORS for this origin).
import { DraftRoom, secondsLeft } from "/sdk/index.js";

const config = JSON.parse(document.getElementById("room-config").textContent);
const token = new URLSearchParams(location.search).get("token") || "";
const me = claimsOf(token);
const $ = (id) => document.getElementById(id);

// Reads the token's claims for display only; the servers verify it.
function claimsOf(jwt) {
  try {
    const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part));
  } catch {
    return {};
  }
}

function el(tag, attrs = {}, text = "") {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  if (text) node.textContent = text;
  return node;
}

// The node that served this page first (it answered a moment ago), then the
// others to move to when it goes away.
const ownOrigin = (location.protocol === "https:" ? "wss://" : "ws://") + location.host;
const room = new DraftRoom({
  urls: [ownOrigin, ...config.gateways.filter((u) => u.replace(/\/+$/, "") !== ownOrigin)],
  draftId: config.draftId,
  token,
});

// Teams in draft order, from the orchestrator; until then (or without it)
// in the order the events name them.
let teams = [];
let rounds = null;

async function api(path, init = {}) {
  const res = await fetch(config.orchestrator + path, {
    ...init,
    headers: { Authorization: "Bearer " + token, "Content-Type": "application/json" },
  });
  const body = await res.json().catch(() => ({}));
  if (!res.ok) {
    const e = body.error || {};
    throw new Error((e.code ? e.code + ": " : "") + (e.message || "HTTP " + res.status));
  }
  return body;
}

async function loadDraft() {
  if (!config.orchestrator) return;
  try {
    const d = await api("/api/drafts/" + config.draftId);
    teams = d.teams.map((t) => ({ team_id: t.team_id, name: t.name }));
    rounds = d.rounds ?? d.total_rounds ?? null;
    render();
  } catch (e) {
    $("pick-message").textContent = "cannot read the draft: " + e.message;
  }
}

function teamOrder(board) {
  if (teams.length) return teams;
  return Object.values(board.teams).map((t) => ({ team_id: t.team_id, name: t.name || t.team_id.slice(0, 8) }));
}

function teamName(board, id) {
  const t = teams.find((x) => x.team_id === id) || board.teams[id];
  return (t && t.name) || (id ? id.slice(0, 8) : "—");
}

function renderBoard(board) {
  const order = teamOrder(board);
  const present = new Set((board.presence?.teams || []).map((t) => t.team_id));
  const head = el("tr");
  head.append(el("th", {}, "Round"));
  for (const t of order)
    head.append(el("th", { "data-team": t.team_id, class: present.has(t.team_id) ? "present" : "" }, t.name));
  const thead = $("board").tHead;
  thead.replaceChildren(head);
  const byCell = new Map();
  for (const p of Object.values(board.picks)) byCell.set(p.round + "/" + p.team_id, p);
  const total = board.totalRounds || rounds || Math.max(1, ...Object.values(board.picks).map((p) => p.round));
  const body = [];
  const cp = board.currentPick;
  for (let r = 1; r <= total; r++) {
    const row = el("tr");
    row.append(el("th", {}, String(r)));
    for (const t of order) {
      const p = byCell.get(r + "/" + t.team_id);
      const onClock = cp && cp.round === r && cp.team_id === t.team_id;
      const cell = el("td", onClock ? { class: "on-clock" } : {});
      if (p) {
        cell.setAttribute("data-overall", String(p.overall_pick));
        cell.setAttribute("data-player", p.player_id);
        cell.append(document.createTextNode(p.player_name));
        cell.append(el("span", { class: "by" }, "#" + p.overall_pick + (p.auto_picked ? " auto" : "")));
      }
      row.append(cell);
    }
    body.push(row);
  }
  $("board").tBodies[0].replaceChildren(...body);
}

function renderPresence(board) {
  const list = (board.presence?.teams || []).map((t) =>
    el("li", { "data-team": t.team_id }, teamName(board, t.team_id) + (t.connections > 1 ? " ×" + t.connections : "")));
  $("presence").replaceChildren(...list);
  $("viewers").textContent = String(board.presence?.viewers ?? 0);
}

function myTurn(board) {
  return !!me.team_id && board.status === "IN_PROGRESS" && board.currentPick?.team_id === me.team_id;
}

function render() {
  const board = room.board;
  $("draft-id").textContent = config.draftId;
  $("status").textContent = board.status;
  $("progress").textContent = board.completedPicks + " / " + board.totalPicks;
  $("on-clock").textContent = board.currentPick ? teamName(board, board.currentPick.team_id) : "—";
  $("you").textContent = me.team_id ? "You: " + teamName(board, me.team_id) + (myTurn(board) ? " — your pick" : "") : "Watching";
  renderBoard(board);
  renderPresence(board);
  for (const b of document.querySelectorAll("#players button.pick")) b.disabled = !myTurn(board);
}

function tickClock() {
  const left = secondsLeft(room.board, Date.now());
  $("countdown").textContent = left === null ? "—" : left + " s";
  $("countdown").classList.toggle("urgent", left !== null && left <= 5);
}

let playersTimer = null;
function refreshPlayers() {
  if (!config.orchestrator) {
    $("pick-message").textContent = "picking is off here (GATEWAY_ROOM_ORCHESTRATOR_URL is not set)";
    return;
  }
  clearTimeout(playersTimer);
  playersTimer = setTimeout(async () => {
    try {
      const page = await api("/api/drafts/" + config.draftId + "/players?available=true&limit=50");
      const rows = page.players.map((p) => {
        const row = el("tr", { "data-player": p.player_id });
        row.append(el("td", {}, String(p.rank)), el("td", {}, p.name), el("td", {}, p.position + " " + p.nfl_team));
        const cell = el("td");
        const button = el("button", { class: "pick", "data-player": p.player_id }, "Pick");
        button.disabled = !myTurn(room.board);
        button.addEventListener("click", () => pick(p.player_id));
        cell.append(button);
        row.append(cell);
        return row;
      });
      $("players").tBodies[0].replaceChildren(...rows);
    } catch (e) {
      $("pick-message").textContent = "cannot list players: " + e.message;
    }
  }, 150);
}

async function pick(playerId) {
  const slot = room.board.currentPick;
  $("pick-message").textContent = "";
  try {
    await api("/api/drafts/" + config.draftId + "/picks", {
      method: "POST",
      body: JSON.stringify({ player_id: playerId, pick_id: slot ? slot.pick_id : undefined }),
    });
  } catch (e) {
    $("pick-message").textContent = "pick refused: " + e.message;
  }
}

room.on("board", render);
room.on("status", (s) => {
  console.info("connection " + s);
  $("connection").dataset.state = s;
  $("connection").textContent = s;
});
room.on("event", (e) => {
  if (e.type === "PickMade" || e.type === "PickUndone") refreshPlayers();
});
room.on("giveup", (g) => {
  $("pick-message").textContent = "disconnected for good: " + g.reason + (g.message ? " (" + g.message + ")" : "");
});
room.start();
loadDraft();
refreshPlayers();
setInterval(tickClock, 250);
