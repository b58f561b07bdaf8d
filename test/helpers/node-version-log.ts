import { existsSync, readFileSync } from 'node:fs';

/** One line of NODE_VERSION_LOG, as workbench/pinned-node.mjs writes it: a process and its Node. */
export interface StartedProcess {
  pid: number;
  version: string;
  execPath: string;
  script: string | null;
}

/** The processes a NODE_VERSION_LOG file names (none when nothing wrote it). */
export function readNodeVersionLog(file: string): StartedProcess[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as StartedProcess);
}
