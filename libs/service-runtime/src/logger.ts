import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Masks a phone number for logs: keeps the country-code end and the last two digits
 * (`+4915123456789` → `+49*********89`). Full numbers never go into a log line.
 */
export function maskPhone(phone: string | null | undefined): string {
  if (!phone) return '';
  const digits = phone.replace(/[^\d+]/g, '');
  if (digits.length <= 4) return '*'.repeat(digits.length);
  const head = digits.startsWith('+') ? digits.slice(0, 3) : digits.slice(0, 2);
  return `${head}${'*'.repeat(Math.max(0, digits.length - head.length - 2))}${digits.slice(-2)}`;
}

/** Field names whose values are always replaced in log output, wherever they appear. */
export const REDACTED_PATHS = [
  'token',
  'accessToken',
  'appSecret',
  'apiKey',
  'password',
  'secret',
  'authorization',
  '*.token',
  '*.accessToken',
  '*.appSecret',
  '*.apiKey',
  '*.password',
  '*.secret',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'WHATSAPP_TOKEN',
  'WHATSAPP_APP_SECRET',
  'INTERNAL_API_TOKEN',
];

/**
 * The service's structured JSON logger (pino): one line per event with `service`, and a
 * `correlationId` where one is bound (`logger.child({ correlationId })`). Secrets are redacted by
 * field name; phone numbers must be passed through maskPhone before logging.
 */
export function createLogger(
  service: string,
  level = 'info',
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
      level,
      base: { service },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
