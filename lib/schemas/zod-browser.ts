import { z } from "zod";

// In the browser, zod 4 probes `new Function("")` once, to decide whether it may
// compile its parsers. Under the dashboard's Content-Security-Policy (no
// 'unsafe-eval') the probe is refused — harmless, zod falls back — but the
// browser still reports it as a CSP violation. `jitless` skips the probe.
// The server keeps the compiled parsers. Imported first by every schema module
// that the dashboard's client components load.
if (typeof window !== "undefined") z.config({ jitless: true });
