// A child process of the LL-HLS benchmark: runs `count` clients that each behave like an LL-HLS player at the
// live edge: a blocking reload for the next part (_HLS_msn/_HLS_part from the preload hint), then that part.
// Reports its counters to the parent once a second over IPC.
import http from 'node:http';

const [base, countText] = process.argv.slice(2);
const count = Number(countText);
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const totals = { playlists: 0, parts: 0, bytes: 0, errors: 0, playlistWaitMs: 0, lastError: '' };
let running = true;

function get(path) {
  return new Promise((resolve) => {
    const req = http.get(`${base}${path}`, { agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', () => resolve({ status: 0, headers: {}, body: Buffer.alloc(0) }));
    });
    req.setTimeout(15_000, () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ status: 0, headers: {}, body: Buffer.from(e.message) }));
  });
}

function hintOf(text) {
  const m = /#EXT-X-PRELOAD-HINT:TYPE=PART,URI="(part-(\d+)\.(\d+)\.m4s\?[^"]*)"/.exec(text);
  return m ? { uri: m[1], msn: Number(m[2]), part: Number(m[3]) } : undefined;
}

async function client(i) {
  // spread the start over two seconds, as viewers arrive
  await new Promise((r) => setTimeout(r, (i * 2000) / count));
  const first = await get('index.m3u8');
  const location = first.headers.location;
  if (first.status !== 302 || !location) {
    totals.errors++;
    totals.lastError = `first playlist: ${first.status}`;
    return;
  }
  const playlist = location; // index.m3u8?session=...
  let res = await get(playlist);
  while (running) {
    if (res.status !== 200) {
      totals.errors++;
      totals.lastError = `playlist ${res.status} ${res.body.toString().slice(0, 80)}`;
      await new Promise((r) => setTimeout(r, 500));
      res = await get(playlist);
      continue;
    }
    const hint = hintOf(res.body.toString());
    if (!hint) {
      totals.errors++;
      await new Promise((r) => setTimeout(r, 200));
      res = await get(playlist);
      continue;
    }
    // the hinted part and the blocking reload for it, in parallel, as hls.js does
    const t0 = Date.now();
    const [part, next] = await Promise.all([get(hint.uri), get(`${playlist}&_HLS_msn=${hint.msn}&_HLS_part=${hint.part}`)]);
    totals.playlistWaitMs += Date.now() - t0;
    totals.playlists++;
    if (part.status === 200) {
      totals.parts++;
      totals.bytes += part.body.length;
    } else if (part.status !== 404) {
      // 404: the hinted part never came (the segment ended first); players then take the next one
      totals.errors++;
      totals.lastError = `part ${part.status}`;
    }
    res = next;
  }
}

const report = setInterval(() => process.send?.({ ...totals }), 1000);
process.on('message', (m) => {
  if (m === 'stop') {
    running = false;
    clearInterval(report);
    process.send?.({ ...totals }, () => process.exit(0));
  }
});
for (let i = 0; i < count; i++) void client(i);
