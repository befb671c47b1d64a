import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Locator, Page } from 'playwright-core';
import { isLocale, translator } from '../../src/i18n/index.ts';
import { englishIn, frenchSpacingProblems } from './language-checks.ts';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeResult {
  readonly violations: ReadonlyArray<{
    readonly id: string;
    readonly impact?: string | null;
    readonly help: string;
    readonly nodes: ReadonlyArray<{ readonly target: readonly unknown[] }>;
  }>;
}

type AxeRule = AxeResult['violations'][number];

/**
 * axe-core's violations of impact serious or critical, one line each, and any duplicate id: axe
 * only asks for a review of an id that ARIA references twice (two messages both `password-error`,
 * of which aria-describedby reaches the first), and its plain duplicate-id rule is off by default.
 * The pages' CSP forbids inline scripts, so axe is evaluated over the DevTools protocol (which CSP
 * does not govern) rather than added as a script tag; the contexts keep their CSP, so the pages'
 * own violations show.
 */
async function seriousViolations(page: Page): Promise<string[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(axeSource);
  const result = await page.evaluate(() =>
    (window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResult & { incomplete: AxeResult['violations'] }> } }).axe.run(
      document,
      { resultTypes: ['violations', 'incomplete'], rules: { 'duplicate-id': { enabled: true } } },
    ),
  );
  const duplicateId = (v: AxeRule) => v.id.startsWith('duplicate-id');
  return [
    ...result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical' || duplicateId(v)),
    ...result.incomplete.filter(duplicateId),
  ].map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

interface Structure {
  readonly lang: string;
  readonly title: string;
  readonly overflow: number;
  readonly summary: { first: boolean; links: Array<{ id: string; text: string }> } | undefined;
  readonly fieldErrors: Array<{ errorId: string; id: string; text: string; isInput: boolean; invalid: boolean; describedBy: string }>;
  readonly duplicateIds: string[];
  readonly inputs: Array<{
    id: string;
    name: string;
    type: string;
    autocomplete: string;
    inputmode: string;
    labelled: boolean;
    pasteBlocked: boolean;
    /** Computed colours of the field's edge, its fill and the nearest opaque background around it. */
    colours: { border: string; fill: string; around: string };
  }>;
  readonly hasConfirmation: boolean;
  /** Everything a reader can meet, as separate runs: text (hidden text too, code aside), title, alternative texts. */
  readonly texts: string[];
}

/** Reads, in the page, what the structural checks need. */
function readStructure(): Structure {
  const main = document.querySelector('main');
  const summary = document.querySelector('.error-summary');
  // No named helpers in here: the test loader would wrap them in a function the page does not have.
  const inputs = [...document.querySelectorAll<HTMLInputElement>('input:not([type=hidden])')].map((input) => {
    // A page that cancels paste breaks password managers and copied codes: it must never.
    const paste = new Event('paste', { bubbles: true, cancelable: true });
    input.dispatchEvent(paste);
    const style = getComputedStyle(input);
    let around = 'rgb(255, 255, 255)';
    for (let parent = input.parentElement; parent !== null; parent = parent.parentElement) {
      const colour = getComputedStyle(parent).backgroundColor;
      if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') {
        around = colour;
        break;
      }
    }
    return {
      id: input.id,
      name: input.name,
      type: input.getAttribute('type') ?? 'text',
      autocomplete: input.getAttribute('autocomplete') ?? '',
      inputmode: input.getAttribute('inputmode') ?? '',
      labelled: input.id !== '' && document.querySelector(`label[for="${CSS.escape(input.id)}"]`) !== null,
      pasteBlocked: paste.defaultPrevented,
      colours: { border: style.borderTopColor, fill: style.backgroundColor, around },
    };
  });
  const ids = [...document.querySelectorAll('[id]')].map((el) => el.id);
  const texts: string[] = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
    // Code shows keys and symbols, not sentences.
    if (node.parentElement?.closest('code, script, style') === null && (node.textContent ?? '').trim() !== '') texts.push(node.textContent ?? '');
  }
  for (const el of document.querySelectorAll('*')) {
    for (const attribute of el.attributes) {
      if (['alt', 'title', 'aria-label', 'placeholder'].includes(attribute.name) || /^data-.*label$/.test(attribute.name)) texts.push(attribute.value);
    }
  }
  return {
    lang: document.documentElement.lang,
    title: document.title,
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
    summary:
      summary === null
        ? undefined
        : {
            // Only the wrappers around the summary may come before it in the main content.
            first: [...(main?.querySelectorAll('*') ?? [])].find((el) => el === summary || !el.contains(summary)) === summary,
            links: [...summary.querySelectorAll<HTMLAnchorElement>('li a')].map((a) => ({
              id: (a.getAttribute('href') ?? '').replace(/^#/, ''),
              text: (a.textContent ?? '').trim(),
            })),
          },
    fieldErrors: [...document.querySelectorAll('.field-error')].map((error) => {
      const id = error.id.replace(/-error-\d+$/, '');
      const field = document.getElementById(id);
      return {
        errorId: error.id,
        id,
        // The visually hidden "Error:" prefix is for screen readers; the message follows it.
        text: (error.textContent ?? '').trim(),
        isInput: field instanceof HTMLInputElement,
        invalid: field?.getAttribute('aria-invalid') === 'true',
        describedBy: field?.getAttribute('aria-describedby') ?? '',
      };
    }),
    duplicateIds: ids.filter((id, index) => ids.indexOf(id) !== index),
    inputs,
    hasConfirmation: document.querySelector('input[name=confirmation]') !== null,
    texts,
  };
}

