import "server-only";
import os from "node:os";
import nodemailer from "nodemailer";
import {
  alertEmail,
  alertSyslogMessage,
  slackBody,
  webhookBody,
  type AlertNotice,
} from "@/lib/core/alerts/messages.ts";
import { octetFrame } from "@/lib/core/siem/wire.ts";
import { WEBHOOK_KEY_ID_HEADER, WEBHOOK_SIGNATURE_HEADER, signWebhookBody } from "@/lib/core/webhook-signature.ts";
import type { AlertChannel } from "@/lib/schemas/alerts.ts";
import type { SigningKey } from "../ledger/signing.ts";
import { writeSyslogFrames } from "../siem/transport.ts";

// Sends one notice to one channel; throws with a message a person can act on. Retries
// and their back-off are the deliverer's (./engine.ts).

export const CHANNEL_TIMEOUT_MS = 10_000;

export type ChannelDeps = {
  signingKey: () => Promise<Pick<SigningKey, "seed" | "keyIdHex">>;
  smtpUrl: string | undefined;
  from: string;
};

async function post(url: string, body: string, headers: Record<string, string>): Promise<void> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    signal: AbortSignal.timeout(CHANNEL_TIMEOUT_MS),
  }).catch((e: unknown) => {
    const cause = (e as Error).cause as { code?: string } | undefined;
    throw new Error(`${url} unreachable: ${cause?.code ?? (e as Error).message}`);
  });
  const text = await res.text().catch(() => "");
  if (!res.ok) throw new Error(`${url} answered ${res.status}: ${text.slice(0, 300)}`);
}

async function sendEmail(c: Extract<AlertChannel, { kind: "email" }>, n: AlertNotice, deps: ChannelDeps) {
  if (!deps.smtpUrl)
    throw new Error("no SMTP relay: set LEDGERLINE_SMTP_URL (smtp://host:port) on the server, then retry");
  const transport = nodemailer.createTransport(deps.smtpUrl, {
    connectionTimeout: CHANNEL_TIMEOUT_MS,
    greetingTimeout: CHANNEL_TIMEOUT_MS,
    socketTimeout: CHANNEL_TIMEOUT_MS,
  });
  try {
    const { subject, text } = alertEmail(n);
    await transport.sendMail({ from: deps.from, to: c.to, subject, text });
  } finally {
    transport.close();
  }
}

export async function sendToChannel(c: AlertChannel, n: AlertNotice, deps: ChannelDeps): Promise<void> {
  switch (c.kind) {
    case "webhook": {
      const body = webhookBody(n);
      const key = await deps.signingKey();
      return post(c.url, body, {
        [WEBHOOK_KEY_ID_HEADER]: key.keyIdHex,
        [WEBHOOK_SIGNATURE_HEADER]: signWebhookBody(body, key.seed),
      });
    }
    case "slack":
      return post(c.url, slackBody(n), {});
    case "syslog":
      return writeSyslogFrames(c.address, c.tls, c.ca, [octetFrame(alertSyslogMessage(n, { host: os.hostname() }))]);
    case "email":
      return sendEmail(c, n, deps);
  }
}
