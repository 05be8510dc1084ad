export function TopBar({ origin }: { origin: string }) {
  return (
    <header className="topbar">
      <span className="brand">Ledgerline</span>
      <span className="muted mono">{origin}</span>
    </header>
  );
}
