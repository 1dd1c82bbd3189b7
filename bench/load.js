// HTTP/1.1 keep-alive load generator, run as its own process so that it never shares the
// server's event loop. Each client is one socket with one request in flight (no pipelining);
// requests are pre-serialized and responses parsed just enough to find their end (Content-Length),
// so the generator costs the server as little CPU as possible on a 2-core machine.
//
//   node bench/load.js '<json spec>'   → prints one JSON result on stdout
//   spec: { port, method, paths: [..] | pathsFile, headers: {..}, concurrency,
//           durationMs | requests, warmupMs?, expectStatus? }
import fs from 'node:fs';
import net from 'node:net';

const spec = JSON.parse(process.argv[2] ?? '{}');
const paths = spec.pathsFile ? JSON.parse(fs.readFileSync(spec.pathsFile, 'utf8')) : spec.paths;
if (!spec.port || !Array.isArray(paths) || paths.length === 0) {
  process.stderr.write('load.js: need port and paths\n');
  process.exit(2);
}
const concurrency = spec.concurrency ?? 1;
const expectStatus = spec.expectStatus ?? 200;
const headerLines = Object.entries({ host: `127.0.0.1:${spec.port}`, ...spec.headers })
  .map(([k, v]) => `${k}: ${v}\r\n`)
  .join('');
const requests = paths.map((p) => Buffer.from(`${spec.method ?? 'GET'} ${p} HTTP/1.1\r\n${headerLines}content-length: 0\r\n\r\n`, 'latin1'));

const latencies = []; // ms, measured requests only
let measuring = !spec.warmupMs;
let done = 0;
let bad = 0;
let bytes = 0;
let next = 0;
let stopping = false;
let measureStart = 0;
let measureEnd = 0;
const maxRequests = spec.requests ?? Infinity;
const HEADER_END = Buffer.from('\r\n\r\n');

function client() {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port: spec.port, noDelay: true });
    let buf = Buffer.alloc(0);
    let sentAt = 0n;
    let need = -1; // bytes of the current response still expected once its head is parsed
    let status = 0;
    const send = () => {
      if (stopping || done + inFlight() >= maxRequests) {
        socket.end();
        return;
      }
      const req = requests[next++ % requests.length];
      sentAt = process.hrtime.bigint();
      busy.add(socket);
      socket.write(req);
    };
    socket.on('connect', send);
    socket.on('data', (chunk) => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      for (;;) {
        if (need < 0) {
          const end = buf.indexOf(HEADER_END);
          if (end < 0) return;
          const head = buf.subarray(0, end).toString('latin1');
          status = Number(head.slice(9, 12));
          const m = /\r\ncontent-length:\s*(\d+)/i.exec(head);
          if (!m) {
            reject(new Error(`response without content-length: ${head.split('\r\n')[0]}`));
            socket.destroy();
            return;
          }
          need = end + 4 + Number(m[1]);
        }
        if (buf.length < need) return;
        const rest = buf.subarray(need);
        const length = need;
        need = -1;
        buf = rest.length ? Buffer.from(rest) : Buffer.alloc(0);
        busy.delete(socket);
        if (measuring) {
          latencies.push(Number(process.hrtime.bigint() - sentAt) / 1e6);
          bytes += length;
          done++;
          if (status !== expectStatus) bad++;
        }
        send();
      }
    });
    socket.on('error', reject);
    socket.on('close', resolve);
  });
}

const busy = new Set();
const inFlight = () => busy.size;

const clients = [];
for (let i = 0; i < concurrency; i++) clients.push(client());

const startAt = Date.now();
if (spec.warmupMs) {
  setTimeout(() => {
    measuring = true;
    measureStart = performance.now();
  }, spec.warmupMs);
} else measureStart = performance.now();
if (spec.durationMs) {
  setTimeout(() => {
    measureEnd = performance.now();
    measuring = false;
    stopping = true;
  }, (spec.warmupMs ?? 0) + spec.durationMs);
}
// A hard bound, whatever happens to the server.
const guard = setTimeout(() => {
  process.stderr.write('load.js: timed out\n');
  process.exit(3);
}, (spec.warmupMs ?? 0) + (spec.durationMs ?? 0) + (spec.timeoutMs ?? 60_000));

try {
  await Promise.all(clients);
} catch (e) {
  process.stderr.write(`load.js: ${e.message}\n`);
  process.exit(1);
}
clearTimeout(guard);
if (!measureEnd) measureEnd = performance.now();
const inOrder = spec.keepLatencies ? [...latencies] : undefined;
latencies.sort((a, b) => a - b);
const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] : NaN);
const seconds = (measureEnd - measureStart) / 1000;
process.stdout.write(
  `${JSON.stringify({
    requests: done,
    bad,
    seconds,
    rps: done / seconds,
    p50: pct(50),
    p99: pct(99),
    min: latencies[0] ?? NaN,
    max: latencies[latencies.length - 1] ?? NaN,
    bytes,
    wallMs: Date.now() - startAt,
    ...(inOrder ? { latencies: inOrder } : {}),
  })}\n`,
);
