// Names that could make one name look like another (Trojan Source, CVE-2021-42574) or forge a line
// of output: refused when new, through the core that the API, the CLI, imports and the app share;
// still loaded, editable, renameable and deletable when an older vault holds them.
import { afterEach, describe, expect, it } from 'vitest';
import { APP, openKeydenCore } from '../../src/main/core/index.js';
import { isKeydenError, type KeydenError } from '../../src/shared/errors.js';
import { escapeHidden, escapeHiddenInJson, firstHidden, shownName } from '../../src/shared/names.js';
import { createTestVault, PASSWORD, TEST_KDF, type TestVault } from '../helpers/core.js';
import { renameInFile } from '../helpers/legacy-names.js';
import path from 'node:path';

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

async function vault(): Promise<TestVault & { categoryId: string }> {
  const v = await createTestVault();
  cleanups.push(() => v.close());
  const c = v.core.categories.create(APP, { name: 'OpenAI', keyType: 'simple', envVarName: 'OPENAI_API_KEY' });
  v.core.entries.create(APP, { categoryId: c.id, name: 'Blog', value: 'sk-blog-value' });
  return { ...v, categoryId: c.id };
}

function refusal(fn: () => unknown): KeydenError {
  try {
    fn();
  } catch (e) {
    if (isKeydenError(e)) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

/** Each kind of character the brief names, as [label, character, what the message calls it]. */
const HIDDEN: [string, string, string][] = [
  ['right-to-left override', '\u202E', 'an invisible or direction-changing character (U+202E)'],
  ['left-to-right isolate', '\u2066', 'an invisible or direction-changing character (U+2066)'],
  ['pop directional isolate', '\u2069', 'an invisible or direction-changing character (U+2069)'],
  ['zero-width space', '\u200B', 'an invisible or direction-changing character (U+200B)'],
  ['right-to-left mark', '\u200F', 'an invisible or direction-changing character (U+200F)'],
  ['Arabic letter mark', '\u061C', 'an invisible or direction-changing character (U+061C)'],
  ['byte-order mark', 'x\uFEFF', 'an invisible or direction-changing character (U+FEFF)'],
  ['zero-width joiner between letters', '\u200D', 'an invisible or direction-changing character (U+200D)'],
  ['Hangul filler', '\u3164', 'an invisible or direction-changing character (U+3164)'],
  ['tag character', '\u{E0041}', 'an invisible or direction-changing character (U+E0041)'],
  ['newline', '\n', 'a control character or line break (U+000A)'],
  ['C0 control', '\u001B', 'a control character or line break (U+001B)'],
  ['C1 control', '\u0085', 'a control character or line break (U+0085)'],
  ['line separator', '\u2028', 'a control character or line break (U+2028)'],
];

const named = (ch: string) => `prod${ch}tion`;

describe('a new name with an invisible, direction-changing or control character', () => {
  it.each(HIDDEN)('is refused as a project name (a new entry) when it holds a %s, naming the field and the character', async (_label, ch, kind) => {
    const v = await vault();
    const e = refusal(() => v.core.entries.create(APP, { categoryId: v.categoryId, name: named(ch), value: 'sk-secret-value' }));
    expect(e.code).toBe('VALIDATION_FAILED');
    expect(e.message).toBe(`name contains ${kind}, which a project name may not hold`);
    expect(e.details).toEqual({ name: `contains ${kind}, which a project name may not hold` });
    expect(v.core.projects.list(APP).map((p) => p.name)).toEqual(['Blog']);
  });

  it('is refused as a category name, on create and on rename', async () => {
    const v = await vault();
    expect(refusal(() => v.core.categories.create(APP, { name: 'Open\u202EAI', keyType: 'simple', envVarName: 'OTHER_KEY' })).message).toBe(
      'name contains an invisible or direction-changing character (U+202E), which a category name may not hold',
    );
    expect(refusal(() => v.core.categories.update(APP, v.categoryId, { name: 'Open\u2066AI' })).details).toEqual({
      name: 'contains an invisible or direction-changing character (U+2066), which a category name may not hold',
    });
    expect(v.core.categories.list().map((c) => c.name)).toEqual(['OpenAI']);
  });

  it('is refused as a token name and in a token\'s project limits', async () => {
    const v = await vault();
    expect(refusal(() => v.core.tokens.create(APP, { name: 'deploy\u200B', scopes: ['entries:read'] })).details).toEqual({
      name: 'contains an invisible or direction-changing character (U+200B), which a token name may not hold',
    });
    expect(refusal(() => v.core.tokens.create(APP, { name: 'deploy', scopes: ['entries:read'], projects: ['Blog\u202E'] })).details).toEqual({
      'projects.0': 'contains an invisible or direction-changing character (U+202E), which a project name may not hold',
    });
    expect(v.core.tokens.list()).toEqual([]);
  });

  it('is refused as a project\'s new name (rename) and as an entry\'s new project', async () => {
    const v = await vault();
    const [entry] = v.core.entries.list(APP, {}).items;
    expect(refusal(() => v.core.projectOperations.patch(APP, 'Blog', { name: 'Blog\u202Egol' })).details).toEqual({
      name: 'contains an invisible or direction-changing character (U+202E), which a project name may not hold',
    });
    expect(refusal(() => v.core.entries.update(APP, entry!.id, { name: 'Blog\u202E\n[ok] Shop' })).details).toEqual({
      name: 'contains a control character or line break (U+000A)',
    });
    expect(v.core.projects.list(APP).map((p) => p.name)).toEqual(['Blog']);
  });

  it('is refused as the project of an import, before anything is written', async () => {
    const v = await vault();
    const e = refusal(() => v.core.projects.importEnv(APP, 'Shop\u2069', 'development', 'A=1\n', 'upsert'));
    expect(e.details).toEqual({ project: 'contains an invisible or direction-changing character (U+2069), which a project name may not hold' });
    expect(v.core.projects.list(APP).map((p) => p.name)).toEqual(['Blog']);
  });

  it('is refused as an environment or a group field, which are ASCII slugs and variable names', async () => {
    const v = await vault();
    expect(refusal(() => v.core.entries.create(APP, { categoryId: v.categoryId, name: 'Blog', environment: 'prod\u202E', value: 'x' })).details).toHaveProperty('environment');
    expect(refusal(() => v.core.projectOperations.renameEnvironment(APP, 'Blog', 'development', { name: 'dev\u2066' })).details).toHaveProperty('name');
    expect(refusal(() => v.core.categories.create(APP, { name: 'AWS', keyType: 'group', fields: ['AWS_KEY', 'AWS\u200BREGION'] })).details).toHaveProperty(['fields.1']);
  });

  it('is refused without echoing the name it was sent', async () => {
    const v = await vault();
    const e = refusal(() => v.core.entries.create(APP, { categoryId: v.categoryId, name: 'sk-live-51Habc\u202E', value: 'x' }));
    expect(JSON.stringify({ message: e.message, details: e.details })).not.toContain('sk-live');
  });
});

describe('visible Unicode in names', () => {
  it('stays allowed: accents, CJK, right-to-left scripts and emoji, with the joiner and selector inside emoji sequences', async () => {
    const v = await vault();
    const names = ['Blög Café', '東京プロジェクト', 'مشروع', 'Team 👩‍💻', 'Pride 🏳️‍🌈', 'Love ❤️', 'Keycap 1️⃣', 'Family 👨🏽‍👩🏽‍👧🏽'];
    for (const name of names) v.core.entries.create(APP, { categoryId: v.categoryId, name, value: 'x' });
    expect(v.core.projects.list(APP).map((p) => p.name).sort()).toEqual([...names, 'Blog'].sort());
  });

  it('refuses the joiner and the emoji selector outside an emoji, where they only hide a difference', () => {
    expect(firstHidden('pro\u200Dd')).toEqual({ kind: 'invisible', codePoint: 'U+200D' });
    expect(firstHidden('prod\uFE0F')).toEqual({ kind: 'invisible', codePoint: 'U+FE0F' });
    expect(firstHidden('👩\u200D')).toEqual({ kind: 'invisible', codePoint: 'U+200D' });
  });
});

describe('a vault an earlier version wrote with such names', () => {
  async function legacyVault() {
    const v = await vault();
    v.core.tokens.create(APP, { name: 'deploy', scopes: ['entries:read'] });
    v.core.close();
    await renameInFile(v.vaultPath, PASSWORD, 'entries', 'Blog', 'Blog\u202Egol');
    await renameInFile(v.vaultPath, PASSWORD, 'categories', 'OpenAI', 'Open\u200BAI');
    await renameInFile(v.vaultPath, PASSWORD, 'tokens', 'deploy', 'de\u2066ploy');
    const core = openKeydenCore({ vaultPath: v.vaultPath, unsafeTestKdf: TEST_KDF, knownVaultsPath: path.join(v.dir, 'known-vaults.json') });
    cleanups.push(() => core.close());
    await core.vault.unlock(APP, PASSWORD);
    return { core, categoryId: v.categoryId };
  }

  it('unlocks and lists the names as they are stored', async () => {
    const { core } = await legacyVault();
    expect(core.projects.list(APP).map((p) => p.name)).toEqual(['Blog\u202Egol']);
    expect(core.categories.list().map((c) => c.name)).toEqual(['Open\u200BAI']);
    expect(core.tokens.list().map((t) => t.name)).toEqual(['de\u2066ploy']);
  });

  it('lets an entry be edited with its project name sent back unchanged, as the app\'s editor does', async () => {
    const { core, categoryId } = await legacyVault();
    const [entry] = core.entries.list(APP, {}).items;
    const updated = core.entries.update(APP, entry!.id, { name: 'Blog\u202Egol', notes: 'rotated' });
    expect({ name: updated.name, notes: updated.notes }).toEqual({ name: 'Blog\u202Egol', notes: 'rotated' });
    expect(core.categories.update(APP, categoryId, { name: 'Open\u200BAI', icon: 'openai' }).name).toBe('Open\u200BAI');
  });

  it('lets the project and the category be renamed to a clean name', async () => {
    const { core, categoryId } = await legacyVault();
    expect(core.projectOperations.patch(APP, 'Blog\u202Egol', { name: 'Blog' }).name).toBe('Blog');
    expect(core.categories.update(APP, categoryId, { name: 'OpenAI' }).name).toBe('OpenAI');
    expect(core.projects.list(APP).map((p) => p.name)).toEqual(['Blog']);
  });

  it('lets the project be deleted and the token revoked', async () => {
    const { core } = await legacyVault();
    expect(core.projectOperations.remove(APP, 'Blog\u202Egol').trashed).toBe(1);
    expect(core.projects.list(APP)).toEqual([]);
    const [token] = core.tokens.list();
    core.tokens.revoke(APP, token!.id);
    expect(core.tokens.list()[0]!.revokedAt).not.toBeNull();
  });
});

describe('importing a .env whose keys hold such characters', () => {
  it('reports those lines as failed, escaped, and imports every other line', async () => {
    const v = await vault();
    const text = ['FIRST=1', 'API_\u202EKEY=secret-one', '\u2066TOKEN=secret-two', 'LAST=3', 'export ZW\u200BSP=secret-three'].join('\n');
    const summary = v.core.projects.importEnv(APP, 'Blog', 'development', text, 'upsert');
    expect(summary.failed).toEqual([
      { key: 'API_\\u202EKEY', line: 2, reason: 'the name contains an invisible or direction-changing character (U+202E)' },
      { key: '\\u2066TOKEN', line: 3, reason: 'the name contains an invisible or direction-changing character (U+2066)' },
      { key: 'ZW\\u200BSP', line: 5, reason: 'the name contains an invisible or direction-changing character (U+200B)' },
    ]);
    expect({ imported: summary.imported, warnings: summary.warnings }).toEqual({ imported: 2, warnings: [] });
    expect(JSON.stringify(summary)).not.toContain('secret-');
    expect(v.core.projects.variables(APP, 'Blog', 'development').variables.map((x) => x.name).sort()).toEqual(['FIRST', 'LAST', 'OPENAI_API_KEY']);
  });

  it('reports a JSON import\'s hidden key as failed under its escaped name', async () => {
    const v = await vault();
    const summary = v.core.projects.importEnv(APP, 'Blog', 'development', JSON.stringify({ 'A\u202EB': 'x', OK: 'y' }), 'upsert', 'json');
    expect(summary.failed).toEqual([{ key: 'A\\u202EB', line: expect.any(Number), reason: 'the name contains an invisible or direction-changing character (U+202E)' }]);
    expect(summary.imported).toBe(1);
  });
});

describe('escapeHidden', () => {
  it('writes each refused character as \\uXXXX and leaves visible text, emoji included, alone', () => {
    expect(escapeHidden('Blog\u202Egol\n👩‍💻 Blög')).toBe('Blog\\u202Egol\\u000A👩‍💻 Blög');
    expect(escapeHidden('tag\u{E0041}')).toBe('tag\\u{E0041}');
  });

  it('isolates a name with right-to-left letters for plain text (FSI … PDI), escapes it too, and leaves every other name as escapeHidden gives it', () => {
    expect(shownName('פרויקט 2')).toBe('\u2068פרויקט 2\u2069');
    expect(shownName('مشروع\u202E')).toBe('\u2068مشروع\\u202E\u2069');
    expect(shownName('Blog\u202Egol')).toBe('Blog\\u202Egol');
    expect(shownName('Blög 👩‍💻')).toBe('Blög 👩‍💻');
  });

  it('writes them in JSON as \\u escapes that parse back to the same value, the indentation untouched', () => {
    const value = { name: 'Blog\u202Egol\u0085 👩‍💻', tag: 'x\u{E0041}', text: 'a\nb' };
    const json = escapeHiddenInJson(JSON.stringify(value, null, 2));
    expect(json).toContain('"Blog\\u202Egol\\u0085 👩‍💻"');
    expect(json).toContain('"x\\uDB40\\uDC41"');
    expect(json.split('\n')).toHaveLength(5);
    expect(JSON.parse(json)).toEqual(value);
  });
});
