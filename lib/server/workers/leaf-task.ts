// A verifier's batch, done in a worker thread (pool.ts): read entries from+1..to
// from a read connection of the worker's own, recompute each leaf hash from the
// columns (JCS + SHA-256; on SQLite the canonical text is built by SQLite,
// ledger/entry-sql.ts), and answer only what the scan needs — the seqs whose
// columns do not hash to their stored leaf hash, the counts the receipt checks
// need, and either the stored leaf hashes (32 bytes each, one buffer) or, for a
// batch on its own power-of-two boundary, that batch folded into its subtrees
// (foldBatch). Rows are never copied between threads: copying one costs about what
// hashing it does, which would leave nothing to gain. Free of server-only code.
import { bytesEqual, hasLoneSurrogate } from "@/lib/core/index.ts";
import { hashLeafText, parentLevel } from "@/lib/node-hasher.ts";
import { canonicalEntryFromRow, type EntryRow } from "../ledger/entry-row.ts";
import { CANONICAL_ENTRY_SQL } from "../ledger/entry-sql.ts";

/** Where the worker reads from: the server's own store (config.database). */
export type StoreLocation = { dialect: "sqlite"; file: string } | { dialect: "postgres"; url: string };

/** The part of the server's database setting (config.database) a worker thread needs. */
export function storeOf(db: { dialect: "sqlite"; file: string } | { dialect: "postgres"; url: string }): StoreLocation {
  return db.dialect === "sqlite" ? { dialect: "sqlite", file: db.file } : { dialect: "postgres", url: db.url };
}

export type LeafInput = {
  store: StoreLocation;
  from: number;
  to: number;
  /**
   * Also fold the batch into its Merkle subtrees here (`from` must be a multiple of the largest
   * power of two not above `to - from`): `cuts` are the tree sizes inside from+1..to whose roots
   * the scan checks (checkpoints, a remembered size), `nodeStep` the levels the store keeps.
   */
  fold?: { cuts: number[]; nodeStep: number };
};

/** A perfect subtree of 2^level leaves by its hash. */
export type Subtree = { level: number; hash: Uint8Array };

/** A clean batch folded in the worker (LeafInput.fold): what the scan folds instead of its leaves. */
export type BatchTree = {
  /** The perfect subtrees of entries from+1..from+count, largest (leftmost) first. */
  subtrees: Subtree[];
  /** Every complete node of the batch at a level the store keeps: `hashes` are nodes first, first+1, … of `level`. */
  nodes: Array<{ level: number; first: number; hashes: Uint8Array }>;
  /** For each cut: the perfect subtrees of entries from+1..size. */
  cuts: Array<{ size: number; subtrees: Subtree[] }>;
};

export type LeafBatch = {
  /** Rows read in seq order from `from`+1 without a gap (fewer than asked: a gap or the end). */
  count: number;
  /** The stored leaf hash of each of them, 32 bytes apiece. */
  stored: Uint8Array;
  /** Seqs among them whose columns do not hash to the stored leaf hash (or cannot be read as an entry). */
  bad: number[];
  /** Asked for (LeafInput.fold) and the batch is whole and clean: its subtrees; `stored` is then empty. */
  tree?: BatchTree;
  /** Among the rows read: how many are pruned, and how many kept ones have commitments (the receipt checks' counts). */
  marks: Marks;
};

/** Rows the receipt checks after the scan must visit, as the scan counted them (retention/verify-receipts.ts). */
export type Marks = { pruned: number; committed: number };

/** What the scan needs of a stored entry: its seq, stored leaf hash, prune mark and canonical text (null: none can be built). */
type LeafRow = {
  seq: number;
  leaf_hash: Uint8Array;
  pruned_by: number | null;
  text: string | null;
  /** Whether it has a `personal` column (commitments, leaf v2). */
  committed: boolean;
};

/**
 * SQLite builds each entry's canonical text itself (ledger/entry-sql.ts) and answers it in raw
 * mode (arrays, no row objects): one string a row instead of seventeen. Read, canonicalize and
 * hash: 6.0–6.4 µs a row against 9.0 µs for reading the columns and canonicalizing them here
 * (issue 16). PostgreSQL rows are canonicalized here (canonicalEntryFromRow).
 */
const SQLITE_TEXT_SQL = `SELECT seq, ${CANONICAL_ENTRY_SQL}, leaf_hash, pruned_by, personal IS NOT NULL FROM entries WHERE seq > ? AND seq <= ? ORDER BY seq`;
type Cell = string | number | null | Uint8Array;

function canonicalOrNull(r: EntryRow): string | null {
  try {
    return canonicalEntryFromRow(r);
  } catch {
    return null;
  }
}

/**
 * The rows of one batch, one at a time. SQLite streams them (`iterate`): holding a batch of
 * 20 000 row objects at once pushed them all into the old generation, and the workers spent 40 %
 * of their time in the garbage collector (docs/performance.md). PostgreSQL answers a batch whole.
 */
