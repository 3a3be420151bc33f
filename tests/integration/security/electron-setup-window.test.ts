import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { electronSetupPlan } from '../../../main/setup-plan.js';
import { root } from '../packaging/builder-config.js';

/**
 * The Electron pad's setup mode (decision 165), read from its source since Electron cannot run
 * here: when it shows the setup screen, and the setup window's lock-down.
 */
const parse = (file: string) =>
  ts.createSourceFile(file, ts.sys.readFile(file) ?? '', ts.ScriptTarget.Latest, true);

function windowOptions(src: ts.SourceFile): Map<string, string> {
  const out = new Map<string, string>();
  const visit = (n: ts.Node) => {
    if (ts.isNewExpression(n) && n.expression.getText(src) === 'BrowserWindow') {
      const walk = (obj: ts.Expression | undefined, prefix: string) => {
        if (!obj || !ts.isObjectLiteralExpression(obj)) return;
        for (const p of obj.properties) {
          if (!ts.isPropertyAssignment(p)) continue;
          const key = prefix + p.name.getText(src);
          out.set(key, p.initializer.getText(src));
          walk(p.initializer, `${key}.`);
        }
      };
      walk(n.arguments?.[0], '');
    }
    ts.forEachChild(n, visit);
  };
  visit(src);
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'hcp-electron-setup-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Electron: when the pad starts on the setup screen', () => {
  const userDataDir = join(dir, 'userData');
  it('a packaged pad without HCP_CONFIG keeps its config in userData, and with none there starts on setup', () => {
    const plan = electronSetupPlan({ argv: [], env: {}, packaged: true, userDataDir });
    expect(plan).toEqual({
      env: { HCP_CONFIG: join(userDataDir, 'config.json'), HCP__dataDir: join(userDataDir, 'data') },
      setup: true,
    });
  });
  it('a named configuration that exists: the pad itself', () => {
    const file = join(dir, 'config.json');
    writeFileSync(file, '{}');
    expect(electronSetupPlan({ argv: [], env: { HCP_CONFIG: file }, packaged: true, userDataDir })).toEqual({
      env: { HCP__dataDir: join(userDataDir, 'data') },
      setup: false,
    });
    // …unless asked for: --setup or HCP_SETUP=1, as in the browser shell
    expect(
      electronSetupPlan({ argv: ['--setup'], env: { HCP_CONFIG: file }, packaged: true, userDataDir }).setup,
    ).toBe(true);
    expect(
      electronSetupPlan({ argv: [], env: { HCP_CONFIG: file, HCP_SETUP: '1' }, packaged: true, userDataDir })
        .setup,
    ).toBe(true);
  });
  it('named but missing (the kiosk unit names /var/lib/hcp-kiosk/config.json): setup', () => {
    expect(
      electronSetupPlan({
        argv: [],
        env: { HCP_CONFIG: join(dir, 'none.json') },
        packaged: true,
        userDataDir,
      }).setup,
    ).toBe(true);
  });
  it('unpackaged (a developer desk) runs the demo at once, as npm start does', () => {
    expect(electronSetupPlan({ argv: [], env: {}, packaged: false, userDataDir })).toEqual({
      env: {},
      setup: false,
    });
  });
});

describe('Electron: the setup window (main/setup-window.ts)', () => {
  const src = parse(join(root, 'main/setup-window.ts'));
  const text = src.getFullText();
  const o = windowOptions(src);

  it('is sandboxed and isolated, without Node and without a preload: it talks to the setup server over loopback only', () => {
    expect(o.get('webPreferences.contextIsolation')).toBe('true');
    expect(o.get('webPreferences.sandbox')).toBe('true');
    expect(o.get('webPreferences.nodeIntegration')).toBe('false');
    expect(o.get('webPreferences.devTools')).toBe('allowDevTools');
    expect(o.has('webPreferences.preload')).toBe(false);
  });

  it('filters keys, stays on the setup origin, opens no windows, grants no permission', () => {
    expect(text).toMatch(
      /'before-input-event'[\s\S]*blockedInput\(input, allowDevTools\)[\s\S]*preventDefault/,
    );
    expect(text).toMatch(/'will-navigate'[\s\S]*new URL\(url\)\.origin !== origin[\s\S]*preventDefault/);
    expect(text).toMatch(/setWindowOpenHandler\(\(\) => \(\{ action: 'deny' \}\)\)/);
    expect(text).toMatch(/setPermissionRequestHandler\([^)]*\) => callback\(false\)\)/);
  });

  it('main.ts starts through the setup plan, and the pad starts on the saved configuration', () => {
    const main = parse(join(root, 'main/main.ts')).getFullText();
    expect(main).toMatch(/\.then\(launch\)/);
    expect(main).toMatch(/electronSetupPlan\(/);
    expect(main).toMatch(/runSetupWindow\(\{ rendererDir: RENDERER_DIR, startPad: start \}\)/);
    expect(main).toMatch(/const config = saved \?\? loadConfig\(\)/);
  });
});
