"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { filterFromSearchParams } from "@/lib/schemas/event-filter.ts";
import "./bundles.css";

// Creates a bundle from an explorer link (or its query string): the same filter the
// /events URL holds, e.g. service=payments*&from=2026-07-01&to=2026-10-01.
export function NewBundleForm() {
  const router = useRouter();
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    const raw = text.trim();
    const qs = raw.includes("?") ? raw.slice(raw.indexOf("?") + 1) : raw;
    const parsed = filterFromSearchParams(new URLSearchParams(qs));
    if (!parsed.ok) {
      setError(parsed.errors.map((x) => `${x.param} ${x.detail}`).join("; "));
      return;
    }
    setBusy(true);
    try {
      const res = await fetch("/api/v1/bundles", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ filter: parsed.value }),
      });
      const body = (await res.json().catch(() => null)) as { id?: string; detail?: string } | null;
      if (!res.ok || !body?.id) {
        setError(body?.detail ?? `The bundle could not be started (HTTP ${res.status}).`);
        return;
      }
      router.push(`/bundles/${body.id}`);
    } catch {
      setError("The bundle could not be started: the server did not answer.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="new-bundle" onSubmit={submit}>
      <label>
        Selection: an Events link or its query (empty for everything)
        <input
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder="service=payments*&from=2026-07-01T00:00:00Z&to=2026-10-01T00:00:00Z"
          data-testid="new-bundle-filter"
        />
      </label>
      <button className="btn primary" type="submit" disabled={busy} data-testid="new-bundle-submit">
        {busy ? "Starting…" : "Create bundle"}
      </button>
      {error && (
        <p className="bad small" data-testid="new-bundle-error">
          {error}
        </p>
      )}
    </form>
  );
}
