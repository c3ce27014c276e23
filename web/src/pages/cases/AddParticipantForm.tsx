import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, type Member, type Org } from '../../api.ts';
import { casesApi, participantRoles } from '../../casesApi.ts';
import { FormCard } from '../../components/FormCard.tsx';
import { PSelect } from '../../components/problems.tsx';
import { useAction, useResource } from '../../hooks.ts';
import { communityRoles, directoryApi, fieldErrors } from '../directory/directoryApi.ts';
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

/** The lead adds an organization in a Vultron role, or a whole trusted community at once. */
export function AddParticipantForm(props: CaseTabProps) {
  return (
    <>
      <AddOrgForm {...props} />
      <InviteCommunityForm {...props} />
    </>
  );
}

/** One organization in a Vultron role; access can be limited to named members. */
function AddOrgForm({ c, reload }: CaseTabProps) {
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

/**
 * Every organization of a trusted community in one go (those already taking part in that role
 * are skipped). Shown to those who may read the communities (staff); hidden when there is none.
 */
function InviteCommunityForm({ c, reload }: CaseTabProps) {
  const { t } = useTranslation();
  const communities = useResource(() => directoryApi.communities(), 'communities');
  const [communityId, setCommunityId] = useState('');
  const [role, setRole] = useState<string>('vendor');
  const [notice, setNotice] = useState<string | null>(null);
  const list = communities.data?.items ?? [];
  const invite = useAction(async () => {
    setNotice(null);
    const community = list.find((x) => x.id === communityId);
    const res = await fieldErrors(directoryApi.inviteCommunity(c.caseId, { communityId, role }));
    const names = (ids: string[]) =>
      ids
        .map((id) => community?.members.find((m) => m.id === id)?.name ?? id)
        .sort((x, y) => x.localeCompare(y))
        .join(', ');
    const added = names(res.added);
    const skipped = names(res.skipped);
    setNotice(
      [
        res.added.length > 0
          ? t('cases.participants.communityAdded', { count: res.added.length, names: added })
          : t('cases.participants.communityNoneAdded'),
        ...(res.skipped.length > 0 ? [t('cases.participants.communitySkipped', { names: skipped })] : []),
      ].join(' '),
    );
    setCommunityId('');
    await reload();
  });
  if (communities.error || !communities.data) return null;
  return (
    <FormCard
      id="community-invite"
      title={t('cases.participants.inviteCommunity')}
      intro={list.length ? t('cases.participants.inviteCommunityIntro') : t('cases.participants.noCommunities')}
      notice={notice}
      action={invite}
      submit={t('cases.participants.inviteCommunitySubmit')}
    >
      <div className="grid-2">
        <PSelect
          path="communityId"
          label={t('cases.participants.community')}
          required
          value={communityId}
          onChange={(e) => setCommunityId(e.target.value)}
        >
          <option value="">{t('cases.participants.chooseCommunity')}</option>
          {list.map((x) => (
            <option key={x.id} value={x.id}>
              {t('cases.participants.communityOption', { name: x.name, count: x.members.length })}
            </option>
          ))}
        </PSelect>
        <PSelect
          path="role"
          label={t('cases.participants.role')}
          value={role}
          onChange={(e) => setRole(e.target.value)}
        >
          {communityRoles.map((r) => (
            <option key={r} value={r}>
              {t(`cases.roles.${r}`)}
            </option>
          ))}
        </PSelect>
      </div>
    </FormCard>
  );
}
