// The `keyden` command line (DESIGN §5): options and help only; each command's code is imported
// when it runs, so that `keyden get` loads no more than it needs.
import { oneLine } from './errors.js';
import { collect, commander, ENV_HELP, examples, parseCount, type Act, type Command } from './options.js';
import { addOwnerCommands } from './program-owner.js';
import { addProjectCommands } from './program-projects.js';

const { Option } = commander;
export const CommanderError = commander.CommanderError;

export type ExitCodeSink = (code: number) => void;

export function buildProgram(version: string, done: ExitCodeSink): Command {
  const program = new commander.Command('keyden');
  program
    .description('Keyden: your API keys from the local vault, for scripts and shells.\nThe desktop app or `keyden serve` must be running; see `keyden status`.')
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .enablePositionalOptions()
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      outputError: (message, write) => write(`keyden: ${oneLine(message.replace(/^error: /, ''))}\n`),
    })
    .addHelpText(
      'after',
      `\nThe owner is found via KEYDEN_URL, else <home>/keyden.sock, else <home>/api.json (never a fixed\nport; over TCP it must first prove it holds api.json's proof key);\nthe token via KEYDEN_TOKEN, else <home>/credentials (written by \`keyden login\`).\n<home> is $KEYDEN_HOME, else ~/.config/keyden (Linux).\n\nExit codes: 0 ok, 1 error, 2 usage or ambiguous ref, 3 not found, 4 unauthorized or\nmissing scope, 5 vault locked, 6 conflict.\n${examples('keyden login', 'keyden get OpenAI/Blog', 'keyden export --project Blog -o .env', 'keyden run --project Blog -- npm start')}`,
    );

  const act: Act =
    (load) =>
    async (...args) => {
      done(await load(...args));
    };

  program
    .command('status')
    .description("show the owner's URL, whether the vault is locked, and the token's name and scopes")
    .option('--json', 'print JSON')
    .addHelpText('after', examples('keyden status', 'keyden status --json'))
    .action(act(async (opts: { json?: boolean }) => (await import('./commands/read.js')).status(opts)));

  program
    .command('list')
    .description('list entries (never values): a table on a terminal, tab-separated lines otherwise')
    .option('--project <name>', 'only this project')
    .option('--env <env>', `only this ${ENV_HELP}`)
    .option('--category <name>', 'only this category')
    .option('--json', 'print JSON')
    .addHelpText('after', examples('keyden list', 'keyden list --project "Blog Project" --env production', 'keyden list --category OpenAI --json'))
    .action(act(async (opts: { project?: string; env?: string; category?: string; json?: boolean }) => (await import('./commands/read.js')).list(opts)));

  program
    .command('get')
    .description('print a value and one newline')
    .argument('<ref>', 'an entry id, Category/Project[/env] (case-insensitive), or a variable name with --project')
    .option('--project <name>', 'the ref is a variable name (e.g. OPENAI_API_KEY) in this project')
    .option('--env <env>', `with --project: this ${ENV_HELP} (else its shared * entry)`)
    .option('--version <n>', 'a previous value (see keyden history)', parseCount)
    .option('--field <name>', "one field of a group entry (e.g. AWS_SECRET_ACCESS_KEY)")
    .option('--json', 'print JSON: {id, name, environment, value} (a group: all fields)')
    .option('-n, --no-newline', 'omit the final newline')
    .addHelpText(
      'after',
      examples(
        'keyden get OpenAI/Blog',
        'keyden get OpenAI/Blog/production -n | pbcopy',
        'keyden get AWS/Blog --field AWS_SECRET_ACCESS_KEY',
        'keyden get OPENAI_API_KEY --project Blog --env production',
        'keyden get OpenAI/Blog/production --version 3',
        'OPENAI_API_KEY=$(keyden get OpenAI/Blog) node app.js',
      ),
    )
    .action(act(async (ref: string, opts: { field?: string; json?: boolean; newline: boolean; project?: string; env?: string; version?: string }) => (await import('./commands/read.js')).get(ref, opts)));

  program
    .command('export')
    .description("print (or write) a project's variables for one environment")
    .requiredOption('--project <name>', 'the project')
    .option('--env <env>', ENV_HELP, 'development')
    .addOption(new Option('--format <format>', 'output format').choices(['dotenv', 'json', 'shell']).default('dotenv'))
    .option('-o, --output <file>', 'write to FILE (mode 0600) instead of stdout')
    .option('--force', 'overwrite FILE if it exists')
    .addHelpText(
      'after',
      `\n-o FILE is created with mode 0600; a shell redirect (> .env) creates it with the shell's umask\n(often 0644: readable by every local user).\n${examples(
        'keyden export --project Blog -o .env',
        'keyden export --project Blog --env production -o .env.production',
        'eval "$(keyden export --project Blog --format shell)"',
      )}`,
    )
    .action(act(async (opts: { project: string; env: string; format: 'dotenv' | 'json' | 'shell'; output?: string; force?: boolean }) => (await import('./commands/env.js')).exportEnv(opts)));

  program
    .command('run')
    .description("run a command with a project's variables in its environment (nothing is written to disk)")
    .option('--project <name>', 'the project whose variables the command gets')
    .option('--env <env>', ENV_HELP, 'development')
    .option('--env-file <file>', 'also a .env file whose values may be keyden:// references (repeatable; later ones win)', collect)
    .option('--masking', "replace injected values in the command's output with <concealed by keyden> (default on a terminal)")
    .option('--no-masking', "pass the command's output through untouched (default when stdout is not a terminal)")
    .option('--allow-env <names>', 'also set these variables from the vault, though they decide what code runs (PATH, NODE_OPTIONS, LD_*…; comma-separated, repeatable)', collect)
    .argument('<command...>', 'the command and its arguments, after --')
    .passThroughOptions()
    .addHelpText(
      'after',
      `\nThe command's stdin, stdout and stderr are the terminal's; its exit code is keyden's; a command\nkilled by signal N makes keyden exit 128+N. KEYDEN_TOKEN is removed from its environment.\nOn a terminal, values injected into the command that appear in its output are shown as\n<concealed by keyden> (its output then goes through keyden; --no-masking turns that off).\nIn an --env-file, a value keyden://Category/Project[/env][/FIELD] is replaced by that secret; other\nvalues are passed as they are. Its variables override the project's.\nVariables that decide what code runs (PATH, NODE_OPTIONS, npm_config_*, LD_PRELOAD, DYLD_*, BASH_ENV,\nPYTHONPATH, GIT_SSH, EDITOR, KEYDEN_*…: docs/cli.md) are not set from the vault unless --allow-env\nnames them: keyden exits 2.\n${examples(
        'keyden run --project Blog -- npm start',
        'keyden run --project Blog --env staging -- node -e "console.log(process.env.OPENAI_API_KEY.length)"',
        'keyden run --env-file .env.keyden -- npm test      # .env.keyden: OPENAI_API_KEY=keyden://OpenAI/Blog/development',
      )}`,
    )
    .action(act(async (command: string[], opts: { project?: string; env: string; envFile?: string[]; masking?: boolean; allowEnv?: string[] }) => (await import('./commands/env.js')).run(command, opts)));

  program
    .command('inject')
    .description('fill a template\'s {{ keyden://Category/Project[/env][/FIELD] }} placeholders with their secrets')
    .requiredOption('-i, --in <file>', 'the template (- reads stdin)')
    .option('-o, --output <file>', 'write to FILE (mode 0600) instead of stdout')
    .option('--force', 'overwrite FILE if it exists')
    .addHelpText(
      'after',
      `\nEvery placeholder is resolved before anything is written; an unknown one exits 3 and writes nothing.\n${examples(
        'keyden inject -i config.tpl.yml -o config.yml',
        `echo 'token: {{ keyden://GitHub/Deploy/production }}' | keyden inject -i -`,
        'keyden inject -i aws.tpl -o ~/.aws/credentials --force   # {{ keyden://AWS/Blog/production/AWS_SECRET_ACCESS_KEY }}',
      )}`,
    )
    .action(act(async (opts: { in: string; output?: string; force?: boolean }) => (await import('./commands/env.js')).inject(opts)));

  program
    .command('import')
    .description("import a .env, JSON or shell-export file into a project's environment (- reads stdin)")
    .argument('<file>', 'the file')
    .requiredOption('--project <name>', 'the project (created if new)')
    .option('--env <env>', `${ENV_HELP}, or '*' for variables shared by every environment`, 'development')
    .addOption(new Option('--format <format>', 'the file\'s format (default: by extension, else by content)').choices(['dotenv', 'json', 'shell']))
    .option('--skip-existing', 'leave variables that already have an entry unchanged')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `\nJSON: {"VAR": "value"} or {"VAR": {"value": "…", "notes": "…"}}. Variables no category claims go to\nthe built-in Variables category. Lines dotenv ignores, keys set twice and a # that cut a value are\nreported as warnings; a non-empty file without any variable exits 1.\n${examples(
        'keyden import .env --project Blog',
        'keyden import .env.production --project Blog --env production --skip-existing',
        "keyden import shared.env --project Blog --env '*'",
        'keyden import secrets.json --project Blog',
        'keyden export --project Blog --format shell | keyden import - --project Copy --format shell',
      )}`,
    )
    .action(act(async (file: string, opts: { project: string; env: string; format?: 'dotenv' | 'json' | 'shell'; skipExisting?: boolean; json?: boolean }) => (await import('./commands/write.js')).importEnv(file, opts)));

  program
    .command('add')
    .description('add an entry; the value is read from stdin (asked without echo on a terminal)')
    .requiredOption('--category <name>', 'the category (service), e.g. OpenAI')
    .requiredOption('--project <name>', 'the project')
    .option('--env <env>', ENV_HELP, 'development')
    .option('--notes <text>', 'notes (not secret)')
    .option('--env-var <VAR>', "the variable this entry writes instead of its category's (required in Variables)")
    .option('--expires <when>', 'when the key expires: 90d, 2w, 12h or a date such as 2027-01-01')
    .option('--json', 'print the new entry as JSON')
    .addHelpText(
      'after',
      `\nFrom a pipe the value is stdin exactly, minus one final newline. A group entry reads a JSON\nobject of its fields.\n${examples(
        'keyden add --category OpenAI --project Blog',
        'echo "$KEY" | keyden add --category OpenAI --project Blog --env production',
        'keyden add --category "Google Cloud" --project Blog < service-account.pem',
        `echo '{"AWS_ACCESS_KEY_ID":"AKIA…","AWS_SECRET_ACCESS_KEY":"…","AWS_REGION":"eu-west-1"}' | keyden add --category AWS --project Blog`,
        "echo info | keyden add --category Variables --env-var LOG_LEVEL --project Blog --env '*'",
      )}`,
    )
    .action(act(async (opts: { category: string; project: string; env: string; notes?: string; envVar?: string; expires?: string; json?: boolean }) => (await import('./commands/write.js')).add(opts)));

  program
    .command('set')
    .description("replace an entry's value from stdin (the old one is kept as a version)")
    .argument('<ref>', 'an entry id, Category/Project[/env], or a variable name with --project')
    .option('--project <name>', 'the ref is a variable name in this project')
    .option('--env <env>', `with --project: this ${ENV_HELP}`)
    .option('--json', 'print the entry as JSON')
    .option('--allow-empty', 'store an empty value when stdin is empty (refused otherwise)')
    .option('--notes <text>', 'set the notes (with an empty stdin or on a terminal, only the notes change)')
    .option('--expires <when>', 'set the expiry: 90d, 2w, 12h, a date such as 2027-01-01, or never')
    .addHelpText('after', examples('keyden set OpenAI/Blog/production', 'keyden set OpenAI/Blog --notes "billing: team card" --expires 90d', 'echo "debug" | keyden set LOG_LEVEL --project Blog --env staging', 'keyden set OpenAI/Blog < key.txt', 'keyden set AWS/Blog < aws.json   # {"AWS_ACCESS_KEY_ID":"…","AWS_SECRET_ACCESS_KEY":"…","AWS_REGION":"us-east-1"}'))
    .action(
      act(async (ref: string, opts: { json?: boolean; project?: string; env?: string; allowEmpty?: boolean; notes?: string; expires?: string }) =>
        (await import('./commands/write.js')).set(ref, opts),
      ),
    );

  program
    .command('rm')
    .description('move an entry and its history to the trash for 30 days (asks for y unless --yes)')
    .argument('<ref>', 'an entry id, Category/Project[/env], or a variable name with --project')
    .option('--project <name>', 'the ref is a variable name in this project')
    .option('--env <env>', `with --project: this ${ENV_HELP}`)
    .option('-y, --yes', 'do not ask')
    .addHelpText('after', examples('keyden rm OpenAI/Blog/staging', 'keyden rm 1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b --yes', 'keyden rm NEW_THING --project Blog --env development --yes', 'keyden trash   # then: keyden restore <id>'))
    .action(act(async (ref: string, opts: { yes?: boolean; project?: string; env?: string }) => (await import('./commands/write.js')).rm(ref, opts)));

  program
    .command('categories')
    .description('list categories (services) and their variables')
    .option('--json', 'print JSON')
    .addHelpText('after', examples('keyden categories', 'keyden categories --json'))
    .action(act(async (opts: { json?: boolean }) => (await import('./commands/read.js')).categories(opts)));

  program
    .command('lock')
    .description('lock the vault now')
    .addHelpText('after', examples('keyden lock'))
    .action(act(async () => (await import('./commands/session.js')).lock()));

  program
    .command('unlock')
    .description('unlock the vault with the master password (asked without echo)')
    .option('--password-stdin', 'read the password from the first line of stdin')
    .option('--accept-rollback', 'open a vault older than the one last opened on this machine (you restored it from a backup)')
    .addHelpText('after', examples('keyden unlock', 'keyden unlock --password-stdin < ~/.secrets/keyden-password', 'keyden unlock --accept-rollback'))
    .action(act(async (opts: { passwordStdin?: boolean; acceptRollback?: boolean }) => (await import('./commands/session.js')).unlock(opts)));

  program
    .command('login')
    .description('ask the desktop app for a token (you approve it there) and store it in <home>/credentials')
    .option('--scopes <list>', 'comma-separated scopes', 'entries:read,entries:reveal,vault:lock')
    .option('--project <name>', 'limit the token to this project (repeatable)', collect)
    .option('--env <env>', 'limit the token to this environment (repeatable)', collect)
    .option('--name <name>', 'the name the app shows for this client')
    .addHelpText(
      'after',
      `\nScopes: categories:read, categories:write, entries:read, entries:write, entries:reveal, audit:read, vault:lock (lock and unlock).\nA headless owner (\`keyden serve\`) cannot approve: make a token there with \`keyden token create\`.\n${examples('keyden login', 'keyden login --scopes entries:read,entries:reveal,entries:write --project Blog')}`,
    )
    .action(act(async (opts: { scopes: string; project?: string[]; env?: string[]; name?: string }) => (await import('./commands/session.js')).login(opts)));

  program
    .command('logout')
    .description('remove the token stored by `keyden login`')
    .addHelpText('after', examples('keyden logout'))
    .action(act(async () => (await import('./commands/session.js')).logout()));

  program
    .command('audit')
    .description('show the audit log, newest first (never a secret)')
    .option('--limit <n>', 'how many events', parseCount, '50')
    .option('--offset <n>', 'skip this many', parseCount)
    .option('--action <action>', 'only this action, e.g. entry.reveal')
    .option('--from <time>', 'only events at or after this ISO time or date')
    .option('--to <time>', 'only events up to this ISO time (a date: through that day)')
    .option('--actor <actor>', 'only this actor: app, cli or token:<id>')
    .option('--target <id>', 'only events about this entry, category or token id')
    .option('--json', 'print JSON')
    .addHelpText('after', examples('keyden audit', 'keyden audit --action entry.reveal --limit 10 --json', 'keyden audit --from 2026-12-01 --to 2026-12-03 --actor app'))
    .action(act(async (opts: import('./commands/read.js').AuditOptions) => (await import('./commands/read.js')).audit(opts)));

  addProjectCommands(program, act);
  addOwnerCommands(program, act);
  return program;
}
