/** The Node-RED config node's fields -> client options: the Authentication choice, and 0.1 nodes. */
import { configToClientOptions, configToSharedLimit } from '../../nodes/node-red/config-options';
import { coreOptionsFromCredentials } from '../../packages/n8n-extras/nodes/AlibabaCloudMqttStatusTrigger/node-client';
import { describeRedis, resolveSharedLimit } from '../../lib/shared-limit/options';

const keys = { accessKeyId: 'LTAI5tConfig01', accessKeySecret: 'config-SECRET-1' };

describe('configToClientOptions', () => {
  it('a 0.1 config node (no Authentication) with a token is STS', () => {
    expect(configToClientOptions({ id: 'c' }, { ...keys, securityToken: 'CAIS.token' })).toMatchObject({
      credential: { type: 'sts', ...keys, securityToken: 'CAIS.token' },
    });
  });

  it('AccessKey chosen explicitly ignores a token left over from an earlier choice', () => {
    const options = configToClientOptions(
      { id: 'c', authentication: 'accessKey' },
      { ...keys, securityToken: 'CAIS.leftover' },
    );
    expect(options).toMatchObject(keys);
    expect(options.securityToken).toBeUndefined();
    expect(options.credential).toBeUndefined();
  });

  it('RAM role: its properties, with the duration as Node-RED stores it (a string)', () => {
    const options = configToClientOptions(
      {
        id: 'c',
        authentication: 'ramRole',
        roleArn: 'acs:ram::1:role/r',
        roleSessionName: 'nr',
        durationSeconds: '1800',
        stsEndpoint: 'sts.example:8443',
      },
      keys,
    );
    expect(options.credential).toEqual({
      type: 'ram_role_arn',
      ...keys,
      roleArn: 'acs:ram::1:role/r',
      roleSessionName: 'nr',
      durationSeconds: '1800',
      externalId: undefined,
      policy: undefined,
      stsEndpoint: 'sts.example:8443',
    });
  });

  it('a machine identity needs no AccessKey; a key-based one says which field is missing and where', () => {
    expect(configToClientOptions({ id: 'c', authentication: 'ecsRamRole' }, {}).credential).toEqual({
      type: 'ecs_ram_role',
      roleName: undefined,
    });
    expect(() => configToClientOptions({ id: 'c', name: 'prod', authentication: 'ramRole' }, {})).toThrow(
      /accessKeyId: is missing in Alibaba Cloud MQTT config "prod"/,
    );
  });
});

describe('the shared limit of a config node', () => {
  it('Redis URL with the password credential put in; egress group; nothing set and no variable: this instance alone', () => {
    const { ALICLOUD_MQTT_SHARED_LIMIT: saved } = process.env;
    delete process.env.ALICLOUD_MQTT_SHARED_LIMIT;
    try {
      expect(configToClientOptions({ id: 'c' }, keys).sharedLimit).toBeUndefined();
      expect(
        configToClientOptions(
          { id: 'c', sharedLimitUrl: 'redis://redis.internal:6379/2', egressId: 'nat-a' },
          { ...keys, sharedLimitPassword: 'p@ss' },
        ).sharedLimit,
      ).toEqual({ redisUrl: 'redis://:p%40ss@redis.internal:6379/2', egressId: 'nat-a' });
      // A password written in the URL itself wins over the credential.
      expect(
        configToSharedLimit({ id: 'c', sharedLimitUrl: 'redis://u:inline@h:1/0' }, { sharedLimitPassword: 'other' }),
      ).toEqual({
        redisUrl: 'redis://u:inline@h:1/0',
      });
    } finally {
      if (saved !== undefined) process.env.ALICLOUD_MQTT_SHARED_LIMIT = saved;
    }
  });

  it('an empty field falls back on ALICLOUD_MQTT_SHARED_LIMIT (not on n8n queue-mode settings)', () => {
    expect(
      configToSharedLimit(
        { id: 'c' },
        {},
        { ALICLOUD_MQTT_SHARED_LIMIT: 'redis://127.0.0.1:6379/0', ALICLOUD_MQTT_EGRESS_ID: 'dc1' },
      ),
    ).toEqual({
      redisUrl: 'redis://127.0.0.1:6379/0',
      egressId: 'dc1',
    });
    expect(configToSharedLimit({ id: 'c' }, {}, { EXECUTIONS_MODE: 'queue' })).toBeUndefined();
  });

  it('messages name the Redis by host, port and database only, never its password', () => {
    expect(describeRedis('redis://user:very-secret@redis.internal:6380/3')).toBe('redis://redis.internal:6380/3');
    expect(() => resolveSharedLimit({ redisUrl: 'http://user:very-secret@h' })).toThrow(
      /must start with redis:\/\/ or rediss:\/\/, not http:\/\/\./,
    );
    try {
      resolveSharedLimit({ redisUrl: 'http://user:very-secret@h' });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('very-secret');
    }
  });
});

describe('Proxy URL (Node-RED config node, n8n extras credential)', () => {
  it('Node-RED: the password credential goes into the URL that names a user; empty means the environment', () => {
    expect(
      configToClientOptions(
        { id: 'c', proxyUrl: 'http://ops@proxy.corp:3128' },
        { ...keys, proxyPassword: 'pr0xy-SECRET' },
      ).proxy,
    ).toEqual({
      url: 'http://ops:pr0xy-SECRET@proxy.corp:3128/',
    });
    expect(configToClientOptions({ id: 'c', proxyUrl: 'http://proxy.corp:3128' }, keys).proxy).toEqual({
      url: 'http://proxy.corp:3128',
    });
    expect(configToClientOptions({ id: 'c', proxyUrl: '  ' }, keys)).not.toHaveProperty('proxy');
  });

  it('n8n extras: the credential field, trimmed; empty means the environment', () => {
    const base = { authentication: 'accessKey', ...keys, region: 'cn-hangzhou' };
    expect(coreOptionsFromCredentials({ ...base, proxyUrl: ' http://proxy.corp:3128 ' }).proxy).toEqual({
      url: 'http://proxy.corp:3128',
    });
    expect(coreOptionsFromCredentials({ ...base, proxyUrl: '' })).not.toHaveProperty('proxy');
    expect(
      coreOptionsFromCredentials({ ...base, proxyUrl: 'http://ops@proxy.corp:3128', proxyPassword: 'n8n-SECRET' })
        .proxy,
    ).toEqual({
      url: 'http://ops:n8n-SECRET@proxy.corp:3128/',
    });
  });
});
