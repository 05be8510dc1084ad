import "server-only";
import net from "node:net";
import os from "node:os";
import tls from "node:tls";
import {
  elasticBulkBody,
  ndjsonBody,
  octetFrame,
  readBulkAnswer,
  splunkHecBody,
  syslogMessage,
} from "@/lib/core/siem/wire.ts";
import type { StreamRecord } from "@/lib/core/siem/record.ts";
import type { Destination } from "./store.ts";

// Sends one batch to one destination and says whether the destination took all of it.
// A batch is all or nothing for the cursor: on any error the whole batch is sent again
// later (at-least-once; Elastic's fixed `_id`s make its re-sends land once).

export const SEND_TIMEOUT_MS = 15_000;

export class DeliveryError extends Error {}

const hostOf = (d: Destination) => d.options.host ?? os.hostname();

async function post(d: Destination, body: string, headers: Record<string, string>): Promise<unknown> {
  const res = await fetch(d.url, {
    method: "POST",
    headers,
    body,
    signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
  }).catch((e: unknown) => {
    const cause = (e as Error).cause as { code?: string } | undefined;
    throw new DeliveryError(`${d.url} unreachable: ${cause?.code ?? (e as Error).message}`);
  });
  const text = await res.text();
  if (!res.ok) throw new DeliveryError(`${d.url} answered ${res.status}: ${text.slice(0, 300)}`);
  try {
    return text ? (JSON.parse(text) as unknown) : null;
  } catch {
    return text;
  }
}

async function sendHttp(d: Destination, records: StreamRecord[], logId: string): Promise<void> {
  if (d.kind === "splunk-hec") {
    const body = splunkHecBody(records, { format: d.format, host: hostOf(d), ...d.options });
    const answer = (await post(d, body, {
      "content-type": "application/json",
      ...(d.secret ? { authorization: `Splunk ${d.secret}` } : {}),
    })) as { code?: number; text?: string } | null;
    // HEC answers {"text":"Success","code":0}; any other code is a refusal.
    if (answer?.code !== 0) throw new DeliveryError(`HEC refused the batch: ${JSON.stringify(answer).slice(0, 300)}`);
    return;
  }
  if (d.kind === "elastic-bulk") {
    const body = elasticBulkBody(records, { format: d.format, index: d.options.index ?? "ledgerline", logId });
    const answer = await post(d, body, {
      "content-type": "application/x-ndjson",
      ...(d.secret ? { authorization: d.secret } : {}),
    });
    const failed = readBulkAnswer(records, answer).filter((i) => !i.ok);
    if (failed.length)
      throw new DeliveryError(
        `_bulk refused ${failed.length} of ${records.length}: seq ${failed[0]!.seq} ${failed[0]!.error}`,
      );
    return;
  }
  await post(d, ndjsonBody(records, d.format), {
    "content-type": "application/x-ndjson",
    ...(d.secret ? { authorization: d.secret } : {}),
  });
}

/** host:port of a syslog destination (`syslog://` / `tcp://` / `tls://` prefixes allowed). */
export function syslogAddress(url: string): { host: string; port: number } {
  const m = /^(?:[a-z]+:\/\/)?(\[[^\]]+\]|[^:/]+):(\d{1,5})\/?$/.exec(url.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535)
    throw new DeliveryError(`"${url}" is not host:port (e.g. siem.example:6514)`);
  return { host: m[1]!.replace(/^\[|\]$/g, ""), port: Number(m[2]) };
}

/**
 * One connection per batch: every message octet-counted (RFC 6587 / RFC 5425), then a
 * clean close. Syslog has no acknowledgement; a batch counts as delivered when the
 * receiver accepted the whole stream and closed without error.
 */
async function sendSyslog(d: Destination, records: StreamRecord[]): Promise<void> {
  const frames = records.map((r) =>
    octetFrame(
      syslogMessage(r, { format: d.format, host: hostOf(d), ...(d.options.pen ? { pen: d.options.pen } : {}) }),
    ),
  );
  await writeSyslogFrames(d.url, d.kind === "syslog-tls", d.options.ca, frames);
}

/** Writes octet-counted syslog frames over one TCP or TLS connection (also alert deliveries, lib/server/alerts). */
export async function writeSyslogFrames(
  url: string,
  useTls: boolean,
  ca: string | undefined,
  frames: Uint8Array[],
): Promise<void> {
  const { host, port } = syslogAddress(url);
  const socket = useTls
    ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ...(ca ? { ca } : {}) })
    : net.connect({ host, port });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => socket.destroy(new DeliveryError(`${url}: no answer in ${SEND_TIMEOUT_MS} ms`)),
      SEND_TIMEOUT_MS,
    );
    socket.once("error", (e) => {
      clearTimeout(timer);
      reject(
        e instanceof DeliveryError ? e : new DeliveryError(`${url}: ${(e as NodeJS.ErrnoException).code ?? e.message}`),
      );
    });
    socket.once(useTls ? "secureConnect" : "connect", () => {
      for (const f of frames) socket.write(f);
      socket.end();
    });
    socket.once("close", (hadError) => {
      clearTimeout(timer);
      if (!hadError) resolve();
    });
  });
}

export async function sendBatch(d: Destination, records: StreamRecord[], logId: string): Promise<void> {
  if (d.kind === "syslog-tcp" || d.kind === "syslog-tls") return sendSyslog(d, records);
  return sendHttp(d, records, logId);
}
