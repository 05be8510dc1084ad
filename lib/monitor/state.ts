import fs from "node:fs";
import path from "node:path";
import type { KeyChain, RotationSeen } from "./keys.ts";

// What a monitor remembers between runs, in its own directory, crash-safe: a small JSON
// document replaced atomically (write a temporary file, fsync it, rename it over the old
// one, fsync the directory), and an append-only file of the SHA-256 of every full level-0
// tile it verified, so a later run can tell that history it already saw was rewritten.
// A crash at any point leaves either the old or the new state, never a mix: digests
// appended beyond what state.json counts are cut off at the next load.

export const STATE_VERSION = 1;

export type MonitorState = {
  version: typeof STATE_VERSION;
  /** Tiles prefix and log this state belongs to. */
  url: string;
  origin: string;
  logKey: string;
  /** The last checkpoint verified: its size and root, the tree's right edge at that size, the signed note. */
  size: number;
  root: string;
  frontier: string[];
  checkpoint: string;
  /** Leaves whose entry bytes were downloaded and hashed (with a read token), from 0. */
  entriesVerified: number;
  /** Digests of full level-0 tiles 0..fullTiles-1 are in tiles.sha256. */
  fullTiles: number;
  /** The partial level-0 tile of `size`, if any: its width and the SHA-256 of its bytes. */
  partial: { index: number; width: number; digest: string } | null;
  /** Where the next run's re-check of old tiles starts. */
  recheckCursor: number;
  verifiedAt: string;
  /**
   * The log keys trusted, oldest first (the pinned --key, then each key a rotation statement
   * signed by its predecessor named); the last one must sign. Absent in states saved before
   * rotations were followed: the pinned key alone.
   */
  keyChain?: KeyChain;
  /** Rotation statements found in verified entries, not yet used (the new key has not signed yet). */
  rotations?: RotationSeen[];
};

const STATE_FILE = "state.json";
const DIGESTS_FILE = "tiles.sha256";
const LOCK_FILE = "monitor.lock";
const DIGEST_SIZE = 32;

export class StateError extends Error {}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the rename itself is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

export class StateDir {
  readonly dir: string;
  private lockHeld = false;

  constructor(dir: string) {
    this.dir = path.resolve(dir);
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
  }

  /** One monitor per state directory: refuses while another live process holds the lock. */
  lock(): void {
    const file = path.join(this.dir, LOCK_FILE);
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        fs.writeFileSync(file, `${process.pid}\n`, { flag: "wx", mode: 0o600 });
        this.lockHeld = true;
        return;
      } catch (e) {
        if ((e as { code?: string }).code !== "EEXIST") throw e;
        const pid = Number(fs.readFileSync(file, "utf8").trim());
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && alive(pid)) {
          throw new StateError(`another monitor (pid ${pid}) is using ${this.dir}; stop it or use another --state`);
        }
        fs.rmSync(file, { force: true }); // left by a monitor that crashed
      }
    }
    throw new StateError(`could not lock ${this.dir}`);
  }

  unlock(): void {
    if (this.lockHeld) fs.rmSync(path.join(this.dir, LOCK_FILE), { force: true });
    this.lockHeld = false;
  }

  /** The saved state and the tile digests it counts, or null on a first run. */
  load(): { state: MonitorState; digests: Uint8Array[] } | null {
    const file = path.join(this.dir, STATE_FILE);
    if (!fs.existsSync(file)) return null;
    let state: MonitorState;
    try {
      state = JSON.parse(fs.readFileSync(file, "utf8")) as MonitorState;
    } catch (e) {
      throw new StateError(
        `${file} is not valid JSON (${(e as Error).message}); move the directory aside to start over`,
      );
    }
    if (state.version !== STATE_VERSION)
      throw new StateError(`${file} has version ${state.version}, expected ${STATE_VERSION}`);
    const digestsFile = path.join(this.dir, DIGESTS_FILE);
    const bytes = fs.existsSync(digestsFile) ? fs.readFileSync(digestsFile) : Buffer.alloc(0);
    const want = state.fullTiles * DIGEST_SIZE;
    if (bytes.length < want) {
      throw new StateError(
        `${digestsFile} holds ${Math.floor(bytes.length / DIGEST_SIZE)} tile digests, state.json counts ${state.fullTiles}: the state directory was damaged`,
      );
    }
    if (bytes.length > want) fs.truncateSync(digestsFile, want); // appended by a run that crashed before saving
    const digests: Uint8Array[] = [];
    for (let i = 0; i < state.fullTiles; i++)
      digests.push(new Uint8Array(bytes.subarray(i * DIGEST_SIZE, (i + 1) * DIGEST_SIZE)));
    return { state, digests };
  }

  /** Appends digests of newly verified full tiles (durable before the state that counts them). */
  appendDigests(digests: Uint8Array[], after: number): void {
    if (!digests.length) return;
    const file = path.join(this.dir, DIGESTS_FILE);
    const fd = fs.openSync(file, "a+", 0o600);
    try {
      // Cut anything beyond what the saved state counts, then append.
      fs.ftruncateSync(fd, after * DIGEST_SIZE);
      fs.writeSync(fd, Buffer.concat(digests.map((d) => Buffer.from(d))), null);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Replaces state.json atomically and durably. */
  save(state: MonitorState): void {
    const file = path.join(this.dir, STATE_FILE);
    const tmp = `${file}.tmp-${process.pid}`;
    const fd = fs.openSync(tmp, "w", 0o600);
    try {
      fs.writeSync(fd, JSON.stringify(state, null, 1));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
    fsyncDir(this.dir);
  }

  /** Keeps what proves a problem (the signed checkpoints involved) for whoever investigates. */
  saveEvidence(kind: string, text: string): string {
    const dir = path.join(this.dir, "evidence");
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, "-")}-${kind}.txt`);
    fs.writeFileSync(file, text, { mode: 0o600 });
    return file;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM";
  }
}
