/**
 * SM3 (GB/T 32905-2016) in plain JavaScript, because Electron's crypto (BoringSSL) has none and
 * 国密 deployments sign requests with HMAC-SM3 (docs/protocols/platform-api.md §1).
 */

const IV = new Uint32Array([
  0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e,
]);

const rotl = (x: number, n: number): number => ((x << n) | (x >>> (32 - n))) >>> 0;

// T_j rotated by j mod 32, precomputed once.
const TJ = new Uint32Array(64);
for (let j = 0; j < 64; j++) TJ[j] = rotl(j < 16 ? 0x79cc4519 : 0x7a879d8a, j % 32);

export class Sm3 {
  private readonly v = new Uint32Array(IV);
  private readonly buf = new Uint8Array(64);
  private bufLen = 0;
  private total = 0; // bytes; fine up to 2^53
  private readonly w = new Uint32Array(68);
  private readonly w1 = new Uint32Array(64);
  private done = false;

  update(data: Uint8Array | string): this {
    if (this.done) throw new Error('Sm3: update after digest');
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.total += bytes.length;
    let i = 0;
    if (this.bufLen > 0) {
      const take = Math.min(64 - this.bufLen, bytes.length);
      this.buf.set(bytes.subarray(0, take), this.bufLen);
      this.bufLen += take;
      i = take;
      if (this.bufLen === 64) {
        this.compress(this.buf, 0);
        this.bufLen = 0;
      }
    }
    for (; i + 64 <= bytes.length; i += 64) this.compress(bytes, i);
    if (i < bytes.length) {
      this.buf.set(bytes.subarray(i), 0);
      this.bufLen = bytes.length - i;
    }
    return this;
  }

  digest(): Buffer {
    if (this.done) throw new Error('Sm3: digest called twice');
    const bitLen = this.total * 8;
    const padLen = this.bufLen < 56 ? 56 - this.bufLen : 120 - this.bufLen;
    const tail = new Uint8Array(padLen + 8);
    tail[0] = 0x80;
    const hi = Math.floor(bitLen / 0x100000000);
    const lo = bitLen >>> 0;
    const dv = new DataView(tail.buffer);
    dv.setUint32(padLen, hi);
    dv.setUint32(padLen + 4, lo);
    this.update(tail);
    this.done = true;
    const out = Buffer.alloc(32);
    for (let k = 0; k < 8; k++) out.writeUInt32BE(this.v[k] as number, k * 4);
    return out;
  }

  private compress(block: Uint8Array, off: number): void {
    const w = this.w;
    const w1 = this.w1;
    for (let j = 0; j < 16; j++) {
      const p = off + j * 4;
      w[j] =
        (((block[p] as number) << 24) |
          ((block[p + 1] as number) << 16) |
          ((block[p + 2] as number) << 8) |
          (block[p + 3] as number)) >>>
        0;
    }
    for (let j = 16; j < 68; j++) {
      const x = (w[j - 16] as number) ^ (w[j - 9] as number) ^ rotl(w[j - 3] as number, 15);
      w[j] = (x ^ rotl(x, 15) ^ rotl(x, 23) ^ rotl(w[j - 13] as number, 7) ^ (w[j - 6] as number)) >>> 0;
    }
    for (let j = 0; j < 64; j++) w1[j] = ((w[j] as number) ^ (w[j + 4] as number)) >>> 0;
    const v = this.v;
    let a = v[0] as number,
      b = v[1] as number,
      c = v[2] as number,
      d = v[3] as number;
    let e = v[4] as number,
      f = v[5] as number,
      g = v[6] as number,
      h = v[7] as number;
    for (let j = 0; j < 64; j++) {
      const a12 = rotl(a, 12);
      const ss1 = rotl((a12 + e + (TJ[j] as number)) >>> 0, 7);
      const ss2 = (ss1 ^ a12) >>> 0;
      const ff = j < 16 ? a ^ b ^ c : (a & b) | (a & c) | (b & c);
      const gg = j < 16 ? e ^ f ^ g : (e & f) | (~e & g);
      const tt1 = (ff + d + ss2 + (w1[j] as number)) >>> 0;
      const tt2 = (gg + h + ss1 + (w[j] as number)) >>> 0;
      d = c;
      c = rotl(b, 9);
      b = a;
      a = tt1;
      h = g;
      g = rotl(f, 19);
      f = e;
      e = (tt2 ^ rotl(tt2, 9) ^ rotl(tt2, 17)) >>> 0;
    }
    const next = [a, b, c, d, e, f, g, h];
    for (let k = 0; k < 8; k++) v[k] = ((v[k] as number) ^ (next[k] as number)) >>> 0;
  }
}

export function sm3(data: Uint8Array | string): Buffer {
  return new Sm3().update(data).digest();
}

/** HMAC (RFC 2104) over SM3; block size 64 bytes. */
export function hmacSm3(key: Uint8Array, data: Uint8Array | string): Buffer {
  let k = key.length > 64 ? sm3(key) : Buffer.from(key);
  if (k.length < 64) k = Buffer.concat([k, Buffer.alloc(64 - k.length)]);
  const ipad = Buffer.alloc(64);
  const opad = Buffer.alloc(64);
  for (let i = 0; i < 64; i++) {
    ipad[i] = (k[i] as number) ^ 0x36;
    opad[i] = (k[i] as number) ^ 0x5c;
  }
  const inner = new Sm3().update(ipad).update(data).digest();
  return new Sm3().update(opad).update(inner).digest();
}
