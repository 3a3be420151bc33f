import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../helpers/tmp.js';

const root = resolve(import.meta.dirname, '../../..');

/** Lints `code` as if it were the file at `path` (nothing is written into the tree). */
async function wallMessages(path: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId?.endsWith('no-restricted-imports'))
    .map((m) => m.message);
}

describe('the lint walls between the layers (eslint.config.js)', () => {
  it('domain/ refuses SQL, I/O and every other part of the pad', async () => {
    const msgs = await wallMessages(
      'src/domain/probe.ts',
      "import Database from 'better-sqlite3';\nimport { getMeta } from '../store/db.js';\nexport const x = [Database, getMeta];\n",
    );
    expect(msgs).toHaveLength(2);
    expect(msgs.join('\n')).toMatch(/domain\/ does no I\/O and no SQL/);
    expect(msgs.join('\n')).toMatch(/domain\/ is pure rules/);
  });

  it('service/ refuses the host and the API values (types of the contract are fine)', async () => {
    const bad = await wallMessages(
      'src/service/probe.ts',
      "import { ApiError } from '../api/contract.js';\nimport { HardwareBridge } from '../host/hardware.js';\nexport const x = [ApiError, HardwareBridge];\n",
    );
    expect(bad).toHaveLength(2);
    const ok = await wallMessages(
      'src/service/probe.ts',
      "import type { StartEvaluationInput } from '../api/contract.js';\nimport { DomainError } from '../domain/errors.js';\nexport type X = StartEvaluationInput;\nexport const y = DomainError;\n",
    );
    expect(ok).toEqual([]);
  });

  it('nothing but main/, the browser shell and the CLI imports the composition root', async () => {
    const msgs = await wallMessages(
      'src/host/probe.ts',
      "import { KioskCore } from './core.js';\nexport const x = KioskCore;\n",
    );
    expect(msgs.join('\n')).toMatch(/only main\/, the browser shell and the CLI import the composition root/);
  });

  it('the renderer may import only the API contract and pure shared types', async () => {
    const bad = await wallMessages(
      'renderer/src/probe.ts',
      "import { StaffService } from '../../src/service/staff.js';\nimport { buildSnapshot } from '../../src/host/snapshot.js';\nimport { riskFlags } from '../../src/domain/risk.js';\nexport const x = [StaffService, buildSnapshot, riskFlags];\n",
    );
    expect(bad).toHaveLength(3);
    const ok = await wallMessages(
      'renderer/src/probe.ts',
      "import type { KioskSnapshot } from '../../src/api/contract.js';\nimport type { StaffMember } from '../../src/domain/types.js';\nexport type X = [KioskSnapshot, StaffMember];\n",
    );
    expect(ok).toEqual([]);
  });
});

describe('the import-cycle check (tools/check-cycles.ts)', () => {
  const tmp = tempDir('hcp-cycles-');
  afterAll(() => tmp.cleanup());
  const run = (...folders: string[]) => {
    try {
      return {
        code: 0,
        out: execFileSync('npx', ['tsx', 'tools/check-cycles.ts', ...folders], { cwd: root }).toString(),
      };
    } catch (err) {
      const e = err as { status: number; stdout: Buffer };
      return { code: e.status, out: e.stdout.toString() };
    }
  };

  it('finds a cycle of two modules and fails', () => {
    const dir = join(tmp.dir, 'knot');
    mkdirSync(dir);
    writeFileSync(join(dir, 'a.ts'), "import { b } from './b.js';\nexport const a = () => b;\n");
    writeFileSync(
      join(dir, 'b.ts'),
      "import type { a } from './a.js';\nexport const b = (x?: typeof a) => x;\n",
    );
    const { code, out } = run(dir);
    expect(code).toBe(1);
    expect(out).toMatch(/cycle \(2 modules\)/);
    expect(out.trim().split('\n').at(-1)).toBe('1 cycles');
  });

  it('the project itself has none', () => {
    const { code, out } = run();
    expect(out.trim().split('\n').at(-1)).toBe('0 cycles');
    expect(code).toBe(0);
  });
});
