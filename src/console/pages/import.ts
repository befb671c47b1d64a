import type { Context } from 'koa';
import { z } from 'zod';
import { maxImportBytes, type FileProblem, type RowFate } from '../../accounts/import.ts';
import type { Translate } from '../../i18n/index.ts';
import { PageError } from '../../web/errors.ts';
import type { ConsoleKit, Operator } from '../kit.ts';
import type { ConsolePage } from '../registry.ts';
import type { ConsoleServices } from '../services.ts';
import { readUpload } from '../upload.ts';

/** Rows a check or an import lists: the counts cover the whole file, a page this many rows. */
const listedRows = 1000;

const importForm = z.object({ digest: z.string().regex(/^[0-9a-f]{64}$/) });

function describeRow(t: Translate, row: RowFate): string {
  switch (row.fate) {
    case 'add':
      return row.name === null ? row.email : `${row.email} (${row.name})`;
    case 'exists':
      return row.repeatsLine === undefined ? row.email : t('console.import.repeats', { email: row.email, line: row.repeatsLine });
    case 'invalid': {
      const { code, ...params } = row.problem;
      return t(`console.import.problem.${code}`, params);
    }
  }
}

function fileError(t: Translate, problem: FileProblem): string {
  return problem.code === 'header' ? t('console.import.error.header', { line: problem.line }) : t(`console.import.error.${problem.code}`);
}

function showForm(kit: ConsoleKit, ctx: Context, operator: Operator, error?: string, status = 200): void {
  const { t } = operator;
  kit.render(
    ctx,
    operator,
    'console-import',
    { title: t('console.import.title'), errors: error === undefined ? [] : [{ field: 'file', message: error }], checkAction: kit.href('/admin/import/check') },
    status,
  );
}

/** The rows of a check or an import as the page lists them, and the counts of the whole file. */
function rowsModel(t: Translate, rows: readonly RowFate[], counts: { add: number; exists: number; invalid: number }) {
  return {
    counts,
    rows: rows.slice(0, listedRows).map((row) => ({ line: row.line, fate: row.fate, label: t(`console.import.fate.${row.fate}`), details: describeRow(t, row) })),
    shown: rows.length > listedRows ? t('console.import.shown', { shown: listedRows, total: rows.length }) : undefined,
  };
}

/**
 * Import users (admin), in two steps. Check file: the uploaded CSV (multipart, at most 10 MB) is
 * checked (src/accounts/import.ts), each row's fate shown, nothing changed, and the file kept in the
 * store for this console session. Import: the form carries only the checked file's SHA-256; the
 * kept file is taken once, refused when it is not the one checked (another file was checked since)
 * or no longer kept, and applied in one transaction, each account audited with the acting account.
 */
export const importPage: ConsolePage<ConsoleServices> = {
  menu: { label: 'console.menu.import', path: '/admin/import', action: 'import' },
  routes(router, kit, services) {
    router.get('/admin/import', async (ctx) => {
      const operator = await kit.enter(ctx, { action: 'import', fresh: true });
      if (operator === undefined) return;
      showForm(kit, ctx, operator);
    });

    router.post('/admin/import/check', async (ctx) => {
      const operator = await kit.enter(ctx, { action: 'import', fresh: true, returnTo: kit.href('/admin/import') });
      if (operator === undefined) return;
      const { t } = operator;
      const upload = await readUpload(ctx, operator, { fileField: 'file', maxFileBytes: maxImportBytes, tooLargeMessage: t('console.import.error.too-large') });
      if (upload.file === undefined) return showForm(kit, ctx, operator, t('console.import.error.missing'), 400);
      const result = await services.imports.check(upload.file);
      if (!result.ok) return showForm(kit, ctx, operator, fileError(t, result.problem), result.problem.code === 'too-large' ? 413 : 400);
      const digest = await services.checkedImports.keep(operator.signedIn.sessionId, upload.file);
      const { checked } = result;
      kit.render(ctx, operator, 'console-import-checked', {
        title: t('console.import.checked'),
        ...rowsModel(t, checked.rows, checked.counts),
        digest,
        importAction: kit.href('/admin/import'),
        again: kit.href('/admin/import'),
      });
    });

    router.post('/admin/import', async (ctx) => {
      const operator = await kit.enter(ctx, { action: 'import', fresh: true, returnTo: kit.href('/admin/import') });
      if (operator === undefined) return;
      const { t } = operator;
      const form = importForm.safeParse(await kit.readForm(ctx, operator));
      if (!form.success) throw new PageError(400, 'badRequest', undefined, kit.href('/admin/import'));
      const kept = await services.checkedImports.take(operator.signedIn.sessionId, form.data.digest);
      if (kept === 'missing') return showForm(kit, ctx, operator, t('console.import.gone'), 409);
      if (kept === 'changed') return showForm(kit, ctx, operator, t('console.import.changed'), 409);
      const result = await services.imports.check(kept);
      // The kept file passed this check before; the same bytes pass it again.
      if (!result.ok) return showForm(kit, ctx, operator, fileError(t, result.problem), 400);
      const applied = await services.imports.apply(kit.actor(ctx, operator), result.checked);
      kit.render(ctx, operator, 'console-import-done', {
        title: t('console.import.done'),
        ...rowsModel(t, applied.rows, { add: applied.added, exists: applied.skipped, invalid: applied.invalid }),
        users: kit.href('/admin/users'),
        again: kit.href('/admin/import'),
      });
    });
  },
};
