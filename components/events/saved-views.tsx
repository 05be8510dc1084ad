"use client";

import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, useSyncExternalStore } from "react";
import type { ViewListItem } from "@/lib/server/views/service.ts";
import { Disclosure } from "@/components/ui/disclosure.tsx";
import { storedVisibleColumns } from "./column-preference.ts";
import { viewHref } from "./explorer-params.ts";
import "./saved-views.css";

// The explorer's "Views" menu: open a saved view (its filter and columns), save
// the current one under a name (private or shared), rename/share/delete one's own.
// Every change goes through the same use cases as /api/v1/views.

type Result<T extends object> = ({ ok: true } & T) | { ok: false; error: string };

/** The server actions behind the menu (app/(dashboard)/events/(explorer)/actions.ts), passed in by the page. */
export type ViewActions = {
  save(input: unknown): Promise<Result<{ view: ViewListItem }>>;
  update(id: unknown, input: unknown): Promise<Result<{ view: ViewListItem }>>;
  remove(id: unknown): Promise<Result<{ deleted: string }>>;
};

type Props = {
  views: ViewListItem[];
  active: ViewListItem | null;
  query: string;
  canSave: boolean;
  actions: ViewActions;
};

export function SavedViews({ views, active, query, canSave, actions }: Props) {
  return (
    // Keyed by the open view: saving or deleting one moves to another page state, and the menu closes.
    <Disclosure
      key={active?.id ?? "none"}
      className="views-menu popup"
      testId="views-menu"
      summary={active ? `View: ${active.name}` : "Views"}
      summaryClassName="btn small"
    >
      <div className="views-panel popup-panel" role="group" aria-label="Saved views">
        {views.length === 0 ? (
          <p className="muted">No saved views yet.</p>
        ) : (
          <ul className="views-list" data-testid="views-list">
            {views.map((v) => (
              <ViewRow key={v.id} view={v} active={active?.id === v.id} actions={actions} />
            ))}
          </ul>
        )}
        {canSave && <SaveViewForm query={query} save={actions.save} />}
      </div>
    </Disclosure>
  );
}

function ViewRow({ view, active, actions }: { view: ViewListItem; active: boolean; actions: ViewActions }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [renaming, setRenaming] = useState(false);
  async function run(p: Promise<{ ok: boolean; error?: string }>) {
    const r = await p;
    if (!r.ok) setError(r.error ?? "Failed.");
    else router.refresh();
  }
  if (renaming)
    return (
      <li data-testid="view-item">
        <RenameViewForm view={view} rename={actions.update} done={() => setRenaming(false)} />
      </li>
    );
  return (
    <li data-testid="view-item">
      <Link href={viewHref(view)} aria-current={active ? "page" : undefined} className="view-link">
        {view.name}
      </Link>
      <span className="muted view-meta">{view.mine ? (view.shared ? "shared" : "private") : `by ${view.owner}`}</span>
      {view.mine && (
        <button
          type="button"
          className="btn small"
          aria-label={`Rename view ${view.name}`}
          onClick={() => setRenaming(true)}
          data-testid="view-rename"
        >
          Rename
        </button>
      )}
      {view.mine && (
        <button
          type="button"
          className="btn small"
          onClick={() => run(actions.update(view.id, { shared: !view.shared }))}
        >
          {view.shared ? "Unshare" : "Share"}
        </button>
      )}
      {view.canDelete && (
        <button
          type="button"
          className="btn small"
          aria-label={`Delete view ${view.name}`}
          onClick={() => run(actions.remove(view.id))}
        >
          Delete
        </button>
      )}
      {error && (
        <span className="bad" role="alert">
          {error}
        </span>
      )}
    </li>
  );
}

/** The row's name in an input: Enter or "Save" renames (same rules as saving: unique per owner, 1–80 characters), Esc or "Cancel" keeps it. */
function RenameViewForm(p: { view: ViewListItem; rename: ViewActions["update"]; done: () => void }) {
  const router = useRouter();
  const [name, setName] = useState(p.view.name);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    if (name === p.view.name) return p.done();
    setBusy(true);
    setError(null);
    const r = await p.rename(p.view.id, { name });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    p.done();
    router.refresh();
  }
  return (
    <form className="rename-view" onSubmit={submit} data-testid="rename-view-form">
      <label>
        New name for “{p.view.name}”
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          // Esc leaves the rename only: marked handled, so the menu around it stays open (use-dismiss.ts).
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.preventDefault();
              p.done();
            }
          }}
          maxLength={200}
          required
          autoFocus
          data-testid="rename-view-name"
        />
      </label>
      <button type="submit" className="btn primary small" disabled={busy} data-testid="rename-view-save">
        {busy ? "Renaming…" : "Rename"}
      </button>
      <button type="button" className="btn small" onClick={p.done}>
        Cancel
      </button>
      {error && (
        <p className="bad" role="alert" data-testid="rename-view-error">
          {error}
        </p>
      )}
    </form>
  );
}

const noSubscribe = () => () => {};

/** False during the server render and hydration: a click before then would submit the form natively and be lost. */
function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscribe,
    () => true,
    () => false,
  );
}

function SaveViewForm({ query, save: saveView }: { query: string; save: ViewActions["save"] }) {
  const router = useRouter();
  const [name, setName] = useState("");
  const [shared, setShared] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const hydrated = useHydrated();
  async function save(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const r = await saveView({ name, query, columns: storedVisibleColumns(), shared });
    setBusy(false);
    if (!r.ok) return setError(r.error);
    setName("");
    router.push(viewHref(r.view));
  }
  return (
    <form className="save-view" onSubmit={save} data-testid="save-view-form">
      <label>
        Save this view as
        <input
          value={name}
          onChange={(e) => setName(e.target.value)}
          maxLength={200}
          required
          data-testid="view-name"
        />
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={shared}
          onChange={(e) => setShared(e.target.checked)}
          data-testid="view-shared"
        />
        Share with every user
      </label>
      <button type="submit" className="btn primary small" disabled={busy || !hydrated} data-testid="save-view">
        {busy ? "Saving…" : "Save view"}
      </button>
      {error && (
        <p className="bad" role="alert" data-testid="save-view-error">
          {error}
        </p>
      )}
    </form>
  );
}
