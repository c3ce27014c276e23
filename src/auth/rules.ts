/** Pure rules for authentication: back-off after failed logins, lifetimes. */

/** Failed attempts allowed before the account starts to slow down. */
export const FREE_ATTEMPTS = 4;
export const MAX_BACKOFF_SECONDS = 15 * 60;

/** Seconds the account must wait after `failures` consecutive failures: 0, …, 2, 4, 8 … capped. */
export function backoffSeconds(failures: number): number {
  if (failures <= FREE_ATTEMPTS) return 0;
  return Math.min(MAX_BACKOFF_SECONDS, 2 ** (failures - FREE_ATTEMPTS));
}

export const PASSWORD_RESET_TTL_MS = 60 * 60 * 1000;
export const INVITATION_TTL_MS = 14 * 24 * 60 * 60 * 1000;
export const API_TOKEN_MAX_DAYS = 366;
/** Session and token "last used" stamps are written at most this often, to spare the database. */
export const TOUCH_INTERVAL_MS = 60 * 1000;
