import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Member, type Org } from '../../api.ts';
import { casesApi, participantRoles } from '../../casesApi.ts';
import { FormCard } from '../../components/FormCard.tsx';
import { PSelect } from '../../components/problems.tsx';
import { useAction } from '../../hooks.ts';
import type { CaseTabProps } from './CasePage.tsx';
import { PeoplePicker } from './PeoplePicker.tsx';

/** The organizations of a kind offered for a role (vendors for "vendor" …); every external one for "other". */
const kindForRole: Record<string, string> = {
  vendor: 'vendor',
  coordinator: 'coordinator',
  deployer: 'deployer',
  finder: 'finder',
  reporter: 'finder',
};

/** At most this many pages (200 each) of the directory are read for the picker. */
const MAX_PAGES = 5;

async function directory(kind: string): Promise<Org[]> {
  const found: Org[] = [];
  let cursor: string | null = null;
  for (let i = 0; i < MAX_PAGES; i++) {
    const page = await api.orgs({ kind, limit: 200, cursor });
    found.push(...page.items.filter((o) => o.kind !== 'home'));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** The lead adds an organization in a Vultron role; access can be limited to named members. */
export function AddParticipantForm({ c, reload }: CaseTabProps) {
  const { t } = useTranslation();
  const [role, setRole] = useState<string>('vendor');
  const [orgId, setOrgId] = useState('');
  const [orgs, setOrgs] = useState<Org[]>([]);
  const [members, setMembers] = useState<Member[]>([]);
  const [allowed, setAllowed] = useState<string[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const taken = new Set(c.participants.filter((p) => p.role === role).map((p) => p.orgId));
  const offered = orgs.filter((o) => !taken.has(o.id));

  useEffect(() => {
    let live = true;
    directory(kindForRole[role] ?? '').then(
      (list) => live && setOrgs(list),
      () => live && setOrgs([]),
    );
    return () => {
      live = false;
    };
  }, [role]);

  useEffect(() => {
    let live = true;
    setAllowed([]);
    setMembers([]);
    if (!orgId) return;
    api.members(orgId).then(
      (m) => live && setMembers(m.items),
      () => live && setMembers([]),
    );
    return () => {
      live = false;
    };
  }, [orgId]);

  const add = useAction(async () => {
    setNotice(null);
    const org = orgs.find((o) => o.id === orgId);
    await casesApi.addParticipant(c.caseId, { orgId, role, ...(allowed.length ? { allowedUserIds: allowed } : {}) });
    setNotice(t('cases.participants.added', { name: org?.name ?? orgId }));
    setOrgId('');
    await reload();
  });

  return (
    <FormCard
      id="participant"
      title={t('cases.participants.add')}
      intro={t('cases.participants.addIntro')}
      open={!c.participants.some((p) => p.role === 'vendor')}
      notice={notice}
      action={add}
      submit={t('cases.participants.submit')}
    >
      <div className="grid-2">
        <PSelect
          path="role"
          label={t('cases.participants.role')}
          value={role}
          onChange={(e) => setRole(e.target.value)}
        >
          {participantRoles.map((r) => (
            <option key={r} value={r}>
              {t(`cases.roles.${r}`)}
            </option>
          ))}
        </PSelect>
        <PSelect
          path="orgId"
          label={t('cases.participants.org')}
          required
          value={orgId}
          onChange={(e) => setOrgId(e.target.value)}
        >
          <option value="">{t('cases.participants.chooseOrg')}</option>
          {offered.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </PSelect>
      </div>
      {members.length > 0 && (
        <PeoplePicker
          path="allowedUserIds"
          legend={t('cases.participants.limit')}
          hint={t('cases.participants.limitHint')}
          people={members.map((m) => ({ id: m.userId, name: m.name, email: m.email }))}
          chosen={allowed}
          onChange={setAllowed}
        />
      )}
    </FormCard>
  );
}
