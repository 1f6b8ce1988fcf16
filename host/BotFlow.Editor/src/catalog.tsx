// What every page needs from the host once: block types, registration fields and secret names (refreshable).
import { createContext, useContext } from 'react';
import type { BlockType, FieldDefinition, SecretInfo } from './api/types';

export interface Catalog {
  blockTypes: BlockType[];
  fields: FieldDefinition[];
  secrets: SecretInfo[];
  reload: () => Promise<void>;
}

export const CatalogContext = createContext<Catalog>({ blockTypes: [], fields: [], secrets: [], reload: async () => {} });

export const useCatalog = () => useContext(CatalogContext);

/** Navigation that asks before leaving unsaved changes. */
export interface Navigation {
  navigate: (path: string) => void;
  /** The editor tells the shell whether it holds unsaved changes. */
  setDirty: (dirty: boolean) => void;
}

export const NavigationContext = createContext<Navigation>({ navigate: () => {}, setDirty: () => {} });

export const useNavigation = () => useContext(NavigationContext);

export function Link({ to, children, testId, className }: { to: string; children: React.ReactNode; testId?: string; className?: string }) {
  const { navigate } = useNavigation();
  return (
    <a href={`#${to}`} data-testid={testId} className={className}
      onClick={(e) => { e.preventDefault(); navigate(to); }}>
      {children}
    </a>
  );
}
