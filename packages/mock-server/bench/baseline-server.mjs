/**
 * What every baseline server of the bench does around its own logic: print `{"ws": URL}` once it
 * listens on 127.0.0.1, and close its sockets and exit on SIGTERM / SIGINT. Imports nothing else, so
 * a baseline stays a bare `ws` server.
 */
/** Announces `wss`'s URL on stdout when it listens and stops it on a signal. */
export function serveBaseline(wss) {
  wss.on("listening", () => {
    process.stdout.write(`${JSON.stringify({ ws: `ws://127.0.0.1:${wss.address().port}` })}\n`);
  });
  const stop = () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}
