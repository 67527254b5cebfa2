import crypto from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { localInfra } from '../src/index.ts';
import { randomName } from './helpers.ts';

const { endpoint, region, accessKeyId, secretAccessKey, bucket } = localInfra.s3;

function client(secret = secretAccessKey): S3Client {
  return new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey: secret },
    // Do not add a checksum of the (unknown) body to pre-signed URLs.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    maxAttempts: 1,
  });
}

async function readBack(s3: S3Client, key: string): Promise<Buffer> {
  const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await got.Body!.transformToByteArray());
}

describe('versitygw object store', () => {
  const s3 = client();
  const keys: string[] = [];

  afterAll(async () => {
    for (const Key of keys)
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key })).catch(() => undefined);
    s3.destroy();
  });

  it('accepts an upload through a pre-signed PUT URL and serves it back to the SDK', async () => {
    const key = `${randomName('presigned')}/recipients.csv`;
    keys.push(key);
    const body = 'phone,name\n+4915112345678,Ada\n';
    const url = await getSignedUrl(
      s3,
      new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: 'text/csv' }),
      {
        expiresIn: 300,
      },
    );
    const res = await fetch(url, { method: 'PUT', body, headers: { 'content-type': 'text/csv' } });
    expect(res.status).toBe(200);
    expect((await readBack(s3, key)).toString()).toBe(body);

    const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: bucket, Key: key }), {
      expiresIn: 60,
    });
    const fetched = await fetch(getUrl);
    expect(fetched.status).toBe(200);
    expect(await fetched.text()).toBe(body);
  });

  it('refuses requests whose signature does not match (403)', async () => {
    const key = `${randomName('tampered')}/a.csv`;
    keys.push(key);
    const url = new URL(
      await getSignedUrl(s3, new PutObjectCommand({ Bucket: bucket, Key: key }), {
        expiresIn: 300,
      }),
    );

    // 1. Same signature, different object key.
    const otherKey = new URL(url);
    otherKey.pathname = `/${bucket}/${randomName('other')}.csv`;
    const r1 = await fetch(otherKey, { method: 'PUT', body: 'x' });
    expect(r1.status).toBe(403);
    await r1.arrayBuffer();

    // 2. Signature altered.
    const sig = url.searchParams.get('X-Amz-Signature')!;
    const altered = new URL(url);
    altered.searchParams.set(
      'X-Amz-Signature',
      `${sig.slice(0, -1)}${sig.endsWith('0') ? '1' : '0'}`,
    );
    const r2 = await fetch(altered, { method: 'PUT', body: 'x' });
    expect(r2.status).toBe(403);
    await r2.arrayBuffer();

    // 3. Signed with the wrong secret: a pre-signed URL and a regular SDK call.
    const wrong = client('not-the-secret');
    try {
      const bad = await getSignedUrl(wrong, new PutObjectCommand({ Bucket: bucket, Key: key }), {
        expiresIn: 300,
      });
      const r3 = await fetch(bad, { method: 'PUT', body: 'x' });
      expect(r3.status).toBe(403);
      await r3.arrayBuffer();
      await expect(
        wrong.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: 'x' })),
      ).rejects.toMatchObject({
        $metadata: { httpStatusCode: 403 },
      });
    } finally {
      wrong.destroy();
    }

    // Nothing was written by the refused requests.
    await expect(s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).rejects.toMatchObject(
      {
        $metadata: { httpStatusCode: 404 },
      },
    );
  });

  it('completes a multipart upload (one part through a pre-signed URL)', async () => {
    const key = `${randomName('multipart')}/big.csv`;
    keys.push(key);
    const part1 = crypto.randomBytes(5 * 1024 * 1024); // parts other than the last must be >= 5 MiB
    const part2 = crypto.randomBytes(1024 * 1024 + 17);
    const { UploadId } = await s3.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }),
    );
    expect(UploadId).toBeTruthy();

    const p1 = await s3.send(
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: part1 }),
    );
    const partUrl = await getSignedUrl(
      s3,
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 2 }),
      {
        expiresIn: 300,
      },
    );
    const p2 = await fetch(partUrl, { method: 'PUT', body: part2 });
    expect(p2.status).toBe(200);
    await p2.arrayBuffer();
    const etag2 = p2.headers.get('etag');
    expect(etag2).toBeTruthy();

    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: key,
        UploadId,
        MultipartUpload: {
          Parts: [
            { PartNumber: 1, ETag: p1.ETag },
            { PartNumber: 2, ETag: etag2! },
          ],
        },
      }),
    );
    const back = await readBack(s3, key);
    expect(back.length).toBe(part1.length + part2.length);
    const sha = (b: Buffer): string => crypto.createHash('sha256').update(b).digest('hex');
    expect(sha(back)).toBe(sha(Buffer.concat([part1, part2])));
  }, 60_000);
});
