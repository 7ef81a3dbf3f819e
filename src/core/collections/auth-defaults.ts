/** Default options of a new auth collection (PocketBase's values; e-mail wording is Plinth's own). */
import type { AuthOptions, EmailTemplate } from "./collection.ts";

/** Placeholders the e-mail templates may use; the mailer replaces them. */
export const EMAIL_PLACEHOLDERS = {
  appName: "{APP_NAME}",
  appUrl: "{APP_URL}",
  token: "{TOKEN}",
  otp: "{OTP}",
  otpId: "{OTP_ID}",
  alertInfo: "{ALERT_INFO}",
} as const;

const signOff = `<p>
  Best regards,<br/>
  The {APP_NAME} team
</p>`;

/** Default e-mail verification template. */
export const DEFAULT_VERIFICATION_TEMPLATE: EmailTemplate = {
  subject: "Please verify your {APP_NAME} email address",
  body: `<p>Hi,</p>
<p>Welcome to {APP_NAME}! Please confirm that this email address belongs to you.</p>
<p>
  <a class="btn" href="{APP_URL}/_/#/auth/confirm-verification/{TOKEN}" target="_blank" rel="noopener">Confirm email</a>
</p>
<p><i>If you did not create an account, you can safely ignore this message.</i></p>
${signOff}`,
};

/** Default password reset template. */
export const DEFAULT_RESET_PASSWORD_TEMPLATE: EmailTemplate = {
  subject: "Password reset for {APP_NAME}",
  body: `<p>Hi,</p>
<p>We received a request to reset your password. Use the button below to choose a new one.</p>
<p>
  <a class="btn" href="{APP_URL}/_/#/auth/confirm-password-reset/{TOKEN}" target="_blank" rel="noopener">Choose a new password</a>
</p>
<p><i>If you did not request a password reset, you can safely ignore this message.</i></p>
${signOff}`,
};

/** Default e-mail change confirmation template. */
export const DEFAULT_CONFIRM_EMAIL_CHANGE_TEMPLATE: EmailTemplate = {
  subject: "Confirm your new {APP_NAME} email address",
  body: `<p>Hi,</p>
<p>Please confirm the change of your account email address by using the button below.</p>
<p>
  <a class="btn" href="{APP_URL}/_/#/auth/confirm-email-change/{TOKEN}" target="_blank" rel="noopener">Confirm the new address</a>
</p>
<p><i>If you did not request this change, you can safely ignore this message.</i></p>
${signOff}`,
};

/** Default one-time password template. */
export const DEFAULT_OTP_TEMPLATE: EmailTemplate = {
  subject: "Your {APP_NAME} one-time password",
  body: `<p>Hi,</p>
<p>Here is your one-time password: <strong>{OTP}</strong></p>
<p><i>If you did not request it, you can safely ignore this message.</i></p>
${signOff}`,
};

/** Default new-login alert template. */
export const DEFAULT_AUTH_ALERT_TEMPLATE: EmailTemplate = {
  subject: "New sign-in to your {APP_NAME} account",
  body: `<p>Hi,</p>
<p>Your {APP_NAME} account was just used to sign in from a new location:</p>
<p><em>{ALERT_INFO}</em></p>
<p><strong>If this was not you, change your {APP_NAME} password right away; doing so signs out every other session.</strong></p>
<p>If it was you, no action is needed.</p>
${signOff}`,
};

/** Default auth options (token durations, templates, methods) with fresh secrets. */
export function defaultAuthOptions(randomSecret: () => string): AuthOptions {
  return {
    authRule: "",
    manageRule: null,
    authAlert: { enabled: true, emailTemplate: DEFAULT_AUTH_ALERT_TEMPLATE },
    oauth2: {
      providers: [],
      mappedFields: { id: "", name: "", username: "", avatarURL: "" },
      enabled: false,
    },
    passwordAuth: { enabled: true, identityFields: ["email"] },
    mfa: { enabled: false, duration: 600, rule: "" },
    otp: { enabled: false, duration: 180, length: 8, emailTemplate: DEFAULT_OTP_TEMPLATE },
    authToken: { secret: randomSecret(), duration: 432000 },
    passwordResetToken: { secret: randomSecret(), duration: 1800 },
    emailChangeToken: { secret: randomSecret(), duration: 1800 },
    verificationToken: { secret: randomSecret(), duration: 86400 },
    fileToken: { secret: randomSecret(), duration: 180 },
    verificationTemplate: DEFAULT_VERIFICATION_TEMPLATE,
    resetPasswordTemplate: DEFAULT_RESET_PASSWORD_TEMPLATE,
    confirmEmailChangeTemplate: DEFAULT_CONFIRM_EMAIL_CHANGE_TEMPLATE,
  };
}
