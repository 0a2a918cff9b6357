import { GetParameterCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { clientConfig, useLocalCloud } from '../../testing/local-cloud.ts';

const local = useLocalCloud({ clock: { speed: 0 } });

const client = (region = 'eu-west-1') =>
  new SSMClient({ ...clientConfig(local().url, region), maxAttempts: 1 });

describe('SSM Parameter Store (awsJson1_1)', () => {
  it('PutParameter creates version 1 and GetParameter returns it with Type, Version, ARN and LastModifiedDate', async () => {
    // Prepare
    const ssm = client();
    const { iso } = await local().control.clock();
    // Act
    const put = await ssm.send(
      new PutParameterCommand({
        Name: '/shipyard/prod/distribution',
        Value: 'E2QWRUHAPOMQZL',
        Type: 'String',
      }),
    );
    const got = await ssm.send(new GetParameterCommand({ Name: '/shipyard/prod/distribution' }));
    // Assess
    expect(put).toMatchObject({ Version: 1, Tier: 'Standard' });
    expect(got.Parameter).toMatchObject({
      Name: '/shipyard/prod/distribution',
      Type: 'String',
      Value: 'E2QWRUHAPOMQZL',
      Version: 1,
      ARN: 'arn:aws:ssm:eu-west-1:123456789012:parameter/shipyard/prod/distribution',
      DataType: 'text',
    });
    expect(got.Parameter?.LastModifiedDate?.getTime()).toBe(Date.parse(iso));
  });

  it('PutParameter on an existing name without Overwrite → ParameterAlreadyExists; with Overwrite the Version increments', async () => {
    const ssm = client();
    await ssm.send(new PutParameterCommand({ Name: 'paths', Value: '/a,/b', Type: 'StringList' }));
    await expect(
      ssm.send(new PutParameterCommand({ Name: 'paths', Value: '/c', Type: 'StringList' })),
    ).rejects.toMatchObject({
      name: 'ParameterAlreadyExists',
      $metadata: { httpStatusCode: 400 },
    });
    const second = await ssm.send(new PutParameterCommand({ Name: 'paths', Value: '/c', Overwrite: true }));
    const third = await ssm.send(new PutParameterCommand({ Name: 'paths', Value: '/d', Overwrite: true }));
    const got = await ssm.send(new GetParameterCommand({ Name: 'paths' }));
    expect([second.Version, third.Version]).toEqual([2, 3]);
    expect(got.Parameter).toMatchObject({ Type: 'StringList', Value: '/d', Version: 3 });
  });

  it('SecureString returns a ciphertext-looking value unless WithDecryption is true', async () => {
    const ssm = client();
    await ssm.send(
      new PutParameterCommand({ Name: '/shipyard/token', Value: 's3cr3t', Type: 'SecureString' }),
    );
    const hidden = await ssm.send(new GetParameterCommand({ Name: '/shipyard/token' }));
    const shown = await ssm.send(new GetParameterCommand({ Name: '/shipyard/token', WithDecryption: true }));
    expect(hidden.Parameter?.Value).not.toContain('s3cr3t');
    expect(hidden.Parameter?.Value).toMatch(/^[A-Za-z0-9+/]{40,}={0,2}$/);
    expect(shown.Parameter?.Value).toBe('s3cr3t');
  });

  it('unknown parameter → ParameterNotFound; parameters are per region', async () => {
    await client('eu-west-1').send(new PutParameterCommand({ Name: 'regional', Value: 'x', Type: 'String' }));
    await expect(
      client('us-west-2').send(new GetParameterCommand({ Name: 'regional' })),
    ).rejects.toMatchObject({
      name: 'ParameterNotFound',
      $metadata: { httpStatusCode: 400 },
    });
  });

  it('finds a parameter by its ARN', async () => {
    const ssm = client();
    await ssm.send(new PutParameterCommand({ Name: '/a/b', Value: 'v', Type: 'String' }));
    const got = await ssm.send(
      new GetParameterCommand({ Name: 'arn:aws:ssm:eu-west-1:123456789012:parameter/a/b' }),
    );
    expect(got.Parameter?.Name).toBe('/a/b');
  });

  it('rejects a new parameter without Type, a bad name or a missing Value with ValidationException', async () => {
    const ssm = client();
    await expect(ssm.send(new PutParameterCommand({ Name: 'untyped', Value: 'x' }))).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('type is required'),
    });
    await expect(
      ssm.send(new PutParameterCommand({ Name: 'bad name!', Value: 'x', Type: 'String' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(
      ssm.send(new PutParameterCommand({ Name: 'no-value', Type: 'String' } as never)),
    ).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });

  it('seeds parameters per region and dumps them without SecureString plaintext', async () => {
    const { control } = local();
    await control.seed({
      ssm: {
        parameters: [
          { name: '/cfg', value: 'plain' },
          { name: '/key', value: 'hush', type: 'SecureString', region: 'ap-south-1' },
        ],
      },
    });
    const got = await client('us-east-1').send(new GetParameterCommand({ Name: '/cfg' }));
    const state = await control.state<{
      ssm: { regions: Record<string, { name: string; value: string }[]> };
    }>();
    expect(got.Parameter?.Value).toBe('plain');
    expect(state.ssm.regions['ap-south-1']?.[0]?.value).not.toContain('hush');
    await expect(
      control.seed({ ssm: { parameters: [{ name: '/x', value: 'v', colour: 'red' }] } }),
    ).rejects.toThrow(/colour/);
  });
});
