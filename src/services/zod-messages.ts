import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";

// zod/mini ships without messages ("Invalid input" for everything); the English locale gives
// the same field messages as classic zod ("Too big: expected number to be <=99"), once per process.
z.config(en());
