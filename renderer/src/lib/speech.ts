/**
 * Voice prompts through the Web Speech API. Many kiosk images ship without a zh-CN voice or
 * without speech at all: every step is guarded so a missing voice never breaks a screen.
 */
export function speak(text: string): void {
  try {
    const synth = (globalThis as { speechSynthesis?: SpeechSynthesis }).speechSynthesis;
    const Utterance = (globalThis as { SpeechSynthesisUtterance?: typeof SpeechSynthesisUtterance })
      .SpeechSynthesisUtterance;
    if (!synth || !Utterance) return;
    synth.cancel();
    const u = new Utterance(text);
    u.lang = 'zh-CN';
    u.rate = 0.9;
    const voice = synth.getVoices().find((v) => v.lang.replace('_', '-').toLowerCase().startsWith('zh'));
    if (voice) u.voice = voice;
    synth.speak(u);
  } catch {
    /* no speech on this machine: the screen still says it */
  }
}
