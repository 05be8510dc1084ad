import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "./free-port.ts";

// Debian's rsyslogd as a real syslog receiver for the SIEM tests: one TCP input (plain,
// or TLS through the gtls driver with a throwaway CA made by openssl), every message
// written to a file in RFC 5424 form. Runs in the foreground (-n) from its own config,
// work and pid files in a temp dir, so it never touches the machine's syslog.

export const RSYSLOGD = "/usr/sbin/rsyslogd";

export type Rsyslog = { port: number; file: string; ca?: string; proc: ChildProcess; stop(): Promise<void> };

/** A CA and a server certificate for 127.0.0.1 / localhost, made with openssl. */
function makeCerts(dir: string): { ca: string; cert: string; key: string } {
  const run = (args: string[]) => {
    const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
  };
  run([
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-days",
    "2",
    "-subj",
    "/CN=Ledgerline test CA",
    "-keyout",
    "ca.key",
    "-out",
    "ca.pem",
  ]);
  run([
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:P-256",
    "-nodes",
    "-subj",
    "/CN=localhost",
    "-keyout",
    "server.key",
    "-out",
    "server.csr",
  ]);
  fs.writeFileSync(path.join(dir, "ext.cnf"), "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
  run([
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.pem",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    "2",
    "-extfile",
    "ext.cnf",
    "-out",
    "server.pem",
  ]);
  return { ca: path.join(dir, "ca.pem"), cert: path.join(dir, "server.pem"), key: path.join(dir, "server.key") };
}

function config(dir: string, port: number, file: string, certs: ReturnType<typeof makeCerts> | null): string {
  const tls = certs
    ? `global(DefaultNetstreamDriver="gtls" DefaultNetstreamDriverCAFile="${certs.ca}"
  DefaultNetstreamDriverCertFile="${certs.cert}" DefaultNetstreamDriverKeyFile="${certs.key}")
module(load="imtcp" StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon")`
    : `module(load="imtcp")`;
  return `global(workDirectory="${dir}")
${tls}
input(type="imtcp" port="${port}" address="127.0.0.1" SupportOctetCountedFraming="on")
template(name="rfc5424" type="string" string="%rawmsg%\\n")
action(type="omfile" file="${file}" template="rfc5424")
`;
}

async function listening(port: number, proc: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`rsyslogd exited ${proc.exitCode}: ${log()}`);
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: "127.0.0.1", port }, () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`rsyslogd did not listen on ${port}: ${log()}`);
}

export async function startRsyslog(o: { tls: boolean }): Promise<Rsyslog> {
  if (!fs.existsSync(RSYSLOGD)) throw new Error(`${RSYSLOGD} missing: apt-get install rsyslog rsyslog-gnutls`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ledgerline-rsyslog-"));
  const port = await freePort();
  const file = path.join(dir, "received.log");
  const certs = o.tls ? makeCerts(dir) : null;
  const conf = path.join(dir, "rsyslog.conf");
  fs.writeFileSync(conf, config(dir, port, file, certs));
  const out: string[] = [];
  const proc = spawn(RSYSLOGD, ["-n", "-f", conf, "-i", path.join(dir, "rsyslogd.pid")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout!.on("data", (b: Buffer) => out.push(b.toString()));
  proc.stderr!.on("data", (b: Buffer) => out.push(b.toString()));
  await listening(port, proc, () => out.join(""));
  const stop = async () => {
    if (proc.exitCode !== null) return;
    proc.kill("SIGTERM");
    await new Promise((r) => proc.once("exit", r));
  };
  return { port, file, ...(certs ? { ca: fs.readFileSync(certs.ca, "utf8") } : {}), proc, stop };
}
