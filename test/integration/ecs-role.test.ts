/**
 * ECS instance RAM role credentials against the metadata stand-in at the library's fixed address,
 * 100.100.100.200, inside a network namespace this test creates (`unshare -n`, root only): the
 * address exists on that namespace's loopback and nowhere else on the machine. The work runs in a
 * child process there (test/helpers/ecs-namespace-child.js, on the built code) and reports back.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const isRoot = process.getuid?.() === 0;

(isRoot ? describe : describe.skip)('ECS instance RAM role (network namespace)', () => {
  it('refused without the switch; with it, renewed from the metadata service across expiries; metadata gone: a clear retry-class error', () => {
    // The machine itself must not have the address (the test adds it only inside the namespace).
    expect(execFileSync('ip', ['-o', 'addr'], { encoding: 'utf8' })).not.toContain('100.100.100.200');
    const child = spawnSync(
      'unshare',
      [
        '-n',
        'sh',
        '-c',
        `ip link set lo up && ip addr add 100.100.100.200/32 dev lo && exec "${process.execPath}" "${join(ROOT, 'test/helpers/ecs-namespace-child.js')}"`,
      ],
      { encoding: 'utf8', timeout: 60_000, env: { ...process.env, NODE_EXTRA_CA_CERTS: '' } },
    );
    const line = child.stdout.trim().split('\n').pop() ?? '';
    const out = JSON.parse(line || '{}') as Record<string, unknown>;
    expect(out.crashed).toBeUndefined();
    expect(out.withoutSwitch).toBe('SystemCredentialsDisabled');
    expect(out.identity).toBe('ECS instance role');
    expect(out.codes).toEqual(['ok']);
    // Queries all through the 5 s (how many is the machine's speed: 20 under a load of 17): at least
    // one per key, which keysSeen below checks key by key.
    expect(out.queries).toBeGreaterThanOrEqual(out.credentialFetches as number);
    // 5 s of 2 s credentials renewed at three quarters of their life: 3 or 4 fetches.
    expect(out.credentialFetches).toBeGreaterThanOrEqual(3);
    expect(out.credentialFetches).toBeLessThanOrEqual(4);
    // Each key was used, but the last renewal may end after the last query (a loaded machine).
    expect(out.keysSeen).toBeGreaterThanOrEqual((out.credentialFetches as number) - 1);
    expect(out.keysSeen).toBeLessThanOrEqual(out.credentialFetches as number);
    expect(out.tokenRequests).toBeGreaterThanOrEqual(out.credentialFetches as number); // IMDSv2 first
    expect(out.down).toEqual({
      code: 'MetadataServiceUnreachable',
      retryable: true,
      message: expect.stringContaining('the ECS metadata service (100.100.100.200) could not be reached'),
    });
    // And the namespace went with the child: the machine still has no such address.
    expect(execFileSync('ip', ['-o', 'addr'], { encoding: 'utf8' })).not.toContain('100.100.100.200');
  }, 90_000);
});
