/**
 * The sweep queue's pure parts, without Redis: --queue URLs, the thread split, the progress
 * line, and the usage errors of `sweep --queue` and `worker` (exit 2, one line).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bufferIo } from '../src/node/cli/io.js';
import { main } from '../src/node/cli/main.js';
import { formatRedisUrl, parseRedisUrl } from '../src/node/sweep/queue/redis-url.js';
import { progressText } from '../src/node/sweep/queue/sweep-on-queue.js';
import { threadsPerRun } from '../src/node/sweep/queue/worker-pool.js';

describe('--queue URLs', () => {
  it('reads host, port, credentials and the queue name', () => {
    assert.deepEqual(parseRedisUrl('redis://redis.lab:6380/fmnist'), { host: 'redis.lab', port: 6380, queue: 'fmnist' });
    assert.deepEqual(parseRedisUrl('redis://10.0.0.5'), { host: '10.0.0.5', port: 6379 });
    assert.deepEqual(parseRedisUrl('redis://:s%40cret@h:1/q'), { host: 'h', port: 1, password: 's@cret', queue: 'q' });
    assert.deepEqual(parseRedisUrl('redis://ann:pw@[::1]:7000/'), { host: '::1', port: 7000, username: 'ann', password: 'pw' });
    assert.deepEqual(parseRedisUrl('rediss://:pw@redis.lab:6380/q'), { host: 'redis.lab', port: 6380, tls: true, password: 'pw', queue: 'q' });
  });

  it('says what is wrong with a URL it cannot use', () => {
    assert.equal(parseRedisUrl('localhost:6379'), '--queue expects a redis:// (or rediss://) URL, received "localhost:" in "localhost:6379"');
    assert.equal(parseRedisUrl('http://h:1/q'), '--queue expects a redis:// (or rediss://) URL, received "http:" in "http://h:1/q"');
    assert.equal(parseRedisUrl('not a url'), '--queue expects redis://HOST:PORT[/NAME], received "not a url"');
    assert.equal(parseRedisUrl('redis://h:1/a/b'), '--queue\'s queue name must be letters, digits, ".", "_" or "-" (at most 100), received "a/b"');
    assert.equal(parseRedisUrl('redis://h:1/q?db=2'), '--queue takes no query or fragment, received "redis://h:1/q?db=2"');
  });

  it('prints URLs without the password', () => {
    assert.equal(formatRedisUrl({ host: 'h', port: 1, username: 'ann', password: 'pw', queue: 'q' }), 'redis://ann:***@h:1/q');
    assert.equal(formatRedisUrl({ host: 'h', port: 1, password: 'pw' }, 'other'), 'redis://:***@h:1/other');
    assert.equal(formatRedisUrl({ host: '::1', port: 6379 }), 'redis://[::1]:6379');
    assert.equal(formatRedisUrl({ host: 'h', port: 1, tls: true, password: 'pw', queue: 'q' }), 'rediss://:***@h:1/q');
  });
});

describe('a worker and the sweep that follows it', () => {
  it('splits threads evenly between concurrent runs, at least one each', () => {
    assert.deepEqual([threadsPerRun(8, 1), threadsPerRun(8, 2), threadsPerRun(8, 3), threadsPerRun(2, 4)], [8, 4, 2, 1]);
  });

  it('reports done / running / failed / queued and an ETA', () => {
    assert.equal(progressText({ total: 8, done: 3, running: 2, failed: 1, queued: 2, etaSeconds: 250 }), '3/8 done, 2 running, 1 failed, 2 queued, ETA 4m10s');
    assert.equal(progressText({ total: 8, done: 0, running: 2, failed: 0, queued: 6, etaSeconds: null }), '0/8 done, 2 running, 0 failed, 6 queued, ETA after the first run');
    assert.equal(progressText({ total: 2, done: 2, running: 0, failed: 0, queued: 0, etaSeconds: 0 }), '2/2 done, 0 running, 0 failed, 0 queued');
    assert.equal(progressText({ total: 9, done: 0, running: 1, failed: 0, queued: 8, etaSeconds: 3 * 3600 + 7 * 60 }), '0/9 done, 1 running, 0 failed, 8 queued, ETA 3h07m');
  });

  it('usage errors: one line, exit 2, before anything connects', async () => {
    const cases: [string[], RegExp][] = [
      [['worker'], /^archbundle worker: expected --queue redis:\/\/HOST:PORT\/NAME \(see archbundle worker --help\)\n$/],
      [['worker', '--queue', 'redis://h:1'], /^archbundle worker: --queue must name the queue: redis:\/\/h:1\/NAME \(archbundle sweep --queue prints it\)/],
      [['worker', '--queue', 'redis://h:1/q', '--concurrency', '0'], /--concurrency must be a whole number ≥ 1, received "0"/],
      [['worker', '--queue', 'redis://h:1/q', '--stall-seconds', '1.5'], /--stall-seconds must be a whole number ≥ 1, received "1.5"/],
      [['worker', '--queue', 'http://h:1/q'], /--queue expects a redis:\/\/ \(or rediss:\/\/\) URL, received "http:"/],
      [['worker', '--queue', 'redis://h:1/q', 'extra'], /unexpected argument "extra"/],
      [['sweep', 'sweep.json', '--detach'], /^archbundle sweep: --detach needs --queue/],
      [['sweep', 'sweep.json', '--queue', 'redis://h:1', '--workers', '2'], /^archbundle sweep: --workers trains here; with --queue start workers instead/],
      [['sweep', 'sweep.json', '--queue', 'h:1'], /^archbundle sweep: --queue expects a redis:\/\/ \(or rediss:\/\/\) URL/],
    ];
    for (const [argv, expected] of cases) {
      const io = bufferIo();
      const code = await main(argv, io);
      assert.equal(code, 2, `${argv.join(' ')}: ${io.stderr}`);
      assert.equal(io.stdout, '');
      assert.equal(io.stderr.trim().split('\n').length, 1, io.stderr);
      assert.match(io.stderr, expected);
    }
  });
});
