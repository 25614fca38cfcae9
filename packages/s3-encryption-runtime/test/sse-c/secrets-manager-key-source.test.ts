import { SecretsManagerSseCKeySource, SseCKeySourceError } from '../../src/sse-c';

// Reading secrets runs against the moto server's Secrets Manager: test/integ/secrets-manager-key-source.test.ts
describe('SecretsManagerSseCKeySource', () => {
  it('needs a secret id', () => {
    expect(() => new SecretsManagerSseCKeySource({ secretId: '' })).toThrow(SseCKeySourceError);
  });
});
