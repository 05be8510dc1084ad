import Link from "next/link";
import { SignOutButton } from "@/components/auth/sign-out-button.tsx";

export function TopBar({
  origin,
  links,
  email,
  role,
}: {
  origin: string;
  links: Array<{ href: string; label: string }>;
  email: string;
  role: string;
}) {
  return (
    <header className="topbar">
      <span className="brand">Ledgerline</span>
      <span className="muted mono">{origin}</span>
      <nav className="main" aria-label="Main">
        {links.map((l) => (
          <Link key={l.href} href={l.href}>
            {l.label}
          </Link>
        ))}
      </nav>
      <span className="who" data-testid="who">
        <span>{email}</span>
        <span className="badge" data-testid="role">
          {role}
        </span>
        <SignOutButton />
      </span>
    </header>
  );
}
