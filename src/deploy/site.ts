import { STOREFRONT_REFERRER_POLICY, storefrontContentSecurityPolicy } from "../http/site-files.js";
import {
  type CfnResource,
  REST_API_ID,
  STRIPE_PAYMENTS,
  WEBSOCKET_API_ID,
} from "./cloudformation.js";

/**
 * The storefront's hosting: a private S3 bucket read only by one CloudFront distribution
 * (origin access control, SigV4), HTTPS only, the page's paths rewritten to index.html at the
 * edge, and a cache behaviour per kind of file. The same for every architecture: the site is a
 * client of the public API and knows nothing of how the functions are cut.
 */

export const SITE_BUCKET_ID = "SiteBucket";
export const SITE_BUCKET_POLICY_ID = "SiteBucketPolicy";
export const SITE_ORIGIN_ACCESS_CONTROL_ID = "SiteOriginAccessControl";
export const SITE_SPA_FALLBACK_ID = "SiteSpaFallback";
export const SITE_DISTRIBUTION_ID = "SiteDistribution";
export const SITE_RESPONSE_HEADERS_ID = "SiteResponseHeaders";

/**
 * AWS managed policies, by the ids CloudFront documents for them (the same in every account).
 * CachingOptimized honours the object's own Cache-Control up to a year; CachingDisabled
 * forwards every request (its minimum TTL is 0, so `no-cache` is really not cached: with a
 * minimum above 0 CloudFront would keep an index.html for that long whatever it says).
 */
export const MANAGED_CACHE_POLICY = {
  cachingOptimized: "658327ea-f89d-4fab-a63d-7e88639e58f6",
  cachingDisabled: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
} as const;

/**
 * What the page may connect to, as CloudFormation substitutions: the stack's REST and WebSocket
 * APIs and the region's Cognito endpoint (the origins of the ApiUrl, WebsocketUrl and
 * CognitoEndpoint outputs, which config.json carries).
 */
export const SITE_CONNECT_ORIGINS = [
  `https://\${${REST_API_ID}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}`,
  `wss://\${${WEBSOCKET_API_ID}}.execute-api.\${AWS::Region}.\${AWS::URLSuffix}`,
  `https://cognito-idp.\${AWS::Region}.\${AWS::URLSuffix}`,
];

/** HSTS for a year, the storefront's CSP, nosniff, no framing, the dev server's referrer policy. */
export const SITE_HSTS_MAX_AGE_SECONDS = 31_536_000;

/** The distribution's `https://` address: the site's URL and the API's default CORS origin. */
export const SITE_ORIGIN = { "Fn::Sub": `https://\${${SITE_DISTRIBUTION_ID}.DomainName}` };

/**
 * Path patterns with their own cache behaviour. Vite's hashed output never changes under one
 * name, so it is cached for a year; product images are not hashed, so they keep what their
 * Cache-Control says. Everything else (index.html, config.json, the page's paths) goes through
 * the default behaviour, which caches nothing.
 */
export const CACHED_PATHS = ["/assets/*", "/images/*", "/uploads/*"] as const;

/** Where operators' product images land in the site bucket (presigned PUTs), served at /uploads/. */
export const UPLOADS_PREFIX = "uploads/";

/**
 * The SPA fallback, a CloudFront Function on viewer requests of the default behaviour: a path
 * whose last segment has no dot (`/`, `/basket`, `/item/lonely-bird`, `/account/orders/`) is a
 * page, answered with /index.html; a file path is passed on unchanged. Chosen over custom error
 * responses (403/404 -> /index.html with 200), which would also answer a missing
 * `/assets/x.js` or `/images/x.svg` with the HTML page and a 200 (cached as such), so a broken
 * reference would never show as a 404. The function is cloudfront-js-2.0 (ES5.1 plus a few later
 * features), so it stays plain.
 */
