import "server-only";
import { parseTilePath, TILE_WIDTH, type Tile } from "@/lib/core/tlog/index.ts";
import { assertCan, type Principal } from "../auth/principal.ts";
import { AppError } from "../errors.ts";
import type { ApiDeps } from "../http/endpoint.ts";
import { route } from "../http/problem.ts";
import type { Ledger } from "../ledger/ledger.ts";
import { latestCosignedCheckpoint } from "../cosigning/served.ts";
import { EntryReadAudit } from "./read-audit.ts";
import { TileGapError, latestSignedCheckpoint, readEntryBundle, readHashTile, tileInTree } from "./tiles.ts";

// The C2SP tlog-tiles read API under /tlog/ (https://c2sp.org/tlog-tiles §APIs):
//   /tlog/checkpoint                        the latest signed checkpoint with its witness
//                                           cosignature lines (public)
//   /tlog/tile/<L>/<N>[.p/<W>]              Merkle tree hash tiles (public)
//   /tlog/tile/entries/<N>[.p/<W>]          entry bundles (read token or session, unless
//                                           LEDGERLINE_TILES_PUBLIC=1)
// Mounted by lib/server/http/api.ts (app/tlog/[[...path]]/route.ts is one line) from the
// same dependencies as /api/v1, so integration tests run exactly this code on their own
// stores. Not an `endpoint`: most of it is public, and only entry bundles ask for a caller.

/** §Merkle Tree / §Log entries: "This endpoint is immutable, so its caching headers SHOULD be long-lived." */
const IMMUTABLE = "public, max-age=31536000, immutable";
/** An authorised read may be kept by the reader's own cache, never by a shared one. */
const IMMUTABLE_PRIVATE = "private, max-age=31536000, immutable";
/** §Checkpoints: mutable, "SHOULD prevent caching beyond a few seconds"; partial tiles are replaced by full ones. */
const NO_STORE = "no-store";

const USAGE =
  "The tiles API serves checkpoint, tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>] (c2sp.org/tlog-tiles).";

export type TlogRouteOptions = { audit?: EntryReadAudit };

export function tlogRoutes(deps: ApiDeps, opts: TlogRouteOptions = {}) {
  return {
    // GET /tlog/<path> — checkpoint, hash tiles and entry bundles per C2SP tlog-tiles.
    get: route<{ params: Promise<{ path?: string[] }> }>(async (req, { requestId, params }) => {
      const path = ((await params).path ?? []).join("/");
      const ledger = await deps.runtime();
      const audit = opts.audit ?? ledger.tlogReads;
      if (path === "checkpoint") {
        const cp = await latestCosignedCheckpoint(ledger.db);
        if (!cp)
          throw new AppError("not_found", "No checkpoint has been signed yet: the log is empty. Send an event first.");
        return new Response(cp.note, {
          headers: {
            "content-type": "text/plain; charset=utf-8",
            "cache-control": NO_STORE,
            "x-request-id": requestId,
          },
        });
      }
      if (!path.startsWith("tile/"))
        throw new AppError("not_found", `No resource /tlog/${path.slice(0, 80)}. ${USAGE}`);
      const parsed = parseTilePath(path);
      if (!parsed.ok) {
        throw new AppError("bad_request", `Bad tile path /tlog/${path.slice(0, 120)}: ${parsed.reason}. ${USAGE}`, {
          errors: [{ parameter: "path", detail: parsed.reason }],
        });
      }
      const tile = parsed.tile;
      let principal: Principal | null = null;
      if (tile.level === "entries" && !ledger.config.tilesPublic) {
        principal = await deps.principal(req);
        assertCan(principal, "events:read");
      }
      const cp = await latestSignedCheckpoint(ledger.db);
      if (!cp || !tileInTree(tile, cp.size)) {
        throw new AppError(
          "not_found",
          `/tlog/${path} is beyond the latest checkpoint (tree size ${cp?.size ?? 0}); fetch /tlog/checkpoint first and only the tiles it needs.`,
        );
      }
      const data = await readTile(ledger, tile);
      if (principal) await audit.record(ledger, principal, tile.index);
      const full = tile.width === TILE_WIDTH;
      return new Response(data, {
        headers: {
          "content-type": "application/octet-stream",
          "cache-control": !full ? NO_STORE : principal ? IMMUTABLE_PRIVATE : IMMUTABLE,
          ...(tile.level === "entries" && !ledger.config.tilesPublic ? { vary: "Authorization, Cookie" } : {}),
          "x-request-id": requestId,
        },
      });
    }),
  };
}

async function readTile(ledger: Ledger, tile: Tile): Promise<Uint8Array<ArrayBuffer>> {
  try {
    const bytes =
      tile.level === "entries"
        ? await readEntryBundle(ledger.db, tile.index, tile.width)
        : await readHashTile(ledger.db, tile.level, tile.index, tile.width);
    return new Uint8Array(bytes);
  } catch (e) {
    if (e instanceof TileGapError) {
      // The checkpoint covers rows the store no longer has: someone removed them. Say so.
      console.error(`[ledgerline] tlog tile ${JSON.stringify(tile)}: ${e.message}`);
      throw new AppError(
        "not_found",
        `The store is missing data this signed tree needs (${e.message}); run \`ledgerline verify-log\` on the server.`,
      );
    }
    throw e;
  }
}
