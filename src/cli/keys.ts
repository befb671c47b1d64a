import type { Command } from 'commander';
import { promoteStagedKey, rotateSigningKey } from '../secrets.ts';
import type { CliContext } from './context.ts';
import { CliError } from './errors.ts';

export function keysCommand(program: Command, ctx: CliContext): void {
  program
    .command('keys')
    .description('token signing keys')
    .command('rotate')
    .description('add a new signing key for each algorithm (RS256, ES256, EdDSA) in front of the key set; the old keys keep verifying')
    .option('--stage', 'add them at the end instead: published, but not signing until --promote')
    .option('--promote', 'make the staged keys the signing keys (the old ones keep verifying)')
    .action((options: { stage?: boolean; promote?: boolean }) => rotate(ctx, options));
}

async function rotate(ctx: CliContext, options: { stage?: boolean; promote?: boolean }): Promise<void> {
  if (options.stage === true && options.promote === true) throw new CliError('Use --stage or --promote, not both');
  // Opened first: a rotation that cannot be audited is not done at all.
  await ctx.services();
  const mode = options.promote === true ? 'promote' : options.stage === true ? 'stage' : 'now';
  const { file, kids, keys } = mode === 'promote' ? await promoteStagedKey(ctx.config) : await rotateSigningKey(ctx.config, { stage: mode === 'stage' });
  await ctx.record({ command: 'cli.keys.rotate', outcome: 'success', details: { kids: kids.join(' '), file, keys, mode } });
  const count = keys === 1 ? '1 key' : `${keys} keys`;
  const named = `${kids.length === 1 ? 'key' : 'keys'} ${kids.join(' ')}`;
  if (mode === 'stage') {
    ctx.print(`New ${named} staged at the end of ${file} (${count} in the set): published, not signing`);
    ctx.print('Restart every server instance to publish them; once clients have fetched the new key set, run keys rotate --promote');
    return;
  }
  ctx.print(
    mode === 'promote'
      ? `Staged ${named} moved to the front of ${file} (${count} in the set)`
      : `New signing ${named} added in front of ${file} (${count} in the set)`,
  );
  ctx.print('Restart every server instance to sign with them; tokens signed with the older keys keep verifying');
}
