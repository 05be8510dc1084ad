import { tilePath, type Tile } from "@/lib/core/tlog/index.ts";

// HTTP for the monitor: the checkpoint and tiles of a tlog-tiles log, with a read token for
// entry bundles. Transient failures (connection errors, 5xx, 429) are retried a few times;
// a 404/410 for a tile the signed tree needs is the log withholding data (truncation), a
// 401/403 is a credentials problem — each its own error, so the monitor can name it.

export class Unreachable extends Error {}
export class Withheld extends Error {
  constructor(
    readonly tile: Tile,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
export class AccessRefused extends Error {}

export type FetchStats = { requests: number; bytes: number; tiles: number; bundles: number };

const ATTEMPTS = 4;
const TIMEOUT_MS = 30_000;

export class TileClient {
  readonly stats: FetchStats = { requests: 0, bytes: 0, tiles: 0, bundles: 0 };

  constructor(
    readonly prefix: string,
    private readonly token: string | undefined,
    private readonly signal?: AbortSignal,
  ) {}

  private async get(path: string, auth: boolean): Promise<Response> {
    let last: unknown;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      try {
        const res = await fetch(`${this.prefix}/${path}`, {
          headers: {
            "accept-encoding": "gzip, identity",
            ...(auth && this.token ? { authorization: `Bearer ${this.token}` } : {}),
          },
          cache: "no-store",
          signal: this.signal
            ? AbortSignal.any([this.signal, AbortSignal.timeout(TIMEOUT_MS)])
            : AbortSignal.timeout(TIMEOUT_MS),
        });
        this.stats.requests++;
        if (res.status >= 500 || res.status === 429) {
          last = new Unreachable(`${path}: HTTP ${res.status}`);
          await res.arrayBuffer().catch(() => undefined);
          const wait = Number(res.headers.get("retry-after")) || attempt;
          if (attempt < ATTEMPTS) await sleep(Math.min(wait, 10) * 1000, this.signal);
          continue;
        }
        return res;
      } catch (e) {
        if (this.signal?.aborted) throw e;
        last = e;
        if (attempt < ATTEMPTS) await sleep(attempt * 500, this.signal);
      }
    }
    throw last instanceof Unreachable
      ? last
      : new Unreachable(`${this.prefix}/${path}: ${(last as Error)?.message ?? "unreachable"}${causeOf(last)}`);
  }

  /** The signed checkpoint note. */
  async checkpoint(): Promise<string> {
    const res = await this.get("checkpoint", false);
    const text = await res.text();
    if (res.status === 404) {
      throw new Unreachable(
        `${this.prefix}/checkpoint: 404 — is --url the log's tiles prefix (e.g. https://ledgerline.example.org/tlog)? ${text.slice(0, 200)}`,
      );
    }
    if (res.status !== 200)
      throw new Unreachable(`${this.prefix}/checkpoint: HTTP ${res.status} ${text.slice(0, 200)}`);
    this.stats.bytes += text.length;
    return text;
  }

  /** A tile's bytes, exactly as served (the caller checks length and content). */
  async tile(t: Tile): Promise<Uint8Array> {
    const path = tilePath(t);
    const entries = t.level === "entries";
    const res = await this.get(path, entries);
    const body = new Uint8Array(await res.arrayBuffer());
    if (res.status === 401 || res.status === 403) {
      throw new AccessRefused(
        `${path}: HTTP ${res.status} — ${entries ? "the read token was refused (check --token, or run without it to skip entry checks)" : "the log refuses public tiles"}`,
      );
    }
    if (res.status !== 200) {
      throw new Withheld(
        t,
        res.status,
        `${path}: HTTP ${res.status} ${new TextDecoder().decode(body.subarray(0, 300))}`,
      );
    }
    this.stats.bytes += body.length;
    if (entries) this.stats.bundles++;
    else this.stats.tiles++;
    return body;
  }
}

function causeOf(e: unknown): string {
  const c = (e as { cause?: { code?: string; message?: string } })?.cause;
  return c ? ` (${c.code ?? c.message ?? ""})` : "";
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => {
      clearTimeout(t);
      resolve();
    });
  });
}