export const SPA_FALLBACK_CODE = `function handler(event) {
  var request = event.request;
  var lastSegment = request.uri.slice(request.uri.lastIndexOf("/") + 1);
  if (lastSegment.indexOf(".") === -1) {
    request.uri = "/index.html";
  }
  return request;
}
`;

const ORIGIN_ID = "site-bucket";
const bucketArn = { "Fn::GetAtt": [SITE_BUCKET_ID, "Arn"] };
const distributionArn = {
  "Fn::Sub": `arn:\${AWS::Partition}:cloudfront::\${AWS::AccountId}:distribution/\${${SITE_DISTRIBUTION_ID}}`,
};
/** CloudFront functions and origin access controls are global to the account: the stack's
 * name is unique only within a region. */
const globalName = (what: string) => ({ "Fn::Sub": `\${AWS::StackName}-\${AWS::Region}-${what}` });

/** The site's resources, by logical id. Only the response headers policy refers to the APIs
 * (their ids, in the CSP); the APIs themselves refer to nothing of the site, and the functions
 * that refer to the distribution's domain (CORS) are not referred to by it: no dependency cycle. */
export function siteResources(): Record<string, CfnResource> {
  return {
    [SITE_BUCKET_ID]: bucket(),
    [SITE_BUCKET_POLICY_ID]: bucketPolicy(),
    [SITE_ORIGIN_ACCESS_CONTROL_ID]: originAccessControl(),
    [SITE_SPA_FALLBACK_ID]: spaFallback(),
    [SITE_RESPONSE_HEADERS_ID]: responseHeadersPolicy(),
    [SITE_DISTRIBUTION_ID]: distribution(),
  };
}

function bucket(): CfnResource {
  return {
    Type: "AWS::S3::Bucket",
    // Unlike the table and the user pool, nothing here is data: every object is rebuilt from the
    // repository by `npm run deploy`, so a removed stack leaves no orphan bucket behind (it must be
    // emptied first: CloudFormation does not delete a bucket that holds objects).
    DeletionPolicy: "Delete",
    UpdateReplacePolicy: "Delete",
    Properties: {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      // ACLs off: the bucket policy alone says who reads.
      OwnershipControls: { Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] },
      // The operators' pages PUT product images straight to the bucket with presigned URLs
      // (uploads/, a fresh random key each): the signature is the permission, CORS only lets the
      // page read S3's answer. Any origin, since naming the distribution's would be a dependency
      // cycle (the distribution names the bucket); GET stays CloudFront's, through OAC.
      CorsConfiguration: {
        CorsRules: [
          {
            AllowedMethods: ["PUT"],
            AllowedOrigins: ["*"],
            AllowedHeaders: ["content-type"],
            MaxAge: 600,
          },
        ],
      },
      // SSE-S3: origin access control reads it without a KMS key policy for CloudFront.
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [
          { ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } },
        ],
      },
    },
  };
}

function bucketPolicy(): CfnResource {
  return {
    Type: "AWS::S3::BucketPolicy",
    Properties: {
      Bucket: { Ref: SITE_BUCKET_ID },
      PolicyDocument: {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "OnlyTheSiteDistributionReads",
            Effect: "Allow",
            Principal: { Service: "cloudfront.amazonaws.com" },
            // ListBucket lets S3 answer a missing file with 404 instead of 403; CloudFront
            // never asks for a listing (the root goes to index.html).
            Action: ["s3:GetObject", "s3:ListBucket"],
            Resource: [bucketArn, { "Fn::Sub": `\${${SITE_BUCKET_ID}.Arn}/*` }],
            Condition: { StringEquals: { "AWS:SourceArn": distributionArn } },
          },
          {
            Sid: "TlsOnly",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucketArn, { "Fn::Sub": `\${${SITE_BUCKET_ID}.Arn}/*` }],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
          },
        ],
      },
    },
  };
}

