// Passphrase strength (zxcvbn-ts, bundled dictionaries, no network) and generated diceware suggestions (EFF word list).
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';

/** zxcvbn's scale: 0 too guessable … 4 very unguessable. 3 ("safely unguessable", ~10^10 guesses) is the floor. */
export const MIN_SCORE = 3;
/** Words in a suggestion: 6 from the 7,776-word EFF list is about 77 bits. */
export const SUGGESTION_WORDS = 6;

export interface Strength {
  score: 0 | 1 | 2 | 3 | 4;
  ok: boolean;
  /** The estimator's own feedback: what is wrong (may be empty) and what would help. */
  warning: string;
  suggestions: string[];
}

let factory: ZxcvbnFactory | null = null;
/** Built on first use: the dictionaries are large and most sessions never score a passphrase. */
function estimator(): ZxcvbnFactory {
  factory ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
  return factory;
}

/** Scores a passphrase; `context` holds words an attacker would try first (site, workspace, user names). */
export function passphraseStrength(passphrase: string, context: string[] = []): Strength {
  const r = estimator().check(passphrase, context);
  return {
    score: r.score,
    ok: r.score >= MIN_SCORE,
    warning: r.feedback.warning ?? '',
    suggestions: r.feedback.suggestions,
  };
}

/** One line for a refusal: the score, the estimator's feedback and a generated passphrase to use instead. */
export function weakPassphraseMessage(what: string, s: Strength): string {
  const why = [s.warning, ...s.suggestions].filter(Boolean).join(' ');
  return `${what} is too easy to guess (strength ${s.score} of 4, at least ${MIN_SCORE} needed)${why ? `: ${why}` : ''}. For example: ${suggestPassphrase()}`;
}

/** A uniform index below n from the platform's CSPRNG (rejection sampling: no modulo bias). */
function randomBelow(n: number): number {
  const limit = Math.floor(0x1_0000_0000 / n) * n;
  const buf = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(buf);
    if (buf[0]! < limit) return buf[0]! % n;
  }
}

/** A diceware passphrase: `words` words drawn uniformly from the EFF large list, joined by hyphens. */
export function suggestPassphrase(words = SUGGESTION_WORDS): string {
  const list = common.dictionary['diceware-common'];
  return Array.from({ length: words }, () => list[randomBelow(list.length)]!).join('-');
}
