import Link from "next/link";

// HTTP 404 for /bundles/<an id no bundle has>.
export default function BundleNotFound() {
  return (
    <main>
      <section className="card stack" data-testid="bundle-not-found">
        <h1 className="page-title">No such bundle</h1>
        <p className="muted">
          No evidence bundle has this id. The list shows every bundle; ids are in the links there.
        </p>
        <p>
          <Link href="/bundles" className="btn small">
            All bundles
          </Link>
        </p>
      </section>
    </main>
  );
}
