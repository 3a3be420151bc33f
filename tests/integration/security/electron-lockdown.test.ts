import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { blockedInput, type KeyInput } from '../../../main/input-filter.js';
import { loadConfig } from '../../../src/config/config.js';
import { kioskMode } from '../../../src/config/provisioning.js';
import { readBuilderConfig, root } from '../packaging/builder-config.js';
import { tempDir } from '../../helpers/tmp.js';
import { gate } from '../../../tools/electronegativity.js';

/**
 * The Electron shell's lock-down, read from its source (Electron cannot run here): the calls are
 * found in main/main.ts's syntax tree, so a comment or a string naming them does not count.
 */
const MAIN = join(root, 'main/main.ts');
const source = ts.createSourceFile(MAIN, readFileSync(MAIN, 'utf8'), ts.ScriptTarget.Latest, true);

interface Call {
  callee: string;
  args: ts.NodeArray<ts.Expression>;
  node: ts.CallExpression;
}
function calls(): Call[] {
  const out: Call[] = [];
  const visit = (n: ts.Node) => {
    if (ts.isCallExpression(n))
      out.push({ callee: n.expression.getText(source), args: n.arguments, node: n });
    ts.forEachChild(n, visit);
  };
  visit(source);
  return out;
}
/** `x.on('<event>', handler)` calls on a receiver ending in `receiver`. */
function handlers(receiver: string, event: string): ts.Expression[] {
  return calls()
    .filter(
      (c) =>
        c.callee === `${receiver}.on` &&
        c.args[0] !== undefined &&
        ts.isStringLiteral(c.args[0]) &&
        c.args[0].text === event,
    )
    .map((c) => c.args[1] as ts.Expression);
}
/** The property `name` of the object literal passed to `new BrowserWindow({...})`, nested lookups by dots. */
function windowOption(path: string): ts.Expression | undefined {
  let found: ts.Expression | undefined;
  const visit = (n: ts.Node) => {
    if (ts.isNewExpression(n) && n.expression.getText(source) === 'BrowserWindow') {
      let obj: ts.Expression | undefined = n.arguments?.[0];
      for (const key of path.split('.')) {
        if (!obj || !ts.isObjectLiteralExpression(obj)) return;
        const prop = obj.properties.find((p) => p.name?.getText(source) === key);
        if (!prop) return (obj = undefined);
        obj = ts.isPropertyAssignment(prop)
          ? prop.initializer
          : ts.isShorthandPropertyAssignment(prop)
            ? prop.name
            : undefined;
      }
      found = obj;
    }
    ts.forEachChild(n, visit);
  };
  visit(source);
  return found;
}
/** The initializer of `const <name> = …` anywhere in main.ts. */
function constValue(name: string): string | undefined {
  let text: string | undefined;
  const visit = (n: ts.Node) => {
    if (ts.isVariableDeclaration(n) && n.name.getText(source) === name) text = n.initializer?.getText(source);
    ts.forEachChild(n, visit);
  };
  visit(source);
  return text;
}
const resolve = (e: ts.Expression | undefined) =>
  e && ts.isIdentifier(e) ? (constValue(e.text) ?? e.text) : e?.getText(source);

describe('Electron lock-down in main/main.ts (finding: default menu, no input filter, closes, DevTools)', () => {
  it('removes the application menu: Menu.setApplicationMenu(null)', () => {
    const menu = calls().filter((c) => c.callee === 'Menu.setApplicationMenu');
    expect(menu.map((c) => c.args.map((a) => a.getText(source)).join())).toEqual(['null']);
  });

  it('filters keyboard input before the page: before-input-event prevents what blockedInput names', () => {
    const [handler, ...more] = handlers('win.webContents', 'before-input-event');
    expect(more).toEqual([]);
    const text = handler?.getText(source) ?? '';
    expect(text).toMatch(/blockedInput\(input, allowDevTools\)/);
    expect(text).toMatch(/preventDefault\(\)/);
  });

  it('DevTools only when unpackaged (and never in kiosk mode)', () => {
    expect(resolve(windowOption('webPreferences.devTools'))).toBe('!app.isPackaged && !kiosk');
    // Nothing opens them from code either.
    expect(calls().filter((c) => /openDevTools/.test(c.callee))).toEqual([]);
  });

  it('vetoes the window close in kiosk mode until the app itself quits', () => {
    const [close] = handlers('win', 'close');
    expect(close?.getText(source)).toMatch(/if \(kiosk && !quitting\) e\.preventDefault\(\)/);
    const [beforeQuit] = handlers('app', 'before-quit');
    expect(beforeQuit?.getText(source)).toMatch(/quitting = true/);
  });

  it('kiosk and full screen follow kioskMode(config), on by default once provisioned', () => {
    expect(constValue('kiosk')).toBe('kioskMode(config)');
    expect(resolve(windowOption('kiosk'))).toBe('kioskMode(config)');
    expect(resolve(windowOption('fullscreen'))).toBe('kioskMode(config)');
  });

  it('keeps the renderer sandboxed and isolated, without Node', () => {
    expect(resolve(windowOption('webPreferences.contextIsolation'))).toBe('true');
    expect(resolve(windowOption('webPreferences.sandbox'))).toBe('true');
    expect(resolve(windowOption('webPreferences.nodeIntegration'))).toBe('false');
  });
});