function originAccessControl(): CfnResource {
  return {
    Type: "AWS::CloudFront::OriginAccessControl",
    Properties: {
      OriginAccessControlConfig: {
        Name: globalName("site"),
        Description: "CloudFront signs its requests to the storefront's bucket",
        OriginAccessControlOriginType: "s3",
        SigningBehavior: "always",
        SigningProtocol: "sigv4",
      },
    },
  };
}

function spaFallback(): CfnResource {
  return {
    Type: "AWS::CloudFront::Function",
    Properties: {
      Name: globalName("spa-fallback"),
      AutoPublish: true,
      FunctionCode: SPA_FALLBACK_CODE,
      FunctionConfig: {
        Comment: "Page paths of the storefront answer index.html",
        Runtime: "cloudfront-js-2.0",
      },
    },
  };
}

function responseHeadersPolicy(): CfnResource {
  return {
    Type: "AWS::CloudFront::ResponseHeadersPolicy",
    Properties: {
      ResponseHeadersPolicyConfig: {
        Name: globalName("site-headers"),
        Comment: "The storefront's security headers, its CSP as the dev server sends it",
        SecurityHeadersConfig: {
          ContentSecurityPolicy: {
            // Stripe.js's origins only in a stack that takes payments with Stripe.
            ContentSecurityPolicy: {
              "Fn::If": [
                STRIPE_PAYMENTS,
                {
                  "Fn::Sub": storefrontContentSecurityPolicy(SITE_CONNECT_ORIGINS, {
                    stripe: true,
                  }),
                },
                {
                  "Fn::Sub": storefrontContentSecurityPolicy(SITE_CONNECT_ORIGINS, {
                    stripe: false,
                  }),
                },
              ],
            },
            Override: true,
          },
          ContentTypeOptions: { Override: true },
          FrameOptions: { FrameOption: "DENY", Override: true },
          ReferrerPolicy: { ReferrerPolicy: STOREFRONT_REFERRER_POLICY, Override: true },
          StrictTransportSecurity: {
            AccessControlMaxAgeSec: SITE_HSTS_MAX_AGE_SECONDS,
            IncludeSubdomains: true,
            Override: true,
          },
        },
      },
    },
  };
}

function behaviour(cachePolicyId: string): Record<string, unknown> {
  return {
    TargetOriginId: ORIGIN_ID,
    ViewerProtocolPolicy: "redirect-to-https",
    AllowedMethods: ["GET", "HEAD"],
    CachedMethods: ["GET", "HEAD"],
    Compress: true,
    CachePolicyId: cachePolicyId,
    ResponseHeadersPolicyId: { Ref: SITE_RESPONSE_HEADERS_ID },
  };
}

function distribution(): CfnResource {
  return {
    Type: "AWS::CloudFront::Distribution",
    Properties: {
      DistributionConfig: {
        Enabled: true,
        Comment: { "Fn::Sub": `\${AWS::StackName} storefront` },
        DefaultRootObject: "index.html",
        HttpVersion: "http2and3",
        IPV6Enabled: true,
        Origins: [
          {
            Id: ORIGIN_ID,
            DomainName: { "Fn::GetAtt": [SITE_BUCKET_ID, "RegionalDomainName"] },
            OriginAccessControlId: { "Fn::GetAtt": [SITE_ORIGIN_ACCESS_CONTROL_ID, "Id"] },
            // Empty: the legacy origin access identity is not used, the control above is.
            S3OriginConfig: { OriginAccessIdentity: "" },
          },
        ],
        DefaultCacheBehavior: {
          ...behaviour(MANAGED_CACHE_POLICY.cachingDisabled),
          FunctionAssociations: [
            {
              EventType: "viewer-request",
              FunctionARN: { "Fn::GetAtt": [SITE_SPA_FALLBACK_ID, "FunctionARN"] },
            },
          ],
        },
        CacheBehaviors: CACHED_PATHS.map((pathPattern) => ({
          PathPattern: pathPattern,
          ...behaviour(MANAGED_CACHE_POLICY.cachingOptimized),
        })),
      },
    },
  };
}
