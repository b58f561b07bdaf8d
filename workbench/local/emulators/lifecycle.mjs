/**
 * Stops the emulator on SIGINT/SIGTERM, and when the process that started it
 * is gone (so a killed test run or `npm start` never leaves emulators behind).
 */
export function exitWithParent(close) {
  const parent = process.ppid;
  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await Promise.race([close(), new Promise((resolve) => setTimeout(resolve, 2000))]);
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  setInterval(() => {
    if (process.ppid !== parent) void shutdown();
  }, 1000).unref();
}
