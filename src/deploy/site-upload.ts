import {
  contentTypeOf,
  IMMUTABLE,
  isHashedAsset,
  NO_CACHE,
  type SiteConfig,
} from "../http/site-files.js";
import { STACK_OUTPUTS } from "./serverless-descriptor.js";

/**
 * What `npm run deploy` puts in the site bucket, decided without AWS: each file's key,
 * Content-Type and Cache-Control, the order of the uploads, and the page's config.json written
 * from the stack's outputs. scripts/deploy.ts only sends what these functions plan.
 */

/** One object to put in the bucket: a file of the built site, or a body made here. */
export interface SiteUpload {
  key: string;
  contentType: string;
  cacheControl: string;
  source: { file: string } | { body: string };
}

export const CONFIG_KEY = "config.json";
export const INDEX_KEY = "index.html";

/** Unhashed files (product images, the favicon): a changed one shows within the hour. */
export const SHORT_CACHE = "public, max-age=3600";

/** The Cache-Control stored with an object (S3 answers it, CloudFront and browsers obey it). */
export function cacheControlOf(key: string): string {
  if (isHashedAsset(key)) return IMMUTABLE;
  if (key === INDEX_KEY || key === CONFIG_KEY) return NO_CACHE;
  return SHORT_CACHE;
}

/** The bucket keys of the built site's files; throws when there is no page to serve. */
export function siteKeysOf(files: readonly string[]): string[] {
  const keys = files.map((file) => file.replace(/^\.?\//, ""));
  if (!keys.includes(INDEX_KEY)) {
    throw new Error(`the built site has no ${INDEX_KEY}: run \`npm run build:web\``);
  }
  return keys;
}

/**
 * The uploads of a deploy, in batches to send one after the other: every file but the two
 * entry points first (new hashed assets are in place before anything refers to them), then
 * config.json, then index.html. Old assets are left in the bucket: a browser still holding the
 * previous index.html keeps loading what it names. A config.json in the build is replaced by the
 * one written from the stack.
 *
 * @param files paths relative to the built site, with `/` separators
 */
export function planUploads(files: readonly string[], config: SiteConfig): SiteUpload[][] {
  const keys = siteKeysOf(files);
  const upload = (key: string, source: SiteUpload["source"]): SiteUpload => ({
    key,
    contentType: contentTypeOf(key),
    cacheControl: cacheControlOf(key),
    source,
  });
  const others = keys
    .filter((key) => key !== INDEX_KEY && key !== CONFIG_KEY)
    .sort()
    .map((key) => upload(key, { file: key }));
  return [
    others,
    [upload(CONFIG_KEY, { body: `${JSON.stringify(config, null, 2)}\n` })],
    [upload(INDEX_KEY, { file: INDEX_KEY })],
  ];
}

/** The outputs of a described stack, by key. */
export function stackOutputsOf(
  outputs: readonly { OutputKey?: string | undefined; OutputValue?: string | undefined }[],
): Record<string, string> {
  const found: Record<string, string> = {};
  for (const { OutputKey, OutputValue } of outputs) {
    if (OutputKey !== undefined && OutputValue !== undefined) found[OutputKey] = OutputValue;
  }
  return found;
}

/** The page's config.json from the stack's outputs; throws naming every output missing. */
export function siteConfigFrom(outputs: Readonly<Record<string, string>>): SiteConfig {
  const wanted = {
    apiUrl: STACK_OUTPUTS.apiUrl,
    websocketUrl: STACK_OUTPUTS.websocketUrl,
    region: STACK_OUTPUTS.region,
    userPoolClientId: STACK_OUTPUTS.userPoolClientId,
    cognitoEndpoint: STACK_OUTPUTS.cognitoEndpoint,
  } as const;
  const missing = Object.values(wanted).filter((key) => !outputs[key]);
  if (missing.length > 0) {
    throw new Error(
      `the stack has no output ${missing.join(", ")}: was it deployed by this version?`,
    );
  }
  const value = (key: string) => outputs[key] ?? "";
  return {
    // The page joins paths to it: no trailing slash (the contract of config.json).
    apiUrl: value(wanted.apiUrl).replace(/\/+$/, ""),
    websocketUrl: value(wanted.websocketUrl),
    region: value(wanted.region),
    userPoolClientId: value(wanted.userPoolClientId),
    cognitoEndpoint: value(wanted.cognitoEndpoint),
  };
}
