"use client";

import { useCallback, useId, useRef, useState } from "react";
import { useDismiss } from "@/components/ui/use-dismiss.ts";
import { THEMES, themeCookie, type Theme } from "./theme.ts";

const LABEL: Record<Theme, string> = { system: "System", light: "Light", dark: "Dark" };

/** Remembers the choice (cookie) and applies it to this page now; the server sets the same attribute on the next load. */
function applyTheme(next: Theme): void {
  document.cookie = themeCookie(next, location.protocol === "https:");
  const root = document.documentElement;
  if (next === "system") delete root.dataset.theme;
  else root.dataset.theme = next;
}

/** The colour-scheme picker: System (prefers-color-scheme), Light or Dark; remembered in a cookie. */
export function ThemeMenu({ initial }: { initial: Theme }) {
  const [theme, setTheme] = useState<Theme>(initial);
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const id = useId();
  const close = useCallback(() => setOpen(false), []);
  useDismiss(open, close, box, button);

  function choose(next: Theme) {
    setTheme(next);
    applyTheme(next);
  }

  return (
    <div className="theme-menu popover-anchor" ref={box}>
      <button
        ref={button}
        type="button"
        className="btn small icon-btn"
        aria-expanded={open}
        aria-controls={id}
        aria-label={`Colour scheme: ${LABEL[theme]}`}
        title={`Colour scheme: ${LABEL[theme]}`}
        data-testid="theme-toggle"
        onClick={() => setOpen((o) => !o)}
      >
        <ThemeIcon theme={theme} />
        <span className="theme-label">Theme</span>
      </button>
      <div id={id} className="popover" hidden={!open} data-testid="theme-menu">
        <fieldset className="theme-choices">
          <legend>Colour scheme</legend>
          {THEMES.map((t) => (
            <label key={t} className="check">
              <input
                type="radio"
                name={`${id}-theme`}
                value={t}
                checked={theme === t}
                onChange={() => choose(t)}
                data-testid={`theme-${t}`}
              />
              {LABEL[t]}
              {t === "system" && <span className="muted"> (follows this device)</span>}
            </label>
          ))}
        </fieldset>
      </div>
    </div>
  );
}

function ThemeIcon({ theme }: { theme: Theme }) {
  return (
    <svg width="14" height="14" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      {theme === "dark" ? (
        <path d="M13.5 10.2A5.8 5.8 0 0 1 5.8 2.5a5.8 5.8 0 1 0 7.7 7.7Z" fill="currentColor" />
      ) : theme === "light" ? (
        <g fill="none" stroke="currentColor" strokeWidth="1.5" strokeLinecap="round">
          <circle cx="8" cy="8" r="3" fill="currentColor" />
          <path d="M8 1v1.8M8 13.2V15M1 8h1.8M13.2 8H15M3 3l1.3 1.3M11.7 11.7 13 13M3 13l1.3-1.3M11.7 4.3 13 3" />
        </g>
      ) : (
        <g>
          <circle cx="8" cy="8" r="6.2" fill="none" stroke="currentColor" strokeWidth="1.5" />
          <path d="M8 1.8a6.2 6.2 0 0 1 0 12.4Z" fill="currentColor" />
        </g>
      )}
    </svg>
  );
}
