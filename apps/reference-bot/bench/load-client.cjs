// The load generator of api-load.bench.ts, run in a child process so that it does not share the event loop of the
// server it measures. Reads its job from the LOAD environment variable (JSON): url, token, paths (requests cycle
// through them), connections, duration (s), and optionally overallRate (requests/s for the whole run) and bailout
// (stop at that many connection errors: the server went away). Prints
// autocannon's figures as one JSON line on stdout; on SIGTERM it stops and prints what it measured so far.
const autocannon = require('autocannon');

const job = JSON.parse(process.env.LOAD ?? '{}');
let next = 0;
let instance;
if (job.url === undefined) {
  // Started ahead of its server (so that starting Node.js costs the measured process nothing): the server's URL
  // comes as the first line on stdin; an empty line (or stdin closing) ends the client without a run.
  let input = '';
  process.stdin.on('data', (chunk) => {
    input += chunk.toString();
    const line = input.split('\n', 2);
    if (line.length < 2 || instance !== undefined) return;
    if (line[0] === '') process.exit(0);
    run(line[0]);
  });
  process.stdin.on('end', () => {
    if (instance === undefined) process.exit(0);
  });
} else {
  run(job.url);
}

function run(url) {
  instance = autocannon(
    {
      url,
      connections: job.connections,
      duration: job.duration,
      ...(job.overallRate === undefined ? {} : { overallRate: job.overallRate }),
      ...(job.bailout === undefined ? {} : { bailout: job.bailout }),
      headers: job.token === undefined ? {} : { authorization: `Bearer ${job.token}` },
      requests: [
        {
          setupRequest: (request) => {
            const path = job.paths[next % job.paths.length];
            next++;
            return { ...request, path };
          },
        },
      ],
    },
    (error, result) => {
      if (error) {
        process.stderr.write(`${error.stack ?? error}\n`);
        process.exit(1);
      }
      process.stdout.write(
        `${JSON.stringify({
          requests: result.requests.total,
          requests_per_s: result.requests.average,
          latency_p50_ms: result.latency.p50,
          latency_p99_ms: result.latency.p99,
          latency_max_ms: result.latency.max,
          non_2xx: result.non2xx,
          errors: result.errors,
          timeouts: result.timeouts,
          duration_s: result.duration,
        })}\n`,
      );
    },
  );
}
process.once('SIGTERM', () => (instance === undefined ? process.exit(0) : instance.stop()));
