import { randomBytes } from 'node:crypto';

/**
 * Meta's error codes as the simulator returns them: HTTP status, title and details follow
 * ../shared/reference/whatsapp-cloud-api.md §2. Throttling codes (130429, 131056, 80007) are HTTP 400
 * with the code in the body; only the app-level code 4 is HTTP 429.
 */
export interface ErrorSpec {
  http: number;
  title: string;
  details: string;
  type?: string;
  subcode?: number;
  transient?: boolean;
}

export const ERROR_CATALOG = {
  2: { http: 503, title: 'Service temporarily unavailable', details: 'Temporary downtime or overload. Retry later.', transient: true },
  4: { http: 429, title: 'Application request limit reached', details: 'The app has reached its API call rate limit.', transient: true },
  100: { http: 400, title: 'Invalid parameter', details: 'Invalid parameter' },
  190: { http: 401, title: 'Invalid OAuth access token - Cannot parse access token', details: 'Invalid OAuth access token' },
  80007: { http: 400, title: 'Rate limit issues', details: 'The WhatsApp Business Account has reached its rate limit.' },
  130429: {
    http: 400,
    title: 'Rate limit hit',
    details: 'Message failed to send because there were too many messages sent from this phone number in a short period of time',
    subcode: 2494055,
  },
  131000: { http: 500, title: 'Something went wrong', details: 'Message failed to send due to an unknown error.', transient: true },
  131008: { http: 400, title: 'Required parameter is missing', details: 'Required parameter is missing' },
  131016: { http: 503, title: 'Service unavailable', details: 'A service is temporarily unavailable.', transient: true },
  131026: { http: 400, title: 'Message undeliverable', details: 'Message Undeliverable.' },
  131047: {
    http: 400,
    title: 'Re-engagement message',
    details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
  },
  131049: {
    http: 400,
    title: 'This message was not delivered to maintain healthy ecosystem engagement.',
    details: 'In order to maintain a healthy ecosystem engagement, the message failed to be delivered.',
  },
  131050: {
    http: 400,
    title: 'Unable to deliver the message. This recipient has chosen to stop receiving marketing messages on WhatsApp from your business',
    details: 'The user has stopped marketing messages from this business.',
  },
  131051: { http: 400, title: 'Unsupported message type', details: 'Message type is not currently supported.' },
  131056: {
    http: 400,
    title: '(Business Account, Consumer Account) pair rate limit hit',
    details:
      'Message failed to send because there were too many messages sent from this phone number to the same phone number in a short period of time',
  },
  131057: { http: 500, title: 'Account in maintenance mode', details: 'Business Account is in maintenance mode', transient: true },
  132000: {
    http: 400,
    title: 'Number of parameters does not match the expected number of params',
    details: 'Number of parameters does not match the expected number of params',
  },
  132001: { http: 400, title: 'Template name does not exist in the translation', details: 'template name does not exist in the translation' },
  132012: {
    http: 400,
    title: 'Parameter format does not match format in the created template',
    details: 'Parameter format does not match format in the created template',
  },
  132015: { http: 400, title: 'Template is Paused', details: 'Template is paused due to low quality so it cannot be sent in a template message' },
  132016: {
    http: 400,
    title: 'Template is Disabled',
    details: 'Template has been paused too many times due to low quality and is now permanently disabled',
  },
} as const satisfies Record<number, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** The failure codes a status webhook may carry (reference §4.3). */
export const ASYNC_FAILURE_CODES = [131026, 131049, 131050, 131000, 131047] as const;
export type AsyncFailureCode = (typeof ASYNC_FAILURE_CODES)[number];

/** A request rejected with a Graph error; `details` overrides the catalogue text when specific. */
export class GraphError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly details?: string,
    readonly title?: string,
    readonly subcode?: number,
  ) {
    super(`(#${code}) ${title ?? ERROR_CATALOG[code].title}`);
  }
  get http(): number {
    return ERROR_CATALOG[this.code].http;
  }
}

const tracePrefix = randomBytes(6).toString('base64url');
let traceCounter = 0;
export function fbtraceId(): string {
  traceCounter = (traceCounter + 1) % 0x7fffffff;
  return `${tracePrefix}${traceCounter.toString(36).padStart(6, '0')}`;
}

/** The Graph API error envelope (schema GraphAPIError in Meta's OpenAPI spec). */
export function errorEnvelope(
  code: ErrorCode,
  details?: string,
  options: { title?: string; subcode?: number; traceId?: string } = {},
): Record<string, unknown> {
  const spec: ErrorSpec = ERROR_CATALOG[code];
  const error: Record<string, unknown> = {
    // Graph prefixes messages with (#code), except OAuth token errors (190), which read as plain text.
    message: code === 190 ? (options.title ?? spec.title) : `(#${code}) ${options.title ?? spec.title}`,
    type: spec.type ?? 'OAuthException',
    code,
    error_data: { messaging_product: 'whatsapp', details: details ?? spec.details },
  };
  const subcode = options.subcode ?? spec.subcode;
  if (subcode !== undefined) error.error_subcode = subcode;
  if (spec.transient) error.is_transient = true;
  error.fbtrace_id = options.traceId ?? fbtraceId();
  return { error };
}

/** The `errors[]` item of a failed status webhook (schema StatusError). */
export function statusError(code: AsyncFailureCode | ErrorCode): Record<string, unknown> {
  const spec: ErrorSpec = ERROR_CATALOG[code];
  return {
    code,
    title: spec.title,
    message: spec.title,
    error_data: { details: spec.details },
    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
  };
}