function luminance(colour: string): number {
  const [r = 0, g = 0, b = 0] = (colour.match(/[\d.]+/g) ?? [])
    .map((c) => Number(c) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG's contrast ratio of two opaque computed colours. */
function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (light + 0.05) / (dark + 0.05);
}

/**
 * What every page state must get right apart from axe: the language, the width of a small phone,
 * the GOV.UK error pattern (summary first, each message linked to its field and repeated beside
 * it, "Error:" in the title), labels, CONTRACT section 6's autocomplete and inputmode, paste.
 */
export async function checkStructure(page: Page, state: string): Promise<void> {
  const s = await page.evaluate(readStructure);
  assert.ok(isLocale(s.lang), `${state}: <html lang> names the page language, not "${s.lang}"`);
  const prefix = `${translator(s.lang)('layout.errorPrefix')} `;
  assert.ok(s.overflow <= 0, `${state}: nothing is wider than the window (overflow ${s.overflow}px)`);
  assert.deepEqual(s.duplicateIds, [], `${state}: every id is unique`);
  if (s.lang !== 'en') {
    assert.deepEqual(s.texts.flatMap((text) => englishIn(text, s.lang as 'nl' | 'fr' | 'de')), [], `${state}: no English sentence on a ${s.lang} page`);
  }
  if (s.lang === 'fr') {
    assert.deepEqual(s.texts.flatMap(frenchSpacingProblems), [], `${state}: French no-break spaces`);
  }

  if (s.summary === undefined) {
    assert.ok(!s.title.startsWith(prefix), `${state}: no error, no "${prefix}" in the title`);
    assert.deepEqual(s.fieldErrors, [], `${state}: no field error without the summary`);
  } else {
    assert.ok(s.title.startsWith(prefix), `${state}: the title starts with "${prefix}": ${s.title}`);
    assert.ok(s.summary.first, `${state}: the error summary comes first in the main content`);
    for (const link of s.summary.links) {
      const beside = s.fieldErrors.filter((e) => e.id === link.id);
      assert.ok(beside.length > 0, `${state}: "${link.text}" links to a field with its message beside it (#${link.id})`);
      assert.ok(beside.some((e) => e.text.endsWith(link.text)), `${state}: the same message beside #${link.id}: ${link.text}`);
    }
    for (const error of s.fieldErrors) {
      // A button the error concerns (a refused resend) is described by it, but a button is never invalid.
      if (error.isInput) assert.ok(error.invalid, `${state}: #${error.id} is marked aria-invalid`);
      assert.ok(error.describedBy.split(' ').includes(error.errorId), `${state}: #${error.id} is described by every message of its own: ${error.text}`);
      assert.ok(s.summary.links.some((l) => l.id === error.id && error.text.endsWith(l.text)), `${state}: the summary lists ${error.text}`);
    }
  }

  for (const input of s.inputs) {
    const what = `${state}: input ${input.name}`;
    assert.ok(input.labelled, `${what} has a <label for>`);
    assert.ok(!input.pasteBlocked, `${what} lets people paste`);
    // WCAG 1.4.11: the field's edge against its own fill and against what surrounds it.
    const edge = Math.min(contrast(input.colours.border, input.colours.fill), contrast(input.colours.border, input.colours.around));
    assert.ok(edge >= 3, `${what}: its edge contrasts 3:1 with its fill and its surroundings (${edge.toFixed(2)}:1)`);
    if (input.name === 'code') assert.deepEqual([input.type, input.inputmode, input.autocomplete], ['text', 'numeric', 'one-time-code'], what);
    if (input.name === 'email') assert.deepEqual([input.type, input.autocomplete], ['email', 'username'], what);
    if (input.name === 'password') assert.equal(input.autocomplete, s.hasConfirmation ? 'new-password' : 'current-password', what);
    if (input.name === 'confirmation') assert.equal(input.autocomplete, 'new-password', what);
  }
}

/** Every check of a page state: the structure above and axe (no serious or critical violation). */
export async function checkPage(page: Page, state: string): Promise<void> {
  await checkStructure(page, state);
  assert.deepEqual(await seriousViolations(page), [], `${state}: accessibility`);
}

/**
 * How the focused element shows its focus: through :focus-visible, as an opaque outline of at
 * least 2px or as the yellow focus background (links and buttons keep a transparent outline for
 * forced-colour modes and turn yellow instead). A box-shadow alone does not count: buttons have
 * one at rest.
 */
async function focusRing(page: Page): Promise<{ selector: string; visible: boolean; style: string }> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (el === null || el === document.body) return { selector: 'body', visible: false, style: 'none' };
    const style = getComputedStyle(el);
    const outline = style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) >= 2 && !/rgba\(.*, 0\)$|transparent/.test(style.outlineColor);
    const highlighted = style.backgroundColor === 'rgb(255, 221, 0)';
    return {
      selector: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''}`,
      visible: el.matches(':focus-visible') && (outline || highlighted),
      style: `outline ${style.outlineStyle} ${style.outlineWidth} ${style.outlineColor}; background ${style.backgroundColor}`,
    };
  });
}

/** Presses Tab until `target` has focus, asserting that every element on the way shows its focus. */
export async function tabTo(page: Page, target: Locator, limit = 25): Promise<void> {
  for (let presses = 0; presses < limit; presses++) {
    await page.keyboard.press('Tab');
    const ring = await focusRing(page);
    assert.ok(ring.visible, `keyboard focus is visible on ${ring.selector}: ${ring.style}`);
    if (await target.evaluate((el) => el === document.activeElement)) return;
  }
  assert.fail(`${target.toString()} cannot be reached with the Tab key`);
}
