import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { findBinary } from '../src/find-binary.js';
import { freePorts, isPortConflict, PortConflictError, startOnFreePorts } from '../src/free-port.js';

describe('freePorts()', () => {
  it('hands out distinct ports, each free to bind once they are returned', async () => {
    const ports = await freePorts(50);
    expect(new Set(ports).size).toBe(50);
    for (const port of ports) {
      const server = createServer();
      server.listen(port, '127.0.0.1');
      await once(server, 'listening');
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('isPortConflict()', () => {
  it("recognises redis-server's start-up failure on a taken port, and nothing else", async () => {
    const holder = createServer();
    holder.listen(0, '127.0.0.1');
    await once(holder, 'listening');
    const { port } = holder.address() as { port: number };
    try {
      const redisServer = findBinary(
        ['/usr/bin/redis-server', '/usr/local/bin/redis-server'],
        'redis-server was not found: apt-get install -y redis-server',
      );
      const child = spawn(redisServer, ['--port', String(port), '--bind', '127.0.0.1', '--save', ''], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let log = '';
      child.stdout.on('data', (chunk: Buffer) => {
        log += chunk.toString('utf8');
      });
      child.stderr.on('data', (chunk: Buffer) => {
        log += chunk.toString('utf8');
      });
      const [code] = await once(child, 'exit');
      expect(code).not.toBe(0);
      expect(isPortConflict(log)).toBe(true);
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
    expect(isPortConflict('doveconf: Fatal: Error in configuration file: unknown setting')).toBe(false);
  });
});

describe('startOnFreePorts()', () => {
  it('starts again after a port conflict, at most 3 times in all, and never after another failure', async () => {
    let tries = 0;
    expect(
      await startOnFreePorts(async () => {
        tries += 1;
        if (tries < 3) throw new PortConflictError('taken');
        return 'started';
      }),
    ).toBe('started');
    expect(tries).toBe(3);

    tries = 0;
    const conflict = new PortConflictError('still taken');
    await expect(
      startOnFreePorts(async () => {
        tries += 1;
        throw conflict;
      }),
    ).rejects.toBe(conflict);
    expect(tries).toBe(3);

    tries = 0;
    const other = new Error('bad configuration');
    await expect(
      startOnFreePorts(async () => {
        tries += 1;
        throw other;
      }),
    ).rejects.toBe(other);
    expect(tries).toBe(1);
  });
});
