import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { imageRuntime } from './image-runtime.ts';

/**
 * Runs a measuring script in a process of its own, with the image's runtime settings (thread pool,
 * allocator, heap flags) and the given environment, and resolves with the one message it sends.
 * Its CPU time is then the measured work's alone, not the load generator's.
 */
export function measureInChild<T>(script: URL, environment: Record<string, string>): Promise<T> {
  const runtime = imageRuntime();
  const child = fork(fileURLToPath(script), [], {
    execArgv: ['--import', 'tsx', ...runtime.nodeFlags],
    env: { ...process.env, ...environment, ...runtime.environment },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let answered = false;
    child.once('message', (message: T) => {
      answered = true;
      resolve(message);
    });
    child.once('exit', (code) => {
      const failUnlessAnswered = () => {
        if (!answered) reject(new Error(`${fileURLToPath(script)} exited with code ${code} before it answered`));
      };
      // Under load the exit can be reported while the answer still waits in the channel: the channel
      // hands over everything it holds before it reports itself closed.
      if (child.connected) child.once('disconnect', failUnlessAnswered);
      else failUnlessAnswered();
    });
  });
}
