// A small RFC 5321 receiver as its own process, for alert emails: it speaks the server
// side of the dialogue (220 greeting, EHLO/HELO, MAIL FROM, RCPT TO, DATA with dot
// unstuffing, RSET, NOOP, QUIT), refuses commands out of order with 503 as a real MTA
// does, and prints each accepted message on stdout as one JSON line
// {from, to, data, errors} — `errors` lists the dialogue faults of that session, so a
// test fails on a client that skipped a step. No TLS, no AUTH: it is a local test relay.
// Prints "listening <port>" once ready. FAIL_FIRST=n answers 451 to the first n DATA ends.
import net from "node:net";

let failFirst = Number(process.env.FAIL_FIRST ?? 0);

function session(socket) {
  const s = { helo: false, from: null, to: [], data: null, errors: [] };
  const reply = (line) => socket.write(`${line}\r\n`);
  const reset = () => Object.assign(s, { from: null, to: [], data: null });
  const endData = () => {
    const msg = { from: s.from, to: s.to, data: s.data.join("\r\n"), errors: s.errors };
    reset();
    if (failFirst > 0) {
      failFirst--;
      return reply("451 4.3.0 try again later");
    }
    process.stdout.write(`${JSON.stringify(msg)}\n`);
    reply("250 2.0.0 queued");
  };
  const fault = (code, text) => {
    s.errors.push(text);
    reply(`${code} ${text}`);
  };
  const command = (line) => {
    const verb = line.slice(0, 4).toUpperCase();
    const arg = line.slice(4).trim();
    if (verb === "EHLO" || verb === "HELO") {
      s.helo = true;
      reset();
      return reply(verb === "EHLO" ? "250-localhost\r\n250-8BITMIME\r\n250 SMTPUTF8" : "250 localhost");
    }
    if (verb === "QUIT") return socket.end("221 2.0.0 bye\r\n");
    if (verb === "NOOP") return reply("250 2.0.0 ok");
    if (verb === "RSET") return (reset(), reply("250 2.0.0 ok"));
    if (!s.helo) return fault(503, "5.5.1 EHLO first");
    if (verb === "MAIL") {
      const m = /^FROM:\s*<([^>]*)>/i.exec(arg);
      if (!m) return fault(501, "5.5.4 MAIL FROM:<address>");
      s.from = m[1];
      return reply("250 2.1.0 ok");
    }
    if (verb === "RCPT") {
      if (s.from === null) return fault(503, "5.5.1 MAIL first");
      const m = /^TO:\s*<([^>]+)>/i.exec(arg);
      if (!m) return fault(501, "5.5.4 RCPT TO:<address>");
      s.to.push(m[1]);
      return reply("250 2.1.5 ok");
    }
    if (verb === "DATA") {
      if (!s.to.length) return fault(503, "5.5.1 RCPT first");
      s.data = [];
      return reply("354 end data with <CR><LF>.<CR><LF>");
    }
    fault(500, `5.5.2 unknown command ${verb}`);
  };
  let buffer = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk) => {
    buffer += chunk;
    let i;
    while ((i = buffer.indexOf("\r\n")) >= 0) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 2);
      if (s.data === null) command(line);
      else if (line === ".") endData();
      else s.data.push(line.startsWith("..") ? line.slice(1) : line);
    }
  });
  socket.on("error", () => undefined);
  reply("220 localhost ESMTP ledgerline-test");
}

const server = net.createServer(session);
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => server.close(() => process.exit(0)));
