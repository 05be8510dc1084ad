import type { Metadata } from "next";
import { cookies } from "next/headers";
import { parseTheme, THEME_COOKIE } from "@/components/layout/theme.ts";
import "./globals.css";

export const metadata: Metadata = {
  title: "Ledgerline",
  description: "Audit-ready, tamper-evident access logs for machine-to-machine traffic",
};

// The theme is decided here, on the server, from the user's cookie: CSS follows
// prefers-color-scheme unless data-theme pins one (see globals.css).
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const theme = parseTheme((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" data-theme={theme === "system" ? undefined : theme}>
      <body>{children}</body>
    </html>
  );
}
