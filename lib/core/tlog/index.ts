// C2SP transparency-log formats beyond the checkpoint: tlog-tiles, tlog-cosignature,
// tlog-witness and tlog-policy. Pure: the server, the witness and the monitor share it.
export * from "./tile.ts";
export * from "./tile-reader.ts";
export * from "./entry-bundle.ts";
export * from "./cosignature.ts";
export * from "./witness-protocol.ts";
export * from "./policy.ts";
