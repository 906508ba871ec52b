import { z } from 'zod';

const securityChoice = z.enum(['require-tls', 'default', 'tls-optional']);

/** The submission server settings as the renderer may send them. */
export const submissionServerSchema = z
  .object({
    host: z.string().max(255),
    port: z.number().int(),
    security: z.enum(['starttls', 'implicit']),
    user: z.string().max(512).optional(),
    authMethod: z.enum(['auto', 'PLAIN', 'LOGIN']).optional(),
    caFile: z.string().max(4096).optional(),
    pinSha256: z.string().max(200).optional(),
    tlsName: z.string().max(255).optional(),
  })
  .strict();

/** The composed message as the renderer may send it. */
export const outgoingMessageSchema = z
  .object({
    from: z.string().max(1000),
    to: z.array(z.string().max(1000)).max(1000),
    cc: z.array(z.string().max(1000)).max(1000).optional(),
    bcc: z.array(z.string().max(1000)).max(1000).optional(),
    subject: z.string().max(10_000),
    text: z.string().max(50_000_000),
    html: z.string().max(50_000_000).optional(),
    attachments: z.array(z.object({ path: z.string().max(4096), filename: z.string().max(1000).optional() }).strict()).max(500).optional(),
  })
  .strict();

/** `send:message`: the password is write-only (renderer → main) and never comes back. */
export const sendMessageSchema = z
  .object({
    /** Required unless `accountId` names a stored account, whose settings are used. */
    server: submissionServerSchema.optional(),
    message: outgoingMessageSchema,
    security: securityChoice,
    password: z.string().max(4096).optional(),
    /** Log in with the running sandbox's generated password, which main holds and the renderer never sees. */
    useSandboxPassword: z.boolean().optional(),
    /** Send from a stored account: its settings fill `server` (fields given override) and main reads its password from the keychain. */
    accountId: z.string().max(100).optional(),
    /** Chosen by the renderer so it can follow progress (`send:progress`) and cancel (`send:cancel`) this send. */
    operationId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/).optional(),
  })
  .strict()
  .refine((r) => !(r.password !== undefined && r.useSandboxPassword), { message: 'give a password or useSandboxPassword, not both', path: ['password'] })
  .refine((r) => r.server !== undefined || r.accountId !== undefined, { message: 'give the server settings or an account', path: ['server'] });

/** `send:cancel`: stops the send with that operation id, at whatever step it is in. */
export const sendCancelSchema = z.object({ operationId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/) }).strict();

/** `posture:forecast`: the domain check for one recipient domain, from main's cache when fresh. */
export const forecastSchema = z.object({ domain: z.string().min(1).max(255) }).strict();

/** `attachments:describe`: the files dropped on the composer, by path (main checks each one). */
export const attachmentsDescribeSchema = z.object({ paths: z.array(z.string().min(1).max(4096)).max(100) }).strict();

/** `sandbox:read-message`: a message the sandbox received, by the id its event gave (never by path). */
export const sandboxMessageSchema = z.object({ id: z.string().regex(/^[A-Za-z0-9-]{1,100}$/) }).strict();

/** `drafts:save`: what the composer holds (recipients as typed); main stamps the time. */
export const draftSaveSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/),
    sender: z.string().max(100),
    securityChoice,
    to: z.array(z.string().max(1000)).max(1000),
    cc: z.array(z.string().max(1000)).max(1000),
    bcc: z.array(z.string().max(1000)).max(1000),
    subject: z.string().max(10_000),
    text: z.string().max(50_000_000),
    attachments: z.array(z.object({ path: z.string().max(4096), name: z.string().max(1000), size: z.number().int().nonnegative().optional() }).strict()).max(500),
    /** Why it came back from the Outbox, kept on the draft until it is sent again (main wrote it; the renderer only passes it back). */
    returned: z.object({ at: z.string().datetime(), reason: z.string().max(10_000), code: z.string().max(32).optional(), hint: z.string().max(10_000).optional() }).strict().optional(),
  })
  .strict();

const mailboxId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/);

/** `sent:analyze`: a delivered copy by path (picked or dropped; main reads it), or the system's picker when absent. */
export const analyzeDeliveredSchema = z.object({ path: z.string().min(1).max(4096).optional() }).strict();
const operationId = z.string().regex(/^[A-Za-z0-9-]{1,64}$/).optional();

