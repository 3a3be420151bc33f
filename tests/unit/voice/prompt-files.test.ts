import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OggOpusDecoder } from 'ogg-opus-decoder';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CITIZEN_LANGS } from '../../../src/api/citizen.js';
import { PROMPT_IDS } from '../../../renderer/src/voice/prompts.js';

const voiceDir = join(import.meta.dirname, '../../../assets/voice');
const manifest = JSON.parse(readFileSync(join(voiceDir, 'manifest.json'), 'utf8')) as {
  files: Record<string, { text: string; durationMs: number; bytes: number }>;
};

let decoder: OggOpusDecoder;
beforeAll(async () => {
  decoder = new OggOpusDecoder();
  await decoder.ready;
});
afterAll(() => decoder.free());

/** Decodes a shipped prompt and measures it: length, loudness (RMS of the 50 ms windows), peak. */
async function measure(file: string) {
  await decoder.reset();
  const out = await decoder.decodeFile(new Uint8Array(readFileSync(file)));
  const samples = out.channelData[0] ?? new Float32Array();
  let peak = 0;
  let loudWindows = 0;
  const win = Math.round(out.sampleRate * 0.05);
  for (let i = 0; i + win <= samples.length; i += win) {
    let sum = 0;
    for (let j = i; j < i + win; j++) {
      const v = samples[j] ?? 0;
      sum += v * v;
      peak = Math.max(peak, Math.abs(v));
    }
    if (Math.sqrt(sum / win) > 0.02) loudWindows++; // louder than -34 dBFS: speech, not hiss
  }
  return {
    durationMs: (out.samplesDecoded / out.sampleRate) * 1000,
    peak,
    speechMs: loudWindows * 50,
    errors: out.errors.length,
  };
}

describe('shipped voice prompts (assets/voice)', () => {
  const table: string[] = [];
  afterAll(() =>
    console.log(['prompt | documented ms | measured ms | speech ms | peak', ...table].join('\n')),
  );

  it('every prompt the renderer plays exists in every citizen language', () => {
    const missing = CITIZEN_LANGS.flatMap((lang) =>
      PROMPT_IDS.filter((id) => !(`${lang}/${id}` in manifest.files)).map((id) => `${lang}/${id}`),
    );
    expect(missing).toEqual([]);
  });

  for (const lang of CITIZEN_LANGS) {
    for (const id of PROMPT_IDS) {
      it(`${lang}/${id} is non-silent and of its documented length`, async () => {
        const doc = manifest.files[`${lang}/${id}`];
        expect(doc, 'documented in manifest.json').toBeDefined();
        const m = await measure(join(voiceDir, lang, `${id}.opus`));
        table.push(
          `${lang}/${id} | ${doc?.durationMs} | ${m.durationMs.toFixed(0)} | ${m.speechMs} | ${m.peak.toFixed(2)}`,
        );
        expect(m.errors).toBe(0);
        expect(Math.abs(m.durationMs - (doc?.durationMs ?? 0))).toBeLessThanOrEqual(25);
        expect(m.durationMs).toBeGreaterThan(250);
        expect(m.durationMs).toBeLessThan(8000);
        expect(m.peak).toBeGreaterThan(0.2);
        // at least 40 % of the file is speech-loud (trimmed of espeak's silences at both ends)
        expect(m.speechMs).toBeGreaterThanOrEqual(m.durationMs * 0.4);
      });
    }
  }
});
