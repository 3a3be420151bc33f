/** EVB/1 messages (§3): builders and validating parsers for every type. */
import type { Frame } from './frame.js';

export const T = {
  HELLO: 0x01,
  LEDS: 0x02,
  BEEP: 0x03,
  EVENTS_ACK: 0x04,
  PING: 0x05,
  CONFIG: 0x06,
  INFO: 0x81,
  KEY: 0x82,
  ACK: 0x84,
  PONG: 0x85,
  NAK: 0x86,
} as const;

export const NAK_REASON = { BAD_LENGTH: 1, UNKNOWN_TYPE: 2, OUT_OF_RANGE: 3 } as const;
export const KEY_KIND_PRESS = 1;
export const MAX_LEDS = 8;

export type LedMode = 0 | 1 | 2 | 3 | 4;

export interface InfoMsg {
  protocolVersion: number;
  keyCount: number;
  ledCount: number;
  capabilities: { buzzer: boolean; staffKey: boolean };
  serial: string;
  bootId: number;
  firmware: string;
}
export interface KeyMsg {
  bootId: number;
  counter: number;
  key: number;
  kind: number;
  uptimeMs: number;
}
export interface PongMsg {
  uptimeMs: number;
  stuckKey: boolean;
  overflow: boolean;
}
export interface EventsAckMsg {
  bootId: number;
  counter: number;
}
export interface BeepMsg {
  freqHz: number;
  durationMs: number;
}

/** A payload that does not match its type: the board would NAK it; the host drops it. */
export class PayloadError extends Error {
  constructor(
    message: string,
    readonly reason: 1 | 3,
  ) {
    super(message);
  }
}

const u32 = (n: number): number[] => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const u16 = (n: number): number[] => [(n >>> 8) & 0xff, n & 0xff];
const rd32 = (p: Uint8Array, o: number): number =>
  ((p[o]! << 24) | (p[o + 1]! << 16) | (p[o + 2]! << 8) | p[o + 3]!) >>> 0;
const rd16 = (p: Uint8Array, o: number): number => (p[o]! << 8) | p[o + 1]!;
const isU32 = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 0xffffffff;

function frame(type: number, seq: number, payload: number[] = []): Frame {
  return { type, seq: seq & 0xff, payload: Uint8Array.from(payload) };
}

function need(p: Uint8Array, ok: boolean, what: string): void {
  if (!ok) throw new PayloadError(`${what}: bad payload length ${p.length}`, 1);
}
function range(ok: boolean, what: string): void {
  if (!ok) throw new PayloadError(`${what}: value out of range`, 3);
}

// ---- host → board -------------------------------------------------------------------------

export const hello = (seq: number): Frame => frame(T.HELLO, seq);
export const ping = (seq: number): Frame => frame(T.PING, seq);

export function leds(seq: number, modes: readonly number[]): Frame {
  validateLeds(modes);
  return frame(T.LEDS, seq, [...modes]);
}
export function validateLeds(modes: readonly number[]): void {
  if (modes.length < 1 || modes.length > MAX_LEDS)
    throw new PayloadError(`LEDS: ${modes.length} LEDs, want 1–${MAX_LEDS}`, 1);
  range(
    modes.every((m) => Number.isInteger(m) && m >= 0 && m <= 4),
    'LEDS',
  );
}
export function parseLeds(p: Uint8Array): LedMode[] {
  need(p, p.length >= 1 && p.length <= MAX_LEDS, 'LEDS');
  const modes = [...p];
  range(
    modes.every((m) => m <= 4),
    'LEDS',
  );
  return modes as LedMode[];
}

export function beep(seq: number, freqHz: number, durationMs: number): Frame {
  validateBeep({ freqHz, durationMs });
  return frame(T.BEEP, seq, [...u16(freqHz), ...u16(durationMs)]);
}
export function validateBeep(b: BeepMsg): void {
  range(Number.isInteger(b.freqHz) && b.freqHz >= 100 && b.freqHz <= 8000, 'BEEP frequency (100–8000 Hz)');
  range(
    Number.isInteger(b.durationMs) && b.durationMs >= 1 && b.durationMs <= 2000,
    'BEEP duration (1–2000 ms)',
  );
}
export function parseBeep(p: Uint8Array): BeepMsg {
  need(p, p.length === 4, 'BEEP');
  const b = { freqHz: rd16(p, 0), durationMs: rd16(p, 2) };
  validateBeep(b);
  return b;
}

