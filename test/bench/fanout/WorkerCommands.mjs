// The command protocol of the benches' load-generating worker threads (player-worker.mjs and its web
// counterpart): a message with a `cmd`, answered by one message with the same `cmd`.

/** Posts `msg` to `worker` and resolves with its answer; rejects if the worker fails first. */
export function request(worker, msg, transfer) {
  return new Promise((resolve, reject) => {
    const onMessage = (m) => {
      if (m.cmd !== msg.cmd) return;
      worker.off('message', onMessage);
      worker.off('error', reject);
      resolve(m);
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.postMessage(msg, transfer);
  });
}

/** Posts a command to every worker and resolves with each worker's answer. */
export function broadcast(workers, msg) {
  return Promise.all(workers.map((w) => request(w, msg)));
}
