#!/usr/bin/env node
// Entry point of the `plinth` command. In a checkout the CLI is TypeScript run by Node 24's type
// stripping; an installed package (which Node will not strip types in) ships the compiled dist/.
import { existsSync } from "node:fs";

const source = new URL("../src/cli/main.ts", import.meta.url);
const { main } = await import(existsSync(source) ? source.href : "../dist/cli/main.js");

process.exitCode = await main(process.argv.slice(2), process.env);
