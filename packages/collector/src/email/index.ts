/** Email sending (issue 13): what the API, automations and server.ts use. */
export { sendEmail, type SendEmailDeps, type EmailRequest } from './send-email.js';
export { deliverSend, requeueOpenSends, INTERRUPTED_REASON, type DeliverDeps } from './deliver-send.js';
export { emailJobHandlers } from './email-jobs.js';
export { emailActionHandler } from './email-action.js';
export { jobsEmailQueue, EMAIL_SEND_JOB, type EmailQueue } from './email-queue.js';
export { createEmailContent, type EmailContent } from './content-seam.js';
export { createSmtpTransport, createOutboxTransport, SmtpRefusal, type MailTransport } from './mail-transport.js';
export { systemResolver, type DnsResolver, type DomainPolicy } from './sending-domains.js';
export { EMAIL_LIMITS } from './send-request.js';
export { EMAIL_SENT, emailSentMessageId } from './email-sent-event.js';
