// Under load many frames for one socket are produced in one turn of the event loop. Corking the
// socket until that turn's I/O is done sends them in one write instead of one syscall each; on
// loopback those syscalls were a third of the platform's CPU (BENCHMARKS.md, B2).
import type { Duplex } from 'node:stream';

/** Returns a function to call before each send on `socket`. */
export function writeBatcher(socket: Duplex): () => void {
  let corked = false;
  const flush = () => {
    corked = false;
    socket.uncork();
  };
  return () => {
    if (corked) return;
    corked = true;
    socket.cork();
    setImmediate(flush);
  };
}
