import { describe, expect, it } from "vitest";
import {
  cacheControlOf,
  planUploads,
  siteConfigFrom,
  stackOutputsOf,
} from "../../../src/deploy/site-upload.js";
import { contentTypeOf, type SiteConfig } from "../../../src/http/site-files.js";

const CONFIG: SiteConfig = {
  apiUrl: "https://abc123.execute-api.eu-west-1.amazonaws.com/prod",
  websocketUrl: "wss://def456.execute-api.eu-west-1.amazonaws.com/prod",
  region: "eu-west-1",
  userPoolClientId: "4client",
  cognitoEndpoint: "https://cognito-idp.eu-west-1.amazonaws.com/",
};

/** A build as Vite writes it, with the repository's product images. */
const BUILT = [
  "index.html",
  "favicon.svg",
  "assets/index-B4x9Qz1e.js",
  "assets/index-C1m2Zq8a.css",
  "assets/vendor-D9k2Lw0p.js",
  "images/lonely-bird.svg",
];

describe("the files of the built site", () => {
  it("are labelled with the content type a browser needs under nosniff", () => {
    expect(contentTypeOf("index.html")).toBe("text/html; charset=utf-8");
    expect(contentTypeOf("assets/index-B4x9Qz1e.js")).toBe("text/javascript; charset=utf-8");
    expect(contentTypeOf("assets/index-C1m2Zq8a.css")).toBe("text/css; charset=utf-8");
    expect(contentTypeOf("config.json")).toBe("application/json");
    expect(contentTypeOf("images/lonely-bird.svg")).toBe("image/svg+xml");
    expect(contentTypeOf("images/Photo.WEBP")).toBe("image/webp");
    expect(contentTypeOf("assets/font-a1.woff2")).toBe("font/woff2");
    expect(contentTypeOf("LICENSE")).toBe("application/octet-stream");
    expect(contentTypeOf("assets.d/README")).toBe("application/octet-stream");
  });

  it("are cached a year when hashed, revalidated every time when they are entry points", () => {
    expect(cacheControlOf("assets/index-B4x9Qz1e.js")).toBe("public, max-age=31536000, immutable");
    expect(cacheControlOf("index.html")).toBe("no-cache");
    expect(cacheControlOf("config.json")).toBe("no-cache");
    // Not hashed: a changed image shows within the hour.
    expect(cacheControlOf("images/lonely-bird.svg")).toBe("public, max-age=3600");
    expect(cacheControlOf("favicon.svg")).toBe("public, max-age=3600");
    // Only the assets folder at the root is Vite's.
    expect(cacheControlOf("images/assets/x.svg")).toBe("public, max-age=3600");
  });
});

describe("the upload plan", () => {
  it("puts every file before config.json, and index.html last", () => {
    const batches = planUploads(BUILT, CONFIG);
    expect(batches.map((batch) => batch.map((upload) => upload.key))).toEqual([
      [
        "assets/index-B4x9Qz1e.js",
        "assets/index-C1m2Zq8a.css",
        "assets/vendor-D9k2Lw0p.js",
        "favicon.svg",
        "images/lonely-bird.svg",
      ],
      ["config.json"],
      ["index.html"],
    ]);
    const all = batches.flat();
    expect(all.find((u) => u.key === "assets/vendor-D9k2Lw0p.js")).toEqual({
      key: "assets/vendor-D9k2Lw0p.js",
      contentType: "text/javascript; charset=utf-8",
      cacheControl: "public, max-age=31536000, immutable",
      source: { file: "assets/vendor-D9k2Lw0p.js" },
    });
    expect(all.find((u) => u.key === "index.html")).toMatchObject({
      cacheControl: "no-cache",
      source: { file: "index.html" },
    });
  });

  it("writes config.json from the stack, replacing one left in the build", () => {
    const batches = planUploads([...BUILT, "config.json"], CONFIG);
    const configs = batches.flat().filter((upload) => upload.key === "config.json");
    expect(configs).toHaveLength(1);
    const [config] = configs;
    expect(config?.contentType).toBe("application/json");
    expect(config?.cacheControl).toBe("no-cache");
    const source = config?.source;
    expect(source !== undefined && "body" in source && JSON.parse(source.body)).toEqual(CONFIG);
  });

  it("refuses a build without index.html", () => {
    expect(() => planUploads(["assets/index-B4x9Qz1e.js"], CONFIG)).toThrow(/index\.html/);
  });

  it("takes paths with a leading ./", () => {
    const keys = planUploads(["./index.html", "./assets/a-1.js"], CONFIG)
      .flat()
      .map((upload) => upload.key);
    expect(keys).toEqual(["assets/a-1.js", "config.json", "index.html"]);
  });
});

describe("config.json from the stack's outputs", () => {
  const described = [
    { OutputKey: "ApiUrl", OutputValue: `${CONFIG.apiUrl}/` },
    { OutputKey: "WebsocketUrl", OutputValue: CONFIG.websocketUrl },
    { OutputKey: "Region", OutputValue: CONFIG.region },
    { OutputKey: "UserPoolClientId", OutputValue: CONFIG.userPoolClientId },
    { OutputKey: "CognitoEndpoint", OutputValue: CONFIG.cognitoEndpoint },
    { OutputKey: "SiteBucketName", OutputValue: "serverless-store-prod-sitebucket-1x2y3z" },
    { OutputKey: "Dangling" },
  ];

  it("has the contract's shape, the API URL without a trailing slash", () => {
    const config = siteConfigFrom(stackOutputsOf(described));
    expect(config).toEqual(CONFIG);
    expect(Object.keys(config).sort()).toEqual([
      "apiUrl",
      "cognitoEndpoint",
      "region",
      "userPoolClientId",
      "websocketUrl",
    ]);
  });

  it("names every output the stack lacks", () => {
    const outputs = stackOutputsOf(
      described.filter((o) => o.OutputKey !== "ApiUrl" && o.OutputKey !== "Region"),
    );
    expect(() => siteConfigFrom(outputs)).toThrow(/ApiUrl, Region/);
  });
});
