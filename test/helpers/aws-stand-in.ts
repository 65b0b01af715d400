import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { afterEach } from "vitest";
import type { CapturedRequest } from "./aws-signature.js";

/** What a stand-in answers one request with; `hang` never answers. */
export type StandInAnswer = { status: number; body: object | string } | "hang";

export interface AwsStandIn {
  endpoint: string;
  port: number;
  /** Every request received, in order. */
  requests: CapturedRequest[];
  /** Ends open sockets (a hanging answer's too) and stops listening. */
  close(): Promise<void>;
}

/**
 * A loopback HTTP server playing an AWS JSON protocol service (DynamoDB, Systems Manager):
 * records each request and answers it with `answer`, as `contentType`.
 */
export async function startAwsStandIn(
  contentType: string,
  answer: (request: CapturedRequest, index: number) => StandInAnswer,
): Promise<AwsStandIn> {
  const requests: CapturedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer(async (request, response) => {
    let body = "";
    for await (const chunk of request) body += chunk;
    const captured = {
      method: request.method ?? "",
      path: request.url ?? "",
      headers: request.headers,
      body,
    };
    requests.push(captured);
    const answered = answer(captured, requests.length - 1);
    if (answered === "hang") return;
    response.writeHead(answered.status, { "content-type": contentType });
    const { body: answerBody } = answered;
    response.end(typeof answerBody === "string" ? answerBody : JSON.stringify(answerBody));
  });
  server.on("connection", (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * For one test file: a `start(answer)` that starts a stand-in answering as `contentType`, closed
 * after the test that started it.
 */
export function awsStandInsPerTest(
  contentType: string,
): (answer: (request: CapturedRequest, index: number) => StandInAnswer) => Promise<AwsStandIn> {
  const started: AwsStandIn[] = [];
  afterEach(async () => {
    for (const standIn of started.splice(0)) await standIn.close();
  });
  return async (answer) => {
    const standIn = await startAwsStandIn(contentType, answer);
    started.push(standIn);
    return standIn;
  };
}
