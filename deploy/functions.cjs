const { loadDescriptor } = require("./descriptor.cjs");

// The functions of the architecture, with the stage's CORS origins on every HTTP event: API
// Gateway answers the preflights, the handlers echo an allowed Origin on the responses.
module.exports = async ({ resolveVariable }) => {
  const { functions } = await loadDescriptor(resolveVariable);
  const origins = String(await resolveVariable("param:corsOrigins"))
    .split(",")
    .map((origin) => origin.trim())
    .filter((origin) => origin !== "");
  const cors = {
    origins,
    headers: ["Authorization", "Content-Type", "Idempotency-Key"],
    allowCredentials: false,
    maxAge: 600,
  };
  for (const fn of Object.values(functions)) {
    for (const event of fn.events) event.http.cors = cors;
  }
  return functions;
};
