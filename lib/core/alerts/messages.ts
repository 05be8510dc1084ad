// The wire formats of alert deliveries (docs/alerts.md): the signed webhook's JSON, the
// Slack-compatible incoming-webhook body, the RFC 5424 syslog line and the email. Pure:
// the server builds a notice from an alert row and hands it to one of these.

/** What every channel tells about one alert event. */
export type AlertNotice = {
  type: "ledgerline.alert.fired" | "ledgerline.alert.acknowledged" | "ledgerline.alert.resolved";
  origin: string;
  alert: {
    id: string;
    ruleId: string;
    ruleName: string;
    /** The source of a silent-source alert, else "". */
    key: string;
    state: "firing" | "acknowledged" | "resolved";
    condition: string;
    summary: string;
    value: number;
    threshold: number;
    firedAt: string;
    /** The log entry that recorded the firing (provable like any entry). */
    firedSeq: number | null;
    acknowledgedBy: string | null;
    resolvedAt: string | null;
  };
  /** When this notice was made. */
  sentAt: string;
};

const VERB: Record<AlertNotice["type"], string> = {
  "ledgerline.alert.fired": "FIRING",
  "ledgerline.alert.acknowledged": "ACKNOWLEDGED",
  "ledgerline.alert.resolved": "RESOLVED",
};

/** One line a person reads first: `[FIRING] rule — summary`. */
export function noticeHeadline(n: AlertNotice): string {
  return `[${VERB[n.type]}] ${n.alert.ruleName}${n.alert.key ? ` (${n.alert.key})` : ""} — ${n.alert.summary}`;
}

/** The signed webhook's body: the notice as JSON (the signature covers these exact bytes). */
export function webhookBody(n: AlertNotice): string {
  return JSON.stringify(n);
}

// Slack's mrkdwn treats &, < and > as control characters.
const mrkdwn = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** Slack (and Mattermost, Rocket.Chat) incoming-webhook JSON: `text` for notifications, `blocks` for the message. */
export function slackBody(n: AlertNotice): string {
  const a = n.alert;
  const facts = [
    `*rule* ${mrkdwn(a.ruleName)}`,
    `*value* ${a.value}`,
    `*threshold* ${a.threshold}`,
    `*fired* ${a.firedAt}`,
    ...(a.firedSeq !== null ? [`*log entry* seq ${a.firedSeq}`] : []),
  ];
  return JSON.stringify({
    text: mrkdwn(noticeHeadline(n)),
    blocks: [
      { type: "section", text: { type: "mrkdwn", text: `*${mrkdwn(noticeHeadline(n))}*` } },
      { type: "section", fields: facts.map((text) => ({ type: "mrkdwn", text })) },
      { type: "context", elements: [{ type: "mrkdwn", text: `${mrkdwn(n.origin)} · alert ${a.id}` }] },
    ],
  });
}

const sdValue = (v: string | number) => String(v).replace(/["\\\]]/g, (c) => `\\${c}`);
const headerField = (v: string, max: number) => v.replace(/[^\x21-\x7e]/g, "_").slice(0, max) || "-";

/**
 * RFC 5424: facility security/authorization (4, as the SIEM stream's access records);
 * severity alert (1) when firing, notice (5) otherwise. MSGID `alert`; the structured
 * data names the rule and the alert; the message is the headline and the notice as JSON.
 */
export function alertSyslogMessage(n: AlertNotice, o: { host: string; pen?: number }): string {
  const pri = 4 * 8 + (n.type === "ledgerline.alert.fired" ? 1 : 5);
  const a = n.alert;
  const sd = `[ledgerline-alert@${o.pen ?? 32473} rule="${sdValue(a.ruleName)}" alertId="${a.id}" state="${a.state}" value="${a.value}" threshold="${a.threshold}"]`;
  const header = `<${pri}>1 ${n.sentAt} ${headerField(o.host, 255)} ledgerline - alert`;
  return `${header} ${sd} \uFEFF${noticeHeadline(n)} ${JSON.stringify(n)}`;
}

/** Subject and plain-text body of the email. */
export function alertEmail(n: AlertNotice): { subject: string; text: string } {
  const a = n.alert;
  const text = [
    noticeHeadline(n),
    "",
    `Rule:       ${a.ruleName} (${a.condition})`,
    `Value:      ${a.value} (threshold ${a.threshold})`,
    `Fired at:   ${a.firedAt}`,
    ...(a.firedSeq !== null ? [`Log entry:  seq ${a.firedSeq} in ${n.origin}`] : []),
    ...(a.acknowledgedBy ? [`Acknowledged by: ${a.acknowledgedBy}`] : []),
    ...(a.resolvedAt ? [`Resolved at: ${a.resolvedAt}`] : []),
    `Alert id:   ${a.id}`,
    "",
    "Every firing, acknowledgement and resolution is an entry of the log (source ledgerline:alerts).",
  ].join("\r\n");
  // ASCII subject (no encoded-word), one line; clients fold it as they like.
  const subject = `[Ledgerline] ${noticeHeadline(n)}`.replace(/\u2014/g, "-").replace(/[\r\n]+/g, " ");
  return { subject: subject.slice(0, 250), text };
}
