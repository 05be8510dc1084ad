"use client";

import { useState, useTransition } from "react";
import type { CreateFormProps, Notice, Result } from "./types.ts";

/**
 * Runs the admin screens' server actions: one at a time (pending disables the buttons),
 * the previous notice cleared, an error shown as the notice, success handed to `onOk`.
 */
export function useAdminAction() {
  const [notice, setNotice] = useState<Notice>(null);
  const [pending, startTransition] = useTransition();

  function run<T extends object>(call: () => Promise<Result<T>>, onOk: (r: { ok: true } & T) => void) {
    setNotice(null);
    startTransition(async () => {
      const r = await call();
      if (r.ok) onOk(r);
      else setNotice({ kind: "error", text: r.error });
    });
  }

  /** A create form's submit: its fields to the action; on success the form is emptied. */
  function submit<T extends object>(
    e: React.FormEvent<HTMLFormElement>,
    call: (field: (name: string) => string, all: (name: string) => string[]) => Promise<Result<T>>,
    onOk: (r: { ok: true } & T) => void,
  ) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    run(
      () =>
        call(
          (name) => String(f.get(name) ?? ""),
          (name) => f.getAll(name).map(String),
        ),
      (r) => {
        form.reset();
        onOk(r);
      },
    );
  }

  /** Revokes a key or token: its requests are refused from the next one on. */
  function revoke(id: string, call: () => Promise<Result>) {
    run(call, () => setNotice({ kind: "ok", text: `Revoked ${id}; requests with it get 401 from now on.` }));
  }

  return { notice, setNotice, pending, run, submit, revoke };
}

/**
 * useAdminAction for a page whose create card shows a secret once (read tokens, users):
 * `show(s)` shows it until the admin dismisses it, `form(onSubmit)` is the card's props.
 */
export function useSecretAdminAction<S>() {
  const action = useAdminAction();
  const [secret, show] = useState<S | null>(null);
  const form = (onSubmit: CreateFormProps<S>["onSubmit"]): CreateFormProps<S> => ({
    pending: action.pending,
    notice: action.notice,
    onSubmit,
    secret,
    onSecretDone: () => show(null),
  });
  return { ...action, show, form };
}
