import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveVoiceFile } from '../../../src/host/voice-files.js';
import { tempDir } from '../../helpers/tmp.js';

describe('voice prompt files: a hall overrides a prompt by dropping a file of its name', () => {
  it('shipped by default, the hall file when present, nothing outside /voice/<lang>/<id>', () => {
    const tmp = tempDir();
    try {
      const shipped = resolveVoiceFile(tmp.dir, '/voice/zh-CN/thanks');
      expect(shipped?.source).toBe('shipped');
      expect(shipped?.file.endsWith(join('assets', 'voice', 'zh-CN', 'thanks.opus'))).toBe(true);
      mkdirSync(join(tmp.dir, 'voice', 'zh-CN'), { recursive: true });
      writeFileSync(join(tmp.dir, 'voice', 'zh-CN', 'thanks.mp3'), 'ID3');
      expect(resolveVoiceFile(tmp.dir, '/voice/zh-CN/thanks')).toMatchObject({
        source: 'hall',
        mime: 'audio/mpeg',
      });
      expect(resolveVoiceFile(tmp.dir, '/voice/zh-CN/../../kiosk.db')).toBeNull();
      expect(resolveVoiceFile(tmp.dir, '/voice/fr/thanks')).toBeNull();
      expect(resolveVoiceFile(tmp.dir, '/voice/zh-CN/no-such-prompt')).toBeNull();
    } finally {
      tmp.cleanup();
    }
  });
});
