/**
 * The load generator in a process of its own (started by bench/client-process.ts): the same SDK
 * clients as the in-process phase, so the server's event loop only serves requests. Waits for a
 * phase over IPC, runs it, replies with what it saw and the CPU this process used for it.
 *
 *   argv: <baseURL> <assistantId or model> [runs|responses]; env: BENCH_API_KEY
 */
import OpenAI from 'openai';
import { generateLoad, generateResponseLoad, type LoadOptions } from './load.js';

const [baseURL, assistantId, kind = 'runs'] = process.argv.slice(2);
const load = kind === 'responses' ? generateResponseLoad : generateLoad;
const apiKey = process.env.BENCH_API_KEY;
const send = process.send?.bind(process);
if (!baseURL || !assistantId || !apiKey || !send) {
  process.stderr.write('bench clients: needs <baseURL> <assistantId>, BENCH_API_KEY and IPC\n');
  process.exit(2);
}

// The same client settings as the in-process clients (bench/setup.ts).
const openai = new OpenAI({ apiKey, baseURL, maxRetries: 0, timeout: 30_000 });

process.on('message', (options: LoadOptions) => {
  const cpu = process.cpuUsage();
  load(openai, assistantId, options).then(
    (outcome) => {
      const used = process.cpuUsage(cpu);
      send({ ...outcome, cpuMs: (used.user + used.system) / 1000 });
    },
    (error: unknown) => {
      process.stderr.write(`bench clients: ${error instanceof Error ? error.stack : error}\n`);
      process.exit(2);
    },
  );
});
// The bench went away (ended or crashed): nothing left to do.
process.on('disconnect', () => process.exit(0));
send({ ready: true });
