// Public surface of the pure core: the offline verifier and the server both import from here.
export * from "./bytes.ts";
export * from "./canonical-json.ts";
export * from "./hash.ts";
export * from "./merkle.ts";
export * from "./note.ts";
export * from "./event-filter.ts";
export * from "./key-rotation.ts";
export * from "./entry-parts.ts";
export * from "./personal.ts";
