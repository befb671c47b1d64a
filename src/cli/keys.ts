import type { Command } from 'commander';
import { rotateSigningKey } from '../secrets.ts';
import type { CliContext } from './context.ts';

export function keysCommand(program: Command, ctx: CliContext): void {
  program
    .command('keys')
    .description('token signing keys')
    .command('rotate')
    .description('add a new signing key in front of the key set; the old keys keep verifying')
    .action(() => rotate(ctx));
}

async function rotate(ctx: CliContext): Promise<void> {
  // Opened first: a rotation that cannot be audited is not done at all.
  await ctx.services();
  const { file, kid, keys } = await rotateSigningKey(ctx.config);
  await ctx.record({ command: 'cli.keys.rotate', outcome: 'success', details: { kid, file, keys } });
  ctx.print(`New signing key ${kid} added in front of ${file} (${keys === 1 ? '1 key' : `${keys} keys`} in the set)`);
  ctx.print('Restart every server instance to sign with it; tokens signed with the older keys keep verifying');
}
