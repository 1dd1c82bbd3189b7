// The owner and admin commands of DESIGN §5 (init, serve, token, passwd): they open the vault
// file themselves, so their code (and the core) is imported only when one of them runs.
import { collect, examples, parsePort, parsePositiveInt, type Act, type Command } from './options.js';

const VAULT_HELP = 'the vault file (default <home>/vault.db)';
const PASSWORD_STDIN_HELP = 'read the master password from the first line of stdin';

/** Commands that open the vault file themselves (the owner, and admin commands beside it). */
export function addOwnerCommands(program: Command, act: Act): void {
  program
    .command('init')
    .description('create a new vault (asks for a master password twice)')
    .option('--vault <path>', VAULT_HELP)
    .option('--password-stdin', PASSWORD_STDIN_HELP)
    .option('--presets', "add the app's preset categories (OpenAI, Stripe, AWS…)")
    .addHelpText('after', examples('keyden init', 'keyden init --presets', 'keyden init --vault ~/vaults/work.db', 'keyden init --password-stdin < password.txt'))
    .action(act(async (opts: { vault?: string; passwordStdin?: boolean; presets?: boolean }) => (await import('./commands/admin.js')).init(opts)));

  program
    .command('serve')
    .description('run a headless owner: open the vault and serve the local API on 127.0.0.1')
    .option('--vault <path>', VAULT_HELP)
    .option('--port <n>', 'the port (0: any free one; default from settings, else 17321)', parsePort)
    .option('--password-stdin', PASSWORD_STDIN_HELP)
    .addHelpText(
      'after',
      `\nAsks for the master password on a terminal; with neither a terminal nor --password-stdin it\nstarts locked (unlock it later with \`keyden unlock\`). Stops cleanly on Ctrl+C / SIGTERM / SIGQUIT.\n${examples('keyden serve', 'keyden serve --port 0 --password-stdin < password.txt', 'keyden serve --vault ~/vaults/work.db --port 17400')}`,
    )
    .action(act(async (opts: { vault?: string; port?: number; passwordStdin?: boolean }) => (await import('./commands/admin.js')).serve(opts)));

  const token = program
    .command('token')
    .description('create, list or revoke API tokens (opens the vault file; works beside a running owner)')
    .addHelpText('after', examples('TOKEN=$(keyden token create --name ci --scopes entries:read,entries:reveal)', 'keyden token list', 'keyden token revoke 1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b'));

  token
    .command('create')
    .description('create a token and print it once, alone on stdout')
    .requiredOption('--name <name>', 'a name to recognise it by')
    .option(
      '--scopes <list>',
      'comma-separated: categories:read, categories:write, entries:read, entries:write, entries:reveal, audit:read, vault:lock',
      'entries:read,entries:reveal,vault:lock',
    )
    .option('--project <name>', 'limit to this project (repeatable)', collect)
    .option('--env <env>', 'limit to this environment (repeatable)', collect)
    .option('--expires <when>', 'expiry: 30d, 12h, 90m, 2w or an ISO date (default: never)')
    .option('--vault <path>', VAULT_HELP)
    .option('--password-stdin', PASSWORD_STDIN_HELP)
    .addHelpText(
      'after',
      examples(
        'export KEYDEN_TOKEN=$(keyden token create --name laptop --scopes entries:read,entries:reveal)',
        'keyden token create --name deploy --scopes entries:read,entries:reveal --project Blog --env production --expires 30d',
      ),
    )
    .action(
      act(async (opts: { name: string; scopes: string; project?: string[]; env?: string[]; expires?: string; vault?: string; passwordStdin?: boolean }) =>
        (await import('./commands/admin.js')).tokenCreate(opts),
      ),
    );

  token
    .command('list')
    .description('list tokens (never a token string)')
    .option('--json', 'print JSON')
    .option('--vault <path>', VAULT_HELP)
    .option('--password-stdin', PASSWORD_STDIN_HELP)
    .addHelpText('after', examples('keyden token list', 'keyden token list --json'))
    .action(act(async (opts: { json?: boolean; vault?: string; passwordStdin?: boolean }) => (await import('./commands/admin.js')).tokenList(opts)));

  token
    .command('revoke')
    .description('revoke a token at once (a token already revoked: says when, exit 0)')
    .argument('<id-or-name>', "the token's id, or its name when no other token has it (see `keyden token list`)")
    .option('--vault <path>', VAULT_HELP)
    .option('--password-stdin', PASSWORD_STDIN_HELP)
    .addHelpText('after', examples('keyden token revoke 1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b', 'keyden token revoke ci'))
    .action(act(async (id: string, opts: { vault?: string; passwordStdin?: boolean }) => (await import('./commands/admin.js')).tokenRevoke(id, opts)));

  program
    .command('passwd')
    .description('change the master password, rotate the vault key, or raise the KDF cost')
    .option('--vault <path>', VAULT_HELP)
    .option('--password-stdin', 'read the current password from line 1 of stdin and the new one from line 2')
    .option('--rotate-key', 'make a new vault key and re-seal everything under it (the password stays)')
    .option('--kdf-memory <MiB>', 'Argon2id memory in MiB (at least 64; the password stays unless you change it)', parsePositiveInt)
    .option('--kdf-passes <n>', 'Argon2id passes (at least 3)', parsePositiveInt)
    .addHelpText(
      'after',
      `\nWith --rotate-key or --kdf-* only the current password is asked for. A running owner notices a\nrotated key and locks: unlock it again with the same password.\n${examples(
        'keyden passwd',
        "printf '%s\\n%s\\n' \"$OLD\" \"$NEW\" | keyden passwd --password-stdin",
        'keyden passwd --rotate-key',
        'keyden passwd --kdf-memory 256 --kdf-passes 4',
      )}`,
    )
    .action(
      act(async (opts: { vault?: string; passwordStdin?: boolean; rotateKey?: boolean; kdfMemory?: number; kdfPasses?: number }) =>
        (await import('./commands/admin.js')).passwd(opts),
      ),
    );

  program
    .command('backup')
    .description('write a consistent copy of the vault (still encrypted under the same master password), mode 0600')
    .option('-o, --output <file>', 'where to write it (default keyden-backup-<date>.db in the current folder)')
    .option('--vault <path>', VAULT_HELP)
    .option('--password-stdin', PASSWORD_STDIN_HELP)
    .addHelpText(
      'after',
      `\nWorks beside a running owner (SQLite's online backup); audited as vault.backup. An existing\nfile is never replaced.\n${examples('keyden backup', 'keyden backup -o ~/backups/keyden-$(date +%F).db --password-stdin < password.txt')}`,
    )
    .action(act(async (opts: { output?: string; vault?: string; passwordStdin?: boolean }) => (await import('./commands/admin.js')).backup(opts)));

  program
    .command('verify')
    .description("check every row of the vault against its mac, the digest and this machine's known generation (writes nothing)")
    .option('--vault <path>', VAULT_HELP)
    .option('--password-stdin', PASSWORD_STDIN_HELP)
    .option('--json', 'print the report as JSON')
    .addHelpText('after', `\nExit 0 when everything checks, 6 when something was modified, deleted or rolled back.\n${examples('keyden verify', 'keyden verify --json --password-stdin < password.txt')}`)
    .action(act(async (opts: { vault?: string; passwordStdin?: boolean; json?: boolean }) => (await import('./commands/admin.js')).verify(opts)));
}
