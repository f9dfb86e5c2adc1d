/** The Node-RED config node's fields -> client options: the Authentication choice, and 0.1 nodes. */
import { configToClientOptions } from '../../nodes/node-red/config-options';

const keys = { accessKeyId: 'LTAI5tConfig01', accessKeySecret: 'config-SECRET-1' };

describe('configToClientOptions', () => {
  it('a 0.1 config node (no Authentication) with a token is STS', () => {
    expect(configToClientOptions({ id: 'c' }, { ...keys, securityToken: 'CAIS.token' })).toMatchObject({
      credential: { type: 'sts', ...keys, securityToken: 'CAIS.token' },
    });
  });

  it('AccessKey chosen explicitly ignores a token left over from an earlier choice', () => {
    const options = configToClientOptions({ id: 'c', authentication: 'accessKey' }, { ...keys, securityToken: 'CAIS.leftover' });
    expect(options).toMatchObject(keys);
    expect(options.securityToken).toBeUndefined();
    expect(options.credential).toBeUndefined();
  });

  it('RAM role: its properties, with the duration as Node-RED stores it (a string)', () => {
    const options = configToClientOptions(
      { id: 'c', authentication: 'ramRole', roleArn: 'acs:ram::1:role/r', roleSessionName: 'nr', durationSeconds: '1800', stsEndpoint: 'sts.example:8443' },
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
    expect(configToClientOptions({ id: 'c', authentication: 'ecsRamRole' }, {}).credential).toEqual({ type: 'ecs_ram_role', roleName: undefined });
    expect(() => configToClientOptions({ id: 'c', name: 'prod', authentication: 'ramRole' }, {})).toThrow(
      /accessKeyId: is missing in Alibaba Cloud MQTT config "prod"/,
    );
  });
});
