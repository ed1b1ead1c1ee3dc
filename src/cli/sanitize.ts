/**
 * Text for a terminal (or a cron mail): lists, MIME headers, URLs and file
 * names are untrusted, and a control byte or escape sequence in them could
 * clear the screen, set the window title, or overwrite a verdict already
 * printed. Every control character except newline and tab (C0, DEL, C1) and
 * the bidirectional overrides are shown as `\uXXXX`, which is also what
 * JSON would write, so JSON output keeps its meaning.
 */

// C0 without \t and \n, DEL, C1, bidi embeddings/overrides and isolates
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** `text` with every terminal control character shown escaped (`\u001b`). */
export function sanitizeForTerminal(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
