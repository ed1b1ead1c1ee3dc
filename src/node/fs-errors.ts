/** File-system errors in words, for the one-line messages of the node adapters and the CLI. */

/** The `code` of a Node file-system error (`ENOENT`, …), if any. */
export function fsCode(e: unknown): string | undefined {
  return (e as { code?: string } | null)?.code;
}

/** A short reason for a file-system error ("no such file or directory", "permission denied", …). */
export function describeFsError(e: unknown): string {
  switch (fsCode(e)) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a path component is not a directory';
    case 'ENOSPC':
      return 'no space left on device';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}
