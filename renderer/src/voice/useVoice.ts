import { useEffect, useRef } from 'react';
import { voiceActive } from '../../../src/api/citizen.js';
import type { KioskSnapshot } from '../../../src/api/contract.js';
import { useKiosk } from '../store.js';
import { voicePlayer } from './player.js';
import { greetingPrompts, starPrompt, type PromptId } from './prompts.js';

/**
 * What the pad says at each step: the greeting with the window number when an evaluation opens,
 * the star word once a star is taken, the reasons prompt (and a reminder before the reasons time
 * runs out), thanks, timeout, "paused". A language switch repeats the current step's request in
 * the new language. The greeting is always zh-CN: nobody has chosen another language yet.
 */
export function useVoice(snapshot: KioskSnapshot | null): void {
  const lang = useKiosk((s) => s.lang);
  const last = useRef<{
    evaluationId: string | null;
    step: string | null;
    screen: string | null;
    windowState: string | null;
    lang: string;
    starSpokenFor: string | null;
  }>({ evaluationId: null, step: null, screen: null, windowState: null, lang: 'zh-CN', starSpokenFor: null });

  useEffect(() => {
    if (!snapshot) return;
    const voice = snapshot.citizen.voice;
    voicePlayer.volume = voice.volume;
    const say = (ids: Array<PromptId | null>, inLang = lang) =>
      voicePlayer.say(
        inLang,
        ids.filter((x): x is PromptId => x !== null),
        { muted: !voiceActive(voice, Date.now()) },
      );
    const prev = last.current;
    const p = snapshot.prompt;
    const id = p?.evaluationId ?? null;
    const step = p ? `${p.evaluationId}#${p.currentIdx}#${p.chosen ?? '-'}` : null;

    if (id && id !== prev.evaluationId) {
      say(greetingPrompts(snapshot.windowNo, 'zh-CN'), 'zh-CN');
    } else if (p && lang !== prev.lang) {
      say([p.chosen !== null && p.reasonsRequired ? 'reasons' : 'rate']);
    } else if (p && step !== prev.step) {
      if (p.chosen !== null) {
        prev.starSpokenFor = p.evaluationId;
        say([starPrompt(p.chosen), p.reasonsRequired ? 'reasons' : null]);
      } else if (snapshot.screen === 'rating') {
        say(['rate']); // the next item of a chain
      }
    } else if (snapshot.screen === 'thanks' && prev.screen !== 'thanks') {
      const star = prev.starSpokenFor === prev.evaluationId ? null : starPrompt(snapshot.thanksChosen ?? 0);
      say([star, 'thanks']);
    } else if (snapshot.screen === 'unrated' && prev.screen !== 'unrated') {
      say(['timeout']);
    } else if (
      snapshot.screen === 'idle' &&
      snapshot.windowState === 'paused' &&
      prev.windowState !== 'paused'
    ) {
      say(['paused'], 'zh-CN');
    }
    last.current = {
      evaluationId: id ?? prev.evaluationId,
      step,
      screen: snapshot.screen,
      windowState: snapshot.windowState,
      lang,
      starSpokenFor: prev.starSpokenFor,
    };
  }, [snapshot, lang]);

  // The reasons reminder: once per reasons step, `reasonsReminderS` before its time runs out.
  const p = snapshot?.prompt ?? null;
  const reminderAtMs =
    p && p.chosen !== null && p.reasonsRequired && snapshot
      ? p.deadlineMs - snapshot.citizen.voice.reasonsReminderS * 1000
      : null;
  const reminderOn = snapshot !== null && snapshot.citizen.voice.reasonsReminderS > 0;
  useEffect(() => {
    if (reminderAtMs === null || !reminderOn) return;
    const delay = reminderAtMs - Date.now();
    if (delay < 0) return;
    const timer = setTimeout(() => {
      const s = useKiosk.getState();
      const voice = s.snapshot?.citizen.voice;
      if (!voice || s.snapshot?.screen !== 'reasons') return;
      voicePlayer.say(s.lang, ['reasons-reminder'], { muted: !voiceActive(voice, Date.now()), after: true });
    }, delay);
    return () => clearTimeout(timer);
  }, [reminderAtMs, reminderOn]);
}
