// A login request gets attention when Keyden is behind other windows; editable fields get a
// context menu of edit roles, without Cut or Copy in a password field. Electron is mocked.
import { describe, expect, it, vi } from 'vitest';

const shown: { title: string; body: string }[] = [];
const bounced: string[] = [];
vi.mock('electron', () => ({
  app: { dock: { bounce: (kind: string) => bounced.push(kind) } },
  Notification: class {
    static isSupported = () => true;
    constructor(readonly options: { title: string; body: string }) {}
    on(): void {}
    show(): void {
      shown.push(this.options);
    }
  },
}));

const { drawAttention, editMenuTemplate } = await import('../../src/main/app/attention.js');

function fakeWindow(focused: boolean) {
  const flashes: boolean[] = [];
  return { flashes, win: { isFocused: () => focused, flashFrame: (on: boolean) => flashes.push(on), once: () => undefined, isDestroyed: () => false } };
}

const flags = { canUndo: true, canRedo: true, canCut: true, canCopy: true, canPaste: true, canSelectAll: true, canDelete: true, canEditRichly: false };

describe('a keyden login request', () => {
  it('flashes a window that is behind others and shows a notification naming the client and code', () => {
    const { win, flashes } = fakeWindow(false);
    drawAttention(win as never, { clientName: 'keyden CLI (ada@laptop)', code: 'K7QX' }, 'linux');
    expect(flashes).toEqual([true]);
    expect(shown.at(-1)?.body).toContain('keyden CLI (ada@laptop)');
    expect(shown.at(-1)?.body).toContain('K7QX');
  });

  it('bounces the dock on macOS and leaves a focused window alone', () => {
    drawAttention(fakeWindow(false).win as never, { clientName: 'c', code: 'AAAA' }, 'darwin');
    expect(bounced).toEqual(['informational']);
    const focused = fakeWindow(true);
    drawAttention(focused.win as never, { clientName: 'c', code: 'BBBB' }, 'linux');
    expect(focused.flashes).toEqual([]);
  });
});

describe('the context menu', () => {
  const roles = (t: { role?: string }[]) => t.map((i) => i.role).filter(Boolean);

  it('offers cut, copy, paste and select all in an editable text field', () => {
    expect(roles(editMenuTemplate({ isEditable: true, formControlType: 'input-text', editFlags: flags }))).toEqual(['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll']);
  });

  it('never offers cut or copy in a password field, and nothing outside editable fields', () => {
    expect(roles(editMenuTemplate({ isEditable: true, formControlType: 'input-password', editFlags: flags }))).toEqual(['undo', 'redo', 'paste', 'selectAll']);
    expect(editMenuTemplate({ isEditable: false, formControlType: 'none', editFlags: flags })).toEqual([]);
  });
});
