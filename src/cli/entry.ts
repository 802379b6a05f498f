#!/usr/bin/env node
import { prestartLocalCheck } from "../transport/verify-local.js";
import { findCommandWord } from "./command-word.js";

// The bundle's entry file. It loads only this and the checksum code before the command line's
// own modules (the argument parser among them, ~0.25 MB to compile), so that an upload's
// checksum worker starts on the other core while this one compiles them: by the time the
// connection opens, the worker has started and is ready to hash.
const argv = process.argv.slice(2);
const asksForHelp = argv.some((arg) => arg === "--help" || arg === "-h" || arg === "--version");
if (findCommandWord(argv) === "upload" && !asksForHelp) prestartLocalCheck();
const { runCli } = await import("./main.js");
await runCli();
