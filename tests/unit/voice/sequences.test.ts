import { describe, expect, it } from 'vitest';
import { greetingPrompts, windowNumberPrompts } from '../../../renderer/src/voice/prompts.js';

describe('the greeting is composed from pieces with the window number', () => {
  it.each([
    ['1', ['digit-1']],
    ['10', ['num-10']],
    ['12', ['num-10', 'digit-2']],
    ['20', ['digit-2', 'num-10']],
    ['35', ['digit-3', 'num-10', 'digit-5']],
    ['100', ['digit-1', 'num-100']],
    ['105', ['digit-1', 'num-100', 'digit-0', 'digit-5']],
    ['110', ['digit-1', 'num-100', 'digit-1', 'num-10']],
    ['999', ['digit-9', 'num-100', 'digit-9', 'num-10', 'digit-9']],
    ['A3', ['digit-3']],
    ['1024', ['digit-1', 'digit-0', 'digit-2', 'digit-4']],
  ])('zh-CN window %s', (windowNo, want) => {
    expect(windowNumberPrompts(windowNo, 'zh-CN')).toEqual(want);
  });

  it('English reads digit by digit; no digits means a greeting without a number', () => {
    expect(windowNumberPrompts('12', 'en')).toEqual(['digit-1', 'digit-2']);
    expect(greetingPrompts('12', 'zh-CN')).toEqual(['greeting', 'num-10', 'digit-2', 'window', 'rate']);
    expect(greetingPrompts('VIP', 'zh-CN')).toEqual(['greeting', 'rate']);
  });
});
