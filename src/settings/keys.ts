/** Keys of instance settings in the settings table. */
export const REQUIRE_2FA_SETTING = 'require_2fa_for_staff';
