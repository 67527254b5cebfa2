// The gateway limits each tenant's request rate: beyond the burst, 429 with Retry-After, and the
// tenant is served again once the wait is over.
import { startStack, waitUntil, type Stack } from '../src/index.ts';

describe('gateway rate limit', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      env: { 'upload-gateway': { RATE_LIMIT_PER_MINUTE: '60', RATE_LIMIT_BURST: '5' } },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers 429 with Retry-After beyond the burst, then serves the tenant again', async () => {
    const get = () =>
      fetch(`${stack.gatewayUrl}/v1/broadcasts?limit=1`, {
        headers: { authorization: `Bearer ${stack.apiKey}` },
      });
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 8; i++) {
      const response = await get();
      statuses.push(response.status);
      if (response.status === 429) refused ??= response;
      else await response.arrayBuffer();
    }
    expect(statuses.slice(0, 5)).toEqual([200, 200, 200, 200, 200]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    const body = (await refused?.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('rate-limited');
    expect(Number(refused?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // An unauthenticated caller is refused as such, not rate-limited on someone else's budget.
    expect((await fetch(`${stack.gatewayUrl}/v1/broadcasts`)).status).toBe(401);
    await waitUntil(
      'the tenant to be served again',
      async () => ((await get()).status === 200 ? true : undefined),
      10_000,
      250,
    );
  });
});
