// What a driver is (driver.ts opens one): the interface both stores implement, and the
// few values the drivers share. A leaf module, so the drivers can import it.

export type Row = Record<string, unknown>;
export type Param = string | number | bigint | Uint8Array | null;

export interface SqlDriver {
  readonly dialect: "sqlite" | "postgres";
  all<T = Row>(sql: string, params?: Param[]): Promise<T[]>;
  get<T = Row>(sql: string, params?: Param[]): Promise<T | undefined>;
  run(sql: string, params?: Param[]): Promise<number>;
  /** Runs a multi-statement script as written (PostgreSQL: simple-query protocol, so $$ bodies survive). */
  exec(script: string): Promise<void>;
  /**
   * Inserts rows of equal shape (SQLite: one cached single-row statement per row; PostgreSQL: one
   * unnested statement). `onConflict`, an `ON CONFLICT …` clause, makes it an upsert: the rows'
   * conflict keys must then be distinct.
   */
  insertMany(table: string, columns: string[], rows: Param[][], onConflict?: string): Promise<void>;
  /**
   * Runs fn in one transaction holding the database-wide writer lock
   * (SQLite: BEGIN IMMEDIATE; PostgreSQL: pg_advisory_xact_lock), commits when
   * fn resolves, rolls back when it throws.
   */
  writeTransaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T>;
  /**
   * writeTransaction for a plan: an fn that makes all its reads before its first write, and
   * whose writes follow from what it read and from nothing else (the sequencer's group
   * commit). SQLite with a writer thread: fn runs on the reader connection with its writes
   * recorded, and the writer thread commits them after reading everything again under the
   * lock (db/write-batch.ts); if an answer changed meanwhile, or fn reads after writing
   * (NeedsTransaction), fn runs again inside writeTransaction. So fn may run twice, and
   * `run` answers NaN inside a plan: fn must not use its count. Elsewhere: writeTransaction.
   */
  plannedWrite<T>(fn: (tx: SqlDriver) => Promise<T>, opts?: PlanOptions): Promise<T>;
  /**
   * Only inside a plan (plannedWrite on SQLite with a writer thread): a read whose answer the
   * caller knows without reading — what a batch still being committed will have written. The
   * writer thread reads it under the lock like any other and commits only if it answers `rows`.
   */
  expect?(sql: string, params: Param[], rows: Row[]): void;
  close(): Promise<void>;
}

export type PlanOptions = {
  /**
   * The batch (its id, from `sent`) this plan is made on top of while that one is still being
   * committed: its reads do not see that batch's writes, so the caller states them with
   * `expect`; it commits only if that batch committed, just before it.
   */
  after?: number;
  /** Called once the plan is made: with its batch's id when sent to the writer thread, else null. */
  sent?: (batch: number | null) => void;
};

/** A plan read after it wrote (plannedWrite): it is done again inside a transaction. */
export class NeedsTransaction extends Error {
  constructor() {
    super("this plan reads after it writes: it runs inside a transaction");
  }
}

export type DriverOptions = {
  /** SQLite: commit plannedWrite's batches on a writer thread of their own (db/writer-thread.ts). */
  writerThread?: boolean;
  log?: (m: string) => void;
};

/** pg_advisory_xact_lock key of the single sequencer ("LEDG" in ASCII). */
export const WRITER_LOCK_KEY = 0x4c454447;
