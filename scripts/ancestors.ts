import { readFileSync } from 'node:fs';

/** One link of the chain of processes that started this one: `pid`, and the parent it had. */
interface Link {
  readonly pid: number;
  readonly parent: number;
}

/**
 * Calls `onGone` once any process that started this one has exited: the launcher of `npm start`
 * (a shell, an IDE, a test), npm itself, the shell npm runs, tsx. When a process exits its children
 * are handed to another parent, so each link is checked by its child's parent pid, which also sees
 * a parent killed with SIGKILL. The chain ends at the session leader: what is above it (a terminal,
 * sshd) ends the session, which signals SIGHUP anyway. On systems without /proc, only the parent of
 * this process is watched. Returns a function that stops watching.
 */
export function onAncestorExit(onGone: (pid: number) => void, intervalMs = 500): () => void {
  const chain = ancestorChain();
  const timer = setInterval(() => {
    const broken = chain.find((link) => parentOf(link.pid) !== link.parent);
    if (broken === undefined) return;
    clearInterval(timer);
    onGone(broken.parent);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

function ancestorChain(): Link[] {
  const own = status(process.pid);
  if (own === undefined) return [{ pid: process.pid, parent: process.ppid }];
  const chain: Link[] = [];
  let pid = process.pid;
  let current: ProcessStatus | undefined = own;
  while (current !== undefined && current.parent > 1 && pid !== current.session) {
    chain.push({ pid, parent: current.parent });
    pid = current.parent;
    current = status(pid);
  }
  return chain;
}

function parentOf(pid: number): number | undefined {
  if (pid === process.pid) return process.ppid;
  return status(pid)?.parent;
}

interface ProcessStatus {
  readonly parent: number;
  readonly session: number;
}

/** The parent and session of a process, from /proc/<pid>/stat; undefined when it is gone or there is no /proc. */
function status(pid: number): ProcessStatus | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid pgrp session ...": comm may hold spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { parent: Number(fields[1]), session: Number(fields[3]) };
}
