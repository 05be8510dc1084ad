import "server-only";
import { checkCosignatures, quorumSatisfied } from "@/lib/core/tlog/index.ts";
import type { SqlDriver } from "../db/driver.ts";
import type { WitnessAlert } from "../integrity/alerts.ts";
import { latestCheckpointRow } from "../ledger/store/checkpoints.ts";
import type { Cosigner } from "./cosigner.ts";
import { latestCosignedCheckpoint } from "./served.ts";
import type { WitnessConfig } from "./config.ts";

// The witnesses as the integrity page and GET /api/v1/integrity show them: per witness its
// key, last cosigned size and time, lag, last error and the alerts this process raised; and
// whether the latest checkpoint's stored cosignatures — re-verified here, not trusted from
// the table — reach the configured quorum. Unchecked read: integrity/status.ts calls it for
// the use cases of the integrity feature.

export type WitnessRow = {
  name: string;
  vkey: string;
  url: string | null;
  lastCosignedSize: number | null;
  /** The witness's own timestamp on its latest cosignature (ISO). */
  lastCosignedAt: string | null;
  lagEntries: number;
  /** Seconds since the oldest checkpoint it has not cosigned was signed; 0 when up to date. */
  lagSeconds: number | null;
  lastAttemptAt: string | null;
  lastError: { at: string; message: string } | null;
  alerts: WitnessAlert[];
};

export type WitnessStatus = {
  configured: boolean;
  source: WitnessConfig["source"] | null;
  /** The policy's quorum rule: a witness or group name, or "none". */
  quorum: string | null;
  alertAfterSeconds: number | null;
  latest: { treeSize: number; createdAt: string; cosignedBy: string[]; quorumReached: boolean } | null;
  witnesses: WitnessRow[];
  /** Every witness's alerts of this process, newest first. */
  alerts: WitnessAlert[];
};

export async function getWitnessStatus(
  rt: { db: SqlDriver; config: { witnesses: WitnessConfig | null } },
  cosigner: Cosigner | undefined,
): Promise<WitnessStatus> {
  const config = rt.config.witnesses;
  if (!config || !cosigner) {
    return {
      configured: false,
      source: null,
      quorum: null,
      alertAfterSeconds: null,
      latest: null,
      witnesses: [],
      alerts: [],
    };
  }
  await cosigner.load();
  const [served, cp] = await Promise.all([latestCosignedCheckpoint(rt.db), latestCheckpointRow(rt.db)]);
  let latest: WitnessStatus["latest"] = null;
  if (served) {
    const valid = checkCosignatures(
      served.note,
      config.witnesses.map((w) => w.cosigner),
    ).valid.map((v) => v.name);
    const labels = new Set(config.witnesses.filter((w) => valid.includes(w.cosigner.name)).map((w) => w.label));
    latest = {
      treeSize: served.treeSize,
      createdAt: served.createdAt,
      cosignedBy: [...labels],
      quorumReached: quorumSatisfied(config.policy, labels),
    };
  }
  const witnesses: WitnessRow[] = [];
  for (const w of cosigner.witnesses) {
    const lag = cp ? await cosigner.lagOf(w, cp) : { entries: 0, seconds: 0 };
    witnesses.push({
      name: w.endpoint.label,
      vkey: w.endpoint.vkey,
      url: w.endpoint.url,
      lastCosignedSize: w.lastCosigned?.treeSize ?? null,
      lastCosignedAt: w.lastCosigned ? new Date(w.lastCosigned.cosignedAt * 1000).toISOString() : null,
      lagEntries: lag.entries,
      lagSeconds: lag.seconds,
      lastAttemptAt: w.lastAttemptAt,
      lastError: w.lastError,
      alerts: w.alerts,
    });
  }
  return {
    configured: true,
    source: config.source,
    quorum: config.policy.quorum,
    alertAfterSeconds: Math.round(config.alertAfterMs / 1000),
    latest,
    witnesses,
    alerts: witnesses.flatMap((w) => w.alerts).sort((a, b) => b.detectedAt.localeCompare(a.detectedAt)),
  };
}
