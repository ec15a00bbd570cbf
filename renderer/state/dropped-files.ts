// Export files handed to the app from outside (dropped on the window, opened from the OS) waiting for the import view.
type Listener = (files: File[]) => void;

let pending: File[] = [];
const listeners = new Set<Listener>();

export function offerFiles(files: File[]): void {
  if (listeners.size === 0) {
    pending.push(...files);
    return;
  }
  for (const l of listeners) l(files);
}

/** The import view subscribes; files that arrived before it mounted are delivered at once. */
export function onOfferedFiles(listener: Listener): () => void {
  listeners.add(listener);
  if (pending.length) {
    const files = pending;
    pending = [];
    listener(files);
  }
  return () => listeners.delete(listener);
}