describe('blockedInput: the chords the pad swallows', () => {
  const key = (k: string, mods: Partial<KeyInput> = {}): KeyInput => ({
    type: 'keyDown',
    key: k,
    control: false,
    meta: false,
    alt: false,
    shift: false,
    ...mods,
  });
  it.each([
    ['Ctrl+R', key('r', { control: true }), 'reload'],
    ['Ctrl+Shift+R', key('R', { control: true, shift: true }), 'reload'],
    ['F5', key('F5'), 'reload'],
    ['Ctrl+Shift+I', key('I', { control: true, shift: true }), 'devtools'],
    ['Ctrl+Shift+J', key('J', { control: true, shift: true }), 'devtools'],
    ['F12', key('F12'), 'devtools'],
    ['Cmd+Alt+I', key('i', { meta: true, alt: true }), 'devtools'],
    ['Ctrl+W', key('w', { control: true }), 'close'],
    ['Ctrl+Q', key('q', { control: true }), 'close'],
    ['Alt+F4', key('F4', { alt: true }), 'close'],
    ['Ctrl+=', key('=', { control: true }), 'zoom'],
    ['Ctrl++', key('+', { control: true, shift: true }), 'zoom'],
    ['Ctrl+-', key('-', { control: true }), 'zoom'],
    ['Ctrl+0', key('0', { control: true }), 'zoom'],
    ['Ctrl+numpad +', key('+', { control: true, code: 'NumpadAdd' }), 'zoom'],
    ['Ctrl+P', key('p', { control: true }), 'print'],
    ['Alt+Left', key('ArrowLeft', { alt: true }), 'navigate'],
    ['F11', key('F11'), 'browser'],
    ['Ctrl+U', key('u', { control: true }), 'browser'],
  ])('%s → %s', (_name, input, reason) => {
    expect(blockedInput(input, false)).toBe(reason);
  });

  it('lets typing, digits, Enter and a scanner burst through', () => {
    for (const k of ['a', 'Z', '5', 'Enter', 'Backspace', 'ArrowLeft', ':', '-'])
      expect(blockedInput(key(k), false), k).toBeNull();
    expect(blockedInput(key('r', { control: true, type: 'keyUp' }), false)).toBeNull();
  });

  it('DevTools keys pass only where DevTools are allowed (unpackaged, not kiosk); reload never', () => {
    expect(blockedInput(key('F12'), true)).toBeNull();
    expect(blockedInput(key('r', { control: true }), true)).toBe('reload');
  });
});

describe('kiosk mode on by default once provisioned (src/config/provisioning.ts)', () => {
  const provisioned = {
    'platform.baseUrl': 'https://hcp.example.gov.cn/api',
    'platform.deviceId': 'PAD-370900-0012',
    'platform.deviceSecret': Buffer.alloc(32, 9).toString('base64'),
    'technician.code': '482913',
  };
  const load = (overrides: Record<string, unknown>) => {
    const t = tempDir();
    try {
      return loadConfig({ env: {}, overrides: { dataDir: t.dir, ...overrides } });
    } finally {
      t.cleanup();
    }
  };
  it('a pad for a real platform opens in kiosk mode unless the config says false', () => {
    expect(kioskMode(load(provisioned))).toBe(true);
    expect(kioskMode(load({ ...provisioned, 'shell.kiosk': false }))).toBe(false);
  });
  it('the embedded demo platform (a developer desk) opens windowed unless asked', () => {
    expect(kioskMode(load({}))).toBe(false);
    expect(kioskMode(load({ 'shell.kiosk': true }))).toBe(true);
  });
});

describe('electron-builder.yml electronFuses (finding: no fuses set)', () => {
  it('turns RunAsNode, NODE_OPTIONS and --inspect off; asar-only, asar integrity and cookie encryption on', () => {
    expect(readBuilderConfig().electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      enableCookieEncryption: true,
    });
  });
});

describe('electronegativity gate (tools/electronegativity.ts): the tool exits 0, the gate does not', () => {
  const finding = (check: string, severity: string, file = 'main/main.ts') => ({
    check,
    severity,
    confidence: 'FIRM',
    file,
    line: 1,
    sample: '',
  });
  const reason = 'reviewed: the preload exposes two fixed channels, validated in the main process';
  it('fails on a HIGH or MEDIUM finding without a reason, passes LOW ones', () => {
    const r = gate([finding('AUXCLICK_JS_CHECK', 'MEDIUM'), finding('CSP_GLOBAL_CHECK', 'LOW')], []);
    expect(r.failures).toEqual(['MEDIUM AUXCLICK_JS_CHECK at main/main.ts:1 has no written reason']);
    expect(gate([finding('NODE_INTEGRATION_JS_CHECK', 'HIGH')], []).failures).toHaveLength(1);
  });
  it('accepts a finding whose suppression gives a reason; refuses a token reason and stale entries', () => {
    const f = [finding('PRELOAD_JS_CHECK', 'MEDIUM')];
    expect(gate(f, [{ check: 'PRELOAD_JS_CHECK', file: 'main/main.ts', reason }]).failures).toEqual([]);
    expect(
      gate(f, [{ check: 'PRELOAD_JS_CHECK', file: 'main/main.ts', reason: 'ok' }]).failures,
    ).toHaveLength(1);
    expect(gate([], [{ check: 'PRELOAD_JS_CHECK', file: 'main/main.ts', reason }]).failures[0]).toMatch(
      /stale suppression/,
    );
  });
  it('a file the tool could not parse fails the gate (it would go unchecked)', () => {
    expect(gate([], [], ['main/x.ts: Unexpected token']).failures).toEqual([
      'not checked (parse error): main/x.ts: Unexpected token',
    ]);
  });
  it('every suppression on file has a reason of a sentence', () => {
    const file = JSON.parse(
      readFileSync(join(root, 'tools/electronegativity-suppressions.json'), 'utf8'),
    ) as {
      suppressions: Array<{ reason: string }>;
    };
    for (const s of file.suppressions) expect(s.reason.length).toBeGreaterThan(40);
  });
});
