import { ProfileSchema, type Profile } from "../schemas/profile.js";

/** The built-in profile: the layout documented in ENGAGE-FORMATS.md. */
export const DEFAULT_PROFILE: Profile = ProfileSchema.parse({});
