// Side-by-side table of a gateway benchmark run: ours vs the peer, with the
// ratio peer/ours for costs (higher = ours better) and ours/peer for rates.
import { readFileSync } from 'node:fs';

const rows = readFileSync(process.argv[2], 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const by = {};
for (const r of rows) {
  const [gateway, label] = r.label.split('/');
  (by[label] ??= {})[gateway] = r;
}
const ratio = (a, b) => (a > 0 && b > 0 ? (a / b).toFixed(1) + 'x' : '–');
const mib = (b) => (b > 0 ? (b / 1048576).toFixed(1) : '–');

console.log('\n### Idle memory\n');
console.log('| run | ours RSS MiB | peer RSS MiB | ours bytes/conn | peer bytes/conn |');
console.log('|---|---|---|---|---|');
for (const [label, g] of Object.entries(by)) {
  if (!label.startsWith('A')) continue;
  const o = g.ours ?? {}, p = g.peer ?? {};
  console.log(`| ${label} | ${mib(o.server_rss_bytes)} | ${mib(p.server_rss_bytes)} | ${o.rss_bytes_per_connection ?? '–'} | ${p.rss_bytes_per_connection ?? '–'} |`);
}
console.log('\n### Load\n');
console.log('| run | gateway | deliveries/s | p50 ms | p99 ms | max ms | gaps/dup/missing | server CPU % | server µs/delivery | client CPU % | machine busy % |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|');
for (const [label, g] of Object.entries(by)) {
  if (label.startsWith('A')) continue;
  for (const name of ['ours', 'peer']) {
    const r = g[name];
    if (!r) continue;
    console.log(`| ${label} | ${name} | ${r.deliveries_per_s} | ${r.latency_ms.p50} | ${r.latency_ms.p99} | ${r.latency_ms.max} | ${r.gaps}/${r.duplicates}/${r.missing} | ${r.server_cpu_pct} | ${r.server_cpu_us_per_delivery} | ${r.client_cpu_pct} | ${r.machine_busy_pct} |`);
  }
  if (g.ours && g.peer)
    console.log(`| ${label} | peer/ours | ${ratio(g.ours.deliveries_per_s, g.peer.deliveries_per_s)} (ours/peer) | ${ratio(g.peer.latency_ms.p50, g.ours.latency_ms.p50)} | ${ratio(g.peer.latency_ms.p99, g.ours.latency_ms.p99)} | | | | ${ratio(g.peer.server_cpu_us_per_delivery, g.ours.server_cpu_us_per_delivery)} | | |`);
}

// Ours against the floor of the same run: a bare send() per frame to the
// same number of sockets, frames of the same size.
const floors = Object.entries(by).filter(([label, g]) => g.floor && g.ours);
if (floors.length) {
  console.log('\n### Against the floor (one bare send() per frame, same run)\n');
  console.log('| run | frame bytes | ours µs/delivery | user µs | system µs | floor µs/delivery | ours/floor | frames per write |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [label, g] of floors) {
    const o = g.ours, f = g.floor;
    console.log(`| ${label} | ${o.frame_bytes} | ${o.server_cpu_us_per_delivery} | ${o.server_user_us_per_delivery} | ${o.server_system_us_per_delivery} | ${f.sender_us_per_delivery} | ${(o.server_cpu_us_per_delivery / f.sender_us_per_delivery).toFixed(2)}x | ${o.frames_per_write ?? ''} |`);
  }
}
