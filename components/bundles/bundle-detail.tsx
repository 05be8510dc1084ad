"use client";

import Link from "next/link";
import { CopyButton } from "@/components/ui/copy-button.tsx";
import { BundleStatus } from "./bundle-status.tsx";
import { describeFilter, eventsHref, formatBytes, utc } from "./describe.ts";
import { isFinal, type BundleView } from "./types.ts";
import { usePolled } from "./use-polled.ts";
import "./bundles.css";

function WitnessLine({ w }: { w: NonNullable<BundleView["witnesses"]> }) {
  const cosigned = w.list.filter((x) => x.cosigned).map((x) => x.name);
  const who = `${cosigned.length} of ${w.list.length} cosigned its checkpoint${cosigned.length ? ` (${cosigned.join(", ")})` : ""}`;
  if (w.quorumMet) return <span>{`${who}; quorum ${w.quorum} met`}</span>;
  return (
    <span className="bad">
      {`${who}: fewer than the quorum (${w.quorum}). A verifier pinning the witnesses will say "quorum not met". ` +
        "Create the bundle again in a minute, once the witnesses have cosigned a newer checkpoint."}
    </span>
  );
}

// One bundle, live until it is ready or failed, with how to check it once downloaded.
export function BundleDetail({ initial, verifierKey }: { initial: BundleView; verifierKey: string | null }) {
  const { value: b, error } = usePolled<BundleView>(`/api/v1/bundles/${initial.id}`, initial, (v) => !isFinal(v));
  const file = `ledgerline-bundle-${b.id}.zip`;
  return (
    <div className="stack" data-testid="bundle-detail">
      {error && <p className="muted small">{error}</p>}
      <section className="card stack">
        <h1 className="page-title">Evidence bundle</h1>
        <dl className="bundle-facts">
          <dt>status</dt>
          <dd>
            <BundleStatus b={b} />
            {b.status === "failed" && (
              <p className="small">
                Nothing was exported. Fix what the message says, then create the bundle again from the explorer.
              </p>
            )}
          </dd>
          <dt>selection</dt>
          <dd className="wrap-anywhere">
            <Link href={eventsHref(b.filter)} data-testid="bundle-selection">
              {describeFilter(b.filter)}
            </Link>
          </dd>
          <dt>personal fields</dt>
          <dd className="wrap-anywhere" data-testid="bundle-withheld">
            {b.withheld?.length
              ? `withheld: ${b.withheld.join(", ")} (commitments only; the manifest names them) — every other value disclosed`
              : "disclosed with their salts (erased values excepted)"}
          </dd>
          <dt>created</dt>
          <dd className="wrap-anywhere">
            {utc(b.createdAt)} by {b.createdBy}
          </dd>
          <dt>progress</dt>
          <dd data-testid="bundle-progress">
            {b.progress.done.toLocaleString("en-US")} of {b.progress.total.toLocaleString("en-US")} entries
          </dd>
          <dt>entries</dt>
          <dd data-testid="bundle-count">{b.count === null ? "—" : b.count.toLocaleString("en-US")}</dd>
          <dt>checkpoint</dt>
          <dd>{b.treeSize === null ? "—" : `tree size ${b.treeSize.toLocaleString("en-US")}`}</dd>
          {b.witnesses && (
            <>
              <dt>witnesses</dt>
              <dd data-testid="bundle-witnesses" data-quorum-met={b.witnesses.quorumMet ? "true" : "false"}>
                <WitnessLine w={b.witnesses} />
              </dd>
            </>
          )}
          <dt>size</dt>
          <dd>{formatBytes(b.size)}</dd>
          <dt>sha256</dt>
          <dd className="mono break" data-testid="bundle-sha256">
            {b.sha256 ?? "—"}
          </dd>
          <dt>finished</dt>
          <dd>{utc(b.finishedAt)}</dd>
        </dl>
      </section>
      {b.status === "ready" && (
        <section className="card stack">
          <h2>Check it</h2>
          <p className="muted">
            Anyone can check the ZIP offline; VERIFY.txt inside says the same. Or drop it on{" "}
            <Link href="/verify">Verify a bundle</Link> (checked in your browser).
          </p>
          <pre>{`unzip ${file} -d bundle && cd bundle
openssl pkeyutl -verify -pubin -inkey public-key.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig
sha256sum -c SHA256SUMS
npx ledgerline verify-bundle ${file}${verifierKey ? ` --key '${verifierKey}'` : ""}`}</pre>
          {verifierKey && <CopyButton value={verifierKey} label="Copy verifier key" />}
        </section>
      )}
    </div>
  );
}
