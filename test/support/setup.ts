import { afterAll } from "vitest";
import { removeTempDirs } from "./temp-dir.js";

// Runs in every test file: what makeTempDir made there goes when the file is done.
afterAll(() => removeTempDirs());
