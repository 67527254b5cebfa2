/**
 * The tenant's suppression (opt-out) list, kept by status-tracker. Asked once per broadcast.rows
 * chunk (at most 2000 numbers) rather than loaded whole: memory stays bounded whatever the list's
 * size (a million opt-outs would be ~100 MB as a Set), and an opt-out that arrives while a long
 * broadcast is sending is honoured by the chunks composed after it. Abstract class = type and DI token.
 */
export abstract class SuppressionList {
  /** The suppressed numbers among `phones` (E.164) → their reason. Throws when the list cannot be read. */
  abstract find(tenantId: string, phones: readonly string[]): Promise<Map<string, string>>;
}