/** `outbox:send`: a draft goes through the Outbox (never lost), with an operation id for progress and cancel. */
/** A password typed for an account that asks at each send: write-only, held in main's memory while the message is in the Outbox, never stored. */
const typedPassword = z.string().min(1).max(4096).optional();
export const outboxSendSchema = z.object({ draft: draftSaveSchema, operationId, password: typedPassword }).strict();

/** `outbox:retry`: `duplicateOk` is the user's explicit consent to re-send a message that may have been delivered. */
export const outboxRetrySchema = z.object({ id: mailboxId, duplicateOk: z.boolean().optional(), operationId, password: typedPassword }).strict();

/** Requests that name one message in a mailbox folder. */
export const mailboxRefSchema = z.object({ id: mailboxId }).strict();

/** `sent:list`: free text (a recipient, the subject, or a date YYYY-MM-DD) and an optional date range. */
export const sentSearchSchema = z
  .object({
    text: z.string().max(1000).optional(),
    since: z.string().regex(/^\d{4}-\d{2}-\d{2}/).max(40).optional(),
    until: z.string().regex(/^\d{4}-\d{2}-\d{2}/).max(40).optional(),
  })
  .strict();

/** Requests that name one draft. */
export const draftRefSchema = z.object({ id: z.string().regex(/^[A-Za-z0-9-]{1,64}$/) }).strict();

/** `sandbox:start`. */
export const sandboxStartSchema = z
  .object({
    starttlsPort: z.number().int().min(0).max(65535).optional(),
    implicitPort: z.number().int().min(0).max(65535).optional(),
  })
  .strict();

/** Requests that carry nothing. */
export const emptySchema = z.undefined().or(z.object({}).strict());

/** `posture:check-server`. */
export const checkServerSchema = z
  .object({
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535).optional(),
    security: z.enum(['starttls', 'implicit', 'auto']).optional(),
    tlsName: z.string().max(255).optional(),
    caFile: z.string().max(4096).optional(),
    operationId,
  })
  .strict();

/** `posture:check-domain`. */
export const checkDomainSchema = z
  .object({
    domain: z.string().min(1).max(255),
    /** IP[:PORT] of a validating resolver; the system's when absent. */
    resolver: z.string().max(100).optional(),
    caFile: z.string().max(4096).optional(),
    operationId,
  })
  .strict();

/** `posture:export` and `posture:forget`: a kept check by id (`posture:forget` without one forgets them all). */
export const storedCheckSchema = z.object({ id: z.string().regex(/^[0-9a-f-]{36}$/) }).strict();
export const forgetCheckSchema = z.object({ id: z.string().regex(/^[0-9a-f-]{36}$/).optional() }).strict();

/** An account as the renderer may give it (no password: that travels separately, write-only). */
export const accountInputSchema = z
  .object({
    name: z.string().min(1).max(100),
    fromName: z.string().max(200).optional(),
    fromAddress: z.string().min(3).max(320),
    host: z.string().min(1).max(255),
    port: z.number().int().min(1).max(65535),
    security: z.enum(['starttls', 'implicit']),
    user: z.string().min(1).max(512),
    authMethod: z.enum(['auto', 'PLAIN', 'LOGIN']),
    caFile: z.string().max(4096).optional(),
    pinSha256: z.string().max(200).optional(),
    defaultSecurity: z.enum(['require-tls', 'default', 'tls-optional']),
    passwordStorage: z.enum(['keychain', 'ask']),
  })
  .strict();

/** `accounts:add`: the password, when given, goes straight to the keychain. */
export const accountAddSchema = z.object({ account: accountInputSchema, password: z.string().min(1).max(4096).optional() }).strict();

/** `accounts:update`. */
export const accountUpdateSchema = accountInputSchema.extend({ id: z.string().uuid() }).strict();

/** Requests that name one account. */
export const accountRefSchema = z.object({ id: z.string().min(1).max(100) }).strict();

/** `accounts:set-password`: write-only; no channel ever returns a password. */
export const accountPasswordSchema = z.object({ id: z.string().min(1).max(100), password: z.string().min(1).max(4096) }).strict();

/** `accounts:discover`. */
export const accountDiscoverSchema = z.object({ address: z.string().min(3).max(320), resolver: z.string().max(100).optional() }).strict();

/** `accounts:test`: the password only for accounts that ask at each send. */
export const accountTestSchema = z.object({ id: z.string().min(1).max(100), password: z.string().min(1).max(4096).optional() }).strict();
