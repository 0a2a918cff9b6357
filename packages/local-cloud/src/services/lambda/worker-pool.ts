import { Worker } from 'node:worker_threads';

/**
 * Warm execution environments for bundle functions. Lambda gives each concurrent invocation
 * its own environment and reuses it while warm (module scope survives between invocations).
 * Here one worker thread per function hosts its environments, each a separate instance of
 * the bundle's module (its own module scope; files the bundle imports are shared): a thread costs ~9 MB before any code and each
 * extra one a full copy of the bundle's heap, so with every function of a rehearsal warm at
 * its peak concurrency, thread-per-environment alone outgrew 1 GiB. The function's `env`
 * is its thread's, so two functions never see each other's variables.
 *
 * An environment lives until the function changes, the local cloud drops its state, its
 * thread dies, or the function sat out the cloud's last few hundred invocations
 * (idle-retirement.ts): a simulated night or week between two invocations must not turn each
 * of them into a cold start, so nothing retires it on a real-time idle timer. What is shared, unlike
 * on Lambda: a crash (an unhandled rejection, an exit, running out of memory) ends every
 * environment of the function at once, and the thread's memory limit (the function's
 * memory size) is shared by its concurrent environments. A timed-out invocation ends its
 * thread as soon as no other invocation runs on it; until then the thread takes no new ones.
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
 * thread keeps it while idle: with every function of a rehearsal warm, that is hundreds of
 * MB for short-lived objects alone. A handler's garbage fits in far less.
 */
const YOUNG_GENERATION_MB = 4;

type Reply = WorkerReply & { id?: string; fatal?: boolean; kind?: string };

interface Run {
  message: InvokeMessage;
  environment: number;
  finish: (reply: WorkerReply) => void;
}

/** One worker thread and the environments (module instances) it holds. */
interface Host {
  worker: Worker;
  idle: number[];
  environments: number;
  runs: Map<string, Run>;
  /** Takes no new invocation (one of its invocations timed out): ends when its runs have. */
  draining: boolean;
  ended: boolean;
}

const failure = (message: InvokeMessage, errorType: string, errorMessage: string): WorkerReply => ({
  ok: false,
  errorType,
  errorMessage: `RequestId: ${message.id} Error: ${errorMessage}`,
  trace: [],
});

export class WorkerPool {
  private current: Host | undefined;
  private readonly hosts = new Set<Host>();
  /** The cloud's invocation count when this function last started or ended one (see idle-retirement.ts). */
  lastUsed = 0;

  constructor(private readonly spec: EnvironmentSpec) {}

  /** Environments started and still alive, idle or running. */
  get environments(): number {
    let n = 0;
    for (const host of this.hosts) n += host.environments;
    return n;
  }

  /** Whether an invocation is running (or a timed-out one still holds its thread). */
  get busy(): boolean {
    return [...this.hosts].some((host) => host.runs.size > 0 || host.draining);
  }

  invoke(message: InvokeMessage, timeoutMs: number): Promise<WorkerReply> {
    const host = this.current ?? this.spawn();
    let environment = host.idle.pop();
    if (environment === undefined) {
      environment = host.environments;
      host.environments += 1;
      this.spec.onColdStart?.();
    }
    return this.run(host, environment, message, timeoutMs);
  }

  /** Stops every environment (function deleted or updated, cloud reset). */
  close(): void {
    for (const host of [...this.hosts]) this.end(host);
  }

  private spawn(): Host {
    const worker = new Worker(WORKER_URL, {
      workerData: {
        root: this.spec.root,
        handler: this.spec.handler,
        simulatedClock: this.spec.simulatedClock,
      },
      env: this.spec.env,
      // Only the runtime and the bundle: by default a worker inherits this process's options
      // (tsx's TypeScript loader and its source-map handling under `npm start`), which would
      // re-run the loader on every bundle.
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
    const host: Host = { worker, idle: [], environments: 0, runs: new Map(), draining: false, ended: false };
    this.hosts.add(host);
    this.current = host;
    worker.on('message', (data: unknown) => this.onMessage(host, data as Reply | undefined));
    worker.on('error', (error: Error & { code?: string }) =>
      this.crash(host, (message) =>
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? failure(message, 'Runtime.OutOfMemory', 'Runtime exited with error: signal: killed')
          : {
              ok: false,
              errorType: error.name || 'Error',
              errorMessage: error.message,
              trace: (error.stack ?? '').split('\n'),
            },
      ),
    );
    worker.on('exit', (code: number) =>
      this.crash(host, (message) =>
        failure(message, 'Runtime.ExitError', `Runtime exited with error: exit status ${code}`),
      ),
    );
    return host;
  }

  private onMessage(host: Host, reply: Reply | undefined): void {
    if (reply?.kind === 'crash' && !reply.ok) {
      const { errorType, errorMessage, trace } = reply;
      this.crash(host, () => ({ ok: false, errorType, errorMessage, trace }));
      return;
    }
    const run = reply?.id === undefined ? undefined : host.runs.get(reply.id);
    if (!reply || !run) return;
    const { id: _id, fatal, kind: _kind, ...rest } = reply;
    host.runs.delete(run.message.id);
    // An environment whose init failed is not reused: the next invocation tries a new one.
    if (fatal !== true && !host.draining && !host.ended) host.idle.push(run.environment);
    run.finish(rest as WorkerReply);
    if (host.draining && host.runs.size === 0) this.end(host);
  }

  /** The thread died: every invocation on it fails with what killed it. */
  private crash(host: Host, replyFor: (message: InvokeMessage) => WorkerReply): void {
    const runs = [...host.runs.values()];
    host.runs.clear();
    this.end(host);
    for (const run of runs) run.finish(replyFor(run.message));
  }

  private end(host: Host): void {
    if (host.ended) return;
    host.ended = true;
    this.hosts.delete(host);
    if (this.current === host) this.current = undefined;
    void host.worker.terminate();
  }

  private run(
    host: Host,
    environment: number,
    message: InvokeMessage,
    timeoutMs: number,
  ): Promise<WorkerReply> {
    return new Promise<WorkerReply>((resolve) => {
      const timer = setTimeout(() => {
        if (!host.runs.delete(message.id)) return;
        host.draining = true;
        if (this.current === host) this.current = undefined;
        if (host.runs.size === 0) this.end(host);
        resolve(
          failure(
            message,
            'Sandbox.Timedout',
            `Task timed out after ${(timeoutMs / 1000).toFixed(2)} seconds`,
          ),
        );
      }, timeoutMs);
      host.runs.set(message.id, {
        message,
        environment,
        finish: (reply) => {
          clearTimeout(timer);
          resolve(reply);
        },
      });
      host.worker.postMessage({ ...message, environment });
    });
  }
}
