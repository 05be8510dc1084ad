import "server-only";

/** A build failure whose message tells the user what happened and what to do. */
export class BundleBuildError extends Error {}
