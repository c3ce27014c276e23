import type { ReactNode } from 'react';
import { match } from '../../router.tsx';
import { CommunitiesPage } from './CommunitiesPage.tsx';
import { DirectoryPage } from './DirectoryPage.tsx';
import { EntryPage } from './EntryPage.tsx';
import { PendingContactsPage } from './PendingContactsPage.tsx';
import { TransferPage } from './TransferPage.tsx';

/**
 * The directory's pages: undefined when `path` is not one of them, null when it is but the
 * caller's role may not open it (the app shows "forbidden"). Entries decide with the API (404).
 */
export function directoryPage(path: string, can: (capability: string) => boolean): ReactNode | null | undefined {
  if (match('/directory', path)) return <DirectoryPage />;
  if (match('/directory/pending', path)) return can('org:create') ? <PendingContactsPage /> : null;
  if (match('/directory/import', path)) return can('org:create') ? <TransferPage /> : null;
  if (match('/directory/communities', path)) return can('org:list') ? <CommunitiesPage /> : null;
  const entry = match('/directory/:orgId', path);
  if (entry?.orgId) return <EntryPage key={entry.orgId} orgId={entry.orgId} />;
  return undefined;
}
