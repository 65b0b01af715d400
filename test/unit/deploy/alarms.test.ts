import { describe, expect, it } from "vitest";
import { ARCHITECTURES, describeArchitecture, functionsOf } from "../../../src/deploy/index.js";
import { TABLE_DEFINITION } from "../../../src/store/dynamodb/table.js";

interface Dimension {
  Name: string;
  Value: unknown;
}

/** Every dimension list an alarm's metrics name: its own, or each of its math's. */
function dimensionsOf(properties: Record<string, unknown>): Dimension[][] {
  const queries = properties.Metrics as
    | { MetricStat?: { Metric: { Dimensions?: Dimension[] } } }[]
    | undefined;
  if (queries === undefined) return [(properties.Dimensions ?? []) as Dimension[]];
  return queries.flatMap((query) =>
    query.MetricStat === undefined ? [] : [query.MetricStat.Metric.Dimensions ?? []],
  );
}

// The alarms follow the table's definition and the architecture's functions: a new index or a
// new function gets its alarm without anyone naming it.
describe.each(ARCHITECTURES)("the %s descriptor's alarms", (architecture) => {
  const alarms = Object.values(describeArchitecture(architecture).resources).filter(
    (resource) => resource.Type === "AWS::CloudWatch::Alarm",
  );
  const valuesOf = (name: string) =>
    alarms.flatMap((alarm) => {
      const values = dimensionsOf(alarm.Properties).flatMap((dimensions) =>
        dimensions.filter((d) => d.Name === name).map((d) => JSON.stringify(d.Value)),
      );
      return [...new Set(values)];
    });

  it("watch each global secondary index of the table's definition, once", () => {
    const indexes = (TABLE_DEFINITION.GlobalSecondaryIndexes ?? []).map((index) =>
      JSON.stringify(index.IndexName),
    );
    expect(valuesOf("GlobalSecondaryIndexName").sort()).toEqual(indexes.sort());
  });

  it("watch each function's errors, once", () => {
    const functions = functionsOf(architecture).map((spec) =>
      JSON.stringify({ Ref: `${spec.name[0]?.toUpperCase()}${spec.name.slice(1)}LambdaFunction` }),
    );
    expect(valuesOf("FunctionName").sort()).toEqual(functions.sort());
  });
});
