// Toasts (Radix Toast): short confirmations such as "Copied — clears in 30 s".
import { Toast } from 'radix-ui';
import { create } from 'zustand';

interface ToastItem {
  id: number;
  text: string;
  tone: 'info' | 'error';
}
interface ToastState {
  items: ToastItem[];
  push(text: string, tone?: 'info' | 'error'): void;
  dismiss(id: number): void;
}
let nextId = 1;
/** More than this and the oldest goes: a burst of events must not bury the window. */
const MAX_TOASTS = 3;
export const useToasts = create<ToastState>()((set, get) => ({
  items: [],
  push(text, tone = 'info') {
    set({ items: [...get().items, { id: nextId++, text, tone }].slice(-MAX_TOASTS) });
  },
  dismiss(id) {
    set({ items: get().items.filter((t) => t.id !== id) });
  },
}));
export const clearToasts = (): void => useToasts.setState({ items: [] });
export const toast = (text: string, tone: 'info' | 'error' = 'info'): void => useToasts.getState().push(text, tone);

export function Toaster() {
  const { items, dismiss } = useToasts();
  return (
    <Toast.Provider swipeDirection="right" duration={4000}>
      {items.map((t) => (
        <Toast.Root key={t.id} className={`toast toast-${t.tone}`} onOpenChange={(open) => !open && dismiss(t.id)}>
          <Toast.Description>{t.text}</Toast.Description>
        </Toast.Root>
      ))}
      <Toast.Viewport className="toast-viewport" />
    </Toast.Provider>
  );
}
