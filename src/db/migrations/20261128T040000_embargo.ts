import { sql, type Kysely } from 'kysely';

/**
 * Embargoes (src/embargo/):
 * - `embargoes`: one per case, its Vultron EM state, the terms in force (end instant and zone) and
 *   the pending proposal; after a parachute cord with a grace period, `exit_reason` says why the
 *   scheduled end will exit it.
 * - `embargo_proposals`: every proposal and revision, kept (the history).
 * - `embargo_consents`: per required participant and proposal: invited, signatory, declined, lapsed;
 *   `exceeds_max` when the proposal is longer than that organization's maximum (it must accept that
 *   explicitly: `accepted_longer`).
 * - `embargo_cords`: the parachute cords agreed for a case, and who pulled one, when, with what evidence.
 * - `org_embargo_policies`: an organization's maximum embargo length.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table embargo_proposals (
      id uuid primary key,
      case_id uuid not null references cases(id) on delete cascade,
      seq integer not null,
      revision boolean not null,
      local_end text not null,
      time_zone text not null,
      ends_at timestamptz(3) not null,
      rationale text not null,
      proposed_by uuid references users(id) on delete set null,
      proposed_by_label text not null,
      acknowledged_warnings jsonb not null default '[]',
      status text not null check (status in ('pending', 'accepted', 'rejected', 'superseded', 'withdrawn')),
      decided_at timestamptz(3),
      created_at timestamptz(3) not null,
      unique (case_id, seq)
    )`.execute(db);
  await sql`
    create table embargoes (
      case_id uuid primary key references cases(id) on delete cascade,
      em_state text not null check (em_state in ('N', 'P', 'A', 'R', 'X')),
      active_proposal_id uuid references embargo_proposals(id),
      pending_proposal_id uuid references embargo_proposals(id),
      ends_at timestamptz(3),
      time_zone text,
      grace_until timestamptz(3),
      exit_reason text check (exit_reason in ('cord', 'terminated', 'ended')),
      exited_at timestamptz(3),
      created_at timestamptz(3) not null,
      updated_at timestamptz(3) not null
    )`.execute(db);
  await sql`
    create table embargo_consents (
      proposal_id uuid not null references embargo_proposals(id) on delete cascade,
      participant_id uuid not null references case_participants(id) on delete cascade,
      state text not null check (state in ('invited', 'signatory', 'declined', 'lapsed')),
      exceeds_max boolean not null default false,
      max_days integer,
      accepted_longer boolean not null default false,
      decided_by uuid references users(id) on delete set null,
      decided_by_label text,
      decided_at timestamptz(3),
      note text not null default '',
      primary key (proposal_id, participant_id)
    )`.execute(db);
  await sql`create index embargo_consents_participant on embargo_consents (participant_id)`.execute(db);
  await sql`
    create table embargo_cords (
      id uuid primary key,
      case_id uuid not null references cases(id) on delete cascade,
      trigger text not null check (trigger in ('exploit_public', 'attacks_observed', 'details_public', 'early_fix')),
      description text not null default '',
      defined_by uuid references users(id) on delete set null,
      created_at timestamptz(3) not null,
      pulled_at timestamptz(3),
      pulled_by uuid references users(id) on delete set null,
      pulled_by_label text,
      pulled_participant_id uuid references case_participants(id) on delete set null,
      evidence_url text,
      evidence_note text,
      unique (case_id, trigger)
    )`.execute(db);
  await sql`
    create table org_embargo_policies (
      org_id uuid primary key references organizations(id) on delete cascade,
      max_days integer not null check (max_days between 1 and 3650),
      updated_by uuid references users(id) on delete set null,
      updated_at timestamptz(3) not null
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists org_embargo_policies`.execute(db);
  await sql`drop table if exists embargo_cords`.execute(db);
  await sql`drop table if exists embargo_consents`.execute(db);
  await sql`drop table if exists embargoes`.execute(db);
  await sql`drop table if exists embargo_proposals`.execute(db);
}
