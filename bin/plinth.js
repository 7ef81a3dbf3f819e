#!/usr/bin/env node
// Entry point of the `plinth` command; the CLI itself is TypeScript run by Node 24's type stripping.
import { main } from "../src/cli/main.ts";

process.exitCode = await main(process.argv.slice(2), process.env);
