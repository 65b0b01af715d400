// The storefront's API types are generated from the OpenAPI document (scripts/api-types.ts), so
// a change to an answer's shape that the page does not follow fails the page's type-check: here
// a copy of the document renames a field the shop reads and one the operators' pages read, the
// types are generated from the copy, and web/tsconfig.json is checked against them in memory.
import { join, resolve } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { apiTypesOf, routeTableDocument, WEB_API_TYPES_FILE } from "../../../scripts/api-types.js";

const WEB = join(import.meta.dirname, "..", "..", "..", "web");

type Schema = { properties: Record<string, unknown>; required: string[] };
type Document = { components: { schemas: Record<string, Schema> } };

/** The document with `schema`'s property `from` renamed `to`. */
function renamed(document: Document, schema: string, from: string, to: string): Document {
  const copy = structuredClone(document);
  const target = copy.components.schemas[schema];
  if (target === undefined || !(from in target.properties)) {
    throw new Error(`the document has no ${schema}.${from}`);
  }
  const { [from]: property, ...others } = target.properties;
  target.properties = { ...others, [to]: property };
  target.required = target.required.map((name) => (name === from ? to : name));
  return copy;
}

/**
 * `tsc -p web/tsconfig.json`, with `generated` read as web/src/api/schema.gen.ts: each error as
 * `file: message`. `previous` lends the files that did not change (a check takes seconds).
 */
function typeCheckWeb(generated: string, previous?: ts.Program) {
  const config = ts.getParsedCommandLineOfConfigFile(join(WEB, "tsconfig.json"), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
    },
  });
  if (config === undefined) throw new Error("web/tsconfig.json did not parse");
  const host = ts.createCompilerHost(config.options);
  const isGenerated = (file: string) => resolve(file) === WEB_API_TYPES_FILE;
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (file) => isGenerated(file) || fileExists.call(host, file);
  host.readFile = (file) => (isGenerated(file) ? generated : readFile.call(host, file));
  host.getSourceFile = (file, language, ...rest) =>
    isGenerated(file)
      ? ts.createSourceFile(file, generated, language)
      : getSourceFile.call(host, file, language, ...rest);
  const program = ts.createProgram({
    rootNames: config.fileNames.filter((file) => !isGenerated(file)),
    options: config.options,
    host,
    ...(previous === undefined ? {} : { oldProgram: previous }),
  });
  const errors = ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const file = diagnostic.file?.fileName.slice(WEB.length + 1) ?? "(config)";
    return `${file}: ${ts.flattenDiagnosticMessageText(diagnostic.messageText, " ")}`;
  });
  return { program, errors };
}

describe("the storefront's API types, generated from the OpenAPI document", () => {
  it("type-check the page as the document is, and fail it when an answer's field is renamed", async () => {
    const document = routeTableDocument() as Document;
    const asIs = typeCheckWeb(await apiTypesOf(document));
    expect(asIs.errors).toEqual([]);

    const changed = renamed(
      renamed(document, "Product", "priceCents", "unitPriceCents"),
      "StockAdjustment",
      "stockAfter",
      "stockLeft",
    );
    const { errors } = typeCheckWeb(await apiTypesOf(changed), asIs.program);
    // The shop's pages read a product's price; the operators' page the stock after an adjustment.
    expect(errors).toContainEqual(
      expect.stringMatching(/^src\/(pages|components)\/.*'priceCents' does not exist/),
    );
    expect(errors).toContainEqual(
      expect.stringMatching(/^src\/admin\/.*'stockAfter' does not exist/),
    );
  }, 120_000);
});
