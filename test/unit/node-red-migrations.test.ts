import { migrateAuthentication, migrateQueryOptions, migrateSavedOverride } from '../../nodes/node-red/migrations';
import { configToClientOptions } from '../../nodes/node-red/config-options';

describe('Node-RED settings saved by older versions', () => {
  describe('query options: 0.1 "attempts" and "maxQps"', () => {
    it('are read as maxAttempts and maxRequestsPerSecond', () => {
      expect(migrateQueryOptions({ attempts: '2', maxQps: '7' })).toEqual({
        attempts: '2',
        maxQps: '7',
        maxAttempts: '2',
        maxRequestsPerSecond: '7',
      });
    });
    it('never override a value saved under the new name, and leave blank ones blank', () => {
      expect(
        migrateQueryOptions({ attempts: '2', maxAttempts: '5', maxQps: '', maxRequestsPerSecond: '9' }),
      ).toMatchObject({
        maxAttempts: '5',
        maxRequestsPerSecond: '9',
      });
      expect(migrateQueryOptions({ maxAttempts: '' })).toEqual({ maxAttempts: '' });
    });
    // Through a real runtime: node-red-session.test.ts, "a flow saved by 0.1 with attempts still works".
  });

  describe('config node: no Authentication (0.1)', () => {
    it('means STS when a security token is stored, an AccessKey otherwise', () => {
      expect(migrateAuthentication(undefined, true)).toBe('stsToken');
      expect(migrateAuthentication('', false)).toBe('accessKey');
    });
    it('an explicit choice wins over a token left from an earlier one', () => {
      expect(migrateAuthentication('accessKey', true)).toBe('accessKey');
      expect(migrateAuthentication('ramRole', true)).toBe('ramRole');
    });
    it('reaches the client options: the stored token is sent only for the 0.1 node', () => {
      const credentials = { accessKeyId: 'AK', accessKeySecret: 'secret-value', securityToken: 'token-value' };
      expect(configToClientOptions({ id: 'a', endpoint: 'http://127.0.0.1:8090' }, credentials).credential).toEqual({
        type: 'sts',
        accessKeyId: 'AK',
        accessKeySecret: 'secret-value',
        securityToken: 'token-value',
      });
      const explicit = configToClientOptions(
        { id: 'b', endpoint: 'http://127.0.0.1:8090', authentication: 'accessKey' },
        credentials,
      );
      expect([explicit.credential, explicit.securityToken]).toEqual([undefined, undefined]);
    });
  });

  describe("watch node: 0.1.0's saved list override (a plain array)", () => {
    it('is ignored, so that the configured list applies again', () => {
      expect(migrateSavedOverride(['GID_a@@@1'])).toBeUndefined();
    });
    it("today's override is kept as saved", () => {
      const saved = { clientIds: ['GID_a@@@1'], replaces: ['GID_a@@@2'] };
      expect(migrateSavedOverride(saved)).toBe(saved);
      expect(migrateSavedOverride(undefined)).toBeUndefined();
      expect(migrateSavedOverride('GID_a@@@1')).toBeUndefined();
    });
  });
});
