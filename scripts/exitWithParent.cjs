/* global process, setInterval, clearInterval, setTimeout */
// Preloaded (node --require) into serverless-offline by scripts/localStack.ts. serverless-offline
// runs in a process group of its own so that it can be stopped whole, which also means it outlives
// the process that started it unless told otherwise. This stops the group once that process is
// gone, however it ended (SIGKILL and crashes included): the parent pid then changes.
'use strict';

const parent = process.ppid;
const timer = setInterval(() => {
  if (process.ppid === parent) return;
  clearInterval(timer);
  try {
    process.kill(-process.pid, 'SIGTERM');
    setTimeout(() => process.kill(-process.pid, 'SIGKILL'), 5000).unref();
  } catch {
    process.exit(1);
  }
}, 250);
timer.unref();
