/**
 * Generates the pad's default voice prompts from tools/voice/prompts.json:
 *   espeak-ng (text → WAV) → sox (16 kHz mono, silence trimmed, loudness normalised) → opusenc
 * and writes assets/voice/<lang>/<id>.opus plus assets/voice/manifest.json (text, measured length,
 * size of every file). Run `npx tsx tools/voice/generate.ts` after editing the prompt text; needs
 * the Debian packages espeak-ng, sox and opus-tools (only here, never at run time or in tests).
 *
 * Reproducible: fixed voices, speeds and Ogg serial numbers, no dither; the same espeak-ng data
 * gives the same files.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';

const root = join(import.meta.dirname, '..', '..');
const outDir = join(root, 'assets', 'voice');
const LANGS = ['zh-CN', 'en', 'zh-TW'] as const;
type Lang = (typeof LANGS)[number];
/** Words per minute: a little slower than espeak's 175 for elderly listeners. */
const SPEED: Record<Lang, number> = { 'zh-CN': 150, en: 150, 'zh-TW': 150 };
const SAMPLE_RATE = 16_000;
const BITRATE_KBPS = 20;

const textSchema = z.union([z.string().min(1), z.tuple([z.string().min(1), z.string().min(1)])]);
const fileSchema = z.object({
  voices: z.record(z.enum(LANGS), z.string().min(1)),
  prompts: z.record(z.string().regex(/^[a-z0-9-]+$/), z.record(z.enum(LANGS), textSchema)),
});

/** [shown text, spoken text]: zh-CN entries carry pinyin for the synthesizer. */
function texts(entry: z.infer<typeof textSchema>): [string, string] {
  return typeof entry === 'string' ? [entry, entry] : entry;
}

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
}

function main(): void {
  const spec = fileSchema.parse(JSON.parse(readFileSync(join(import.meta.dirname, 'prompts.json'), 'utf8')));
  const work = mkdtempSync(join(tmpdir(), 'hcp-voice-'));
  const manifest: Record<string, { text: string; durationMs: number; bytes: number }> = {};
  let serial = 1;
  try {
    for (const lang of LANGS) {
      mkdirSync(join(outDir, lang), { recursive: true });
      const voice = spec.voices[lang];
      if (!voice) throw new Error(`no voice for ${lang}`);
      for (const [id, byLang] of Object.entries(spec.prompts)) {
        const entry = byLang[lang];
        if (!entry) throw new Error(`prompt ${id} has no ${lang} text`);
        const [shown, spoken] = texts(entry);
        const raw = join(work, `${lang}-${id}.raw.wav`);
        const wav = join(work, `${lang}-${id}.wav`);
        const opus = join(outDir, lang, `${id}.opus`);
        run('espeak-ng', ['-v', voice, '-s', String(SPEED[lang]), '-w', raw, spoken]);
        // Trim espeak's silence at both ends, normalise to -3 dBFS, keep 60 ms of air each side.
        run('sox', [
          '-D',
          raw,
          '-r',
          String(SAMPLE_RATE),
          '-c',
          '1',
          '-b',
          '16',
          wav,
          'silence',
          '1',
          '0.02',
          '0.5%',
          'reverse',
          'silence',
          '1',
          '0.02',
          '0.5%',
          'reverse',
          'gain',
          '-n',
          '-3',
          'pad',
          '0.06',
          '0.06',
        ]);
        run('opusenc', [
          '--quiet',
          '--bitrate',
          String(BITRATE_KBPS),
          '--serial',
          String(serial++),
          '--comp',
          '10',
          wav,
          opus,
        ]);
        const samples = (statSync(wav).size - 44) / 2;
        manifest[`${lang}/${id}`] = {
          text: shown,
          durationMs: Math.round((samples / SAMPLE_RATE) * 1000),
          bytes: statSync(opus).size,
        };
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  const out = { format: `Ogg Opus, mono, ${BITRATE_KBPS} kbit/s, from ${SAMPLE_RATE} Hz`, files: manifest };
  writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(out, null, 2) + '\n');
  const total = Object.values(manifest).reduce((n, f) => n + f.bytes, 0);
  console.log(`${Object.keys(manifest).length} prompts, ${(total / 1024).toFixed(1)} KB in ${outDir}`);
}

main();
