import { randomUUID } from "node:crypto";
import { imageExtensionOf } from "../domain/index.js";
import type { ImageUploads } from "../services/index.js";
import { type AwsClientOptions, credentialProviderOf, presignUrl } from "./aws-http.js";

export interface S3UploadOptions extends AwsClientOptions {
  bucket: string;
  region: string;
  /** Key prefix; the storefront's distribution serves `/<prefix>…` from the same bucket. */
  prefix?: string;
  expiresInSeconds?: number;
}

/**
 * Product images go straight from the operator's browser to S3 with a presigned PUT: the
 * function signs, S3 receives (no image passes through Lambda or API Gateway's 10 MB limit).
 * Content-Type and Content-Length are signed headers, so S3 refuses any other type or size than
 * the ones checked here. The key is fresh and random: an upload can never replace a file.
 */
export function createS3ImageUploads(options: S3UploadOptions): ImageUploads {
  const credentials = credentialProviderOf(options, options.env ?? process.env);
  const prefix = options.prefix ?? "uploads/";
  const expiresInSeconds = options.expiresInSeconds ?? 300;
  const hostname = `${options.bucket}.s3.${options.region}.amazonaws.com`;
  return {
    async createUpload({ contentType, bytes }) {
      const key = `${prefix}${randomUUID()}.${imageExtensionOf({ contentType, bytes })}`;
      const now = new Date();
      const headers = { "content-type": contentType, "content-length": String(bytes) };
      const uploadUrl = await presignUrl(
        {
          method: "PUT",
          protocol: "https:",
          hostname,
          path: `/${key}`,
          headers: { host: hostname, ...headers },
        },
        { service: "s3", region: options.region, credentials },
        expiresInSeconds,
        now,
      );
      return {
        uploadUrl,
        method: "PUT",
        headers: { "Content-Type": contentType },
        imageUrl: `/${key}`,
        expiresAt: new Date(now.getTime() + expiresInSeconds * 1000).toISOString(),
      };
    },
  };
}
