import { config } from "zod/mini";
import en from "zod/v4/locales/en.js";

// The full form of the schema library sets English messages when it loads; its compact form,
// which the schemas checked on every start use (they load a fraction of the code), has to be
// told, so that a value refused there reads the same as one refused by the full form.
config(en());