export function eventsAck(seq: number, bootId: number, counter: number): Frame {
  range(isU32(bootId) && isU32(counter), 'EVENTS_ACK');
  return frame(T.EVENTS_ACK, seq, [...u32(bootId), ...u32(counter)]);
}
export function parseEventsAck(p: Uint8Array): EventsAckMsg {
  need(p, p.length === 8, 'EVENTS_ACK');
  return { bootId: rd32(p, 0), counter: rd32(p, 4) };
}

export function config(seq: number, debounceMs: number): Frame {
  validateDebounce(debounceMs);
  return frame(T.CONFIG, seq, [debounceMs]);
}
export function validateDebounce(ms: number): void {
  range(Number.isInteger(ms) && ms >= 5 && ms <= 100, 'CONFIG debounce (5–100 ms)');
}
export function parseConfig(p: Uint8Array): { debounceMs: number } {
  need(p, p.length === 1, 'CONFIG');
  validateDebounce(p[0]!);
  return { debounceMs: p[0]! };
}

export function parseEmpty(p: Uint8Array, what: string): void {
  need(p, p.length === 0, what);
}

// ---- board → host -------------------------------------------------------------------------

export function info(seq: number, m: InfoMsg): Frame {
  const serial = Buffer.alloc(8, 0x20);
  serial.write(m.serial.slice(0, 8), 'latin1');
  const fw = Buffer.from(m.firmware, 'latin1');
  const caps = (m.capabilities.buzzer ? 1 : 0) | (m.capabilities.staffKey ? 2 : 0);
  return frame(T.INFO, seq, [
    m.protocolVersion,
    m.keyCount,
    m.ledCount,
    caps,
    ...serial,
    ...u32(m.bootId),
    ...fw,
  ]);
}
export function parseInfo(p: Uint8Array): InfoMsg {
  need(p, p.length >= 16, 'INFO');
  const serialBytes = p.subarray(4, 12);
  const fwBytes = p.subarray(16);
  // Serial and firmware go to logs and screens: printable ASCII only.
  const printable = (b: Uint8Array) => b.every((c) => c >= 0x20 && c < 0x7f);
  range(printable(fwBytes), 'INFO firmware');
  range(p[1]! >= 1 && p[1]! <= 6 && p[2]! <= MAX_LEDS, 'INFO counts');
  return {
    protocolVersion: p[0]!,
    keyCount: p[1]!,
    ledCount: p[2]!,
    capabilities: { buzzer: (p[3]! & 1) !== 0, staffKey: (p[3]! & 2) !== 0 },
    // Binary serials are shown as hex so two boards never collide after sanitising.
    serial: printable(serialBytes)
      ? Buffer.from(serialBytes).toString('latin1').trimEnd()
      : Buffer.from(serialBytes).toString('hex'),
    bootId: rd32(p, 12),
    firmware: Buffer.from(fwBytes).toString('latin1'),
  };
}

export function key(seq: number, m: KeyMsg): Frame {
  return frame(T.KEY, seq, [...u32(m.bootId), ...u32(m.counter), m.key, m.kind, ...u32(m.uptimeMs >>> 0)]);
}
export function parseKey(p: Uint8Array): KeyMsg {
  need(p, p.length === 14, 'KEY');
  const m = { bootId: rd32(p, 0), counter: rd32(p, 4), key: p[8]!, kind: p[9]!, uptimeMs: rd32(p, 10) };
  // Counter 0 cannot exist: the board starts at 1.
  range(m.key >= 1 && m.key <= 6 && m.counter >= 1, 'KEY');
  return m;
}

export const ack = (seq: number): Frame => frame(T.ACK, seq);

export function pong(seq: number, m: PongMsg): Frame {
  return frame(T.PONG, seq, [...u32(m.uptimeMs >>> 0), (m.stuckKey ? 1 : 0) | (m.overflow ? 2 : 0)]);
}
export function parsePong(p: Uint8Array): PongMsg {
  need(p, p.length === 5, 'PONG');
  return { uptimeMs: rd32(p, 0), stuckKey: (p[4]! & 1) !== 0, overflow: (p[4]! & 2) !== 0 };
}

export function nak(seq: number, reason: number): Frame {
  return frame(T.NAK, seq, [reason]);
}
export function parseNak(p: Uint8Array): { reason: number } {
  need(p, p.length === 1, 'NAK');
  return { reason: p[0]! };
}

export const NAK_TEXT: Record<number, string> = {
  1: 'bad length',
  2: 'unknown type',
  3: 'value out of range',
};
