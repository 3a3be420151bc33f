import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { assetsDir } from './paths.js';

/** Extensions a hall may drop in, in the order they are looked for; Chromium plays all four. */
const EXTENSIONS = ['.opus', '.ogg', '.mp3', '.wav'] as const;
const MIME: Record<(typeof EXTENSIONS)[number], string> = {
  '.opus': 'audio/ogg',
  '.ogg': 'audio/ogg',
  '.mp3': 'audio/mpeg',
  '.wav': 'audio/wav',
};
/** `/voice/<lang>/<id>`: the only shape asked for, so no path ever leaves the voice folders. */
const VOICE_PATH = /^\/voice\/(zh-CN|en|zh-TW)\/([a-z0-9-]{1,32})$/;

/**
 * The file to play for a prompt: the hall's own `<dataDir>/voice/<lang>/<id>.<ext>` when present,
 * else the shipped `assets/voice/<lang>/<id>.opus`. Null when the URL is not a prompt's.
 */
export function resolveVoiceFile(
  dataDir: string,
  urlPath: string,
  shippedDir: string = join(assetsDir(), 'voice'),
): { file: string; mime: string; source: 'hall' | 'shipped' } | null {
  const m = VOICE_PATH.exec(urlPath);
  if (!m) return null;
  const [, lang, id] = m as unknown as [string, string, string];
  for (const [dir, source] of [
    [join(dataDir, 'voice'), 'hall'],
    [shippedDir, 'shipped'],
  ] as const) {
    for (const ext of EXTENSIONS) {
      const file = join(dir, lang, id + ext);
      if (existsSync(file) && statSync(file).isFile()) return { file, mime: MIME[ext], source };
    }
  }
  return null;
}
