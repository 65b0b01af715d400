import type { APIGatewayProxyEvent } from "aws-lambda";
import { apiEvent } from "../test/helpers/api-event.js";

const HOST = "abc123.execute-api.eu-west-1.amazonaws.com";
const USER_AGENT =
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";

/**
 * An anonymous `GET /products/{id}` as an edge-optimized REST API hands it to Lambda: the headers
 * CloudFront and API Gateway add, both header maps, and a full `requestContext`. The router reads
 * headers and `requestContext`, so a skeleton event would flatter it.
 */
export function buildProductEvent(productId: string): APIGatewayProxyEvent {
  const path = `/products/${encodeURIComponent(productId)}`;
  const now = Date.now();
  const headers: Record<string, string> = {
    Accept: "application/json",
    "Accept-Encoding": "gzip, deflate, br",
    "Accept-Language": "en-GB,en;q=0.9",
    "CloudFront-Forwarded-Proto": "https",
    "CloudFront-Viewer-Country": "GB",
    Host: HOST,
    "User-Agent": USER_AGENT,
    Via: "2.0 2f1d1e0c7a5b6e3c1f0a9b8c7d6e5f4a.cloudfront.net (CloudFront)",
    "X-Amz-Cf-Id": "kXq0mZ3b1cV8yN2wR7tL5pH4jF6dS9aG0eU1iO3kM2nB7vC4xZ8qWw==",
    "X-Amzn-Trace-Id": `Root=1-${Math.floor(now / 1000).toString(16)}-0a1b2c3d4e5f60718293a4b5`,
    "X-Forwarded-For": "203.0.113.7, 130.176.10.42",
    "X-Forwarded-Port": "443",
    "X-Forwarded-Proto": "https",
  };
  return apiEvent({
    method: "GET",
    resource: "/products/{id}",
    path,
    pathParameters: { id: productId },
    headers,
  });
}
