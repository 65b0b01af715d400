import { describe, expect, it } from "vitest";
import { createS3ImageUploads } from "../../../src/aws/s3-uploads.js";

describe("presigned S3 uploads of product images", () => {
  const uploads = createS3ImageUploads({
    bucket: "shop-site-bucket",
    region: "eu-west-1",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
  });

  it("signs one PUT under uploads/ with the type and the size as signed headers, for 5 minutes", async () => {
    const upload = await uploads.createUpload({ contentType: "image/webp", bytes: 2048 });
    const url = new URL(upload.uploadUrl);

    expect(url.origin).toBe("https://shop-site-bucket.s3.eu-west-1.amazonaws.com");
    expect(url.pathname).toMatch(/^\/uploads\/[0-9a-f-]{36}\.webp$/);
    expect(upload.imageUrl).toBe(url.pathname);
    expect(url.searchParams.get("X-Amz-Algorithm")).toBe("AWS4-HMAC-SHA256");
    expect(url.searchParams.get("X-Amz-Expires")).toBe("300");
    expect(url.searchParams.get("X-Amz-SignedHeaders")).toBe("content-length;content-type;host");
    expect(url.searchParams.get("X-Amz-Credential")).toMatch(
      /^AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request$/,
    );
    expect(url.searchParams.get("X-Amz-Signature")).toMatch(/^[0-9a-f]{64}$/);
    expect(upload).toMatchObject({ method: "PUT", headers: { "Content-Type": "image/webp" } });
  });

  it("gives every upload a fresh key and refuses other types and sizes", async () => {
    const [a, b] = await Promise.all([
      uploads.createUpload({ contentType: "image/png", bytes: 10 }),
      uploads.createUpload({ contentType: "image/png", bytes: 10 }),
    ]);
    expect(a.imageUrl).not.toBe(b.imageUrl);
    await expect(
      uploads.createUpload({ contentType: "text/html", bytes: 10 }),
    ).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    await expect(
      uploads.createUpload({ contentType: "image/png", bytes: 2 * 1024 * 1024 }),
    ).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });
});
