/** Consistent Overhead Byte Stuffing: the encoded form contains no 0x00, so 0x00 can delimit frames. */

export function cobsEncode(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(data.length + Math.ceil(data.length / 254) + 1);
  let codeAt = 0;
  let o = 1;
  let code = 1;
  for (const byte of data) {
    if (byte === 0) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
    } else {
      out[o++] = byte;
      code++;
      if (code === 0xff) {
        out[codeAt] = code;
        codeAt = o++;
        code = 1;
      }
    }
  }
  out[codeAt] = code;
  return out.subarray(0, o);
}

/** Returns null for an invalid encoding (a zero byte, or a code running past the end). */
export function cobsDecode(enc: Uint8Array): Uint8Array | null {
  if (enc.length === 0) return null;
  const out = new Uint8Array(enc.length);
  let i = 0;
  let o = 0;
  while (i < enc.length) {
    const code = enc[i]!;
    if (code === 0) return null;
    i++;
    const end = i + code - 1;
    if (end > enc.length) return null;
    for (; i < end; i++) {
      const b = enc[i]!;
      if (b === 0) return null;
      out[o++] = b;
    }
    // A 0xFF block carries no implied zero; neither does the final block.
    if (code !== 0xff && i < enc.length) out[o++] = 0;
  }
  return out.subarray(0, o);
}
