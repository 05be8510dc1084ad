import { SignInForm } from "@/components/auth/sign-in-form.tsx";
import { safeCallbackPath } from "@/lib/schemas/callback-path.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";

export const dynamic = "force-dynamic";

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const sp = await searchParams;
  const { config } = await getRuntime();
  // Only a path of this origin is handed to the form (/\host and /<TAB>/host are other origins).
  const callbackUrl = safeCallbackPath(sp.callbackUrl);
  return (
    <main className="login">
      <div className="card login-card">
        <h1 className="brand">Ledgerline</h1>
        <p className="muted">Sign in to review the access log.</p>
        <SignInForm
          callbackUrl={callbackUrl}
          sso={config.oidc ? config.oidc.name : null}
          initialError={sp.error ?? null}
        />
      </div>
    </main>
  );
}
