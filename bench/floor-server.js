// The HTTP floor: a bare node:http server on 127.0.0.1 (keep-alive) answering every request with
// a ~150-byte JSON body, the size of a reveal's answer. Prints its port on stdout.
import http from 'node:http';

const body = Buffer.from(
  JSON.stringify({ id: '6f1c1f3e-9a3b-4f57-8d5e-0c8f1d2a7b90', name: 'Blog Project', environment: 'development', value: 'sk-bench-0123456789abcdefghijklmnopqrstuvwxyz0123' }),
);
const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': body.length });
    res.end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
// Never outlive the harness that started it.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
