import type { BundleView } from "./types.ts";

// queued / building n of N / ready (download) / failed (why, and what to do).
export function BundleStatus({ b }: { b: BundleView }) {
  const { done, total } = b.progress;
  switch (b.status) {
    case "queued":
      return (
        <span className="badge" data-testid="bundle-status" data-status="queued">
          queued
        </span>
      );
    case "building":
      return (
        <span className="bundle-building" data-testid="bundle-status" data-status="building">
          <progress max={Math.max(total, 1)} value={done} /> building {done.toLocaleString("en-US")} of{" "}
          {total.toLocaleString("en-US")}
        </span>
      );
    case "ready":
      return (
        <span className="inline" data-testid="bundle-status" data-status="ready">
          <span className="badge ok">ready</span>
          <a className="btn small" href={b.downloadUrl!} download data-testid="bundle-download">
            Download
          </a>
        </span>
      );
    case "failed":
      return (
        <span className="stack bundle-failed" data-testid="bundle-status" data-status="failed">
          <span className="badge bad">failed</span>
          <span className="bad small">{b.error}</span>
        </span>
      );
  }
}
