import type { CitizenLang } from '../../../src/api/citizen.js';
import type { PromptId } from './prompts.js';

export interface VoiceLogEntry {
  lang: CitizenLang;
  id: PromptId;
  /** queued → play → ended, or error; muted when the voice is off or in quiet hours */
  event: 'queued' | 'play' | 'ended' | 'error' | 'muted' | 'dropped';
  atMs: number;
}

declare global {
  // The e2e run reads this to check which prompt played at each step (a few hundred entries).
  var __hcpVoiceLog: VoiceLogEntry[] | undefined;
}

const LOG_CAP = 500;

function log(entry: Omit<VoiceLogEntry, 'atMs'>): void {
  const list = (globalThis.__hcpVoiceLog ??= []);
  list.push({ ...entry, atMs: Date.now() });
  if (list.length > LOG_CAP) list.splice(0, list.length - LOG_CAP);
}

/**
 * Plays prompt files one after another with an <audio> element. A new utterance replaces what
 * is still queued (the citizen hears the current step, not a backlog); a file that fails to load
 * is skipped so one broken prompt never silences the rest.
 */
export class VoicePlayer {
  private queue: Array<{ lang: CitizenLang; id: PromptId }> = [];
  private audio: HTMLAudioElement | null = null;
  private playing: { lang: CitizenLang; id: PromptId } | null = null;
  volume = 0.8;

  say(lang: CitizenLang, ids: PromptId[], opts: { muted?: boolean; after?: boolean } = {}): void {
    if (opts.muted) {
      for (const id of ids) log({ lang, id, event: 'muted' });
      return;
    }
    if (opts.after && this.audio) {
      // A reminder waits for the sentence being spoken instead of cutting it off.
      const more = ids.map((id) => ({ lang, id }));
      for (const q of more) log({ ...q, event: 'queued' });
      this.queue.push(...more);
      return;
    }
    for (const q of this.queue) log({ ...q, event: 'dropped' });
    this.stopCurrent();
    this.queue = ids.map((id) => ({ lang, id }));
    for (const q of this.queue) log({ ...q, event: 'queued' });
    this.next();
  }

  stop(): void {
    for (const q of this.queue) log({ ...q, event: 'dropped' });
    this.queue = [];
    this.stopCurrent();
  }

  private stopCurrent(): void {
    if (this.audio) {
      this.audio.onended = null;
      this.audio.onerror = null;
      this.audio.pause();
      if (this.playing) log({ ...this.playing, event: 'dropped' });
    }
    this.audio = null;
    this.playing = null;
  }

  private next(): void {
    const item = this.queue.shift();
    if (!item) return;
    const audio = new Audio(`/voice/${item.lang}/${item.id}`);
    audio.volume = Math.min(1, Math.max(0, this.volume));
    this.audio = audio;
    this.playing = item;
    const done = (event: 'ended' | 'error') => {
      if (this.audio !== audio) return;
      log({ ...item, event });
      this.audio = null;
      this.playing = null;
      this.next();
    };
    audio.onended = () => done('ended');
    audio.onerror = () => done('error');
    log({ ...item, event: 'play' });
    audio.play().catch(() => done('error'));
  }
}

export const voicePlayer = new VoicePlayer();
