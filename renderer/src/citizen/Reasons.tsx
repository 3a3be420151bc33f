import { useState } from 'react';
import type { CitizenPrompt, KioskSnapshot } from '../../../src/api/contract.js';
import { Countdown } from '../components/Countdown.js';
import { ErrorLine } from '../components/ErrorLine.js';
import { Msg } from '../components/Msg.js';
import { TapButton } from '../components/TapButton.js';
import { useCommand, useNow } from '../components/hooks.js';
import { phraseText, useT } from '../i18n/index.js';
import { LanguageSwitch } from './LanguageSwitch.js';
import { OnScreenKeyboard } from './OnScreenKeyboard.js';
import { PromptItems } from './PromptItems.js';
import { starKey, Stars } from './Rating.js';

/**
 * The reasons step. For a 差评 it must be hard to miss (a 差评 left here without an answer reaches
 * the platform as unrated with abandonedSatisfaction): a draining countdown that turns urgent with a
 * spoken reminder, the chosen star echoed, the hall's one-tap quick phrases and an on-screen
 * keyboard, so a citizen without typing skills still answers with a comment.
 */
export function Reasons({ prompt, snapshot }: { prompt: CitizenPrompt; snapshot: KioskSnapshot }) {
  const { run, error, busy } = useCommand();
  const { t, sub, lang } = useT();
  // (CitizenScreen keys this component by step, so the choices start empty for every item.)
  const [codes, setCodes] = useState<string[]>([]);
  const [phrases, setPhrases] = useState<string[]>([]);
  const [typed, setTyped] = useState('');
  const [keyboard, setKeyboard] = useState(false);
  const now = useNow(500);
  const required = prompt.reasonsRequired;
  const chosen = prompt.chosen ?? 0;
  const reminderS = snapshot.citizen.voice.reasonsReminderS;
  const hurry = required && reminderS > 0 && prompt.deadlineMs - now <= reminderS * 1000;
  const comment = [...phrases, typed.trim()].filter(Boolean).join('；');

  const toggle = (list: string[], item: string) =>
    list.includes(item) ? list.filter((c) => c !== item) : [...list, item];
  const submit = (list: string[]) =>
    void run('submitReasons', {
      evaluationId: prompt.evaluationId,
      codes: list,
      ...(comment ? { comment } : {}),
    });

  return (
    <div
      className={`screen reasons${required ? ' required' : ' optional'}${hurry ? ' hurry' : ''}`}
      data-testid="screen-reasons"
    >
      {/* Behind the on-screen keyboard the screen is inert: not touchable, not read out. */}
      <div className="reasons-content" inert={keyboard}>
        <header className="prompt-header">
          <div>
            <h1 className="prompt-title">
              {t(required ? 'reasons.requiredTitle' : 'reasons.optionalTitle')}
            </h1>
            <div className="en prompt-en" lang={lang === 'en' ? undefined : 'en'}>
              {sub(required ? 'reasons.requiredSub' : 'reasons.optionalSub') ??
                t(required ? 'reasons.requiredSub' : 'reasons.optionalSub')}
            </div>
          </div>
          <Countdown deadlineMs={prompt.deadlineMs} urgentBelowS={required ? reminderS : undefined} />
        </header>
        {hurry && (
          <div className="banner hurry" role="alert" data-testid="reasons-hurry">
            <Msg k="reasons.hurry" />
          </div>
        )}
        <div className="chosen-line" data-testid="reasons-chosen">
          <span>{t('reasons.yourRating')}</span>
          <Stars n={chosen} />
          <span className="chosen-words">{t(starKey(chosen))}</span>
        </div>
        {prompt.groupType === 'chain' && prompt.chainMode === 'each' && <PromptItems prompt={prompt} />}
        <div className={`reasons-body${required ? ' with-comment' : ''}`}>
          <div className="chips" role="group" aria-label={t('reasons.group')}>
            {prompt.indicators.map((i) => {
              const on = codes.includes(i.code);
              return (
                <TapButton
                  key={i.code}
                  className={`chip${on ? ' on' : ''}`}
                  aria-pressed={on}
                  data-testid={`reason-${i.code}`}
                  onTap={() => setCodes(toggle(codes, i.code))}
                >
                  <span className="chip-box" aria-hidden="true">
                    {on ? '✓' : ''}
                  </span>
                  {i.name}
                </TapButton>
              );
            })}
          </div>
          {required && (
            <section className="comment-area" aria-label={t('reasons.comment')}>
              <div className="phrases-title">{t('reasons.phrases')}</div>
              <div className="chips phrases" role="group" aria-label={t('reasons.phrases')}>
                {snapshot.citizen.quickPhrases.map((p, idx) => {
                  const text = phraseText(p, lang);
                  const on = phrases.includes(text);
                  return (
                    <TapButton
                      key={idx}
                      className={`chip phrase${on ? ' on' : ''}`}
                      aria-pressed={on}
                      data-testid={`phrase-${idx}`}
                      onTap={() => setPhrases(toggle(phrases, text))}
                    >
                      <span className="chip-box" aria-hidden="true">
                        {on ? '✓' : ''}
                      </span>
                      {text}
                    </TapButton>
                  );
                })}
                <TapButton
                  className="chip type-btn"
                  data-testid="reasons-type"
                  onTap={() => setKeyboard(true)}
                >
                  ⌨ {t('reasons.type')}
                </TapButton>
              </div>
              <div className="comment-privacy" role="note" data-testid="comment-privacy">
                {t('reasons.privacy')}
              </div>
              <div className="comment-preview" data-testid="comment-preview">
                <span className="comment-label">{t('reasons.comment')}：</span>
                <span className={comment ? 'comment-text' : 'comment-text muted'}>
                  {comment || t('reasons.commentEmpty')}
                </span>
                {comment && (
                  <TapButton
                    className="chip clear-btn"
                    data-testid="comment-clear"
                    onTap={() => {
                      setPhrases([]);
                      setTyped('');
                    }}
                  >
                    {t('reasons.clear')}
                  </TapButton>
                )}
              </div>
            </section>
          )}
        </div>
        <div className="footer-row">
          <LanguageSwitch />
          <div className="action-row">
            {!required && (
              <TapButton
                className="big-btn"
                data-testid="reasons-skip"
                disabled={busy}
                onTap={() => submit([])}
              >
                <Msg k="reasons.skip" />
              </TapButton>
            )}
            <TapButton
              className="big-btn primary"
              data-testid="reasons-submit"
              disabled={busy || (required && codes.length === 0 && !comment)}
              onTap={() => submit(codes)}
            >
              <Msg k="reasons.submit" />
            </TapButton>
          </div>
        </div>
        {required && <div className="reasons-expires">{t('reasons.expires')}</div>}
        <ErrorLine error={error} testId="reasons-error" />
      </div>
      {keyboard && <OnScreenKeyboard text={typed} onChange={setTyped} onDone={() => setKeyboard(false)} />}
    </div>
  );
}
