/** Hands the engine store to the pages without them knowing how it was made. */
import { createContext, useContext } from 'react';
import type { ReactNode } from 'react';
import { useStore } from 'zustand';
import type { EngineState, EngineStore } from './engine-store.js';

const EngineStoreContext = createContext<EngineStore | null>(null);

export function EngineProvider({ store, children }: { store: EngineStore; children: ReactNode }): ReactNode {
  return <EngineStoreContext value={store}>{children}</EngineStoreContext>;
}

/** Reads one slice of the engine state; return primitives or stored objects, never fresh ones. */
export function useEngine<T>(selector: (state: EngineState) => T): T {
  const store = useContext(EngineStoreContext);
  if (store === null) throw new Error('useEngine needs an <EngineProvider> above it');
  return useStore(store, selector);
}

/** The store itself, for a handler that must read the state after an await (not for rendering). */
export function useEngineStore(): EngineStore {
  const store = useContext(EngineStoreContext);
  if (store === null) throw new Error('useEngineStore needs an <EngineProvider> above it');
  return store;
}
