import {
  percentEncode,
  sha256Hex,
  v1Signature,
  v1StringToSign,
  v3CanonicalRequest,
  v3Signature,
  v3StringToSign,
} from '../../emulator/signature';
import { StsAuthority } from '../../emulator/sts';

describe("emulator signature verifier on Alibaba's published worked examples", () => {
  it('V3 ACS3-HMAC-SHA256 (RunInstances example)', () => {
    const headers: Record<string, string> = {
      host: 'ecs.cn-shanghai.aliyuncs.com',
      'x-acs-action': 'RunInstances',
      'x-acs-version': '2014-05-26',
      'x-acs-date': '2023-10-26T10:22:32Z',
      'x-acs-signature-nonce': '3156853299f313e23d1673dc12e1703d',
      'x-acs-content-sha256': sha256Hex(''),
    };
    const canonical = v3CanonicalRequest({
      method: 'POST',
      path: '/',
      query: [
        ['RegionId', 'cn-shanghai'],
        ['ImageId', 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd'],
      ],
      headers,
      signedHeaders: Object.keys(headers),
      body: Buffer.alloc(0),
    });
    expect(sha256Hex(canonical)).toBe('7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259');
    expect(v3Signature('YourAccessKeySecret', v3StringToSign(canonical))).toBe(
      '06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
    );
  });

  it('V1 HMAC-SHA1 (DescribeRegions example)', () => {
    const params: Array<[string, string]> = Object.entries({
      TimeStamp: '2016-02-23T12:46:24Z',
      Format: 'XML',
      AccessKeyId: 'testid',
      Action: 'DescribeRegions',
      SignatureMethod: 'HMAC-SHA1',
      SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
      Version: '2014-05-26',
      SignatureVersion: '1.0',
    });
    expect(v1Signature('testsecret', v1StringToSign('GET', params))).toBe('CT9X0VtwR86fNWSnsc6v8YGOjuE=');
  });

  it('V1 sorts repeat lists as text (ClientIdList.10 before ClientIdList.2)', () => {
    const s = v1StringToSign('GET', [
      ['ClientIdList.2', 'b'],
      ['ClientIdList.10', 'j'],
      ['ClientIdList.1', 'a'],
    ]);
    expect(decodeURIComponent(s.split('&')[2])).toBe('ClientIdList.1=a&ClientIdList.10=j&ClientIdList.2=b');
  });

  it("percent-encodes as RFC 3986 plus ! ' ( ) *", () => {
    expect(percentEncode("a b!'()*~&=")).toBe('a%20b%21%27%28%29%2A~%26%3D');
  });
});

describe('emulator STS tokens', () => {
  const sts = new StsAuthority();
  it('valid, expired, malformed, mismatched', () => {
    const cred = sts.issue(60_000, 1_000_000);
    expect(sts.check(cred.securityToken, cred.accessKeyId, 1_000_001)).toEqual({ ok: true });
    expect(sts.check(cred.securityToken, cred.accessKeyId, 1_060_001)).toEqual({
      ok: false,
      code: 'InvalidSecurityToken.Expired',
    });
    expect(sts.check(`${cred.securityToken}x`, cred.accessKeyId, 1_000_001)).toEqual({
      ok: false,
      code: 'InvalidSecurityToken.Malformed',
    });
    expect(sts.check('garbage', cred.accessKeyId, 1_000_001)).toEqual({
      ok: false,
      code: 'InvalidSecurityToken.Malformed',
    });
    const other = sts.issue(60_000, 1_000_000);
    expect(sts.check(cred.securityToken, other.accessKeyId, 1_000_001)).toEqual({
      ok: false,
      code: 'InvalidSecurityToken.MismatchWithAccessKey',
    });
  });
});
