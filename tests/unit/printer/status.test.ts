import { describe, expect, it } from 'vitest';
import { defaultEmulatorState, statusByte, type EmulatorState } from '../../emulators/printer.js';
import { decodeStatus } from '../../../src/hardware/printer/index.js';

const raw = (s: Partial<EmulatorState>) => {
  const st = { ...defaultEmulatorState, ...s };
  return {
    printer: statusByte(st, 1),
    offline: statusByte(st, 2),
    error: statusByte(st, 3),
    paper: statusByte(st, 4),
  };
};

describe('DLE EOT status decoding', () => {
  it('maps each printer condition to the window-api printer states', () => {
    expect(decodeStatus(raw({}))).toMatchObject({
      state: 'ok',
      paperLow: false,
      paperOut: false,
      coverOpen: false,
      detail: null,
    });
    expect(decodeStatus(raw({ paperNearEnd: true }))).toMatchObject({
      state: 'ok',
      paperLow: true,
      paperOut: false,
    });
    expect(decodeStatus(raw({ paperOut: true }))).toMatchObject({
      state: 'paper_out',
      paperLow: true,
      paperOut: true,
    });
    expect(decodeStatus(raw({ coverOpen: true }))).toMatchObject({ state: 'cover_open', coverOpen: true });
    expect(decodeStatus(raw({ coverOpen: true, paperOut: true }))).toMatchObject({
      state: 'cover_open',
      paperOut: true,
    });
    expect(decodeStatus(raw({ cutterError: true }))).toMatchObject({
      state: 'error',
      detail: expect.stringContaining('autocutter'),
    });
    expect(decodeStatus(raw({ offline: true }))).toMatchObject({
      state: 'error',
      detail: expect.stringContaining('offline'),
    });
  });

  it('is absent without an answer and error on a malformed one', () => {
    expect(decodeStatus({ printer: null, offline: null, error: null, paper: null }).state).toBe('absent');
    expect(decodeStatus({ printer: 0xff, offline: 0x12, error: 0x12, paper: 0x12 })).toMatchObject({
      state: 'error',
      detail: expect.stringContaining('malformed'),
    });
  });

  it('uses the bytes a real Epson sends: 0x16 (drawer pin high) is still fine, paper near end 0x1e', () => {
    expect(decodeStatus({ printer: 0x16, offline: 0x12, error: 0x12, paper: 0x1e })).toMatchObject({
      state: 'ok',
      paperLow: true,
    });
    expect(decodeStatus({ printer: 0x1e, offline: 0x32, error: 0x12, paper: 0x7e })).toMatchObject({
      state: 'paper_out',
    });
  });
});
