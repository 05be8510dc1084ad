"use server";

import { revalidatePath } from "next/cache";
import { runAction, signedIn, str, type ActionResult } from "@/lib/server/http/action-result.ts";
import { sessionPrincipal } from "@/lib/server/auth/session.ts";
import { getRuntime } from "@/lib/server/runtime/runtime.ts";
import { createUser, resetUserPassword, setUserDisabled, setUserRole, type UserInfo } from "@/lib/server/auth/users.ts";

// User administration from the dashboard. Each action re-reads the session;
// the data-access layer checks users:manage again and appends the meta-audit entry.

export async function createUserAction(input: {
  email: string;
  role: string;
  name?: string;
}): Promise<ActionResult<{ user: UserInfo; password?: string }>> {
  const p = await sessionPrincipal();
  return runAction("createUser", async () => {
    const r = await createUser(await getRuntime(), signedIn(p), {
      email: str(input?.email),
      role: str(input?.role),
      name: str(input?.name) || undefined,
    });
    revalidatePath("/admin/users");
    revalidatePath("/admin/tokens");
    return r;
  });
}

export async function setUserRoleAction(email: string, role: string): Promise<ActionResult<{ user: UserInfo }>> {
  const p = await sessionPrincipal();
  return runAction("setUserRole", async () => {
    const user = await setUserRole(await getRuntime(), signedIn(p), str(email), str(role));
    revalidatePath("/admin/users");
    return { user };
  });
}

export async function setUserDisabledAction(
  email: string,
  disabled: boolean,
): Promise<ActionResult<{ user: UserInfo }>> {
  const p = await sessionPrincipal();
  return runAction("setUserDisabled", async () => {
    const user = await setUserDisabled(await getRuntime(), signedIn(p), str(email), disabled === true);
    revalidatePath("/admin/users");
    revalidatePath("/admin/tokens");
    return { user };
  });
}

export async function resetUserPasswordAction(
  email: string,
): Promise<ActionResult<{ user: UserInfo; password?: string }>> {
  const p = await sessionPrincipal();
  return runAction("resetUserPassword", async () => {
    const r = await resetUserPassword(await getRuntime(), signedIn(p), str(email));
    revalidatePath("/admin/users");
    return r;
  });
}
