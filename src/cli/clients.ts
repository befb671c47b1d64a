import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { checkSigningKeys, clientWarnings, loadClients } from '../clients.ts';
import { parseJwks, signingAlgorithms } from '../secrets.ts';
import type { CliContext } from './context.ts';
import { CliError } from './errors.ts';

export function clientsCommand(program: Command, ctx: CliContext): void {
  program
    .command('clients')
    .description('registered OIDC clients')
    .command('check')
    .description(
      'validate SSO_CLIENTS_FILE and list its clients, tab-separated: client id, public or confidential, redirect URIs; then warn about what trips client libraries',
    )
    .action(() => check(ctx));
}

async function check(ctx: CliContext): Promise<void> {
  const file = ctx.config.clientsFile;
  const clients = await loadClients(file);
  // A configured key set is read as it is; a generated one gets every algorithm at the server's start.
  const { jwksFile } = ctx.config;
  if (jwksFile !== undefined) {
    const text = await readFile(jwksFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
      throw new CliError(`Cannot read SSO_JWKS_FILE (${jwksFile}): ${error.code ?? 'error'}`);
    });
    checkSigningKeys(clients, signingAlgorithms(parseJwks(text, `SSO_JWKS_FILE (${jwksFile})`)), `SSO_CLIENTS_FILE (${file})`);
  }
  ctx.print(`${file} is valid: ${clients.length} ${clients.length === 1 ? 'client' : 'clients'}`);
  for (const client of clients) {
    const kind = client.token_endpoint_auth_method === 'none' ? 'public' : 'confidential';
    ctx.print([client.client_id, kind, client.redirect_uris.join(' ')].join('\t'));
  }
  for (const warning of clientWarnings(clients)) ctx.print(`warning: ${warning}`);
}
