import { ApiError } from '../http/api-error.js';
import type { SendEmailDeps } from './send-email.js';
import { sendEmail } from './send-email.js';

/**
 * The automation step `{ type: 'email', templateId }` (automations/actions/action-handler.ts), typed
 * by shape so email does not import automations: register `emailActionHandler(deps)` in the action
 * registry. The send's idempotency key is the step's (run × step × visit), so a retried step sends
 * once; the mail and its `Email Sent` carry the run's root. From is the project's default From
 * (`PATCH /api/v1/email-settings { defaultFrom }`). A problem a retry cannot fix (no default From,
 * no such template, a contact without an email, an unverified domain) goes through `fail`, which
 * the lead passes as `(reason, message) => new ActionFailure(reason, message)`.
 */
export function emailActionHandler(deps: SendEmailDeps & { fail: (reason: string, message: string) => Error }) {
  return {
    type: 'email' as const,
    async run(action: { templateId: string }, context: { projectId: string; personId: string; idempotencyKey: string; rootId: string }): Promise<void> {
      const { defaultFrom } = await deps.store.emails.settings(context.projectId);
      if (!defaultFrom) throw deps.fail('email_no_default_from', 'Set a default From for automation email (Settings → Email) first.');
      try {
        await sendEmail(deps, {
          projectId: context.projectId,
          to: context.personId,
          from: defaultFrom,
          templateId: action.templateId,
          idempotencyKey: `automation:${context.idempotencyKey}`,
          rootId: context.rootId,
          parentId: context.rootId,
        });
      } catch (error) {
        if (error instanceof ApiError && error.status < 500) throw deps.fail(error.code, error.message);
        throw error;
      }
    },
  };
}
