import { SignInForm } from "@/components/auth/sign-in-form.tsx";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";

export const dynamic = "force-dynamic";

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const sp = await searchParams;
  const { config } = await getRuntime();
  const callbackUrl = sp.callbackUrl?.startsWith("/") && !sp.callbackUrl.startsWith("//") ? sp.callbackUrl : "/";
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
