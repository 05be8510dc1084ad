"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { safeCallbackPath } from "@/lib/schemas/callback-path.ts";

const MESSAGES: Record<string, string> = {
  CredentialsSignin: "Email or password is incorrect, or the account is disabled.",
  TooManyAttempts: "Too many failed attempts. Wait a few minutes and try again.",
  StoreUnavailable: "The server cannot check sign-ins right now (its store is unavailable). Try again in a minute.",
  NoRole: "Your single sign-on account is not mapped to a Ledgerline role. Ask an admin.",
  NoEmail: "Your single sign-on account has no email address.",
  Disabled: "This account is disabled. Ask an admin.",
  AccessDenied: "Access denied.",
  SessionRequired: "Please sign in.",
};

export function SignInForm({
  callbackUrl,
  sso,
  initialError,
}: {
  callbackUrl: string;
  sso: string | null;
  initialError: string | null;
}) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(
    initialError ? (MESSAGES[initialError] ?? "Sign-in failed. Try again.") : null,
  );
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const form = new FormData(e.currentTarget);
    const res = await signIn("credentials", {
      redirect: false,
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      callbackUrl,
    });
    setBusy(false);
    if (res?.ok && !res.error) {
      // Checked again here: this is the navigation an open redirect would abuse.
      router.replace(safeCallbackPath(callbackUrl));
      router.refresh();
      return;
    }
    setError(
      MESSAGES[res?.error ?? ""] ?? (res?.status === 429 ? MESSAGES.TooManyAttempts! : "Sign-in failed. Try again."),
    );
  }

  return (
    <form onSubmit={onSubmit} className="stack" aria-label="Sign in">
      <label>
        Email
        <input name="email" type="email" autoComplete="username" required autoFocus />
      </label>
      <label>
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      {error && (
        <p role="alert" className="bad" data-testid="signin-error">
          {error}
        </p>
      )}
      <button type="submit" className="btn primary" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
      {sso && (
        <button type="button" className="btn" onClick={() => signIn("oidc", { callbackUrl })}>
          Sign in with {sso}
        </button>
      )}
    </form>
  );
}
