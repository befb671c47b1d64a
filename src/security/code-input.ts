const CODE = /^[0-9]{6}$/;
// Whitespace of any kind and any dash: codes are often pasted from mail or apps that group digits.
const SEPARATORS = /[\s\p{Pd}]/gu;

/** The six digits a user typed or pasted, or undefined when the input is not a six-digit code. */
export function normaliseCode(input: string): string | undefined {
  const code = input.replace(SEPARATORS, '');
  return CODE.test(code) ? code : undefined;
}
