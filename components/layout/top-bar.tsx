"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { useCallback, useRef, useState } from "react";
import { SignOutButton } from "@/components/auth/sign-out-button.tsx";
import { useDismiss } from "@/components/ui/use-dismiss.ts";
import { currentHref } from "./nav.ts";
import { ThemeMenu } from "./theme-menu.tsx";
import type { Theme } from "./theme.ts";

// The dashboard's header. Wide screens show every link in one row; narrow ones
// (phones, 200 % zoom) fold links and account into a menu that closes on Esc,
// on a press outside it and on navigation. The page being shown is marked with
// aria-current, for screen readers and for the eye.
export function TopBar({
  origin,
  links,
  email,
  role,
  theme,
}: {
  origin: string;
  links: Array<{ href: string; label: string }>;
  email: string;
  role: string;
  theme: Theme;
}) {
  const pathname = usePathname();
  const current = currentHref(
    pathname,
    links.map((l) => l.href),
  );
  const { open, setOpen, header, toggle } = useFoldedMenu(pathname);

  return (
    <>
      <SkipLink />
      <header className={`topbar${open ? " open" : ""}`} ref={header}>
        <div className="topbar-brand">
          <Link href="/" className="brand">
            Ledgerline
          </Link>
          <span className="muted mono origin" title="The log's origin: the name its signed checkpoints carry">
            {origin}
          </span>
        </div>
        <button
          ref={toggle}
          type="button"
          className="btn small menu-toggle"
          aria-expanded={open}
          aria-controls="topbar-panel"
          data-testid="menu-toggle"
          onClick={() => setOpen((o) => !o)}
        >
          <MenuIcon open={open} />
          Menu
        </button>
        <div className="topbar-panel" id="topbar-panel" data-testid="topbar-panel">
          <nav className="main" aria-label="Main">
            {links.map((l) => (
              <Link key={l.href} href={l.href} aria-current={l.href === current ? "page" : undefined}>
                {l.label}
              </Link>
            ))}
          </nav>
          <div className="who" data-testid="who">
            <span className="who-email" title={email}>
              {email}
            </span>
            <span className="badge" data-testid="role" title={email}>
              {role}
            </span>
            <ThemeMenu initial={theme} />
            <SignOutButton />
          </div>
        </div>
      </header>
    </>
  );
}

/** The phone menu's state: closes on Esc, on a press outside it and on navigation. */
function useFoldedMenu(pathname: string) {
  const [open, setOpen] = useState(false);
  const header = useRef<HTMLElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const close = useCallback(() => setOpen(false), []);
  useDismiss(open, close, header, toggle);
  // Navigation closes the menu: adjusted while rendering (React's pattern for state that follows a value).
  const [shownFor, setShownFor] = useState(pathname);
  if (shownFor !== pathname) {
    setShownFor(pathname);
    setOpen(false);
  }
  return { open, setOpen, header, toggle };
}

function SkipLink() {
  return (
    <a
      className="skip-link"
      href="#main-content"
      onClick={(e) => {
        // Focus the content itself (a bare fragment jump leaves the browser's
        // focus start point behind in some cases, so the next Tab went back to the top).
        const main = document.getElementById("main-content");
        if (!main) return;
        e.preventDefault();
        main.focus();
      }}
    >
      Skip to content
    </a>
  );
}

function MenuIcon({ open }: { open: boolean }) {
  return (
    <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      {open ? (
        <path d="M3 3l10 10M13 3 3 13" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
      ) : (
        <path d="M2 4h12M2 8h12M2 12h12" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" />
      )}
    </svg>
  );
}
