import { parseSignerKey, parseVerifierKey } from "@/lib/core/note.ts";

// Known answers from golang.org/x/mod sumdb/note (note.go package docs and note_test.go),
// the reference implementation of C2SP signed-note.
export const PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
export const PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
export const ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
export const TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
export const PETER_SIG =
  "\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
export const ENOCH_SIG =
  "\u2014 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";
export const SIGNED = `${TEXT}\n${PETER_SIG}`;

export const peter = parseVerifierKey(PETER_VKEY);
export const enoch = parseVerifierKey(ENOCH_VKEY);
export const peterSigner = parseSignerKey(PETER_SKEY);

/** Go slices these strings by UTF-8 byte; the em dash is 3 bytes there, 1 code unit here. */
export const goSplice = (line: string, goByteOffset: number, insert: string): string =>
  line.slice(0, goByteOffset - 2) + insert + line.slice(goByteOffset - 2);
