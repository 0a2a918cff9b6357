import { Worker } from 'node:worker_threads';

/**
 * Warm execution environments for bundle functions: one worker thread per concurrent
 * invocation, reused while warm (module scope survives between invocations, as on Lambda).
 * An environment lives until the function changes, the local cloud drops its state, or it
 * crashes or times out: a simulated night or week between two invocations must not turn
 * each of them into a cold start, so nothing retires it on a real-time idle timer (the
 * number of environments is bounded by the function's peak concurrency). Each worker gets
 * the function's own `env`, so two functions never see each other's variables and a crash
 * or a timeout kills only its own environment.
 */
export interface EnvironmentSpec {
  root: string;
  handler: string;
  env: Record<string, string>;
  memorySize: number;
  simulatedClock: boolean;
  /** Receives the worker's output instead of the parent's stdout/stderr, line by line. */
  onLog?: (line: string) => void;
  /** Called when a new environment starts (an init, what Lambda calls a cold start). */
  onColdStart?: () => void;
}

export interface InvokeMessage {
  id: string;
  event: unknown;
  context: Record<string, string>;
  deadline: number;
  clock: { sim: number; real: number; speed: number };
}

export type WorkerReply =
  | { ok: true; payload: string }
  | { ok: false; errorType: string; errorMessage: string; trace: string[] };

const WORKER_URL = new URL('./worker-runtime.mjs', import.meta.url);
/**
 * V8 sizes a thread's young generation for a large heap (16 MB semi-spaces), and a warm
 * environment keeps it while idle: with every environment of a rehearsal warm (about 35),
 * that is over 400 MB for short-lived objects alone. A handler's garbage fits in far less.
 */
const YOUNG_GENERATION_MB = 4;

interface Environment {
  worker: Worker;
}

export class WorkerPool {
  private readonly idle: Environment[] = [];
  private readonly all = new Set<Environment>();

  constructor(private readonly spec: EnvironmentSpec) {}

  async invoke(message: InvokeMessage, timeoutMs: number): Promise<WorkerReply> {
    const environment = this.idle.pop() ?? this.spawn();
    const reply = await this.run(environment, message, timeoutMs);
    if (this.all.has(environment)) this.idle.push(environment);
    return reply;
  }

  /** Stops every environment (function deleted or updated, cloud reset). */
  close(): void {
    for (const environment of [...this.all]) this.retire(environment);
  }

  private spawn(): Environment {
    const worker = new Worker(WORKER_URL, {
      workerData: {
        root: this.spec.root,
        handler: this.spec.handler,
        simulatedClock: this.spec.simulatedClock,
      },
      env: this.spec.env,
      // Only the runtime and the bundle: by default a worker inherits this process's options
      // (tsx's TypeScript loader and its source-map handling under `npm start`), which would
      // re-run the loader on every bundle. Options a function asks for come from its
      // NODE_OPTIONS variable, as on Lambda (e.g. --enable-source-maps).
      execArgv: [],
      resourceLimits: {
        maxOldGenerationSizeMb: Math.max(this.spec.memorySize, 128),
        maxYoungGenerationSizeMb: YOUNG_GENERATION_MB,
      },
      stdout: this.spec.onLog !== undefined,
      stderr: this.spec.onLog !== undefined,
    });
    worker.unref();
    const onLog = this.spec.onLog;
    if (onLog) {
      for (const stream of [worker.stdout, worker.stderr]) {
        let pending = '';
        stream.setEncoding('utf8');
        stream.on('data', (chunk: string) => {
          const lines = (pending + chunk).split('\n');
          pending = lines.pop() ?? '';
          for (const line of lines) if (line) onLog(line);
        });
      }
    }
    const environment: Environment = { worker };
    this.all.add(environment);
    this.spec.onColdStart?.();
    return environment;
  }

  private retire(environment: Environment): void {
    this.all.delete(environment);
    const at = this.idle.indexOf(environment);
    if (at >= 0) this.idle.splice(at, 1);
    void environment.worker.terminate();
  }

  private run(environment: Environment, message: InvokeMessage, timeoutMs: number): Promise<WorkerReply> {
    const { worker } = environment;
    return new Promise<WorkerReply>((resolve) => {
      const finish = (reply: WorkerReply, retire: boolean) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (retire) this.retire(environment);
        resolve(reply);
      };
      const failure = (errorType: string, errorMessage: string): WorkerReply => ({
        ok: false,
        errorType,
        errorMessage: `RequestId: ${message.id} Error: ${errorMessage}`,
        trace: [],
      });
      const onMessage = (data: unknown) => {
        const reply = data as (WorkerReply & { id?: string; fatal?: boolean; kind?: string }) | undefined;
        if (reply?.kind === 'crash' && !reply.ok) {
          finish(
            { ok: false, errorType: reply.errorType, errorMessage: reply.errorMessage, trace: reply.trace },
            true,
          );
          return;
        }
        if (reply?.id !== message.id) return;
        const { id: _id, fatal, kind: _kind, ...rest } = reply;
        finish(rest as WorkerReply, fatal === true);
      };
      const onError = (error: Error & { code?: string }) =>
        finish(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? failure('Runtime.OutOfMemory', 'Runtime exited with error: signal: killed')
            : {
                ok: false,
                errorType: error.name || 'Error',
                errorMessage: error.message,
                trace: (error.stack ?? '').split('\n'),
              },
          true,
        );
      const onExit = (code: number) =>
        finish(failure('Runtime.ExitError', `Runtime exited with error: exit status ${code}`), true);
      const timer = setTimeout(
        () =>
          finish(
            failure('Sandbox.Timedout', `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`),
            true,
          ),
        timeoutMs,
      );
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      worker.postMessage(message);
    });
  }
}
