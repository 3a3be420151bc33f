/** The five 好差评 levels (docs/protocols/rules.md, 二(三)). 3 and above is 好评, 2 and below 差评. */
export const SATISFACTION_LEVELS = [5, 4, 3, 2, 1] as const;
export type Satisfaction = 1 | 2 | 3 | 4 | 5;

export const LEVEL_WORDS: Record<Satisfaction, { zh: string; en: string }> = {
  5: { zh: '非常满意', en: 'Very satisfied' },
  4: { zh: '满意', en: 'Satisfied' },
  3: { zh: '基本满意', en: 'Basically satisfied' },
  2: { zh: '不满意', en: 'Dissatisfied' },
  1: { zh: '非常不满意', en: 'Very dissatisfied' },
};

export function isBadReview(s: number): boolean {
  return s <= 2;
}

export function isSatisfaction(n: number): n is Satisfaction {
  return Number.isInteger(n) && n >= 1 && n <= 5;
}
