/** Page params arrive percent-encoded (route handlers get them decoded): decode once, never twice. */
export function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
