// A webhook receiver as its own process, as an auditor's alerting endpoint would be: every
// POST is answered 204 and printed on stdout as one JSON line {path, keyId, signature, body}
// — the signature is checked by whoever reads the lines (test/stress/insider.ts), with the
// sender's public key, never trusted here. Prints "listening on <url>" once ready.
import http from "node:http";

const server = http.createServer((req, res) => {
  let body = "";
  req.setEncoding("utf8");
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    const line = {
      path: req.url,
      keyId: req.headers["x-ledgerline-key-id"] ?? null,
      signature: req.headers["x-ledgerline-signature"] ?? null,
      body,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    res.writeHead(204).end();
  });
});
server.listen(0, "127.0.0.1", () => {
  process.stdout.write(`listening on http://127.0.0.1:${server.address().port}\n`);
});
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => server.close(() => process.exit(0)));
