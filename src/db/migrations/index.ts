import type { Migration } from 'kysely';
import * as organizations from './20261127T200000_organizations.ts';
import * as users from './20261127T200100_users.ts';
import * as memberships from './20261127T200200_memberships.ts';
import * as auth from './20261127T200300_auth.ts';
import * as audit from './20261127T200400_audit.ts';
import * as outboxJobs from './20261127T200500_outbox_jobs.ts';
import * as rateLimitsSettings from './20261127T200600_rate_limits_settings.ts';
import * as authChangeNotify from './20261127T230000_auth_change_notify.ts';
import * as reports from './20261127T231000_reports.ts';
import * as cases from './20261127T233000_cases.ts';
import * as caseThreads from './20261127T234000_case_threads.ts';
import * as directory from './20261127T235000_directory.ts';
import * as notifications from './20261128T010000_notifications.ts';
import * as caseInvitations from './20261128T020000_case_invitations.ts';
import * as reportsSearchColumn from './20261128T030000_reports_search_column.ts';
import * as embargo from './20261128T040000_embargo.ts';
import * as publication from './20261128T050000_publication.ts';
import * as advisories from './20261128T060000_advisories.ts';
import * as slaMetrics from './20261128T070000_sla_metrics.ts';
import * as casework from './20261128T080000_casework.ts';
import * as contactChanges from './20261128T091000_contact_changes.ts';
import * as cveServices from './20261128T100000_cve_services.ts';
import * as threadFollows from './20261128T110000_thread_follows.ts';
import * as jobPriority from './20261128T120000_job_priority.ts';
import * as webhookSecretRotation from './20261128T121000_webhook_secret_rotation.ts';
import * as statusAffectedRange from './20261128T123000_status_affected_range.ts';

/** Every migration by its timestamped name; add new ones at the end, never edit landed ones. */
export const migrations: Record<string, Migration> = {
  '20261127T200000_organizations': organizations,
  '20261127T200100_users': users,
  '20261127T200200_memberships': memberships,
  '20261127T200300_auth': auth,
  '20261127T200400_audit': audit,
  '20261127T200500_outbox_jobs': outboxJobs,
  '20261127T200600_rate_limits_settings': rateLimitsSettings,
  '20261127T230000_auth_change_notify': authChangeNotify,
  '20261127T231000_reports': reports,
  '20261127T233000_cases': cases,
  '20261127T234000_case_threads': caseThreads,
  '20261127T235000_directory': directory,
  '20261128T010000_notifications': notifications,
  '20261128T020000_case_invitations': caseInvitations,
  '20261128T030000_reports_search_column': reportsSearchColumn,
  '20261128T040000_embargo': embargo,
  '20261128T050000_publication': publication,
  '20261128T060000_advisories': advisories,
  '20261128T070000_sla_metrics': slaMetrics,
  '20261128T080000_casework': casework,
  '20261128T091000_contact_changes': contactChanges,
  '20261128T100000_cve_services': cveServices,
  '20261128T110000_thread_follows': threadFollows,
  '20261128T120000_job_priority': jobPriority,
  '20261128T121000_webhook_secret_rotation': webhookSecretRotation,
  '20261128T123000_status_affected_range': statusAffectedRange,
};
