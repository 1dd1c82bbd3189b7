// What the last copy did, said next to the Copy button: "Copied — clears in 30 s", then
// "Clipboard cleared" when main's guard clears it (the `clipboard.cleared` event).
import { create } from 'zustand';
import { shown } from '../components/Name.js';

interface CopyStatus {
  text: string | null;
  copied(what: string | undefined, clearsInSeconds: number): void;
  cleared(): void;
  reset(): void;
}

const FADE_MS = 5000;
let fade: ReturnType<typeof setTimeout> | undefined;

export const useCopyStatus = create<CopyStatus>()((set) => ({
  text: null,
  copied(what, clearsInSeconds) {
    clearTimeout(fade);
    set({ text: `Copied${what ? ` ${shown(what)}` : ''} — clears in ${clearsInSeconds} s` });
  },
  cleared() {
    clearTimeout(fade);
    set({ text: 'Clipboard cleared' });
    fade = setTimeout(() => set({ text: null }), FADE_MS);
  },
  reset() {
    clearTimeout(fade);
    set({ text: null });
  },
}));
