/**
 * Pulls the signed content part out of a multipart/signed fixture WITHOUT
 * any verification — only for model tests that look at the JSON payloads.
 */
export function payloadOf(message: string): string {
  const m = /boundary="?([^";\r\n]+)"?/.exec(message);
  if (!m) throw new Error('no boundary');
  const delimiter = `--${m[1]}`;
  const parts = message.split(delimiter);
  const part = parts[1] ?? '';
  // the first part starts after the boundary line's line break and ends before the next delimiter's line break
  return part.replace(/^\r?\n/, '').replace(/\r?\n$/, '');
}
