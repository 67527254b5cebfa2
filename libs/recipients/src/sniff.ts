/**
 * Decides from the first bytes of an object whether it can be a UTF-8 CSV, so that a spreadsheet
 * saved as .xlsx, a UTF-16 export or random binary is answered with a specific reason instead of a
 * flood of malformed rows.
 */
export type SniffResult =
  { ok: true } | { ok: false; reason: 'empty-file' | 'not-csv'; message: string };

export function sniffHead(head: Uint8Array, complete: boolean): SniffResult {
  let start = 0;
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) start = 3;
  const body = head.subarray(start);
  if (body.length === 0 || (complete && /^\s*$/.test(Buffer.from(body).toString('utf8')))) {
    return { ok: false, reason: 'empty-file', message: 'The file is empty' };
  }
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) {
    return {
      ok: false,
      reason: 'not-csv',
      message: 'The file is UTF-16 text; save it as CSV UTF-8',
    };
  }
  if (head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) {
    return {
      ok: false,
      reason: 'not-csv',
      message: 'The file is a ZIP archive (an .xlsx workbook?); export it as CSV UTF-8',
    };
  }
  if (head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0) {
    return {
      ok: false,
      reason: 'not-csv',
      message: 'The file is a legacy Excel workbook (.xls); export it as CSV UTF-8',
    };
  }
  let control = 0;
  for (const byte of body) {
    if (byte === 0) {
      return {
        ok: false,
        reason: 'not-csv',
        message: 'The file contains NUL bytes: it is binary or UTF-16, not CSV UTF-8 text',
      };
    }
    if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) control++;
  }
  if (control > Math.max(8, body.length / 100)) {
    return { ok: false, reason: 'not-csv', message: 'The file is binary, not CSV text' };
  }
  // A multi-byte character may be cut at the end of the sample: stream mode tolerates that.
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(body, { stream: !complete });
  } catch {
    return {
      ok: false,
      reason: 'not-csv',
      message:
        'The file is not UTF-8 text (Latin-1 or another legacy encoding?); save it as CSV UTF-8',
    };
  }
  return { ok: true };
}
