#!/usr/bin/env bash
# Verify a Ledgerline checkpoint (a C2SP signed note) by hand, with nothing but
# coreutils and OpenSSL — independent of Ledgerline's own code.
#
#   curl -s http://localhost:3000/api/v1/checkpoint > checkpoint.txt
#   bin/verify-checkpoint.sh checkpoint.txt '<verifier key string>'
#
# The verifier key string (name+keyid+base64(0x01||pubkey)) comes from
# GET /api/v1/keys or `ledgerline signing-key show`; compare it out of band.
set -euo pipefail
note=${1:?usage: verify-checkpoint.sh <checkpoint file> <verifier key>}
vkey=${2:?usage: verify-checkpoint.sh <checkpoint file> <verifier key>}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# <name>+<8 hex>+<base64>; the base64 part may itself contain '+'.
name=${vkey%%+*}
rest=${vkey#*+}
keyid=${rest%%+*}
keyb64=${rest#*+}
[[ -n "$name" && "$rest" != "$vkey" && "$keyid" =~ ^[0-9a-f]{8}$ && -n "$keyb64" && "$keyb64" != "$rest" ]] || { echo "FAIL: malformed verifier key" >&2; exit 1; }
printf '%s' "$keyb64" | base64 -d >"$work/key33"
[[ $(head -c1 "$work/key33" | od -An -tx1 | tr -d ' ') == 01 && $(stat -c %s "$work/key33") == 33 ]] ||
  { echo "FAIL: verifier key is not an Ed25519 key (type 0x01 + 32 bytes)" >&2; exit 1; }
tail -c32 "$work/key33" >"$work/pub"

# key id = first 4 bytes of SHA-256(name || 0x0A || 0x01 || pubkey)
computed=$( { printf '%s\n' "$name"; cat "$work/key33"; } | sha256sum | head -c8)
[[ "$computed" == "$keyid" ]] || { echo "FAIL: key id $keyid does not match the key ($computed)" >&2; exit 1; }

# SPKI PEM = fixed Ed25519 DER prefix + the 32-byte key
{ printf '\x30\x2a\x30\x05\x06\x03\x2b\x65\x70\x03\x21\x00'; cat "$work/pub"; } >"$work/spki.der"
openssl pkey -pubin -inform DER -in "$work/spki.der" -out "$work/pub.pem" 2>/dev/null

# The signed text is every byte before the blank line, final newline included.
awk 'BEGIN{body=1} body && $0=="" {exit} body {print}' "$note" >"$work/text"
sigline=$(awk -v n="$name" 'seen && $0 ~ "^\xe2\x80\x94 " { split($0, f, " "); if (f[2]==n) print f[3] } $0=="" {seen=1}' "$note" | head -n1)
[[ -n "$sigline" ]] || { echo "FAIL: no signature line by key name $name" >&2; exit 1; }
printf '%s' "$sigline" | base64 -d >"$work/sigblob"
[[ $(head -c4 "$work/sigblob" | od -An -tx1 | tr -d ' \n') == "$keyid" ]] || { echo "FAIL: signature is by another key id" >&2; exit 1; }
tail -c +5 "$work/sigblob" >"$work/sig"

if openssl pkeyutl -verify -pubin -inkey "$work/pub.pem" -rawin -in "$work/text" -sigfile "$work/sig" >/dev/null; then
  origin=$(sed -n 1p "$work/text"); size=$(sed -n 2p "$work/text"); root=$(sed -n 3p "$work/text")
  echo "OK: checkpoint of $origin, tree size $size, root $root, signed by $name ($keyid)"
else
  echo "FAIL: the signature does not verify" >&2
  exit 1
fi