async function openRows(
  store: StoreLocation,
  from: number,
  to: number,
): Promise<{ rows: Iterable<LeafRow>; close: () => Promise<void> }> {
  // Loaded on the first verification, not when a worker starts for ingest: a client
  // that cannot load fails this task (the scan then hashes on its own thread), never ingest.
  if (store.dialect === "sqlite") {
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(store.file, { readonly: true, fileMustExist: true });
    const raw = db.prepare(SQLITE_TEXT_SQL).raw(true).iterate(from, to) as IterableIterator<Cell[]>;
    const rows = (function* (): Generator<LeafRow> {
      for (const a of raw)
        yield {
          seq: a[0] as number,
          text: a[1] as string | null,
          leaf_hash: a[2] as Uint8Array,
          pruned_by: a[3] as number | null,
          committed: a[4] === 1,
        };
    })();
    return {
      rows,
      close: async () => {
        raw.return?.();
        db.close();
      },
    };
  }
  const { default: pg } = await import("pg");
  const c = new pg.Client({ connectionString: store.url });
  await c.connect();
  try {
    const r = await c.query<EntryRow>("SELECT * FROM entries WHERE seq > $1 AND seq <= $2 ORDER BY seq", [from, to]);
    const rows = r.rows.map((e): LeafRow => ({
      seq: Number(e.seq),
      leaf_hash: e.leaf_hash,
      pruned_by: e.pruned_by ?? null,
      text: e.pruned_by != null ? null : canonicalOrNull(e),
      committed: e.personal != null,
    }));
    return { rows, close: () => c.end() };
  } catch (e) {
    await c.end();
    throw e;
  }
}

/** The leaf hash of a row's canonical text; null for text UTF-8 cannot carry (a lone surrogate). */
function leafOf(text: string): Uint8Array | null {
  return hasLoneSurrogate(text) ? null : hashLeafText(text);
}

export async function hashStoredLeaves(input: LeafInput): Promise<LeafBatch> {
  const stored = new Uint8Array((input.to - input.from) * 32);
  const bad: number[] = [];
  const marks: Marks = { pruned: 0, committed: 0 };
  let count = 0;
  const { rows, close } = await openRows(input.store, input.from, input.to);
  try {
    for (const r of rows) {
      const seq = Number(r.seq);
      if (seq !== input.from + count + 1) break;
      const have = new Uint8Array(r.leaf_hash);
      if (have.length !== 32) bad.push(seq);
      else {
        stored.set(have, count * 32);
        // Pruned bodies are accepted here and their receipts checked after the scan (retention/verify-pruned.ts).
        const leaf = r.pruned_by != null ? have : r.text === null ? null : leafOf(r.text);
        if (!leaf || !bytesEqual(leaf, have)) bad.push(seq);
      }
      if (r.pruned_by != null) marks.pruned++;
      else if (r.committed) marks.committed++;
      count++;
    }
  } finally {
    await close();
  }
  const leaves = stored.subarray(0, count * 32);
  if (input.fold && !bad.length && count === input.to - input.from)
    return { count, stored: new Uint8Array(0), bad, tree: foldBatch(leaves, input.from, input.fold), marks };
  return { count, stored: leaves, bad, marks };
}

/**
 * The Merkle levels of a batch, bottom up (each level a flat run of 32-byte hashes: the complete
 * nodes only), and from them its subtrees, its stored nodes and the subtrees of each cut. A node
 * costs one native SHA-256 over one scratch buffer (node-hasher.ts parentLevel): cheaper than
 * the leaf-by-leaf CompactRange the scan's own thread would run, and on every core.
 */
function foldBatch(leaves: Uint8Array, from: number, fold: { cuts: number[]; nodeStep: number }): BatchTree {
  const count = leaves.length / 32;
  const levels: Uint8Array[] = [leaves];
  while (levels.at(-1)!.length >= 64) levels.push(parentLevel(levels.at(-1)!));
  const top = levels.length - 1; // the largest subtree: 2^top ≤ count
  if (from % 2 ** top !== 0) throw new Error(`a batch of ${count} from ${from} is not on a 2^${top} boundary`);
  const prefix = (n: number): Subtree[] => {
    const out: Subtree[] = [];
    let offset = 0;
    for (let j = levels.length - 1; j >= 0; j--) {
      const width = 2 ** j;
      if (n - offset < width) continue;
      const i = offset / width;
      out.push({ level: j, hash: levels[j]!.slice(i * 32, i * 32 + 32) });
      offset += width;
    }
    return out;
  };
  const nodes: BatchTree["nodes"] = [];
  for (let j = fold.nodeStep; j < levels.length; j += fold.nodeStep)
    if (levels[j]!.length) nodes.push({ level: j, first: from / 2 ** j, hashes: levels[j]! });
  const cuts = fold.cuts
    .filter((c) => c > from && c <= from + count)
    .map((size) => ({ size, subtrees: prefix(size - from) }));
  return { subtrees: prefix(count), nodes, cuts };
}
