import type { ReactNode } from 'react';
import { match } from '../../router.tsx';
import { CaseworkTemplatePage } from '../casework/TemplatePage.tsx';
import { AssessmentPage, AssessmentsPage } from './AssessmentPages.tsx';

/**
 * The PSIRT operations pages (staff of the home organization): the self-assessment and the case
 * execution template. `undefined` when the path is not one of them; `null` when the caller may
 * not open it.
 */
export function operationsPage(path: string, staff: boolean): ReactNode | null | undefined {
  if (match('/assessment', path)) return staff ? <AssessmentsPage /> : null;
  const one = match('/assessment/:id', path);
  if (one?.id) return staff ? <AssessmentPage key={one.id} id={one.id} /> : null;
  if (match('/casework/template', path)) return staff ? <CaseworkTemplatePage /> : null;
  return undefined;
}
