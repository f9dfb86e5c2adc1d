import type { SavedWatch, WatchStore } from '../../lib/internal';

/**
 * A watch store that outlives its watcher, as a persistent context store outlives a redeploy: it
 * keeps a JSON copy (what a real store keeps), so that nothing saved can change behind it.
 */
export function memoryStore(): WatchStore & { saved: SavedWatch | undefined } {
  const store = {
    saved: undefined as SavedWatch | undefined,
    load: async () => (store.saved ? (JSON.parse(JSON.stringify(store.saved)) as SavedWatch) : undefined),
    save: async (s: SavedWatch) => void (store.saved = JSON.parse(JSON.stringify(s)) as SavedWatch),
  };
  return store;
}
