// The commands of DESIGN §9: projects and environments, promote, templates and validate, the
// trash, history and categories. Options and help only; the code is imported when one runs.
import { commander, ENV_HELP, examples, parseCount, type Act, type Command } from './options.js';

const { Option } = commander;
const projectCommands = async () => import('./commands/projects.js');
const historyCommands = async () => import('./commands/history.js');

export function addProjectCommands(program: Command, act: Act): void {
  program
    .command('projects')
    .description('list projects with their environments, entry counts and descriptions')
    .option('--search <text>', 'only projects whose name or description contains this')
    .option('--json', 'print JSON')
    .addHelpText('after', examples('keyden projects', 'keyden projects --search shop --json'))
    .action(act(async (opts: { search?: string; json?: boolean }) => (await projectCommands()).projects(opts)));

  const project = program.command('project').description('rename, describe or delete a project');
  project
    .command('rename')
    .description('rename a project (moves every entry; refused if the new name is taken)')
    .argument('<project>', 'the project')
    .argument('<new-name>', 'its new name')
    .addHelpText('after', examples('keyden project rename Blog "Blog v2"'))
    .action(act(async (name: string, to: string) => (await projectCommands()).patchProject(name, { name: to })));
  project
    .command('describe')
    .description("set a project's description and/or its environments list")
    .argument('<project>', 'the project')
    .option('--description <text>', 'the description ("" clears it)')
    .option('--envs <list>', 'comma-separated environments the project has, even without entries')
    .addHelpText('after', examples('keyden project describe Shop --description "the shop backend"', 'keyden project describe Shop --envs development,staging,production'))
    .action(act(async (name: string, opts: { description?: string; envs?: string }) => (await projectCommands()).describeProject(name, opts)));
  project
    .command('rm')
    .description('move every entry of a project to the trash (asks for y unless --yes)')
    .argument('<project>', 'the project')
    .option('-y, --yes', 'do not ask')
    .addHelpText('after', examples('keyden project rm "Old prototype" --yes'))
    .action(act(async (name: string, opts: { yes?: boolean }) => (await projectCommands()).removeProject(name, opts)));

  const env = program.command('env').description("rename or delete one of a project's environments");
  env
    .command('rename')
    .description("rename an environment (moves its entries; refused if one would collide)")
    .requiredOption('--project <name>', 'the project')
    .argument('<env>', 'the environment')
    .argument('<new-name>', 'its new name')
    .addHelpText('after', examples('keyden env rename --project Shop stage staging'))
    .action(act(async (from: string, to: string, opts: { project: string }) => (await projectCommands()).renameEnvironment(opts.project, from, to)));
  env
    .command('rm')
    .description("move an environment's entries to the trash (asks for y unless --yes)")
    .requiredOption('--project <name>', 'the project')
    .argument('<env>', 'the environment')
    .option('-y, --yes', 'do not ask')
    .addHelpText('after', examples('keyden env rm --project Shop qa --yes'))
    .action(act(async (name: string, opts: { project: string; yes?: boolean }) => (await projectCommands()).removeEnvironment(opts.project, name, opts)));

  program
    .command('promote')
    .description("copy one environment's entries into another (names only are shown, never values)")
    .requiredOption('--project <name>', 'the project')
    .requiredOption('--from <env>', `the source ${ENV_HELP}`)
    .requiredOption('--to <env>', 'the target environment')
    .option('--only <list>', 'comma-separated variables to copy (default: all of the source)')
    .option('--overwrite', 'replace values the target already has (else they are skipped)')
    .option('--dry-run', 'show what would change; write nothing')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      examples(
        'keyden promote --project Shop --from staging --to production --dry-run',
        'keyden promote --project Shop --from staging --to production --only STRIPE_SECRET_KEY,LOG_LEVEL --overwrite',
      ),
    )
    .action(act(async (opts: { project: string; from: string; to: string; only?: string; overwrite?: boolean; dryRun?: boolean; json?: boolean }) => (await projectCommands()).promote(opts)));

  const template = program.command('template').description('the variables every environment of a project must have');
  template
    .command('set')
    .description("set a project's template (no variables clears it)")
    .argument('<project>', 'the project')
    .argument('[variables...]', 'the required variable names')
    .addHelpText('after', examples('keyden template set Shop DATABASE_URL STRIPE_SECRET_KEY OPENAI_API_KEY', 'keyden template set Shop'))
    .action(act(async (name: string, variables: string[]) => (await projectCommands()).setTemplate(name, variables)));

  program
    .command('validate')
    .description("name the template's variables an environment lacks (exit 1 when any is missing)")
    .requiredOption('--project <name>', 'the project')
    .option('--env <env>', ENV_HELP, 'development')
    .option('--json', 'print JSON')
    .addHelpText('after', examples('keyden validate --project Shop --env production', 'keyden validate --project Shop --env staging --json'))
    .action(act(async (opts: { project: string; env: string; json?: boolean }) => (await projectCommands()).validate(opts)));

  program
    .command('trash')
    .description('list deleted entries (kept 30 days; restore or purge them)')
    .option('--json', 'print JSON')
    .addHelpText('after', examples('keyden trash', 'keyden trash --json'))
    .action(act(async (opts: { json?: boolean }) => (await historyCommands()).trash(opts)));
  program
    .command('restore')
    .description('restore a trashed entry (by its trash id), or an entry\'s previous value (<ref> --version N)')
    .argument('<id-or-ref>', 'a trash id; with --version, an entry ref')
    .option('--replace', 'a trash item: move the entry now in its place to the trash')
    .option('--version <n>', 'make this previous value current again (the current one becomes a version)', parseCount)
    .option('--project <name>', 'with --version: the ref is a variable name in this project')
    .option('--env <env>', `with --project: this ${ENV_HELP}`)
    .addHelpText('after', examples('keyden restore 1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b', 'keyden restore 1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b --replace', 'keyden restore OpenAI/Blog/production --version 2'))
    .action(act(async (target: string, opts: { replace?: boolean; version?: string; project?: string; env?: string }) => (await historyCommands()).restore(target, opts)));
  program
    .command('purge')
    .description('delete a trashed entry (or all of them) for good')
    .argument('[id]', 'a trash id')
    .option('--all', 'empty the trash')
    .addHelpText('after', examples('keyden purge 1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b', 'keyden purge --all'))
    .action(act(async (id: string | undefined, opts: { all?: boolean }) => (await historyCommands()).purge(id, opts)));
  program
    .command('history')
    .description("list an entry's previous values (never the values), or delete them")
    .argument('<ref>', 'an entry id, Category/Project[/env], or a variable name with --project')
    .option('--project <name>', 'the ref is a variable name in this project')
    .option('--env <env>', `with --project: this ${ENV_HELP}`)
    .option('--purge', 'delete the previous values (all, or the one given by --version)')
    .option('--version <n>', 'with --purge: only this version', parseCount)
    .option('--json', 'print JSON')
    .addHelpText('after', examples('keyden history OpenAI/Blog/production', 'keyden get OpenAI/Blog/production --version 2', 'keyden history OPENAI_API_KEY --project Blog --env production --purge'))
    .action(act(async (ref: string, opts: { project?: string; env?: string; purge?: boolean; version?: string; json?: boolean }) => (await historyCommands()).history(ref, opts)));

  const category = program.command('category').description('add, rename, change the fields of, or delete a category (service)');
  category
    .command('add')
    .description('add a category: a simple one writes --env-var, a group one writes --fields')
    .argument('<name>', 'its name, e.g. "OpenAI API"')
    .option('--env-var <VAR>', 'the variable a simple category writes')
    .option('--fields <list>', 'comma-separated variables of a group category')
    .option('--icon <slug>', 'an icon slug, e.g. openai')
    .option('--json', 'print the category as JSON')
    .addHelpText('after', examples('keyden category add "OpenAI API" --env-var OPENAI_API_KEY', 'keyden category add Mailgun --fields MAILGUN_API_KEY,MAILGUN_DOMAIN'))
    .action(act(async (name: string, opts: { envVar?: string; fields?: string; icon?: string; json?: boolean }) => (await projectCommands()).addCategory(name, opts)));
  category
    .command('rename')
    .description('rename a category')
    .argument('<name>', 'the category')
    .argument('<new-name>', 'its new name')
    .addHelpText('after', examples('keyden category rename "OpenAI API" OpenAI'))
    .action(act(async (name: string, to: string) => (await projectCommands()).renameCategory(name, to)));
  category
    .command('fields')
    .description("add or remove a group category's fields (removing one that entries use needs --force)")
    .argument('<name>', 'the group category')
    .option('--add <list>', 'comma-separated fields to add (empty in existing entries until set)')
    .option('--remove <list>', 'comma-separated fields to remove')
    .option('--force', "remove fields even though entries hold values for them (each entry's old value stays in its history)")
    .option('--json', 'print the category as JSON')
    .addHelpText('after', examples('keyden category fields Supabase --add SUPABASE_SERVICE_ROLE_KEY', 'keyden category fields AWS --remove AWS_SESSION_TOKEN --force'))
    .action(act(async (name: string, opts: { add?: string; remove?: string; force?: boolean; json?: boolean }) => (await projectCommands()).categoryFields(name, opts)));
  category
    .command('rm')
    .description('delete a category (refused while entries use it, unless --cascade moves them to the trash)')
    .argument('<name>', 'the category')
    .option('--cascade', 'move its entries to the trash first')
    .addOption(new Option('-y, --yes', 'do not ask'))
    .addHelpText('after', examples('keyden category rm Mailgun', 'keyden category rm Mailgun --cascade --yes'))
    .action(act(async (name: string, opts: { cascade?: boolean; yes?: boolean }) => (await projectCommands()).removeCategory(name, opts)));
}
