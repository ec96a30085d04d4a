// Answers the extension's prompts during one call (test mode's prompt hook): a test states what the
// user would pick or type, and gets back every prompt the call showed, to assert that it asked.
import type { Prompt, PromptAnswer } from '../../src/testHook';
import { api } from './helpers';

export type { Prompt };

export async function answering<T>(answer: PromptAnswer, fn: () => Thenable<T> | Promise<T>): Promise<{ result: T; prompts: Prompt[] }> {
  const a = await api();
  const from = a.prompts.seen.length;
  a.prompts.answer = answer;
  try {
    const result = await fn();
    return { result, prompts: a.prompts.seen.slice(from) };
  } finally {
    a.prompts.answer = undefined;
  }
}

/** Answers every modal question with `button` and dismisses everything else. */
export const confirmWith = (button: string): PromptAnswer => (p) => (p.modal && p.choices.includes(button) ? button : undefined);

export function modals(prompts: Prompt[]): Prompt[] {
  return prompts.filter((p) => p.modal && (p.kind === 'warning' || p.kind === 'information' || p.kind === 'error'));
}
